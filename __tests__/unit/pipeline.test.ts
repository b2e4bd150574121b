// processObject over an in-memory fake GatewayClient (no HTTP): the deploy decisions in isolation.
import { describe, expect, it } from 'vitest'
import type { SchemaDocument } from '../../src/model.js'
import type { GatewayClient } from '../../src/platform/gateway.js'
import { processObject } from '../../src/pipeline/object.js'
import { pipelineContext, type FreshnessSource, type ReviewSource } from '../../src/pipeline/job.js'
import type { Logger } from '../../src/log.js'
import { computeOutputs, failureReason, reviewedOutput } from '../../src/outputs.js'
import { renderSummary } from '../../src/report/summary.js'
import { DEFAULTS } from '../../src/settings.js'
import { fakeClock } from '../helpers/clock.js'
import {
  fakeGateway,
  platformError,
  recordingAudit,
  type FakeGateway,
  type FakeGatewayOptions
} from '../helpers/fake-gateway.js'
import { indexFile, memoryLogger, silentLogger } from '../helpers/platform.js'

const ID = 'obj-1'

function liveDoc(): SchemaDocument {
  return {
    id: ID,
    name: 'Ticket',
    schemaVersion: 1,
    lastUpdated: '2024-01-01T00:00:00Z',
    selfUri: `/schemas/${ID}`,
    retention: { days: 365 },
    fields: [
      { name: 'status', type: 'string', maxLength: 20, cardinalityHint: 'low' },
      { name: 'assignee', type: 'string', maxLength: 100, cardinalityHint: 'high' }
    ],
    indexes: [{ name: 'idx_status', fields: ['status'], status: 'active', 'x-origin': 'console' }]
  }
}

/** The fake platform over the live object; `failedBefore`: it already holds idx_old, failed before this deploy. */
function fake(opts: FakeGatewayOptions & { failedBefore?: boolean } = {}): FakeGateway {
  const start = liveDoc()
  if (opts.failedBefore) {
    start.indexes.push({
      name: 'idx_old',
      fields: ['status', 'assignee'],
      status: 'failed',
      statusReason: 'old'
    })
  }
  return fakeGateway(start, opts)
}

const ADD = `customObjectId: ${ID}\nindexes:\n  - name: idx_assignee\n    fields: [assignee]\n`
const job = (text = ADD) => ({ loaded: indexFile(text), customObjectId: ID, mode: 'deploy' as const })

