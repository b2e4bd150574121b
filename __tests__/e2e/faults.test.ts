// The fault matrix, end to end: the bundled action (dist/index.js) run as GitHub runs it against the
// emulator's fault injection and the GitHub and warehouse stand-ins, over real sockets, on the deploy rig
// (helpers/deploy-rig.ts). Each case checks the outcome, the outputs and the final platform state: exactly the
// intended document, applied once. Every test has its own rig, so the cases run concurrently. Rebuilds that a
// scenario acts during never end by themselves (an hour); the test ends them (finishRebuilds) when it has acted.
import { describe, type ExpectStatic, it } from 'vitest'
import type { LiveIndex } from '../../src/model.js'
import type { EmulatorOptions, Warehouse } from '../../src/emulator/index.js'
import type { ActionOptions, ActionRun } from '../helpers/action.js'
import {
  definition,
  requestsTo,
  rig as deployRig,
  SCHEMA_GLOB,
  SCHEMA_PATH,
  TICKET,
  until,
  type Rig
} from '../helpers/deploy-rig.js'
import { useServers } from '../helpers/servers.js'

const ASSIGNEE: LiveIndex = { name: 'idx_assignee', fields: ['assignee'] }
/** A rebuild that never ends by itself within a test. */
const ENDLESS = { rebuildMinMs: 3_600_000 }

const servers = useServers('file')

const rig = (opts?: EmulatorOptions, indexFile?: string): Promise<Rig> => deployRig(servers, opts, indexFile)

function deploy(
  r: Rig,
  inputs: Record<string, string> = {},
  extra: Partial<ActionOptions> = {}
): Promise<ActionRun> {
  return r.run(inputs, extra)
}

/** The platform holds exactly the intended document: the live one plus `added`, one version later, all active. */
function expectAppliedOnce(expect: ExpectStatic, r: Rig, added: LiveIndex[] = [ASSIGNEE]): void {
  const after = r.emu.getSchema(TICKET)!
  expect(after.schemaVersion).toBe(r.before.schemaVersion + 1)
  expect(after.indexes.map(definition)).toEqual([...r.before.indexes.map(definition), ...added])
  expect(after.indexes.map(i => i.status)).toEqual(after.indexes.map(() => 'active'))
  const { indexes: _a, schemaVersion: _v, lastUpdated: _l, ...restAfter } = after
  const { indexes: _b, schemaVersion: _w, lastUpdated: _m, ...restBefore } = r.before
  expect(restAfter).toEqual(restBefore)
}

function expectDeployed(expect: ExpectStatic, run: ActionRun, r: Rig): void {
  expect(run.code, run.stdout + run.stderr).toBe(0)
  expect(run.outputs.mode).toBe('deploy')
  expect(run.outputs.valid).toBe('true')
  expect(run.outputs.changed).toBe('true')
  expect(run.outputs['schema-version']).toBe(String(r.before.schemaVersion + 1))
  expect(run.outputs['rebuild-status']).toBe('active')
  expect(run.outputs['index-used']).toBe('true')
  expect(JSON.parse(run.outputs.diff!)).toMatchObject({ added: ['idx_assignee'], modified: [], removed: [] })
}

