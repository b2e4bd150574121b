// The deploy recipe, read top to bottom: plan → blocked? → unchanged? → review → today's probes → PUT →
// answer checked → rebuild wait → (rollback) → probes → outcome. It never throws: whatever happens, it
// returns an outcome that says what is known, so the caller can build the result and the audit record.
import { errorMessage } from '../errors.js'
import type {
  DeployOutcomeKind,
  ProbeResult,
  ReviewCheck,
  RolledBackIndex,
  SchemaDocument
} from '../model.js'
import { payloadHash } from '../plan/hash.js'
import { indexDefinitionDiffers } from '../plan/merge.js'
import type { GatewayClient } from '../platform/gateway.js'
import { waitForRebuild, type RebuildOutcome } from '../platform/rebuild.js'
import { runLimits } from './cache.js'
import type { ObjectJob, PipelineContext } from './job.js'
import { chooseProbes, runProbes } from './probes.js'
import { errorCount, propose, type Proposal } from './proposal.js'
import { versionCheckedPut, type Draft, type Rebased } from './put.js'

export interface DeployOutcome {
  kind: DeployOutcomeKind
  /** The last proposal (after a 409, the re-merged one); absent when the live schema was never read. */
  proposal?: Proposal
  /** What the PUT committed (its answer, or the live document after a lost answer). */
  committed?: SchemaDocument
  rebuild?: RebuildOutcome
  /** `drop-failed`: the rollback PUT's document and what it removed. */
  rollback?: { document: SchemaDocument; dropped: RolledBackIndex[] }
  baseline: ProbeResult[]
  probes: ProbeResult[]
  review: ReviewCheck
  error?: string
}

export async function deploy(
  ctx: PipelineContext,
  gateway: GatewayClient,
  job: ObjectJob
): Promise<DeployOutcome> {
  const id = job.customObjectId
  const o: DeployOutcome = { kind: 'failed', baseline: [], probes: [], review: noReview(ctx) }
  try {
    const limits = await runLimits(ctx, gateway)
    o.proposal = await propose(ctx, gateway, job, await gateway.getSchema(id), limits)
    const blocking = errorCount(o.proposal.findings)
    if (blocking > 0) {
      ctx.log.info(`${id}: ${blocking} error finding(s) block the deploy; nothing was sent.`)
      return { ...o, kind: 'blocked' }
    }
    if (!o.proposal.changed) {
      ctx.log.info(`${id}: the live schema already matches the index file; no PUT.`)
      return { ...o, kind: 'unchanged' }
    }
    // The review is checked on every document about to be sent: this one, and each re-merge after a 409.
    let refused: string | undefined
    const reviewed = (proposal: Proposal): boolean => {
      const review = checkReview(ctx, id, proposal)
      o.review = review.check
      if (review.problem === undefined) {
        if (review.check.matched === true) {
          const on = review.check.pullRequest !== null ? ` on pull request #${review.check.pullRequest}` : ''
          ctx.log.info(
            `${id}: the document to deploy is the one reviewed${on} (payload hash ${proposal.hash}).`
          )
        }
        return true
      }
      if (ctx.requireReview === 'fail') {
        refused = `${review.problem} (require-review: fail)`
        return false
      }
      ctx.log.warning(`${review.problem} The deploy goes on (require-review: warn).`)
      return true
    }
    if (!reviewed(o.proposal)) return { ...o, kind: 'failed', error: refused }
    if (ctx.probe)
      o.baseline = await runProbes(ctx, gateway, job, chooseProbes(job, o.proposal), o.proposal.merged)

    const put = await versionCheckedPut(
      ctx,
      gateway,
      id,
      o.proposal,
      async current => {
        const next = await propose(ctx, gateway, job, current, limits)
        // Kept at once: should the PUT fail from here on, the outcome names the version read last
        // (docs/rules.md#every-deploy-attempt-is-audited).
        o.proposal = next
        if (errorCount(next.findings) > 0) return { stop: 'blocked', draft: next }
        if (!next.changed) return { stop: 'unchanged', draft: next }
        return reviewed(next) ? { draft: next } : { stop: 'unreviewed', draft: next }
      },
      're-merging the index file on the new schema'
    )
    o.proposal = put.draft
    if (put.kind === 'stopped') {
      return put.stop === 'unreviewed' ? { ...o, kind: 'failed', error: refused } : { ...o, kind: put.stop }
    }
    o.committed = put.document

    const missing = missingFromAnswer(job, put.document)
    if (missing.length > 0) {
      const error =
        `Object ${id}: the platform's ${put.lostAnswer ? 'live schema' : 'answer to the PUT'} (version ` +
        `${put.document.schemaVersion}) lacks ${missing.join(', ')} as the index file defines ${missing.length === 1 ? 'it' : 'them'}: the deploy failed.`
      return { ...o, kind: 'failed', error }
    }

    o.rebuild = await waitForRebuild({
      gateway,
      customObjectId: id,
      deployedVersion: put.document.schemaVersion,
      initial: put.document,
      timeoutSeconds: ctx.rebuildTimeoutSeconds,
      firstPollMs: ctx.rebuildFirstPollMs,
      maxPollMs: ctx.rebuildMaxPollMs,
      now: ctx.now,
      sleep: ctx.sleep
    })
    ctx.log.info(
      `${id}: rebuild ${o.rebuild.status} after ${o.rebuild.seconds} s (${o.rebuild.polls} polls).`
    )
    const rebuildError = `Object ${id} (schema version ${put.document.schemaVersion}): ${o.rebuild.reason ?? `rebuild ${o.rebuild.status}`}.`
    const ours = failedOfThisDeploy(o.rebuild.document ?? put.document, o.proposal)
    if (o.rebuild.status === 'failed' && ctx.onRebuildFailure === 'drop-failed' && ours.length > 0) {
      try {
        o.rollback = await rollBack(ctx, gateway, id, o.rebuild.document ?? put.document, ours)
      } catch (error) {
        return {
          ...o,
          kind: 'failed',
          error: `${rebuildError} Dropping it again failed: ${errorMessage(error)}`
        }
      }
      const dropped = o.rollback.dropped.map(d => d.index).join(', ')
      return {
        ...o,
        kind: 'rolled-back',
        error: `${rebuildError} Dropped ${dropped} again (on-rebuild-failure: drop-failed): schema version ${o.rollback.document.schemaVersion}.`
      }
    }
    if (o.rebuild.status !== 'active') return { ...o, kind: 'failed', error: rebuildError }
    if (ctx.probe) {
      const final = { ...o.proposal, merged: o.rebuild.document ?? put.document }
      o.probes = await runProbes(ctx, gateway, job, chooseProbes(job, final))
    }
    return { ...o, kind: 'deployed' }
  } catch (error) {
    return { ...o, kind: 'failed', error: errorMessage(error) }
  }
}

