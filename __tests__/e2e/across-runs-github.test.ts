// Correct across runs, the GitHub side, end to end (the bundle, several runs against one emulator and one
// GitHub stand-in): an older commit never silently undoes a newer one (on-stale), a review comment counts only
// as its author left it, and the drift issue is cheap to find and quiet.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { SAMPLE_IDS } from '../../src/emulator/index.js'
import { prEvent, PUSH_TO_MAIN, type ActionRun } from '../helpers/action.js'
import {
  DRIFT_LABEL,
  DRIFT_MARKER,
  driftIssues,
  driftRun,
  driftScene,
  TICKET_AS_LIVE,
  TICKET_MISSING_ASSIGNEE
} from '../helpers/drift.js'
import { errors, scene, type Scene, warnings } from '../helpers/scene.js'
import { useServers } from '../helpers/servers.js'

const TICKET = SAMPLE_IDS.ticket
const ACCOUNT = SAMPLE_IDS.account
const TICKET_FILE = 'indexes/ticket.yaml'
const ACCOUNT_FILE = 'indexes/account.yaml'
const PUT_PATH = `/api/v2/data-gateway/customobjects/schemas/${TICKET}`

const A = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1'
const B = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2'
const C = 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3'

/** The ticket file as commit A has it, and as commit B changed it. */
const AT_A = `customObjectId: ${TICKET}
indexes:
  - name: idx_assignee
    fields: [assignee]
`
const AT_B = `customObjectId: ${TICKET}
indexes:
  - name: idx_assignee
    fields: [assignee, priority]
`
const ACCOUNT_AT_B = `customObjectId: ${ACCOUNT}
indexes:
  - name: idx_account_name
    fields: [name]
  - name: idx_account_tier_region
    fields: [region, tier]
`

// Every test starts its own scene; the concurrent tests share the list of closers, so it closes after the file.
const servers = useServers('file')

/** A repository whose main had A, then B on top (both changed the ticket file); main's head is B. */
async function twoCommits(files: Record<string, string> = { [TICKET_FILE]: AT_A }): Promise<Scene> {
  return scene(servers, {
    files,
    github: {
      commits: [
        { sha: A, files: [{ filename: TICKET_FILE, status: 'added' }] },
        { sha: B, parent: A, files: [{ filename: TICKET_FILE, status: 'modified' }] }
      ],
      branches: { main: A }
    }
  })
}

/** The workspace checked out at a commit: the ticket file as that commit has it. */
function checkout(s: Scene, content: string, file = TICKET_FILE): void {
  writeFileSync(path.join(s.workspace, file), content)
}

/** A deploy of `sha` (a push to main, or a re-run of its workflow run). */
function deploy(
  s: Scene,
  sha: string,
  inputs: Record<string, string> = {},
  runId = '100'
): Promise<ActionRun> {
  return s.run({
    ...PUSH_TO_MAIN,
    inputs: { 'index-file': 'indexes/*.yaml', mode: 'deploy', 'require-review': 'off', ...inputs },
    env: { GITHUB_SHA: sha, GITHUB_RUN_ID: runId }
  })
}

function puts(s: Scene): number {
  return s.emu.requests().filter(r => r.method === 'PUT' && r.path === PUT_PATH).length
}

function liveFields(s: Scene, id: string = TICKET, index = 'idx_assignee'): string[] | undefined {
  return s.emu.getSchema(id)!.indexes.find(i => i.name === index)?.fields
}

function notices(run: ActionRun): string[] {
  return run.stdout
    .split('\n')
    .filter(l => l.startsWith('::notice::'))
    .map(l => l.slice('::notice::'.length))
}

function auditActions(s: Scene): string[] {
  return s.wh.deliveries().map(d => (d.body as { action: string }).action)
}

/** Deploys A, then B; main's head is B; the workspace is back at A (a re-run of A's old workflow run). */
async function afterBothDeploys(): Promise<Scene> {
  const s = await twoCommits()
  const first = await deploy(s, A, {}, '101')
  expect(first.code, first.stdout).toBe(0)
  s.gh.setBranchHead('main', B)
  checkout(s, AT_B)
  const second = await deploy(s, B, {}, '102')
  expect(second.code, second.stdout).toBe(0)
  expect(liveFields(s)).toEqual(['assignee', 'priority'])
  expect(puts(s)).toBe(2)
  checkout(s, AT_A)
  return s
}