describe('pipeline deploy decisions', () => {
  it('sends the PUT with the version it was based on and every unknown key kept', async () => {
    const f = fake()
    const result = await processObject({ log: silentLogger, live: f.gateway }, job())
    expect(result.error).toBeUndefined()
    expect(f.current().schemaVersion).toBe(2)
    expect(f.current().retention).toEqual({ days: 365 })
    expect(f.current().indexes[0]!['x-origin']).toBe('console')
    expect(result.probes[0]).toMatchObject({ index: 'idx_assignee', indexUsed: true })
  })

  it('treats a PUT whose answer was lost as done when the live hash matches', async () => {
    const f = fake({ failures: ['drop-after-commit'] })
    const result = await processObject({ log: silentLogger, live: f.gateway }, job())
    expect(result.error).toBeUndefined()
    expect(f.calls.filter(c => c === 'PUT')).toHaveLength(1)
    expect(f.current().schemaVersion).toBe(2)
    expect(result.schemaVersion).toBe(2)
  })

  it('sends the PUT again when its answer was lost before the commit', async () => {
    const f = fake({ failures: ['drop-before-commit'] })
    const result = await processObject({ log: silentLogger, live: f.gateway }, job())
    expect(result.error).toBeUndefined()
    expect(f.calls.filter(c => c === 'PUT')).toHaveLength(2)
    expect(f.current().schemaVersion).toBe(2)
  })

  it('re-merges after a conflict and keeps the other writer’s index', async () => {
    const f = fake({ failures: ['conflict'] })
    const log = memoryLogger()
    const result = await processObject({ log, live: f.gateway }, job())
    expect(result.error).toBeUndefined()
    expect(f.current().indexes.map(i => i.name)).toEqual(['idx_status', 'idx_other', 'idx_assignee'])
    expect(result.basedOnVersion).toBe(2)
    expect(result.schemaVersion).toBe(3)
    expect(log.lines.some(l => l.includes('is stale'))).toBe(true)
  })

  it('gives up after three conflicts in a row, naming the object', async () => {
    const f = fake({ failures: ['conflict', 'conflict', 'conflict', 'conflict'] })
    const result = await processObject({ log: silentLogger, live: f.gateway }, job())
    expect(result.error).toMatch(
      /Object obj-1: another writer changed the schema during the deploy 4 times.*gave up after 3 retries/
    )
    expect(f.calls.filter(c => c === 'PUT')).toHaveLength(4)
  })

  it('warns probe-full-scan when a probe does not use its index', async () => {
    const f = fake()
    const text = `customObjectId: ${ID}\nindexes:\n  - name: idx_assignee_status\n    fields: [assignee, status]\n  - name: idx_assignee\n    fields: [assignee]\nprobes:\n  - index: idx_assignee\n    values: { assignee: bob }\n`
    const result = await processObject({ log: silentLogger, live: f.gateway }, job(text))
    const warning = result.findings.find(f => f.rule === 'probe-full-scan')
    expect(warning).toMatchObject({
      severity: 'warning',
      index: 'idx_assignee',
      file: 'indexes/ticket.yaml',
      line: 8
    })
    expect(warning?.message).toContain('index idx_assignee_status instead')
  })

  it('audits a failed rebuild as INDEX_DEPLOY_FAILED, not governance compliant', async () => {
    const f = fake({ finalStatus: 'failed' })
    const { audit, records } = recordingAudit()
    const result = await processObject({ log: silentLogger, live: f.gateway, audit }, job())
    expect(result.rebuild).toMatchObject({
      status: 'failed',
      reason: 'index idx_assignee failed: duplicate values'
    })
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({
      action: 'INDEX_DEPLOY_FAILED',
      schemaVersion: 2,
      previousSchemaVersion: 1
    })
    expect(result.audit).toBe('true')
  })

  it('audits a deploy blocked by error findings as INDEX_DEPLOY_FAILED without a PUT', async () => {
    const f = fake()
    const { audit, records } = recordingAudit(true)
    const text = `customObjectId: ${ID}\nindexes:\n  - name: idx_nope\n    fields: [nope]\n`
    await processObject({ log: silentLogger, live: f.gateway, audit }, job(text))
    expect(f.calls).not.toContain('PUT')
    expect(records[0]).toMatchObject({ action: 'INDEX_DEPLOY_FAILED', governanceCompliant: false })
  })
})

// docs/rules.md#every-deploy-attempt-is-audited
describe('every deploy attempt is audited', () => {
  it('audits a deploy that failed before its PUT, without a version when none was read', async () => {
    const f = fake({ failingGets: [1] })
    const { audit, records } = recordingAudit()
    const result = await processObject({ log: silentLogger, live: f.gateway, audit }, job())
    expect(result.error).toMatch(/GET \/x failed: 500/)
    expect(f.calls).not.toContain('PUT')
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ action: 'INDEX_DEPLOY_FAILED', governanceCompliant: false })
    expect(records[0]!.schemaVersion).toBeUndefined()
    expect(records[0]!.previousSchemaVersion).toBeUndefined()
    expect(result.outcome).toBe('failed')
  })

  it('audits a committed PUT whose rebuild poll failed, with the version it produced', async () => {
    const f = fake({ finalStatus: 'building' })
    // The PUT's answer shows the index building; every poll after it fails.
    let polls = 0
    const failing: GatewayClient = {
      ...f.gateway,
      getSchema: id => {
        if (!f.calls.includes('PUT')) return f.gateway.getSchema(id)
        polls++
        return Promise.reject(platformError('GET'))
      }
    }
    const { audit, records } = recordingAudit()
    // On a fake clock: polls at 250 and 625 ms (×1.5), the last sleep cut at the 1 s deadline.
    const clock = fakeClock()
    const result = await processObject(
      {
        log: silentLogger,
        live: failing,
        audit,
        rebuildTimeoutSeconds: 1,
        now: clock.now,
        sleep: clock.sleep
      },
      job()
    )
    expect(result.schemaVersion).toBe(2)
    expect(result.rebuild.status).toBe('timeout')
    expect(clock.slept).toEqual([250, 375, 375])
    expect(polls).toBe(2)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({
      action: 'INDEX_DEPLOY_FAILED',
      schemaVersion: 2,
      previousSchemaVersion: 1
    })
    expect(result.audit).toBe('true')
  })
})

