// Results under faults (docs/rules.md#results-under-faults), end to end on the deploy path: the bundled
// action (dist/index.js) run as GitHub runs it against the emulator's fault injection and the warehouse
// stand-in. Each case checks the exit code, the outputs, the one audit record the warehouse received
// (agreeing with the outputs), the final platform state, and that no secret got out (expectOutcome). Every
// test has its own emulator, warehouse and workspace, so the cases run concurrently.
import { describe, expect, it } from 'vitest'
import type { EmulatorOptions, FaultSpec } from '../../src/emulator/index.js'
import { createAuditSink } from '../../src/audit/deliver.js'
import { processObject } from '../../src/pipeline/object.js'
import { payloadHash } from '../../src/plan/hash.js'
import { fakeClock } from '../helpers/clock.js'
import { tableOf } from '../helpers/markdown.js'
import { connect, indexFile, silentLogger } from '../helpers/platform.js'
import {
  ADD_ASSIGNEE,
  auditOf,
  CLIENT,
  type Outcome,
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
  type Stage,
  TICKET,
  until,
  WAREHOUSE_SECRET,
  type Rig
} from '../helpers/deploy-rig.js'
import type { ActionOptions, ActionRun } from '../helpers/action.js'
import { useServers } from '../helpers/servers.js'
import type { ExpectStatic } from 'vitest'
import type { AuditRecord } from '../../src/audit/record.js'

// Every test starts its own rig; the concurrent tests share the list of closers, so it closes after the file.
const servers = useServers('file')

const ASSIGNEE = { name: 'idx_assignee', fields: ['assignee'] }
const PRIORITY = { name: 'idx_priority', fields: ['priority'] }
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

/** A rebuild that never ends by itself within a test: the case ends it (finishRebuilds) when it has acted. */
const ENDLESS: EmulatorOptions = { rebuildMinMs: 3_600_000 }

/** The failed deploy after a committed PUT: the new version known, nothing proved. */
const failedAt = (r: Rig, version: number, rebuild: Outcome['rebuild'] = 'failed'): Outcome => ({
  code: 1,
  valid: false,
  changed: true,
  version,
  rebuild,
  indexUsed: '',
  audit: { action: 'INDEX_DEPLOY_FAILED', compliant: false }
})

/**
 * One case of the matrix: the rig (emulator options, index file), the faults armed before the run, what the
 * test does while the run is in flight, the outcome every case checks (expectOutcome) and the case's own
 * checks.
 */
interface FaultCase {
  name: string
  emulator?: EmulatorOptions
  indexFile?: string
  faults?: FaultSpec[]
  inputs?: Record<string, string>
  options?: Partial<ActionOptions>
  /** Called before the run starts (to hold a request); the function it returns runs while the run is in flight. */
  scene?: (r: Rig) => () => Promise<void>
  outcome: Stage | ((r: Rig) => Outcome)
  check?: (expect: ExpectStatic, r: Rig, run: ActionRun, audit: AuditRecord | undefined) => void
}

/** Cases as [name, case], so each test is named in full after its case. */
const named = (cases: FaultCase[]): [string, FaultCase][] => cases.map(c => [c.name, c])

async function runCase(expect: ExpectStatic, c: FaultCase): Promise<void> {
  const r = await rig(servers, c.emulator, c.indexFile)
  for (const f of c.faults ?? []) r.emu.addFault(f)
  const during = c.scene?.(r)
  const running = r.run(c.inputs, c.options)
  await during?.()
  const run = await running
  const audit = expectOutcome(
    expect,
    r,
    run,
    typeof c.outcome === 'string' ? outcomeAt(c.outcome, r) : c.outcome(r)
  )
  c.check?.(expect, r, run, audit)
}

