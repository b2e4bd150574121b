// Correct across runs, the platform side: the bundled action run several times against ONE emulator, which
// keeps its state between runs. A managed index that is live `failed` is not "unchanged" (a re-run fails without
// a PUT, validate reports it); one still `building` after an earlier run's timeout is waited for and probed;
// and a run whose inputs cannot be read still leaves a summary, outputs and a report file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import type { AuditRecord } from '../../src/audit/record.js'
import { SAMPLE_IDS } from '../../src/emulator/index.js'
import type { Finding } from '../../src/model.js'
import type { ReportFile } from '../../src/report/file.js'
import { prEvent, PUSH_TO_MAIN, type ActionRun } from '../helpers/action.js'
import { errors, scene, type Scene } from '../helpers/scene.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers()
const TICKET = SAMPLE_IDS.ticket
const SCHEMA_PATH = `/api/v2/data-gateway/customobjects/schemas/${TICKET}`
const FILE = 'indexes/ticket.yaml'
const PR_HEAD = 'abcdefabcdefabcdefabcdefabcdefabcdefabcd'

/** A unique index over `status`, which the sample tickets share: its rebuild fails on duplicate values. */
const UNIQUE_STATUS = `customObjectId: ${TICKET}
indexes:
  - name: idx_status_unique
    fields: [status]
    unique: true
`
/** The fix: the same index without `unique`, a changed definition that the next deploy rebuilds. */
const STATUS_NOT_UNIQUE = `customObjectId: ${TICKET}
indexes:
  - name: idx_status_unique
    fields: [status, assignee]
`
const ADD_ASSIGNEE = `customObjectId: ${TICKET}
indexes:
  - name: idx_assignee
    fields: [assignee]
probes:
  - index: idx_assignee
    values: { assignee: probe-user }
`

function deploy(s: Scene, inputs: Record<string, string> = {}): Promise<ActionRun> {
  return s.run({ inputs: { 'index-file': FILE, 'require-review': 'off', ...inputs }, ...PUSH_TO_MAIN })
}

function validate(s: Scene): Promise<ActionRun> {
  return s.run({ inputs: { 'index-file': FILE }, eventName: 'pull_request', event: prEvent(7, PR_HEAD) })
}

const puts = (s: Scene): number =>
  s.emu.requests().filter(r => r.method === 'PUT' && r.path === SCHEMA_PATH).length

const audits = (s: Scene): AuditRecord[] => s.wh.deliveries().map(d => d.body as AuditRecord)

/** The error findings of a run (the sample's live indexes the file does not list add unmanaged warnings). */
const errorFindings = (run: ActionRun): Finding[] =>
  (JSON.parse(run.outputs.findings ?? '[]') as Finding[]).filter(f => f.severity === 'error')

function reportOf(run: ActionRun): ReportFile {
  const file = run.outputs.report
  expect(file, 'the report output').toBeTruthy()
  expect(existsSync(file!), 'the report file').toBe(true)
  return JSON.parse(readFileSync(file!, 'utf8')) as ReportFile
}

