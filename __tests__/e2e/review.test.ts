// Deploy what was reviewed (docs/rules.md#deploy-what-was-reviewed), end to end: a validate run on a PR
// records what the reviewer saw (a visible footer and the review line, last); a push of the merge commit
// deploys only what was reviewed, looking the review up on the merged PR of the commit (or taking
// `reviewed-payload-hash`), and says so in `reviewed` and the audit record.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { SAMPLE_IDS } from '../../src/emulator/index.js'
import type { ReportFile } from '../../src/report/file.js'
import { prEvent, PUSH_TO_MAIN, type ActionRun } from '../helpers/action.js'
import { errors, scene, type Scene, warnings } from '../helpers/scene.js'
import { useServers } from '../helpers/servers.js'

const TICKET = SAMPLE_IDS.ticket
const PR = 7
const HEAD = '3f2c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a'
const MERGE = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00'
/** The merge ref's commit a pull_request run gets as GITHUB_SHA: never the one the footer names. */
const MERGE_REF = 'd00dfeedd00dfeedd00dfeedd00dfeedd00dfeed'
const FILE = `customObjectId: ${TICKET}
indexes:
  - name: idx_assignee
    fields: [assignee]
`
const REVIEW_PREFIX = '<!-- custom-object-index-review:'
const MARKER = '<!-- custom-object-index:default -->'
const PUT_PATH = `/api/v2/data-gateway/customobjects/schemas/${TICKET}`
const COMMIT_PULLS = `/repos/acme/indexes/commits/${MERGE}/pulls`

interface Review {
  v: number
  headSha: string
  runId: string
  objects: Record<string, { payloadHash: string; basedOnVersion: number }>
}
interface AuditBody {
  action: string
  payloadHash: string
  review?: { payloadHash: string | null; matched: boolean | null; pullRequest: number | null }
}

// Every test starts its own scene; the concurrent tests share the list of closers, so it closes after the file.
const servers = useServers('file')

/** A repository whose PR #7 (head HEAD) was merged as MERGE. */
function merged(opts: { pullRequests?: boolean } = {}): Promise<Scene> {
  return scene(servers, {
    files: { 'indexes/ticket.yaml': FILE },
    github: {
      pullRequests:
        opts.pullRequests === false
          ? []
          : [{ number: PR, headSha: HEAD, merged: true, mergeCommitSha: MERGE }],
      // The merge commit is main's head: the deploy is not of an older commit.
      branches: { main: MERGE }
    }
  })
}

function validate(s: Scene, inputs: Record<string, string> = {}, offline = false): Promise<ActionRun> {
  return s.run({
    eventName: 'pull_request',
    event: prEvent(PR, HEAD),
    inputs: { 'index-file': 'indexes/ticket.yaml', mode: 'validate', ...inputs },
    env: { GITHUB_SHA: MERGE_REF, GITHUB_RUN_ID: '9001' },
    offline
  })
}

function deploy(s: Scene, inputs: Record<string, string> = {}): Promise<ActionRun> {
  return s.run({
    ...PUSH_TO_MAIN,
    inputs: { 'index-file': 'indexes/ticket.yaml', mode: 'deploy', ...inputs },
    env: { GITHUB_SHA: MERGE, GITHUB_RUN_ID: '9002' }
  })
}

/** The review look-up's GitHub requests: all but the read of the branch's head before a deploy. */
/** GitHub calls from the `from`th on, but the freshness look-up's (the branch head, the compare). */
function reviewRequests(s: Scene, from = 0): ReturnType<Scene['gh']['requests']> {
  return s.gh
    .requests()
    .slice(from)
    .filter(r => !/^\/repos\/acme\/indexes\/(commits\/main|compare\/)/.test(r.path.split('?')[0]!))
}

function lastLine(body: string): string {
  return body.trimEnd().split('\n').at(-1)!
}

function reviewOf(body: string): Review {
  const line = lastLine(body)
  expect(line.startsWith(REVIEW_PREFIX) && line.endsWith(' -->'), line).toBe(true)
  return JSON.parse(line.slice(REVIEW_PREFIX.length, -' -->'.length)) as Review
}

function ourComment(s: Scene): string {
  const ours = s.gh
    .comments(PR)
    .filter(c => c.body.startsWith(MARKER) && c.user.login === 'github-actions[bot]')
  expect(ours).toHaveLength(1)
  return ours[0]!.body
}

function puts(s: Scene): number {
  return s.emu.requests().filter(r => r.method === 'PUT' && r.path === PUT_PATH).length
}

