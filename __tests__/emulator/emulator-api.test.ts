// Conformance of the emulator to the platform API (docs/rules.md#the-platform-api) over real sockets: OAuth,
// errors, rate limits, schemas, validation on PUT, versions and rebuilds.
import { describe, expect, it } from 'vitest'
import { SAMPLE_IDS, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js'
import type { SchemaDocument } from '../../src/model.js'
import { useServers } from '../helpers/servers.js'

const SCHEMAS = '/api/v2/data-gateway/customobjects/schemas'
const small: EmulatorOptions = { ticketCount: 2000, accountCount: 200, rebuildRecordsPerSecond: 1_000_000 }
const servers = useServers()

function start(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  return servers.emulator({ ...small, ...opts })
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
}

async function tokenFor(
  e: RunningEmulator,
  id = 'emulator-client',
  secret = 'emulator-secret'
): Promise<string> {
  const res = await fetch(`${e.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials'
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { access_token: string }).access_token
}

interface Answer {
  status: number
  headers: Headers
  body: Record<string, unknown>
}

async function call(
  e: RunningEmulator,
  bearer: string | undefined,
  method: string,
  path: string,
  body?: unknown
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`
  const init: RequestInit = { method, headers }
  if (body !== undefined) init.body = JSON.stringify(body)
  const res = await fetch(`${e.url}${path}`, init)
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> }
}

async function getDoc(
  e: RunningEmulator,
  bearer: string,
  id: string = SAMPLE_IDS.ticket
): Promise<SchemaDocument> {
  const r = await call(e, bearer, 'GET', `${SCHEMAS}/${id}`)
  expect(r.status).toBe(200)
  return r.body as SchemaDocument
}

describe('OAuth client credentials', () => {
  it('issues a bearer token for a configured client over Basic auth', async () => {
    const e = await start()
    const res = await fetch(`${e.url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: basic('emulator-client', 'emulator-secret'),
        'content-type': 'application/x-www-form-urlencoded'
      },
      body: 'grant_type=client_credentials'
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown>
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 86399 })
    expect(typeof body.access_token).toBe('string')
  })

  it('accepts the client id and secret in the form body', async () => {
    const e = await start()
    const res = await fetch(`${e.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=emulator-client&client_secret=emulator-secret'
    })
    expect(res.status).toBe(200)
  })

  it('answers 401 invalid_client for a wrong secret', async () => {
    const e = await start()
    const res = await fetch(`${e.url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: basic('emulator-client', 'wrong'),
        'content-type': 'application/x-www-form-urlencoded'
      },
      body: 'grant_type=client_credentials'
    })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({
      error: 'invalid_client',
      description: 'authentication failed',
      error_description: 'authentication failed'
    })
    expect(res.headers.get('inin-correlation-id')).toBeTruthy()
  })

  it('throttles the token endpoint with 400 invalid_request once its own budget is spent', async () => {
    const e = await start({ tokenRateLimitPerMinute: 2 })
    await tokenFor(e)
    await tokenFor(e)
    const res = await fetch(`${e.url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: basic('emulator-client', 'emulator-secret'),
        'content-type': 'application/x-www-form-urlencoded'
      },
      body: 'grant_type=client_credentials'
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: string; description: string }
    expect(body.error).toBe('invalid_request')
    expect(body.description).toMatch(/^rate limit exceeded; /)
  })

  it('answers 401 authentication.required for a token past its TTL', async () => {
    const e = await start({ tokenTtlSeconds: 0 })
    const bearer = await tokenFor(e)
    const r = await call(e, bearer, 'GET', `${SCHEMAS}/${SAMPLE_IDS.ticket}`)
    expect(r.status).toBe(401)
    expect(r.body.code).toBe('authentication.required')
  })

  it('answers 401 authentication.required without a token', async () => {
    const e = await start()
    const r = await call(e, undefined, 'GET', SCHEMAS)
    expect(r.status).toBe(401)
    expect(r.body.code).toBe('authentication.required')
  })

  it('expires every issued token on expireTokens while a new token works', async () => {
    const e = await start()
    const old = await tokenFor(e)
    e.expireTokens()
    expect((await call(e, old, 'GET', SCHEMAS)).status).toBe(401)
    expect((await call(e, await tokenFor(e), 'GET', SCHEMAS)).status).toBe(200)
  })

  it('answers 403 missing.permissions naming the scope a call lacks', async () => {
    const e = await start({
      clients: [{ id: 'reader', secret: 's', scopes: ['customobjects:customobject:read'] }]
    })
    const bearer = await tokenFor(e, 'reader', 's')
    const doc = await getDoc(e, bearer)
    const r = await call(e, bearer, 'PUT', `${SCHEMAS}/${SAMPLE_IDS.ticket}`, doc)
    expect(r.status).toBe(403)
    expect(r.body.code).toBe('missing.permissions')
    expect(r.body.message).toContain('customobjects:customobject:write')
  })
})

describe('errors and rate limits', () => {
  it('puts the correlation id of the response in the ErrorBody contextId', async () => {
    const e = await start()
    const r = await call(e, await tokenFor(e), 'GET', `${SCHEMAS}/no-such-object`)
    expect(r.status).toBe(404)
    expect(r.body).toMatchObject({ code: 'not.found', status: 404 })
    expect(r.body.contextId).toBe(r.headers.get('inin-correlation-id'))
    expect(e.requests().at(-1)!.correlationId).toBe(r.body.contextId)
  })

  it('sends the rate-limit headers on every API response', async () => {
    const e = await start({ rateLimitPerMinute: 10 })
    const bearer = await tokenFor(e)
    await call(e, bearer, 'GET', SCHEMAS)
    const r = await call(e, bearer, 'GET', '/api/v2/data-gateway/customobjects/limits')
    expect(r.headers.get('inin-ratelimit-allowed')).toBe('10')
    expect(r.headers.get('inin-ratelimit-count')).toBe('2')
    expect(Number(r.headers.get('inin-ratelimit-reset'))).toBeGreaterThan(0)
  })

  it('answers 429 too.many.requests with Retry-After once a token is over its budget', async () => {
    const e = await start({ rateLimitPerMinute: 3 })
    const bearer = await tokenFor(e)
    const statuses: number[] = []
    let last: Answer | undefined
    for (let i = 0; i < 4; i++) {
      last = await call(e, bearer, 'GET', SCHEMAS)
      statuses.push(last.status)
    }
    expect(statuses).toEqual([200, 200, 200, 429])
    expect(last!.body.code).toBe('too.many.requests')
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
  })

  it('keeps a separate budget for each token', async () => {
    const e = await start({ rateLimitPerMinute: 1 })
    expect((await call(e, await tokenFor(e), 'GET', SCHEMAS)).status).toBe(200)
    expect((await call(e, await tokenFor(e), 'GET', SCHEMAS)).status).toBe(200)
  })
})

describe('schemas', () => {
  it('lists the sample objects with their ids and versions', async () => {
    const e = await start()
    const r = await call(e, await tokenFor(e), 'GET', SCHEMAS)
    expect(r.body.total).toBe(2)
    expect(r.body.entities).toEqual(
      expect.arrayContaining([
        {
          id: SAMPLE_IDS.ticket,
          name: 'Ticket',
          schemaVersion: 1,
          selfUri: `${SCHEMAS}/${SAMPLE_IDS.ticket}`
        },
        {
          id: SAMPLE_IDS.account,
          name: 'Account',
          schemaVersion: 1,
          selfUri: `${SCHEMAS}/${SAMPLE_IDS.account}`
        }
      ])
    )
  })

  it('returns the schema document with read-only keys, fields, indexes and unknown keys', async () => {
    const e = await start()
    const doc = await getDoc(e, await tokenFor(e))
    expect(doc).toMatchObject({
      id: SAMPLE_IDS.ticket,
      name: 'Ticket',
      schemaVersion: 1,
      selfUri: `${SCHEMAS}/${SAMPLE_IDS.ticket}`
    })
    expect(Date.parse(doc.lastUpdated!)).not.toBeNaN()
    expect(doc.indexes).toEqual([
      { name: 'idx_created', fields: ['createdAt'], status: 'active', 'x-origin': 'console' },
      { name: 'idx_status', fields: ['status'], status: 'active', 'x-origin': 'console' }
    ])
    expect(doc.fields.find(f => f.name === 'account')).toMatchObject({
      type: 'reference',
      referenceTo: SAMPLE_IDS.account
    })
    expect(doc.retention).toEqual({ days: 365 })
    expect(doc.fields[0]!['x-pii']).toBe(false)
    expect(doc.customFields).toBeDefined()
  })

  it('serves the default limits', async () => {
    const e = await start()
    const r = await call(e, await tokenFor(e), 'GET', '/api/v2/data-gateway/customobjects/limits')
    expect(r.body).toEqual({
      maxIndexesPerObject: 5,
      maxFieldsPerIndex: 4,
      maxJoinDepth: 2,
      maxIndexableStringLength: 1000
    })
  })

  it('keeps unknown keys on the document, fields and indexes through a PUT', async () => {
    const e = await start()
    const bearer = await tokenFor(e)
    const doc = await getDoc(e, bearer)
    doc.indexes.push({ name: 'idx_assignee', fields: ['assignee'], 'x-origin': 'gitops' })
    doc.fields[0]!['x-new'] = { nested: [1, 2] }
    doc.brandNew = 'kept'
    const r = await call(e, bearer, 'PUT', `${SCHEMAS}/${SAMPLE_IDS.ticket}`, doc)
    expect(r.status).toBe(200)
    const after = await getDoc(e, bearer)
    expect(after.retention).toEqual({ days: 365 })
    expect(after.brandNew).toBe('kept')
    expect(after.fields[0]!['x-new']).toEqual({ nested: [1, 2] })
    expect(after.indexes.find(i => i.name === 'idx_assignee')!['x-origin']).toBe('gitops')
    expect(after.indexes.find(i => i.name === 'idx_status')!['x-origin']).toBe('console')
    expect(after.customFields).toEqual(doc.customFields)
  })

  it('answers 409 conflict to a PUT based on a stale version', async () => {
    const e = await start()
    const bearer = await tokenFor(e)
    const doc = await getDoc(e, bearer)
    e.putSchemaDirect({ ...doc, description: 'changed by someone else' })
    const r = await call(e, bearer, 'PUT', `${SCHEMAS}/${SAMPLE_IDS.ticket}`, { ...doc, description: 'mine' })
    expect(r.status).toBe(409)
    expect(r.body.code).toBe('conflict')
    expect(e.getSchema(SAMPLE_IDS.ticket)!.description).toBe('changed by someone else')
  })

  it('answers 400 when a PUT carries no schemaVersion', async () => {
    const e = await start()
    const bearer = await tokenFor(e)
    const { schemaVersion: _, ...doc } = await getDoc(e, bearer)
    const r = await call(e, bearer, 'PUT', `${SCHEMAS}/${SAMPLE_IDS.ticket}`, doc)
    expect(r.status).toBe(400)
    expect(r.body.details).toEqual([expect.objectContaining({ fieldName: 'schemaVersion' })])
  })

  it('keeps the version on a PUT that changes nothing', async () => {
    const e = await start()
    const bearer = await tokenFor(e)
    const doc = await getDoc(e, bearer)
    const r = await call(e, bearer, 'PUT', `${SCHEMAS}/${SAMPLE_IDS.ticket}`, doc)
    expect(r.status).toBe(200)
    expect(r.body.schemaVersion).toBe(1)
    expect(r.body.lastUpdated).toBe(doc.lastUpdated)
  })

  it('ignores read-only keys in the body when deciding whether anything changed', async () => {
    const e = await start()
    const bearer = await tokenFor(e)
    const doc = await getDoc(e, bearer)
    doc.lastUpdated = '2000-01-01T00:00:00.000Z'
    doc.selfUri = '/elsewhere'
    doc.indexes[0]!.status = 'failed'
    doc.indexes[0]!.statusReason = 'made up'
    const r = await call(e, bearer, 'PUT', `${SCHEMAS}/${SAMPLE_IDS.ticket}`, doc)
    expect(r.body.schemaVersion).toBe(1)
    expect(e.getSchema(SAMPLE_IDS.ticket)!.indexes[0]).toMatchObject({ status: 'active' })
    expect(e.getSchema(SAMPLE_IDS.ticket)!.indexes[0]!.statusReason).toBeUndefined()
  })

  it('bumps the version, builds new indexes, keeps unchanged ones active and drops left-out ones', async () => {
    const e = await start({ rebuildMinMs: 60_000 })
    const bearer = await tokenFor(e)
    const doc = await getDoc(e, bearer)
    doc.indexes = [doc.indexes[1]!, { name: 'idx_assignee', fields: ['assignee'] }]
    const r = await call(e, bearer, 'PUT', `${SCHEMAS}/${SAMPLE_IDS.ticket}`, doc)
    expect(r.body.schemaVersion).toBe(2)
    expect((r.body as unknown as SchemaDocument).indexes.map(i => [i.name, i.status])).toEqual([
      ['idx_status', 'active'],
      ['idx_assignee', 'building']
    ])
  })

  it('rebuilds an index whose fields, order or unique changed', async () => {
    const e = await start({ rebuildMinMs: 60_000 })
    const bearer = await tokenFor(e)
    const doc = await getDoc(e, bearer)
    doc.indexes[0]!.order = ['desc']
    doc.indexes[1]!.order = ['asc']
    const r = await call(e, bearer, 'PUT', `${SCHEMAS}/${SAMPLE_IDS.ticket}`, doc)
    // idx_created turns descending (a change); idx_status states the default order (no change).
    expect((r.body as unknown as SchemaDocument).indexes.map(i => i.status)).toEqual(['building', 'active'])
  })

  it('turns a building index active when its rebuild ends', async () => {
    const e = await start({ rebuildRecordsPerSecond: 20_000 })
    const bearer = await tokenFor(e)
    const doc = await getDoc(e, bearer)
    doc.indexes.push({ name: 'idx_assignee', fields: ['assignee'] })
    await call(e, bearer, 'PUT', `${SCHEMAS}/${SAMPLE_IDS.ticket}`, doc)
    expect(e.getSchema(SAMPLE_IDS.ticket)!.indexes[2]!.status).toBe('building')
    await expect
      .poll(() => e.getSchema(SAMPLE_IDS.ticket)!.indexes[2]!.status, { timeout: 20_000, interval: 20 })
      .toBe('active')
  })

  it('fails a unique index over duplicate values with a statusReason', async () => {
    const e = await start()
    const bearer = await tokenFor(e)
    const doc = await getDoc(e, bearer)
    doc.indexes.push({ name: 'idx_status_unique', fields: ['status'], unique: true })
    await call(e, bearer, 'PUT', `${SCHEMAS}/${SAMPLE_IDS.ticket}`, doc)
    await expect
      .poll(() => e.getSchema(SAMPLE_IDS.ticket)!.indexes[2]!.status, { timeout: 20_000, interval: 20 })
      .toBe('failed')
    expect(e.getSchema(SAMPLE_IDS.ticket)!.indexes[2]!.statusReason).toMatch(
      /unique index 'idx_status_unique' cannot be built/
    )
  })

  it('builds a unique index over distinct values', async () => {
    const e = await start()
    const bearer = await tokenFor(e)
    const doc = await getDoc(e, bearer)
    doc.indexes.push({ name: 'idx_external_ref', fields: ['externalRef'], unique: true })
    await call(e, bearer, 'PUT', `${SCHEMAS}/${SAMPLE_IDS.ticket}`, doc)
    await expect
      .poll(() => e.getSchema(SAMPLE_IDS.ticket)!.indexes[2]!.status, { timeout: 20_000, interval: 20 })
      .toBe('active')
  })
})

describe('validation on PUT', () => {
  const cases: [string, (doc: SchemaDocument) => void, string, string][] = [
    [
      'an unknown field',
      d => d.indexes.push({ name: 'idx_x', fields: ['nope'] }),
      'indexes[2].fields[0]',
      'unknown.field'
    ],
    [
      'a longtext field',
      d => d.indexes.push({ name: 'idx_x', fields: ['description'] }),
      'indexes[2].fields[0]',
      'not.indexable.type'
    ],
    [
      'a free-text string',
      d => d.indexes.push({ name: 'idx_x', fields: ['status', 'notes'] }),
      'indexes[2].fields[1]',
      'free.text.field'
    ],
    [
      'a reference without target',
      d => d.indexes.push({ name: 'idx_x', fields: ['legacyLink'] }),
      'indexes[2].fields[0]',
      'reference.without.target'
    ],
    [
      'a join path through a non-reference',
      d => d.indexes.push({ name: 'idx_x', fields: ['status.tier'] }),
      'indexes[2].fields[0]',
      'join.path.invalid'
    ],
    [
      'a join path to a missing field',
      d => d.indexes.push({ name: 'idx_x', fields: ['account.nope'] }),
      'indexes[2].fields[0]',
      'join.path.invalid'
    ],
    [
      'a join path too deep',
      d => d.indexes.push({ name: 'idx_x', fields: ['account.parent.parent.name'] }),
      'indexes[2].fields[0]',
      'join.path.too.deep'
    ],
    [
      'too many fields',
      d =>
        d.indexes.push({ name: 'idx_x', fields: ['status', 'priority', 'amount', 'assignee', 'createdAt'] }),
      'indexes[2].fields',
      'too.many.fields'
    ],
    [
      'an order of the wrong length',
      d => d.indexes.push({ name: 'idx_x', fields: ['status', 'priority'], order: ['asc'] }),
      'indexes[2].order',
      'order.length.mismatch'
    ],
    [
      'a duplicate index name',
      d => d.indexes.push({ name: 'idx_status', fields: ['priority'] }),
      'indexes[2].name',
      'duplicate.index.name'
    ],
    [
      'an invalid index name',
      d => d.indexes.push({ name: '9bad', fields: ['priority'] }),
      'indexes[2].name',
      'invalid.index.name'
    ],
    [
      'too many indexes',
      d => {
        for (let i = 0; i < 4; i++)
          d.indexes.push({ name: `idx_${i}`, fields: ['priority', 'amount'].slice(0, 1 + (i % 2)) })
      },
      'indexes',
      'too.many.indexes'
    ]
  ]
  it.each(cases)(
    'answers 400 bad.request naming the place of %s',
    async (_name, change, fieldName, errorCode) => {
      const e = await start()
      const bearer = await tokenFor(e)
      const doc = await getDoc(e, bearer)
      change(doc)
      const r = await call(e, bearer, 'PUT', `${SCHEMAS}/${SAMPLE_IDS.ticket}`, doc)
      expect(r.status).toBe(400)
      expect(r.body.code).toBe('bad.request')
      expect(r.body.details).toContainEqual(expect.objectContaining({ fieldName, errorCode }))
      expect(e.getSchema(SAMPLE_IDS.ticket)!.schemaVersion).toBe(1)
    }
  )

  it('accepts a valid join path index through the account reference', async () => {
    const e = await start()
    const bearer = await tokenFor(e)
    const doc = await getDoc(e, bearer)
    doc.indexes.push({ name: 'idx_account_tier', fields: ['account.tier'] })
    const r = await call(e, bearer, 'PUT', `${SCHEMAS}/${SAMPLE_IDS.ticket}`, doc)
    expect(r.status).toBe(200)
  })

  it('answers 404 not.found to a PUT on an unknown object', async () => {
    const e = await start()
    const bearer = await tokenFor(e)
    const doc = await getDoc(e, bearer)
    const r = await call(e, bearer, 'PUT', `${SCHEMAS}/00000000-0000-4000-a000-000000000000`, doc)
    expect(r.status).toBe(404)
    expect(r.body.code).toBe('not.found')
  })
})
