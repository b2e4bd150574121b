// Results under faults (docs/rules.md#results-under-faults), end to end on the deploy path: the bundled
// action (dist/index.js) run as GitHub runs it against the emulator's fault injection and the warehouse
// stand-in. Each case checks the exit code, the outputs, the one audit record the warehouse received
// (agreeing with the outputs), the final platform state, and that no secret got out (expectOutcome). Every
// test has its own emulator, warehouse and workspace, so the cases run concurrently.
import { describe, expect, it } from 'vitest'
import { createAuditSink } from '../../src/audit/deliver.js'
import { processObject } from '../../src/pipeline/object.js'
import { payloadHash } from '../../src/plan/hash.js'
import { tableOf } from '../helpers/markdown.js'
import { connect, indexFile, silentLogger } from '../helpers/platform.js'
import {
  ADD_ASSIGNEE,
  auditOf,
  CLIENT,
  definition,
  errorLines,
  expectNoSecrets,
  expectOutcome,
  outcomeAt,
  QUERIES_PATH,
  reported,
  requestsTo,
  rig,
  SCHEMA_GLOB,
  SCHEMA_PATH,
  SECRET,
  statuses,
  TICKET,
  until,
  WAREHOUSE_SECRET,
  type Rig
} from '../helpers/deploy-rig.js'
import type { ActionRun } from '../helpers/action.js'
import { useServers } from '../helpers/servers.js'
import type { ExpectStatic } from 'vitest'

// Every test starts its own rig; the concurrent tests share the list of closers, so it closes after the file.
const servers = useServers('file')

const ASSIGNEE = { name: 'idx_assignee', fields: ['assignee'] }
const PROBE_COLUMNS = ['Index', 'Query', 'Before the deploy', 'After the deploy', 'Used its index']

/** The platform holds the live indexes before the run plus `added`, one version on. */
function expectCommitted(expect: ExpectStatic, r: Rig, added = [ASSIGNEE]): void {
  const after = r.emu.getSchema(TICKET)!
  expect(after.schemaVersion).toBe(r.before.schemaVersion + 1)
  expect(after.indexes.map(definition)).toEqual([...r.before.indexes.map(definition), ...added])
}

/** Nothing was written. */
function expectUntouched(expect: ExpectStatic, r: Rig): void {
  expect(r.emu.getSchema(TICKET)).toEqual(r.before)
}

const failure = (run: ActionRun): string => errorLines(run).join('\n')

