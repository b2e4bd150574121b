// Correct across jobs: the report files of a matrix never collide, publish knows which objects it should have
// received, a report attests only what its own run could see (a fork's run: its file checks), publish takes
// validate reports only, and one check run per head commit carries every finding.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ReportFile } from '../../src/report/file.js'
import { prEvent, PUSH_TO_MAIN, type ActionRun } from '../helpers/action.js'
import { customObjects, errors, objectId, scene, type Scene } from '../helpers/scene.js'
import { useServers } from '../helpers/servers.js'

const PR = 7
const HEAD = '3f2c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a'
const MERGE = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00'
const THIS_RUN = '777'
const PR_RUN = '100'
const REVIEW_PREFIX = '<!-- custom-object-index-review:'

const servers = useServers()

function indexFile(i: number): string {
  return `customObjectId: ${objectId(i)}\nindexes:\n  - name: idx_n_${i}\n    fields: [n]\n`
}

function repository(extra: Record<string, string> = {}): Promise<Scene> {
  return scene(servers, {
    files: { 'indexes/o0.yaml': indexFile(0), 'indexes/o1.yaml': indexFile(1), ...extra },
    emulator: { data: customObjects(2) },
    github: { pullRequests: [{ number: PR, headSha: HEAD, merged: false, mergeCommitSha: MERGE }] }
  })
}

/** A validate job of the PR (live unless `offline`), run `runId`; its report's name and content. */
async function validate(
  s: Scene,
  opts: { file: string; runId: string; attempt?: string; offline?: boolean; inputs?: Record<string, string> }
): Promise<{ run: ActionRun; name: string; report: ReportFile; text: string }> {
  const run = await s.run({
    eventName: 'pull_request',
    event: prEvent(PR, HEAD),
    inputs: {
      mode: 'validate',
      'index-file': opts.file,
      comment: 'false',
      'check-run': 'false',
      ...opts.inputs
    },
    env: { GITHUB_RUN_ID: opts.runId, GITHUB_RUN_ATTEMPT: opts.attempt ?? '1' },
    ...(opts.offline ? { offline: true } : {})
  })
  const text = readFileSync(run.outputs.report!, 'utf8')
  return { run, name: path.basename(run.outputs.report!), report: JSON.parse(text) as ReportFile, text }
}

function workflowRun(headRepository: string): unknown {
  return {
    workflow_run: {
      id: Number(PR_RUN),
      head_sha: HEAD,
      pull_requests: [],
      head_repository: { full_name: headRepository }
    },
    repository: { default_branch: 'main', full_name: 'acme/indexes' }
  }
}

function putReports(s: Scene, reports: Record<string, string>): void {
  mkdirSync(path.join(s.workspace, 'reports'), { recursive: true })
  for (const [name, text] of Object.entries(reports))
    writeFileSync(path.join(s.workspace, 'reports', name), text)
}

function publish(
  s: Scene,
  opts: { event?: unknown; inputs?: Record<string, string> } = {}
): Promise<ActionRun> {
  return s.run({
    eventName: 'workflow_run',
    event: opts.event ?? workflowRun('acme/indexes'),
    inputs: { mode: 'publish', 'report-files': 'reports/*.json', 'pull-request': String(PR), ...opts.inputs },
    env: { GITHUB_RUN_ID: THIS_RUN },
    offline: true
  })
}

function reviewObjects(s: Scene): Record<string, unknown> {
  const body = s.gh.comments(PR)[0]!.body
  const last = body.trimEnd().split('\n').at(-1)!
  expect(last.startsWith(REVIEW_PREFIX)).toBe(true)
  return (
    JSON.parse(last.slice(REVIEW_PREFIX.length, -' -->'.length)) as { objects: Record<string, unknown> }
  ).objects
}

function expectRefused(s: Scene, run: ActionRun, message: string | RegExp): void {
  expect(run.code).toBe(1)
  const error = errors(run).join('\n')
  if (typeof message === 'string') expect(error).toContain(message)
  else expect(error).toMatch(message)
  expect(error).toContain('Nothing was published')
  expect(s.gh.comments()).toEqual([])
  expect(s.gh.checkRuns()).toEqual([])
}