function audit(s: Scene): AuditBody {
  const d = s.wh.deliveries()
  expect(d).toHaveLength(1)
  return d[0]!.body as AuditBody
}

/** Adds an index to the live schema behind the action's back (a console edit after the review). */
function editLive(s: Scene): void {
  const doc = s.emu.getSchema(TICKET)!
  s.emu.putSchemaDirect({ ...doc, indexes: [...doc.indexes, { name: 'idx_console', fields: ['priority'] }] })
}

describe.concurrent('the review a validate run records', () => {
  it('links the run and its head commit under the heading, and ends with the review stamp and the review line', async () => {
    const s = await merged()
    const run = await validate(s)
    expect(run.code, run.stdout).toBe(0)
    const hash = run.outputs['payload-hash']!
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    const body = ourComment(s)

    const lines = body
      .trimEnd()
      .split('\n')
      .filter(l => l.trim() !== '')
    // Marker, heading, then the run's line.
    const identity = lines[2]!
    expect(identity).toContain(`[\`${HEAD.slice(0, 7)}\`](https://github.com/acme/indexes/commit/${HEAD})`)
    expect(identity).toContain('(https://github.com/acme/indexes/actions/runs/9001)')
    // The footer: the PR head commit (not the merge ref), the run, the time (UTC) and the payload hash.
    const footer = lines.at(-2)!
    expect(footer).toContain(`[\`${HEAD.slice(0, 7)}\`](https://github.com/acme/indexes/commit/${HEAD})`)
    expect(footer).toContain('(https://github.com/acme/indexes/actions/runs/9001)')
    expect(footer).toMatch(/\b\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\b/)
    expect(footer).toContain(`\`${hash.slice(0, 12)}\``)
    expect(footer).not.toContain(hash.slice(0, 13))
    expect(body).not.toContain(MERGE_REF.slice(0, 7))

    const version = s.emu.getSchema(TICKET)!.schemaVersion
    expect(reviewOf(body)).toEqual({
      v: 1,
      headSha: HEAD,
      runId: '9001',
      objects: { [TICKET]: { payloadHash: hash, basedOnVersion: version } }
    })
  })

  it('writes "objects":{} in the review line of an offline run', async () => {
    const s = await merged()
    const run = await validate(s, {}, true)
    expect(run.code, run.stdout).toBe(0)
    const line = lastLine(ourComment(s))
    expect(line).toBe(`${REVIEW_PREFIX}{"v":1,"headSha":"${HEAD}","runId":"9001","objects":{}} -->`)
  })
})