const AUDITED: FaultCase[] = [
  {
    name: 'audits a deploy that failed before its PUT without a schema version, and writes nothing',
    faults: [{ method: 'GET', path: SCHEMA_GLOB, kind: 'status', status: 500, count: 100 }],
    outcome: 'before-read',
    check: (expect, r, run) => {
      expect(failure(run)).toMatch(
        /GET \/api\/v2\/data-gateway\/customobjects\/schemas\/\S+ failed: 500 internal\.server\.error/
      )
      expect(requestsTo(r, 'PUT', SCHEMA_PATH)).toHaveLength(0)
      expectUntouched(expect, r)
    }
  },
  {
    name: 'audits the version read last when the PUT fails after a 409 made it re-merge',
    // The first PUT is held while another writer lands (409); the second, re-merged one is refused.
    faults: [{ method: 'PUT', path: SCHEMA_GLOB, kind: 'status', status: 400, after: 'PUT' }],
    scene: r => {
      const put = r.emu.hold({ method: 'PUT', path: SCHEMA_GLOB })
      return async () => {
        await put.reached
        r.emu.putSchemaDirect({ ...r.before, indexes: [...r.before.indexes, PRIORITY] })
        put.release()
      }
    },
    outcome: r => ({
      ...failedAt(r, r.before.schemaVersion + 1, 'skipped'),
      basedOn: r.before.schemaVersion + 1
    }),
    check: (expect, r, run) => {
      const read = r.emu.getSchema(TICKET)!
      expect(read.schemaVersion).toBe(r.before.schemaVersion + 1)
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
    }
  },
  {
    name: 'rides out a rebuild poll that fails once after the PUT, and reports the deploy',
    emulator: ENDLESS,
    faults: [{ method: 'GET', path: SCHEMA_GLOB, kind: 'status', status: 500, count: 1, after: 'PUT' }],
    // The rebuild ends once the failed poll is in: the next poll sees it done.
    scene: r => async () => {
      await until('the failed poll', () => requestsTo(r, 'GET', SCHEMA_PATH).some(q => q.status === 500))
      r.emu.finishRebuilds()
    },
    outcome: 'deployed',
    check: (expect, r) => {
      const put = requestsTo(r, 'PUT', SCHEMA_PATH)
      expect(put.map(q => q.status)).toEqual([200])
      const polls = requestsTo(r, 'GET', SCHEMA_PATH).filter(q => q.at >= put[0]!.at)
      expect(polls.map(q => q.status)).toEqual([500, ...polls.slice(1).map(() => 200)])
      expect(polls.length).toBeGreaterThan(1)
      expectCommitted(expect, r)
      expect(statuses(r.emu.getSchema(TICKET)!).every(([, status]) => status === 'active')).toBe(true)
    }
  },
  {
    name: 'reports the new version and a timeout when every rebuild poll fails until rebuild-timeout-seconds',
    emulator: { rebuildMinMs: 500 },
    faults: [{ method: 'GET', path: SCHEMA_GLOB, kind: 'status', status: 500, count: 1000, after: 'PUT' }],
    inputs: { 'rebuild-timeout-seconds': '2' },
    outcome: r => failedAt(r, r.before.schemaVersion + 1, 'timeout'),
    check: (expect, r, run) => {
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
    }
  }
]

const POLL_BOUNDS: FaultCase[] = [
  {
    name: 'cuts a poll the platform never answers at the rebuild deadline, and names why',
    emulator: { rebuildMinMs: 300 },
    faults: [
      { method: 'GET', path: SCHEMA_GLOB, kind: 'latency', latencyMs: 15_000, count: 100, after: 'PUT' }
    ],
    inputs: { 'rebuild-timeout-seconds': '2' },
    outcome: r => failedAt(r, r.before.schemaVersion + 1, 'timeout'),
    check: (expect, r, run) => {
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
    }
  }
]

const PUT_ANSWERS: FaultCase[] = [
  {
    name: 'fails a committed PUT whose answer lacks the new index, naming it',
    faults: [{ path: SCHEMA_GLOB, kind: 'put-omit-index' }],
    outcome: r => failedAt(r, r.before.schemaVersion + 1),
    check: (expect, r, run) => {
      expect(failure(run)).toMatch(
        new RegExp(
          `answer to the PUT \\(version ${r.before.schemaVersion + 1}\\) lacks idx_assignee as the index file defines it`
        )
      )
      expect(requestsTo(r, 'PUT', SCHEMA_PATH)).toHaveLength(1)
      // The platform did commit it: the answer was wrong, not the write.
      expectCommitted(expect, r)
    }
  },
  {
    // Never skipped after a PUT answered 200 (docs/rules.md#every-deploy-attempt-is-audited): the answer was
    // wrong, so the deploy failed.
    name: 'fails a PUT answered with the old document, naming the missing index',
    faults: [{ path: SCHEMA_GLOB, kind: 'put-no-commit' }],
    outcome: r => failedAt(r, r.before.schemaVersion),
    check: (expect, r, run) => {
      expect(failure(run)).toMatch(
        new RegExp(
          `answer to the PUT \\(version ${r.before.schemaVersion}\\) lacks idx_assignee as the index file defines it`
        )
      )
      expect(requestsTo(r, 'PUT', SCHEMA_PATH)).toHaveLength(1)
      expectUntouched(expect, r)
    }
  }
]

