// The emulator's queries (docs/rules.md#queries): the leftmost-prefix planner over active indexes, honest
// recordsExamined, join-path terms, pagination and bad queries.
import { describe, expect, it } from 'vitest'
import {
  SAMPLE_IDS,
  sampleData,
  type EmulatorOptions,
  type RunningEmulator
} from '../../src/emulator/index.js'
import type { LiveIndex } from '../../src/model.js'
import { useServers } from '../helpers/servers.js'

const QUERIES = '/api/v2/data-gateway/customobjects/queries'
const servers = useServers()

interface Page {
  results: Record<string, unknown>[]
  nextPageToken?: string
  indexUsed: boolean
  queryPlan: { strategy: string; indexName?: string; recordsExamined: number }
}

type Term = { type: 'term'; field: string; value: string | number | boolean }
const term = (field: string, value: string | number | boolean): Term => ({ type: 'term', field, value })

interface Harness {
  emu: RunningEmulator
  query(
    q: unknown,
    extra?: Record<string, unknown>
  ): Promise<{ status: number; body: Page & Record<string, unknown> }>
  all(q: unknown, limit: number): Promise<{ ids: string[]; pages: number }>
}

async function start(indexes: LiveIndex[] = [], opts: EmulatorOptions = {}): Promise<Harness> {
  const e = await servers.emulator({
    ticketCount: 2000,
    accountCount: 200,
    rebuildRecordsPerSecond: 1_000_000,
    rateLimitPerMinute: 10_000,
    ...opts
  })
  if (indexes.length > 0) {
    const doc = e.getSchema(SAMPLE_IDS.ticket)!
    e.putSchemaDirect({ ...doc, indexes: [...doc.indexes, ...indexes] })
    if (opts.rebuildMinMs === undefined) {
      await expect
        .poll(() => e.getSchema(SAMPLE_IDS.ticket)!.indexes.every(i => i.status !== 'building'), {
          timeout: 20_000,
          interval: 10
        })
        .toBe(true)
    }
  }
  const tokenRes = await fetch(`${e.url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('emulator-client:emulator-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded'
    },
    body: 'grant_type=client_credentials'
  })
  const bearer = ((await tokenRes.json()) as { access_token: string }).access_token
  const query: Harness['query'] = async (q, extra = {}) => {
    const res = await fetch(`${e.url}${QUERIES}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ customObjectId: SAMPLE_IDS.ticket, query: q, ...extra })
    })
    return { status: res.status, body: (await res.json()) as Page & Record<string, unknown> }
  }
  const all: Harness['all'] = async (q, limit) => {
    const ids: string[] = []
    let pageToken: string | undefined
    let pages = 0
    do {
      const r = await query(q, pageToken === undefined ? { limit } : { limit, pageToken })
      expect(r.status).toBe(200)
      pages++
      ids.push(...r.body.results.map(x => x.id as string))
      pageToken = r.body.nextPageToken
    } while (pageToken !== undefined)
    return { ids, pages }
  }
  return { emu: e, query, all }
}

describe('the query planner', () => {
  it('uses an active index on the query field and reads only the matching entries', async () => {
    const h = await start()
    const r = await h.query(term('status', 'open'), { limit: 1000 })
    expect(r.body.indexUsed).toBe(true)
    expect(r.body.queryPlan).toEqual({
      strategy: 'index',
      indexName: 'idx_status',
      recordsExamined: r.body.results.length
    })
    expect(r.body.results.every(x => x.status === 'open')).toBe(true)
  })

  it('falls back to a full scan that reads every record when no index leads with the field', async () => {
    const h = await start()
    const r = await h.query(term('assignee', 'Ana Silva'))
    expect(r.body.indexUsed).toBe(false)
    expect(r.body.queryPlan).toEqual({ strategy: 'fullScan', recordsExamined: 2000 })
    expect(r.body.results.every(x => x.assignee === 'Ana Silva')).toBe(true)
  })

  it('uses a composite index by its leftmost prefix and not by a later field alone', async () => {
    const h = await start([{ name: 'idx_priority_amount', fields: ['priority', 'amount'] }])
    const prefix = await h.query(term('priority', 3))
    expect(prefix.body.queryPlan.indexName).toBe('idx_priority_amount')
    const later = await h.query(term('amount', 10))
    expect(later.body.queryPlan.strategy).toBe('fullScan')
  })

  it('prefers the index covering the longest prefix of the query terms', async () => {
    const h = await start([{ name: 'idx_status_priority', fields: ['status', 'priority'] }])
    const r = await h.query(
      { type: 'and', queries: [term('status', 'open'), term('priority', 2)] },
      { limit: 1000 }
    )
    expect(r.body.queryPlan.indexName).toBe('idx_status_priority')
    expect(r.body.queryPlan.recordsExamined).toBe(r.body.results.length)
    expect(r.body.results.every(x => x.status === 'open' && x.priority === 2)).toBe(true)
  })

  it('breaks a tie of covered prefix towards the index with fewer fields', async () => {
    const h = await start([{ name: 'idx_status_amount', fields: ['status', 'amount'] }])
    const r = await h.query(term('status', 'pending'))
    expect(r.body.queryPlan.indexName).toBe('idx_status')
  })

  it('does not use an index while it is building', async () => {
    const h = await start([{ name: 'idx_assignee', fields: ['assignee'] }], { rebuildMinMs: 60_000 })
    expect(h.emu.getSchema(SAMPLE_IDS.ticket)!.indexes[2]!.status).toBe('building')
    const r = await h.query(term('assignee', 'Ana Silva'))
    expect(r.body.queryPlan.strategy).toBe('fullScan')
  })

  it('does not use an index that failed to build', async () => {
    const h = await start([{ name: 'idx_status_unique', fields: ['status', 'escalated'], unique: true }])
    expect(h.emu.getSchema(SAMPLE_IDS.ticket)!.indexes[2]!.status).toBe('failed')
    const r = await h.query({ type: 'and', queries: [term('status', 'open'), term('escalated', true)] })
    expect(r.body.queryPlan.indexName).toBe('idx_status')
  })

  it('coerces a term value to the field type, as a probe from YAML may send it', async () => {
    const h = await start()
    const r = await h.query(term('priority', '3'), { limit: 5 })
    expect(r.body.results.length).toBe(5)
    expect(r.body.results.every(x => x.priority === 3)).toBe(true)
  })
})

