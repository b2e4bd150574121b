// Deploy what was reviewed (docs/rules.md#deploy-what-was-reviewed) and publishing reports
// (docs/rules.md#publishing-reports) on the GitHub side: the review line rendered and read back as untrusted
// input; the review found on the merged PR of a commit, only in the token identity's comment; a PR's head
// read for publishing.
import { describe, expect, it } from 'vitest'
import { type GitHubStandIn } from '../../src/emulator/github.js'
import { GitHubCallError, type GitHubTiming } from '../../src/github/client.js'
import { findReview, getPullRequest } from '../../src/github/review.js'
import { MAX_REVIEW_LINE, parseReviewLine, reviewLine, type ReviewLine } from '../../src/github/reviewline.js'
import { commentMarker } from '../../src/report/comment.js'
import { useServers } from '../helpers/servers.js'

// Safety bounds a busy machine never reaches; the pause unit is 1 ms, so no retry waits.
const FAST: GitHubTiming = { callTimeoutMs: 10_000, stepTimeoutMs: 30_000, pauseMs: 1 }
const HEAD = 'a'.repeat(40)
const MERGE = 'b'.repeat(40)
const HASH = 'c'.repeat(64)
const REVIEW: ReviewLine = {
  v: 1,
  headSha: HEAD,
  runId: '4242',
  objects: { '0b4f0ac2-8f0e-4e2a-9d3c-6d1b1f6e2a11': { payloadHash: HASH, basedOnVersion: 3 } }
}

const servers = useServers()

const config = (gh: GitHubStandIn) => ({ token: 'ghs_review_token', baseUrl: gh.url, timing: FAST })
const comment = (text: string, review: ReviewLine = REVIEW): string =>
  `${commentMarker('default')}\n${text}\n${reviewLine(review)}`

describe('the review line', () => {
  it('reads back what it renders', () => {
    const line = reviewLine(REVIEW)
    expect(line).toMatch(/^<!-- custom-object-index-review:\{"v":1,.*\} -->$/)
    expect(parseReviewLine(comment('body'))).toEqual(REVIEW)
  })

  it('cannot be closed early by a value', () => {
    const odd = { ...REVIEW, headSha: '', runId: 'x-->y<b>&' }
    const line = reviewLine(odd)
    expect(line.indexOf('-->')).toBe(line.length - 3)
    expect(line.slice(4, -3)).not.toMatch(/[<>&]/)
    expect(JSON.parse(line.slice('<!-- custom-object-index-review:'.length, -4))).toEqual(odd)
  })

  it('is read from the last line, trailing blank lines aside', () => {
    expect(parseReviewLine(`${comment('body')}\n\n  \n`)).toEqual(REVIEW)
    expect(parseReviewLine(`${reviewLine(REVIEW)}\nsomething after`)).toEqual({
      problem: 'its last line is not a review line'
    })
  })

  it.each([
    ['not JSON', '<!-- custom-object-index-review:{"v":1, -->', 'its review line is not JSON'],
    ['not closed', '<!-- custom-object-index-review:{"v":1}', 'its review line is not closed by -->'],
    [
      'an unknown key',
      `<!-- custom-object-index-review:${JSON.stringify({ ...REVIEW, extra: '<script>' })} -->`,
      'its review line is malformed: unknown keys'
    ],
    [
      'an unknown key in an object',
      `<!-- custom-object-index-review:${JSON.stringify({ ...REVIEW, objects: { t1: { payloadHash: HASH, basedOnVersion: 1, note: 'x' } } })} -->`,
      'its review line is malformed at objects.t1: unknown keys'
    ],
    [
      'another version',
      `<!-- custom-object-index-review:${JSON.stringify({ ...REVIEW, v: 2 })} -->`,
      'its review line is malformed at v'
    ],
    [
      'a hash that is not SHA-256 hex',
      `<!-- custom-object-index-review:${JSON.stringify({ ...REVIEW, objects: { t1: { payloadHash: 'abc', basedOnVersion: 1 } } })} -->`,
      'its review line is malformed at objects.t1.payloadHash: a SHA-256 hex hash'
    ],
    [
      'a key that is no object id',
      `<!-- custom-object-index-review:${JSON.stringify({ ...REVIEW, objects: { '../x <b>': { payloadHash: HASH, basedOnVersion: 1 } } })} -->`,
      'its review line is malformed at objects.(key)'
    ],
    [
      'a fractional version',
      `<!-- custom-object-index-review:${JSON.stringify({ ...REVIEW, objects: { t1: { payloadHash: HASH, basedOnVersion: 1.5 } } })} -->`,
      'its review line is malformed at objects.t1.basedOnVersion'
    ]
  ])('refuses %s', (_name, line, problem) => {
    const r = parseReviewLine(`${commentMarker('default')}\n${line}`)
    expect(r).toHaveProperty('problem')
    expect((r as { problem: string }).problem.startsWith(problem)).toBe(true)
    expect((r as { problem: string }).problem).not.toContain('<')
  })

  it('refuses an oversized line before parsing it', () => {
    const line = `<!-- custom-object-index-review:{"v":1,"pad":"${'x'.repeat(MAX_REVIEW_LINE)}"} -->`
    expect(parseReviewLine(line)).toEqual({
      problem: `its review line is longer than ${MAX_REVIEW_LINE} characters`
    })
  })

  it('refuses more objects than a comment can hold', () => {
    const objects = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [`o${i}`, { payloadHash: HASH, basedOnVersion: 1 }])
    )
    const r = parseReviewLine(reviewLine({ ...REVIEW, objects }))
    expect(r).toEqual({ problem: `its review line is longer than ${MAX_REVIEW_LINE} characters` })
  })
})