// docs/rules.md#every-deploy-attempt-is-audited
describe.concurrent(
  'every deploy attempt is audited; after a committed PUT the outputs say what is known',
  () => {
    it('audits a deploy that failed before its PUT without a schema version, and writes nothing', async ({
      expect
    }) => {
      const r = await rig(servers)
      r.emu.addFault({ method: 'GET', path: SCHEMA_GLOB, kind: 'status', status: 500, count: 100 })
      const run = await r.run()
      expectOutcome(expect, r, run, outcomeAt('before-read', r))
      expect(failure(run)).toMatch(
        /GET \/api\/v2\/data-gateway\/customobjects\/schemas\/\S+ failed: 500 internal\.server\.error/
      )
      expect(requestsTo(r, 'PUT', SCHEMA_PATH)).toHaveLength(0)
      expectUntouched(expect, r)
    })

    it('audits the version read last when the PUT fails after a 409 made it re-merge', async ({ expect }) => {
      const r = await rig(servers)
      // The first PUT waits while another writer lands (409); the second, re-merged one is refused.
      r.emu.addFault({ method: 'PUT', path: SCHEMA_GLOB, kind: 'latency', latencyMs: 600 })
      r.emu.addFault({ method: 'PUT', path: SCHEMA_GLOB, kind: 'status', status: 400, after: 'PUT' })
      const running = r.run()
      await until('the first PUT', () => requestsTo(r, 'PUT', SCHEMA_PATH).length === 1)
      const theirs = { name: 'idx_priority', fields: ['priority'] }
      r.emu.putSchemaDirect({ ...r.before, indexes: [...r.before.indexes, theirs] })
      const run = await running
      const read = r.emu.getSchema(TICKET)!
      expect(read.schemaVersion).toBe(r.before.schemaVersion + 1)
      expectOutcome(expect, r, run, {
        code: 1,
        valid: false,
        changed: true,
        version: read.schemaVersion,
        basedOn: read.schemaVersion,
        rebuild: 'skipped',
        indexUsed: '',
        audit: { action: 'INDEX_DEPLOY_FAILED', compliant: false }
      })
      expect(requestsTo(r, 'PUT', SCHEMA_PATH).map(q => q.status)).toEqual([409, 400])
      // The hash and the diff are those of the re-merged document, the one the last PUT sent.
      expect(run.outputs['payload-hash']).toBe(payloadHash({ ...read, indexes: [...read.indexes, ASSIGNEE] }))
      expect(JSON.parse(run.outputs.diff!)).toEqual({
        added: ['idx_assignee'],
        modified: [],
        removed: [],
        unmanaged: ['idx_created', 'idx_status', 'idx_priority']
      })
      expect(auditOf(expect, r).diff.unmanaged).toContain('idx_priority')
      expect(failure(run)).toMatch(/PUT \S+ failed: 400 bad\.request/)
    })

    it('rides out a rebuild poll that fails once after the PUT, and reports the deploy', async ({
      expect
    }) => {
      const r = await rig(servers, { rebuildMinMs: 700 })
      r.emu.addFault({
        method: 'GET',
        path: SCHEMA_GLOB,
        kind: 'status',
        status: 500,
        count: 1,
        after: 'PUT'
      })
      const run = await r.run()
      expectOutcome(expect, r, run, outcomeAt('deployed', r))
      const put = requestsTo(r, 'PUT', SCHEMA_PATH)
      expect(put.map(q => q.status)).toEqual([200])
      const polls = requestsTo(r, 'GET', SCHEMA_PATH).filter(q => q.at >= put[0]!.at)
      expect(polls.map(q => q.status)).toEqual([500, ...polls.slice(1).map(() => 200)])
      expect(polls.length).toBeGreaterThan(1)
      expectCommitted(expect, r)
      expect(statuses(r.emu.getSchema(TICKET)!).every(([, status]) => status === 'active')).toBe(true)
    })

    it('reports the new version and a timeout when every rebuild poll fails until rebuild-timeout-seconds', async ({
      expect
    }) => {
      const r = await rig(servers, { rebuildMinMs: 500 })
      r.emu.addFault({
        method: 'GET',
        path: SCHEMA_GLOB,
        kind: 'status',
        status: 500,
        count: 1000,
        after: 'PUT'
      })
      const run = await r.run({ 'rebuild-timeout-seconds': '2' })
      expectOutcome(expect, r, run, {
        code: 1,
        valid: false,
        changed: true,
        version: r.before.schemaVersion + 1,
        rebuild: 'timeout',
        indexUsed: '',
        audit: { action: 'INDEX_DEPLOY_FAILED', compliant: false }
      })
      const put = requestsTo(r, 'PUT', SCHEMA_PATH)
      expect(put.map(q => q.status)).toEqual([200])
      const polls = requestsTo(r, 'GET', SCHEMA_PATH).filter(q => q.at >= put[0]!.at)
      expect(polls.length).toBeGreaterThan(1)
      expect(polls.every(q => q.status === 500)).toBe(true)
      // The message names the failed polls and what they answered.
      expect(failure(run)).toMatch(
        new RegExp(
          `${polls.length} of ${polls.length} polls failed, the last with: GET \\S+ failed: 500 internal\\.server\\.error`
        )
      )
      // The PUT stands: the platform finished the rebuild the action could not see.
      expectCommitted(expect, r)
    })
  }
)

