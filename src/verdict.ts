// Whether each object's result passed, decided once, here. The outputs (`valid`, `error-count`, the step's
// failure reason), the audit action, the report's verdict lines and the PR comment all read the verdict this
// module gives; none of them decides again. Pure.
import type { AuditAction, DeployOutcomeKind, Finding, Mode, ObjectResult } from './model.js'

/**
 * How one object's run ended, whatever the mode:
 * - validate, plan (and publish, which shows their reports): `pass` (checked against the live schema),
 *   `file-checks-only` (no credentials: only the file was checked), `blocked` (error findings), `failed`;
 * - deploy: `blocked`, `unchanged`, `deployed`, `failed`, `rolled-back`, `unknown` (a write whose answer
 *   was lost and whose effect could not be read back), or `stale` (a newer commit on the branch changed the
 *   file: this older one was skipped, nothing attempted);
 * - drift: `no-drift`, `drift`, or `blocked` / `failed` when the object could not be checked.
 */
export const VERDICTS = [
  'pass',
  'file-checks-only',
  'blocked',
  'failed',
  'unchanged',
  'deployed',
  'rolled-back',
  'unknown',
  'stale',
  'no-drift',
  'drift'
] as const
export type Verdict = (typeof VERDICTS)[number]

/** The verdicts a deploy can end with: its recipe's outcomes. */
export type DeployVerdict = DeployOutcomeKind

/**
 * What each verdict means for the outputs and the step: `valid` (the object is sound: no error finding, no
 * fatal error), and `fails` (the object fails the step whatever `fail-on` says). A blocked validate fails the
 * step only under `fail-on` (see `stepFailure`); a blocked deploy always does, since nothing was deployed.
 */
const MEANING: Record<Verdict, { valid: boolean; fails: boolean }> = {
  pass: { valid: true, fails: false },
  'file-checks-only': { valid: true, fails: false },
  blocked: { valid: false, fails: false },
  failed: { valid: false, fails: true },
  unchanged: { valid: true, fails: false },
  deployed: { valid: true, fails: false },
  'rolled-back': { valid: false, fails: true },
  unknown: { valid: false, fails: true },
  stale: { valid: true, fails: false },
  'no-drift': { valid: true, fails: false },
  drift: { valid: true, fails: false }
}

/**
 * The audit record's action of each deploy verdict: one record per deploy attempt. A skipped stale object
 * attempted nothing, so it has no record.
 */
const AUDIT_ACTION: Record<DeployVerdict, AuditAction | undefined> = {
  blocked: 'INDEX_DEPLOY_FAILED',
  unchanged: 'INDEX_UNCHANGED',
  deployed: 'INDEX_DEPLOYED',
  failed: 'INDEX_DEPLOY_FAILED',
  'rolled-back': 'INDEX_ROLLED_BACK',
  unknown: 'INDEX_DEPLOY_FAILED',
  stale: undefined
}

/** The one error count: the findings of severity error. */
export function errorCount(findings: readonly Finding[]): number {
  return findings.filter(f => f.severity === 'error').length
}

export function warningCount(findings: readonly Finding[]): number {
  return findings.length - errorCount(findings)
}

/** A deploy's outcome: the recipe's, or (a result from elsewhere, e.g. an older report) what the result shows. */
function deployOutcome(r: ObjectResult): DeployOutcomeKind {
  if (r.outcome !== undefined) return r.outcome
  if (errorCount(r.findings) > 0 && r.error === undefined) return 'blocked'
  if (r.rolledBack !== undefined && r.rolledBack.length > 0) return 'rolled-back'
  if (r.error !== undefined || r.rebuild.status === 'failed' || r.rebuild.status === 'timeout')
    return 'failed'
  return r.changed ? 'deployed' : 'unchanged'
}

