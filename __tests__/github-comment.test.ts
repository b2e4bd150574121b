// The sticky PR comment: found by its first line, created once, edited in place, one per comment-key; and
// the Octokit-backed CommentApi against a small local GitHub stand-in (pagination by Link header, 403s).
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  type CommentApi,
  CommentPermissionError,
  createOctokitCommentApi,
  type IssueComment,
  upsertStickyComment
} from '../src/github/comment.js'
import { commentMarker } from '../src/report/comment.js'

const ISSUE = { owner: 'acme', repo: 'indexes', issueNumber: 7 }

/** A CommentApi over an in-memory list, counting calls. */
function fakeApi(initial: string[] = [], opts: { failWith?: number } = {}) {
  let next = 100
  const comments: IssueComment[] = initial.map(body => ({
    id: next,
    body,
    url: `https://github.test/c/${next++}`
  }))
  const calls = { list: 0, create: 0, update: 0 }
  const fail = (): void => {
    if (opts.failWith !== undefined)
      throw Object.assign(new Error('Resource not accessible by integration'), { status: opts.failWith })
  }
  const api: CommentApi = {
    listComments: () => {
      calls.list++
      return Promise.resolve(comments.map(c => ({ ...c })))
    },
    createComment: (_issue, body) => {
      calls.create++
      fail()
      const c = { id: next, body, url: `https://github.test/c/${next++}` }
      comments.push(c)
      return Promise.resolve({ ...c })
    },
    updateComment: (_repo, id, body) => {
      calls.update++
      fail()
      const c = comments.find(x => x.id === id)!
      c.body = body
      return Promise.resolve({ ...c })
    }
  }
  return { api, comments, calls }
}

const body = (key: string, text: string): string => `${commentMarker(key)}\n${text}`

describe('upsertStickyComment', () => {
  it('creates the comment when none carries the marker', async () => {
    const { api, comments } = fakeApi(['an unrelated comment'])
    const r = await upsertStickyComment(api, { ...ISSUE, key: 'default', body: body('default', 'one') })
    expect(r.action).toBe('created')
    expect(comments).toHaveLength(2)
    expect(r.url).toBe(comments[1]!.url)
  })

  it('edits the marked comment in place on a later run', async () => {
    const { api, comments } = fakeApi([body('default', 'old')])
    const r = await upsertStickyComment(api, { ...ISSUE, key: 'default', body: body('default', 'new') })
    expect(r).toEqual({ action: 'updated', id: 100, url: 'https://github.test/c/100' })
    expect(comments).toHaveLength(1)
    expect(comments[0]!.body).toBe(body('default', 'new'))
  })

  it('skips the update when the body is unchanged', async () => {
    const { api, calls } = fakeApi([body('default', 'same')])
    const r = await upsertStickyComment(api, { ...ISSUE, key: 'default', body: body('default', 'same') })
    expect(r.action).toBe('unchanged')
    expect(calls.update).toBe(0)
  })

  it('matches the marker only on the first line', async () => {
    const { api, comments } = fakeApi([`quoting:\n${commentMarker('default')}\nsomething`])
    const r = await upsertStickyComment(api, { ...ISSUE, key: 'default', body: body('default', 'x') })
    expect(r.action).toBe('created')
    expect(comments).toHaveLength(2)
  })

  it('keeps one comment per comment-key', async () => {
    const { api, comments } = fakeApi()
    await upsertStickyComment(api, { ...ISSUE, key: 'ticket', body: body('ticket', '1') })
    await upsertStickyComment(api, { ...ISSUE, key: 'account', body: body('account', '1') })
    await upsertStickyComment(api, { ...ISSUE, key: 'ticket', body: body('ticket', '2') })
    expect(comments.map(c => c.body)).toEqual([body('ticket', '2'), body('account', '1')])
  })

  it('updates the oldest when a past race left several marked comments', async () => {
    const { api, comments } = fakeApi([body('default', 'first'), body('default', 'second')])
    const r = await upsertStickyComment(api, { ...ISSUE, key: 'default', body: body('default', 'new') })
    expect(r.id).toBe(100)
    expect(comments.map(c => c.body)).toEqual([body('default', 'new'), body('default', 'second')])
  })

  it.each([403, 404])('turns a %i on create into a CommentPermissionError naming the cause', async status => {
    const { api } = fakeApi([], { failWith: status })
    const err = await upsertStickyComment(api, { ...ISSUE, key: 'default', body: 'x' }).catch(
      (e: unknown) => e
    )
    expect(err).toBeInstanceOf(CommentPermissionError)
    expect((err as Error).message).toMatch(/cannot write comments/)
    expect((err as Error).message).toMatch(/fork/)
    expect((err as Error).message).toContain('pull-requests: write')
    expect((err as Error).message).toContain('acme/indexes#7')
  })

  it('turns a 403 on update into a CommentPermissionError', async () => {
    const { api } = fakeApi([body('default', 'old')], { failWith: 403 })
    await expect(
      upsertStickyComment(api, { ...ISSUE, key: 'default', body: body('default', 'new') })
    ).rejects.toBeInstanceOf(CommentPermissionError)
  })

  it('passes other failures on unchanged', async () => {
    const { api } = fakeApi([], { failWith: 500 })
    const err = await upsertStickyComment(api, { ...ISSUE, key: 'default', body: 'x' }).catch(
      (e: unknown) => e
    )
    expect(err).not.toBeInstanceOf(CommentPermissionError)
    expect((err as { status: number }).status).toBe(500)
  })
})

