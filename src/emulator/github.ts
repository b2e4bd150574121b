// A GitHub stand-in: the REST and GraphQL calls the action makes (issue comments, issues, pull requests, the
// token's identity, branch heads and compares, labels, comment edits), answered as GitHub answers them
// (Link-header pages, authors, PR entries in the issues list), with faults injected per route and method: a
// status, the secondary rate limit, a reset, a hang.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { pathMatches } from './faults.js'

export interface GitHubUser {
  login: string
  type: 'Bot' | 'User'
}

export interface StoredComment {
  id: number
  node_id: string
  owner: string
  repo: string
  issueNumber: number
  body: string
  html_url: string
  user: GitHubUser
  created_at: string
  updated_at: string
  /** Set when the comment was edited after it was posted (GraphQL `lastEditedAt`), with who edited it last. */
  lastEditedAt?: string
  editor?: string
}

/** A pull request's own fields (an issue of the same number holds its title, body, state and author). */
export interface StoredPull {
  headSha: string
  merged: boolean
  mergeCommitSha?: string
  /** Commits of the PR besides its head, for `GET /repos/{o}/{r}/commits/{sha}/pulls`. */
  commits: string[]
  /** Its changed files (`GET /repos/{o}/{r}/pulls/{n}/files`); undefined: unknown (404). */
  files?: ChangedFileSeed[]
}

export interface StoredIssue {
  id: number
  owner: string
  repo: string
  number: number
  title: string
  body: string
  state: 'open' | 'closed'
  state_reason: string | null
  user: GitHubUser
  created_at: string
  updated_at: string
  closed_at: string | null
  html_url: string
  /** Label names, in the order they were added. */
  labels: string[]
  /** Set when the issue is a pull request. */
  pull?: StoredPull
}

/** A check run as the stand-in keeps it: the last output, and every annotation added (GitHub appends them). */
export interface StoredCheckRun {
  id: number
  owner: string
  repo: string
  name: string
  head_sha: string
  status: string
  conclusion: string | null
  title: string
  summary: string
  details_url: string | null
  annotations: Record<string, unknown>[]
  /** The identity that created it (an app owns its check runs). */
  login: string
  html_url: string
  created_at: string
  /** PATCHes made to it. */
  updates: number
}

export interface GitHubRequest {
  method: string
  /** Path with the query string. */
  path: string
  /** 0 for a reset or a request left hanging. */
  status: number
  body?: unknown
  authorization?: string
  /** The identity the token maps to. */
  login?: string
}

/** A fault on the requests it matches, before anything else (authentication included). */
export interface GitHubFault {
  /** absent = any method */
  method?: string
  /** a path prefix, or a glob where '*' is exactly one segment (then the whole path must match) */
  path: string
  /**
   * `status`: answers `status` with `body` (default `{message}` of the status) and `headers`;
   * `secondary-rate-limit`: 403 (or `status`) "You have exceeded a secondary rate limit..." with
   * `retry-after` (`retryAfter`, default 1); `reset`: destroys the socket; `hang`: never answers (the
   * connection is closed when the stand-in closes); `delay`: answers as usual after `delayMs` (racing runs).
   */
  kind: 'status' | 'secondary-rate-limit' | 'reset' | 'hang' | 'delay'
  status?: number
  body?: unknown
  headers?: Record<string, string>
  /** seconds, as `retry-after` */
  retryAfter?: number
  /** `delay` */
  delayMs?: number
  /** matching requests affected; default 1 */
  count?: number
}

export interface SeedComment {
  issueNumber: number
  body: string
  /** Author; default `github-actions[bot]`. */
  login?: string
}

export interface SeedPullRequest {
  number: number
  /**
   * The PR's changed files, for `GET /repos/{o}/{r}/pulls/{n}/files`. Absent: the stand-in does not know them
   * and answers 404, so a run falls back to every matched file (tests that do not care about the list).
   */
  files?: ChangedFileSeed[]
  headSha: string
  state?: 'open' | 'closed'
  merged?: boolean
  mergeCommitSha?: string
  commits?: string[]
  title?: string
  login?: string
}

export interface SeedIssue {
  number?: number
  title: string
  body?: string
  state?: 'open' | 'closed'
  login?: string
  /** Label names; a label the repository lacks is created, as GitHub does. */
  labels?: string[]
}

// ---- Commits, branches, labels and comment edits (the stand-in's part for runs over time) ----

/** A file a commit changed, as the compare API lists it. */
export type ChangedFile = ChangedFileSeed

export interface StoredLabel {
  id: number
  name: string
  color: string
  description: string | null
}

// ---- Changed files: a PR's files and commits with their files (compare) ----

/** A changed file as GitHub lists it (a PR's files, a compare's files). */
export interface ChangedFileSeed {
  filename: string
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged'
  previous_filename?: string
}

/**
 * A commit of the repository: its parent (`parent`, or the first of `parents`; absent for a root: compares
 * follow the first parent) and the files it changed. One registry answers `commits/{ref}` and `compare`.
 */
export interface SeedCommit {
  sha: string
  parent?: string
  parents?: string[]
  files?: ChangedFileSeed[]
}

