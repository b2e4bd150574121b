// Deploy overlaps the waits: many changed objects of one run, over a fake platform with a 300-a-minute budget
// and 30 s rebuilds, on a virtual clock (no real waits). The PUTs go out while the first rebuilds are polled,
// the polls of every object share the budget (no 429), the pacer learns from the first rebuild seen ending how
// long the others take, and the run ends close to the longest rebuild.
import { describe, expect, it } from 'vitest'
import { mapLimit } from '../../src/concurrency.js'
import type { SchemaDocument } from '../../src/model.js'
import { DEFAULT_LIMITS } from '../../src/model.js'
import type { GatewayClient, QueryResponse } from '../../src/platform/gateway.js'
import {
  createPollPacer,
  createRateLimiter,
  objectSlots,
  type PollPacer,
  type RateLimiter
} from '../../src/platform/ratelimit.js'
import { processObject } from '../../src/pipeline/object.js'
import { pipelineContext } from '../../src/pipeline/job.js'
import { virtualClock, type VirtualClock } from '../helpers/clock.js'
import { indexFile, silentLogger } from '../helpers/platform.js'

const WINDOW_MS = 60_000
const BUDGET = 300
const REBUILD_MS = 30_000

interface Event {
  kind: 'put' | 'poll'
  id: string
  at: number
}

interface PlatformOptions {
  /** Object i's rebuild length, ms (default 30 s for each). */
  rebuildMs?: (i: number) => number
  /** Objects whose every schema read after their PUT fails (a platform that stops answering for them). */
  failingPolls?: ReadonlySet<string>
}

/** N objects with one active index; a PUT's new indexes build for their length; a fixed window of BUDGET. */
function fakePlatform(n: number, clock: VirtualClock, limiter: RateLimiter, opts: PlatformOptions = {}) {
  const docs = new Map<string, SchemaDocument>()
  const builtAt = new Map<string, number>()
  /** When each object's rebuild ended, and when a read first showed it ended. */
  const ended = new Map<string, number>()
  const seen = new Map<string, number>()
  const events: Event[] = []
  /** Requests per window (by the window's start). */
  const perWindow = new Map<number, number>()
  let windowStart = 0
  let count = 0
  let over = 0
  for (let i = 0; i < n; i++) {
    const id = `obj-${i}`
    docs.set(id, {
      id,
      name: `Object ${i}`,
      schemaVersion: 1,
      lastUpdated: '2026-01-01T00:00:00Z',
      selfUri: `/schemas/${id}`,
      fields: [
        { name: 'code', type: 'string', maxLength: 20, cardinalityHint: 'high' },
        { name: 'n', type: 'number' }
      ],
      indexes: [{ name: 'idx_code', fields: ['code'], status: 'active' }]
    })
  }
  /** One request against the budget, through the run's limiter as the HTTP client sends it. */
  async function request<T>(answer: () => T): Promise<T> {
    const release = await limiter.acquire()
    try {
      if (clock.now() - windowStart >= WINDOW_MS) {
        windowStart = clock.now()
        count = 0
      }
      count++
      perWindow.set(windowStart, count)
      if (count > BUDGET) over++
      limiter.update({
        'inin-ratelimit-allowed': String(BUDGET),
        'inin-ratelimit-count': String(count),
        'inin-ratelimit-reset': String(Math.ceil((windowStart + WINDOW_MS - clock.now()) / 1000))
      })
      return structuredClone(answer())
    } finally {
      release()
    }
  }
  const current = (id: string): SchemaDocument => {
    const doc = docs.get(id)!
    const at = builtAt.get(id)
    if (at !== undefined && clock.now() >= at) {
      doc.indexes = doc.indexes.map(i => ({ ...i, status: 'active' as const }))
      builtAt.delete(id)
      seen.set(id, clock.now())
    }
    return doc
  }
  const gateway: GatewayClient = {
    getSchema: id =>
      request(() => {
        if (builtAt.has(id)) {
          events.push({ kind: 'poll', id, at: clock.now() })
          if (opts.failingPolls?.has(id)) throw new Error(`no answer for ${id}`)
        }
        return current(id)
      }),
    listSchemas: () => Promise.resolve([]),
    getLimits: () => request(() => DEFAULT_LIMITS),
    putSchema: (id, body) =>
      request(() => {
        const before = current(id)
        const next = structuredClone(body) as unknown as SchemaDocument
        next.schemaVersion = before.schemaVersion + 1
        next.indexes = next.indexes.map(i =>
          before.indexes.some(b => b.name === i.name)
            ? { ...i, status: 'active' as const }
            : { ...i, status: 'building' as const }
        )
        docs.set(id, next)
        const length = opts.rebuildMs?.(Number(id.slice('obj-'.length))) ?? REBUILD_MS
        builtAt.set(id, clock.now() + length)
        ended.set(id, clock.now() + length)
        events.push({ kind: 'put', id, at: clock.now() })
        return next
      }),
    query: () =>
      request((): QueryResponse => ({
        results: [],
        indexUsed: true,
        queryPlan: { strategy: 'index', indexName: 'idx_n', recordsExamined: 1 }
      }))
  }
  return {
    gateway,
    events,
    over: () => over,
    rebuiltAt: (putAt: number) => putAt + REBUILD_MS,
    /** How late each object's ended rebuild was seen, ms (by object id). */
    lateness: (): Map<string, number> => new Map([...seen].map(([id, at]) => [id, at - ended.get(id)!])),
    /** The most requests any window took. */
    busiestWindow: () => Math.max(0, ...perWindow.values())
  }
}

