// Fault injection and the control routes under /__emulator/: each fault kind, matching by method and path,
// faults armed at start, and every admin route (not logged, not rate limited).
import { afterEach, describe, expect, it } from 'vitest'
import {
  SAMPLE_IDS,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator
} from '../src/emulator/index.js'
import type { SchemaDocument } from '../src/model.js'

const SCHEMAS = '/api/v2/data-gateway/customobjects/schemas'
const TICKET = `${SCHEMAS}/${SAMPLE_IDS.ticket}`
let emu: RunningEmulator | undefined
afterEach(async () => {
  await emu?.close()
  emu = undefined
})

async function start(opts: EmulatorOptions = {}): Promise<{ e: RunningEmulator; bearer: string }> {
  const e = await startEmulator({
    ticketCount: 500,
    accountCount: 50,
    rebuildRecordsPerSecond: 1_000_000,
    ...opts
  })
  emu = e
  const res = await fetch(`${e.url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('emulator-client:emulator-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded'
    },
    body: 'grant_type=client_credentials'
  })
  return { e, bearer: ((await res.json()) as { access_token: string }).access_token }
}

function get(e: RunningEmulator, bearer: string, path: string): Promise<Response> {
  return fetch(`${e.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } })
}

function put(e: RunningEmulator, bearer: string, doc: SchemaDocument): Promise<Response> {
  return fetch(`${e.url}${TICKET}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(doc)
  })
}

function admin(e: RunningEmulator, method: string, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method }
  if (body !== undefined) init.body = JSON.stringify(body)
  return fetch(`${e.url}/__emulator/${path}`, init)
}

describe('fault kinds', () => {
  it('answers a status fault with an ErrorBody and Retry-After, count times, then serves normally', async () => {
    const { e, bearer } = await start()
    e.addFault({ method: 'GET', path: TICKET, kind: 'status', status: 503, retryAfter: 2, count: 2 })
    const first = await get(e, bearer, TICKET)
    expect(first.status).toBe(503)
    expect(first.headers.get('retry-after')).toBe('2')
    expect(await first.json()).toMatchObject({ code: 'service.unavailable', status: 503 })
    expect((await get(e, bearer, TICKET)).status).toBe(503)
    expect((await get(e, bearer, TICKET)).status).toBe(200)
  })

  it('resets the connection before answering and logs status 0', async () => {
    const { e, bearer } = await start()
    e.addFault({ path: TICKET, kind: 'reset' })
    await expect(get(e, bearer, TICKET)).rejects.toThrow()
    expect(
      e
        .requests()
        .filter(r => r.path === TICKET)
        .map(r => r.status)
    ).toEqual([0])
  })

  it('commits a PUT and then drops the connection instead of answering', async () => {
    const { e, bearer } = await start()
    const doc = e.getSchema(SAMPLE_IDS.ticket)!
    e.addFault({ method: 'PUT', path: `${SCHEMAS}/*`, kind: 'commit-then-drop' })
    await expect(put(e, bearer, { ...doc, description: 'committed' })).rejects.toThrow()
    expect(e.getSchema(SAMPLE_IDS.ticket)).toMatchObject({ description: 'committed', schemaVersion: 2 })
    expect(
      e
        .requests()
        .filter(r => r.method === 'PUT')
        .map(r => r.status)
    ).toEqual([0])
  })

  it('delays a request matching a latency fault behind a later one', async () => {
    const { e, bearer } = await start()
    e.addFault({ path: TICKET, kind: 'latency', latencyMs: 400 })
    const order: string[] = []
    const slow = get(e, bearer, TICKET).then(() => order.push('slow'))
    await new Promise(resolve => setTimeout(resolve, 20))
    const fast = get(e, bearer, SCHEMAS).then(() => order.push('fast'))
    await Promise.all([slow, fast])
    expect(order).toEqual(['fast', 'slow'])
  })

  it('answers a 400 fault on the token endpoint as an OAuth throttle', async () => {
    const { e } = await start()
    e.addFault({ path: '/oauth/token', kind: 'status', status: 400 })
    const res = await fetch(`${e.url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('emulator-client:emulator-secret').toString('base64')}`
      },
      body: 'grant_type=client_credentials'
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({
      error: 'invalid_request',
      description: expect.stringMatching(/^rate limit exceeded; /) as string
    })
  })
})

describe('fault matching', () => {
  it('matches a glob star to exactly one path segment', async () => {
    const { e, bearer } = await start()
    e.addFault({ path: `${SCHEMAS}/*`, kind: 'status', status: 500 })
    expect((await get(e, bearer, SCHEMAS)).status).toBe(200)
    expect((await get(e, bearer, TICKET)).status).toBe(500)
  })

  it('matches a plain path as a prefix', async () => {
    const { e, bearer } = await start()
    e.addFault({ path: '/api/v2/data-gateway', kind: 'status', status: 502 })
    expect((await get(e, bearer, TICKET)).status).toBe(502)
  })

  it('leaves other methods alone', async () => {
    const { e, bearer } = await start()
    e.addFault({ method: 'PUT', path: TICKET, kind: 'status', status: 500 })
    expect((await get(e, bearer, TICKET)).status).toBe(200)
    expect((await put(e, bearer, e.getSchema(SAMPLE_IDS.ticket)!)).status).toBe(500)
  })

  it('arms the faults given at start', async () => {
    const { e, bearer } = await start({ faults: [{ path: TICKET, kind: 'status', status: 504 }] })
    expect((await get(e, bearer, TICKET)).status).toBe(504)
  })

  it('forgets every fault on clearFaults', async () => {
    const { e, bearer } = await start()
    e.addFault({ path: TICKET, kind: 'status', status: 500, count: 5 })
    e.clearFaults()
    expect((await get(e, bearer, TICKET)).status).toBe(200)
  })

  it('refuses a fault spec without a path', () => {
    return start().then(({ e }) => {
      expect(() => {
        e.addFault({ kind: 'reset' } as never)
      }).toThrow(/path/)
    })
  })
})

describe('control routes under /__emulator/', () => {
  it('arms and clears faults over HTTP', async () => {
    const { e, bearer } = await start()
    expect(
      (await admin(e, 'POST', 'faults', { path: TICKET, kind: 'status', status: 503, count: 3 })).status
    ).toBe(201)
    expect((await get(e, bearer, TICKET)).status).toBe(503)
    expect((await admin(e, 'DELETE', 'faults')).status).toBe(200)
    expect((await get(e, bearer, TICKET)).status).toBe(200)
  })

  it('answers 400 to a malformed fault', async () => {
    const { e } = await start()
    const res = await admin(e, 'POST', 'faults', { path: TICKET, kind: 'explode' })
    expect(res.status).toBe(400)
  })

  it('lists and clears the request log, leaving admin calls out of it', async () => {
    const { e, bearer } = await start()
    await get(e, bearer, TICKET)
    const listed = (await (await admin(e, 'GET', 'requests')).json()) as {
      requests: { method: string; path: string; status: number }[]
    }
    expect(listed.requests.map(r => [r.method, r.path, r.status])).toEqual([
      ['POST', '/oauth/token', 200],
      ['GET', TICKET, 200]
    ])
    await admin(e, 'DELETE', 'requests')
    expect(e.requests()).toEqual([])
  })

  it('expires and revokes tokens over HTTP', async () => {
    const { e, bearer } = await start()
    await admin(e, 'POST', 'tokens/revoke')
    const res = await get(e, bearer, TICKET)
    expect(res.status).toBe(401)
    expect(((await res.json()) as { code: string }).code).toBe('authentication.required')
    expect((await admin(e, 'POST', 'tokens/expire')).status).toBe(200)
  })

  it('changes the rate limit at run time over HTTP', async () => {
    const { e, bearer } = await start()
    await admin(e, 'POST', 'config', { rateLimitPerMinute: 1 })
    const res = await get(e, bearer, TICKET)
    expect(res.headers.get('inin-ratelimit-allowed')).toBe('1')
    expect((await get(e, bearer, TICKET)).status).toBe(429)
    expect((await admin(e, 'POST', 'config', { nope: 1 })).status).toBe(400)
  })

  it('writes a schema as a concurrent writer over HTTP, bumping the version and rebuilding', async () => {
    const { e } = await start({ rebuildMinMs: 60_000 })
    const doc = e.getSchema(SAMPLE_IDS.ticket)!
    doc.indexes.push({ name: 'idx_assignee', fields: ['assignee'] })
    const res = await admin(e, 'PUT', `schemas/${SAMPLE_IDS.ticket}`, { ...doc, schemaVersion: 99 })
    expect(res.status).toBe(200)
    expect(e.getSchema(SAMPLE_IDS.ticket)).toMatchObject({ schemaVersion: 2 })
    expect(e.getSchema(SAMPLE_IDS.ticket)!.indexes[2]!.status).toBe('building')
  })

  it('reports each object with its version, index states and record count', async () => {
    const { e } = await start()
    const state = (await (await admin(e, 'GET', 'state')).json()) as { objects: unknown[] }
    expect(state.objects).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: SAMPLE_IDS.ticket,
          schemaVersion: 1,
          records: 500,
          indexes: [
            { name: 'idx_created', status: 'active' },
            { name: 'idx_status', status: 'active' }
          ]
        }),
        expect.objectContaining({ id: SAMPLE_IDS.account, records: 50 })
      ])
    )
  })

  it('serves control routes without a token and outside the rate limit', async () => {
    const { e } = await start({ rateLimitPerMinute: 1 })
    for (let i = 0; i < 3; i++) expect((await admin(e, 'GET', 'state')).status).toBe(200)
    expect(e.requests().filter(r => r.path.startsWith('/__emulator'))).toHaveLength(0)
  })

  it('answers 404 for an unknown control route', async () => {
    const { e } = await start()
    expect((await admin(e, 'GET', 'nothing-here')).status).toBe(404)
  })
})