// docs/rules.md#every-wait-has-a-bound
describe.concurrent('rebuild polls stay inside rebuild-timeout-seconds', () => {
  it('cuts a poll the platform never answers at the rebuild deadline, and names why', async ({ expect }) => {
    const r = await rig(servers, { rebuildMinMs: 300 })
    r.emu.addFault({
      method: 'GET',
      path: SCHEMA_GLOB,
      kind: 'latency',
      latencyMs: 15_000,
      count: 100,
      after: 'PUT'
    })
    const run = await r.run({ 'rebuild-timeout-seconds': '2' }, { timeoutMs: 12_000 })
    expectOutcome(expect, r, run, {
      code: 1,
      valid: false,
      changed: true,
      version: r.before.schemaVersion + 1,
      rebuild: 'timeout',
      indexUsed: '',
      audit: { action: 'INDEX_DEPLOY_FAILED', compliant: false }
    })
    const put = requestsTo(r, 'PUT', SCHEMA_PATH)[0]!
    // The poll that hung was dropped by the action, not answered.
    expect(
      requestsTo(r, 'GET', SCHEMA_PATH)
        .filter(q => q.at >= put.at)
        .map(q => q.status)
    ).toEqual([0])
    expect(failure(run)).toMatch(
      /1 of 1 polls failed, the last with: GET \S+ failed: no answer \(Request timeout/
    )
    expect(failure(run)).toMatch(/the call is safe to re-run; gave up at this call's 2 s deadline;/)
    expectCommitted(expect, r)
  })
})

// docs/rules.md#a-puts-answer-is-checked
describe.concurrent("a PUT's answer is checked", () => {
  it('fails a committed PUT whose answer lacks the new index, naming it', async ({ expect }) => {
    const r = await rig(servers)
    r.emu.addFault({ path: SCHEMA_GLOB, kind: 'put-omit-index' })
    const run = await r.run()
    expectOutcome(expect, r, run, {
      code: 1,
      valid: false,
      changed: true,
      version: r.before.schemaVersion + 1,
      rebuild: 'failed',
      indexUsed: '',
      audit: { action: 'INDEX_DEPLOY_FAILED', compliant: false }
    })
    expect(failure(run)).toMatch(
      new RegExp(
        `answer to the PUT \\(version ${r.before.schemaVersion + 1}\\) lacks idx_assignee as the index file defines it`
      )
    )
    expect(requestsTo(r, 'PUT', SCHEMA_PATH)).toHaveLength(1)
    // The platform did commit it: the answer was wrong, not the write.
    expectCommitted(expect, r)
  })

  it('fails a PUT answered with the old document, naming the missing index', async ({ expect }) => {
    const r = await rig(servers)
    r.emu.addFault({ path: SCHEMA_GLOB, kind: 'put-no-commit' })
    const run = await r.run()
    // Never skipped after a PUT answered 200 (docs/rules.md#every-deploy-attempt-is-audited): the answer was
    // wrong, so the deploy failed.
    expectOutcome(expect, r, run, {
      code: 1,
      valid: false,
      changed: true,
      version: r.before.schemaVersion,
      rebuild: 'failed',
      indexUsed: '',
      audit: { action: 'INDEX_DEPLOY_FAILED', compliant: false }
    })
    expect(failure(run)).toMatch(
      new RegExp(
        `answer to the PUT \\(version ${r.before.schemaVersion}\\) lacks idx_assignee as the index file defines it`
      )
    )
    expect(requestsTo(r, 'PUT', SCHEMA_PATH)).toHaveLength(1)
    expectUntouched(expect, r)
  })
})

// docs/rules.md#outputs-agree-with-each-other-and-the-audit-record
describe.concurrent('index-used, the summary and the audit record agree on every probe', () => {
  /** index-used false, the summary's probe row says no, and a probe-full-scan warning names the index. */
  function expectProbeNotUsed(expect: ExpectStatic, r: Rig, run: ActionRun, index: string): void {
    expectOutcome(expect, r, run, {
      code: 0,
      valid: true,
      changed: true,
      version: r.before.schemaVersion + 1,
      rebuild: 'active',
      indexUsed: 'false',
      audit: { action: 'INDEX_DEPLOYED', compliant: false, probes: [[index, false]] }
    })
    const rows = tableOf(run.summary, PROBE_COLUMNS)
    expect(rows.map(row => [row[0], row[4]])).toEqual([[index, '❌ no']])
    const findings = JSON.parse(run.outputs.findings!) as { rule: string; index?: string }[]
    expect(findings.filter(f => f.rule === 'probe-full-scan').map(f => f.index)).toEqual([index])
  }

  it('counts a probe served by a shorter live index as not using its own', async ({ expect }) => {
    const r = await rig(
      servers,
      {},
      `customObjectId: ${TICKET}
indexes:
  - name: idx_status_priority
    fields: [status, priority]
probes:
  - index: idx_status_priority
    values: { status: open }
`
    )
    const run = await r.run()
    expectProbeNotUsed(expect, r, run, 'idx_status_priority')
    // The platform used an index, just not the one the probe targets.
    expect(reported(expect, run).probes[0]).toMatchObject({ indexUsed: true, indexName: 'idx_status' })
    expectCommitted(expect, r, [{ name: 'idx_status_priority', fields: ['status', 'priority'] }])
  })

  it('counts a probe whose query failed as not using its index', async ({ expect }) => {
    const r = await rig(servers)
    // Only the probe after the deploy fails: the one before it (today's plan) is answered.
    r.emu.addFault({
      method: 'POST',
      path: '/api/v2/data-gateway/customobjects/',
      kind: 'status',
      status: 500,
      count: 10,
      after: 'PUT'
    })
    const run = await r.run()
    expectProbeNotUsed(expect, r, run, 'idx_assignee')
    expect(requestsTo(r, 'POST', QUERIES_PATH).map(q => q.status)).toEqual([200, 500])
    expect(reported(expect, run).probes[0]!.error).toMatch(/POST \S+ failed: 500 internal\.server\.error/)
    expect(run.stdout).toMatch(/^::warning::.*probe idx_assignee could not run/m)
    expectCommitted(expect, r)
  })

  it('counts a probe that found no index to use (a full scan) as not using its index', async ({ expect }) => {
    // Another writer drops the new index between the end of the rebuild and the probe: the probe scans.
    const r = await rig(servers)
    r.emu.addFault({
      method: 'POST',
      path: '/api/v2/data-gateway/customobjects/',
      kind: 'latency',
      latencyMs: 1500,
      after: 'PUT'
    })
    const running = r.run()
    await until('the probe after the PUT', () => {
      const put = requestsTo(r, 'PUT', SCHEMA_PATH)[0]
      return put !== undefined && requestsTo(r, 'POST', QUERIES_PATH).some(q => q.at >= put.at)
    })
    const live = r.emu.getSchema(TICKET)!
    r.emu.putSchemaDirect({ ...live, indexes: live.indexes.filter(i => i.name !== 'idx_assignee') })
    const run = await running
    expectProbeNotUsed(expect, r, run, 'idx_assignee')
    expect(reported(expect, run).probes[0]).toMatchObject({ strategy: 'fullScan', recordsExamined: 800 })
    expect(auditOf(expect, r).probes[0]!.recordsExamined).toBe(800)
    expect(statuses(r.emu.getSchema(TICKET)!)).toEqual([
      ['idx_created', 'active'],
      ['idx_status', 'active']
    ])
  })

  it('agrees on true when the probe used its index', async ({ expect }) => {
    const r = await rig(servers)
    const run = await r.run()
    expectOutcome(expect, r, run, outcomeAt('deployed', r))
    expect(reported(expect, run).probes[0]).toMatchObject({ indexUsed: true, indexName: 'idx_assignee' })
    const rows = tableOf(run.summary, PROBE_COLUMNS)
    expect(rows.map(row => [row[0], row[4]])).toEqual([['idx_assignee', '✅ yes']])
    const findings = JSON.parse(run.outputs.findings!) as { rule: string }[]
    expect(findings.filter(f => f.rule === 'probe-full-scan')).toEqual([])
    expectCommitted(expect, r)
  })
})

// docs/rules.md#every-wait-has-a-bound
describe.concurrent('every wait has a bound', () => {
  it('fails at once when a 429 on the schema GET asks to wait an hour, naming the wait', async ({
    expect
  }) => {
    const r = await rig(servers)
    r.emu.addFault({ method: 'GET', path: SCHEMA_GLOB, kind: 'status', status: 429, retryAfter: 3600 })
    const run = await r.run({}, { timeoutMs: 20_000 })
    expectOutcome(expect, r, run, outcomeAt('before-read', r))
    expect(failure(run)).toMatch(
      /GET \S+ failed: 429 too\.many\.requests.*the server asked to wait 3600 s \(Retry-After\)/
    )
    expect(requestsTo(r, 'GET', SCHEMA_PATH).map(q => q.status)).toEqual([429])
    expectUntouched(expect, r)
  })

  it('fails at once when the throttled token endpoint asks to wait an hour, naming the wait', async ({
    expect
  }) => {
    const r = await rig(servers)
    r.emu.addFault({ path: '/oauth/token', kind: 'status', status: 400, retryAfter: 3600 })
    const run = await r.run({}, { timeoutMs: 20_000 })
    expectOutcome(expect, r, run, outcomeAt('before-read', r))
    expect(failure(run)).toMatch(
      /POST \/oauth\/token failed: 400 invalid_request.*asked to wait 3600 s \(Retry-After\)/
    )
    expect(r.emu.requests().map(q => `${q.method} ${q.path} ${q.status}`)).toEqual(['POST /oauth/token 400'])
    expectUntouched(expect, r)
  })

  it('fails at once when a 429 on the PUT asks to wait an hour, naming the wait', async ({ expect }) => {
    const r = await rig(servers)
    r.emu.addFault({ method: 'PUT', path: SCHEMA_GLOB, kind: 'status', status: 429, retryAfter: 3600 })
    const run = await r.run({}, { timeoutMs: 20_000 })
    expectOutcome(expect, r, run, {
      code: 1,
      valid: false,
      changed: true,
      version: r.before.schemaVersion,
      rebuild: 'skipped',
      indexUsed: '',
      audit: { action: 'INDEX_DEPLOY_FAILED', compliant: false }
    })
    expect(failure(run)).toMatch(
      /PUT \S+ failed: 429 too\.many\.requests.*asked to wait 3600 s \(Retry-After\)/
    )
    expect(requestsTo(r, 'PUT', SCHEMA_PATH).map(q => q.status)).toEqual([429])
    expectUntouched(expect, r)
  })

  it('sends nothing more when a 200 says the budget is used until a reset an hour away, naming the reset', async ({
    expect
  }) => {
    const r = await rig(servers)
    r.emu.addFault({
      method: 'GET',
      path: SCHEMA_GLOB,
      kind: 'headers',
      headers: {
        'inin-ratelimit-allowed': '300',
        'inin-ratelimit-count': '300',
        'inin-ratelimit-reset': '3600'
      }
    })
    const run = await r.run({}, { timeoutMs: 20_000 })
    expectOutcome(expect, r, run, {
      code: 1,
      valid: false,
      changed: true,
      version: r.before.schemaVersion,
      rebuild: 'skipped',
      indexUsed: '',
      audit: { action: 'INDEX_DEPLOY_FAILED', compliant: false }
    })
    const served = r.emu.requests()
    const last = served.findIndex(q => q.method === 'GET' && q.path === SCHEMA_PATH)
    // Nothing after the answer that announced the reset.
    expect(served.slice(last + 1)).toEqual([])
    expect(failure(run)).toMatch(
      /PUT \S+ not sent: the rate-limit window resets in 3600 s \(inin-ratelimit-reset\)/
    )
    expectUntouched(expect, r)
  })
})

// The action offers no input for the PUT deadline (180 s, PUT_DEADLINE_MS): a storm of 503s without
// Retry-After would hold the bundled action for three minutes. The deploy recipe takes the deadline as an
// option, so this case runs it in-process, over the same HTTP, auth and gateway modules, with 3 s.
// docs/rules.md#every-wait-has-a-bound
describe('all PUT attempts of one object share one deadline', () => {
  it('ends a storm of 503s on the PUT at the shared deadline, with a bounded number of PUTs and a clear message', async () => {
    const r = await rig(servers)
    r.emu.addFault({ method: 'PUT', path: SCHEMA_GLOB, kind: 'status', status: 503, count: 10_000 })
    // Backoff without jitter (random = 1): 250 ms, 500 ms, 1 s, 2 s... inside each PUT call.
    const { gateway } = connect(r.emu.url, {
      clientId: CLIENT,
      clientSecret: SECRET,
      http: { random: () => 1 }
    })
    const result = await processObject(
      {
        log: silentLogger,
        live: gateway,
        putDeadlineMs: 3000,
        audit: {
          sink: createAuditSink({ url: `${r.wh.url}/audit`, secret: WAREHOUSE_SECRET }),
          required: false,
          source: {
            repository: 'acme/indexes',
            sha: 'abc',
            ref: 'refs/heads/main',
            runId: '1',
            runAttempt: '1',
            actor: 'dev'
          }
        }
      },
      { loaded: indexFile(ADD_ASSIGNEE), customObjectId: TICKET, mode: 'deploy' }
    )
    const puts = requestsTo(r, 'PUT', SCHEMA_PATH)
    // Three rounds (the first PUT and two re-sends after reading back that nothing was applied), each with its
    // HTTP retries, all inside the one deadline: 4 + 3 + 2 PUTs. A deadline per call would allow 3 × 4.
    expect(puts.length).toBeGreaterThanOrEqual(3)
    expect(puts.length).toBeLessThanOrEqual(10)
    expect(puts.every(q => q.status === 503)).toBe(true)
    expect(result.error).toMatch(
      new RegExp(
        `the PUT was not applied \\(the live schema is still version ${r.before.schemaVersion}\\): it was sent ` +
          `${puts.length} times within the 3 s deadline that every PUT attempt of an object shares, and the last ` +
          'answer was: PUT \\S+ failed: 503 service.unavailable'
      )
    )
    expect(result).toMatchObject({ outcome: 'failed', schemaVersion: r.before.schemaVersion, audit: 'true' })
    expect(result.rebuild.status).toBe('skipped')
    expect(auditOf(expect, r)).toMatchObject({
      action: 'INDEX_DEPLOY_FAILED',
      schemaVersion: r.before.schemaVersion,
      governanceCompliant: false
    })
    expectUntouched(expect, r)
  })
})

// docs/rules.md#a-failed-rebuild
describe.concurrent('a failed rebuild', () => {
  const UNIQUE_STATUS = `customObjectId: ${TICKET}
indexes:
  - name: idx_assignee
    fields: [assignee]
  - name: idx_status_unique
    fields: [status]
    unique: true
probes:
  - index: idx_assignee
    values: { assignee: probe-user }
`

  it('warns unique-on-low-cardinality in the PR check before any deploy', async ({ expect }) => {
    const r = await rig(servers, {}, UNIQUE_STATUS)
    const run = await r.run({ mode: 'validate', comment: 'false' }, { eventName: 'pull_request', event: {} })
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs).toMatchObject({
      mode: 'validate',
      valid: 'true',
      changed: 'true',
      'schema-version': String(r.before.schemaVersion),
      'rebuild-status': 'skipped',
      'audit-delivered': 'skipped'
    })
    expect(run.outputs['payload-hash']).toMatch(/^[0-9a-f]{64}$/)
    const findings = JSON.parse(run.outputs.findings!) as { rule: string; severity: string; index?: string }[]
    expect(findings.filter(f => f.rule === 'unique-on-low-cardinality')).toEqual([
      expect.objectContaining({ severity: 'warning', index: 'idx_status_unique' })
    ])
    expect(run.stdout).toMatch(
      /^::warning title=unique-on-low-cardinality,file=indexes\/ticket\.yaml,line=\d+::.*idx_status_unique/m
    )
    expect(r.wh.deliveries()).toHaveLength(0)
    expect(requestsTo(r, 'PUT', SCHEMA_PATH)).toHaveLength(0)
    expectUntouched(expect, r)
    expectNoSecrets(expect, r, run)
  })

  it('keeps the failed index and fails the step under on-rebuild-failure: keep', async ({ expect }) => {
    const r = await rig(servers, {}, UNIQUE_STATUS)
    const run = await r.run()
    expectOutcome(expect, r, run, {
      code: 1,
      valid: false,
      changed: true,
      version: r.before.schemaVersion + 1,
      rebuild: 'failed',
      indexUsed: '',
      audit: { action: 'INDEX_DEPLOY_FAILED', compliant: false }
    })
    const after = r.emu.getSchema(TICKET)!
    const failed = after.indexes.find(i => i.name === 'idx_status_unique')!
    expect(failed.statusReason).toMatch(/share the value/)
    expect(failure(run)).toContain(`index idx_status_unique failed: ${failed.statusReason!}`)
    expect(after.schemaVersion).toBe(r.before.schemaVersion + 1)
    expect(statuses(after)).toEqual([
      ['idx_created', 'active'],
      ['idx_status', 'active'],
      ['idx_assignee', 'active'],
      ['idx_status_unique', 'failed']
    ])
    expect(requestsTo(r, 'PUT', SCHEMA_PATH)).toHaveLength(1)
  })

  it('drops the failed index again under drop-failed, keeping the rest, and audits INDEX_ROLLED_BACK', async ({
    expect
  }) => {
    const r = await rig(servers, {}, UNIQUE_STATUS)
    const run = await r.run({ 'on-rebuild-failure': 'drop-failed' })
    const rolledBackTo = r.before.schemaVersion + 2
    const audit = expectOutcome(expect, r, run, {
      code: 1,
      valid: false,
      changed: true,
      version: rolledBackTo,
      rebuild: 'failed',
      indexUsed: '',
      audit: { action: 'INDEX_ROLLED_BACK', compliant: false, rolledBack: ['idx_status_unique'] }
    })!
    expect(requestsTo(r, 'PUT', SCHEMA_PATH).map(q => q.status)).toEqual([200, 200])
    const reason = audit.rolledBack![0]!.statusReason
    expect(reason).toMatch(/share the value "\w+" for \[status\]/)
    expect(failure(run)).toContain(reason)
    expect(failure(run)).toMatch(
      new RegExp(
        `Dropped idx_status_unique again \\(on-rebuild-failure: drop-failed\\): schema version ${rolledBackTo}`
      )
    )
    const after = r.emu.getSchema(TICKET)!
    expect(after.schemaVersion).toBe(rolledBackTo)
    expect(statuses(after)).toEqual([
      ['idx_created', 'active'],
      ['idx_status', 'active'],
      ['idx_assignee', 'active']
    ])
  })

  it('reports the failed index kept when the rollback PUT is refused', async ({ expect }) => {
    const r = await rig(servers, {}, UNIQUE_STATUS)
    r.emu.addFault({ method: 'PUT', path: SCHEMA_GLOB, kind: 'status', status: 400, after: 'PUT' })
    const run = await r.run({ 'on-rebuild-failure': 'drop-failed' })
    // Nothing was rolled back: the record says the deploy failed, at the version the deploy made.
    expectOutcome(expect, r, run, {
      code: 1,
      valid: false,
      changed: true,
      version: r.before.schemaVersion + 1,
      rebuild: 'failed',
      indexUsed: '',
      audit: { action: 'INDEX_DEPLOY_FAILED', compliant: false }
    })
    expect(requestsTo(r, 'PUT', SCHEMA_PATH).map(q => q.status)).toEqual([200, 400])
    expect(failure(run)).toMatch(
      /index idx_status_unique failed: .*Dropping it again failed: PUT \S+ failed: 400 bad\.request/
    )
    expect(statuses(r.emu.getSchema(TICKET)!)).toEqual([
      ['idx_created', 'active'],
      ['idx_status', 'active'],
      ['idx_assignee', 'active'],
      ['idx_status_unique', 'failed']
    ])
  })

  it("re-reads after a 409 on the rollback PUT and keeps a concurrent writer's index", async ({ expect }) => {
    const r = await rig(servers, {}, UNIQUE_STATUS)
    // The rollback PUT (the second) waits long enough for another writer to land before it is served.
    r.emu.addFault({ method: 'PUT', path: SCHEMA_GLOB, kind: 'latency', latencyMs: 1000, after: 'PUT' })
    const running = r.run({ 'on-rebuild-failure': 'drop-failed' })
    await until('the rollback PUT', () => requestsTo(r, 'PUT', SCHEMA_PATH).length === 2)
    const theirs = { name: 'idx_priority', fields: ['priority'] }
    const live = r.emu.getSchema(TICKET)!
    r.emu.putSchemaDirect({ ...live, indexes: [...live.indexes, theirs] })
    const run = await running
    // The deploy's PUT, the other writer's, then the rollback: three versions on.
    const rolledBackTo = r.before.schemaVersion + 3
    expectOutcome(expect, r, run, {
      code: 1,
      valid: false,
      changed: true,
      version: rolledBackTo,
      rebuild: 'failed',
      indexUsed: '',
      audit: { action: 'INDEX_ROLLED_BACK', compliant: false, rolledBack: ['idx_status_unique'] }
    })
    expect(requestsTo(r, 'PUT', SCHEMA_PATH).map(q => q.status)).toEqual([200, 409, 200])
    const after = r.emu.getSchema(TICKET)!
    expect(after.schemaVersion).toBe(rolledBackTo)
    expect(after.indexes.map(i => i.name)).toEqual([
      'idx_created',
      'idx_status',
      'idx_assignee',
      'idx_priority'
    ])
    expect(after.indexes.every(i => i.status === 'active')).toBe(true)
  })
})