// docs/rules.md#a-puts-answer-is-checked
describe("a PUT's answer is checked", () => {
  it('fails the deploy when the answer lacks an index of the file, naming it', async () => {
    const f = fake({ answerWithout: 'idx_assignee' })
    const { audit, records } = recordingAudit()
    const result = await processObject({ log: silentLogger, live: f.gateway, audit }, job())
    expect(result.error).toMatch(/lacks idx_assignee as the index file defines it: the deploy failed/)
    expect(result.schemaVersion).toBe(2)
    expect(result.rebuild.status).toBe('failed')
    expect(records[0]).toMatchObject({
      action: 'INDEX_DEPLOY_FAILED',
      schemaVersion: 2,
      governanceCompliant: false
    })
  })
})

// docs/rules.md#outputs-agree-with-each-other-and-the-audit-record
describe('probes that fail count as not used', () => {
  it('keeps a failed probe in the result and the audit, not compliant', async () => {
    const f = fake({ queriesFail: true })
    const { audit, records } = recordingAudit()
    const result = await processObject({ log: silentLogger, live: f.gateway, audit }, job())
    expect(result.probes).toHaveLength(1)
    expect(result.probes[0]).toMatchObject({ index: 'idx_assignee', indexUsed: false })
    expect(result.probes[0]!.error).toMatch(/503/)
    expect(result.findings.some(x => x.rule === 'probe-full-scan')).toBe(true)
    expect(records[0]).toMatchObject({
      action: 'INDEX_DEPLOYED',
      governanceCompliant: false,
      probes: [{ index: 'idx_assignee', indexUsed: false, recordsExamined: 0 }]
    })
    expect(computeOutputs([result], 'deploy', { reportPath: 'r' })['index-used']).toBe('false')
  })
})

// docs/rules.md#a-failed-rebuild
describe('a failed rebuild', () => {
  it('keep: leaves the failed index, fails the object, audits INDEX_DEPLOY_FAILED', async () => {
    const f = fake({ finalStatus: 'failed' })
    const result = await processObject({ log: silentLogger, live: f.gateway }, job())
    expect(result.outcome).toBe('failed')
    expect(result.error).toMatch(/idx_assignee failed: duplicate values/)
    expect(f.current().indexes.map(i => i.name)).toContain('idx_assignee')
  })

  it('drop-failed: leaves an index that failed before this deploy alone, and sends no second PUT', async () => {
    const f = fake({ failedBefore: true })
    const result = await processObject(
      { log: silentLogger, live: f.gateway, onRebuildFailure: 'drop-failed' },
      // idx_old is not in the file: a file that keeps it fails without any PUT (deploy-live-status.test.ts).
      job()
    )
    expect(f.calls.filter(c => c === 'PUT')).toHaveLength(1)
    expect(result.outcome).toBe('failed')
    expect(result.rolledBack).toBeUndefined()
    expect(result.error).toMatch(/index idx_old failed/)
  })

  it('drop-failed: removes the failed index with a second PUT and audits INDEX_ROLLED_BACK', async () => {
    const f = fake({ finalStatus: 'failed' })
    const { audit, records } = recordingAudit()
    const result = await processObject(
      { log: silentLogger, live: f.gateway, audit, onRebuildFailure: 'drop-failed' },
      job()
    )
    expect(f.calls.filter(c => c === 'PUT')).toHaveLength(2)
    expect(f.current().indexes.map(i => i.name)).toEqual(['idx_status'])
    expect(f.current().retention).toEqual({ days: 365 })
    expect(result.outcome).toBe('rolled-back')
    expect(result.schemaVersion).toBe(3)
    expect(result.rebuild.status).toBe('failed')
    expect(result.error).toMatch(
      /Dropped idx_assignee again \(on-rebuild-failure: drop-failed\): schema version 3/
    )
    expect(result.rolledBack).toEqual([{ index: 'idx_assignee', statusReason: 'duplicate values' }])
    expect(records[0]).toMatchObject({
      action: 'INDEX_ROLLED_BACK',
      schemaVersion: 3,
      rolledBack: [{ index: 'idx_assignee', statusReason: 'duplicate values' }]
    })
    expect(computeOutputs([result], 'deploy', { reportPath: 'r' })).toMatchObject({
      'schema-version': '3',
      'rebuild-status': 'failed'
    })
  })
})