describe('join-path terms', () => {
  it('follows the reference to the target record for a full scan', async () => {
    const h = await start()
    const [accounts, tickets] = sampleData(42, 2000, 200).objects
    const tierOf = new Map(accounts!.records.map(a => [a.id, a.tier]))
    const expected = tickets!.records.filter(t => tierOf.get(t.account as string) === 'gold').map(t => t.id)
    const r = await h.query(term('account.tier', 'gold'), { limit: 1000 })
    expect(r.body.queryPlan.strategy).toBe('fullScan')
    expect(r.body.results.map(x => x.id).sort()).toEqual(expected.sort())
  })

  it('answers 400 for a field of the target object named without the join path', async () => {
    const h = await start()
    const r = await h.query(term('tier', 'gold'))
    expect(r.status).toBe(400)
  })

  it('uses an active index on the join path', async () => {
    const h = await start([{ name: 'idx_account_tier', fields: ['account.tier'] }])
    const scan = await h.all(term('account.tier', 'silver'), 1000)
    const r = await h.query(term('account.tier', 'silver'), { limit: 1000 })
    expect(r.body.queryPlan).toMatchObject({ strategy: 'index', indexName: 'idx_account_tier' })
    expect(r.body.queryPlan.recordsExamined).toBe(scan.ids.length)
  })
})

describe('pagination', () => {
  it('covers every index match exactly once across pages', async () => {
    const h = await start()
    const whole = await h.query(term('status', 'open'), { limit: 1000 })
    const paged = await h.all(term('status', 'open'), 37)
    expect(paged.pages).toBeGreaterThan(1)
    expect(new Set(paged.ids).size).toBe(paged.ids.length)
    expect(paged.ids.sort()).toEqual(whole.body.results.map(x => x.id as string).sort())
  })

  it('covers every full-scan match exactly once across pages', async () => {
    const h = await start()
    const paged = await h.all(term('escalated', true), 25)
    const count = (await fetch(`${h.emu.url}/__emulator/state`).then(r => r.json())) as {
      objects: { records: number }[]
    }
    expect(count.objects.length).toBe(2)
    expect(new Set(paged.ids).size).toBe(paged.ids.length)
    expect(paged.ids.length).toBeGreaterThan(25)
    const again = await h.all(term('escalated', true), 1000)
    expect(paged.ids.sort()).toEqual(again.ids.sort())
  })

  it('defaults to 25 results a page', async () => {
    const h = await start()
    const r = await h.query(term('status', 'closed'))
    expect(r.body.results).toHaveLength(25)
    expect(typeof r.body.nextPageToken).toBe('string')
  })

  it('refuses a page token from another query', async () => {
    const h = await start()
    const first = await h.query(term('status', 'open'))
    const r = await h.query(term('status', 'closed'), { pageToken: first.body.nextPageToken })
    expect(r.status).toBe(400)
    expect(r.body.code).toBe('bad.request')
  })
})

describe('bad queries', () => {
  it.each([
    ['an unknown field', { query: term('nope', 1) }, 'query.field'],
    [
      'an unknown field inside and',
      { query: { type: 'and', queries: [term('status', 'open'), term('nope', 1)] } },
      'query.queries[1].field'
    ],
    ['a limit of 0', { query: term('status', 'open'), limit: 0 }, 'limit'],
    ['a limit over 1000', { query: term('status', 'open'), limit: 1001 }, 'limit'],
    ['an unknown query type', { query: { type: 'or', queries: [] } }, 'query.type'],
    ['an object value', { query: { type: 'term', field: 'status', value: { a: 1 } } }, 'query.value']
  ])('answers 400 bad.request for %s', async (_name, body, fieldName) => {
    const h = await start()
    const { query, ...extra } = body as { query: unknown }
    const r = await h.query(query, extra)
    expect(r.status).toBe(400)
    expect(r.body.code).toBe('bad.request')
    expect(r.body.details).toContainEqual(expect.objectContaining({ fieldName }))
  })

  it('answers 404 not.found for an unknown object id', async () => {
    const h = await start()
    const res = await fetch(`${h.emu.url}${QUERIES}`, { method: 'POST', body: '{}' })
    expect(res.status).toBe(401)
    const r = await h.query(term('status', 'open'), { customObjectId: 'no-such-object' })
    expect(r.status).toBe(404)
  })
})
