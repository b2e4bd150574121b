// Drift detection (docs/rules.md#drift-detection), end to end: a scheduled run compares the live indexes with
// the index files and says where they disagree (missing, changed, failed, unmanaged), in the outputs and the
// summary, writing nothing to the platform; with `drift-issue: true` it keeps one issue open while there is
// drift and closes it when the drift is gone; `fail-on-drift` decides the step's result.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { SAMPLE_IDS } from '../../src/emulator/index.js'
import type { RunningEmulator } from '../../src/emulator/index.js'
import type { LiveIndex } from '../../src/model.js'
import { tableOf } from '../helpers/markdown.js'
import {
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
const BOT = 'github-actions[bot]'

/**
 * The Ticket file against a live schema seeded below: idx_created matches, idx_status changed live (the file
 * adds priority), idx_assignee missing live, idx_unique_status failed live; idx_console is live only.
 */
const TICKET_FILE = `customObjectId: ${TICKET}
indexes:
  - name: idx_created
    fields: [createdAt]
  - name: idx_status
    fields: [status, priority]
  - name: idx_assignee
    fields: [assignee]
  - name: idx_unique_status
    fields: [status]
    unique: true
`
/** The Account file matches its live schema exactly. */
const ACCOUNT_FILE = `customObjectId: ${ACCOUNT}
indexes:
  - name: idx_account_name
    fields: [name]
`
/** Only unmanaged live indexes differ from this Ticket file (idx_status, idx_created, both live). */
const UNMANAGED_ONLY = `customObjectId: ${TICKET}
indexes:
  - name: idx_created
    fields: [createdAt]
`

// Every test starts its own servers; the concurrent tests share the list of closers, so it closes after the file.
const servers = useServers('file')

/** Stores `indexes` as the live Ticket's (a console edit) and ends its rebuild at once. */
function setLive(emu: RunningEmulator, indexes: LiveIndex[]): void {
  emu.putSchemaDirect({ ...emu.getSchema(TICKET)!, indexes })
  emu.finishRebuilds()
}

/** The live Ticket: idx_created as sampled, idx_status on [status] only, a failed unique index, idx_console. */
async function drifted(files: Record<string, string>): Promise<Scene> {
  const s = await scene(servers, { files })
  setLive(s.emu, [
    { name: 'idx_created', fields: ['createdAt'] },
    { name: 'idx_status', fields: ['status'] },
    { name: 'idx_unique_status', fields: ['status'], unique: true },
    { name: 'idx_console', fields: ['priority'] }
  ])
  expect(s.emu.getSchema(TICKET)!.indexes.find(i => i.name === 'idx_unique_status')!.status).toBe('failed')
  s.emu.resetRequests()
  return s
}

function writesToPlatform(s: Scene): string[] {
  return s.emu
    .requests()
    .filter(r => r.method !== 'GET' && r.path !== '/oauth/token')
    .map(r => `${r.method} ${r.path}`)
}

describe.concurrent('drift detection', () => {
  it('lists every object, missing, changed, failed and unmanaged indexes, and writes nothing', async () => {
    const s = await drifted({ 'indexes/ticket.yaml': TICKET_FILE, 'indexes/account.yaml': ACCOUNT_FILE })
    const run = await driftRun(s)
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.mode).toBe('drift')
    expect(run.outputs.drifted).toBe('true')
    expect(JSON.parse(run.outputs.drift!)).toEqual({
      [TICKET]: {
        missing: ['idx_assignee'],
        changed: ['idx_status'],
        failed: ['idx_unique_status'],
        unmanaged: ['idx_console']
      },
      [ACCOUNT]: { missing: [], changed: [], failed: [], unmanaged: [] }
    })
    // `diff` and `changed` say what a deploy would do, as in validate.
    expect(JSON.parse(run.outputs.diff!)).toEqual({
      added: ['idx_assignee'],
      modified: ['idx_status'],
      removed: [],
      unmanaged: ['idx_console']
    })
    expect(run.outputs.changed).toBe('true')
    expect(writesToPlatform(s)).toEqual([])
    expect(s.emu.requests().filter(r => r.method === 'PUT')).toEqual([])

    expect(run.summary).toContain('## Custom-object index drift: ⚠️ drift in 1 of 2 objects')
    const rows = tableOf(run.summary, ['Index', 'Drift', 'Detail'])
    expect(rows.map(r => [r[0], r[1]])).toEqual([
      ['idx_assignee', '➕ missing'],
      ['idx_status', '✏️ changed'],
      ['idx_unique_status', '❌ failed'],
      ['idx_console', 'ℹ️ unmanaged']
    ])
    // The changed row shows both definitions; the failed row the platform's reason.
    expect(rows[1]![2]).toContain('live status, file status, priority')
    expect(rows[2]![2]).toContain('cannot be built')
    expect(s.gh.requests()).toEqual([])
  })

  it('lists unmanaged indexes as information without prune: true (no drift)', async () => {
    const s = await scene(servers, { files: { 'indexes/ticket.yaml': UNMANAGED_ONLY } })
    const run = await driftRun(s)
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.drifted).toBe('false')
    expect(JSON.parse(run.outputs.drift!)).toEqual({
      [TICKET]: { missing: [], changed: [], failed: [], unmanaged: ['idx_status'] }
    })
    expect(run.summary).toContain('✅ no drift')
    expect(tableOf(run.summary, ['Index', 'Drift', 'Detail'])[0]![1]).toBe('ℹ️ unmanaged')
  })

  it('counts unmanaged indexes as drift under prune: true', async () => {
    const s = await scene(servers, { files: { 'indexes/ticket.yaml': `${UNMANAGED_ONLY}prune: true\n` } })
    const run = await driftRun(s, { 'fail-on-drift': 'true' })
    expect(run.code).toBe(1)
    expect(run.outputs.drifted).toBe('true')
    expect(JSON.parse(run.outputs.drift!)).toEqual({
      [TICKET]: { missing: [], changed: [], failed: [], unmanaged: ['idx_status'] }
    })
    expect(tableOf(run.summary, ['Index', 'Drift', 'Detail'])[0]![1]).toBe('➖ unmanaged')
    expect(writesToPlatform(s)).toEqual([])
  })

  it('marks unmanaged indexes as drift under prune: true beside other drift', async () => {
    const s = await scene(servers, {
      files: {
        'indexes/ticket.yaml': `${UNMANAGED_ONLY}  - name: idx_assignee\n    fields: [assignee]\nprune: true\n`
      }
    })
    const run = await driftRun(s)
    expect(run.outputs.drifted).toBe('true')
    expect(JSON.parse(run.outputs.drift!)).toEqual({
      [TICKET]: { missing: ['idx_assignee'], changed: [], failed: [], unmanaged: ['idx_status'] }
    })
    expect(tableOf(run.summary, ['Index', 'Drift', 'Detail']).map(r => r[1])).toEqual([
      '➕ missing',
      '➖ unmanaged'
    ])
  })

  it('fails the step on drift only with fail-on-drift: true', async () => {
    const s = await drifted({ 'indexes/ticket.yaml': TICKET_FILE })
    const passes = await driftRun(s)
    expect(passes.code, passes.stdout).toBe(0)
    expect(passes.outputs.drifted).toBe('true')
    const fails = await driftRun(s, { 'fail-on-drift': 'true' })
    expect(fails.code).toBe(1)
    expect(errors(fails)).toEqual([`Drift in ${TICKET} (fail-on-drift: true).`])
    expect(fails.outputs.drifted).toBe('true')
    expect(writesToPlatform(s)).toEqual([])
  })

  it('runs drift under mode: auto on a schedule event', async () => {
    const s = await drifted({ 'indexes/ticket.yaml': TICKET_FILE })
    const run = await s.run({
      eventName: 'schedule',
      event: { schedule: '0 6 * * *' },
      inputs: { 'index-file': 'indexes/*.yaml' }
    })
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.mode).toBe('drift')
    expect(run.stdout).toContain("Mode: drift (auto, event 'schedule')")
    expect(run.outputs.drifted).toBe('true')
    expect(writesToPlatform(s)).toEqual([])
  })
})

