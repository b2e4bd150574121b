// Secrets never leave (docs/rules.md#secrets-never-leave), against servers that echo every credential they
// were sent in their error bodies: the token endpoint (400, 401, 500, 503), the API (4xx and 5xx, retried
// ones included) and the warehouse (4xx and 5xx). No client secret, Basic credential (encoded or decoded),
// bearer token or warehouse secret appears in the thrown error's message or in any of its fields, nor in a
// delivery's reason.
import { describe, expect, it } from 'vitest'
import { createAuditSink, createWarehouseHttpClient } from '../../src/audit/deliver.js'
import type { AuditRecord } from '../../src/audit/record.js'
import { SAMPLE_IDS, type RunningEmulator } from '../../src/emulator/index.js'
import { createAuthorizedClient, createTokenSource } from '../../src/platform/auth.js'
import { createGatewayClient, type GatewayClient } from '../../src/platform/gateway.js'
import { createHttpClient } from '../../src/platform/http.js'
import { createRateLimiter } from '../../src/platform/ratelimit.js'
import { createRedactor } from '../../src/redact.js'
import { fakeClock } from '../helpers/clock.js'
import { useServers } from '../helpers/servers.js'

const CLIENT_ID = 'echo-client'
const CLIENT_SECRET = 'cs-Echo-9f8e7d6c5b4a'
const WH_SECRET = 'wh-Echo-1a2b3c4d5e6f'
const BASIC = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')
const SCHEMAS = '/api/v2/data-gateway/customobjects/schemas'
const TICKET = `${SCHEMAS}/${SAMPLE_IDS.ticket}`

const servers = useServers()

/**
 * The retry schedule of these tests, on a fake clock: no jitter, 100 ms between attempts, a 1 s deadline. A
 * retried status is sent exactly ATTEMPTS times, however fast the machine (the emulator's rate window is never
 * reached), and no test waits.
 */
const RETRY = { backoffBaseMs: 100, backoffCapMs: 100, deadlineMs: 1_000, random: () => 1 }
const ATTEMPTS = 10

interface Wired {
  gateway: GatewayClient
  /** Every secret handed to the masking hook: the Basic credential and each token obtained. */
  tokens: string[]
}

const accessTokens = (secrets: string[]): string[] => secrets.filter(s => s !== BASIC)

/** The platform client as main wires it: one redactor for the HTTP client, the token source and the gateway. */
function wire(url: string): Wired {
  const redactor = createRedactor([CLIENT_SECRET, WH_SECRET])
  const tokens: string[] = []
  const clock = fakeClock()
  const http = createHttpClient({
    limiter: createRateLimiter({ now: clock.now, sleep: clock.sleep }),
    redact: redactor.redact,
    ...RETRY,
    now: clock.now,
    sleep: clock.sleep
  })
  const source = createTokenSource({
    http,
    now: clock.now,
    loginBase: url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redactor,
    onSecret: s => tokens.push(s)
  })
  const gateway = createGatewayClient({
    api: createAuthorizedClient(http, source),
    apiBase: url,
    redact: redactor.redact
  })
  return { gateway, tokens }
}

function emulator(): Promise<RunningEmulator> {
  return servers.emulator({
    ticketCount: 200,
    accountCount: 20,
    rebuildRecordsPerSecond: 1_000_000,
    clients: [{ id: CLIENT_ID, secret: CLIENT_SECRET }]
  })
}

/** Everything an error carries: its message and each own field, as one text. */
function everything(error: unknown): string {
  expect(error).toBeInstanceOf(Error)
  return JSON.stringify({ message: (error as Error).message, fields: Object.entries(error as Error) })
}

function expectNoSecret(text: string, tokens: string[]): void {
  for (const secret of [CLIENT_SECRET, BASIC, WH_SECRET, ...tokens]) {
    expect(text).not.toContain(secret)
    expect(text).not.toContain(encodeURIComponent(secret))
  }
  expect(text).toContain('***')
}