function noReview(ctx: PipelineContext): ReviewCheck {
  return { payloadHash: null, matched: null, pullRequest: ctx.review?.pullRequest ?? null }
}

/**
 * The comparison with the reviewed hash (docs/rules.md#deploy-what-was-reviewed), and the warning or error it
 * calls for.
 */
function checkReview(
  ctx: PipelineContext,
  id: string,
  proposal: Proposal
): { check: ReviewCheck; problem?: string } {
  if (ctx.requireReview === 'off') return { check: noReview(ctx) }
  const reviewed = ctx.review?.reviewOf(id)
  const pr = ctx.review?.pullRequest ?? null
  const where = pr !== null ? `pull request #${pr}` : 'the review'
  if (reviewed === undefined) {
    const why = ctx.review?.problem ?? `no review of object ${id} was found`
    return {
      check: noReview(ctx),
      problem: `Object ${id}: the document to deploy (payload hash ${proposal.hash}) has no review: ${why}.`
    }
  }
  const check: ReviewCheck = {
    payloadHash: reviewed.payloadHash,
    matched: reviewed.payloadHash === proposal.hash,
    pullRequest: pr
  }
  if (check.matched) return { check }
  const basis =
    reviewed.basedOnVersion !== undefined ? `, based on schema version ${reviewed.basedOnVersion}` : ''
  return {
    check,
    problem:
      `Object ${id}: the document to deploy (payload hash ${proposal.hash}, on schema version ` +
      `${proposal.live.schemaVersion}) is not the one reviewed on ${where} (payload hash ${reviewed.payloadHash}${basis}): ` +
      'the live schema or the index file changed since the review.'
  }
}

/**
 * The file's indexes the document lacks, or holds with another definition
 * (docs/rules.md#a-puts-answer-is-checked).
 */
function missingFromAnswer(job: ObjectJob, doc: SchemaDocument): string[] {
  const byName = new Map(doc.indexes.map(i => [i.name, i]))
  return job.loaded.file.indexes
    .filter(wanted => {
      const got = byName.get(wanted.name)
      return got === undefined || indexDefinitionDiffers(got, wanted)
    })
    .map(i => i.name)
}

/** The indexes this deploy built (added or modified) that the document shows failed. */
function failedOfThisDeploy(doc: SchemaDocument, proposal: Proposal): RolledBackIndex[] {
  const built = new Set([...proposal.diff.added, ...proposal.diff.modified])
  return doc.indexes
    .filter(i => i.status === 'failed' && built.has(i.name))
    .map(i => ({ index: i.name, statusReason: i.statusReason ?? 'no reason given' }))
}

/**
 * `drop-failed` (docs/rules.md#a-failed-rebuild): removes the indexes this deploy built that failed, with a
 * version-checked PUT. A 409 re-reads and drops them from the newer document, so the rest of the deploy and
 * any other writer's indexes stand (an index that failed before this deploy is not its to drop). No review
 * check applies.
 */
async function rollBack(
  ctx: PipelineContext,
  gateway: GatewayClient,
  id: string,
  seen: SchemaDocument,
  dropped: RolledBackIndex[]
): Promise<{ document: SchemaDocument; dropped: RolledBackIndex[] }> {
  const names = new Set(dropped.map(d => d.index))
  const without = (doc: SchemaDocument): Draft => {
    const merged = { ...doc, indexes: doc.indexes.filter(i => !names.has(i.name)) }
    return { live: doc, merged, hash: payloadHash(merged) }
  }
  ctx.log.info(`${id}: dropping the failed ${[...names].join(', ')} (on-rebuild-failure: drop-failed).`)
  const rebase = (current: SchemaDocument): Promise<Rebased<Draft>> => {
    const draft = without(current)
    return Promise.resolve(draft.hash === payloadHash(current) ? { stop: 'unchanged', draft } : { draft })
  }
  const put = await versionCheckedPut(
    ctx,
    gateway,
    id,
    without(seen),
    rebase,
    'dropping them from the new schema'
  )
  return { document: put.kind === 'committed' ? put.document : put.draft.live, dropped }
}
