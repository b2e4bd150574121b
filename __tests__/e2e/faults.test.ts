// The fault matrix, end to end: the bundled action (dist/index.js) run as GitHub runs it against the
// emulator's fault injection and the GitHub and warehouse stand-ins, over real sockets. Each case checks the
// outcome, the outputs and the final platform state: exactly the intended document, applied once.
// Every test has its own emulator and workspace, so the cases run concurrently.
import { describe, type ExpectStatic, it } from 'vitest'
import {
  SAMPLE_IDS,
  type Warehouse,
  type EmulatorOptions,
  type RunningEmulator
} from '../../src/emulator/index.js'
import type { LiveIndex, SchemaDocument } from '../../src/model.js'
import {
  runAction,
  type ActionOptions,
  type ActionRun,
  platformInputs,
  PUSH_TO_MAIN
} from '../helpers/action.js'
import { useServers } from '../helpers/servers.js'

const TICKET = SAMPLE_IDS.ticket
const CLIENT = 'faults-client'
const SECRET = 'faults-client-secret-7f3a'
const SCHEMA_PATH = `/api/v2/data-gateway/customobjects/schemas/${TICKET}`
const SCHEMA_GLOB = '/api/v2/data-gateway/customobjects/schemas/*'
const ADD_ASSIGNEE = `customObjectId: ${TICKET}
indexes:
  - name: idx_assignee
    fields: [assignee]
`
const ASSIGNEE: LiveIndex = { name: 'idx_assignee', fields: ['assignee'] }

const servers = useServers('file')

interface Rig {
  emu: RunningEmulator
  dir: string
  before: SchemaDocument
}

async function rig(opts: EmulatorOptions = {}, proposal = ADD_ASSIGNEE): Promise<Rig> {
  const emu = await servers.emulator({
    ticketCount: 1000,
    accountCount: 100,
    rebuildRecordsPerSecond: 1_000_000,
    clients: [{ id: CLIENT, secret: SECRET }],
    ...opts
  })
  const ws = servers.workspace({ 'indexes/ticket.yaml': proposal })
  return { emu, dir: ws.dir, before: emu.getSchema(TICKET)! }
}

function deploy(
  r: Rig,
  inputs: Record<string, string> = {},
  extra: Partial<ActionOptions> = {}
): Promise<ActionRun> {
  return runAction({
    workspace: r.dir,
    inputs: {
      'index-file': 'indexes/ticket.yaml',
      ...platformInputs(r.emu.url, CLIENT, SECRET),
      ...inputs
    },
    ...PUSH_TO_MAIN,
    ...extra
  })
}

/** An index as the action manages it: read-only keys set aside. */
function definition(i: LiveIndex): LiveIndex {
  const { status: _status, statusReason: _reason, ...rest } = i
  return rest
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

const requestsTo = (r: Rig, method: string, path: string) =>
  r.emu.requests().filter(q => q.method === method && q.path === path)

async function until(what: string, test: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
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
    const r = await rig({ rebuildMinMs: 2500 })
    const running = deploy(r)
    await until('the PUT', () => requestsTo(r, 'PUT', SCHEMA_PATH).some(q => q.status === 200))
    r.emu.expireTokens()
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
    // The PUT waits long enough for the other writer to land between the action's GET and its PUT.
    r.emu.addFault({ method: 'PUT', path: SCHEMA_GLOB, kind: 'latency', latencyMs: 500 })
    const running = deploy(r)
    await until('the first GET', () => requestsTo(r, 'GET', SCHEMA_PATH).some(q => q.status === 200))
    const theirs: LiveIndex = { name: 'idx_priority', fields: ['priority'] }
    r.emu.putSchemaDirect({ ...r.emu.getSchema(TICKET)!, indexes: [...r.before.indexes, theirs] })
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
    const r = await rig({ rebuildMinMs: 4000 })
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
  const WH_SECRET = 'faults-warehouse-secret-91c2'
  function warehouse(): Promise<Warehouse> {
    return servers.warehouse({ secret: WH_SECRET })
  }
  const auditInputs = (url: string, required = false): Record<string, string> => ({
    'warehouse-url': `${url}/audit`,
    'warehouse-secret': WH_SECRET,
    'audit-required': String(required)
  })

  it('delivers the audit record once after the warehouse fails twice', async ({ expect }) => {
    const r = await rig()
    const wh = await warehouse()
    wh.failNext(2, 503)
    const run = await deploy(r, auditInputs(wh.url))
    expectDeployed(expect, run, r)
    expectAppliedOnce(expect, r)
    expect(run.outputs['audit-delivered']).toBe('true')
    expect(wh.attempts()).toBe(3)
    expect(wh.deliveries()).toHaveLength(1)
    expect(wh.deliveries()[0]).toMatchObject({ signatureValid: true, duplicate: false })
    expect(wh.deliveries()[0]!.body).toMatchObject({ action: 'INDEX_DEPLOYED', customObjectId: TICKET })
  })

  it('warns and succeeds when the warehouse is down and the audit is not required', async ({ expect }) => {
    const r = await rig()
    const wh = await warehouse()
    wh.setDown(true)
    const run = await deploy(r, auditInputs(wh.url), { timeoutMs: 90_000 })
    expectDeployed(expect, run, r)
    expectAppliedOnce(expect, r)
    expect(run.outputs['audit-delivered']).toBe('false')
    expect(run.stdout).toMatch(/^::warning::.*audit record.*not delivered/m)
    expect(wh.deliveries()).toHaveLength(0)
    expect(wh.attempts()).toBeGreaterThan(1)
  })

  it('fails the step when the warehouse is down and audit-required is true', async ({ expect }) => {
    const r = await rig()
    const wh = await warehouse()
    wh.setDown(true)
    const run = await deploy(r, auditInputs(wh.url, true), { timeoutMs: 90_000 })
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
