// The GitHub and warehouse stand-ins over real sockets: comment pages with a Link header, create and edit,
// read-only 403, token required; signed deliveries, dedupe by Idempotency-Key, failures and downtime.
import { createHmac } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { startGitHubStandIn, type GitHubStandIn } from '../src/emulator/github.js'
import { startWarehouse, type Warehouse } from '../src/emulator/warehouse.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map(c => c()))
})

async function github(opts: Parameters<typeof startGitHubStandIn>[0] = {}): Promise<GitHubStandIn> {
  const gh = await startGitHubStandIn(opts)
  closers.push(() => gh.close())
  return gh
}

async function warehouse(opts: Parameters<typeof startWarehouse>[0] = {}): Promise<Warehouse> {
  const wh = await startWarehouse(opts)
  closers.push(() => wh.close())
  return wh
}

const AUTH = { authorization: 'token ghs_test' }
const COMMENTS = '/repos/acme/indexes/issues/7/comments'

function seed(n: number): { issueNumber: number; body: string }[] {
  return Array.from({ length: n }, (_, i) => ({ issueNumber: 7, body: `comment ${i}` }))
}

describe('GitHub stand-in', () => {
  it('pages comments 30 at a time with rel="next" and rel="last" links', async () => {
    const gh = await github({ seedComments: seed(65) })
    const res = await fetch(`${gh.url}${COMMENTS}`, { headers: AUTH })
    expect(((await res.json()) as unknown[]).length).toBe(30)
    const link = res.headers.get('link')!
    expect(link).toContain(`<${gh.url}${COMMENTS}?per_page=30&page=2>; rel="next"`)
    expect(link).toContain(`<${gh.url}${COMMENTS}?per_page=30&page=3>; rel="last"`)
  })

  it('follows the next links to every comment exactly once', async () => {
    const gh = await github({ seedComments: seed(23) })
    let url: string | undefined = `${gh.url}${COMMENTS}?per_page=10`
    const bodies: string[] = []
    while (url !== undefined) {
      const res: Response = await fetch(url, { headers: AUTH })
      bodies.push(...((await res.json()) as { body: string }[]).map(c => c.body))
      url = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1]
    }
    expect(bodies).toEqual(seed(23).map(s => s.body))
  })

  it('caps per_page at 100', async () => {
    const gh = await github({ seedComments: seed(150) })
    const res = await fetch(`${gh.url}${COMMENTS}?per_page=500`, { headers: AUTH })
    expect(((await res.json()) as unknown[]).length).toBe(100)
  })

  it('creates a comment with 201 and the fields Octokit reads', async () => {
    const gh = await github()
    const res = await fetch(`${gh.url}${COMMENTS}`, {
      method: 'POST',
      headers: AUTH,
      body: JSON.stringify({ body: 'hello' })
    })
    expect(res.status).toBe(201)
    const c = (await res.json()) as Record<string, unknown>
    expect(c).toMatchObject({ body: 'hello', user: { login: 'github-actions[bot]' } })
    expect(c.html_url).toBe(`https://github.com/acme/indexes/pull/7#issuecomment-${c.id as number}`)
    expect(typeof c.node_id).toBe('string')
    expect(typeof c.created_at).toBe('string')
    expect(gh.comments(7).map(x => x.body)).toEqual(['hello'])
  })

  it('edits a comment in place with PATCH', async () => {
    const gh = await github({ seedComments: seed(1) })
    const id = gh.comments(7)[0]!.id
    const res = await fetch(`${gh.url}/repos/acme/indexes/issues/comments/${id}`, {
      method: 'PATCH',
      headers: AUTH,
      body: JSON.stringify({ body: 'edited' })
    })
    expect(res.status).toBe(200)
    expect(gh.comments(7).map(c => c.body)).toEqual(['edited'])
  })

  it('answers 403 to writes in read-only mode as a fork token gets', async () => {
    const gh = await github({ readOnly: true })
    const res = await fetch(`${gh.url}${COMMENTS}`, {
      method: 'POST',
      headers: AUTH,
      body: JSON.stringify({ body: 'x' })
    })
    expect(res.status).toBe(403)
    expect(((await res.json()) as { message: string }).message).toBe('Resource not accessible by integration')
    gh.setReadOnly(false)
    expect(
      (
        await fetch(`${gh.url}${COMMENTS}`, {
          method: 'POST',
          headers: AUTH,
          body: JSON.stringify({ body: 'x' })
        })
      ).status
    ).toBe(201)
  })

  it('answers 401 without a token', async () => {
    const gh = await github()
    expect((await fetch(`${gh.url}${COMMENTS}`)).status).toBe(401)
  })

  it('records each request with its status, body and authorization', async () => {
    const gh = await github()
    await fetch(`${gh.url}${COMMENTS}`, {
      method: 'POST',
      headers: AUTH,
      body: JSON.stringify({ body: 'x' })
    })
    expect(gh.requests()).toEqual([
      { method: 'POST', path: COMMENTS, status: 201, body: { body: 'x' }, authorization: 'token ghs_test' }
    ])
  })
})

