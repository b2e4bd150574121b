// A GitHub REST stand-in for the sticky PR comment: issue comments listed with a real Link header, created
// and edited as Octokit calls them; read-only mode answers 403 as a fork PR's token gets.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StoredComment {
  id: number
  node_id: string
  owner: string
  repo: string
  issueNumber: number
  body: string
  html_url: string
  user: { login: string; type: string }
  created_at: string
  updated_at: string
}

export interface GitHubRequest {
  method: string
  path: string
  status: number
  body?: unknown
  authorization?: string
}

export interface GitHubStandIn {
  url: string
  close(): Promise<void>
  /** Stored comments, oldest first; only those of one issue when given. */
  comments(issueNumber?: number): StoredComment[]
  requests(): GitHubRequest[]
  setReadOnly(v: boolean): void
}

export interface GitHubStandInOptions {
  port?: number
  /** Default page size; default 30 (per_page is honoured up to 100). */
  perPage?: number
  readOnly?: boolean
  seedComments?: { issueNumber: number; body: string; login?: string }[]
  /** owner/repo the seed comments belong to; default acme/indexes. */
  repository?: string
}

const DOCS = 'https://docs.github.com/rest/issues/comments'
/** What a fork PR's read-only token gets on a write. */
const FORBIDDEN = {
  status: 403,
  body: { message: 'Resource not accessible by integration', documentation_url: DOCS }
} as const
const NO_BODY = {
  status: 422,
  body: { message: 'Invalid request: body is required', documentation_url: DOCS }
} as const
const BOT = 'github-actions[bot]'

export async function startGitHubStandIn(opts: GitHubStandInOptions = {}): Promise<GitHubStandIn> {
  const perPage = opts.perPage ?? 30
  let readOnly = opts.readOnly ?? false
  const comments: StoredComment[] = []
  const log: GitHubRequest[] = []
  let nextId = 1_000_001
  let base = ''

  function create(
    owner: string,
    repo: string,
    issueNumber: number,
    body: string,
    login: string
  ): StoredComment {
    const id = nextId++
    const now = new Date().toISOString()
    const c: StoredComment = {
      id,
      node_id: `IC_kwDO${Buffer.from(String(id)).toString('base64url')}`,
      owner,
      repo,
      issueNumber,
      body,
      html_url: `https://github.com/${owner}/${repo}/pull/${issueNumber}#issuecomment-${id}`,
      user: { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' },
      created_at: now,
      updated_at: now
    }
    comments.push(c)
    return c
  }
  const [seedOwner = 'acme', seedRepo = 'indexes'] = (opts.repository ?? 'acme/indexes').split('/')
  for (const s of opts.seedComments ?? []) create(seedOwner, seedRepo, s.issueNumber, s.body, s.login ?? BOT)

  const view = (c: StoredComment): Record<string, unknown> => ({
    id: c.id,
    node_id: c.node_id,
    body: c.body,
    html_url: c.html_url,
    issue_url: `${base}/repos/${c.owner}/${c.repo}/issues/${c.issueNumber}`,
    url: `${base}/repos/${c.owner}/${c.repo}/issues/comments/${c.id}`,
    user: { ...c.user },
    created_at: c.created_at,
    updated_at: c.updated_at
  })

  function route(
    method: string,
    url: URL,
    auth: string | undefined,
    body: unknown
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    if (!auth) return { status: 401, body: { message: 'Requires authentication', documentation_url: DOCS } }
    const list = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname)
    const one = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname)
    const text = (b: unknown): string | undefined =>
      typeof b === 'object' && b !== null && typeof (b as { body?: unknown }).body === 'string'
        ? (b as { body: string }).body
        : undefined
    if (list && method === 'GET') {
      const [, owner, repo, n] = list
      const size = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? perPage) || perPage))
      const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1)
      const all = comments.filter(c => c.owner === owner && c.repo === repo && c.issueNumber === Number(n))
      const last = Math.max(1, Math.ceil(all.length / size))
      const link = (p: number): string => {
        const u = new URL(`${base}${url.pathname}`)
        u.searchParams.set('per_page', String(size))
        u.searchParams.set('page', String(p))
        return u.toString()
      }
      const rels: string[] = []
      if (page > 1) rels.push(`<${link(page - 1)}>; rel="prev"`)
      if (page < last) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`)
      if (page > 1) rels.push(`<${link(1)}>; rel="first"`)
      const headers: Record<string, string> = rels.length > 0 ? { link: rels.join(', ') } : {}
      return { status: 200, body: all.slice((page - 1) * size, page * size).map(view), headers }
    }
    if (list && method === 'POST') {
      if (readOnly) return FORBIDDEN
      const b = text(body)
      if (b === undefined) return NO_BODY
      const [, owner, repo, n] = list
      return { status: 201, body: view(create(owner!, repo!, Number(n), b, BOT)) }
    }
    if (one && (method === 'PATCH' || method === 'GET')) {
      const [, owner, repo, id] = one
      const c = comments.find(x => x.owner === owner && x.repo === repo && x.id === Number(id))
      if (!c) return { status: 404, body: { message: 'Not Found', documentation_url: DOCS } }
      if (method === 'GET') return { status: 200, body: view(c) }
      if (readOnly) return FORBIDDEN
      const b = text(body)
      if (b === undefined) return NO_BODY
      c.body = b
      c.updated_at = new Date().toISOString()
      return { status: 200, body: view(c) }
    }
    return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      let body: unknown
      try {
        body = raw === '' ? undefined : (JSON.parse(raw) as unknown)
      } catch {
        body = raw
      }
      const url = new URL(req.url ?? '/', base)
      const method = (req.method ?? 'GET').toUpperCase()
      const auth = req.headers.authorization
      const out = route(method, url, auth, body)
      const entry: GitHubRequest = { method, path: `${url.pathname}${url.search}`, status: out.status }
      if (body !== undefined) entry.body = body
      if (auth !== undefined) entry.authorization = auth
      log.push(entry)
      const text = JSON.stringify(out.body)
      res.writeHead(out.status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-request-id': `STANDIN:${log.length}`,
        ...out.headers
      })
      res.end(text)
    })
  })
  await new Promise<void>(resolve => server.listen(opts.port ?? 0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: base,
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      }),
    comments: issueNumber =>
      comments
        .filter(c => issueNumber === undefined || c.issueNumber === issueNumber)
        .map(c => ({ ...c, user: { ...c.user } })),
    requests: () => log.map(r => ({ ...r })),
    setReadOnly: v => {
      readOnly = v
    }
  }
}