// docs/rules.md#deploy-what-was-reviewed
describe('deploy what was reviewed', () => {
  const reviewOf = (hash: string | undefined, pullRequest: number | null = 7): ReviewSource => ({
    pullRequest,
    reviewOf: () => (hash === undefined ? undefined : { payloadHash: hash, basedOnVersion: 1 })
  })
  async function expectedHash(): Promise<string> {
    const f = fake()
    const r = await processObject(
      { log: silentLogger, live: f.gateway, probe: false },
      { ...job(), mode: 'validate' }
    )
    return r.payloadHash!
  }

  it('marks the deploy reviewed when the hash matches', async () => {
    const hash = await expectedHash()
    const f = fake()
    const result = await processObject(
      { log: silentLogger, live: f.gateway, requireReview: 'fail', review: reviewOf(hash) },
      job()
    )
    expect(result.outcome).toBe('deployed')
    expect(result.review).toEqual({ payloadHash: hash, matched: true, pullRequest: 7 })
    expect(reviewedOutput([result])).toBe('true')
  })

  it('warns and deploys under warn when the document differs from the review', async () => {
    const f = fake()
    const log = memoryLogger()
    const result = await processObject(
      { log, live: f.gateway, requireReview: 'warn', review: reviewOf('a'.repeat(64)) },
      job()
    )
    expect(result.outcome).toBe('deployed')
    expect(result.review).toMatchObject({ payloadHash: 'a'.repeat(64), matched: false })
    expect(
      log.lines.some(
        l => l.startsWith('warning:') && l.includes('a'.repeat(64)) && l.includes(result.payloadHash!)
      )
    ).toBe(true)
    expect(reviewedOutput([result])).toBe('false')
  })

  it('sends no PUT under fail when the document differs, and audits the attempt', async () => {
    const f = fake()
    const { audit, records } = recordingAudit()
    const result = await processObject(
      { log: silentLogger, live: f.gateway, audit, requireReview: 'fail', review: reviewOf('a'.repeat(64)) },
      job()
    )
    expect(f.calls).not.toContain('PUT')
    expect(result.outcome).toBe('failed')
    expect(result.error).toMatch(/not the one reviewed on pull request #7.*require-review: fail/)
    expect(result.payloadHash).toMatch(/^[0-9a-f]{64}$/)
    expect(records[0]).toMatchObject({
      action: 'INDEX_DEPLOY_FAILED',
      review: { payloadHash: 'a'.repeat(64), matched: false, pullRequest: 7 }
    })
  })

  it('sends no PUT under fail when no review was found', async () => {
    const f = fake()
    const result = await processObject(
      {
        log: silentLogger,
        live: f.gateway,
        requireReview: 'fail',
        review: { ...reviewOf(undefined, null), problem: 'no pull request was found for commit abc' }
      },
      job()
    )
    expect(f.calls).not.toContain('PUT')
    expect(result.error).toMatch(/has no review: no pull request was found for commit abc/)
    expect(result.review).toEqual({ payloadHash: null, matched: null, pullRequest: null })
    expect(reviewedOutput([result])).toBe('unknown')
  })

  it('skips the comparison under off, even with a reviewed hash', async () => {
    const f = fake()
    const result = await processObject(
      { log: silentLogger, live: f.gateway, requireReview: 'off', review: reviewOf('a'.repeat(64)) },
      job()
    )
    expect(result.outcome).toBe('deployed')
    expect(result.review).toMatchObject({ payloadHash: null, matched: null })
  })
})

describe('the pipeline resolves the defaults of the settings', () => {
  it('takes every default a caller leaves out from DEFAULTS, as a run of the action does', () => {
    const ctx = pipelineContext({ log: silentLogger })
    expect(ctx).toMatchObject({
      requireReview: DEFAULTS['require-review'],
      rebuildTimeoutSeconds: DEFAULTS['rebuild-timeout-seconds'],
      probe: DEFAULTS.probe,
      onRebuildFailure: DEFAULTS['on-rebuild-failure']
    })
  })
})

describe('a write whose outcome is unknown is reported as unknown', () => {
  it('fails with rebuild-status unknown, no version, changed, and an audit record of outcome unknown', async () => {
    // The PUT commits but its answer is lost; the read-back (the second GET) fails too.
    const f = fake({ failures: ['drop-after-commit'], failingGets: [2] })
    const { audit, records } = recordingAudit()
    const result = await processObject({ log: silentLogger, live: f.gateway, audit }, job())
    expect(f.calls.filter(c => c === 'PUT')).toHaveLength(1)
    expect(result).toMatchObject({ outcome: 'unknown', changed: true, basedOnVersion: 1 })
    expect(result.schemaVersion).toBeUndefined()
    expect(result.rebuild).toEqual({ status: 'unknown', seconds: 0 })
    expect(result.error).toMatch(/the outcome of the write is unknown: the PUT's answer was lost/)
    expect(result.error).toMatch(/may have been applied.*drift mode.*re-run the deploy/)

    expect(computeOutputs([result], 'deploy', { reportPath: 'r' })).toMatchObject({
      valid: 'false',
      changed: 'true',
      'schema-version': '',
      'rebuild-status': 'unknown'
    })
    expect(failureReason([result], 'deploy', 'error')).toMatch(/may have been applied/)

    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({
      action: 'INDEX_DEPLOY_FAILED',
      outcome: 'unknown',
      previousSchemaVersion: 1,
      rebuild: { status: 'unknown', seconds: 0 }
    })
    expect(records[0]).not.toHaveProperty('schemaVersion')

    const summary = renderSummary([result], { mode: 'deploy' })
    expect(summary).toContain('schema version 1 → unknown · rebuild unknown')
    expect(summary).toContain('outcome unknown: the write may have been applied')
    expect(summary).not.toContain('rebuild skipped')
  })

  it('a re-run against the same platform reports the truth: the write had landed, nothing to deploy', async () => {
    const f = fake({ failures: ['drop-after-commit'], failingGets: [2] })
    const first = await processObject({ log: silentLogger, live: f.gateway }, job())
    expect(first.outcome).toBe('unknown')
    const again = await processObject({ log: silentLogger, live: f.gateway }, job())
    expect(again).toMatchObject({ outcome: 'unchanged', schemaVersion: 2, changed: false })
    expect(again.error).toBeUndefined()
    expect(f.calls.filter(c => c === 'PUT')).toHaveLength(1)
  })

  it('a drop-failed rollback whose write is lost and cannot be read back leaves the outcome unknown', async () => {
    const f = fake({ finalStatus: 'failed', failures: ['none', 'drop-after-commit'] })
    const puts = (): number => f.calls.filter(c => c === 'PUT').length
    // Every read after the rollback's PUT fails.
    const gateway: GatewayClient = {
      ...f.gateway,
      getSchema: id => (puts() >= 2 ? Promise.reject(platformError('GET')) : f.gateway.getSchema(id))
    }
    const { audit, records } = recordingAudit()
    const result = await processObject(
      { log: silentLogger, live: gateway, audit, onRebuildFailure: 'drop-failed' },
      job()
    )
    expect(puts()).toBe(2)
    expect(result).toMatchObject({ outcome: 'unknown', changed: true, rebuild: { status: 'unknown' } })
    expect(result.schemaVersion).toBeUndefined()
    expect(result.rolledBack).toBeUndefined()
    expect(result.error).toMatch(
      /Dropping it again: .*the outcome of the write is unknown.*may have been applied/
    )
    expect(records[0]).toMatchObject({ action: 'INDEX_DEPLOY_FAILED', outcome: 'unknown' })
    expect(records[0]).not.toHaveProperty('schemaVersion')
  })

  it('a lost answer whose read-back shows the PUT applied stays deployed, not unknown', async () => {
    const f = fake({ failures: ['drop-after-commit'] })
    const result = await processObject({ log: silentLogger, live: f.gateway }, job())
    expect(result).toMatchObject({ outcome: 'deployed', schemaVersion: 2 })
    expect(result.rebuild.status).toBe('active')
  })
})

describe('an older commit never silently undoes a newer one', () => {
  const OLD = 'a'.repeat(40)
  const NEW = 'b'.repeat(40)
  const freshness = (stale: boolean): FreshnessSource => ({
    staleOf: file => (stale && file === 'indexes/ticket.yaml' ? { sha: OLD, head: NEW } : undefined)
  })
  function noticing(): Logger & { lines: string[] } {
    const log = memoryLogger()
    return { ...log, notice: m => log.lines.push(`notice: ${m}`) }
  }

  it('skip: reads nothing, sends nothing, audits nothing, and gives a notice', async () => {
    const f = fake()
    const { audit, records } = recordingAudit()
    const log = noticing()
    const result = await processObject(
      { log, live: f.gateway, audit, onStale: 'skip', freshness: freshness(true) },
      job()
    )
    expect(f.calls).toEqual([])
    expect(records).toEqual([])
    expect(result).toMatchObject({
      outcome: 'stale',
      changed: false,
      audit: 'skipped',
      stale: { sha: OLD, head: NEW }
    })
    expect(result.auditAction).toBeUndefined()
    expect(result.error).toBeUndefined()
    expect(log.lines).toEqual([
      expect.stringMatching(/^notice: Object obj-1: commit aaaaaaa is older than bbbbbbb/)
    ])
  })

  it('fail: no PUT, a failed object, audited INDEX_DEPLOY_FAILED with the hash it would have sent', async () => {
    const f = fake()
    const { audit, records } = recordingAudit()
    const result = await processObject(
      { log: silentLogger, live: f.gateway, audit, onStale: 'fail', freshness: freshness(true) },
      job()
    )
    expect(f.calls).not.toContain('PUT')
    expect(result.outcome).toBe('failed')
    expect(result.error).toMatch(/aaaaaaa is older than bbbbbbb.*on-stale: fail/)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ action: 'INDEX_DEPLOY_FAILED', payloadHash: result.payloadHash })
  })

  it('warn: deploys, with a warning naming both commits', async () => {
    const f = fake()
    const log = memoryLogger()
    const result = await processObject(
      { log, live: f.gateway, onStale: 'warn', freshness: freshness(true) },
      job()
    )
    expect(result.outcome).toBe('deployed')
    expect(f.calls.filter(c => c === 'PUT')).toHaveLength(1)
    expect(log.lines.some(l => /^warning: .*aaaaaaa is older than bbbbbbb.*on-stale: warn/.test(l))).toBe(
      true
    )
  })

  it('deploys an object whose file the newer commit did not change', async () => {
    const f = fake()
    const result = await processObject(
      { log: silentLogger, live: f.gateway, onStale: 'fail', freshness: freshness(false) },
      job()
    )
    expect(result.outcome).toBe('deployed')
  })
})