function sign(secret: string, raw: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`
}

function deliver(wh: Warehouse, raw: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${wh.url}/audit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: raw
  })
}

describe('warehouse stand-in', () => {
  it('stores a delivery with its headers and a valid signature', async () => {
    const wh = await warehouse({ secret: 's3cret' })
    const raw = JSON.stringify({ eventId: 'e1' })
    const res = await deliver(wh, raw, { 'x-signature-256': sign('s3cret', raw), 'idempotency-key': 'k1' })
    expect(res.status).toBe(201)
    expect(wh.deliveries()).toEqual([
      expect.objectContaining({ body: { eventId: 'e1' }, raw, signatureValid: true, duplicate: false })
    ])
    expect(wh.deliveries()[0]!.headers['idempotency-key']).toBe('k1')
  })

  it('answers 401 to a bad signature', async () => {
    const wh = await warehouse({ secret: 's3cret' })
    const raw = JSON.stringify({ eventId: 'e1' })
    const res = await deliver(wh, raw, { 'x-signature-256': sign('other', raw) })
    expect(res.status).toBe(401)
    expect(wh.deliveries().map(d => d.signatureValid)).toEqual([false])
  })

  it('reports signatureValid null without a secret', async () => {
    const wh = await warehouse()
    await deliver(wh, '{}')
    expect(wh.deliveries()[0]!.signatureValid).toBeNull()
  })

  it('marks a repeated Idempotency-Key as a duplicate and answers 200', async () => {
    const wh = await warehouse()
    await deliver(wh, '{"n":1}', { 'idempotency-key': 'same' })
    const again = await deliver(wh, '{"n":1}', { 'idempotency-key': 'same' })
    expect(again.status).toBe(200)
    expect(wh.deliveries().map(d => d.duplicate)).toEqual([false, true])
  })

  it('fails the next N deliveries with the status asked for, counting every attempt', async () => {
    const wh = await warehouse()
    wh.failNext(2, 503)
    const statuses = [await deliver(wh, '{}'), await deliver(wh, '{}'), await deliver(wh, '{}')].map(
      r => r.status
    )
    expect(statuses).toEqual([503, 503, 201])
    expect(wh.attempts()).toBe(3)
    expect(wh.deliveries()).toHaveLength(1)
  })

  it('fails from the start when told so by its options', async () => {
    const wh = await warehouse({ failNext: { count: 1, status: 500 } })
    expect((await deliver(wh, '{}')).status).toBe(500)
  })

  it('resets connections while down', async () => {
    const wh = await warehouse()
    wh.setDown(true)
    await expect(deliver(wh, '{}')).rejects.toThrow()
    wh.setDown(false)
    expect((await deliver(wh, '{}')).status).toBe(201)
    expect(wh.attempts()).toBe(2)
  })

  it('takes failures and lists deliveries over its control routes', async () => {
    const wh = await warehouse()
    const fail = await fetch(`${wh.url}/__warehouse/fail`, {
      method: 'POST',
      body: JSON.stringify({ count: 1, status: 502 })
    })
    expect(fail.status).toBe(200)
    expect((await deliver(wh, '{"a":1}')).status).toBe(502)
    await deliver(wh, '{"a":2}')
    const listed = (await (await fetch(`${wh.url}/__warehouse/deliveries`)).json()) as {
      deliveries: { body: unknown }[]
    }
    expect(listed.deliveries.map(d => d.body)).toEqual([{ a: 2 }])
    expect(wh.attempts()).toBe(2)
  })
})
