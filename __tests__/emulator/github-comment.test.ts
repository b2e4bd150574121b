// The sticky PR comment against the GitHub stand-in over real sockets: ours only when the marker is its first
// line and the token's identity wrote it, edited in place, found on any page, racing runs converged on the
// oldest; every GitHub failure retried or reported as a warning that says what failed and why.
import { describe, expect, it } from 'vitest'
import { type GitHubFault, type GitHubStandIn } from '../../src/emulator/github.js'
import { postStickyComment, type StickyCommentResult } from '../../src/github/comment.js'
import { type GitHubTiming, timingFromEnv, DEFAULT_TIMING } from '../../src/github/client.js'
import { firstLine, ownedBy, safeUrl, sameLogin, withMarker } from '../../src/github/ownership.js'
import { commentMarker } from '../../src/report/comment.js'
import { useServers } from '../helpers/servers.js'

const TOKEN = 'ghs_comment_test_token'
/** Short bounds; the pause unit of 1 ms makes retries and write spacing instant. */
const FAST: GitHubTiming = { callTimeoutMs: 2_000, stepTimeoutMs: 8_000, pauseMs: 1 }
const MARKER = commentMarker('default')
const ISSUE = { owner: 'acme', repo: 'indexes', issueNumber: 7 }
const COMMENTS = '/repos/acme/indexes/issues/7/comments'

const servers = useServers()

const body = (text: string, key = 'default'): string => `${commentMarker(key)}\n${text}`

function post(
  gh: GitHubStandIn,
  text: string,
  extra: { key?: string; token?: string; timing?: GitHubTiming } = {}
): Promise<StickyCommentResult> {
  return postStickyComment(
    { token: extra.token ?? TOKEN, baseUrl: gh.url, timing: extra.timing ?? FAST },
    { ...ISSUE, key: extra.key ?? 'default', body: body(text, extra.key) }
  )
}

function count(gh: GitHubStandIn, method: string, path = COMMENTS): number {
  return gh.requests().filter(r => r.method === method && r.path.split('?')[0] === path).length
}

function writes(gh: GitHubStandIn): string[] {
  return gh
    .requests()
    .filter(r => r.method !== 'GET' && r.path !== '/graphql')
    .map(r => `${r.method} ${r.path}`)
}

describe('ownership rules', () => {
  it('compares logins without the [bot] suffix and without case', () => {
    expect(sameLogin('github-actions[bot]', 'github-actions')).toBe(true)
    expect(sameLogin('Octocat', 'octocat')).toBe(true)
    expect(sameLogin('github-actions-evil', 'github-actions')).toBe(false)
    expect(sameLogin('octocat[bot]', 'github-actions')).toBe(false)
  })

  it('keeps the viewer’s items, oldest first, and skips deleted authors', () => {
    const items = [
      { id: 9, login: 'github-actions[bot]' },
      { id: 3, login: 'mallory' },
      { id: 5, login: 'github-actions[bot]' },
      { id: 1 }
    ]
    expect(ownedBy(items, 'github-actions').map(i => i.id)).toEqual([5, 9])
  })

  it('puts the marker first only when it is not already', () => {
    expect(withMarker(MARKER, 'text')).toBe(`${MARKER}\ntext`)
    expect(withMarker(MARKER, `${MARKER}\ntext`)).toBe(`${MARKER}\ntext`)
    expect(firstLine(`${MARKER}\r\nrest`)).toBe(MARKER)
  })

  it('accepts only plain http(s) addresses from GitHub', () => {
    expect(safeUrl('https://github.com/acme/indexes/pull/7#issuecomment-1')).toBeDefined()
    expect(safeUrl('javascript:alert(1)')).toBeUndefined()
    expect(safeUrl('https://x\n::error::boom')).toBeUndefined()
    expect(safeUrl(42)).toBeUndefined()
  })

  it('reads the time bounds from one environment variable, defaults otherwise', () => {
    expect(timingFromEnv({})).toEqual(DEFAULT_TIMING)
    expect(DEFAULT_TIMING).toMatchObject({ callTimeoutMs: 60_000, stepTimeoutMs: 180_000 })
    expect(timingFromEnv({ CUSTOM_OBJECT_INDEX_GITHUB_TIMEOUT_MS: '1200' })).toEqual({
      callTimeoutMs: 1200,
      stepTimeoutMs: 3600,
      pauseMs: 20
    })
    expect(timingFromEnv({ CUSTOM_OBJECT_INDEX_GITHUB_TIMEOUT_MS: 'soon' })).toEqual(DEFAULT_TIMING)
  })
})