describe('a server echoing every credential in its error body', () => {
  it.each([400, 401, 500, 503])('at the token endpoint (%i)', async status => {
    const e = await emulator()
    e.addFault({ path: '/oauth/token', kind: 'status', status, echoSecrets: true, count: 10_000 })
    const { gateway, tokens } = wire(e.url)
    const error = await gateway.getLimits().catch((err: unknown) => err)
    // 503 is retried until the deadline; the others are final.
    expect(e.requests().map(q => q.status)).toEqual(Array(status === 503 ? ATTEMPTS : 1).fill(status))
    expectNoSecret(everything(error), tokens)
  })

  it.each([
    ['GET', 400],
    ['GET', 403],
    ['GET', 404],
    ['GET', 500],
    ['GET', 503],
    ['PUT', 409],
    ['PUT', 502],
    ['POST', 429]
  ])('at the API (%s %i)', async (method, status) => {
    const e = await emulator()
    const { gateway, tokens } = wire(e.url)
    const doc = await gateway.getSchema(SAMPLE_IDS.ticket)
    e.addFault({ method, path: '/api/', kind: 'status', status, echoSecrets: true, count: 10_000 })
    const call =
      method === 'GET'
        ? gateway.getSchema(SAMPLE_IDS.ticket)
        : method === 'PUT'
          ? gateway.putSchema(SAMPLE_IDS.ticket, doc)
          : gateway.query({
              customObjectId: SAMPLE_IDS.ticket,
              query: { type: 'term', field: 'status', value: 'open' }
            })
    const error = await call.catch((err: unknown) => err)
    expect(accessTokens(tokens)).toHaveLength(1)
    // 429, 502 and 503 are retried until the deadline, every attempt answered with the echo; the others once.
    const retried = [429, 502, 503].includes(status)
    const after = e.requests().slice(e.requests().findIndex(q => q.status === status))
    expect(after.map(q => `${q.method} ${q.status}`)).toEqual(
      Array(retried ? ATTEMPTS : 1).fill(`${method} ${status}`)
    )
    expect(error).toMatchObject({ status, attempts: retried ? ATTEMPTS : 1 })
    expectNoSecret(everything(error), tokens)
  })

  it('at the API, while a token is refreshed and the call replayed', async () => {
    const e = await emulator()
    const { gateway, tokens } = wire(e.url)
    await gateway.getSchema(SAMPLE_IDS.ticket)
    e.expireTokens()
    // Woken by the GET answered 401, it answers the replay with the new token.
    e.addFault({ method: 'GET', path: TICKET, kind: 'status', status: 400, echoSecrets: true, after: 'GET' })
    const error = await gateway.getSchema(SAMPLE_IDS.ticket).catch((err: unknown) => err)
    expect(accessTokens(tokens)).toHaveLength(2)
    expectNoSecret(everything(error), tokens)
  })

  it.each([400, 401, 500])('at the warehouse (%i)', async status => {
    const wh = await servers.warehouse({ secret: WH_SECRET })
    wh.failNext(10_000, status, { echoSecret: true })
    const redactor = createRedactor([CLIENT_SECRET, WH_SECRET])
    const record = { customObjectId: 'obj-1', payloadHash: 'a'.repeat(64), schemaVersion: 2 } as AuditRecord
    const clock = fakeClock()
    const http = createWarehouseHttpClient({
      redact: redactor.redact,
      ...RETRY,
      now: clock.now,
      sleep: clock.sleep
    })
    const sink = createAuditSink({ url: wh.url, secret: WH_SECRET, redact: redactor.redact, http })
    const out = await sink(record)
    expect(out.delivered).toBe(false)
    expect(out.reason).toContain(`failed: ${status}`)
    // The warehouse retries every 5xx until the deadline; a 4xx is final.
    expect(wh.attempts()).toBe(status >= 500 ? ATTEMPTS : 1)
    expectNoSecret(JSON.stringify(out), [])
  })

  it('at the warehouse, redacting its own secret even without the run redactor', async () => {
    const wh = await servers.warehouse({ secret: WH_SECRET })
    wh.failNext(1, 400, { echoSecret: true })
    const record = { customObjectId: 'obj-1', payloadHash: 'a'.repeat(64), schemaVersion: 2 } as AuditRecord
    const out = await createAuditSink({ url: wh.url, secret: WH_SECRET })(record)
    expect(out.reason).not.toContain(WH_SECRET)
  })
})
