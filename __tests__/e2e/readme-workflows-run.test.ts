// The README's fork-safe and matrix workflows, run as written: each job's steps with their `if:` and `with:`
// expressions, the action as the bundle, artifacts uploaded and downloaded through a folder, against one
// emulator and one GitHub stand-in that keep their state between the jobs.
import { readFileSync, rmSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { GITHUB_TOKEN, prEvent } from '../helpers/action.js'
import { CLIENT_ID, CLIENT_SECRET } from '../helpers/platform.js'
import { customObjects, objectId } from '../helpers/scene.js'
import { useServers, type Servers } from '../helpers/servers.js'
import {
  Artifacts,
  matrixOf,
  readmeWorkflows,
  runJob,
  type JobContext,
  type JobRecord
} from '../helpers/workflow.js'

const PR = 7
const HEAD = '3f2c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a'
const OBJECTS = 3
const CHECK = 'custom-object-index / default'
const REVIEW_PREFIX = '<!-- custom-object-index-review:'

// Every test starts its own servers; the concurrent tests share the list of closers, so it closes after the file.
const servers = useServers('file')
const workflows = readmeWorkflows()
const named = (name: string, nth = 0) => workflows.filter(w => w.name === name)[nth]!

function indexFile(i: number, field = 'n'): string {
  return `customObjectId: ${objectId(i)}\nindexes:\n  - name: idx_${field}_${i}\n    fields: [${field}]\n`
}

function files(bad?: number): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i < OBJECTS; i++) out[`indexes/o${i}.yaml`] = indexFile(i, i === bad ? 'nope' : 'n')
  return out
}

async function world(s: Servers, bad?: number) {
  const emu = await s.emulator({
    data: customObjects(OBJECTS),
    rebuildRecordsPerSecond: 1_000_000
  })
  const gh = await s.github({ pullRequests: [{ number: PR, headSha: HEAD }] })
  const artifacts = new Artifacts()
  s.track(() => {
    rmSync(artifacts.root, { recursive: true, force: true })
  })
  const base = {
    artifacts,
    token: GITHUB_TOKEN,
    env: { GITHUB_API_URL: gh.url, CUSTOM_OBJECT_INDEX_GITHUB_TIMEOUT_MS: '5000' },
    platform: { 'api-url': emu.url, 'login-url': emu.url },
    secrets: { GC_CLIENT_ID: CLIENT_ID, GC_CLIENT_SECRET: CLIENT_SECRET }
  }
  /** A checkout of the PR's head: the index files as the PR has them. */
  const checkout = (): string => s.workspace(files(bad)).dir
  return { emu, gh, artifacts, base, checkout }
}

function reviewObjects(body: string): Record<string, unknown> {
  const last = body.trimEnd().split('\n').at(-1)!
  expect(last.startsWith(REVIEW_PREFIX)).toBe(true)
  return (
    JSON.parse(last.slice(REVIEW_PREFIX.length, -' -->'.length)) as { objects: Record<string, unknown> }
  ).objects
}

const outcomes = (job: JobRecord): string[] => job.steps.map(s => `${s.label}: ${s.outcome}`)

describe.concurrent('the fork-safe workflows, as written', () => {
  const forkPr = {
    ...(prEvent(PR, HEAD) as Record<string, unknown>),
    pull_request: {
      number: PR,
      head: { sha: HEAD, repo: { full_name: 'forker/indexes' } },
      base: { repo: { full_name: 'acme/indexes' } }
    }
  }
  const triggered = {
    workflow_run: {
      id: 100,
      head_sha: HEAD,
      pull_requests: [], // GitHub names no PR for a fork's run
      head_repository: { full_name: 'forker/indexes' }
    },
    repository: { default_branch: 'main', full_name: 'acme/indexes' }
  }

  async function forkRun(bad?: number) {
    const w = await world(servers, bad)
    // The fork's run: no secrets, a read-only token.
    w.gh.setReadOnly(true)
    const pr = await runJob({
      ...w.base,
      secrets: {},
      workflow: named('indexes-pr'),
      job: 'file-checks',
      eventName: 'pull_request',
      event: forkPr,
      runId: '100',
      workspace: w.checkout()
    })
    w.gh.setReadOnly(false)
    const checksAfterPr = w.gh.checkRuns()
    const publish = await runJob({
      ...w.base,
      workflow: named('indexes-publish'),
      job: 'live-checks',
      eventName: 'workflow_run',
      event: triggered,
      runId: '200',
      workspace: w.checkout()
    })
    return { ...w, pr, publish, checksAfterPr }
  }

  it('checks the fork PR without secrets, then live in the base repository, with one comment and one check', async () => {
    const { gh, artifacts, pr, publish, checksAfterPr } = await forkRun()
    expect(outcomes(pr)).toEqual([
      'actions/checkout@v4: success',
      'indexes: success',
      'actions/upload-artifact@v4: success'
    ])
    // The fork's run writes no check (its verdict would be file checks only, which GitHub counts as passing).
    expect(pr.step('indexes').action!.stdout).not.toMatch(/^::(warning|notice)[^\n]*[Cc]heck run/m)
    expect(checksAfterPr).toEqual([])
    expect(artifacts.names('100')).toEqual(['index-report'])

    expect(outcomes(publish).map(o => o.split(': ')[1])).toEqual(Array(6).fill('success'))
    expect(publish.step('pr').outputs.number).toBe(String(PR))
    const [comment, ...more] = gh.comments(PR)
    expect(more).toEqual([])
    expect(comment!.body).toContain('✅ pass — 3 objects')
    expect(Object.keys(reviewObjects(comment!.body)).sort()).toEqual([0, 1, 2].map(objectId))

    const checks = gh.checkRuns(HEAD)
    expect(checks.map(c => [c.name, c.conclusion])).toEqual([[CHECK, 'success']])
    expect(checks[0]!.title).toContain('✅ pass — 3 objects')
  })

  it('still publishes when the live check finds an error, and the check run and the job fail', async () => {
    const { gh, publish } = await forkRun(1)
    // The live step does not fail on findings, so copying and publishing run; publish is the gate.
    expect(publish.steps.map(st => [st.id ?? st.label.split('@')[0], st.outcome])).toEqual([
      ['actions/download-artifact', 'success'],
      ['pr', 'success'],
      ['actions/checkout', 'success'],
      ['live', 'success'],
      ['mkdir -p reports && cp "${{ steps.live.o', 'success'],
      ['your-org/custom-object-index-action', 'failure']
    ])
    expect(publish.result).toBe('failure')
    const [comment] = gh.comments(PR)
    expect(comment!.body).toContain('❌ blocked')
    const [check] = gh.checkRuns(HEAD)
    expect(check).toMatchObject({ name: CHECK, conclusion: 'failure' })
    expect(check!.annotations).toContainEqual(
      expect.objectContaining({
        path: 'indexes/o1.yaml',
        annotation_level: 'failure',
        title: 'unknown-field'
      })
    )
  })
})

