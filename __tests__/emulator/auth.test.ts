import { describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../../src/emulator/index.js'
import { SAMPLE_IDS } from '../../src/emulator/index.js'
import { AuthError } from '../../src/platform/auth.js'
import { PlatformError } from '../../src/platform/http.js'
import { connect } from '../helpers/platform.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers()

const small = { ticketCount: 2000, accountCount: 200, rebuildRecordsPerSecond: 1_000_000 }
const tokenCalls = (e: RunningEmulator): number =>
  e.requests().filter(r => r.path.startsWith('/oauth/token')).length

describe('OAuth client credentials', () => {
  it('fetches one token and reuses it for every call of the run', async () => {
    const emu = await servers.emulator(small)
    const { gateway, secrets } = connect(emu.url)
    await gateway.getLimits()
    await gateway.getSchema(SAMPLE_IDS.ticket)
    await gateway.listSchemas()
    expect(tokenCalls(emu)).toBe(1)
    expect(secrets.length).toBeGreaterThanOrEqual(1)
  })

  it('registers the token with the masking hook', async () => {
    const emu = await servers.emulator(small)
    const c = connect(emu.url)
    const token = await c.tokens.token()
    expect(c.secrets).toContain(token)
  })

  it('fetches a fresh token once and replays the call when the token expired mid-run', async () => {
    const emu = await servers.emulator(small)
    const { gateway, tokens } = connect(emu.url)
    await gateway.getSchema(SAMPLE_IDS.ticket)
    emu.expireTokens()
    const doc = await gateway.getSchema(SAMPLE_IDS.ticket)
    expect(doc.id).toBe(SAMPLE_IDS.ticket)
    expect(tokenCalls(emu)).toBe(2)
    expect(tokens.fetched()).toBe(2)
    const api = emu.requests().filter(r => r.path.includes('/schemas/'))
    expect(api.map(r => r.status)).toEqual([200, 401, 200])
  })

  it('retries the token endpoint when it answers 400 invalid_request (throttled)', async () => {
    const emu = await servers.emulator(small)
    emu.addFault({ path: '/oauth/token', kind: 'status', status: 400, count: 2 })
    const { gateway } = connect(emu.url, { http: { backoffBaseMs: 5 } })
    await gateway.getLimits()
    expect(
      emu
        .requests()
        .filter(r => r.path.startsWith('/oauth/token'))
        .map(r => r.status)
    ).toEqual([400, 400, 200])
  })

  it('names the client id and the login host on bad credentials, never the secret', async () => {
    const emu = await servers.emulator(small)
    const secret = 'wrong-secret-value-123'
    const { gateway } = connect(emu.url, { clientSecret: secret })
    const error = await gateway.getLimits().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthError)
    const message = (error as Error).message
    expect(message).toContain("OAuth client 'emulator-client'")
    expect(message).toContain(new URL(emu.url).host)
    expect(message).toContain('invalid_client')
    expect(message).not.toContain(secret)
    expect(message).not.toContain(Buffer.from(`emulator-client:${secret}`).toString('base64'))
    expect(tokenCalls(emu)).toBe(1)
  })

  it('names the missing scope when a client lacks the write scope', async () => {
    const emu = await servers.emulator({
      ...small,
      clients: [{ id: 'reader', secret: 'reader-secret', scopes: ['customobjects:customobject:read'] }]
    })
    const { gateway } = connect(emu.url, { clientId: 'reader', clientSecret: 'reader-secret' })
    const doc = await gateway.getSchema(SAMPLE_IDS.ticket)
    const error = await gateway.putSchema(SAMPLE_IDS.ticket, doc).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PlatformError)
    expect((error as PlatformError).status).toBe(403)
    expect((error as Error).message).toMatch(
      /^PUT \/api\/v2\/data-gateway\/customobjects\/schemas\/0b4f0ac2-8f0e-4e2a-9d3c-6d1b1f6e2a11 failed: 403 missing\.permissions: .*customobjects:customobject:write.*Grant the OAuth client the scope 'customobjects:customobject:write'.*\(correlation id [^)]+\)$/
    )
  })
})

describe('token endpoint failures', () => {
  it('never repeats the client secret a failing token endpoint echoes back, whatever the status', async () => {
    const server = await servers.serve((req, res) => {
      const echoed = req.headers.authorization ?? ''
      res.writeHead(400, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({ error: 'unsupported', description: `bad request for ${echoed} emulator-secret` })
      )
    })
    const { gateway } = connect(server.url)
    const error = await gateway.getLimits().then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(AuthError)
    const text = (error as Error).message
    expect(text).not.toContain('emulator-secret')
    expect(text).not.toContain(Buffer.from('emulator-client:emulator-secret').toString('base64'))
  })
})