describe('a managed index that is live failed', () => {
  it('fails every re-run without a PUT until the file changes its definition, and validate says why', async () => {
    const s = await scene(servers, { files: { [FILE]: UNIQUE_STATUS } })

    // Run 1: the deploy's own rebuild fails (on-rebuild-failure: keep leaves the index failed).
    const first = await deploy(s)
    expect(first.code, first.stdout).toBe(1)
    expect(first.outputs).toMatchObject({ valid: 'false', changed: 'true', 'rebuild-status': 'failed' })
    expect(puts(s)).toBe(1)
    const failed = s.emu.getSchema(TICKET)!.indexes.find(i => i.name === 'idx_status_unique')!
    expect(failed.status).toBe('failed')
    const reason = failed.statusReason!
    expect(reason).toMatch(/share the value/)

    // Run 2, the re-run: not "unchanged"; the object fails without a PUT.
    const rerun = await deploy(s)
    expect(rerun.code, rerun.stdout).toBe(1)
    expect(puts(s)).toBe(1)
    expect(rerun.outputs).toMatchObject({
      valid: 'false',
      changed: 'false',
      'rebuild-status': 'failed',
      'schema-version': String(s.emu.getSchema(TICKET)!.schemaVersion),
      'audit-delivered': 'true'
    })
    expect(audits(s).map(a => [a.action, a.rebuild.status])).toEqual([
      ['INDEX_DEPLOY_FAILED', 'failed'],
      ['INDEX_DEPLOY_FAILED', 'failed']
    ])
    const error = errors(rerun).join('\n')
    expect(error).toContain(`index idx_status_unique failed: ${reason}`)
    expect(error).toContain('nothing was deployed')
    expect(error).toContain('prune: true')
    expect(rerun.summary).not.toContain('nothing to deploy')
    // No rebuild ran: the summary and the log say none did.
    expect(rerun.summary).toContain('nothing deployed · no rebuild: the platform already reports index idx')
    expect(rerun.summary + rerun.stdout).not.toMatch(/rebuild failed (in|after) 0 s/)
    expect(rerun.outputs['rebuild-seconds']).toBe('0')
    expect(rerun.summary).toContain('❌ failed')
    expect(errorFindings(rerun).map(f => [f.rule, f.severity, f.index])).toEqual([
      ['live-index-failed', 'error', 'idx_status_unique']
    ])
    expect(reportOf(rerun).objects[0]).toMatchObject({
      outcome: 'failed',
      auditAction: 'INDEX_DEPLOY_FAILED',
      rebuild: { status: 'failed', reason: `index idx_status_unique failed: ${reason}` }
    })

    // Run 3, validate on the next pull request: the live failure is an error finding on the file's line.
    const check = await validate(s)
    expect(check.code, check.stdout).toBe(1)
    expect(check.outputs).toMatchObject({ valid: 'false', 'error-count': '1' })
    expect(errorFindings(check)).toEqual([
      expect.objectContaining({
        severity: 'error',
        rule: 'live-index-failed',
        index: 'idx_status_unique',
        file: FILE,
        line: 3,
        message: expect.stringContaining(reason) as string
      })
    ])
    expect(check.stdout).toMatch(
      /^::error title=live-index-failed,file=indexes\/ticket\.yaml,line=3::Live index idx_status_unique failed its rebuild/m
    )
    const comment = s.gh.comments(7).at(-1)!.body
    expect(comment).toContain('live-index-failed')
    expect(comment).toContain('idx\\_status\\_unique')
    expect(check.summary).toContain('live-index-failed')
    expect(puts(s)).toBe(1)

    // Run 4: the file changes the definition, so the deploy rebuilds the index: that is the fix.
    writeFileSync(path.join(s.workspace, FILE), STATUS_NOT_UNIQUE)
    const fixed = await deploy(s)
    expect(fixed.code, fixed.stdout).toBe(0)
    expect(puts(s)).toBe(2)
    expect(fixed.outputs).toMatchObject({ valid: 'true', changed: 'true', 'rebuild-status': 'active' })
    expect(audits(s).at(-1)!.action).toBe('INDEX_DEPLOYED')
    expect(s.emu.getSchema(TICKET)!.indexes.find(i => i.name === 'idx_status_unique')!.status).toBe('active')
  })
})

