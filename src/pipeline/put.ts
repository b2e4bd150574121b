// The version-checked PUT (docs/rules.md#the-put-and-the-rebuild): sent with the version the draft was based
// on. A 409 → read the schema again and rebase the draft on it (the caller re-merges and re-checks), then try
// again, a bounded number of times. A lost answer (no status, or a 5xx after retries) → read the schema: the
// draft's payload hash live means the PUT went through; the same version live means it did not, and it is
// sent again; a read that fails leaves the write's outcome unknown, and that is what the caller is told.
// Every attempt of one object, and the reads between them, share one deadline.
import { errorMessage } from '../errors.js'
import type { SchemaDocument } from '../model.js'
import { payloadHash } from '../plan/hash.js'
import { payloadDocument } from '../plan/schema-doc.js'
import type { GatewayClient } from '../platform/gateway.js'
import { PlatformError } from '../platform/http.js'
import type { PipelineContext } from './job.js'

/** What a PUT sends: `merged`, based on `live`'s version; `hash` is the payload hash of `merged`. */
export interface Draft {
  live: SchemaDocument
  merged: SchemaDocument
  hash: string
}

/** Why a rebased draft is not sent after all: errors, nothing left to change, or not what was reviewed. */
export type Stop = 'blocked' | 'unchanged' | 'unreviewed'

/** The draft rebased on a newer document, or why the PUT should not be sent after all. */
export type Rebased<D extends Draft> = { draft: D } | { stop: Stop; draft: D }

/**
 * `unknown`: an answer was lost and the schema could not be read back before the deadline, so whether the
 * PUT was applied is not known; `reason` says what was lost and why the read failed.
 */
export type PutResult<D extends Draft> =
  | { kind: 'committed'; draft: D; document: SchemaDocument; lostAnswer: boolean }
  | { kind: 'stopped'; stop: Stop; draft: D }
  | { kind: 'unknown'; draft: D; reason: string }

export async function versionCheckedPut<D extends Draft>(
  ctx: PipelineContext,
  gateway: GatewayClient,
  customObjectId: string,
  first: D,
  rebase: (current: SchemaDocument) => Promise<Rebased<D>>,
  /** What a rebase does, for the log: e.g. 're-merging the index file on the new schema'. */
  rebaseNote: string
): Promise<PutResult<D>> {
  // One deadline for every attempt and read, on the run's clock: the HTTP client must share it (main gives
  // both Date.now; a test that fakes one fakes both).
  const deadlineAt = ctx.now() + ctx.putDeadlineMs
  let draft = first
  let conflicts = 0
  let lost = 0
  /** PUT requests sent so far, and the last one whose answer was lost (a 5xx or no answer). */
  let sent = 0
  let lastLost: PlatformError | undefined
  /** Every re-send failed too: say so, with how many were sent inside the shared deadline. */
  const notApplied = (last: PlatformError, version: number): Error =>
    new Error(
      `Object ${customObjectId}: the PUT was not applied (the live schema is still version ${version}): it was ` +
        `sent ${sent} time${sent === 1 ? '' : 's'} within the ${Math.round(ctx.putDeadlineMs / 1000)} s deadline ` +
        `that every PUT attempt of an object shares, and the last answer was: ${last.message}. Re-run the job ` +
        'when the platform answers again.'
    )
  for (;;) {
    const body = payloadDocument({ ...draft.merged, schemaVersion: draft.live.schemaVersion })
    let failure: PlatformError
    try {
      const document = await gateway.putSchema(customObjectId, body, {
        retryConnectionErrors: false,
        deadlineAt
      })
      ctx.log.info(
        `${customObjectId}: deployed schema version ${document.schemaVersion} (was ${draft.live.schemaVersion}).`
      )
      return { kind: 'committed', draft, document, lostAnswer: false }
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error
      failure = error
    }
    sent += failure.attempts
    // attempts === 0: never sent (the shared deadline or a rate-limit window ran out first).
    if (failure.attempts === 0 && lastLost !== undefined) {
      throw notApplied(lastLost, draft.live.schemaVersion)
    }
    const lostAnswer = failure.attempts > 0 && (failure.status === undefined || failure.status >= 500)
    if (failure.status !== 409 && !lostAnswer) throw failure
    let current: SchemaDocument
    try {
      current = await gateway.getSchema(customObjectId, { deadlineAt })
    } catch (error) {
      if (!lostAnswer) throw error
      return {
        kind: 'unknown',
        draft,
        reason:
          `Object ${customObjectId}: the outcome of the write is unknown: the PUT's answer was lost ` +
          `(${failure.message}) and the schema could not be read back within the PUT deadline to see whether ` +
          `it was applied: ${errorMessage(error)}`
      }
    }
    if (payloadHash(current) === draft.hash) {
      if (lostAnswer) {
        ctx.log.info(
          `${customObjectId}: the PUT's answer was lost (${failure.message}), but the live schema ` +
            `(version ${current.schemaVersion}) has the payload hash we sent: the deploy went through.`
        )
      }
      return { kind: 'committed', draft, document: current, lostAnswer }
    }
    if (lostAnswer && current.schemaVersion === draft.live.schemaVersion) {
      // Not applied: send it again, a bounded number of times.
      lastLost = failure
      if (++lost > ctx.maxLostPutRetries) throw notApplied(failure, current.schemaVersion)
      continue
    }
    if (++conflicts > ctx.maxConflictRetries) {
      throw new Error(
        `Object ${customObjectId}: another writer changed the schema during the deploy ${conflicts} times ` +
          `(now version ${current.schemaVersion}); gave up after ${ctx.maxConflictRetries} retries. Re-run the job when ` +
          `the schema is quiet.${failure.correlationId ? ` (correlation id ${failure.correlationId})` : ''}`
      )
    }
    ctx.log.info(
      `${customObjectId}: version ${draft.live.schemaVersion} is stale (now ${current.schemaVersion}): ` +
        `${rebaseNote}.`
    )
    const next = await rebase(current)
    if ('stop' in next) return { kind: 'stopped', stop: next.stop, draft: next.draft }
    draft = next.draft
  }
}