describe.concurrent('platform faults during a deploy', () => {
  it('rides out a 429 storm on the schema GET, never retrying before Retry-After', async ({ expect }) => {
    const r = await rig()
    r.emu.addFault({ method: 'GET', path: SCHEMA_GLOB, kind: 'status', status: 429, retryAfter: 1, count: 5 })
    const run = await deploy(r)
    expectDeployed(expect, run, r)
    expectAppliedOnce(expect, r)
    const gets = requestsTo(r, 'GET', SCHEMA_PATH)
    expect(gets.filter(q => q.status === 429)).toHaveLength(5)
    gets.forEach((q, i) => {
      const next = gets[i + 1]
      if (q.status === 429 && next) expect(next.at - q.at).toBeGreaterThanOrEqual(1000)
    })
    expect(requestsTo(r, 'PUT', SCHEMA_PATH).map(q => q.status)).toEqual([200])
  })

  it('rides out bursts of 503 on every call and on the PUT', async ({ expect }) => {
    const r = await rig()
    r.emu.addFault({ path: '/api/v2/data-gateway/customobjects', kind: 'status', status: 503, count: 3 })
    r.emu.addFault({ method: 'PUT', path: SCHEMA_GLOB, kind: 'status', status: 503, count: 2 })
    const run = await deploy(r)
    expectDeployed(expect, run, r)
    expectAppliedOnce(expect, r)
    expect(r.emu.requests().filter(q => q.status === 503)).toHaveLength(5)
    expect(requestsTo(r, 'PUT', SCHEMA_PATH).map(q => q.status)).toEqual([503, 503, 200])
  })

  it('retries connections reset before an answer on reads and probe queries', async ({ expect }) => {
    const r = await rig()
    r.emu.addFault({ method: 'GET', path: SCHEMA_GLOB, kind: 'reset', count: 2 })
    r.emu.addFault({ method: 'POST', path: '/api/v2/data-gateway/customobjects/queries', kind: 'reset' })
    const run = await deploy(r)
    expectDeployed(expect, run, r)
    expectAppliedOnce(expect, r)
    expect(r.emu.requests().filter(q => q.status === 0)).toHaveLength(3)
  })

  it('sends a PUT reset before it reached the platform again, and applies it once', async ({ expect }) => {
    const r = await rig()
    r.emu.addFault({ method: 'PUT', path: SCHEMA_GLOB, kind: 'reset' })
    const run = await deploy(r)
    expectDeployed(expect, run, r)
    expectAppliedOnce(expect, r)
    expect(requestsTo(r, 'PUT', SCHEMA_PATH).map(q => q.status)).toEqual([0, 200])
  })

  it('recognises a PUT committed whose answer was lost: one version bump, reported deployed', async ({
    expect
  }) => {
    const r = await rig()
    r.emu.addFault({ method: 'PUT', path: SCHEMA_GLOB, kind: 'commit-then-drop' })
    const run = await deploy(r)
    expectDeployed(expect, run, r)
    expectAppliedOnce(expect, r)
    expect(requestsTo(r, 'PUT', SCHEMA_PATH).map(q => q.status)).toEqual([0])
    expect(run.stdout).toMatch(/answer was lost/)
    expect(run.stdout).not.toMatch(/^::error::/m)
  })

  it('retries a throttled token endpoint (400 invalid_request) and deploys', async ({ expect }) => {
    const r = await rig()
    r.emu.addFault({
      method: 'POST',
      path: '/oauth/token',
      kind: 'status',
      status: 400,
      retryAfter: 1,
      count: 2
    })
    const run = await deploy(r)
    expectDeployed(expect, run, r)
    expectAppliedOnce(expect, r)
    expect(
      r.emu
        .requests()
        .filter(q => q.path === '/oauth/token')
        .map(q => q.status)
    ).toEqual([400, 400, 200])
  })

  it('refreshes a token that expires during the rebuild wait, once', async ({ expect }) => {
    const r = await rig(ENDLESS)
    const running = deploy(r)
    await until('the PUT', () => requestsTo(r, 'PUT', SCHEMA_PATH).some(q => q.status === 200))
    r.emu.expireTokens()
    // The rebuild ends once a poll has been refused with the expired token (and replayed with a new one).
    await until('a poll refused', () => r.emu.requests().some(q => q.status === 401))
    r.emu.finishRebuilds()
    const run = await running
    expectDeployed(expect, run, r)
    expectAppliedOnce(expect, r)
    expect(
      r.emu
        .requests()
        .filter(q => q.path === '/oauth/token')
        .map(q => q.status)
    ).toEqual([200, 200])
    expect(r.emu.requests().filter(q => q.status === 401)).toHaveLength(1)
  })

  it('re-merges after a 409 from a concurrent writer and keeps both changes', async ({ expect }) => {
    const r = await rig()
    // The PUT is held until the other writer has landed between the action's GET and its PUT.
    const put = r.emu.hold({ method: 'PUT', path: SCHEMA_GLOB })
    const running = deploy(r)
    await put.reached
    const theirs: LiveIndex = { name: 'idx_priority', fields: ['priority'] }
    r.emu.putSchemaDirect({ ...r.emu.getSchema(TICKET)!, indexes: [...r.before.indexes, theirs] })
    put.release()
    const run = await running
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs['rebuild-status']).toBe('active')
    expect(run.stdout).toMatch(/stale.*re-merging/)
    expect(requestsTo(r, 'PUT', SCHEMA_PATH).map(q => q.status)).toEqual([409, 200])
    const after = r.emu.getSchema(TICKET)!
    expect(after.schemaVersion).toBe(r.before.schemaVersion + 2)
    expect(run.outputs['schema-version']).toBe(String(after.schemaVersion))
    expect(after.indexes.map(definition)).toEqual([...r.before.indexes.map(definition), theirs, ASSIGNEE])
    expect(after.indexes.every(i => i.status === 'active')).toBe(true)
  })

  it('fails the step when the rebuild fails, with the statusReason in the log', async ({ expect }) => {
    const unique = `customObjectId: ${TICKET}
indexes:
  - name: idx_status_unique
    fields: [status]
    unique: true
`
    const r = await rig({}, unique)
    const run = await deploy(r)
    expect(run.code).toBe(1)
    expect(run.outputs['rebuild-status']).toBe('failed')
    const after = r.emu.getSchema(TICKET)!
    expect(after.schemaVersion).toBe(r.before.schemaVersion + 1)
    const failed = after.indexes.find(i => i.name === 'idx_status_unique')!
    expect(failed.status).toBe('failed')
    expect(failed.statusReason).toBeTruthy()
    expect(run.stdout).toContain(failed.statusReason!)
    expect(run.stdout).toMatch(/^::error::.*idx_status_unique|^::error::.*failed/m)
    expect(requestsTo(r, 'PUT', SCHEMA_PATH)).toHaveLength(1)
  })

  it('fails the step when the rebuild outlasts rebuild-timeout-seconds', async ({ expect }) => {
    const r = await rig(ENDLESS)
    const run = await deploy(r, { 'rebuild-timeout-seconds': '1' })
    expect(run.code).toBe(1)
    expect(run.outputs['rebuild-status']).toBe('timeout')
    expect(run.stdout).toMatch(/^::error::.*timeout/m)
    const after = r.emu.getSchema(TICKET)!
    expect(after.schemaVersion).toBe(r.before.schemaVersion + 1)
    expect(after.indexes.find(i => i.name === 'idx_assignee')?.status).toBe('building')
    expect(requestsTo(r, 'PUT', SCHEMA_PATH)).toHaveLength(1)
  })
})