describe.concurrent('the drift issue', () => {
  const LIVE: LiveIndex[] = [
    { name: 'idx_created', fields: ['createdAt'] },
    { name: 'idx_status', fields: ['status'] }
  ]

  it('is opened, updated in place, closed with a comment when fixed, and reopened when drift comes back', async () => {
    const s = await driftScene(servers, TICKET_MISSING_ASSIGNEE)
    const inputs = { 'drift-issue': 'true' }

    const first = await driftRun(s, inputs)
    expect(first.code, first.stdout).toBe(0)
    expect(driftIssues(s)).toHaveLength(1)
    const [issue] = driftIssues(s)
    expect(issue).toMatchObject({ state: 'open', user: { login: BOT } })
    expect(issue!.body).toContain('idx_assignee')
    expect(issue!.title).toBe('Custom-object index drift: 1 object')
    expect(first.stdout).toContain(`Drift issue created: ${issue!.html_url}`)

    const second = await driftRun(s, { ...inputs, 'fail-on-drift': 'true' })
    expect(second.code).toBe(1)
    expect(driftIssues(s)).toHaveLength(1)
    expect(driftIssues(s)[0]).toMatchObject({ number: issue!.number, state: 'open' })
    expect(
      s.gh.requests().filter(r => r.method === 'POST' && r.path.startsWith('/repos/acme/indexes/issues?'))
    ).toEqual([])
    expect(
      s.gh.requests().filter(r => r.method === 'POST' && r.path === '/repos/acme/indexes/issues')
    ).toHaveLength(1)

    // The fix: the live schema gets the missing index.
    setLive(s.emu, [...LIVE, { name: 'idx_assignee', fields: ['assignee'] }])
    const third = await driftRun(s, inputs)
    expect(third.code, third.stdout).toBe(0)
    expect(third.outputs.drifted).toBe('false')
    expect(driftIssues(s)).toHaveLength(1)
    expect(driftIssues(s)[0]).toMatchObject({ number: issue!.number, state: 'closed' })
    const closing = s.gh.comments(issue!.number)
    expect(closing).toHaveLength(1)
    expect(closing[0]!.body).toContain('The drift is gone')
    expect(third.stdout).toContain('Drift issue closed')

    // A fourth run without drift leaves the closed issue alone.
    await driftRun(s, inputs)
    expect(s.gh.comments(issue!.number)).toHaveLength(1)

    // The drift comes back: the same issue is reopened.
    setLive(s.emu, LIVE)
    const fifth = await driftRun(s, inputs)
    expect(fifth.code, fifth.stdout).toBe(0)
    expect(driftIssues(s)).toHaveLength(1)
    expect(driftIssues(s)[0]).toMatchObject({ number: issue!.number, state: 'open' })
    expect(fifth.stdout).toContain('Drift issue reopened')
    expect(warnings(fifth)).toEqual([])
  })

  it('leaves the issue open when the live schema cannot be read: a failed check is not a fix', async () => {
    const s = await driftScene(servers, TICKET_MISSING_ASSIGNEE)
    expect((await driftRun(s, { 'drift-issue': 'true' })).code).toBe(0)
    const [issue] = driftIssues(s)
    s.emu.addFault({
      method: 'GET',
      path: '/api/v2/data-gateway/customobjects/schemas/*',
      kind: 'status',
      status: 500,
      count: 50
    })
    const run = await driftRun(s, { 'drift-issue': 'true' })
    expect(run.code).toBe(1)
    expect(run.outputs.drifted).toBe('false')
    expect(driftIssues(s)).toHaveLength(1)
    expect(driftIssues(s)[0]).toMatchObject({ number: issue!.number, state: 'open' })
    expect(s.gh.comments(issue!.number)).toEqual([])
    expect(run.stdout).toContain('The drift issue is left as it is: 1 object could not be checked.')
  })

  it('fails, and leaves the issue open, when an index file cannot be read', async () => {
    const s = await driftScene(servers, TICKET_MISSING_ASSIGNEE)
    expect((await driftRun(s, { 'drift-issue': 'true' })).code).toBe(0)
    const [issue] = driftIssues(s)
    writeFileSync(path.join(s.workspace, 'indexes/ticket.yaml'), 'indexes: [\n')
    const run = await driftRun(s, { 'drift-issue': 'true' })
    expect(run.code).toBe(1)
    expect(run.outputs['error-count']).toBe('1')
    expect(driftIssues(s)[0]).toMatchObject({ number: issue!.number, state: 'open' })
    expect(s.gh.comments(issue!.number)).toEqual([])
  })

  it('ignores an issue planted by another user with the marker, and opens its own', async () => {
    const s = await driftScene(servers, TICKET_MISSING_ASSIGNEE, {
      issues: [
        { number: 1, title: 'Drift: all fine', body: `${DRIFT_MARKER}\nnothing to see`, login: 'mallory' }
      ]
    })
    const run = await driftRun(s, { 'drift-issue': 'true' })
    expect(run.code, run.stdout).toBe(0)
    const issues = driftIssues(s)
    expect(issues.map(i => [i.number, i.user.login, i.state])).toEqual([
      [1, 'mallory', 'open'],
      [2, BOT, 'open']
    ])
    expect(issues[0]!.body).toBe(`${DRIFT_MARKER}\nnothing to see`)
    expect(s.gh.requests().filter(r => r.method === 'PATCH')).toEqual([])
  })

  it('opens no issue when there is no drift', async () => {
    const s = await driftScene(servers, TICKET_AS_LIVE)
    const run = await driftRun(s, { 'drift-issue': 'true' })
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.drifted).toBe('false')
    expect(s.gh.issues()).toEqual([])
  })
})