describe.concurrent('an older commit never silently undoes a newer one', () => {
  it('skips a re-run of an older commit by default: no PUT, a notice naming both commits, live stays B', async () => {
    const s = await afterBothDeploys()
    const audits = s.wh.deliveries().length
    const rerun = await deploy(s, A, {}, '101')
    expect(rerun.code, rerun.stdout).toBe(0)
    expect(puts(s)).toBe(2)
    expect(liveFields(s)).toEqual(['assignee', 'priority'])
    expect(notices(rerun)).toEqual([
      expect.stringMatching(
        new RegExp(
          `commit ${A.slice(0, 7)} is older than ${B.slice(0, 7)}.*Skipped \\(on-stale: skip\\): the deploy of ${B.slice(0, 7)} applies the file`
        )
      )
    ])
    expect(rerun.outputs).toMatchObject({
      changed: 'false',
      'rebuild-status': 'skipped',
      'audit-delivered': 'skipped'
    })
    expect(s.wh.deliveries()).toHaveLength(audits)
    expect(warnings(rerun)).toEqual([])
    expect(rerun.summary).toContain('skipped')
  })

  it('fails a re-run of an older commit under on-stale: fail, audited INDEX_DEPLOY_FAILED, no PUT', async () => {
    const s = await afterBothDeploys()
    const rerun = await deploy(s, A, { 'on-stale': 'fail' }, '101')
    expect(rerun.code).toBe(1)
    expect(puts(s)).toBe(2)
    expect(liveFields(s)).toEqual(['assignee', 'priority'])
    const error = errors(rerun).join('\n')
    expect(error).toContain(A.slice(0, 7))
    expect(error).toContain(B.slice(0, 7))
    expect(error).toContain('on-stale: fail')
    expect(auditActions(s).at(-1)).toBe('INDEX_DEPLOY_FAILED')
  })

  it('deploys a re-run of an older commit with a warning under on-stale: warn', async () => {
    const s = await afterBothDeploys()
    const rerun = await deploy(s, A, { 'on-stale': 'warn' }, '101')
    expect(rerun.code, rerun.stdout).toBe(0)
    expect(puts(s)).toBe(3)
    expect(liveFields(s)).toEqual(['assignee'])
    expect(warnings(rerun)).toEqual([
      expect.stringMatching(new RegExp(`${A.slice(0, 7)} is older than ${B.slice(0, 7)}.*on-stale: warn`))
    ])
    expect(auditActions(s).at(-1)).toBe('INDEX_DEPLOYED')
  })

  it('skips the first of two quick merges whose deploys queue (exit 0), and the second deploys', async () => {
    const s = await twoCommits()
    // Both merges landed before the first deploy ran: main's head is already B.
    s.gh.setBranchHead('main', B)
    const first = await deploy(s, A, {}, '201')
    expect(first.code, first.stdout).toBe(0)
    expect(first.outputs.changed).toBe('false')
    expect(puts(s)).toBe(0)
    checkout(s, AT_B)
    const second = await deploy(s, B, {}, '202')
    expect(second.code, second.stdout).toBe(0)
    expect(second.outputs.changed).toBe('true')
    expect(notices(second)).toEqual([])
    expect(liveFields(s)).toEqual(['assignee', 'priority'])
    expect(auditActions(s)).toEqual(['INDEX_DEPLOYED'])
  })

  it('deploys an object whose file the newer commit did not change, and skips the one it did', async () => {
    const s = await scene(servers, {
      files: { [TICKET_FILE]: AT_B, [ACCOUNT_FILE]: ACCOUNT_AT_B },
      github: {
        commits: [
          { sha: A, files: [] },
          { sha: B, parent: A, files: [{ filename: TICKET_FILE, status: 'modified' }] },
          { sha: C, parent: B, files: [{ filename: ACCOUNT_FILE, status: 'modified' }] }
        ],
        branches: { main: C }
      }
    })
    const run = await deploy(s, B)
    expect(run.code, run.stdout).toBe(0)
    expect(liveFields(s)).toEqual(['assignee', 'priority'])
    expect(liveFields(s, ACCOUNT, 'idx_account_tier_region')).toBeUndefined()
    expect(notices(run)).toEqual([expect.stringContaining(`Object ${ACCOUNT}: commit ${B.slice(0, 7)}`)])
    expect(auditActions(s)).toEqual(['INDEX_DEPLOYED'])
  })

  it.each([
    ['the head read', '/repos/acme/indexes/commits/main'],
    ['the compare', `/repos/acme/indexes/compare/`]
  ])('warns that freshness was not checked when GitHub fails on %s, and deploys', async (_what, route) => {
    const s = await twoCommits()
    s.gh.setBranchHead('main', B)
    s.gh.addFault({ path: route, kind: 'status', status: 500, count: 99 })
    const run = await deploy(s, A)
    expect(run.code, run.stdout).toBe(0)
    expect(puts(s)).toBe(1)
    expect(warnings(run)).toEqual([expect.stringMatching(/^Freshness was not checked: GitHub answered 500/)])
  })

  it('warns that freshness was not checked without a github-token, and deploys', async () => {
    const s = await twoCommits()
    s.gh.setBranchHead('main', B)
    const run = await deploy(s, A, { 'github-token': '' })
    expect(run.code, run.stdout).toBe(0)
    expect(puts(s)).toBe(1)
    expect(warnings(run)).toEqual([expect.stringMatching(/^Freshness was not checked: no 'github-token'/)])
  })
})