/** index-used false, the summary's probe row says no, and a probe-full-scan warning names the index. */
function probeNotUsed(index: string): Pick<FaultCase, 'outcome'> & { expectNotUsed: FaultCase['check'] } {
  return {
    outcome: r => ({
      code: 0,
      valid: true,
      changed: true,
      version: r.before.schemaVersion + 1,
      rebuild: 'active',
      indexUsed: 'false',
      audit: { action: 'INDEX_DEPLOYED', compliant: false, probes: [[index, false]] }
    }),
    expectNotUsed: (expect, _r, run) => {
      const rows = tableOf(run.summary, PROBE_COLUMNS)
      expect(rows.map(row => [row[0], row[4]])).toEqual([[index, '❌ no']])
      const findings = JSON.parse(run.outputs.findings!) as { rule: string; index?: string }[]
      expect(findings.filter(f => f.rule === 'probe-full-scan').map(f => f.index)).toEqual([index])
    }
  }
}
const notUsedPriority = probeNotUsed('idx_status_priority')
const notUsedAssignee = probeNotUsed('idx_assignee')

const PROBES: FaultCase[] = [
  {
    name: 'counts a probe served by a shorter live index as not using its own',
    indexFile: `customObjectId: ${TICKET}
indexes:
  - name: idx_status_priority
    fields: [status, priority]
probes:
  - index: idx_status_priority
    values: { status: open }
`,
    outcome: notUsedPriority.outcome,
    check: (expect, r, run, audit) => {
      notUsedPriority.expectNotUsed!(expect, r, run, audit)
      // The platform used an index, just not the one the probe targets.
      expect(reported(expect, run).probes[0]).toMatchObject({ indexUsed: true, indexName: 'idx_status' })
      expectCommitted(expect, r, [{ name: 'idx_status_priority', fields: ['status', 'priority'] }])
    }
  },
  {
    name: 'counts a probe whose query failed as not using its index',
    // Only the probe after the deploy fails: the one before it (today's plan) is answered.
    faults: [
      {
        method: 'POST',
        path: '/api/v2/data-gateway/customobjects/',
        kind: 'status',
        status: 500,
        count: 10,
        after: 'PUT'
      }
    ],
    outcome: notUsedAssignee.outcome,
    check: (expect, r, run, audit) => {
      notUsedAssignee.expectNotUsed!(expect, r, run, audit)
      expect(requestsTo(r, 'POST', QUERIES_PATH).map(q => q.status)).toEqual([200, 500])
      expect(reported(expect, run).probes[0]!.error).toMatch(/POST \S+ failed: 500 internal\.server\.error/)
      expect(run.stdout).toMatch(/^::warning::.*probe idx_assignee could not run/m)
      expectCommitted(expect, r)
    }
  },
  {
    name: 'counts a probe that found no index to use (a full scan) as not using its index',
    // Another writer drops the new index between the end of the rebuild and the probe (the second query, held
    // until then): the probe scans.
    scene: r => {
      const probe = r.emu.hold({ method: 'POST', path: QUERIES_PATH, nth: 2 })
      return async () => {
        await probe.reached
        const live = r.emu.getSchema(TICKET)!
        r.emu.putSchemaDirect({ ...live, indexes: live.indexes.filter(i => i.name !== 'idx_assignee') })
        probe.release()
      }
    },
    outcome: notUsedAssignee.outcome,
    check: (expect, r, run, audit) => {
      notUsedAssignee.expectNotUsed!(expect, r, run, audit)
      expect(reported(expect, run).probes[0]).toMatchObject({ strategy: 'fullScan', recordsExamined: 800 })
      expect(auditOf(expect, r).probes[0]!.recordsExamined).toBe(800)
      expect(statuses(r.emu.getSchema(TICKET)!)).toEqual([
        ['idx_created', 'active'],
        ['idx_status', 'active']
      ])
    }
  },
  {
    name: 'agrees on true when the probe used its index',
    outcome: 'deployed',
    check: (expect, r, run) => {
      expect(reported(expect, run).probes[0]).toMatchObject({ indexUsed: true, indexName: 'idx_assignee' })
      const rows = tableOf(run.summary, PROBE_COLUMNS)
      expect(rows.map(row => [row[0], row[4]])).toEqual([['idx_assignee', '✅ yes']])
      const findings = JSON.parse(run.outputs.findings!) as { rule: string }[]
      expect(findings.filter(f => f.rule === 'probe-full-scan')).toEqual([])
      expectCommitted(expect, r)
    }
  }
]