/** GitHub lists at most this many files of a pull request. */
export const PULL_FILES_LIMIT = 3_000
/** A compare lists at most this many files, on its first page. */
export const COMPARE_FILES_LIMIT = 300
/** GitHub's limit on a comment's body, in characters. */
export const COMMENT_BODY_LIMIT = 65_536

export interface GitHubStandIn {
  url: string
  close(): Promise<void>
  /** Stored comments, oldest first; only those of one issue when given. */
  comments(issueNumber?: number): StoredComment[]
  /** Issues and pull requests, by number. */
  issues(): StoredIssue[]
  requests(): GitHubRequest[]
  setReadOnly(v: boolean): void
  /** Plants a comment, by `github-actions[bot]` unless `login` says who. */
  addComment(c: SeedComment): StoredComment
  addIssue(i: SeedIssue): StoredIssue
  addPullRequest(p: SeedPullRequest): StoredIssue
  addFault(f: GitHubFault): void
  clearFaults(): void
  /** Registers a commit (its parent and the files it changed), for `commits/{ref}` and `compare`. */
  addCommit(c: SeedCommit): void
  /** Moves a branch (created when new) to a commit; the commit is registered when unknown. */
  setBranchHead(branch: string, sha: string): void
  /** The branch's head commit, when the branch exists. */
  branchHead(branch: string): string | undefined
  /** Edits a stored comment as `login` would on github.com: the body, `lastEditedAt` and `editor` change. */
  editComment(id: number, body: string, login: string): StoredComment
  /** The repository's labels, in the order they were created. */
  labels(): StoredLabel[]
  /** Check runs, oldest first; only those of one commit when given. */
  checkRuns(headSha?: string): StoredCheckRun[]
  /** Registers commits (their parents and changed files) for compares. */
  addCommits(commits: readonly SeedCommit[]): void
}

export interface GitHubStandInOptions {
  port?: number
  /** Default page size; default 30 (per_page is honoured up to 100). */
  perPage?: number
  readOnly?: boolean
  /** Token → login. Any other token is `github-actions[bot]` (the Actions token). */
  identities?: Record<string, string>
  seedComments?: SeedComment[]
  pullRequests?: SeedPullRequest[]
  issues?: SeedIssue[]
  faults?: GitHubFault[]
  /** Commits and branch heads, as `addCommit` and `setBranchHead` register them. */
  commits?: SeedCommit[]
  branches?: Record<string, string>
  /** owner/repo the seeds belong to; default acme/indexes. */
  repository?: string
  /** Called with each request before it is answered (after a `delay`): tests act between two calls here. */
  onRequest?: (r: GitHubRequest) => void
}

const DOCS = 'https://docs.github.com/rest'

/** The body of GitHub's 422 for a comment over its limit (also for tests that inject it as a fault). */
export function commentTooLongBody(): Record<string, unknown> {
  return {
    message: 'Validation Failed',
    errors: [
      {
        resource: 'IssueComment',
        code: 'custom',
        field: 'body',
        message: `body is too long (maximum is ${COMMENT_BODY_LIMIT} characters)`
      }
    ],
    documentation_url: `${DOCS}/issues/comments#create-an-issue-comment`,
    status: '422'
  }
}
/** What a fork PR's read-only token gets on a write. */
const FORBIDDEN = {
  status: 403,
  body: { message: 'Resource not accessible by integration', documentation_url: DOCS }
} as const
const NO_BODY = {
  status: 422,
  body: { message: 'Invalid request: body is required', documentation_url: DOCS }
} as const
const NOT_FOUND = { status: 404, body: { message: 'Not Found', documentation_url: DOCS } } as const
const SECONDARY =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach ' +
  'out to GitHub Support for help, please include the request ID STANDIN.'
export const ACTIONS_BOT = 'github-actions[bot]'

interface Reply {
  status: number
  body: unknown
  headers?: Record<string, string>
}