describe('postStickyComment', () => {
  it('creates the comment with the marker as its first line when none is ours', async () => {
    const gh = await servers.github({ seedComments: [{ issueNumber: 7, body: 'an unrelated comment' }] })
    const r = await post(gh, 'one')
    expect(r.action).toBe('created')
    expect(r.warning).toBeUndefined()
    const mine = gh.comments(7).filter(c => firstLine(c.body) === MARKER)
    expect(mine).toHaveLength(1)
    expect(r.url).toBe(mine[0]!.html_url)
    expect(mine[0]!.user.login).toBe('github-actions[bot]')
  })

  it('adds the marker to a body that lacks it', async () => {
    const gh = await servers.github()
    await postStickyComment(
      { token: TOKEN, baseUrl: gh.url, timing: FAST },
      { ...ISSUE, key: 'k', body: 'plain' }
    )
    expect(gh.comments(7)[0]!.body).toBe(`${commentMarker('k')}\nplain`)
  })

  it('edits ours in place on a later run', async () => {
    const gh = await servers.github()
    const first = await post(gh, 'old')
    const second = await post(gh, 'new')
    expect(second).toEqual({ url: first.url, action: 'updated' })
    expect(gh.comments(7).map(c => c.body)).toEqual([body('new')])
    expect(count(gh, 'POST')).toBe(1)
  })

  it('leaves an unchanged comment alone', async () => {
    const gh = await servers.github({ seedComments: [{ issueNumber: 7, body: body('same') }] })
    const r = await post(gh, 'same')
    expect(r.action).toBe('unchanged')
    expect(writes(gh)).toEqual([])
  })

  it('writes our comment again when another user edited it, even to the same text, so we are its last editor', async () => {
    const gh = await servers.github({ seedComments: [{ issueNumber: 7, body: body('same') }] })
    const [c] = gh.comments(7)
    gh.editComment(c!.id, body('same'), 'mallory')
    expect((await post(gh, 'same')).action).toBe('updated')
    expect(gh.comments(7)[0]).toMatchObject({ body: body('same'), editor: 'github-actions[bot]' })
    expect((await post(gh, 'same')).action).toBe('unchanged')
  })

  it('matches the marker only on the first line', async () => {
    const gh = await servers.github({
      seedComments: [{ issueNumber: 7, body: `quoting:\n${MARKER}\nsomething` }]
    })
    expect((await post(gh, 'x')).action).toBe('created')
    expect(gh.comments(7)).toHaveLength(2)
  })

  it('keeps one comment per comment-key', async () => {
    const gh = await servers.github()
    await post(gh, '1', { key: 'ticket' })
    await post(gh, '1', { key: 'account' })
    await post(gh, '2', { key: 'ticket' })
    expect(gh.comments(7).map(c => c.body)).toEqual([body('2', 'ticket'), body('1', 'account')])
  })

  it('never edits or deletes a marked comment planted by another user, and creates ours', async () => {
    const gh = await servers.github({
      seedComments: [{ issueNumber: 7, body: body('planted'), login: 'mallory' }]
    })
    const planted = gh.comments(7)[0]!
    const r = await post(gh, 'ours')
    expect(r.action).toBe('created')
    expect(gh.comments(7).find(c => c.id === planted.id)!.body).toBe(body('planted'))
    expect(writes(gh)).toEqual([`POST ${COMMENTS}`])
    // The next run edits ours, still not theirs.
    await post(gh, 'ours again')
    expect(gh.comments(7).map(c => [c.user.login, c.body])).toEqual([
      ['mallory', body('planted')],
      ['github-actions[bot]', body('ours again')]
    ])
  })

  it('takes the author from the token: a personal token’s comments are its own, not the bot’s', async () => {
    const gh = await servers.github({
      identities: { ghp_personal_token: 'octocat' },
      seedComments: [
        { issueNumber: 7, body: body('bot'), login: 'github-actions[bot]' },
        { issueNumber: 7, body: body('mine'), login: 'octocat' }
      ]
    })
    const r = await post(gh, 'new', { token: 'ghp_personal_token' })
    expect(r.action).toBe('updated')
    expect(gh.comments(7).map(c => [c.user.login, c.body])).toEqual([
      ['github-actions[bot]', body('bot')],
      ['octocat', body('new')]
    ])
  })

  it('finds ours on a later page among more than 100 comments and updates it in place', async () => {
    const chatter = Array.from({ length: 150 }, (_, i) => ({ issueNumber: 7, body: `chatter ${i}` }))
    const gh = await servers.github({ seedComments: [...chatter, { issueNumber: 7, body: body('old') }] })
    const r = await post(gh, 'new')
    expect(r.action).toBe('updated')
    expect(count(gh, 'GET')).toBe(2)
    expect(gh.requests().some(q => q.path.includes('page=2'))).toBe(true)
    expect(count(gh, 'POST')).toBe(0)
    expect(gh.comments(7)).toHaveLength(151)
  })

  it('removes the duplicates a past race left, keeping the oldest', async () => {
    const gh = await servers.github({
      seedComments: [
        { issueNumber: 7, body: body('first') },
        { issueNumber: 7, body: body('second') }
      ]
    })
    const [oldest, newer] = gh.comments(7)
    const r = await post(gh, 'new')
    expect(r).toEqual({ url: oldest!.html_url, action: 'updated' })
    expect(gh.comments(7).map(c => [c.id, c.body])).toEqual([[oldest!.id, body('new')]])
    expect(count(gh, 'DELETE', `/repos/acme/indexes/issues/comments/${newer!.id}`)).toBe(1)
  })

  it('converges on the racing run’s older comment: updates it and deletes the one it created', async () => {
    let gh: GitHubStandIn | undefined = undefined
    gh = await servers.github({
      onRequest: q => {
        // Another run creates its comment between our listing and our create.
        if (q.method === 'POST' && q.path === COMMENTS && gh!.comments(7).length === 0) {
          gh!.addComment({ issueNumber: 7, body: body('theirs') })
        }
      }
    })
    const r = await post(gh, 'ours')
    const left = gh.comments(7)
    expect(left).toHaveLength(1)
    expect(left[0]!.body).toBe(body('ours'))
    expect(r).toEqual({ url: left[0]!.html_url, action: 'updated' })
    expect(count(gh, 'DELETE', `/repos/acme/indexes/issues/comments/${left[0]!.id + 1}`)).toBe(1)
  })

  it('converges on its own comment when the racing run’s is newer, deleting that one', async () => {
    let gh: GitHubStandIn | undefined = undefined
    let listed = 0
    gh = await servers.github({
      onRequest: q => {
        if (q.method === 'GET' && q.path.startsWith(COMMENTS) && ++listed === 2) {
          gh!.addComment({ issueNumber: 7, body: body('theirs') })
        }
      }
    })
    const r = await post(gh, 'ours')
    expect(r.action).toBe('created')
    expect(gh.comments(7).map(c => c.body)).toEqual([body('ours')])
  })

  it('treats a duplicate the other run already deleted as gone', async () => {
    const gh = await servers.github({
      seedComments: [
        { issueNumber: 7, body: body('first') },
        { issueNumber: 7, body: body('second') }
      ],
      faults: [
        { method: 'DELETE', path: '/repos/acme/indexes/issues/comments/*', kind: 'status', status: 404 }
      ]
    })
    const r = await post(gh, 'new')
    expect(r.action).toBe('updated')
    expect(r.warning).toBeUndefined()
  })

  it('leaves exactly one of our comments when two runs post at once', async () => {
    const gh = await servers.github()
    await Promise.all([post(gh, 'a'), post(gh, 'b'), post(gh, 'c')])
    expect(gh.comments(7).filter(c => firstLine(c.body) === MARKER)).toHaveLength(1)
  })

  it('posts nothing when the token’s identity cannot be read, and says so', async () => {
    const gh = await servers.github({
      seedComments: [{ issueNumber: 7, body: body('old') }],
      faults: [{ path: '/graphql', kind: 'status', status: 502, count: 10 }]
    })
    const r = await post(gh, 'new')
    expect(r.url).toBeUndefined()
    expect(r.warning).toMatch(
      /^The PR comment could not be posted: GitHub answered 502 Bad Gateway on reading the token's identity \(GraphQL viewer\) after 4 attempts\./
    )
    expect(writes(gh)).toEqual([])
    expect(gh.comments(7)[0]!.body).toBe(body('old'))
  })
})

