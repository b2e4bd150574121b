// The emulator's rebuild controls: a rebuild held as `building` until released (a rebuild that outlives a
// deploy's wait), and a rebuild made to fail with a given statusReason, over the /__emulator/rebuilds routes
// and the module API.
import { describe, expect, it, vi } from 'vitest'
import { SAMPLE_IDS, type RunningEmulator } from '../../src/emulator/index.js'
import type { LiveIndex } from '../../src/model.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers()
const TICKET = SAMPLE_IDS.ticket

function start(): Promise<RunningEmulator> {
  return servers.emulator({ ticketCount: 300, accountCount: 30, rebuildRecordsPerSecond: 1_000_000 })
}

function control(e: RunningEmulator, method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${e.url}/__emulator/${route}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {})
  })
}

/** A concurrent writer adds `idx_assignee` (or gives it `fields`): its rebuild starts. */
function addIndex(e: RunningEmulator, fields = ['assignee']): void {
  const doc = e.getSchema(TICKET)!
  const others = doc.indexes.filter(i => i.name !== 'idx_assignee')
  e.putSchemaDirect({ ...doc, indexes: [...others, { name: 'idx_assignee', fields }] })
}

const assignee = (e: RunningEmulator): LiveIndex | undefined =>
  e.getSchema(TICKET)!.indexes.find(i => i.name === 'idx_assignee')

/** Until the held rebuild would have ended: the timer fired and the hold kept it building. */
async function untilHeld(e: RunningEmulator): Promise<void> {
  await vi.waitFor(() => {
    expect(e.rebuildControls().held.some(h => h.index === 'idx_assignee' && h.waiting)).toBe(true)
  })
}

describe('holding a rebuild', () => {
  it('keeps the index building past its rebuild time until released, then ends it as it would have', async () => {
    const e = await start()
    const hold = await control(e, 'POST', 'rebuilds/hold', { index: 'idx_assignee', customObjectId: TICKET })
    expect(hold.status).toBe(201)
    addIndex(e)
    await untilHeld(e)
    expect(assignee(e)?.status).toBe('building')

    const release = await control(e, 'POST', 'rebuilds/release', { index: 'idx_assignee' })
    expect(release.status).toBe(200)
    expect(await release.json()).toMatchObject({ released: 1, held: [] })
    expect(assignee(e)?.status).toBe('active')
  })

  it('holds the new rebuild when a PUT changes the held index meanwhile', async () => {
    const e = await start()
    e.holdRebuilds({ index: 'idx_assignee' })
    addIndex(e)
    await untilHeld(e)
    addIndex(e, ['assignee', 'status'])
    await untilHeld(e)
    expect(assignee(e)).toMatchObject({ fields: ['assignee', 'status'], status: 'building' })
    expect(e.releaseRebuilds()).toBe(1)
    expect(assignee(e)?.status).toBe('active')
  })

  it('holds the rebuild of the named object only', async () => {
    const e = await start()
    e.holdRebuilds({ index: 'idx_assignee', customObjectId: 'another-object' })
    addIndex(e)
    await vi.waitFor(() => {
      expect(assignee(e)?.status).toBe('active')
    })
    expect(e.rebuildControls().held).toEqual([
      { index: 'idx_assignee', customObjectId: 'another-object', waiting: false }
    ])
  })

  it('releases every hold when no index is named', async () => {
    const e = await start()
    e.holdRebuilds({ index: 'idx_assignee' })
    addIndex(e)
    await untilHeld(e)
    expect(e.releaseRebuilds()).toBe(1)
    expect(assignee(e)?.status).toBe('active')
  })
})

describe('failing a rebuild', () => {
  it('ends the next rebuild of the index failed with the statusReason given, then rebuilds as usual', async () => {
    const e = await start()
    const res = await control(e, 'POST', 'rebuilds/fail', {
      index: 'idx_assignee',
      statusReason: 'disk full on shard 3'
    })
    expect(res.status).toBe(201)
    addIndex(e)
    await vi.waitFor(() => {
      expect(assignee(e)).toMatchObject({ status: 'failed', statusReason: 'disk full on shard 3' })
    })
    expect(e.rebuildControls().failing).toEqual([])

    addIndex(e, ['assignee', 'status'])
    await vi.waitFor(() => {
      expect(assignee(e)?.status).toBe('active')
    })
    expect(assignee(e)?.statusReason).toBeUndefined()
  })

  it('fails a held rebuild when it is released', async () => {
    const e = await start()
    e.holdRebuilds({ index: 'idx_assignee' })
    e.failRebuilds({ index: 'idx_assignee' }, 'cancelled by an operator')
    addIndex(e)
    await untilHeld(e)
    e.releaseRebuilds({ index: 'idx_assignee' })
    expect(assignee(e)).toMatchObject({ status: 'failed', statusReason: 'cancelled by an operator' })
  })
})

describe('the rebuild control routes', () => {
  it('list the controls, clear them, and stay out of the request log', async () => {
    const e = await start()
    await control(e, 'POST', 'rebuilds/hold', { index: 'idx_a' })
    await control(e, 'POST', 'rebuilds/fail', { index: 'idx_b', statusReason: 'no', count: 2 })
    const listed = await control(e, 'GET', 'rebuilds')
    expect(await listed.json()).toEqual({
      held: [{ index: 'idx_a', waiting: false }],
      failing: [{ index: 'idx_b', statusReason: 'no', remaining: 2 }]
    })
    const cleared = await control(e, 'DELETE', 'rebuilds')
    expect(await cleared.json()).toEqual({ held: [], failing: [] })
    expect(e.requests()).toEqual([])
  })

  it.each([
    ['hold without an index', 'rebuilds/hold', {}, /index is required/],
    ['fail without a reason', 'rebuilds/fail', { index: 'idx_a' }, /statusReason is required/],
    ['an index that is not a string', 'rebuilds/hold', { index: 3 }, /index must be a non-empty string/],
    ['a count of zero', 'rebuilds/fail', { index: 'i', statusReason: 'r', count: 0 }, /count must be/],
    ['a body that is not an object', 'rebuilds/hold', [], /JSON object/]
  ])('refuse %s with a 400 naming the problem', async (_, route, body, message) => {
    const e = await start()
    const res = await control(e, 'POST', route, body)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { message: string }).message).toMatch(message)
    expect(e.rebuildControls()).toEqual({ held: [], failing: [] })
  })
})
