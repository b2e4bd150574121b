// docs/rules.md#drift-detection on the GitHub side: one drift issue per repository and comment-key, ours by
// label, marker and author, found in any state; created, updated in place, reopened, closed with a comment;
// racing runs converge on the oldest; an issue an earlier version left without the label is adopted once; a
// failure is a warning, never an exception.
import { describe, expect, it } from 'vitest'
import { type GitHubStandIn } from '../../src/emulator/github.js'
import type { GitHubTiming } from '../../src/github/client.js'
import { DRIFT_LABEL, driftMarker, syncDriftIssue, type DriftIssueArgs } from '../../src/github/drift.js'
import { useServers } from '../helpers/servers.js'

// Safety bounds a busy machine never reaches; the pause unit is 1 ms, so no retry waits.
const FAST: GitHubTiming = { callTimeoutMs: 10_000, stepTimeoutMs: 30_000, pauseMs: 1 }
const MARKER = driftMarker('default')
const ISSUES = '/repos/acme/indexes/issues'

const servers = useServers()

function sync(gh: GitHubStandIn, drifted: boolean, extra: Partial<DriftIssueArgs> = {}) {
  return syncDriftIssue(
    { token: 'ghs_drift_token', baseUrl: gh.url, timing: FAST },
    {
      owner: 'acme',
      repo: 'indexes',
      key: 'default',
      drifted,
      title: 'Custom-object indexes drifted',
      body: 'idx_status is missing',
      ...extra
    }
  )
}

const marked = (text: string): string => `${MARKER}\n${text}`
/** The label every drift issue of this version carries. */
const LABELS = [DRIFT_LABEL]

function writes(gh: GitHubStandIn): string[] {
  return gh
    .requests()
    .filter(r => r.method !== 'GET' && r.path !== '/graphql')
    .map(r => `${r.method} ${r.path}`)
}