describe('postStickyComment under GitHub faults', () => {
  async function faulted(...faults: GitHubFault[]): Promise<GitHubStandIn> {
    return servers.github({ faults })
  }

  it('retries a 502 on listing, then posts', async () => {
    const gh = await faulted({ method: 'GET', path: COMMENTS, kind: 'status', status: 502, count: 2 })
    const r = await post(gh, 'x')
    expect(r).toMatchObject({ action: 'created' })
    expect(r.warning).toBeUndefined()
    expect(
      gh
        .requests()
        .filter(q => q.method === 'GET')
        .map(q => q.status)
    ).toEqual([502, 502, 200, 200])
  })

  it('gives up on a lasting 500 after four attempts and says what failed', async () => {
    const gh = await faulted({ method: 'POST', path: COMMENTS, kind: 'status', status: 500, count: 99 })
    const r = await post(gh, 'x')
    expect(r.url).toBeUndefined()
    expect(r.warning).toBe(
      'The PR comment could not be posted: GitHub answered 500 Internal Server Error on creating the PR ' +
        'comment on acme/indexes#7 after 4 attempts. The results are in the job summary, the annotations and ' +
        'the report file.'
    )
    expect(count(gh, 'POST')).toBe(4)
  })

  it('never retries a 422 and repeats what GitHub said, the cause in its errors[].message included', async () => {
    const gh = await faulted({
      method: 'POST',
      path: COMMENTS,
      kind: 'status',
      status: 422,
      body: { message: 'Validation Failed', errors: [{ code: 'custom', message: 'body is too long' }] }
    })
    const r = await post(gh, 'x')
    expect(count(gh, 'POST')).toBe(1)
    expect(r.warning).toContain(
      'GitHub answered 422 Unprocessable Entity on creating the PR comment on acme/indexes#7: Validation Failed: body is too long.'
    )
  })

  it('calls a 403 without a rate limit a permission problem and names the permission', async () => {
    const gh = await servers.github({ readOnly: true })
    const r = await post(gh, 'x')
    expect(count(gh, 'POST')).toBe(1)
    expect(r.warning).toContain('GitHub answered 403 Forbidden on creating the PR comment on acme/indexes#7')
    expect(r.warning).toContain('Resource not accessible by integration')
    expect(r.warning).toContain('cannot write comments')
    expect(r.warning).toContain('pull-requests: write')
  })

  it('says the PR is not visible on a 404, instead of asking for a permission', async () => {
    const gh = await faulted({ method: 'GET', path: COMMENTS, kind: 'status', status: 404 })
    const r = await post(gh, 'x')
    expect(r.warning).toContain(
      `GitHub answered 404 Not Found on listing the comments of acme/indexes#7: Not Found. The pull request or its repository is not visible to the token.`
    )
    expect(r.warning).not.toContain('pull-requests: write')
  })

  it('waits out the secondary rate limit for its retry-after, then posts', async () => {
    const gh = await faulted({ method: 'POST', path: COMMENTS, kind: 'secondary-rate-limit', retryAfter: 1 })
    const r = await post(gh, 'x')
    expect(r).toMatchObject({ action: 'created' })
    expect(
      gh
        .requests()
        .filter(q => q.method === 'POST' && q.path === COMMENTS)
        .map(q => q.status)
    ).toEqual([403, 201])
  })

  it('reads a 403 with retry-after under another message as a rate limit too', async () => {
    const gh = await faulted({
      method: 'POST',
      path: COMMENTS,
      kind: 'status',
      status: 403,
      body: { message: 'You have triggered an abuse detection mechanism.' },
      retryAfter: 1
    })
    expect((await post(gh, 'x')).action).toBe('created')
    expect(count(gh, 'POST')).toBe(2)
  })

  it('retries a bare 429', async () => {
    const gh = await faulted({ method: 'GET', path: COMMENTS, kind: 'status', status: 429, retryAfter: 1 })
    expect((await post(gh, 'x')).action).toBe('created')
  })

  it('retries once the primary rate limit has reset', async () => {
    const gh = await faulted({
      method: 'GET',
      path: COMMENTS,
      kind: 'status',
      status: 403,
      body: { message: 'API rate limit exceeded for installation ID 1.' },
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) - 5)
      }
    })
    expect((await post(gh, 'x')).action).toBe('created')
  })

  it('fails at once when the rate limit asks for a wait longer than the step has left, naming it', async () => {
    const gh = await faulted({
      method: 'POST',
      path: COMMENTS,
      kind: 'secondary-rate-limit',
      retryAfter: 600
    })
    const r = await post(gh, 'x')
    expect(count(gh, 'POST')).toBe(1)
    expect(r.warning).toMatch(
      /GitHub's rate limit asked to wait 600 s on creating the PR comment on acme\/indexes#7, more than the \d+ s left of the step's 8 s bound/
    )
  })

  it('calls a 401 a refused token and does not retry it', async () => {
    const gh = await faulted({
      path: '/graphql',
      kind: 'status',
      status: 401,
      body: { message: 'Bad credentials' },
      count: 9
    })
    const r = await post(gh, 'x')
    expect(count(gh, 'POST', '/graphql')).toBe(1)
    expect(r.warning).toContain(
      "GitHub refused the token (401 Unauthorized: Bad credentials) on reading the token's identity"
    )
  })

  it('retries a connection reset, then posts', async () => {
    const gh = await faulted({ method: 'POST', path: COMMENTS, kind: 'reset' })
    const r = await post(gh, 'x')
    expect(r.action).toBe('created')
    // The reset create never reached GitHub's store; the retry did, once.
    expect(gh.comments(7)).toHaveLength(1)
  })

  it('reports GitHub as unreachable when every attempt is reset', async () => {
    const gh = await faulted({ path: COMMENTS, kind: 'reset', count: 99 })
    const r = await post(gh, 'x')
    expect(r.warning).toMatch(
      /^The PR comment could not be posted: GitHub could not be reached on listing the comments of acme\/indexes#7 after 4 attempts \(/
    )
  })

  it('aborts a call that gets no answer within its bound and retries it', async () => {
    const gh = await faulted({ method: 'GET', path: COMMENTS, kind: 'hang' })
    const r = await post(gh, 'x', { timing: { callTimeoutMs: 300, stepTimeoutMs: 5_000, pauseMs: 1 } })
    expect(r.action).toBe('created')
    expect(
      gh
        .requests()
        .filter(q => q.method === 'GET')
        .map(q => q.status)
    ).toEqual([0, 200, 200])
  })

  it('stops at the step’s bound when GitHub never answers', async () => {
    const gh = await faulted({ path: COMMENTS, kind: 'hang', count: 99 })
    const r = await post(gh, 'x', { timing: { callTimeoutMs: 400, stepTimeoutMs: 1_000, pauseMs: 1 } })
    expect(r.warning).toBe(
      "The PR comment could not be posted: the GitHub calls did not finish within the step's 1 s bound " +
        '(while listing the comments of acme/indexes#7). The results are in the job summary, the ' +
        'annotations and the report file.'
    )
    expect(count(gh, 'GET')).toBeLessThanOrEqual(3)
  })

  it('never lets the token into a warning, even when GitHub repeats it', async () => {
    const gh = await faulted({
      method: 'POST',
      path: COMMENTS,
      kind: 'status',
      status: 422,
      body: { message: `token ${TOKEN} is odd\n::error::injected` }
    })
    const r = await post(gh, 'x')
    expect(r.warning).not.toContain(TOKEN)
    expect(r.warning).toContain('token *** is odd ::error::injected')
    expect(r.warning).not.toContain('\n')
  })
})