describe.concurrent('the matrix workflow, as written', () => {
  async function matrixRun(opts: { bad?: number; cancelled?: number } = {}) {
    const w = await world(servers, opts.bad)
    const wf = named('indexes', 1)
    const event = prEvent(PR, HEAD) as Record<string, unknown>
    const job = (name: string, extra: Partial<JobContext> = {}): Promise<JobRecord> =>
      runJob({
        ...w.base,
        workflow: wf,
        job: name,
        eventName: 'pull_request',
        event,
        runId: '300',
        workspace: w.checkout(),
        ...extra
      })
    const plan = await job('plan', { secrets: {} })
    const needsPlan = { plan: { result: plan.result, outputs: plan.outputs } }
    const entries = matrixOf(wf.jobs.validate!, needsPlan)
    const validates: JobRecord[] = []
    for (const [i, entry] of entries.entries()) {
      if (i === opts.cancelled) continue // cancelled before it wrote its report
      validates.push(await job('validate', { matrix: entry, jobIndex: i, needs: needsPlan }))
    }
    const failed = validates.some(v => v.result === 'failure') || opts.cancelled !== undefined
    const publish = await job('publish', {
      secrets: {},
      needs: { ...needsPlan, validate: { result: failed ? 'failure' : 'success', outputs: {} } }
    })
    return { ...w, plan, entries, validates, publish }
  }

  it('fans out per object, keeps every report through merge-multiple, and publishes one comment and one check', async () => {
    const { gh, artifacts, plan, entries, validates, publish } = await matrixRun()
    expect(JSON.parse(plan.outputs.objects!)).toEqual([0, 1, 2].map(objectId))
    expect(entries).toHaveLength(OBJECTS)
    expect(validates.map(v => v.result)).toEqual(['success', 'success', 'success'])
    expect(artifacts.names('300')).toEqual(['index-report-0', 'index-report-1', 'index-report-2'])
    // Three reports of one run, three names: merged into one folder, none overwrites another.
    const names = validates.map(v => v.step('indexes').outputs.report!.split('/').at(-1))
    expect(new Set(names).size).toBe(OBJECTS)

    expect(publish.result).toBe('success')
    const [comment, ...more] = gh.comments(PR)
    expect(more).toEqual([])
    expect(comment!.body).toContain('✅ pass — 3 objects')
    expect(Object.keys(reviewObjects(comment!.body)).sort()).toEqual([0, 1, 2].map(objectId))
    expect(gh.checkRuns(HEAD).map(c => [c.name, c.conclusion])).toEqual([[CHECK, 'success']])
  })

  it('blocks the verdict when one job left no report, naming its object', async () => {
    const { gh, publish } = await matrixRun({ cancelled: 1 })
    expect(publish.result).toBe('failure')
    const run = publish.steps.at(-1)!.action!
    expect(run.stdout).toContain(`::error::${objectId(1)}: no report (its job failed or was cancelled)`)
    const [comment] = gh.comments(PR)
    expect(comment!.body).toContain(objectId(1))
    expect(comment!.body).toContain('no report (its job failed or was cancelled)')
    expect(Object.keys(reviewObjects(comment!.body)).sort()).toEqual([0, 2].map(objectId))
    expect(gh.checkRuns(HEAD)[0]).toMatchObject({ name: CHECK, conclusion: 'failure' })
  })

  it('fails the publish on an error finding of one job, while every report is still published', async () => {
    const { gh, validates, publish } = await matrixRun({ bad: 2 })
    expect(validates.map(v => v.result)).toEqual(['success', 'success', 'failure'])
    // The failed job still uploaded its report (`if: always()`).
    expect(validates[2]!.steps.at(-1)!.outcome).toBe('success')
    expect(publish.result).toBe('failure')
    expect(gh.comments(PR)[0]!.body).toContain('❌ blocked — 1 of 3 objects')
    const report = JSON.parse(readFileSync(validates[2]!.step('indexes').outputs.report!, 'utf8')) as {
      objects: { customObjectId: string }[]
    }
    expect(report.objects.map(o => o.customObjectId)).toEqual([objectId(2)])
  })
})
