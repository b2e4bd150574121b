// The job outputs of docs/rules.md#inputs-and-outputs, computed from the per-object results. Pure.
import { isObjectId } from './github/reviewline.js'
import type { Finding, IndexDiff, Mode, ObjectDrift, ObjectResult, RebuildStatus } from './model.js'
import { usedItsIndex } from './plan/probes.js'
import type { FailOn } from './settings.js'
import { errorCount, isValid, stepFailure, verdictOf } from './verdict.js'

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
  'objects',
  'report',
  'reviewed',
  'drifted',
  'drift'
] as const
export type OutputName = (typeof OUTPUT_NAMES)[number]
export type Outputs = Record<OutputName, string>

/**
 * Worst first: the run's rebuild status is the worst of its objects'. `unknown` ranks above `failed`: a write
 * whose effect is not known needs looking at before anything else.
 */
const REBUILD_RANK: Record<RebuildStatus, number> = {
  unknown: 4,
  failed: 3,
  timeout: 2,
  active: 1,
  skipped: 0
}

export function allFindings(results: ObjectResult[]): Finding[] {
  return results.flatMap(r => r.findings)
}

export interface MatrixEntry {
  'index-file': string
  'custom-object-id': string
}

/** GitHub's cap on the jobs of one matrix. */
export const MATRIX_CAP = 256

/** How many objects share each matrix entry: 1 up to `maxJobs` objects, then as few as fit in `maxJobs`. */
export function objectsPerEntry(objects: number, maxJobs = MATRIX_CAP): number {
  return Math.max(1, Math.ceil(objects / Math.max(1, Math.min(maxJobs, MATRIX_CAP))))
}

/**
 * Plan mode's matrix, for `strategy.matrix: ${{ fromJSON(...) }}`: one entry per index file, at most `maxJobs`
 * entries. With more objects, consecutive ones share an entry: its `index-file` lists their paths, one per
 * line, and its `custom-object-id` is empty (each file names its own object).
 */
export function planMatrix(results: ObjectResult[], maxJobs = MATRIX_CAP): { include: MatrixEntry[] } {
  const per = objectsPerEntry(results.length, maxJobs)
  if (per === 1) {
    return { include: results.map(r => ({ 'index-file': r.file, 'custom-object-id': r.customObjectId })) }
  }
  const include: MatrixEntry[] = []
  for (let i = 0; i < results.length; i += per) {
    const files = results.slice(i, i + per).map(r => r.file)
    include.push({ 'index-file': files.join('\n'), 'custom-object-id': '' })
  }
  return { include }
}

/** Plan mode's `objects`: the planned object ids, each once, for publish's `expected-objects`. */
export function planObjectIds(results: readonly ObjectResult[]): string[] {
  return [...new Set(results.map(r => r.customObjectId).filter(isObjectId))]
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
  /** Plan: the most matrix entries (`max-jobs`). */
  maxJobs?: number
}

export function computeOutputs(results: ObjectResult[], mode: Mode, extras: OutputExtras): Outputs {
  const findings = allFindings(results)
  const errors = errorCount(findings)
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
    valid: String(results.every(r => isValid(verdictOf(r)))),
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
    matrix: mode === 'plan' ? JSON.stringify(planMatrix(results, extras.maxJobs)) : '',
    objects: mode === 'plan' ? JSON.stringify(planObjectIds(results)) : '',
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

/** Why the step fails, or undefined when it passes: the objects' verdicts under `fail-on` and `fail-on-drift`. */
export function failureReason(
  results: ObjectResult[],
  mode: Mode,
  failOn: FailOn,
  failOnDrift = false
): string | undefined {
  return stepFailure(results, mode, { failOn, failOnDrift })
}