describe('report files never collide', () => {
  it('two jobs of one run holding different objects write different names, each carrying key, run, attempt and objects', async () => {
    const s = await repository()
    const a = await validate(s, { file: 'indexes/o0.yaml', runId: THIS_RUN, offline: true })
    const b = await validate(s, { file: 'indexes/o1.yaml', runId: THIS_RUN, offline: true })
    expect(a.name).toMatch(/^custom-object-index-default-777-1-[0-9a-f]{12}\.json$/)
    expect(b.name).toMatch(/^custom-object-index-default-777-1-[0-9a-f]{12}\.json$/)
    expect(a.name).not.toBe(b.name)
  })

  it('a re-run attempt of the same job writes another name', async () => {
    const s = await repository()
    const first = await validate(s, { file: 'indexes/o0.yaml', runId: THIS_RUN, offline: true })
    const again = await validate(s, { file: 'indexes/o0.yaml', runId: THIS_RUN, attempt: '2', offline: true })
    expect(again.name).toBe(first.name.replace('-777-1-', '-777-2-'))
  })
})

describe('publish knows what it should have received', () => {
  it("plan's objects output lists the planned object ids", async () => {
    const s = await repository()
    const run = await s.run({
      eventName: 'pull_request',
      event: prEvent(PR, HEAD),
      inputs: { mode: 'plan', 'index-file': 'indexes/*.yaml' },
      offline: true
    })
    expect(run.code, run.stdout).toBe(0)
    expect(JSON.parse(run.outputs.objects!)).toEqual([objectId(0), objectId(1)])
  })

  it('refuses a report for an object expected-objects does not list', async () => {
    const s = await repository()
    const a = await validate(s, { file: 'indexes/o0.yaml', runId: THIS_RUN })
    const b = await validate(s, { file: 'indexes/o1.yaml', runId: THIS_RUN })
    putReports(s, { [a.name]: a.text, [b.name]: b.text })
    const run = await publish(s, { inputs: { 'expected-objects': JSON.stringify([objectId(0)]) } })
    expectRefused(
      s,
      run,
      `reports/${b.name} holds object "${objectId(1)}", which is not in 'expected-objects'`
    )
  })
})

describe('a report attests only what its own run could see', () => {
  it('refuses a report made by a run that is neither this one nor the triggering one', async () => {
    const s = await repository()
    const a = await validate(s, { file: 'indexes/o0.yaml', runId: '555' })
    putReports(s, { [a.name]: a.text })
    expectRefused(
      s,
      await publish(s),
      `reports/${a.name} was made by run "555", not by this run or the run that triggered it (777 or 100)`
    )
  })

  it("shows a fork's live claims as file checks only, leaves them out of the review line, and the merge deploy finds no review", async () => {
    const s = await repository()
    // The fork's run claims a live check (as a forged report would): payload hash, base version, probes.
    const forged = await validate(s, { file: 'indexes/o0.yaml', runId: PR_RUN })
    expect(forged.report.objects[0]).toMatchObject({ live: true, payloadHash: expect.any(String) as unknown })
    putReports(s, { [forged.name]: forged.text })
    const run = await publish(s, { event: workflowRun('forker/indexes') })
    expect(run.code, run.stdout).toBe(0)
    const body = s.gh.comments(PR)[0]!.body
    expect(body).toContain("checked by the pull request's own run: file checks only")
    expect(body).not.toContain('checked against schema version')
    expect(body).not.toContain('✅ pass')
    expect(reviewObjects(s)).toEqual({})
    expect(s.gh.checkRuns(HEAD)[0]).toMatchObject({ conclusion: 'neutral' })

    // Merged: the deploy of the merge commit finds nothing reviewed for the object.
    const deploy = await s.run({
      ...PUSH_TO_MAIN,
      inputs: { mode: 'deploy', 'index-file': 'indexes/o0.yaml', 'require-review': 'warn' },
      env: { GITHUB_SHA: MERGE }
    })
    expect(deploy.outputs.reviewed).not.toBe('true')
    const audit = s.wh.deliveries().map(d => d.body as { review: { matched: boolean | null } })
    expect(audit.map(a => a.review.matched)).not.toContain(true)
  })

  it('trusts the live check of a triggering run of this repository', async () => {
    const s = await repository()
    const own = await validate(s, { file: 'indexes/o0.yaml', runId: PR_RUN })
    putReports(s, { [own.name]: own.text })
    const run = await publish(s, { event: workflowRun('acme/indexes') })
    expect(run.code, run.stdout).toBe(0)
    expect(Object.keys(reviewObjects(s))).toEqual([objectId(0)])
  })

  it('refuses a whole report when a live-checked entry is not named by a custom object id', async () => {
    const s = await repository()
    const a = await validate(s, { file: 'indexes/o0.yaml', runId: THIS_RUN })
    const b = await validate(s, { file: 'indexes/o1.yaml', runId: THIS_RUN })
    const bad = { ...b.report, objects: [{ ...b.report.objects[0]!, customObjectId: 'x"} -->' }] }
    putReports(s, { [a.name]: a.text, [b.name]: JSON.stringify(bad) })
    expectRefused(s, await publish(s), /a live-checked object must have a custom object id/)
  })
})