/** The object's verdict. */
export function verdictOf(r: ObjectResult): Verdict {
  if (r.mode === 'deploy') {
    const outcome = deployOutcome(r)
    // A deploy that landed but whose step failed afterwards (an audit record required and not delivered).
    if (r.error !== undefined && (outcome === 'deployed' || outcome === 'unchanged')) return 'failed'
    return outcome
  }
  if (r.error !== undefined) return 'failed'
  if (errorCount(r.findings) > 0) return 'blocked'
  if (r.mode === 'drift') return r.drifted === true ? 'drift' : 'no-drift'
  return r.live ? 'pass' : 'file-checks-only'
}

/** Whether the object is sound: the `valid` output is true when every object's is. */
export function isValid(v: Verdict): boolean {
  return MEANING[v].valid
}

/** Whether the object needs attention first: it failed, or errors block it. */
export function isFailing(v: Verdict): boolean {
  return MEANING[v].fails || v === 'blocked'
}

/** The audit action of a deploy attempt, from its verdict; undefined when nothing was attempted (stale). */
export function auditActionOf(r: ObjectResult): AuditAction | undefined {
  const v = verdictOf(r)
  if (v in AUDIT_ACTION) return AUDIT_ACTION[v as DeployVerdict]
  // Not a deploy (a record built from another mode's result): what it would have recorded.
  return r.changed ? 'INDEX_DEPLOYED' : 'INDEX_UNCHANGED'
}

/** The policy that turns verdicts into the step's result: the `fail-on` and `fail-on-drift` inputs. */
export interface FailPolicy {
  failOn: 'error' | 'warning' | 'never'
  failOnDrift?: boolean
}

/** One object's line in the step's failure: its error, prefixed by its id unless it already names it. */
function fatalLine(r: ObjectResult): string {
  const id = r.customObjectId || r.file
  if (r.error === undefined) {
    const reason = r.rebuild.reason ? `: ${r.rebuild.reason}` : ''
    return `${id}: rebuild ${r.rebuild.status}${reason}`
  }
  return r.error.startsWith(`Object ${r.customObjectId}`) ? r.error : `${id}: ${r.error}`
}

function findingsText(n: number, severity: 'error' | 'warning'): string {
  return `${n} ${severity} finding${n === 1 ? '' : 's'}`
}

/** Why the step fails, from the objects' verdicts and the policy; undefined when it passes. */
export function stepFailure(
  results: readonly ObjectResult[],
  mode: Mode,
  policy: FailPolicy
): string | undefined {
  const verdicts = results.map(verdictOf)
  const fatal = results.filter((_r, i) => MEANING[verdicts[i]!].fails)
  if (fatal.length > 0) return fatal.map(fatalLine).join('\n')
  const findings = results.flatMap(r => r.findings)
  const errors = errorCount(findings)
  const warnings = findings.length - errors
  if (mode === 'drift') {
    // Drift fails the step only under fail-on-drift; an index file that could not be read still does.
    const drifted = results.filter((_r, i) => verdicts[i] === 'drift')
    if (policy.failOnDrift === true && drifted.length > 0) {
      return `Drift in ${drifted.map(r => r.customObjectId).join(', ')} (fail-on-drift: true).`
    }
  }
  // Errors block a deploy: a deploy that did not happen fails the step whatever `fail-on` says.
  if (mode === 'deploy' && verdicts.includes('blocked'))
    return `${findingsText(errors, 'error')} blocked the deploy.`
  if (policy.failOn === 'never') return undefined
  if (errors > 0) return `${findingsText(errors, 'error')} (fail-on: ${policy.failOn}).`
  if (policy.failOn === 'warning' && warnings > 0) {
    return `${findingsText(warnings, 'warning')} (fail-on: warning).`
  }
  return undefined
}

/** What the report says of a write whose outcome is unknown: it may have been applied, and how to find out. */
export const UNKNOWN_WRITE_ADVICE =
  'The write may have been applied. To find out, run the action in drift mode (it compares the live schema ' +
  'with the file), or re-run the deploy: its version check makes a re-run safe (it sends nothing when the ' +
  'live schema already matches, and refuses to overwrite a newer version).'