const BOUNDED_WAITS: FaultCase[] = [
  {
    name: 'fails at once when a 429 on the schema GET asks to wait an hour, naming the wait',
    faults: [{ method: 'GET', path: SCHEMA_GLOB, kind: 'status', status: 429, retryAfter: 3600 }],
    outcome: 'before-read',
    check: (expect, r, run) => {
      expect(failure(run)).toMatch(
        /GET \S+ failed: 429 too\.many\.requests.*the server asked to wait 3600 s \(Retry-After\)/
      )
      expect(requestsTo(r, 'GET', SCHEMA_PATH).map(q => q.status)).toEqual([429])
      expectUntouched(expect, r)
    }
  },
  {
    name: 'fails at once when the throttled token endpoint asks to wait an hour, naming the wait',
    faults: [{ path: '/oauth/token', kind: 'status', status: 400, retryAfter: 3600 }],
    outcome: 'before-read',
    check: (expect, r, run) => {
      expect(failure(run)).toMatch(
        /POST \/oauth\/token failed: 400 invalid_request.*asked to wait 3600 s \(Retry-After\)/
      )
      expect(r.emu.requests().map(q => `${q.method} ${q.path} ${q.status}`)).toEqual([
        'POST /oauth/token 400'
      ])
      expectUntouched(expect, r)
    }
  },
  {
    name: 'fails at once when a 429 on the PUT asks to wait an hour, naming the wait',
    faults: [{ method: 'PUT', path: SCHEMA_GLOB, kind: 'status', status: 429, retryAfter: 3600 }],
    outcome: r => failedAt(r, r.before.schemaVersion, 'skipped'),
    check: (expect, r, run) => {
      expect(failure(run)).toMatch(
        /PUT \S+ failed: 429 too\.many\.requests.*asked to wait 3600 s \(Retry-After\)/
      )
      expect(requestsTo(r, 'PUT', SCHEMA_PATH).map(q => q.status)).toEqual([429])
      expectUntouched(expect, r)
    }
  },
  {
    name: 'sends nothing more when a 200 says the budget is used until a reset an hour away, naming the reset',
    faults: [
      {
        method: 'GET',
        path: SCHEMA_GLOB,
        kind: 'headers',
        headers: {
          'inin-ratelimit-allowed': '300',
          'inin-ratelimit-count': '300',
          'inin-ratelimit-reset': '3600'
        }
      }
    ],
    outcome: r => failedAt(r, r.before.schemaVersion, 'skipped'),
    check: (expect, r, run) => {
      const served = r.emu.requests()
      const last = served.findIndex(q => q.method === 'GET' && q.path === SCHEMA_PATH)
      // Nothing after the answer that announced the reset.
      expect(served.slice(last + 1)).toEqual([])
      expect(failure(run)).toMatch(
        /PUT \S+ not sent: the rate-limit window resets in 3600 s \(inin-ratelimit-reset\)/
      )
      expectUntouched(expect, r)
    }
  }
]

// docs/rules.md#every-deploy-attempt-is-audited
describe.concurrent(
  'every deploy attempt is audited; after a committed PUT the outputs say what is known',
  () => {
    it.for(named(AUDITED))('%s', ([, c], { expect }) => runCase(expect, c))
  }
)

// docs/rules.md#every-wait-has-a-bound
describe.concurrent('rebuild polls stay inside rebuild-timeout-seconds', () => {
  it.for(named(POLL_BOUNDS))('%s', ([, c], { expect }) => runCase(expect, c))
})

// docs/rules.md#a-puts-answer-is-checked
describe.concurrent("a PUT's answer is checked", () => {
  it.for(named(PUT_ANSWERS))('%s', ([, c], { expect }) => runCase(expect, c))
})

// docs/rules.md#outputs-agree-with-each-other-and-the-audit-record
describe.concurrent('index-used, the summary and the audit record agree on every probe', () => {
  it.for(named(PROBES))('%s', ([, c], { expect }) => runCase(expect, c))
})

// docs/rules.md#every-wait-has-a-bound
describe.concurrent('every wait has a bound', () => {
  it.for(named(BOUNDED_WAITS))('%s', ([, c], { expect }) => runCase(expect, c))
})