describe.concurrent('warehouse faults', () => {
  // The rig's warehouse stand-in, its secret and URL among the rig's inputs.
  const auditInputs = (required = false): Record<string, string> => ({ 'audit-required': String(required) })

  it('delivers the audit record once after the warehouse fails twice', async ({ expect }) => {
    const r = await rig()
    const wh = r.wh
    wh.failNext(2, 503)
    const run = await deploy(r, auditInputs())
    expectDeployed(expect, run, r)
    expectAppliedOnce(expect, r)
    expect(run.outputs['audit-delivered']).toBe('true')
    expect(wh.attempts()).toBe(3)
    expect(wh.deliveries()).toHaveLength(1)
    expect(wh.deliveries()[0]).toMatchObject({ signatureValid: true, duplicate: false })
    expect(wh.deliveries()[0]!.body).toMatchObject({ action: 'INDEX_DEPLOYED', customObjectId: TICKET })
  })

  // Down for maintenance: a 503 asking to retry in an hour, which the action gives up on at once. (Retrying a
  // warehouse that resets every connection until the deadline is counted in emulator/audit-deliver.test.ts.)
  const down = (wh: Warehouse): void => {
    wh.failNext(10_000, 503, { retryAfter: 3600 })
  }

  it('warns and succeeds when the warehouse is down and the audit is not required', async ({ expect }) => {
    const r = await rig()
    const wh = r.wh
    down(wh)
    const run = await deploy(r, auditInputs())
    expectDeployed(expect, run, r)
    expectAppliedOnce(expect, r)
    expect(run.outputs['audit-delivered']).toBe('false')
    expect(run.stdout).toMatch(/^::warning::.*audit record.*not delivered/m)
    expect(run.stdout).toMatch(/asked to wait 3600 s \(Retry-After\)/)
    expect(wh.deliveries()).toHaveLength(0)
    expect(wh.attempts()).toBe(1)
  })

  it('fails the step when the warehouse is down and audit-required is true', async ({ expect }) => {
    const r = await rig()
    const wh = r.wh
    down(wh)
    const run = await deploy(r, auditInputs(true))
    expect(run.code).toBe(1)
    expect(run.outputs['audit-delivered']).toBe('false')
    expect(run.stdout).toMatch(/^::error::.*audit-required/m)
    // The deploy itself went through: the failure is the missing audit record.
    expectAppliedOnce(expect, r)
    expect(wh.deliveries()).toHaveLength(0)
  })
})

describe('GitHub faults', () => {
  it('warns when the token cannot write comments and still writes the summary', async ({ expect }) => {
    const r = await rig()
    const github = await servers.github({ readOnly: true })
    const run = await deploy(
      r,
      { 'github-token': 'ghs_faults_readonly' },
      {
        eventName: 'pull_request',
        event: {
          number: 21,
          pull_request: {
            number: 21,
            head: { repo: { full_name: 'acme/indexes' } },
            base: { repo: { full_name: 'acme/indexes' } }
          },
          repository: { default_branch: 'main', full_name: 'acme/indexes' }
        },
        env: { GITHUB_API_URL: github.url }
      }
    )
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.mode).toBe('validate')
    expect(run.outputs['comment-url']).toBe('')
    expect(run.stdout).toMatch(/^::warning::.*cannot write comments/im)
    expect(run.summary).toContain('idx_assignee')
    expect(github.comments(21)).toHaveLength(0)
    expect(github.requests().some(q => q.method === 'POST' && q.status === 403)).toBe(true)
    expect(r.emu.getSchema(TICKET)!.schemaVersion).toBe(r.before.schemaVersion)
  })
})