describe('findReview', () => {
  const merged = { number: 31, headSha: HEAD, merged: true, mergeCommitSha: MERGE }

  it('reads the review line of our comment on the merged PR of the pushed commit', async () => {
    const gh = await servers.github({
      pullRequests: [merged],
      seedComments: [{ issueNumber: 31, body: comment('reviewed') }]
    })
    const r = await findReview(config(gh), { owner: 'acme', repo: 'indexes', sha: MERGE, key: 'default' })
    expect(r).toEqual({ pullRequest: 31, review: REVIEW })
    expect(gh.requests()[0]!.path).toBe(`/repos/acme/indexes/commits/${MERGE}/pulls?per_page=100`)
  })

  it('takes only the merged PR of several', async () => {
    const gh = await servers.github({
      pullRequests: [{ number: 40, headSha: 'd'.repeat(40), commits: [MERGE] }, merged],
      seedComments: [
        { issueNumber: 40, body: comment('open one', { ...REVIEW, runId: '1' }) },
        { issueNumber: 31, body: comment('merged one') }
      ]
    })
    const r = await findReview(config(gh), { owner: 'acme', repo: 'indexes', sha: MERGE, key: 'default' })
    expect(r).toMatchObject({ pullRequest: 31, review: { runId: '4242' } })
  })

  it('finds no review when no merged PR holds the commit', async () => {
    const gh = await servers.github({ pullRequests: [{ number: 40, headSha: HEAD }] })
    const r = await findReview(config(gh), { owner: 'acme', repo: 'indexes', sha: HEAD, key: 'default' })
    expect(r).toEqual({ pullRequest: null, problem: 'no merged pull request contains commit aaaaaaa' })
  })

  it('ignores a review line planted by another user', async () => {
    const gh = await servers.github({
      pullRequests: [merged],
      seedComments: [{ issueNumber: 31, body: comment('forged'), login: 'mallory' }]
    })
    const r = await findReview(config(gh), { owner: 'acme', repo: 'indexes', sha: MERGE, key: 'default' })
    expect(r).toEqual({
      pullRequest: 31,
      problem: "pull request #31 has no comment-key 'default' comment by github-actions"
    })
  })

  it('reads the oldest of our comments when a race left two, and another user’s older one not at all', async () => {
    const gh = await servers.github({
      pullRequests: [merged],
      seedComments: [
        { issueNumber: 31, body: comment('forged', { ...REVIEW, runId: '666' }), login: 'mallory' },
        { issueNumber: 31, body: comment('ours', { ...REVIEW, runId: '1' }) },
        { issueNumber: 31, body: comment('ours later', { ...REVIEW, runId: '2' }) }
      ]
    })
    const r = await findReview(config(gh), { owner: 'acme', repo: 'indexes', sha: MERGE, key: 'default' })
    expect(r.review?.runId).toBe('1')
  })

  it.each([
    ['another user, even to the same text', 'mallory', false],
    ["the token's own identity", 'github-actions[bot]', true]
  ])('counts our comment edited by %s only when the editor is us', async (_who, editor, counts) => {
    const gh = await servers.github({
      pullRequests: [merged],
      seedComments: [{ issueNumber: 31, body: comment('ours') }]
    })
    const [c] = gh.comments(31)
    gh.editComment(c!.id, c!.body, editor)
    const r = await findReview(config(gh), { owner: 'acme', repo: 'indexes', sha: MERGE, key: 'default' })
    if (counts) expect(r).toEqual({ pullRequest: 31, review: REVIEW })
    else {
      expect(r).toEqual({
        pullRequest: 31,
        problem:
          "pull request #31 has no comment-key 'default' comment by github-actions left as github-actions wrote it (it was edited by someone else since)"
      })
    }
  })

  it('finds no review when GraphQL cannot say who the token is or who edited the comment', async () => {
    const gh = await servers.github({
      pullRequests: [merged],
      seedComments: [{ issueNumber: 31, body: comment('ours') }],
      faults: [{ path: '/graphql', kind: 'status', status: 502, count: 8 }]
    })
    const r = await findReview(config(gh), { owner: 'acme', repo: 'indexes', sha: MERGE, key: 'default' })
    expect(r.review).toBeUndefined()
    expect(r.problem).toMatch(/^the review could not be looked up: GitHub answered 502/)
  })

  it('names a malformed review line as the problem', async () => {
    const gh = await servers.github({
      pullRequests: [merged],
      seedComments: [{ issueNumber: 31, body: `${commentMarker('default')}\nno line` }]
    })
    const r = await findReview(config(gh), { owner: 'acme', repo: 'indexes', sha: MERGE, key: 'default' })
    expect(r).toEqual({
      pullRequest: 31,
      problem: 'the comment on pull request #31: its last line is not a review line'
    })
  })

  it('never throws: a failure is the problem', async () => {
    const gh = await servers.github({
      pullRequests: [merged],
      faults: [{ path: '/repos/acme/indexes/issues/31/comments', kind: 'status', status: 503, count: 9 }]
    })
    const r = await findReview(config(gh), { owner: 'acme', repo: 'indexes', sha: MERGE, key: 'default' })
    expect(r).toEqual({
      pullRequest: 31,
      problem:
        'the review could not be looked up: GitHub answered 503 Service Unavailable on listing the comments of acme/indexes#31 after 4 attempts'
    })
  })

  it('asks nothing for a commit that is not a SHA', async () => {
    const gh = await servers.github()
    const r = await findReview(config(gh), { owner: 'acme', repo: 'indexes', sha: 'main', key: 'default' })
    expect(r.pullRequest).toBeNull()
    expect(gh.requests()).toEqual([])
  })
})

