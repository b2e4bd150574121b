// One verdict per result, many views: for every outcome, the outputs (`valid`, `error-count`, the step's
// failure reason), the audit action, the summary's verdict line and the comment's verdict line all say the
// same thing, because each reads the verdict that src/verdict.ts decides.
import { describe, expect, it } from 'vitest'
import { buildAuditRecord } from '../../src/audit/record.js'
import type { AuditAction, Mode, ObjectResult } from '../../src/model.js'
import { computeOutputs, failureReason } from '../../src/outputs.js'
import { renderComment } from '../../src/report/comment.js'
import { renderSummary } from '../../src/report/summary.js'
import { errorCount, VERDICTS, verdictOf, type Verdict } from '../../src/verdict.js'
import { headings } from '../helpers/markdown.js'
import { deployResult, driftResult, finding, LINKS, result, validateResult } from '../helpers/results.js'

const error = finding({ severity: 'error', rule: 'unknown-field', message: 'No such field.' })

interface Case {
  name: string
  mode: Mode
  result: ObjectResult
  verdict: Verdict
  /** The `valid` output. */
  valid: boolean
  /** Whether the step fails (under `fail-on: error`, `fail-on-drift: false`). */
  fails: boolean
  /** The audit record's action (deploy only). */
  action?: AuditAction
  /** The icon and words of the object's verdict line, and of the run's. */
  line: RegExp
  run: RegExp
}

/** A deploy result whose audit action the verdict decides (the fixtures' preset one left out). */
const deploy = (over: Partial<ObjectResult>): ObjectResult => {
  const r = deployResult(over)
  delete r.auditAction
  return r
}

const CASES: Case[] = [
  {
    name: 'validate, checked against the live schema',
    mode: 'validate',
    result: validateResult(),
    verdict: 'pass',
    valid: true,
    fails: false,
    line: /^✅ .* — 1 index added$/,
    run: /^✅ pass — /
  },
  {
    name: 'validate without credentials',
    mode: 'validate',
    result: result({ live: false }),
    verdict: 'file-checks-only',
    valid: true,
    fails: false,
    line: /^⚠️ .* — file checks only/,
    run: /^⚠️ file checks only — /
  },
  {
    name: 'validate with an error finding',
    mode: 'validate',
    result: validateResult({ findings: [error] }),
    verdict: 'blocked',
    valid: false,
    fails: true,
    line: /^❌ .* — its error blocks the deploy$/,
    run: /^❌ blocked — /
  },
  {
    name: 'plan whose live schema could not be read',
    mode: 'plan',
    result: result({ mode: 'plan', error: 'GET schema failed: 503' }),
    verdict: 'failed',
    valid: false,
    fails: true,
    line: /^❌ .* — failed: GET schema failed: 503$/,
    run: /^❌ blocked — /
  },
  {
    name: 'deploy that landed',
    mode: 'deploy',
    result: deploy({}),
    verdict: 'deployed',
    valid: true,
    fails: false,
    action: 'INDEX_DEPLOYED',
    line: /^✅ .* — deployed as schema version 4/,
    run: /^✅ deployed — 1 deployed$/
  },
  {
    name: 'deploy with nothing to change',
    mode: 'deploy',
    result: deploy({ outcome: 'unchanged', changed: false }),
    verdict: 'unchanged',
    valid: true,
    fails: false,
    action: 'INDEX_UNCHANGED',
    line: /^✅ .* — unchanged: /,
    run: /^✅ unchanged — nothing to deploy/
  },
  {
    name: 'deploy that errors block',
    mode: 'deploy',
    result: deploy({ outcome: 'blocked', findings: [error], changed: true }),
    verdict: 'blocked',
    valid: false,
    fails: true,
    action: 'INDEX_DEPLOY_FAILED',
    line: /^❌ .* — blocked: 1 error$/,
    run: /^❌ failed — 1 blocked$/
  },
  {
    name: 'deploy whose rebuild failed',
    mode: 'deploy',
    result: deploy({
      outcome: 'failed',
      rebuild: { status: 'failed', seconds: 3, reason: 'duplicate values' },
      error: 'Object x (schema version 4): duplicate values.'
    }),
    verdict: 'failed',
    valid: false,
    fails: true,
    action: 'INDEX_DEPLOY_FAILED',
    line: /^❌ .* — failed: Object x/,
    run: /^❌ failed — 1 failed$/
  },
  {
    name: 'deploy that landed, whose required audit record was not delivered',
    mode: 'deploy',
    result: deploy({ error: 'warehouse answered 500 (audit-required is true)' }),
    verdict: 'failed',
    valid: false,
    fails: true,
    action: 'INDEX_DEPLOY_FAILED',
    line: /^❌ .* — failed: warehouse answered 500/,
    run: /^❌ failed — 1 failed$/
  },
  {
    name: 'deploy rolled back under drop-failed',
    mode: 'deploy',
    result: deploy({
      outcome: 'rolled-back',
      schemaVersion: 5,
      rebuild: { status: 'failed', seconds: 3, reason: 'duplicate values' },
      rolledBack: [{ index: 'idx_status_priority', statusReason: 'duplicate values' }],
      error: 'Object x: duplicate values. Dropped idx_status_priority again.'
    }),
    verdict: 'rolled-back',
    valid: false,
    fails: true,
    action: 'INDEX_ROLLED_BACK',
    line: /^❌ .* — rolled back: idx_status_priority failed to build and was dropped$/,
    run: /^❌ failed — 1 rolled back$/
  },
  {
    name: 'deploy whose write has an unknown outcome',
    mode: 'deploy',
    result: deploy({
      outcome: 'unknown',
      schemaVersion: undefined,
      rebuild: { status: 'unknown', seconds: 0 },
      error: 'Object x: the outcome of the write is unknown.'
    }),
    verdict: 'unknown',
    valid: false,
    fails: true,
    action: 'INDEX_DEPLOY_FAILED',
    line: /^❓ .* — outcome unknown: the write may have been applied/,
    run: /^❓ outcome unknown — 1 outcome unknown$/
  },
  {
    name: 'a stale commit skipped',
    mode: 'deploy',
    result: deploy({
      outcome: 'stale',
      changed: false,
      stale: { sha: 'a'.repeat(40), head: 'b'.repeat(40) },
      rebuild: { status: 'skipped', seconds: 0 }
    }),
    verdict: 'stale',
    valid: true,
    fails: false,
    line: /^⏭️ .* — skipped: commit .*aaaaaaa.* is older than the branch head .*bbbbbbb/,
    run: /^⏭️ skipped — 1 skipped \(a newer commit applies them\)$/
  },
  {
    name: 'drift found',
    mode: 'drift',
    result: driftResult(),
    verdict: 'drift',
    valid: true,
    fails: false,
    line: /^⚠️ .* — drift: 1 missing, 1 changed, 1 failed$/,
    run: /^⚠️ drift in 1 of 1 object$/
  },
  {
    name: 'no drift',
    mode: 'drift',
    result: result({ mode: 'drift', drifted: false }),
    verdict: 'no-drift',
    valid: true,
    fails: false,
    line: /^✅ .* — no drift$/,
    run: /^✅ no drift — /
  },
  {
    name: 'drift without credentials',
    mode: 'drift',
    result: result({ mode: 'drift', live: false, error: 'Drift detection needs the client-id.' }),
    verdict: 'failed',
    valid: false,
    fails: true,
    line: /^❌ .* — failed: Drift detection needs/,
    run: /^❌ 1 of 1 object could not be checked$/
  }
]