interface StandIn {
  url: string
  comments: { id: number; issue: number; body: string }[]
  requests: { method: string; path: string; auth: string | undefined }[]
  readOnly: boolean
  close(): Promise<void>
}

/** A tiny GitHub REST stand-in: list (pages of `pageSize`, Link header), create and update comments. */
async function startStandIn(pageSize: number): Promise<StandIn> {
  const state: Omit<StandIn, 'url' | 'close'> = { comments: [], requests: [], readOnly: false }
  let nextId = 1
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      state.requests.push({
        method: req.method ?? '',
        path: url.pathname + url.search,
        auth: req.headers.authorization
      })
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers })
        res.end(JSON.stringify(payload))
      }
      const view = (c: { id: number; body: string }) => ({
        id: c.id,
        body: c.body,
        html_url: `https://github.test/acme/indexes/pull/7#issuecomment-${c.id}`
      })
      const list = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname)
      const one = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname)
      if (list && req.method === 'GET') {
        const issue = Number(list[3])
        const all = state.comments.filter(c => c.issue === issue)
        const size = Math.min(pageSize, Number(url.searchParams.get('per_page') ?? 30))
        const page = Number(url.searchParams.get('page') ?? 1)
        const last = Math.max(1, Math.ceil(all.length / size))
        const links: string[] = []
        const at = (p: number): string => {
          const u = new URL(`http://${req.headers.host}${url.pathname}`)
          u.searchParams.set('per_page', String(size))
          u.searchParams.set('page', String(p))
          return u.toString()
        }
        if (page < last) links.push(`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`)
        send(
          200,
          all.slice((page - 1) * size, page * size).map(view),
          links.length ? { link: links.join(', ') } : {}
        )
        return
      }
      if (state.readOnly && (req.method === 'POST' || req.method === 'PATCH')) {
        send(403, {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest'
        })
        return
      }
      const payload = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { body: string })
        : { body: '' }
      if (list && req.method === 'POST') {
        const c = { id: nextId++, issue: Number(list[3]), body: payload.body }
        state.comments.push(c)
        send(201, view(c))
        return
      }
      if (one && req.method === 'PATCH') {
        const c = state.comments.find(x => x.id === Number(one[3]))
        if (!c) {
          send(404, { message: 'Not Found' })
          return
        }
        c.body = payload.body
        send(200, view(c))
        return
      }
      send(404, { message: 'Not Found' })
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>(resolve =>
        server.close(() => {
          resolve()
        })
      )
  })
}

describe('createOctokitCommentApi', () => {
  let gh: StandIn
  beforeEach(async () => {
    gh = await startStandIn(3)
  })
  afterEach(async () => {
    await gh.close()
  })

  it('reads every page of comments by following the Link header', async () => {
    for (let i = 0; i < 7; i++) gh.comments.push({ id: 1000 + i, issue: 7, body: `c${i}` })
    const api = createOctokitCommentApi('ghs_test_token', gh.url)
    const all = await api.listComments(ISSUE)
    expect(all.map(c => c.body)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6'])
    expect(gh.requests.filter(r => r.method === 'GET')).toHaveLength(3)
    expect(gh.requests[0]!.auth).toBe('token ghs_test_token')
  })

  it('creates the sticky comment once and edits it in place on the next run', async () => {
    for (let i = 0; i < 5; i++) gh.comments.push({ id: 1000 + i, issue: 7, body: `chatter ${i}` })
    const api = createOctokitCommentApi('ghs_test_token', gh.url)
    const first = await upsertStickyComment(api, { ...ISSUE, key: 'default', body: body('default', 'run 1') })
    const second = await upsertStickyComment(api, {
      ...ISSUE,
      key: 'default',
      body: body('default', 'run 2')
    })
    expect(first.action).toBe('created')
    expect(second).toEqual({ action: 'updated', id: first.id, url: first.url })
    expect(first.url).toMatch(/#issuecomment-\d+$/)
    expect(gh.comments.filter(c => c.body.startsWith(commentMarker('default')))).toHaveLength(1)
    expect(gh.comments.find(c => c.id === first.id)!.body).toBe(body('default', 'run 2'))
    expect(gh.requests.filter(r => r.method === 'POST')).toHaveLength(1)
    expect(gh.requests.filter(r => r.method === 'PATCH')).toHaveLength(1)
  })

  it('finds a marked comment on a later page', async () => {
    for (let i = 0; i < 8; i++) gh.comments.push({ id: 1000 + i, issue: 7, body: `chatter ${i}` })
    gh.comments.push({ id: 2000, issue: 7, body: body('default', 'old') })
    const api = createOctokitCommentApi('ghs_test_token', gh.url)
    const r = await upsertStickyComment(api, { ...ISSUE, key: 'default', body: body('default', 'new') })
    expect(r).toMatchObject({ action: 'updated', id: 2000 })
  })

  it('reports a read-only token as a CommentPermissionError without the token in it', async () => {
    gh.readOnly = true
    const api = createOctokitCommentApi('ghs_secret_token_value', gh.url)
    const err = await upsertStickyComment(api, { ...ISSUE, key: 'default', body: 'x' }).catch(
      (e: unknown) => e
    )
    expect(err).toBeInstanceOf(CommentPermissionError)
    expect((err as Error).message).toContain('HTTP 403: Resource not accessible by integration')
    expect((err as Error).message).not.toContain('ghs_secret_token_value')
    expect(gh.comments).toHaveLength(0)
  })
})