describe.concurrent('a review comment counts only as its author left it', () => {
  const PR = 7
  const HEAD = '3f2c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a'
  const MERGE = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00'
  const MARKER = '<!-- custom-object-index:default -->'

  async function reviewed(): Promise<{ s: Scene; commentId: number; body: string }> {
    const s = await scene(servers, {
      files: { [TICKET_FILE]: AT_A },
      github: {
        pullRequests: [{ number: PR, headSha: HEAD, merged: true, mergeCommitSha: MERGE }],
        branches: { main: MERGE }
      }
    })
    const validate = await s.run({
      eventName: 'pull_request',
      event: prEvent(PR, HEAD),
      inputs: { 'index-file': TICKET_FILE, mode: 'validate' },
      env: { GITHUB_RUN_ID: '300' }
    })
    expect(validate.code, validate.stdout).toBe(0)
    const [comment] = s.gh.comments(PR).filter(c => c.body.startsWith(MARKER))
    return { s, commentId: comment!.id, body: comment!.body }
  }

  function deployMerge(s: Scene, requireReview: string): Promise<ActionRun> {
    return s.run({
      ...PUSH_TO_MAIN,
      inputs: { 'index-file': TICKET_FILE, mode: 'deploy', 'require-review': requireReview },
      env: { GITHUB_SHA: MERGE, GITHUB_RUN_ID: '301' }
    })
  }

  it('refuses a review comment another user edited, even to the same text (require-review: fail)', async () => {
    const { s, commentId, body } = await reviewed()
    s.gh.editComment(commentId, body, 'mallory')
    const run = await deployMerge(s, 'fail')
    expect(run.code).toBe(1)
    expect(s.emu.requests().filter(r => r.method === 'PUT')).toEqual([])
    expect(errors(run).join('\n')).toContain('edited by someone else')
  })

  it('warns that no review was found when another user edited the comment (require-review: warn)', async () => {
    const { s, commentId, body } = await reviewed()
    s.gh.editComment(commentId, body, 'mallory')
    const run = await deployMerge(s, 'warn')
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.reviewed).toBe('unknown')
    expect(warnings(run)).toEqual([expect.stringMatching(/has no review: .*edited by someone else/)])
  })

  it("counts a review comment the token's own identity edited", async () => {
    const { s, commentId, body } = await reviewed()
    s.gh.editComment(commentId, body, 'github-actions[bot]')
    const run = await deployMerge(s, 'fail')
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.reviewed).toBe('true')
    expect(warnings(run)).toEqual([])
  })

  it('writes the sticky comment again on the next run when another user edited it, even to the same text', async () => {
    const { s, commentId, body } = await reviewed()
    s.gh.editComment(commentId, body, 'mallory')
    const again = await s.run({
      eventName: 'pull_request',
      event: prEvent(PR, HEAD),
      inputs: { 'index-file': TICKET_FILE, mode: 'validate' },
      env: { GITHUB_RUN_ID: '300' }
    })
    expect(again.code, again.stdout).toBe(0)
    const comment = s.gh.comments(PR).find(c => c.id === commentId)!
    expect(comment.editor).toBe('github-actions[bot]')
    const deployed = await deployMerge(s, 'fail')
    expect(deployed.code, deployed.stdout).toBe(0)
    expect(deployed.outputs.reviewed).toBe('true')
  })
})

