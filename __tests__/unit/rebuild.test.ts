import { describe, expect, it } from 'vitest'
import type { IndexStatus, SchemaDocument } from '../../src/model.js'
import { PlatformError } from '../../src/platform/http.js'
import { waitForRebuild } from '../../src/platform/rebuild.js'

function doc(version: number, status: IndexStatus, statusReason?: string): SchemaDocument {
  return {
    id: 'obj',
    name: 'Obj',
    schemaVersion: version,
    fields: [{ name: 'status', type: 'string' }],
    indexes: [{ name: 'idx_status', fields: ['status'], status, ...(statusReason ? { statusReason } : {}) }]
  }
}

/** A fake clock and a gateway whose document turns `active` at `doneAt` ms. */
function scenario(doneAt: number, final: SchemaDocument = doc(2, 'active')) {
  let t = 0
  const slept: number[] = []
  let polls = 0
  return {
    slept,
    polls: () => polls,
    now: () => t,
    sleep: (ms: number) => {
      slept.push(ms)
      t += ms
      return Promise.resolve()
    },
    gateway: {
      getSchema: () => {
        polls++
        return Promise.resolve(t >= doneAt ? final : doc(2, 'building'))
      }
    }
  }
}

describe('rebuild wait', () => {
  it('ends active without polling when the PUT answer shows nothing building', async () => {
    const s = scenario(0)
    const out = await waitForRebuild({
      ...s,
      customObjectId: 'obj',
      deployedVersion: 2,
      initial: doc(2, 'active'),
      timeoutSeconds: 10
    })
    expect(out.status).toBe('active')
    expect(s.polls()).toBe(0)
  })

  it('polls from 250 ms, ×1.5, capped at 2 s, until no index is building', async () => {
    const s = scenario(10_000)
    const out = await waitForRebuild({
      ...s,
      customObjectId: 'obj',
      deployedVersion: 2,
      initial: doc(2, 'building'),
      timeoutSeconds: 60
    })
    expect(out.status).toBe('active')
    expect(s.slept.slice(0, 7)).toEqual([250, 375, 562.5, 843.75, 1265.625, 1898.4375, 2000])
    expect(s.polls()).toBeLessThanOrEqual(9)
    // Completion is seen at most one capped interval after it happens.
    expect(out.seconds).toBeLessThanOrEqual(12)
  })

  it('waits for the deployed schema version even when no index shows building', async () => {
    const s = scenario(1000)
    const out = await waitForRebuild({
      ...s,
      customObjectId: 'obj',
      deployedVersion: 3,
      initial: doc(2, 'active'),
      timeoutSeconds: 2
    })
    expect(out.status).toBe('timeout')
  })

  it('reports a failed index with its statusReason', async () => {
    const s = scenario(500, doc(2, 'failed', 'duplicate values for a unique index'))
    const out = await waitForRebuild({
      ...s,
      customObjectId: 'obj',
      deployedVersion: 2,
      initial: doc(2, 'building'),
      timeoutSeconds: 10
    })
    expect(out.status).toBe('failed')
    expect(out.reason).toBe('index idx_status failed: duplicate values for a unique index')
  })

  it('times out at the deadline and never sleeps past it', async () => {
    const s = scenario(Infinity)
    const out = await waitForRebuild({
      ...s,
      customObjectId: 'obj',
      deployedVersion: 2,
      initial: doc(2, 'building'),
      timeoutSeconds: 5
    })
    expect(out.status).toBe('timeout')
    expect(out.reason).toMatch(/did not finish within 5 s \(still building: idx_status\)/)
    expect(s.now()).toBe(5000)
    expect(out.seconds).toBe(5)
  })

  it('retries a poll that fails and ends active when a later poll sees the rebuild done', async () => {
    const s = scenario(1000)
    let failuresLeft = 2
    const out = await waitForRebuild({
      ...s,
      gateway: {
        getSchema: (id, o) => {
          if (failuresLeft-- > 0) {
            return Promise.reject(
              new PlatformError({
                method: 'GET',
                path: `/x/${id}`,
                status: 503,
                attempts: 4,
                message: `503 ${o?.deadlineMs}`
              })
            )
          }
          return s.gateway.getSchema()
        }
      },
      customObjectId: 'obj',
      deployedVersion: 2,
      initial: doc(2, 'building'),
      timeoutSeconds: 10
    })
    expect(out).toMatchObject({ status: 'active', failedPolls: 2 })
    expect(out.polls).toBe(out.failedPolls + s.polls())
  })

  it('gives each poll only what is left of the rebuild deadline', async () => {
    const s = scenario(Infinity)
    const budgets: number[] = []
    await waitForRebuild({
      ...s,
      gateway: {
        getSchema: (_id, o) => {
          budgets.push(o?.deadlineMs ?? Infinity)
          return s.gateway.getSchema()
        }
      },
      customObjectId: 'obj',
      deployedVersion: 2,
      initial: doc(2, 'building'),
      timeoutSeconds: 3
    })
    expect(budgets.length).toBeGreaterThan(2)
    budgets.forEach((b, i) => {
      expect(b).toBeGreaterThan(0)
      expect(b).toBeLessThanOrEqual(3000)
      if (i > 0) expect(b).toBeLessThan(budgets[i - 1]!)
    })
  })

  it('times out naming how many polls failed and the last error', async () => {
    const s = scenario(Infinity)
    let n = 0
    const out = await waitForRebuild({
      ...s,
      gateway: {
        getSchema: () => {
          n++
          return n % 2 === 0
            ? Promise.reject(
                new PlatformError({ method: 'GET', path: '/s', attempts: 1, message: `no answer #${n}` })
              )
            : s.gateway.getSchema()
        }
      },
      customObjectId: 'obj',
      deployedVersion: 2,
      initial: doc(2, 'building'),
      timeoutSeconds: 5
    })
    expect(out.status).toBe('timeout')
    expect(out.failedPolls).toBe(Math.floor(out.polls / 2))
    expect(out.reason).toBe(
      `the rebuild did not finish within 5 s (still building: idx_status); ${out.failedPolls} of ${out.polls} ` +
        `polls failed, the last with: no answer #${out.polls - (out.polls % 2)}; raise rebuild-timeout-seconds ` +
        'or check the object in Genesys Cloud'
    )
    expect(s.now()).toBe(5000)
  })

  it('times out, never fatal, when every poll fails', async () => {
    const s = scenario(0)
    const out = await waitForRebuild({
      ...s,
      gateway: { getSchema: () => Promise.reject(new Error('ECONNREFUSED')) },
      customObjectId: 'obj',
      deployedVersion: 2,
      timeoutSeconds: 2
    })
    expect(out.status).toBe('timeout')
    expect(out.failedPolls).toBe(out.polls)
    expect(out.polls).toBeGreaterThan(0)
    expect(out.reason).toMatch(/polls failed, the last with: ECONNREFUSED/)
    expect(out.document).toBeUndefined()
  })

  it.each([
    // what the rebuild ends as, whether the pacer learns its length
    ['active', doc(2, 'active'), 1],
    ['failed', doc(2, 'failed', 'duplicate values'), 0]
  ] as const)(
    'sleeps through the run’s pacer within the deadline; a rebuild ending %s teaches it its length %i time(s)',
    async (_status, final, learned) => {
      const s = scenario(3_000, final)
      const waits: [number, number][] = []
      let settled = 0
      const poller = {
        wait: (baseMs: number, maxMs: number) => {
          waits.push([baseMs, maxMs])
          return s.sleep(Math.min(baseMs, maxMs))
        },
        settled: () => {
          settled++
        }
      }
      await waitForRebuild({
        ...s,
        poller,
        customObjectId: 'obj',
        deployedVersion: 2,
        initial: doc(2, 'building'),
        timeoutSeconds: 60
      })
      // The pacer sleeps each wait (its own pace, what is left of the deadline); the wait's own sleep is unused.
      expect(waits[0]).toEqual([250, 60_000])
      expect(waits.every(([, max], i) => i === 0 || max < 60_000)).toBe(true)
      expect(settled).toBe(learned)
    }
  )

  it('teaches the pacer nothing when the PUT answer shows nothing building (no poll)', async () => {
    const s = scenario(0)
    let settled = 0
    const out = await waitForRebuild({
      ...s,
      poller: { wait: () => Promise.resolve(), settled: () => settled++ },
      customObjectId: 'obj',
      deployedVersion: 2,
      initial: doc(2, 'active'),
      timeoutSeconds: 60
    })
    expect(out.polls).toBe(0)
    expect(settled).toBe(0)
  })
})