describe('publish takes validate reports only', () => {
  it('refuses deploy, drift and plan reports, naming each file and its mode', async () => {
    const s = await repository()
    const a = await validate(s, { file: 'indexes/o0.yaml', runId: THIS_RUN })
    const plan = { ...a.report, mode: 'plan' }
    const drift = { ...a.report, mode: 'drift', objects: [] }
    putReports(s, { 'a.json': a.text, 'p.json': JSON.stringify(plan), 'd.json': JSON.stringify(drift) })
    expectRefused(
      s,
      await publish(s),
      'Report files reports/d.json (drift), reports/p.json (plan) are not validate reports'
    )
  })
})

describe('one check run carries every finding', () => {
  it('annotates past the 10 errors and 10 warnings a step shows, on the PR head', async () => {
    // 12 indexes on fields the object does not have: an error each, and the org limit broken.
    const indexes = Array.from(
      { length: 12 },
      (_, i) => `  - name: idx_x${i}\n    fields: [missing${i}]\n`
    ).join('')
    const s = await repository({
      'indexes/many.yaml': `customObjectId: ${objectId(1)}\nindexes:\n${indexes}`
    })
    const run = await s.run({
      eventName: 'pull_request',
      event: prEvent(PR, HEAD),
      inputs: { mode: 'validate', 'index-file': 'indexes/many.yaml', comment: 'false' }
    })
    expect(run.code).toBe(1)
    const findings = Number(run.outputs['error-count']) + Number(run.outputs['warning-count'])
    expect(Number(run.outputs['error-count'])).toBeGreaterThan(10)
    // The step's own annotations stop at 10 errors; the check run has them all, errors first.
    expect(run.stdout.split('\n').filter(l => /^::error title=[\w-]+,file=/.test(l))).toHaveLength(10)
    const [check] = s.gh.checkRuns(HEAD)
    expect(check).toMatchObject({ name: 'custom-object-index / default', conclusion: 'failure' })
    expect(check!.annotations).toHaveLength(findings)
    const levels = check!.annotations.map(a => a.annotation_level)
    expect(levels).toEqual([...levels].sort((x, y) => (x === y ? 0 : x === 'failure' ? -1 : 1)))
    expect(check!.annotations[0]).toMatchObject({
      path: 'indexes/many.yaml',
      start_line: expect.any(Number) as unknown
    })
  })

  it.each([
    ['auto', 'a notice', /^::notice title=Check run::The check run is off/m],
    ['true', 'a warning', /^::warning::The check run 'custom-object-index \/ default' could not be written/m]
  ])(
    'under check-run: %s, a token that may not write checks is %s and the step passes',
    async (value, _what, line) => {
      const s = await repository()
      s.gh.setReadOnly(true)
      const run = await s.run({
        eventName: 'pull_request',
        event: prEvent(PR, HEAD),
        inputs: { mode: 'validate', 'index-file': 'indexes/o0.yaml', comment: 'false', 'check-run': value }
      })
      expect(run.code, run.stdout).toBe(0)
      expect(run.stdout).toMatch(line)
      expect(s.gh.checkRuns()).toEqual([])
    }
  )
})