describe.concurrent('the drift issue is cheap to find and quiet', () => {
  const MORE_MISSING = `${TICKET_MISSING_ASSIGNEE}  - name: idx_amount
    fields: [amount]
`

  /** A drift run keeping the drift issue. */
  const drift = (s: Scene, runId: string): Promise<ActionRun> => driftRun(s, { 'drift-issue': 'true' }, runId)

  /** A repository with 3,000 other issues. */
  function busy(): Promise<Scene> {
    return driftScene(servers, TICKET_MISSING_ASSIGNEE, {
      issues: Array.from({ length: 3_000 }, (_, i) => ({ title: `issue ${i}`, body: `body ${i}` }))
    })
  }

  it('creates the label when missing and opens the issue with it, its body free of the run', async () => {
    const s = await busy()
    const first = await drift(s, '501')
    expect(first.code, first.stdout).toBe(0)
    expect(s.gh.labels().map(l => l.name)).toEqual([DRIFT_LABEL])
    const [issue] = driftIssues(s)
    expect(issue!.labels).toEqual([DRIFT_LABEL])
    expect(issue!.body).toContain('idx_assignee')
    expect(issue!.body).not.toContain('actions/runs/')
    // A new issue notifies by itself: the run's link comes with the first change.
    expect(s.gh.comments(issue!.number)).toEqual([])
  })

  it('finds the issue among 3,000 in at most three GitHub requests, and writes nothing for the same drift', async () => {
    const s = await busy()
    expect((await drift(s, '501')).code).toBe(0)
    const before = s.gh.requests().length
    const second = await drift(s, '502')
    expect(second.code, second.stdout).toBe(0)
    const made = s.gh.requests().slice(before)
    expect(made.length).toBeLessThanOrEqual(3)
    expect(made.filter(r => r.method !== 'GET' && r.path !== '/graphql')).toEqual([])
    expect(made.some(r => r.path.includes(`labels=${DRIFT_LABEL}`))).toBe(true)
    expect(driftIssues(s)).toHaveLength(1)
    expect(second.stdout).toContain('Drift issue unchanged')
  })

  it('updates the body and comments with the run link when the drift changes', async () => {
    const s = await busy()
    expect((await drift(s, '501')).code).toBe(0)
    const [issue] = driftIssues(s)
    checkout(s, MORE_MISSING)
    const changed = await drift(s, '503')
    expect(changed.code, changed.stdout).toBe(0)
    const [after] = driftIssues(s)
    expect(after!.number).toBe(issue!.number)
    expect(after!.body).toContain('idx_amount')
    expect(after!.body).not.toContain('actions/runs/')
    expect(s.gh.comments(issue!.number).at(-1)!.body).toContain(
      'The drift changed ([run 503](https://github.com/acme/indexes/actions/runs/503))'
    )
  })

  it('without drift, a read-only token only reads: no label call, no warning', async () => {
    const s = await driftScene(servers, TICKET_AS_LIVE, { readOnly: true })
    const run = await drift(s, '701')
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.drifted).toBe('false')
    expect(warnings(run)).toEqual([])
    expect(s.gh.requests().map(r => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
      'POST /graphql',
      'GET /repos/acme/indexes/issues'
    ])
  })

  it('adopts and labels a drift issue an earlier version opened without the label', async () => {
    const s = await driftScene(servers, TICKET_MISSING_ASSIGNEE, {
      issues: [{ number: 4, title: 'Custom-object index drift: 1 object', body: `${DRIFT_MARKER}\nold` }]
    })
    const run = await drift(s, '601')
    expect(run.code, run.stdout).toBe(0)
    expect(driftIssues(s).map(i => [i.number, i.labels])).toEqual([[4, [DRIFT_LABEL]]])
    expect(driftIssues(s)[0]!.body).toContain('idx_assignee')
  })
})