const fileFor = (id: string): string =>
  `customObjectId: ${id}\nindexes:\n  - name: idx_code\n    fields: [code]\n  - name: idx_n\n    fields: [n]\n`

async function deployMany(n: number, opts: PlatformOptions & { rebuildTimeoutSeconds?: number } = {}) {
  const clock = virtualClock()
  const limiter = createRateLimiter({ now: clock.now, sleep: clock.sleep })
  const platform = fakePlatform(n, clock, limiter, opts)
  const pacer: PollPacer = createPollPacer(limiter, { now: clock.now, sleep: clock.sleep })
  const ctx = pipelineContext({
    log: silentLogger,
    live: platform.gateway,
    pacer,
    rebuildTimeoutSeconds: opts.rebuildTimeoutSeconds ?? 600,
    now: clock.now,
    sleep: clock.sleep
  })
  const jobs = Array.from({ length: n }, (_, i) => ({
    loaded: indexFile(fileFor(`obj-${i}`), `indexes/obj-${i}.yaml`),
    customObjectId: `obj-${i}`,
    mode: 'deploy' as const
  }))
  const results = await clock.run(
    (async () => {
      // As the run does: the first answer announces the budget, which sets how many objects run at once.
      await platform.gateway.getLimits()
      // As the runner does: the pacer knows how many objects are still to start.
      pacer.expect(jobs.length)
      return mapLimit(jobs, objectSlots(limiter.snapshot().allowed), async job => {
        const result = await processObject(ctx, job)
        pacer.done()
        return result
      })
    })()
  )
  return {
    results,
    events: platform.events,
    over: platform.over(),
    end: clock.now(),
    platform,
    pacer,
    limiter
  }
}

