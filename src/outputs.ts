// The job outputs (docs/rules.md#inputs-and-outputs), computed from the per-object results. Pure.
import type { Finding, IndexDiff, Mode, ObjectDrift, ObjectResult, RebuildStatus } from './model.js'
import { usedItsIndex } from './plan/probes.js'
import type { FailOn } from './settings.js'

export const OUTPUT_NAMES = [
  'mode',
  'valid',
  'error-count',
  'warning-count',
  'findings',
  'changed',
  'diff',
  'payload-hash',
  'schema-version',
  'rebuild-status',
  'rebuild-seconds',
  'index-used',
  'probe-latency-ms',
  'records-examined',
  'audit-delivered',
  'comment-url',
  'matrix',
  'report',
  'reviewed',
  'drifted',
  'drift'
] as const
export type OutputName = (typeof OUTPUT_NAMES)[number]
export type Outputs = Record<OutputName, string>

/** Worst first: the run's rebuild status is the worst of its objects'. */
const REBUILD_RANK: Record<RebuildStatus, number> = { failed: 3, timeout: 2, active: 1, skipped: 0 }

export function allFindings(results: ObjectResult[]): Finding[] {
  return results.flatMap(r => r.findings)
}

export interface MatrixEntry {
  'index-file': string
  'custom-object-id': string
}

/** Plan mode's matrix: one entry per index file, for `strategy.matrix: ${{ fromJSON(...) }}`. */
export function planMatrix(results: ObjectResult[]): { include: MatrixEntry[] } {
  return { include: results.map(r => ({ 'index-file': r.file, 'custom-object-id': r.customObjectId })) }
}

/** A value per object: the value itself for one object, a JSON map by object id for several. */
function perObject(results: ObjectResult[], pick: (r: ObjectResult) => string | number | undefined): string {
  if (results.length === 1) return String(pick(results[0]!) ?? '')
  const map: Record<string, string | number | null> = {}
  for (const r of results) map[r.customObjectId || r.file] = pick(r) ?? null
  return JSON.stringify(map)
}

export interface OutputExtras {
  commentUrl?: string
  reportPath: string
}

export function computeOutputs(results: ObjectResult[], mode: Mode, extras: OutputExtras): Outputs {
  const findings = allFindings(results)
  const errors = findings.filter(f => f.severity === 'error').length
  const diff: IndexDiff = { added: [], modified: [], removed: [], unmanaged: [] }
  for (const r of results) {
    diff.added.push(...r.diff.added)
    diff.modified.push(...r.diff.modified)
    diff.removed.push(...r.diff.removed)
    diff.unmanaged.push(...r.diff.unmanaged)
  }
  const rebuild = results.reduce<RebuildStatus>(
    (worst, r) => (REBUILD_RANK[r.rebuild.status] > REBUILD_RANK[worst] ? r.rebuild.status : worst),
    'skipped'
  )
  const probes = results.flatMap(r => (mode === 'deploy' ? r.probes : r.baselineProbes))
  const audits = results.map(r => r.audit)
  return {
    mode,
    valid: String(errors === 0 && results.every(r => r.error === undefined)),
    'error-count': String(errors),
    'warning-count': String(findings.length - errors),
    findings: JSON.stringify(findings),
    changed: String(results.some(r => r.changed)),
    diff: JSON.stringify(diff),
    'payload-hash': perObject(results, r => r.payloadHash),
    'schema-version': perObject(results, r => r.schemaVersion),
    'rebuild-status': rebuild,
    'rebuild-seconds': String(Math.max(0, ...results.map(r => r.rebuild.seconds))),
    // The audit's test (docs/rules.md#outputs-agree-with-each-other-and-the-audit-record): each probe used
    // the very index it targets; a failed probe did not.
    'index-used': probes.length === 0 ? '' : String(probes.every(usedItsIndex)),
    'probe-latency-ms': probes.length === 0 ? '' : String(Math.max(...probes.map(p => p.latencyMs))),
    'records-examined': probes.length === 0 ? '' : String(probes.reduce((n, p) => n + p.recordsExamined, 0)),
    'audit-delivered': audits.includes('false') ? 'false' : audits.includes('true') ? 'true' : 'skipped',
    'comment-url': extras.commentUrl ?? '',
    matrix: mode === 'plan' ? JSON.stringify(planMatrix(results)) : '',
    report: extras.reportPath,
    reviewed: mode === 'deploy' ? reviewedOutput(results) : '',
    drifted: mode === 'drift' ? String(results.some(r => r.drifted === true)) : '',
    drift: mode === 'drift' ? JSON.stringify(driftMap(results)) : ''
  }
}

/**
 * `reviewed` (docs/rules.md#deploy-what-was-reviewed), over the objects whose document changed: true when
 * every one matched its review, false when any did not, else unknown (no review found for some,
 * `require-review: off`, or nothing changed).
 */
export function reviewedOutput(results: readonly ObjectResult[]): 'true' | 'false' | 'unknown' {
  const changed = results.filter(r => r.changed)
  if (changed.length === 0) return 'unknown'
  if (changed.some(r => r.review?.matched === false)) return 'false'
  return changed.every(r => r.review?.matched === true) ? 'true' : 'unknown'
}

function driftMap(results: readonly ObjectResult[]): Record<string, ObjectDrift> {
  const map: Record<string, ObjectDrift> = {}
  for (const r of results) {
    map[r.customObjectId || r.file] = r.drift ?? { missing: [], changed: [], failed: [], unmanaged: [] }
  }
  return map
}

/** Why the step fails, or undefined when it passes. */
export function failureReason(
  results: ObjectResult[],
  mode: Mode,
  failOn: FailOn,
  failOnDrift = false
): string | undefined {
  const findings = allFindings(results)
  const errors = findings.filter(f => f.severity === 'error').length
  const warnings = findings.length - errors
  const fatal = results.filter(r => r.error !== undefined)
  if (fatal.length > 0) {
    // An error that already names its object ("Object <id>: …") is not prefixed with the id again.
    return fatal
      .map(r =>
        r.error!.startsWith(`Object ${r.customObjectId}`)
          ? r.error!
          : `${r.customObjectId || r.file}: ${r.error}`
      )
      .join('\n')
  }
  if (mode === 'deploy') {
    const bad = results.filter(r => r.rebuild.status === 'failed' || r.rebuild.status === 'timeout')
    if (bad.length > 0) {
      return bad
        .map(
          r =>
            `${r.customObjectId}: rebuild ${r.rebuild.status}${r.rebuild.reason ? `: ${r.rebuild.reason}` : ''}`
        )
        .join('\n')
    }
  }
  if (mode === 'drift') {
    // Drift fails the step only under fail-on-drift; an index file that could not be read still does.
    const drifted = results.filter(r => r.drifted === true)
    if (failOnDrift && drifted.length > 0) {
      return `Drift in ${drifted.map(r => r.customObjectId).join(', ')} (fail-on-drift: true).`
    }
  }
  // Errors block a deploy: a deploy that did not happen fails the step whatever `fail-on` says.
  if (mode === 'deploy' && errors > 0)
    return `${errors} error finding${errors === 1 ? '' : 's'} blocked the deploy.`
  if (failOn === 'never') return undefined
  if (errors > 0) return `${errors} error finding${errors === 1 ? '' : 's'} (fail-on: ${failOn}).`
  if (failOn === 'warning' && warnings > 0) {
    return `${warnings} warning finding${warnings === 1 ? '' : 's'} (fail-on: warning).`
  }
  return undefined
}
