// The warehouse audit record (docs/rules.md#the-audit-record), its idempotency key and its signature
// (docs/rules.md#the-idempotency-key-and-the-signature). Pure: the source info comes in as a plain object
// (main reads the GitHub env), the event id and clock are injectable.
import { createHash, createHmac, randomUUID } from 'node:crypto'
import type { AuditAction, Finding, IndexDiff, ObjectResult, ReviewCheck, RolledBackIndex } from '../model.js'
import { usedItsIndex } from '../plan/probes.js'
import { auditActionOf, errorCount, verdictOf } from '../verdict.js'

export type { AuditAction }

/** Where the run came from: GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_REF, GITHUB_RUN_ID, _RUN_ATTEMPT, _ACTOR. */
export interface AuditSource {
  repository: string
  sha: string
  ref: string
  runId: string
  runAttempt: string
  actor: string
}

export interface AuditRecord {
  eventId: string
  customObjectId: string
  action: AuditAction
  /** `unknown`: the PUT's answer was lost and the schema could not be read back; it may have been applied. */
  outcome?: 'unknown'
  payloadHash: string
  timestamp: string
  /** The version live after the attempt as far as it is known; absent when no schema was ever read. */
  schemaVersion?: number
  /** The version the attempt was based on; absent when no schema was ever read. */
  previousSchemaVersion?: number
  governanceCompliant: boolean
  diff: IndexDiff
  findings: Finding[]
  rebuild: { status: string; seconds: number }
  probes: { index: string; indexUsed: boolean; latencyMs: number; recordsExamined: number }[]
  source: AuditSource
  /** Deploy what was reviewed (docs/rules.md#deploy-what-was-reviewed): the comparison with the reviewed payload hash. */
  review?: ReviewCheck
  /** INDEX_ROLLED_BACK: the failed indexes the rollback removed (docs/rules.md#a-failed-rebuild). */
  rolledBack?: RolledBackIndex[]
}

/** The source block from environment variables (main passes process.env). */
export function auditSourceFromEnv(env: Readonly<Record<string, string | undefined>>): AuditSource {
  return {
    repository: env.GITHUB_REPOSITORY ?? '',
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    runId: env.GITHUB_RUN_ID ?? '',
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '',
    actor: env.GITHUB_ACTOR ?? ''
  }
}

/** SHA-256 hex of `customObjectId:payloadHash:schemaVersion`: a re-run delivers the same key. */
export function idempotencyKey(
  customObjectId: string,
  payloadHash: string,
  schemaVersion: number | undefined
): string {
  return createHash('sha256')
    .update(`${customObjectId}:${payloadHash}:${schemaVersion ?? ''}`)
    .digest('hex')
}

/** `sha256=<hex HMAC-SHA256(secret, rawBody)>`, the X-Signature-256 header. */
export function signature(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`
}

/**
 * True only when the attempt did not fail, no finding is an error and every probe used the index it
 * targets (a probe that failed did not).
 */
export function governanceCompliant(result: Pick<ObjectResult, 'findings' | 'probes' | 'error'>): boolean {
  return result.error === undefined && errorCount(result.findings) === 0 && result.probes.every(usedItsIndex)
}

export interface RecordOptions {
  source: AuditSource
  /** Default: a random UUID. */
  eventId?: string
  /** Default: now. */
  timestamp?: Date
  action?: AuditAction
}

export function buildAuditRecord(result: ObjectResult, opts: RecordOptions): AuditRecord {
  const unknown = verdictOf(result) === 'unknown'
  // A write of unknown outcome names no version: the one live after it is not known.
  const schemaVersion = unknown ? undefined : (result.schemaVersion ?? result.basedOnVersion)
  return {
    eventId: opts.eventId ?? randomUUID(),
    customObjectId: result.customObjectId,
    action: opts.action ?? result.auditAction ?? auditActionOf(result) ?? 'INDEX_DEPLOY_FAILED',
    ...(unknown ? { outcome: 'unknown' as const } : {}),
    payloadHash: result.payloadHash ?? '',
    timestamp: (opts.timestamp ?? new Date()).toISOString(),
    ...(schemaVersion !== undefined ? { schemaVersion } : {}),
    ...(result.basedOnVersion !== undefined || schemaVersion !== undefined
      ? { previousSchemaVersion: result.basedOnVersion ?? schemaVersion }
      : {}),
    governanceCompliant: governanceCompliant(result),
    diff: result.diff,
    findings: result.findings,
    rebuild: { status: result.rebuild.status, seconds: result.rebuild.seconds },
    // `indexUsed` is the `index-used` output's test
    // (docs/rules.md#outputs-agree-with-each-other-and-the-audit-record): the probe used the very index it
    // targets.
    probes: result.probes.map(p => ({
      index: p.index,
      indexUsed: usedItsIndex(p),
      latencyMs: p.latencyMs,
      recordsExamined: p.recordsExamined
    })),
    source: { ...opts.source },
    ...(result.review ? { review: { ...result.review } } : {}),
    ...(result.rolledBack ? { rolledBack: result.rolledBack.map(r => ({ ...r })) } : {})
  }
}
