// Fault injection and the control routes under /__emulator/: each fault kind, matching by method and path,
// faults armed at start, every admin route (not logged, not rate limited), and the warehouse stand-in's faults.
import { describe, expect, it } from 'vitest'
import {
  SAMPLE_IDS,
  type EmulatorOptions,
  type RunningEmulator,
  type Warehouse
} from '../../src/emulator/index.js'
import type { SchemaDocument } from '../../src/model.js'
import { useServers } from '../helpers/servers.js'

const SCHEMAS = '/api/v2/data-gateway/customobjects/schemas'
const TICKET = `${SCHEMAS}/${SAMPLE_IDS.ticket}`
const servers = useServers()

const BASIC = `Basic ${Buffer.from('emulator-client:emulator-secret').toString('base64')}`

function token(e: RunningEmulator, authorization = BASIC): Promise<Response> {
  return fetch(`${e.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
    redirect: 'manual'
  })
}

/** A server on another port that only counts the requests reaching it. */
async function trap(): Promise<{ url: string; hits: () => number }> {
  let hits = 0
  const server = await servers.serve((req, res) => {
    hits++
    req.resume()
    res.end('{}')
  })
  return { url: server.url, hits: () => hits }
}

function warehouse(secret?: string): Promise<Warehouse> {
  return servers.warehouse(secret !== undefined ? { secret } : {})
}

async function start(opts: EmulatorOptions = {}): Promise<{ e: RunningEmulator; bearer: string }> {
  const e = await servers.emulator({
    ticketCount: 500,
    accountCount: 50,
    rebuildRecordsPerSecond: 1_000_000,
    ...opts
  })
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
  return fetch(`${e.url}${path}`, { headers: { authorization: `Bearer ${bearer}` }, redirect: 'manual' })
}

function put(e: RunningEmulator, bearer: string, doc: SchemaDocument): Promise<Response> {
  return fetch(`${e.url}${TICKET}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(doc),
    redirect: 'manual'
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
    e.addFault({ path: TICKET, kind: 'latency', latencyMs: 1000 })
    const order: string[] = []
    const sent = Date.now()
    const slow = get(e, bearer, TICKET).then(() => order.push('slow'))
    // The later request is sent once the delayed one has arrived, not after a guessed pause.
    await expect.poll(() => e.requests().some(r => r.path === TICKET), { interval: 5 }).toBe(true)
    const fast = get(e, bearer, SCHEMAS).then(() => order.push('fast'))
    await Promise.all([slow, fast])
    expect(order).toEqual(['fast', 'slow'])
    // A lower bound only: however slow the machine, the answer never comes sooner.
    expect(Date.now() - sent).toBeGreaterThanOrEqual(1000)
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

describe('faults for the secrets, redirect, wait and PUT-answer cases', () => {
  it('echoes the bearer token and the Authorization header in an API error body', async () => {
    const { e, bearer } = await start()
    e.addFault({ path: TICKET, kind: 'status', status: 500, echoSecrets: true })
    const res = await get(e, bearer, TICKET)
    expect(res.status).toBe(500)
    const body = (await res.json()) as { message: string; code: string; details: { entityName: string }[] }
    expect(body.code).toBe('internal.server.error')
    expect(body.message).toContain(`Authorization: Bearer ${bearer}`)
    expect(body.message).toContain(`access token ${bearer}`)
    expect(body.details[0]!.entityName).toContain(bearer)
  })

  it.each([400, 401, 500, 503])(
    'echoes the Basic credential and the decoded client secret on a %i from the token endpoint',
    async status => {
      const { e } = await start()
      e.addFault({ path: '/oauth/token', kind: 'status', status, echoSecrets: true })
      const res = await token(e)
      expect(res.status).toBe(status)
      const body = (await res.json()) as { error: string; description: string; error_description: string }
      expect(body.error).not.toBe('invalid_request')
      expect(body.description).toContain(BASIC)
      expect(body.error_description).toContain('client credential emulator-client:emulator-secret')
    }
  )

  it('answers a redirect fault with its status and Location, serving nothing', async () => {
    const { e, bearer } = await start()
    const other = await trap()
    e.addFault({ method: 'PUT', path: TICKET, kind: 'redirect', status: 307, location: `${other.url}/steal` })
    const before = e.getSchema(SAMPLE_IDS.ticket)!
    const res = await put(e, bearer, { ...before, description: 'moved?' })
    expect(res.status).toBe(307)
    expect(res.headers.get('location')).toBe(`${other.url}/steal`)
    expect(e.getSchema(SAMPLE_IDS.ticket)!.schemaVersion).toBe(before.schemaVersion)
    expect(other.hits()).toBe(0)
  })

  it('redirects the token endpoint with 302 by default', async () => {
    const { e } = await start()
    e.addFault({ path: '/oauth/token', kind: 'redirect', location: 'http://127.0.0.1:9/oauth/token' })
    const res = await token(e)
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('http://127.0.0.1:9/oauth/token')
  })

  it('adds headers to a status fault', async () => {
    const { e, bearer } = await start()
    e.addFault({
      path: TICKET,
      kind: 'status',
      status: 429,
      retryAfter: 3600,
      headers: { 'inin-ratelimit-reset': '3600' }
    })
    const res = await get(e, bearer, TICKET)
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('3600')
    expect(res.headers.get('inin-ratelimit-reset')).toBe('3600')
  })

  it('lets a request through with a headers fault and adds its headers to the 200', async () => {
    const { e, bearer } = await start()
    e.addFault({
      path: TICKET,
      kind: 'headers',
      headers: { 'inin-ratelimit-count': '300', 'inin-ratelimit-reset': '3600' }
    })
    const res = await get(e, bearer, TICKET)
    expect(res.status).toBe(200)
    expect(((await res.json()) as SchemaDocument).id).toBe(SAMPLE_IDS.ticket)
    expect(res.headers.get('inin-ratelimit-allowed')).toBe('300')
    expect(res.headers.get('inin-ratelimit-count')).toBe('300')
    expect(res.headers.get('inin-ratelimit-reset')).toBe('3600')
    const next = await get(e, bearer, TICKET)
    expect(next.headers.get('inin-ratelimit-reset')).not.toBe('3600')
  })

  it('commits a PUT but answers without the named index', async () => {
    const { e, bearer } = await start()
    const doc = e.getSchema(SAMPLE_IDS.ticket)!
    doc.indexes.push({ name: 'idx_assignee', fields: ['assignee'] })
    e.addFault({ path: TICKET, kind: 'put-omit-index', index: 'idx_status' })
    const res = await put(e, bearer, doc)
    expect(res.status).toBe(200)
    const answer = (await res.json()) as SchemaDocument
    expect(answer.indexes.map(i => i.name)).toEqual(['idx_created', 'idx_assignee'])
    expect(e.getSchema(SAMPLE_IDS.ticket)!.indexes.map(i => i.name)).toEqual([
      'idx_created',
      'idx_status',
      'idx_assignee'
    ])
    expect(answer.schemaVersion).toBe(2)
  })

  it('commits a PUT but answers without any of the indexes it added', async () => {
    const { e, bearer } = await start()
    const doc = e.getSchema(SAMPLE_IDS.ticket)!
    doc.indexes.push(
      { name: 'idx_assignee', fields: ['assignee'] },
      { name: 'idx_amount', fields: ['amount'] }
    )
    await admin(e, 'POST', 'faults', { path: `${SCHEMAS}/*`, kind: 'put-omit-index' })
    const answer = (await (await put(e, bearer, doc)).json()) as SchemaDocument
    expect(answer.indexes.map(i => i.name)).toEqual(['idx_created', 'idx_status'])
    expect(e.getSchema(SAMPLE_IDS.ticket)!.indexes).toHaveLength(4)
  })

  it('answers a PUT 200 with the old document without committing it', async () => {
    const { e, bearer } = await start()
    const before = e.getSchema(SAMPLE_IDS.ticket)!
    e.addFault({ path: TICKET, kind: 'put-no-commit' })
    const res = await put(e, bearer, {
      ...before,
      indexes: [...before.indexes, { name: 'idx_assignee', fields: ['assignee'] }]
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(before)
    expect(e.getSchema(SAMPLE_IDS.ticket)).toEqual(before)
  })

  it('keeps a PUT-answer fault for PUT requests only', async () => {
    const { e, bearer } = await start()
    e.addFault({ path: TICKET, kind: 'put-no-commit' })
    expect((await get(e, bearer, TICKET)).status).toBe(200)
    expect(e.getSchema(SAMPLE_IDS.ticket)!.schemaVersion).toBe(1)
    expect(
      (await admin(e, 'POST', 'faults', { path: TICKET, kind: 'put-omit-index', method: 'GET' })).status
    ).toBe(400)
  })

  it('fails only the GETs after the PUT with an `after` fault (the rebuild polls)', async () => {
    const { e, bearer } = await start()
    e.addFault({ method: 'GET', path: `${SCHEMAS}/*`, kind: 'status', status: 500, count: 2, after: 'PUT' })
    expect((await get(e, bearer, TICKET)).status).toBe(200)
    expect((await get(e, bearer, TICKET)).status).toBe(200)
    const doc = e.getSchema(SAMPLE_IDS.ticket)!
    expect((await put(e, bearer, { ...doc, description: 'x' })).status).toBe(200)
    expect((await get(e, bearer, TICKET)).status).toBe(500)
    expect((await get(e, bearer, TICKET)).status).toBe(500)
    expect((await get(e, bearer, TICKET)).status).toBe(200)
  })

  it('lists a dormant fault as dormant over HTTP', async () => {
    const { e } = await start()
    await admin(e, 'POST', 'faults', {
      method: 'GET',
      path: TICKET,
      kind: 'status',
      status: 500,
      after: 'PUT'
    })
    const listed = (await (await admin(e, 'GET', 'faults')).json()) as { faults: { dormant: boolean }[] }
    expect(listed.faults).toEqual([expect.objectContaining({ dormant: true, remaining: 1, after: 'PUT' })])
  })

  it.each([
    [{ path: TICKET, kind: 'redirect' }, /location/],
    [{ path: TICKET, kind: 'redirect', status: 200, location: '/x' }, /301, 302/],
    [{ path: TICKET, kind: 'headers' }, /headers/],
    [{ path: TICKET, kind: 'headers', headers: { 'x-a': 'b\r\nx-b: c' } }, /line breaks/],
    [{ path: TICKET, kind: 'status', status: 500, echoSecrets: 'yes' }, /echoSecrets/]
  ])('refuses a malformed fault %j', async (spec, reason) => {
    const { e } = await start()
    const res = await admin(e, 'POST', 'faults', spec)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { message: string }).message).toMatch(reason)
  })
})

describe('warehouse stand-in faults', () => {
  it('redirects the next delivery to another host and stores nothing', async () => {
    const other = await trap()
    const wh = await warehouse('wh-secret-123')
    wh.redirectNext(1, `${other.url}/collect`)
    const res = await fetch(wh.url, { method: 'POST', body: '{}', redirect: 'manual' })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(`${other.url}/collect`)
    expect(wh.deliveries()).toHaveLength(0)
    expect(other.hits()).toBe(0)
    expect((await fetch(wh.url, { method: 'POST', body: '{}', redirect: 'manual' })).status).toBe(401)
  })

  it('redirects over its control route with the status asked for', async () => {
    const wh = await warehouse()
    await fetch(`${wh.url}/__warehouse/redirect`, {
      method: 'POST',
      body: JSON.stringify({ count: 1, location: 'http://127.0.0.1:9/', status: 308 })
    })
    expect((await fetch(wh.url, { method: 'POST', body: '{}', redirect: 'manual' })).status).toBe(308)
  })

  it('echoes its shared secret in the error body when asked to', async () => {
    const wh = await warehouse('wh-secret-123')
    wh.failNext(1, 500, { echoSecret: true })
    const res = await fetch(wh.url, {
      method: 'POST',
      body: '{}',
      headers: { 'x-signature-256': 'sha256=abc' }
    })
    expect(res.status).toBe(500)
    const text = await res.text()
    expect(text).toContain('wh-secret-123')
    expect(text).toContain('sha256=abc')
  })

  it('echoes its shared secret over its control route', async () => {
    const wh = await warehouse('wh-secret-123')
    await fetch(`${wh.url}/__warehouse/fail`, {
      method: 'POST',
      body: JSON.stringify({ count: 1, status: 400, echoSecret: true })
    })
    const res = await fetch(wh.url, { method: 'POST', body: '{}' })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('wh-secret-123')
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
