// Credentials never follow a redirect (docs/rules.md#credentials-never-follow-a-redirect): the token
// endpoint, an API GET, an API PUT and a warehouse delivery each answered with a redirect to a server on
// another port; that server is never reached, and the error names the status and the Location (without its
// user-info).
import { describe, expect, it } from 'vitest'
import { createAuditSink } from '../../src/audit/deliver.js'
import type { AuditRecord } from '../../src/audit/record.js'
import { SAMPLE_IDS, type RunningEmulator } from '../../src/emulator/index.js'
import { AuthError } from '../../src/platform/auth.js'
import { PlatformError } from '../../src/platform/http.js'
import { connect } from '../helpers/platform.js'
import { useServers } from '../helpers/servers.js'

const SCHEMAS = '/api/v2/data-gateway/customobjects/schemas'
const TICKET = `${SCHEMAS}/${SAMPLE_IDS.ticket}`
const servers = useServers()

interface Trap {
  url: string
  port: number
  /** Each request that reached it, with the credentials it carried. */
  hits: { path: string; authorization?: string; signature?: string }[]
}

/** The other origin: a server on another port that records whatever reaches it. */
async function trap(): Promise<Trap> {
  const hits: Trap['hits'] = []
  const server = await servers.serve((req, res) => {
    hits.push({
      path: req.url ?? '',
      authorization: req.headers.authorization,
      signature: req.headers['x-signature-256'] as string | undefined
    })
    req.resume()
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"access_token":"stolen","expires_in":60}')
  })
  return { url: server.url, port: server.port, hits }
}

function emulator(): Promise<RunningEmulator> {
  return servers.emulator({ ticketCount: 200, accountCount: 20, rebuildRecordsPerSecond: 1_000_000 })
}

describe('redirects are never followed', () => {
  it.each([301, 302, 307, 308])(
    'from the token endpoint (%i): the Basic credential stays home',
    async status => {
      const e = await emulator()
      const other = await trap()
      e.addFault({
        path: '/oauth/token',
        kind: 'redirect',
        status,
        location: `http://user:pw-in-location@127.0.0.1:${other.port}/oauth/token`
      })
      const error = await connect(e.url)
        .gateway.getLimits()
        .catch((err: unknown) => err)
      expect(error).toBeInstanceOf(AuthError)
      expect((error as Error).message).toContain(
        `POST /oauth/token failed: ${status} redirect to http://127.0.0.1:${other.port}/oauth/token`
      )
      expect((error as Error).message).not.toContain('pw-in-location')
      expect(other.hits).toEqual([])
    }
  )

  it('from an API GET: the bearer token stays home', async () => {
    const e = await emulator()
    const other = await trap()
    e.addFault({
      method: 'GET',
      path: TICKET,
      kind: 'redirect',
      status: 302,
      location: `${other.url}${TICKET}`
    })
    const error = await connect(e.url)
      .gateway.getSchema(SAMPLE_IDS.ticket)
      .catch((err: unknown) => err)
    expect(error).toBeInstanceOf(PlatformError)
    expect(error).toMatchObject({ status: 302, location: `${other.url}${TICKET}` })
    expect((error as Error).message).toMatch(
      new RegExp(`^GET ${TICKET} failed: 302 redirect to ${other.url}${TICKET}: redirects are not followed`)
    )
    expect(other.hits).toEqual([])
    expect(e.requests().filter(r => r.path === TICKET)).toHaveLength(1)
  })

  it('from an API PUT: neither the token nor the document leaves, and nothing is retried', async () => {
    const e = await emulator()
    const other = await trap()
    const c = connect(e.url)
    const doc = await c.gateway.getSchema(SAMPLE_IDS.ticket)
    e.addFault({ method: 'PUT', path: TICKET, kind: 'redirect', status: 307, location: `${other.url}/put` })
    const error = await c.gateway.putSchema(SAMPLE_IDS.ticket, doc).catch((err: unknown) => err)
    expect(error).toMatchObject({ status: 307, location: `${other.url}/put` })
    expect(other.hits).toEqual([])
    expect(e.requests().filter(r => r.method === 'PUT')).toHaveLength(1)
  })

  it('from the warehouse: the signed record does not go to another host', async () => {
    const other = await trap()
    const wh = await servers.warehouse({ secret: 'wh-secret-value' })
    wh.redirectNext(1, `${other.url}/collect`)
    const record = { customObjectId: 'obj-1', payloadHash: 'a'.repeat(64), schemaVersion: 2 } as AuditRecord
    const out = await createAuditSink({ url: wh.url, secret: 'wh-secret-value' })(record)
    expect(out).toMatchObject({ delivered: false, status: 302 })
    expect(out.reason).toContain(`POST / failed: 302 redirect to ${other.url}/collect`)
    expect(other.hits).toEqual([])
    expect(wh.attempts()).toBe(1)
  })
})