describe.concurrent('deploying the merge commit', () => {
  it('deploys what was reviewed: reviewed=true, audited with the review and its pull request', async () => {
    const s = await merged()
    const reviewed = (await validate(s)).outputs['payload-hash']!
    const run = await deploy(s)
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs['payload-hash']).toBe(reviewed)
    expect(run.outputs.reviewed).toBe('true')
    expect(warnings(run)).toEqual([])
    expect(puts(s)).toBe(1)
    expect(audit(s)).toMatchObject({
      action: 'INDEX_DEPLOYED',
      payloadHash: reviewed,
      review: { payloadHash: reviewed, matched: true, pullRequest: PR }
    })
    expect(s.gh.requests().some(r => r.method === 'GET' && r.path.startsWith(COMMIT_PULLS))).toBe(true)
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8')) as ReportFile
    expect(report).toMatchObject({ mode: 'deploy', pullRequest: PR, headSha: MERGE })
  })

  it('takes the review of the merged pull request when several hold the commit', async () => {
    const s = await merged()
    const reviewed = (await validate(s)).outputs['payload-hash']!
    // An open PR built on the merge commit, with a review of ours that does not match.
    s.gh.addPullRequest({ number: 9, headSha: 'e'.repeat(40), commits: [MERGE] })
    const stale = {
      v: 1,
      headSha: 'e'.repeat(40),
      runId: '1',
      objects: { [TICKET]: { payloadHash: 'e'.repeat(64), basedOnVersion: 1 } }
    }
    s.gh.addComment({
      issueNumber: 9,
      body: `${MARKER}\nstale\n${REVIEW_PREFIX}${JSON.stringify(stale)} -->`
    })
    const run = await deploy(s, { 'require-review': 'fail' })
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.reviewed).toBe('true')
    expect(audit(s).review).toEqual({ payloadHash: reviewed, matched: true, pullRequest: PR })
  })

  it('warns when the index file changed since the review (warn): reviewed=false', async () => {
    const s = await merged()
    const reviewed = (await validate(s)).outputs['payload-hash']!
    writeFileSync(
      path.join(s.workspace, 'indexes/ticket.yaml'),
      `${FILE}  - name: idx_priority\n    fields: [priority]\n`
    )
    const run = await deploy(s)
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.reviewed).toBe('false')
    expect(puts(s)).toBe(1)
    const review = warnings(run).filter(w => w.includes('not the one reviewed'))
    expect(review).toHaveLength(1)
    expect(review[0]).toContain(reviewed)
    expect(review[0]).toContain(run.outputs['payload-hash'])
  })

  it('warns, naming both hashes and the reviewed version, when the live schema changed since the review (warn)', async () => {
    const s = await merged()
    const reviewed = (await validate(s)).outputs['payload-hash']!
    const version = s.emu.getSchema(TICKET)!.schemaVersion
    editLive(s)
    const run = await deploy(s, { 'require-review': 'warn' })
    expect(run.code, run.stdout).toBe(0)
    const sent = run.outputs['payload-hash']!
    expect(sent).not.toBe(reviewed)
    expect(run.outputs.reviewed).toBe('false')
    expect(puts(s)).toBe(1)
    const review = warnings(run).filter(w => w.includes('not the one reviewed'))
    expect(review).toHaveLength(1)
    expect(review[0]).toContain(sent)
    expect(review[0]).toContain(reviewed)
    expect(review[0]).toContain(`based on schema version ${version}`)
    expect(review[0]).toContain(`pull request #${PR}`)
    expect(audit(s)).toMatchObject({
      action: 'INDEX_DEPLOYED',
      review: { payloadHash: reviewed, matched: false, pullRequest: PR }
    })
  })

  it('sends no PUT and fails when the live schema changed since the review (fail), with every output set', async () => {
    const s = await merged()
    const reviewed = (await validate(s)).outputs['payload-hash']!
    editLive(s)
    const expected = (await validate(s, { comment: 'false' })).outputs['payload-hash']!
    s.emu.resetRequests()
    const run = await deploy(s, { 'require-review': 'fail' })
    expect(run.code).toBe(1)
    expect(puts(s)).toBe(0)
    expect(run.outputs['payload-hash']).toBe(expected)
    expect(run.outputs.reviewed).toBe('false')
    expect(run.outputs['rebuild-status']).toBe('skipped')
    expect(errors(run).join('\n')).toContain('require-review: fail')
    expect(errors(run).join('\n')).toContain(reviewed)
    expect(audit(s)).toMatchObject({
      action: 'INDEX_DEPLOY_FAILED',
      payloadHash: expected,
      review: { payloadHash: reviewed, matched: false, pullRequest: PR }
    })
  })

  it('checks the review again when a 409 re-merges onto a newer schema (fail): the unreviewed document is not sent', async () => {
    const s = await merged()
    const reviewed = (await validate(s)).outputs['payload-hash']!
    // The first PUT is held until a concurrent writer has landed; then it is served (409).
    const put = s.emu.hold({ method: 'PUT', path: PUT_PATH })
    s.emu.resetRequests()
    const running = deploy(s, { 'require-review': 'fail' })
    await put.reached
    editLive(s)
    put.release()
    const run = await running
    expect(run.code).toBe(1)
    const statuses = s.emu
      .requests()
      .filter(r => r.method === 'PUT')
      .map(r => r.status)
    expect(statuses).toEqual([409])
    expect(s.emu.getSchema(TICKET)!.indexes.map(i => i.name)).not.toContain('idx_assignee')
    expect(run.outputs.reviewed).toBe('false')
    expect(run.outputs['payload-hash']).not.toBe(reviewed)
    expect(errors(run).join('\n')).toContain('require-review: fail')
    expect(audit(s)).toMatchObject({
      action: 'INDEX_DEPLOY_FAILED',
      review: { payloadHash: reviewed, matched: false, pullRequest: PR }
    })
  })

  it('warns when a 409 re-merges onto a newer schema (warn): reviewed=false', async () => {
    const s = await merged()
    const reviewed = (await validate(s)).outputs['payload-hash']!
    const put = s.emu.hold({ method: 'PUT', path: PUT_PATH })
    s.emu.resetRequests()
    const running = deploy(s)
    await put.reached
    editLive(s)
    put.release()
    const run = await running
    expect(run.code, run.stdout).toBe(0)
    expect(
      s.emu
        .requests()
        .filter(r => r.method === 'PUT')
        .map(r => r.status)
    ).toEqual([409, 200])
    expect(run.outputs.reviewed).toBe('false')
    const review = warnings(run).filter(w => w.includes('not the one reviewed'))
    expect(review).toHaveLength(1)
    expect(review[0]).toContain(reviewed)
    expect(review[0]).toContain(run.outputs['payload-hash'])
    expect(audit(s)).toMatchObject({
      action: 'INDEX_DEPLOYED',
      review: { payloadHash: reviewed, matched: false, pullRequest: PR }
    })
  })

  it.each([
    ['a hex hash', (h: string) => h],
    ['a JSON map', (h: string) => JSON.stringify({ [TICKET]: h })]
  ])('takes reviewed-payload-hash as %s and asks GitHub nothing', async (_what, given) => {
    const s = await merged()
    const hash = (await validate(s, { comment: 'false' })).outputs['payload-hash']!
    const before = s.gh.requests().length
    const run = await deploy(s, { 'reviewed-payload-hash': given(hash), 'require-review': 'fail' })
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.reviewed).toBe('true')
    expect(puts(s)).toBe(1)
    expect(reviewRequests(s, before)).toEqual([])
    expect(audit(s).review).toEqual({ payloadHash: hash, matched: true, pullRequest: null })
  })

  it('warns that no review was found when no pull request holds the commit (warn): reviewed=unknown', async () => {
    const s = await merged({ pullRequests: false })
    const run = await deploy(s)
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.reviewed).toBe('unknown')
    expect(puts(s)).toBe(1)
    const hash = run.outputs['payload-hash']!
    const review = warnings(run).filter(w => w.includes('no review'))
    expect(review).toHaveLength(1)
    expect(review[0]).toContain(hash)
    expect(review[0]).toContain(`no merged pull request contains commit ${MERGE.slice(0, 7)}`)
    expect(audit(s).review).toEqual({ payloadHash: null, matched: null, pullRequest: null })
  })

  it('sends no PUT when no pull request holds the commit (fail)', async () => {
    const s = await merged({ pullRequests: false })
    const run = await deploy(s, { 'require-review': 'fail' })
    expect(run.code).toBe(1)
    expect(puts(s)).toBe(0)
    expect(run.outputs.reviewed).toBe('unknown')
    expect(run.outputs['payload-hash']).toMatch(/^[0-9a-f]{64}$/)
    expect(errors(run).join('\n')).toContain('no review')
    expect(audit(s)).toMatchObject({ action: 'INDEX_DEPLOY_FAILED', review: { matched: null } })
  })

  it('counts a review GitHub cannot tell as not found (fail): no PUT, the reason given', async () => {
    const s = await merged()
    await validate(s)
    s.gh.addFault({ method: 'GET', path: COMMIT_PULLS, kind: 'status', status: 500, count: 20 })
    const run = await deploy(s, { 'require-review': 'fail' })
    expect(run.code).toBe(1)
    expect(puts(s)).toBe(0)
    expect(run.outputs.reviewed).toBe('unknown')
    expect(errors(run).join('\n')).toContain('the review could not be looked up: GitHub answered 500')
  })

  it("ignores a review line in another user's comment, even with a matching hash", async () => {
    const s = await merged()
    const hash = (await validate(s, { comment: 'false' })).outputs['payload-hash']!
    const version = s.emu.getSchema(TICKET)!.schemaVersion
    const planted = {
      v: 1,
      headSha: HEAD,
      runId: '1',
      objects: { [TICKET]: { payloadHash: hash, basedOnVersion: version } }
    }
    s.gh.addComment({
      issueNumber: PR,
      login: 'mallory',
      body: `${MARKER}\nLooks reviewed to me.\n${REVIEW_PREFIX}${JSON.stringify(planted)} -->`
    })
    const run = await deploy(s, { 'require-review': 'fail' })
    expect(run.code).toBe(1)
    expect(puts(s)).toBe(0)
    expect(run.outputs.reviewed).toBe('unknown')
    expect(errors(run).join('\n')).toContain(`pull request #${PR} has no comment-key 'default' comment`)
  })

  it('makes no GitHub call under require-review: off: reviewed=unknown', async () => {
    const s = await merged()
    const run = await deploy(s, { 'require-review': 'off', 'reviewed-payload-hash': 'f'.repeat(64) })
    expect(run.code, run.stdout).toBe(0)
    expect(puts(s)).toBe(1)
    expect(run.outputs.reviewed).toBe('unknown')
    expect(reviewRequests(s)).toEqual([])
    expect(warnings(run)).toEqual([])
    expect(audit(s).review).toEqual({ payloadHash: null, matched: null, pullRequest: null })
  })
})