function userOf(login: string): GitHubUser {
  return { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' }
}

/** GitHub's timestamps have whole seconds. */
function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function field(b: unknown, key: string): unknown {
  return typeof b === 'object' && b !== null ? (b as Record<string, unknown>)[key] : undefined
}

function text(b: unknown, key: string): string | undefined {
  const v = field(b, key)
  return typeof v === 'string' ? v : undefined
}

export async function startGitHubStandIn(opts: GitHubStandInOptions = {}): Promise<GitHubStandIn> {
  const perPage = opts.perPage ?? 30
  let readOnly = opts.readOnly ?? false
  const comments: StoredComment[] = []
  const issues: StoredIssue[] = []
  const log: GitHubRequest[] = []
  let faults: { spec: GitHubFault; left: number }[] = []
  let nextCommentId = 1_000_001
  let nextIssueId = 5_000_001
  const checkRuns: StoredCheckRun[] = []
  let nextCheckRunId = 9_000_001
  let base = ''
  const [seedOwner = 'acme', seedRepo = 'indexes'] = (opts.repository ?? 'acme/indexes').split('/')
  const runs = runsOverTime()
  const { labelIssue } = runs

  const identity = (auth: string): string => {
    const token = auth.replace(/^(token|bearer)\s+/i, '')
    return opts.identities?.[token] ?? ACTIONS_BOT
  }

  /** Comments live on pull requests unless the number is a seeded issue. */
  const kindOf = (owner: string, repo: string, n: number): string =>
    issues.some(i => i.owner === owner && i.repo === repo && i.number === n && !i.pull) ? 'issues' : 'pull'

  function createComment(
    owner: string,
    repo: string,
    issueNumber: number,
    body: string,
    login: string
  ): StoredComment {
    const id = nextCommentId++
    const at = now()
    const c: StoredComment = {
      id,
      node_id: `IC_kwDO${Buffer.from(String(id)).toString('base64url')}`,
      owner,
      repo,
      issueNumber,
      body,
      html_url: `https://github.com/${owner}/${repo}/${kindOf(owner, repo, issueNumber)}/${issueNumber}#issuecomment-${id}`,
      user: userOf(login),
      created_at: at,
      updated_at: at
    }
    comments.push(c)
    return c
  }

  function createIssue(owner: string, repo: string, seed: SeedIssue, pull?: StoredPull): StoredIssue {
    const number =
      seed.number ??
      1 + Math.max(0, ...issues.filter(i => i.owner === owner && i.repo === repo).map(i => i.number))
    const at = now()
    const state = seed.state ?? 'open'
    const issue: StoredIssue = {
      id: nextIssueId++,
      owner,
      repo,
      number,
      title: seed.title,
      body: seed.body ?? '',
      state,
      state_reason: state === 'closed' ? 'completed' : null,
      user: userOf(seed.login ?? ACTIONS_BOT),
      created_at: at,
      updated_at: at,
      closed_at: state === 'closed' ? at : null,
      html_url: `https://github.com/${owner}/${repo}/${pull ? 'pull' : 'issues'}/${number}`,
      labels: [],
      ...(pull ? { pull } : {})
    }
    for (const name of seed.labels ?? []) labelIssue(issue, name)
    const last = issues.at(-1)
    issues.push(issue)
    if (last !== undefined && last.number > number) issues.sort((a, b) => a.number - b.number)
    return issue
  }

  function addPullRequest(p: SeedPullRequest): StoredIssue {
    const merged = p.merged ?? false
    return createIssue(
      seedOwner,
      seedRepo,
      {
        number: p.number,
        title: p.title ?? `Pull request ${p.number}`,
        state: merged ? 'closed' : (p.state ?? 'open'),
        login: p.login ?? 'octocat'
      },
      {
        headSha: p.headSha,
        merged,
        ...(p.mergeCommitSha !== undefined ? { mergeCommitSha: p.mergeCommitSha } : {}),
        commits: p.commits ?? [],
        ...(p.files ? { files: p.files.map(f => ({ ...f })) } : {})
      }
    )
  }

  const commitGraph = new Map<string, SeedCommit>()
  /** Registers commits in the one graph that both compares and `commits/{ref}` read. */
  const addCommits = (list: readonly SeedCommit[]): void => {
    for (const c of list) {
      const parents = c.parents ?? (c.parent !== undefined ? [c.parent] : [])
      commitGraph.set(c.sha.toLowerCase(), { ...c, sha: c.sha.toLowerCase(), parents })
      runs.addCommit({ ...c, ...(parents[0] !== undefined ? { parent: parents[0] } : {}) })
    }
  }

  /** The first-parent line from `sha` back, `sha` first (stops at an unknown commit). */
  const lineOf = (sha: string): string[] => {
    const line: string[] = []
    for (let at: string | undefined = sha; at !== undefined && commitGraph.has(at) && !line.includes(at);) {
      line.push(at)
      at = commitGraph.get(at)?.parents?.[0]?.toLowerCase()
    }
    return line
  }

  /** GitHub's compare of `base...head`: status, counts, the commits after the merge base and their files. */
  function compare(url: URL, baseSha: string, headSha: string): Reply {
    const base = baseSha.toLowerCase()
    const head = headSha.toLowerCase()
    if (!commitGraph.has(base) || !commitGraph.has(head)) return NOT_FOUND
    const fromHead = lineOf(head)
    const fromBase = lineOf(base)
    const mergeBase = fromHead.find(sha => fromBase.includes(sha))
    const ahead = mergeBase === undefined ? fromHead : fromHead.slice(0, fromHead.indexOf(mergeBase))
    const behind = mergeBase === undefined ? fromBase : fromBase.slice(0, fromBase.indexOf(mergeBase))
    const status =
      ahead.length === 0 && behind.length === 0
        ? 'identical'
        : behind.length === 0
          ? 'ahead'
          : ahead.length === 0
            ? 'behind'
            : 'diverged'
    // The files of the head side, oldest commit first, the last change of a path winning.
    const files = new Map<string, ChangedFileSeed>()
    for (const sha of [...ahead].reverse()) {
      for (const f of commitGraph.get(sha)?.files ?? []) files.set(f.filename, f)
    }
    const size = Math.min(250, Math.max(1, Number(url.searchParams.get('per_page') ?? 250) || 250))
    const n = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1)
    const commits = [...ahead].reverse().slice((n - 1) * size, n * size)
    return {
      status: 200,
      body: {
        status,
        ahead_by: ahead.length,
        behind_by: behind.length,
        total_commits: ahead.length,
        merge_base_commit: mergeBase !== undefined ? { sha: mergeBase } : null,
        commits: commits.map(sha => ({
          sha,
          parents: (commitGraph.get(sha)?.parents ?? []).map(p => ({ sha: p }))
        })),
        // GitHub lists the files on the first page only, at most 300 of them.
        ...(n === 1
          ? { files: [...files.values()].slice(0, COMPARE_FILES_LIMIT).map(f => ({ ...f, sha: head })) }
          : {})
      }
    }
  }

  /** GitHub's answer to a comment body over its limit. */
  const tooLong = (): Reply => ({ status: 422, body: commentTooLongBody() })

  for (const s of opts.seedComments ?? [])
    createComment(seedOwner, seedRepo, s.issueNumber, s.body, s.login ?? ACTIONS_BOT)
  for (const p of opts.pullRequests ?? []) addPullRequest(p)
  for (const i of opts.issues ?? []) createIssue(seedOwner, seedRepo, i)
  for (const f of opts.faults ?? []) faults.push({ spec: { ...f }, left: f.count ?? 1 })
  addCommits(opts.commits ?? [])
  for (const [branch, sha] of Object.entries(opts.branches ?? {})) {
    if (!commitGraph.has(sha.toLowerCase())) addCommits([{ sha }])
    runs.setBranchHead(branch, sha)
  }

  function takeFault(method: string, path: string): GitHubFault | undefined {
    const f = faults.find(
      x =>
        x.left > 0 &&
        (x.spec.method === undefined || x.spec.method.toUpperCase() === method) &&
        pathMatches(x.spec.path, path)
    )
    if (!f) return undefined
    f.left--
    faults = faults.filter(x => x.left > 0)
    return f.spec
  }

  /** One page of `all` with GitHub's Link header (prev, next, last, first). */
  function page<T>(url: URL, all: T[], view: (t: T) => unknown): Reply {
    const size = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? perPage) || perPage))
    const n = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1)
    const last = Math.max(1, Math.ceil(all.length / size))
    const link = (p: number): string => {
      const u = new URL(`${base}${url.pathname}${url.search}`)
      u.searchParams.set('per_page', String(size))
      u.searchParams.set('page', String(p))
      return u.toString()
    }
    const rels: string[] = []
    if (n > 1) rels.push(`<${link(n - 1)}>; rel="prev"`)
    if (n < last) rels.push(`<${link(n + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`)
    if (n > 1) rels.push(`<${link(1)}>; rel="first"`)
    const headers: Record<string, string> = rels.length > 0 ? { link: rels.join(', ') } : {}
    return { status: 200, body: all.slice((n - 1) * size, n * size).map(view), headers }
  }

  const commentView = (c: StoredComment): Record<string, unknown> => ({
    id: c.id,
    node_id: c.node_id,
    body: c.body,
    html_url: c.html_url,
    issue_url: `${base}/repos/${c.owner}/${c.repo}/issues/${c.issueNumber}`,
    url: `${base}/repos/${c.owner}/${c.repo}/issues/comments/${c.id}`,
    user: { ...c.user },
    author_association: c.user.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR',
    created_at: c.created_at,
    updated_at: c.updated_at
  })

  const issueView = (i: StoredIssue): Record<string, unknown> => ({
    id: i.id,
    node_id: `I_kwDO${Buffer.from(String(i.id)).toString('base64url')}`,
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    state_reason: i.state_reason,
    html_url: i.html_url,
    url: `${base}/repos/${i.owner}/${i.repo}/issues/${i.number}`,
    user: { ...i.user },
    labels: i.labels.map(name => runs.labelView(name)),
    comments: comments.filter(c => c.owner === i.owner && c.repo === i.repo && c.issueNumber === i.number)
      .length,
    created_at: i.created_at,
    updated_at: i.updated_at,
    closed_at: i.closed_at,
    ...(i.pull
      ? {
          pull_request: {
            url: `${base}/repos/${i.owner}/${i.repo}/pulls/${i.number}`,
            html_url: i.html_url,
            merged_at: i.pull.merged ? i.closed_at : null
          }
        }
      : {})
  })

  const pullView = (i: StoredIssue): Record<string, unknown> => {
    const p = i.pull!
    return {
      id: i.id,
      number: i.number,
      state: i.state,
      title: i.title,
      body: i.body,
      html_url: i.html_url,
      url: `${base}/repos/${i.owner}/${i.repo}/pulls/${i.number}`,
      user: { ...i.user },
      head: { sha: p.headSha, ref: `feature-${i.number}`, repo: { full_name: `${i.owner}/${i.repo}` } },
      base: { ref: 'main', repo: { full_name: `${i.owner}/${i.repo}` } },
      merged: p.merged,
      merged_at: p.merged ? i.closed_at : null,
      merge_commit_sha: p.mergeCommitSha ?? null,
      created_at: i.created_at,
      updated_at: i.updated_at,
      closed_at: i.closed_at
    }
  }

  function graphql(login: string, body: unknown): Reply {
    const query = text(body, 'query') ?? ''
    if (/\bnodes\s*\(\s*ids\s*:/.test(query)) return runs.commentEdits(comments, field(body, 'variables'))
    if (!/\bviewer\s*\{\s*login\s*\}/.test(query)) {
      return {
        status: 200,
        body: { errors: [{ type: 'NOT_SUPPORTED', message: 'The stand-in answers only viewer { login }' }] }
      }
    }
    // GitHub names the Actions token's identity without the [bot] suffix here.
    return { status: 200, body: { data: { viewer: { login: login.replace(/\[bot\]$/, '') } } } }
  }

  function route(method: string, url: URL, login: string, body: unknown): Reply {
    const p = url.pathname
    if (p === '/graphql' && method === 'POST') return graphql(login, body)
    const repoPath = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(p)
    if (!repoPath) return NOT_FOUND
    const [, owner = '', repo = '', rest = ''] = repoPath
    const inRepo = issues.filter(i => i.owner === owner && i.repo === repo)
    const issueOf = (n: string): StoredIssue | undefined => inRepo.find(i => i.number === Number(n))

    const commentList = /^\/issues\/(\d+)\/comments$/.exec(rest)
    if (commentList && method === 'GET') {
      const n = Number(commentList[1])
      const all = comments.filter(c => c.owner === owner && c.repo === repo && c.issueNumber === n)
      return page(url, all, commentView)
    }
    if (commentList && method === 'POST') {
      if (readOnly) return FORBIDDEN
      const b = text(body, 'body')
      if (b === undefined) return NO_BODY
      if (b.length > COMMENT_BODY_LIMIT) return tooLong()
      return { status: 201, body: commentView(createComment(owner, repo, Number(commentList[1]), b, login)) }
    }
    const comment = /^\/issues\/comments\/(\d+)$/.exec(rest)
    if (comment && ['GET', 'PATCH', 'DELETE'].includes(method)) {
      const c = comments.find(x => x.owner === owner && x.repo === repo && x.id === Number(comment[1]))
      if (!c) return NOT_FOUND
      if (method === 'GET') return { status: 200, body: commentView(c) }
      if (readOnly) return FORBIDDEN
      if (method === 'DELETE') {
        comments.splice(comments.indexOf(c), 1)
        return { status: 204, body: undefined }
      }
      const b = text(body, 'body')
      if (b === undefined) return NO_BODY
      if (b.length > COMMENT_BODY_LIMIT) return tooLong()
      c.body = b
      c.updated_at = now()
      c.lastEditedAt = c.updated_at
      c.editor = login
      return { status: 200, body: commentView(c) }
    }

    if (rest === '/issues' && method === 'GET') {
      const state = url.searchParams.get('state') ?? 'open'
      const direction = url.searchParams.get('direction') ?? 'desc'
      const labels = (url.searchParams.get('labels') ?? '').split(',').filter(l => l !== '')
      const all = inRepo
        .filter(i => state === 'all' || i.state === state)
        .filter(i => labels.every(l => i.labels.some(x => x.toLowerCase() === l.toLowerCase())))
        .sort((a, b) => (direction === 'asc' ? a.number - b.number : b.number - a.number))
      return page(url, all, issueView)
    }
    if (rest === '/issues' && method === 'POST') {
      if (readOnly) return FORBIDDEN
      const title = text(body, 'title')
      if (title === undefined || title === '') {
        return {
          status: 422,
          body: { message: 'Validation Failed: title is missing', documentation_url: DOCS }
        }
      }
      const labels = field(body, 'labels')
      const issue = createIssue(owner, repo, {
        title,
        body: text(body, 'body') ?? '',
        login,
        ...(Array.isArray(labels) ? { labels: labels.filter(l => typeof l === 'string') } : {})
      })
      return { status: 201, body: issueView(issue) }
    }
    const issue = /^\/issues\/(\d+)$/.exec(rest)
    if (issue && (method === 'GET' || method === 'PATCH')) {
      const i = issueOf(issue[1]!)
      if (!i) return NOT_FOUND
      if (method === 'GET') return { status: 200, body: issueView(i) }
      if (readOnly) return FORBIDDEN
      const title = text(body, 'title')
      const b = text(body, 'body')
      const state = text(body, 'state')
      if (state !== undefined && state !== 'open' && state !== 'closed') {
        return {
          status: 422,
          body: { message: `Validation Failed: state ${state}`, documentation_url: DOCS }
        }
      }
      if (title !== undefined) i.title = title
      if (b !== undefined) i.body = b
      if (state !== undefined && state !== i.state) {
        i.state = state
        i.closed_at = state === 'closed' ? now() : null
        i.state_reason = state === 'closed' ? (text(body, 'state_reason') ?? 'completed') : 'reopened'
      }
      i.updated_at = now()
      return { status: 200, body: issueView(i) }
    }
    const pull = /^\/pulls\/(\d+)$/.exec(rest)
    if (pull && method === 'GET') {
      const i = issueOf(pull[1]!)
      return i?.pull ? { status: 200, body: pullView(i) } : NOT_FOUND
    }
    const pullFiles = /^\/pulls\/(\d+)\/files$/.exec(rest)
    if (pullFiles && method === 'GET') {
      const i = issueOf(pullFiles[1]!)
      if (!i?.pull?.files) return NOT_FOUND
      return page(url, i.pull.files.slice(0, PULL_FILES_LIMIT), f => ({ ...f, sha: i.pull!.headSha }))
    }
    const compared = /^\/compare\/([^/]+)$/.exec(rest)
    if (compared && method === 'GET' && owner === seedOwner && repo === seedRepo) {
      // base...head: commit SHAs, or branch names resolved to their heads.
      const [b = '', h = ''] = decodeURIComponent(compared[1]!).split('...')
      return compare(url, runs.branchHead(b) ?? b, runs.branchHead(h) ?? h)
    }
    const commitPulls = /^\/commits\/([0-9a-fA-F]{4,64})\/pulls$/.exec(rest)
    if (commitPulls && method === 'GET') {
      const sha = commitPulls[1]!.toLowerCase()
      const found = inRepo.filter(
        i => i.pull && [i.pull.headSha, i.pull.mergeCommitSha, ...i.pull.commits].includes(sha)
      )
      return page(url, found, pullView)
    }
    const checks = checkRoute(owner, repo, rest, method, url, login, body)
    if (checks) return checks
    const ours = owner === seedOwner && repo === seedRepo
    return (ours ? runs.route(method, rest, body, readOnly, issueOf) : undefined) ?? NOT_FOUND
  }

  // Check runs: create, update (annotations appended, at most 50 per request), list by commit and name.
  const checkRunView = (c: StoredCheckRun): Record<string, unknown> => ({
    id: c.id,
    name: c.name,
    head_sha: c.head_sha,
    status: c.status,
    conclusion: c.conclusion,
    details_url: c.details_url,
    html_url: c.html_url,
    url: `${base}/repos/${c.owner}/${c.repo}/check-runs/${c.id}`,
    started_at: c.created_at,
    app: { slug: c.login.replace(/\[bot\]$/, '') },
    output: { title: c.title, summary: c.summary, annotations_count: c.annotations.length }
  })

  /** GitHub's checks on a create or update: its 422s for a body it does not take. */
  function checkOutput(c: StoredCheckRun, body: unknown): Reply | undefined {
    const output = field(body, 'output')
    if (output === undefined) return undefined
    const summary = text(output, 'summary')
    if (summary === undefined)
      return {
        status: 422,
        body: { message: 'Invalid request: summary is required', documentation_url: DOCS }
      }
    if (summary.length > 65_535) {
      return {
        status: 422,
        body: {
          message: 'Invalid request: output.summary is too long (maximum is 65535 characters)',
          documentation_url: DOCS
        }
      }
    }
    const annotations = field(output, 'annotations')
    const list = Array.isArray(annotations) ? (annotations as unknown[]) : []
    if (list.length > 50) {
      return {
        status: 422,
        body: {
          message: 'Invalid request: only 50 annotations are allowed per request',
          documentation_url: DOCS
        }
      }
    }
    for (const a of list) {
      const line = field(a, 'start_line')
      if (text(a, 'path') === undefined || typeof line !== 'number' || text(a, 'message') === undefined) {
        return {
          status: 422,
          body: {
            message: 'Invalid request: an annotation needs path, start_line and message',
            documentation_url: DOCS
          }
        }
      }
    }
    c.title = text(output, 'title') ?? c.title
    c.summary = summary
    c.annotations.push(...list.map(a => ({ ...(a as Record<string, unknown>) })))
    return undefined
  }

  function checkRoute(
    owner: string,
    repo: string,
    rest: string,
    method: string,
    url: URL,
    login: string,
    body: unknown
  ): Reply | undefined {
    const list = /^\/commits\/([^/]+)\/check-runs$/.exec(rest)
    if (list && method === 'GET') {
      const ref = list[1]!.toLowerCase()
      const name = url.searchParams.get('check_name')
      let found = checkRuns.filter(
        c => c.owner === owner && c.repo === repo && c.head_sha === ref && (name === null || c.name === name)
      )
      // `filter=latest` (the default): the newest check run of each name.
      if ((url.searchParams.get('filter') ?? 'latest') === 'latest') {
        found = found.filter(c => !found.some(o => o.name === c.name && o.id > c.id))
      }
      found = [...found].reverse()
      return { status: 200, body: { total_count: found.length, check_runs: found.map(checkRunView) } }
    }
    if (rest === '/check-runs' && method === 'POST') {
      if (readOnly) return FORBIDDEN
      const name = text(body, 'name')
      const headSha = text(body, 'head_sha')
      if (!name || !headSha || !/^[0-9a-f]{40}$/.test(headSha)) {
        return {
          status: 422,
          body: { message: 'Invalid request: name and head_sha are required', documentation_url: DOCS }
        }
      }
      const id = nextCheckRunId++
      const c: StoredCheckRun = {
        id,
        owner,
        repo,
        name,
        head_sha: headSha,
        status: text(body, 'status') ?? 'queued',
        conclusion: text(body, 'conclusion') ?? null,
        title: '',
        summary: '',
        details_url: text(body, 'details_url') ?? null,
        annotations: [],
        login,
        html_url: `https://github.com/${owner}/${repo}/runs/${id}`,
        created_at: now(),
        updates: 0
      }
      const refused = checkOutput(c, body)
      if (refused) return refused
      checkRuns.push(c)
      return { status: 201, body: checkRunView(c) }
    }
    const one = /^\/check-runs\/(\d+)$/.exec(rest)
    if (one && (method === 'PATCH' || method === 'GET')) {
      const c = checkRuns.find(x => x.owner === owner && x.repo === repo && x.id === Number(one[1]))
      if (!c) return NOT_FOUND
      if (method === 'GET') return { status: 200, body: checkRunView(c) }
      if (readOnly) return FORBIDDEN
      // An app may update only its own check runs.
      if (c.login !== login) return FORBIDDEN
      const draft = { ...c, annotations: [...c.annotations] }
      const refused = checkOutput(draft, body)
      if (refused) return refused
      Object.assign(c, draft, {
        status: text(body, 'status') ?? c.status,
        conclusion: text(body, 'conclusion') ?? c.conclusion,
        details_url: text(body, 'details_url') ?? c.details_url,
        updates: c.updates + 1
      })
      return { status: 200, body: checkRunView(c) }
    }
    return undefined
  }

  function faultReply(f: GitHubFault): Reply {
    if (f.kind === 'secondary-rate-limit') {
      return {
        status: f.status ?? 403,
        body: f.body ?? {
          message: SECONDARY,
          documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`
        },
        headers: { 'retry-after': String(f.retryAfter ?? 1), ...f.headers }
      }
    }
    const status = f.status ?? 500
    return {
      status,
      body: f.body ?? { message: http.STATUS_CODES[status] ?? 'Error', documentation_url: DOCS },
      headers: {
        ...(f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {}),
        ...f.headers
      }
    }
  }

  function answer(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    let body: unknown
    try {
      body = raw === '' ? undefined : (JSON.parse(raw) as unknown)
    } catch {
      body = raw
    }
    const url = new URL(req.url ?? '/', base)
    const method = (req.method ?? 'GET').toUpperCase()
    const auth = req.headers.authorization
    const entry: GitHubRequest = { method, path: `${url.pathname}${url.search}`, status: 0 }
    if (body !== undefined) entry.body = body
    if (auth !== undefined) entry.authorization = auth
    log.push(entry)
    let fault = takeFault(method, url.pathname)
    const reply = (): void => {
      opts.onRequest?.({ ...entry })
      let out: Reply
      if (fault) out = faultReply(fault)
      else if (!auth)
        out = { status: 401, body: { message: 'Requires authentication', documentation_url: DOCS } }
      else {
        entry.login = identity(auth)
        out = route(method, url, entry.login, body)
      }
      entry.status = out.status
      res.writeHead(out.status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-request-id': `STANDIN:${log.length}`,
        ...out.headers
      })
      res.end(out.body === undefined ? undefined : JSON.stringify(out.body))
    }
    if (fault?.kind === 'reset') {
      req.socket.destroy()
      return
    }
    if (fault?.kind === 'hang') return
    if (fault?.kind === 'delay') {
      const ms = fault.delayMs ?? 1000
      fault = undefined
      setTimeout(reply, ms)
      return
    }
    reply()
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      answer(req, res, Buffer.concat(chunks).toString('utf8'))
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
        // Also ends the requests left hanging by a 'hang' fault.
        server.closeAllConnections()
      }),
    comments: issueNumber =>
      comments
        .filter(c => issueNumber === undefined || c.issueNumber === issueNumber)
        .map(c => ({ ...c, user: { ...c.user } })),
    issues: () =>
      issues.map(i => ({ ...i, user: { ...i.user }, ...(i.pull ? { pull: { ...i.pull } } : {}) })),
    requests: () => log.map(r => ({ ...r })),
    setReadOnly: v => {
      readOnly = v
    },
    addComment: c => ({
      ...createComment(seedOwner, seedRepo, c.issueNumber, c.body, c.login ?? ACTIONS_BOT)
    }),
    addIssue: i => ({ ...createIssue(seedOwner, seedRepo, i) }),
    addPullRequest: p => ({ ...addPullRequest(p) }),
    addFault: f => {
      faults.push({ spec: { ...f }, left: f.count ?? 1 })
    },
    clearFaults: () => {
      faults = []
    },
    addCommit: c => {
      addCommits([c])
    },
    setBranchHead: (branch, sha) => {
      if (!commitGraph.has(sha.toLowerCase())) addCommits([{ sha }])
      runs.setBranchHead(branch, sha)
    },
    branchHead: branch => runs.branchHead(branch),
    editComment: (id, body, login) => {
      const c = comments.find(x => x.id === id)
      if (!c) throw new Error(`no comment ${id}`)
      c.body = body
      c.updated_at = now()
      c.lastEditedAt = c.updated_at
      c.editor = login
      return { ...c, user: { ...c.user } }
    },
    labels: () => runs.labels(),
    checkRuns: headSha =>
      checkRuns
        .filter(c => headSha === undefined || c.head_sha === headSha)
        .map(c => ({ ...c, annotations: c.annotations.map(a => ({ ...a })) })),
    addCommits
  }
}

// ---- Commits, branches, labels and comment edits: the routes of runs over time ----

const SHA_RE = /^[0-9a-f]{40}$/

/**
 * The stand-in's state across runs: commits with branch heads, answering `GET commits/{ref}` (the compare
 * reads the one commit graph, resolving branch names here); the repository's labels (`GET`/`POST labels`,
 * `POST issues/{n}/labels`); and GraphQL `nodes(ids:)` with each comment's `lastEditedAt` and `editor`.
 */
function runsOverTime() {
  const commits = new Map<string, { parent?: string; files: ChangedFile[]; at: string }>()
  const branches = new Map<string, string>()
  const labels: StoredLabel[] = []
  let nextLabelId = 7_000_001

  const addCommit = (c: SeedCommit): void => {
    const sha = c.sha.toLowerCase()
    commits.set(sha, {
      ...(c.parent !== undefined ? { parent: c.parent.toLowerCase() } : {}),
      files: (c.files ?? []).map(f => ({ ...f })),
      at: now()
    })
  }
  const setBranchHead = (branch: string, sha: string): void => {
    if (!commits.has(sha.toLowerCase())) addCommit({ sha })
    branches.set(branch, sha.toLowerCase())
  }
  const findLabel = (name: string): StoredLabel | undefined =>
    labels.find(l => l.name.toLowerCase() === name.toLowerCase())
  const createLabel = (name: string, color = 'ededed', description: string | null = null): StoredLabel => {
    const label = { id: nextLabelId++, name, color, description }
    labels.push(label)
    return label
  }
  const labelView = (name: string): Record<string, unknown> => {
    const l = findLabel(name) ?? createLabel(name)
    return { id: l.id, name: l.name, color: l.color, description: l.description, default: false }
  }
  const labelIssue = (issue: { labels: string[] }, name: string): void => {
    const l = findLabel(name) ?? createLabel(name)
    if (!issue.labels.includes(l.name)) issue.labels.push(l.name)
  }
  const commitView = (sha: string): Record<string, unknown> => {
    const c = commits.get(sha)!
    return {
      sha,
      node_id: `C_${sha.slice(0, 12)}`,
      commit: { message: `commit ${sha.slice(0, 7)}`, committer: { date: c.at } },
      parents: c.parent !== undefined ? [{ sha: c.parent }] : [],
      html_url: `https://github.com/acme/indexes/commit/${sha}`,
      files: c.files.map(f => ({ ...f }))
    }
  }
  function route(
    method: string,
    rest: string,
    body: unknown,
    readOnly: boolean,
    issueOf: (n: string) => { labels: string[] } | undefined
  ): Reply | undefined {
    const commit = /^\/commits\/([^/]+)$/.exec(rest)
    if (commit && method === 'GET') {
      const ref = decodeURIComponent(commit[1]!)
      const sha = branches.get(ref) ?? (SHA_RE.test(ref.toLowerCase()) ? ref.toLowerCase() : undefined)
      if (sha === undefined || !commits.has(sha)) {
        return { status: 422, body: { message: `No commit found for SHA: ${ref}`, documentation_url: DOCS } }
      }
      return { status: 200, body: commitView(sha) }
    }
    if (rest === '/labels' && method === 'POST') {
      if (readOnly) return FORBIDDEN
      const name = typeof field(body, 'name') === 'string' ? (field(body, 'name') as string) : ''
      if (name === '') return { status: 422, body: { message: 'Validation Failed', documentation_url: DOCS } }
      if (findLabel(name)) {
        return {
          status: 422,
          body: {
            message: 'Validation Failed',
            errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }],
            documentation_url: DOCS
          }
        }
      }
      const color = text(body, 'color')
      const description = text(body, 'description')
      createLabel(name, color ?? 'ededed', description ?? null)
      return { status: 201, body: labelView(name) }
    }
    const label = /^\/labels\/([^/]+)$/.exec(rest)
    if (label && method === 'GET') {
      const name = decodeURIComponent(label[1]!)
      return findLabel(name) ? { status: 200, body: labelView(name) } : NOT_FOUND
    }
    const issueLabels = /^\/issues\/(\d+)\/labels$/.exec(rest)
    if (issueLabels && method === 'POST') {
      if (readOnly) return FORBIDDEN
      const issue = issueOf(issueLabels[1]!)
      if (!issue) return NOT_FOUND
      const names = field(body, 'labels')
      for (const n of Array.isArray(names) ? names : []) if (typeof n === 'string') labelIssue(issue, n)
      return { status: 200, body: issue.labels.map(labelView) }
    }
    return undefined
  }

  /** GraphQL `nodes(ids: $ids)` on issue comments: their edit information. */
  function commentEdits(all: readonly StoredComment[], variables: unknown): Reply {
    const ids = field(variables, 'ids')
    if (!Array.isArray(ids)) {
      return { status: 200, body: { errors: [{ type: 'INVALID', message: 'Variable $ids is required' }] } }
    }
    const nodes = ids.map(id => {
      const c = all.find(x => x.node_id === id)
      if (!c) return null
      return {
        id: c.node_id,
        lastEditedAt: c.lastEditedAt ?? null,
        // GraphQL names a bot without its [bot] suffix.
        editor: c.editor !== undefined ? { login: c.editor.replace(/\[bot\]$/, '') } : null
      }
    })
    return { status: 200, body: { data: { nodes } } }
  }

  return {
    addCommit,
    setBranchHead,
    branchHead: (branch: string) => branches.get(branch),
    labels: () => labels.map(l => ({ ...l })),
    labelIssue,
    labelView,
    route,
    commentEdits
  }
}