describe('a managed index still building after an earlier run timed out', () => {
  it('is waited for by the re-run, then probed, and the re-run reports success without a PUT', async () => {
    const s = await scene(servers, { files: { [FILE]: ADD_ASSIGNEE } })
    // The emulator holds the rebuild as building until released: the first run's timeout is certain.
    s.emu.holdRebuilds({ index: 'idx_assignee', customObjectId: TICKET })

    const first = await deploy(s, { 'rebuild-timeout-seconds': '1' })
    expect(first.code, first.stdout).toBe(1)
    expect(first.outputs).toMatchObject({ valid: 'false', changed: 'true', 'rebuild-status': 'timeout' })
    expect(errors(first).join('\n')).toContain('still building: idx_assignee')
    expect(puts(s)).toBe(1)
    expect(s.emu.getSchema(TICKET)!.indexes.find(i => i.name === 'idx_assignee')!.status).toBe('building')

    // The re-run reads the schema (idx_assignee still building); only then is the rebuild released.
    const served = s.emu.requests().length
    const rerunning = deploy(s, { 'rebuild-timeout-seconds': '120' })
    await vi.waitFor(
      () => {
        const read = s.emu
          .requests()
          .slice(served)
          .some(r => r.method === 'GET' && r.path === SCHEMA_PATH && r.status === 200)
        expect(read).toBe(true)
      },
      { timeout: 60_000, interval: 20 }
    )
    s.emu.releaseRebuilds({ index: 'idx_assignee' })
    const rerun = await rerunning

    expect(rerun.code, rerun.stdout).toBe(0)
    expect(puts(s)).toBe(1)
    expect(rerun.stdout).toContain('idx_assignee still builds')
    expect(rerun.outputs).toMatchObject({
      valid: 'true',
      changed: 'false',
      'rebuild-status': 'active',
      'index-used': 'true'
    })
    expect(audits(s).map(a => [a.action, a.rebuild.status])).toEqual([
      ['INDEX_DEPLOY_FAILED', 'timeout'],
      ['INDEX_UNCHANGED', 'active']
    ])
    expect(audits(s)[1]!.probes).toEqual([
      expect.objectContaining({ index: 'idx_assignee', indexUsed: true })
    ])
    expect(reportOf(rerun).objects[0]).toMatchObject({ outcome: 'unchanged', rebuild: { status: 'active' } })
  })
})

describe('a settings error still leaves a result', () => {
  interface Case {
    input: string
    inputs: Record<string, string>
    mode: string
    reportMode: string
    problem: string
  }
  it.each<Case>([
    {
      input: 'mode',
      inputs: { mode: 'bogus' },
      mode: '',
      reportMode: 'unknown',
      problem: "Input 'mode' must be one of"
    },
    {
      input: 'region',
      inputs: { region: 'us-east-9' },
      mode: 'deploy',
      reportMode: 'deploy',
      problem: "Input 'region'"
    },
    {
      input: 'rebuild-timeout-seconds',
      inputs: { 'rebuild-timeout-seconds': 'abc' },
      mode: 'deploy',
      reportMode: 'deploy',
      problem: "Input 'rebuild-timeout-seconds' must be a whole number"
    },
    {
      input: 'index-file',
      inputs: { 'index-file': 'indexes/nothing-*.yaml' },
      mode: 'deploy',
      reportMode: 'deploy',
      problem: "Input 'index-file' matched no file"
    }
  ])('$input: a failed step, a summary naming it, valid=false, error-count=1 and a report file', async c => {
    const s = await scene(servers, { files: { [FILE]: ADD_ASSIGNEE } })
    const run = await deploy(s, c.inputs)

    expect(run.code).not.toBe(0)
    expect(errors(run).join('\n')).toContain(c.problem)
    expect(run.summary).toContain('the inputs could not be read')
    expect(run.summary).toContain(`| \`${c.input}\` | ${c.problem}`)
    expect(run.outputs).toMatchObject({
      mode: c.mode,
      valid: 'false',
      'error-count': '1',
      'warning-count': '0',
      findings: '[]',
      changed: '',
      'rebuild-status': ''
    })
    const report = reportOf(run)
    expect(report).toMatchObject({
      version: 1,
      mode: c.reportMode,
      objects: [],
      error: { input: c.input, message: expect.stringContaining(c.problem) as string }
    })
    expect(s.emu.requests()).toEqual([])
    expect(s.wh.deliveries()).toEqual([])
  })
})