describe('deploy overlaps the rebuild waits of its objects', () => {
  it('sends the 20th PUT before the first rebuild completes', async () => {
    const { results, events, platform } = await deployMany(20)
    expect(results.every(r => r.error === undefined && r.rebuild.status === 'active')).toBe(true)
    const puts = events.filter(e => e.kind === 'put')
    expect(puts).toHaveLength(20)
    expect(puts[19]!.at).toBeLessThan(platform.rebuiltAt(puts[0]!.at))
  })

  it('keeps the polls of every object inside the rate budget: no request over it', async () => {
    const { over } = await deployMany(20)
    expect(over).toBe(0)
  })

  it('ends 20 objects with 30 s rebuilds within 1.15 × (the longest rebuild + one object’s requests)', async () => {
    const { end, events } = await deployMany(20)
    const puts = events.filter(e => e.kind === 'put')
    // One object's requests (limits, GET, PUT, the probes) at the budget's pace: 6 of 300 a minute.
    const oneObject = (6 * WINDOW_MS) / BUDGET
    expect(end).toBeLessThanOrEqual(1.15 * (REBUILD_MS + oneObject))
    expect(puts.length).toBe(20)
  })

  it('sees each of 20 rebuilds of 30 s within 1 s of its end, once the first one seen teaches the others’ length', async () => {
    const { end, platform, pacer, over } = await deployMany(20)
    const late = [...platform.lateness().values()]
    expect(late).toHaveLength(20)
    expect(Math.max(...late)).toBeLessThanOrEqual(1_000)
    // One length learned, each poller woken at most once for it.
    expect(pacer.snapshot().learned).toHaveLength(1)
    expect(pacer.snapshot().wakes).toBeLessThanOrEqual(20)
    expect(over).toBe(0)
    expect(end).toBeLessThanOrEqual(1.15 * (REBUILD_MS + (6 * WINDOW_MS) / BUDGET))
  })

  it('sees rebuilds of 5 s and 60 s mixed each within 1 s of its end, no window over the budget', async () => {
    const { platform, pacer, over, results } = await deployMany(20, {
      rebuildMs: i => (i % 2 === 0 ? 5_000 : 60_000)
    })
    expect(results.every(r => r.rebuild.status === 'active')).toBe(true)
    const late = [...platform.lateness().values()]
    expect(late).toHaveLength(20)
    expect(Math.max(...late)).toBeLessThanOrEqual(1_000)
    expect(platform.busiestWindow()).toBeLessThanOrEqual(BUDGET)
    expect(over).toBe(0)
    // Two lengths learned (5 s, 60 s); no poller woken more than once for each.
    const { learned, wakes } = pacer.snapshot()
    expect(learned).toHaveLength(2)
    expect(wakes).toBeLessThanOrEqual(20 * learned.length)
  })

  it('keeps 200 objects inside the budget in every window: no request over it', async () => {
    const { over, results, platform, pacer } = await deployMany(200)
    expect(results.every(r => r.error === undefined && r.rebuild.status === 'active')).toBe(true)
    expect(platform.busiestWindow()).toBeLessThanOrEqual(BUDGET)
    expect(over).toBe(0)
    expect(pacer.pollers()).toBe(0)
  })

  it('keeps 200 objects of mixed rebuild lengths inside the budget in every window', async () => {
    const { over, results, platform } = await deployMany(200, {
      rebuildMs: i => [5_000, 30_000, 60_000, 90_000][i % 4]!
    })
    expect(results.every(r => r.rebuild.status === 'active')).toBe(true)
    expect(platform.busiestWindow()).toBeLessThanOrEqual(BUDGET)
    expect(over).toBe(0)
  })

  it('frees the share of a poller whose polls all fail: it times out, the others are still seen promptly', async () => {
    const { results, platform, pacer, over } = await deployMany(20, {
      failingPolls: new Set(['obj-0']),
      rebuildTimeoutSeconds: 90
    })
    expect(results[0]!.rebuild.status).toBe('timeout')
    expect(results[0]!.rebuild.reason).toMatch(/polls failed, the last with: no answer for obj-0/)
    expect(results.slice(1).every(r => r.rebuild.status === 'active')).toBe(true)
    const late = [...platform.lateness().entries()].filter(([id]) => id !== 'obj-0').map(([, ms]) => ms)
    expect(late).toHaveLength(19)
    expect(Math.max(...late)).toBeLessThanOrEqual(1_000)
    expect(pacer.pollers()).toBe(0)
    expect(over).toBe(0)
  })

  it('ends 100 objects within 1.15 × the request floor at the budget, with no request over it', async () => {
    const { end, over, results } = await deployMany(100)
    expect(results.every(r => r.rebuild.status === 'active')).toBe(true)
    // The floor: every object's requests (6) at 300 a minute.
    const floor = (100 * 6 * WINDOW_MS) / BUDGET
    expect(over).toBe(0)
    expect(end).toBeLessThanOrEqual(1.15 * Math.max(floor, REBUILD_MS + (6 * WINDOW_MS) / BUDGET))
  })

  it.each([
    // pollers, used in the window, ms to the reset, base → the wait
    [1, 100, 50_000, 2_000, 2_000],
    [20, 80, 60_000, 2_000, 6_000],
    [20, 280, 30_000, 2_000, 30_250],
    [5, 290, 10_000, 2_000, 10_000],
    [5, 298, 10_000, 2_000, 10_250],
    [3, 0, 60_000, 2_000, 2_000]
  ])(
    'paces %i pollers with %i of 300 used and %i ms to the reset (base %i ms): waits %i ms',
    (pollers, count, resetIn, base, wait) => {
      const limiter = {
        snapshot: () => ({ allowed: 300, count, resetAt: 1_000 + resetIn, inFlight: 0, waits: 0 })
      }
      const pacer = createPollPacer(limiter, { now: () => 1_000 })
      for (let i = 0; i < pollers; i++) pacer.join()
      expect(pacer.delay(base)).toBe(wait)
    }
  )

  it('runs as many objects at once as one window of the budget can start and see done (read, PUT, a poll)', () => {
    expect(objectSlots(undefined)).toBe(4)
    expect(objectSlots(300)).toBe(100)
    expect(objectSlots(60)).toBe(20)
    expect(objectSlots(6)).toBe(4)
    expect(objectSlots(100_000)).toBe(256)
  })
})