describe('getPullRequest', () => {
  it('reads the head SHA and state', async () => {
    const gh = await servers.github({ pullRequests: [{ number: 12, headSha: HEAD }] })
    expect(await getPullRequest(config(gh), { owner: 'acme', repo: 'indexes', number: 12 })).toEqual({
      number: 12,
      headSha: HEAD,
      state: 'open',
      merged: false
    })
  })

  it.each([
    ['a missing PR', { kind: 'status' as const, status: 404 }, 'permission'],
    ['a 401', { kind: 'status' as const, status: 401, body: { message: 'Bad credentials' } }, 'auth'],
    ['a lasting 502', { kind: 'status' as const, status: 502, count: 9 }, 'server'],
    ['a lasting secondary rate limit', { kind: 'secondary-rate-limit' as const, count: 9 }, 'rate-limited'],
    ['lasting resets', { kind: 'reset' as const, count: 9 }, 'unreachable'],
    ['a 422', { kind: 'status' as const, status: 422 }, 'invalid'],
    ['a 403 of another kind', { kind: 'status' as const, status: 403 }, 'permission']
  ])('throws a GitHubCallError for %s, of kind %s', async (_name, fault, kind) => {
    const gh = await servers.github({
      pullRequests: [{ number: 12, headSha: HEAD }],
      faults: [{ path: '/repos/acme/indexes/pulls/12', ...fault }]
    })
    const err = await getPullRequest(config(gh), { owner: 'acme', repo: 'indexes', number: 12 }).catch(
      (e: unknown) => e
    )
    expect(err).toBeInstanceOf(GitHubCallError)
    expect((err as GitHubCallError).kind).toBe(kind)
    expect((err as Error).message).toContain('on reading pull request acme/indexes#12')
  })

  it('throws a timeout GitHubCallError when GitHub never answers', async () => {
    const gh = await servers.github({
      faults: [{ path: '/repos/acme/indexes/pulls/12', kind: 'hang', count: 9 }]
    })
    const err = await getPullRequest(
      { ...config(gh), timing: { callTimeoutMs: 200, stepTimeoutMs: 3_000, pauseMs: 1 } },
      { owner: 'acme', repo: 'indexes', number: 12 }
    ).catch((e: unknown) => e)
    expect((err as GitHubCallError).kind).toBe('timeout')
    expect((err as Error).message).toBe(
      'GitHub did not answer within 0.2 s on reading pull request acme/indexes#12 after 4 attempts'
    )
  })
})
