// The GitHub and warehouse stand-ins over real sockets: comment pages with a Link header, create, edit and
// delete, authors from token identities, GraphQL viewer, pull requests, issues, faults per route, read-only
// 403, token required; signed deliveries, dedupe by Idempotency-Key, failures and downtime.
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { startGitHubStandIn } from '../../src/emulator/github.js'
import type { Warehouse } from '../../src/emulator/warehouse.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers()

const AUTH = { authorization: 'token ghs_test' }
const COMMENTS = '/repos/acme/indexes/issues/7/comments'

function seed(n: number): { issueNumber: number; body: string }[] {
  return Array.from({ length: n }, (_, i) => ({ issueNumber: 7, body: `comment ${i}` }))
}

describe('GitHub stand-in', () => {
  it('pages comments 30 at a time with rel="next" and rel="last" links', async () => {
    const gh = await servers.github({ seedComments: seed(65) })
    const res = await fetch(`${gh.url}${COMMENTS}`, { headers: AUTH })
    expect(((await res.json()) as unknown[]).length).toBe(30)
    const link = res.headers.get('link')!
    expect(link).toContain(`<${gh.url}${COMMENTS}?per_page=30&page=2>; rel="next"`)
    expect(link).toContain(`<${gh.url}${COMMENTS}?per_page=30&page=3>; rel="last"`)
  })

  it('follows the next links to every comment exactly once', async () => {
    const gh = await servers.github({ seedComments: seed(23) })
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
    const gh = await servers.github({ seedComments: seed(150) })
    const res = await fetch(`${gh.url}${COMMENTS}?per_page=500`, { headers: AUTH })
    expect(((await res.json()) as unknown[]).length).toBe(100)
  })

  it('creates a comment with 201 and the fields Octokit reads', async () => {
    const gh = await servers.github()
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
    const gh = await servers.github({ seedComments: seed(1) })
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
    const gh = await servers.github({ readOnly: true })
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
    const gh = await servers.github()
    expect((await fetch(`${gh.url}${COMMENTS}`)).status).toBe(401)
  })

  it('records each request with its status, body and authorization', async () => {
    const gh = await servers.github()
    await fetch(`${gh.url}${COMMENTS}`, {
      method: 'POST',
      headers: AUTH,
      body: JSON.stringify({ body: 'x' })
    })
    expect(gh.requests()).toEqual([
      {
        method: 'POST',
        path: COMMENTS,
        status: 201,
        body: { body: 'x' },
        authorization: 'token ghs_test',
        login: 'github-actions[bot]'
      }
    ])
  })

  it('records the author of a comment from the token’s identity', async () => {
    const gh = await servers.github({ identities: { ghp_octo: 'octocat' } })
    for (const token of ['ghp_octo', 'ghs_anything']) {
      await fetch(`${gh.url}${COMMENTS}`, {
        method: 'POST',
        headers: { authorization: `token ${token}` },
        body: JSON.stringify({ body: token })
      })
    }
    expect(gh.comments(7).map(c => [c.body, c.user])).toEqual([
      ['ghp_octo', { login: 'octocat', type: 'User' }],
      ['ghs_anything', { login: 'github-actions[bot]', type: 'Bot' }]
    ])
  })

  it('answers GraphQL viewer { login } without the [bot] suffix, as GitHub does for the Actions token', async () => {
    const gh = await servers.github({ identities: { ghp_octo: 'octocat' } })
    const viewer = async (token: string): Promise<unknown> =>
      (
        await fetch(`${gh.url}/graphql`, {
          method: 'POST',
          headers: { authorization: `bearer ${token}` },
          body: JSON.stringify({ query: 'query { viewer { login } }' })
        })
      ).json()
    expect(await viewer('ghs_actions')).toEqual({ data: { viewer: { login: 'github-actions' } } })
    expect(await viewer('ghp_octo')).toEqual({ data: { viewer: { login: 'octocat' } } })
  })

  it('plants a comment by another user and deletes comments', async () => {
    const gh = await servers.github()
    const planted = gh.addComment({ issueNumber: 7, body: 'mine', login: 'mallory' })
    expect(planted.user).toEqual({ login: 'mallory', type: 'User' })
    const del = await fetch(`${gh.url}/repos/acme/indexes/issues/comments/${planted.id}`, {
      method: 'DELETE',
      headers: AUTH
    })
    expect(del.status).toBe(204)
    expect(gh.comments(7)).toEqual([])
    const again = await fetch(`${gh.url}/repos/acme/indexes/issues/comments/${planted.id}`, {
      method: 'DELETE',
      headers: AUTH
    })
    expect(again.status).toBe(404)
  })

  it('serves a pull request’s head, state and merge, and the PRs of a commit', async () => {
    const head = 'a'.repeat(40)
    const merge = 'b'.repeat(40)
    const gh = await servers.github({
      pullRequests: [
        { number: 3, headSha: head, merged: true, mergeCommitSha: merge },
        { number: 4, headSha: 'c'.repeat(40), commits: [merge] }
      ]
    })
    const pr = (await (
      await fetch(`${gh.url}/repos/acme/indexes/pulls/3`, { headers: AUTH })
    ).json()) as Record<string, unknown>
    expect(pr).toMatchObject({ number: 3, state: 'closed', merged: true, head: { sha: head } })
    expect(typeof pr.merged_at).toBe('string')
    const pulls = (await (
      await fetch(`${gh.url}/repos/acme/indexes/commits/${merge}/pulls`, { headers: AUTH })
    ).json()) as { number: number; merged_at: string | null }[]
    expect(pulls.map(p => [p.number, p.merged_at !== null])).toEqual([
      [3, true],
      [4, false]
    ])
    expect((await fetch(`${gh.url}/repos/acme/indexes/pulls/9`, { headers: AUTH })).status).toBe(404)
  })

  it('lists issues by state, newest first, with a pull_request key on pull requests', async () => {
    const gh = await servers.github({
      issues: [
        { number: 1, title: 'open one' },
        { number: 2, title: 'closed one', state: 'closed' }
      ],
      pullRequests: [{ number: 3, headSha: 'a'.repeat(40) }]
    })
    const list = async (q: string): Promise<{ number: number; pull_request?: unknown }[]> =>
      (await (await fetch(`${gh.url}/repos/acme/indexes/issues${q}`, { headers: AUTH })).json()) as {
        number: number
      }[]
    expect((await list('')).map(i => i.number)).toEqual([3, 1])
    expect((await list('?state=closed')).map(i => i.number)).toEqual([2])
    const all = await list('?state=all&direction=asc')
    expect(all.map(i => [i.number, i.pull_request !== undefined])).toEqual([
      [1, false],
      [2, false],
      [3, true]
    ])
  })

  it('creates, edits, closes and reopens issues', async () => {
    const gh = await servers.github()
    const created = await fetch(`${gh.url}/repos/acme/indexes/issues`, {
      method: 'POST',
      headers: AUTH,
      body: JSON.stringify({ title: 'Drift', body: 'text' })
    })
    expect(created.status).toBe(201)
    const n = ((await created.json()) as { number: number }).number
    const patch = (b: unknown): Promise<Response> =>
      fetch(`${gh.url}/repos/acme/indexes/issues/${n}`, {
        method: 'PATCH',
        headers: AUTH,
        body: JSON.stringify(b)
      })
    await patch({ state: 'closed' })
    expect(gh.issues()[0]).toMatchObject({ state: 'closed', state_reason: 'completed' })
    await patch({ state: 'open', body: 'again' })
    expect(gh.issues()[0]).toMatchObject({ state: 'open', body: 'again', title: 'Drift', closed_at: null })
    const noTitle = await fetch(`${gh.url}/repos/acme/indexes/issues`, {
      method: 'POST',
      headers: AUTH,
      body: JSON.stringify({ body: 'x' })
    })
    expect(noTitle.status).toBe(422)
  })
})