/** The object's verdict line and the run's, without the heading marks. */
function lines(text: string): { run: string; object: string } {
  const [run, object] = headings(text)
  return { run: run!.replace(/^## [^:]+: /, ''), object: object!.replace(/^### /, '') }
}

describe('one verdict, four views', () => {
  it('walks every verdict', () => {
    expect(new Set(CASES.map(c => c.verdict))).toEqual(new Set(VERDICTS))
  })

  it.each(CASES)('$name: $verdict, and every view agrees', c => {
    const r = c.result
    expect(verdictOf(r)).toBe(c.verdict)

    // The outputs: valid, error-count, and the failure reason.
    const outputs = computeOutputs([r], c.mode, { reportPath: '' })
    expect(outputs.valid).toBe(String(c.valid))
    expect(outputs['error-count']).toBe(String(errorCount(r.findings)))
    const failure = failureReason([r], c.mode, 'error')
    expect(failure !== undefined).toBe(c.fails)

    // The audit record: only a deploy attempt has one, and its action follows the verdict.
    if (c.action !== undefined) {
      const record = buildAuditRecord(r, {
        source: { repository: '', sha: '', ref: '', runId: '', runAttempt: '', actor: '' }
      })
      expect(record.action).toBe(c.action)
      expect(record.outcome).toBe(c.verdict === 'unknown' ? 'unknown' : undefined)
    }

    // The summary and the comment: the same verdict line for the object and for the run.
    const summary = lines(renderSummary([r], { mode: c.mode, ...LINKS }))
    const comment = lines(renderComment([r], { mode: c.mode, commentKey: 'default', ...LINKS }))
    expect(summary.object).toMatch(c.line)
    expect(summary.run).toMatch(c.run)
    expect(comment).toEqual(summary)

    // A failing step never reads as a pass.
    if (c.fails) expect(summary.run).not.toMatch(/^✅/)
  })
})