// The action offers no input for the PUT deadline (180 s, PUT_DEADLINE_MS): a storm of 503s without
// Retry-After would hold the bundled action for three minutes. The deploy recipe takes the deadline as an
// option, so this case runs it in-process, over the same HTTP, auth and gateway modules, with 3 s.
// docs/rules.md#every-wait-has-a-bound
describe('all PUT attempts of one object share one deadline', () => {
  it('ends a storm of 503s on the PUT at the shared deadline, with a bounded number of PUTs and a clear message', async () => {
    const r = await rig(servers)
    r.emu.addFault({ method: 'PUT', path: SCHEMA_GLOB, kind: 'status', status: 503, count: 10_000 })
    // Backoff without jitter (random = 1): 250 ms, 500 ms, 1 s, 2 s... inside each PUT call, on a fake clock
    // the run and the HTTP client share: the waits are counted, not waited for.
    const clock = fakeClock()
    const { gateway } = connect(r.emu.url, {
      clientId: CLIENT,
      clientSecret: SECRET,
      http: { random: () => 1, now: clock.now, sleep: clock.sleep }
    })
    const result = await processObject(
      {
        log: silentLogger,
        live: gateway,
        putDeadlineMs: 3000,
        now: clock.now,
        sleep: clock.sleep,
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
    // HTTP retries, all inside the one deadline: 4 + 3 + 2 PUTs (the next wait would end past it). A deadline
    // per call would allow 3 × 4.
    expect(puts).toHaveLength(9)
    expect(clock.slept).toEqual([250, 500, 1000, 250, 500, 250])
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

  const FAILED_REBUILD: FaultCase[] = [
    {
      name: 'keeps the failed index and fails the step under on-rebuild-failure: keep',
      indexFile: UNIQUE_STATUS,
      outcome: r => failedAt(r, r.before.schemaVersion + 1),
      check: (expect, r, run) => {
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
      }
    },
    {
      name: 'drops the failed index again under drop-failed, keeping the rest, and audits INDEX_ROLLED_BACK',
      indexFile: UNIQUE_STATUS,
      inputs: { 'on-rebuild-failure': 'drop-failed' },
      outcome: r => ({
        ...failedAt(r, r.before.schemaVersion + 2),
        audit: { action: 'INDEX_ROLLED_BACK', compliant: false, rolledBack: ['idx_status_unique'] }
      }),
      check: (expect, r, run, audit) => {
        const rolledBackTo = r.before.schemaVersion + 2
        expect(requestsTo(r, 'PUT', SCHEMA_PATH).map(q => q.status)).toEqual([200, 200])
        const reason = audit!.rolledBack![0]!.statusReason
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
      }
    },
    {
      // Nothing was rolled back: the record says the deploy failed, at the version the deploy made.
      name: 'reports the failed index kept when the rollback PUT is refused',
      indexFile: UNIQUE_STATUS,
      faults: [{ method: 'PUT', path: SCHEMA_GLOB, kind: 'status', status: 400, after: 'PUT' }],
      inputs: { 'on-rebuild-failure': 'drop-failed' },
      outcome: r => failedAt(r, r.before.schemaVersion + 1),
      check: (expect, r, run) => {
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
      }
    },
    {
      name: "re-reads after a 409 on the rollback PUT and keeps a concurrent writer's index",
      indexFile: UNIQUE_STATUS,
      inputs: { 'on-rebuild-failure': 'drop-failed' },
      // The rollback PUT (the second) is held until another writer has landed.
      scene: r => {
        const rollback = r.emu.hold({ method: 'PUT', path: SCHEMA_GLOB, nth: 2 })
        return async () => {
          await rollback.reached
          const live = r.emu.getSchema(TICKET)!
          r.emu.putSchemaDirect({ ...live, indexes: [...live.indexes, PRIORITY] })
          rollback.release()
        }
      },
      // The deploy's PUT, the other writer's, then the rollback: three versions on.
      outcome: r => ({
        ...failedAt(r, r.before.schemaVersion + 3),
        audit: { action: 'INDEX_ROLLED_BACK', compliant: false, rolledBack: ['idx_status_unique'] }
      }),
      check: (expect, r) => {
        expect(requestsTo(r, 'PUT', SCHEMA_PATH).map(q => q.status)).toEqual([200, 409, 200])
        const after = r.emu.getSchema(TICKET)!
        expect(after.schemaVersion).toBe(r.before.schemaVersion + 3)
        expect(after.indexes.map(i => i.name)).toEqual([
          'idx_created',
          'idx_status',
          'idx_assignee',
          'idx_priority'
        ])
        expect(after.indexes.every(i => i.status === 'active')).toBe(true)
      }
    }
  ]

  it.for(named(FAILED_REBUILD))('%s', ([, c], { expect }) => runCase(expect, c))
})