describe('GitHub stand-in faults', () => {
  it('answers a status fault on the matching method and route for its count, then serves again', async () => {
    const gh = await servers.github({
      faults: [{ method: 'GET', path: '/repos/*/*/issues/*/comments', kind: 'status', status: 502, count: 2 }]
    })
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${gh.url}${COMMENTS}`, { headers: AUTH })).status)
    expect(statuses).toEqual([502, 502, 200])
    const post = await fetch(`${gh.url}${COMMENTS}`, { method: 'POST', headers: AUTH, body: '{"body":"x"}' })
    expect(post.status).toBe(201)
  })

  it('answers a status fault with the body and headers given', async () => {
    const gh = await servers.github()
    gh.addFault({ path: '/graphql', kind: 'status', status: 401, body: { message: 'Bad credentials' } })
    const res = await fetch(`${gh.url}/graphql`, { method: 'POST', headers: AUTH, body: '{}' })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ message: 'Bad credentials' })
  })

  it('answers the secondary rate limit as GitHub does', async () => {
    const gh = await servers.github({
      faults: [{ path: COMMENTS, kind: 'secondary-rate-limit', retryAfter: 7 }]
    })
    const res = await fetch(`${gh.url}${COMMENTS}`, { headers: AUTH })
    expect(res.status).toBe(403)
    expect(res.headers.get('retry-after')).toBe('7')
    expect(((await res.json()) as { message: string }).message).toMatch(
      /^You have exceeded a secondary rate limit/
    )
  })

  it('resets the connection', async () => {
    const gh = await servers.github({ faults: [{ path: COMMENTS, kind: 'reset' }] })
    await expect(fetch(`${gh.url}${COMMENTS}`, { headers: AUTH })).rejects.toThrow()
    expect(gh.requests().map(r => r.status)).toEqual([0])
  })

  it('leaves a hanging request unanswered until the stand-in closes', async () => {
    const gh = await startGitHubStandIn({ faults: [{ path: COMMENTS, kind: 'hang' }] })
    const pending = fetch(`${gh.url}${COMMENTS}`, { headers: AUTH }).then(
      () => 'answered',
      () => 'closed'
    )
    const early = await Promise.race([
      pending,
      new Promise(r =>
        setTimeout(() => {
          r('waiting')
        }, 200)
      )
    ])
    expect(early).toBe('waiting')
    await gh.close()
    expect(await pending).toBe('closed')
  })

  it('answers after a delay, and lets a test act before the answer', async () => {
    const seen: string[] = []
    const gh = await servers.github({
      faults: [{ method: 'POST', path: COMMENTS, kind: 'delay', delayMs: 50 }],
      onRequest: r => seen.push(`${r.method} ${r.path}`)
    })
    const res = await fetch(`${gh.url}${COMMENTS}`, { method: 'POST', headers: AUTH, body: '{"body":"x"}' })
    expect(res.status).toBe(201)
    expect(seen).toEqual([`POST ${COMMENTS}`])
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
    const wh = await servers.warehouse({ secret: 's3cret' })
    const raw = JSON.stringify({ eventId: 'e1' })
    const res = await deliver(wh, raw, { 'x-signature-256': sign('s3cret', raw), 'idempotency-key': 'k1' })
    expect(res.status).toBe(201)
    expect(wh.deliveries()).toEqual([
      expect.objectContaining({ body: { eventId: 'e1' }, raw, signatureValid: true, duplicate: false })
    ])
    expect(wh.deliveries()[0]!.headers['idempotency-key']).toBe('k1')
  })

  it('answers 401 to a bad signature', async () => {
    const wh = await servers.warehouse({ secret: 's3cret' })
    const raw = JSON.stringify({ eventId: 'e1' })
    const res = await deliver(wh, raw, { 'x-signature-256': sign('other', raw) })
    expect(res.status).toBe(401)
    expect(wh.deliveries().map(d => d.signatureValid)).toEqual([false])
  })

  it('reports signatureValid null without a secret', async () => {
    const wh = await servers.warehouse()
    await deliver(wh, '{}')
    expect(wh.deliveries()[0]!.signatureValid).toBeNull()
  })

  it('marks a repeated Idempotency-Key as a duplicate and answers 200', async () => {
    const wh = await servers.warehouse()
    await deliver(wh, '{"n":1}', { 'idempotency-key': 'same' })
    const again = await deliver(wh, '{"n":1}', { 'idempotency-key': 'same' })
    expect(again.status).toBe(200)
    expect(wh.deliveries().map(d => d.duplicate)).toEqual([false, true])
  })

  it('fails the next N deliveries with the status asked for, counting every attempt', async () => {
    const wh = await servers.warehouse()
    wh.failNext(2, 503)
    const statuses = [await deliver(wh, '{}'), await deliver(wh, '{}'), await deliver(wh, '{}')].map(
      r => r.status
    )
    expect(statuses).toEqual([503, 503, 201])
    expect(wh.attempts()).toBe(3)
    expect(wh.deliveries()).toHaveLength(1)
  })

  it('fails from the start when told so by its options', async () => {
    const wh = await servers.warehouse({ failNext: { count: 1, status: 500 } })
    expect((await deliver(wh, '{}')).status).toBe(500)
  })

  it('resets connections while down', async () => {
    const wh = await servers.warehouse()
    wh.setDown(true)
    await expect(deliver(wh, '{}')).rejects.toThrow()
    wh.setDown(false)
    expect((await deliver(wh, '{}')).status).toBe(201)
    expect(wh.attempts()).toBe(2)
  })

  it('takes failures and lists deliveries over its control routes', async () => {
    const wh = await servers.warehouse()
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