describe('syncDriftIssue', () => {
  it('opens an issue whose first line is the marker when drift appears', async () => {
    const gh = await servers.github()
    const r = await sync(gh, true)
    const [issue] = gh.issues()
    expect(r).toEqual({ url: issue!.html_url, action: 'created' })
    expect(issue).toMatchObject({
      title: 'Custom-object indexes drifted',
      body: marked('idx_status is missing'),
      state: 'open',
      user: { login: 'github-actions[bot]' }
    })
    expect(gh.requests().find(q => q.method === 'GET')!.path).toContain('state=all')
  })

  it('updates our open issue in place, and leaves it alone when nothing changed', async () => {
    const gh = await servers.github({ issues: [{ title: 'old', body: marked('old'), labels: LABELS }] })
    expect((await sync(gh, true)).action).toBe('updated')
    expect(gh.issues()).toHaveLength(1)
    expect(gh.issues()[0]!.body).toBe(marked('idx_status is missing'))
    expect((await sync(gh, true)).action).toBe('unchanged')
    expect(writes(gh)).toHaveLength(1)
  })

  it('reopens our closed issue when drift comes back', async () => {
    const gh = await servers.github({
      issues: [{ title: 'old', body: marked('old'), state: 'closed', labels: LABELS }]
    })
    const r = await sync(gh, true)
    expect(r.action).toBe('reopened')
    expect(gh.issues()[0]).toMatchObject({ state: 'open', body: marked('idx_status is missing') })
  })

  it('closes our open issue with a comment once the drift is gone', async () => {
    const gh = await servers.github({
      issues: [{ number: 3, title: 'drift', body: marked('old'), labels: LABELS }]
    })
    const r = await sync(gh, false)
    expect(r).toEqual({ url: 'https://github.com/acme/indexes/issues/3', action: 'closed' })
    expect(gh.issues()[0]!.state).toBe('closed')
    expect(gh.comments(3).map(c => c.body)).toEqual([
      'The drift is gone: the live indexes match the index files again. Closed by the custom-object-index action.'
    ])
  })

  it('does nothing without drift when no issue of ours is open', async () => {
    const gh = await servers.github({
      issues: [{ title: 'drift', body: marked('old'), state: 'closed', labels: LABELS }]
    })
    expect(await sync(gh, false)).toEqual({ action: 'none' })
    expect(writes(gh)).toEqual([])
  })

  it('without drift and without an issue of ours, only reads: no label, never every issue', async () => {
    const gh = await servers.github({ issues: [{ title: 'chatter', body: 'x' }] })
    for (let run = 0; run < 2; run++) expect(await sync(gh, false)).toEqual({ action: 'none' })
    expect(writes(gh)).toEqual([])
    expect(gh.requests().map(r => `${r.method} ${r.path.split('?')[0]}`)).toEqual(
      Array<string[]>(2).fill(['POST /graphql', 'GET /repos/acme/indexes/issues']).flat()
    )
  })

  it('creates the missing label on the first run with drift, and only once', async () => {
    const gh = await servers.github({ issues: [{ title: 'chatter', body: 'x' }] })
    expect((await sync(gh, true)).action).toBe('created')
    expect((await sync(gh, true)).action).toBe('unchanged')
    expect(writes(gh)).toEqual(['POST /repos/acme/indexes/labels', 'POST /repos/acme/indexes/issues'])
  })

  it('adopts an issue an earlier version opened without the label: labelled, then kept', async () => {
    const gh = await servers.github({ issues: [{ number: 5, title: 'drift', body: marked('old') }] })
    expect((await sync(gh, true)).action).toBe('updated')
    expect(gh.issues()).toHaveLength(1)
    expect(gh.issues()[0]).toMatchObject({ number: 5, labels: LABELS, body: marked('idx_status is missing') })
  })

  it('writes nothing when the drift is the same, and comments with the run only when it changed', async () => {
    const gh = await servers.github({
      issues: [{ number: 3, title: 'old', body: marked('old'), labels: LABELS }]
    })
    const run = '[run 7](https://github.com/acme/indexes/actions/runs/7)'
    expect((await sync(gh, true, { run })).action).toBe('updated')
    expect((await sync(gh, true, { run })).action).toBe('unchanged')
    expect(writes(gh)).toEqual([
      'PATCH /repos/acme/indexes/issues/3',
      'POST /repos/acme/indexes/issues/3/comments'
    ])
    expect(gh.comments(3).map(c => c.body)).toEqual([`The drift changed (${run}).`])
  })

  it('ignores issues by others that carry the marker, and pull requests', async () => {
    const gh = await servers.github({
      issues: [{ number: 1, title: 'planted', body: marked('planted'), login: 'mallory' }],
      pullRequests: [{ number: 2, headSha: 'a'.repeat(40) }]
    })
    expect((await sync(gh, true)).action).toBe('created')
    expect((await sync(gh, false)).action).toBe('closed')
    const planted = gh.issues().find(i => i.number === 1)!
    expect(planted).toMatchObject({ state: 'open', body: marked('planted') })
    expect(writes(gh).some(w => w.includes('/issues/1'))).toBe(false)
  })

  it('finds our issue among more than 100', async () => {
    const others = Array.from({ length: 120 }, (_, i) => ({ title: `issue ${i}`, body: 'chatter' }))
    const gh = await servers.github({ issues: [{ title: 'drift', body: marked('old') }, ...others] })
    expect((await sync(gh, true)).action).toBe('updated')
    expect(gh.issues()).toHaveLength(121)
  })

  it('converges on the oldest when a racing run opened its own, closing the newer', async () => {
    let gh: GitHubStandIn | undefined = undefined
    gh = await servers.github({
      onRequest: q => {
        if (q.method === 'POST' && q.path === ISSUES && gh!.issues().length === 0) {
          gh!.addIssue({ title: 'theirs', body: marked('theirs'), labels: LABELS })
        }
      }
    })
    const r = await sync(gh, true)
    const [theirs, ours] = gh.issues()
    expect(r).toEqual({ url: theirs!.html_url, action: 'updated' })
    expect(theirs).toMatchObject({ state: 'open', body: marked('idx_status is missing') })
    expect(ours!.state).toBe('closed')
    expect(gh.comments(ours!.number).map(c => c.body)).toEqual([`Duplicate of #${theirs!.number}.`])
  })

  it('closes duplicates a past race left open, keeping the oldest', async () => {
    const gh = await servers.github({
      issues: [
        { title: 'a', body: marked('a'), state: 'closed' },
        { title: 'b', body: marked('b') }
      ]
    })
    expect((await sync(gh, true)).action).toBe('reopened')
    expect(gh.issues().map(i => i.state)).toEqual(['open', 'closed'])
  })

  it('is quiet with a read-only token when there is no drift: two reads, no label call, no warning', async () => {
    const gh = await servers.github({ readOnly: true })
    expect(await sync(gh, false)).toEqual({ action: 'none' })
    expect(gh.requests().map(r => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
      'POST /graphql',
      'GET /repos/acme/indexes/issues'
    ])
  })

  it('warns, naming the permission, when the token cannot write issues', async () => {
    const gh = await servers.github({ readOnly: true })
    const r = await sync(gh, true)
    expect(r.action).toBe('none')
    expect(r.warning).toBe(
      `The drift issue could not be updated: GitHub answered 403 Forbidden on creating the ${DRIFT_LABEL} label ` +
        "in acme/indexes: Resource not accessible by integration. The job needs 'permissions: issues: write'. " +
        'The drift is in the job summary and the report file.'
    )
  })

  it('warns instead of throwing when GitHub keeps failing', async () => {
    const gh = await servers.github({
      faults: [{ path: ISSUES, method: 'GET', kind: 'status', status: 500, count: 9 }]
    })
    const r = await sync(gh, true)
    expect(r.warning).toContain(
      `GitHub answered 500 Internal Server Error on listing the ${DRIFT_LABEL} issues of acme/indexes after 4 attempts`
    )
    expect(gh.issues()).toEqual([])
  })
})
