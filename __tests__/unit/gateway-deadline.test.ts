import { describe, expect, it } from 'vitest'
import type { AuthorizedClient } from '../../src/platform/auth.js'
import { PUT_DEADLINE_MS, createGatewayClient } from '../../src/platform/gateway.js'
import type { HttpRequest } from '../../src/platform/http.js'

const DOC = {
  id: 'obj',
  name: 'Obj',
  schemaVersion: 2,
  fields: [{ name: 'status', type: 'string' }],
  indexes: [{ name: 'idx_status', fields: ['status'], status: 'active' }]
}

/** An API caller that records each request and answers with the document. */
function recording(): { api: AuthorizedClient; seen: HttpRequest[] } {
  const seen: HttpRequest[] = []
  return {
    seen,
    api: {
      request: req => {
        seen.push(req)
        return Promise.resolve({ status: 200, headers: {}, text: JSON.stringify(DOC) })
      }
    }
  }
}

describe('gateway deadlines', () => {
  it('passes one shared deadline to every PUT attempt and the GETs between them', async () => {
    const { api, seen } = recording()
    const gateway = createGatewayClient({ api, apiBase: 'http://127.0.0.1:1' })
    const deadlineAt = Date.now() + PUT_DEADLINE_MS
    await gateway.putSchema('obj', DOC, { retryConnectionErrors: false, deadlineAt })
    await gateway.getSchema('obj', { deadlineAt })
    await gateway.putSchema('obj', DOC, { deadlineAt })
    expect(seen.map(r => [r.method, r.deadlineAt, r.retryConnectionErrors])).toEqual([
      ['PUT', deadlineAt, false],
      ['GET', deadlineAt, undefined],
      ['PUT', deadlineAt, true]
    ])
  })

  it('passes a relative deadline, and none when none is given', async () => {
    const { api, seen } = recording()
    const gateway = createGatewayClient({ api, apiBase: 'http://127.0.0.1:1' })
    await gateway.getSchema('obj', { deadlineMs: 1500 })
    await gateway.getSchema('obj')
    expect(seen.map(r => [r.deadlineMs, 'deadlineAt' in r])).toEqual([
      [1500, false],
      [undefined, false]
    ])
  })

  it('redacts a server document that does not parse in the error it raises', async () => {
    const secret = 'tok-abcdef-123456'
    const api: AuthorizedClient = {
      request: () => Promise.resolve({ status: 200, headers: {}, text: JSON.stringify({ id: secret }) })
    }
    const gateway = createGatewayClient({
      api,
      apiBase: 'http://127.0.0.1:1',
      redact: t => t.replaceAll(secret, '***')
    })
    const error = await gateway.getSchema('obj').catch((e: unknown) => e as Error)
    expect(error.message).toContain('of object ***')
    expect(error.message).not.toContain(secret)
  })
})
