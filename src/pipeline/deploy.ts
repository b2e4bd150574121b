// The deploy recipe, read top to bottom: plan → blocked? → unchanged? → review → today's probes → PUT →
// answer checked → rebuild wait → (rollback) → probes → outcome. It never throws: whatever happens, it
// returns an outcome that says what is known, so the caller can build the result and the audit record.
import { errorMessage } from '../errors.js'
import type {
  DeployOutcomeKind,
  LiveIndex,
  ProbeResult,
  ReviewCheck,
  RolledBackIndex,
  SchemaDocument
} from '../model.js'
import { payloadHash } from '../plan/hash.js'
import { indexDefinitionDiffers } from '../plan/merge.js'
import type { GatewayClient } from '../platform/gateway.js'
import { waitForRebuild, type RebuildOutcome } from '../platform/rebuild.js'
import { errorCount, UNKNOWN_WRITE_ADVICE } from '../verdict.js'
import { runLimits } from './cache.js'
import type { ObjectJob, PipelineContext } from './job.js'
import { staleMessage } from './freshness.js'
import { chooseProbes, runProbes } from './probes.js'
import { propose, type Proposal } from './proposal.js'
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
  /** A newer commit on the branch changed the file after this run's commit: both commits. */
  stale?: { sha: string; head: string }
  error?: string
}

export async function deploy(
  ctx: PipelineContext,
  gateway: GatewayClient,
  job: ObjectJob
): Promise<DeployOutcome> {
  const id = job.customObjectId
  const o: DeployOutcome = { kind: 'failed', baseline: [], probes: [], review: noReview(ctx) }
  // An older commit never silently undoes a newer one: under `skip` nothing is even read.
  const stale = ctx.freshness?.staleOf(job.loaded.path)
  if (stale) o.stale = stale
  const staleSaid = stale ? staleMessage(id, job.loaded.path, stale, ctx.onStale) : ''
  if (stale && ctx.onStale === 'skip') {
    if (ctx.log.notice) ctx.log.notice(staleSaid)
    else ctx.log.info(staleSaid)
    return { ...o, kind: 'stale' }
  }
  try {
    const limits = await runLimits(ctx, gateway)
    o.proposal = await propose(ctx, gateway, job, await gateway.getSchema(id), limits)
    if (stale && ctx.onStale === 'fail') return { ...o, kind: 'failed', error: staleSaid }
    if (stale) ctx.log.warning(staleSaid)
    // A managed index that is live failed is not "unchanged": the PUT would not rebuild it.
    const failed = keptWithStatus(job, o.proposal, 'failed')
    if (failed.length > 0) return liveFailed(o, id, o.proposal, failed)
    const blocking = errorCount(o.proposal.findings)
    if (blocking > 0) {
      ctx.log.info(`${id}: ${blocking} error finding(s) block the deploy; nothing was sent.`)
      return { ...o, kind: 'blocked' }
    }
    if (!o.proposal.changed) {
      const building = keptWithStatus(job, o.proposal, 'building')
      if (building.length === 0) {
        ctx.log.info(`${id}: the live schema already matches the index file; no PUT.`)
        return { ...o, kind: 'unchanged' }
      }
      return await awaitEarlierRebuild(ctx, gateway, job, o, o.proposal, building)
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
    if (put.kind === 'unknown') {
      return { ...o, kind: 'unknown', error: `${put.reason.replace(/\.?$/, '.')} ${UNKNOWN_WRITE_ADVICE}` }
    }
    if (put.kind === 'stopped') {
      if (put.stop === 'unreviewed') return { ...o, kind: 'failed', error: refused }
      const failedSince = keptWithStatus(job, put.draft, 'failed')
      if (failedSince.length > 0) return liveFailed(o, id, put.draft, failedSince)
      return { ...o, kind: put.stop }
    }
    o.committed = put.document

    const missing = missingFromAnswer(job, put.document)
    if (missing.length > 0) {
      const error =
        `Object ${id}: the platform's ${put.lostAnswer ? 'live schema' : 'answer to the PUT'} (version ` +
        `${put.document.schemaVersion}) lacks ${missing.join(', ')} as the index file defines ${missing.length === 1 ? 'it' : 'them'}: the deploy failed.`
      return { ...o, kind: 'failed', error }
    }

    o.rebuild = await rebuildWait(ctx, gateway, id, put.document)
    ctx.log.info(
      `${id}: rebuild ${o.rebuild.status} after ${o.rebuild.seconds} s (${o.rebuild.polls} polls).`
    )
    const rebuildError = `Object ${id} (schema version ${put.document.schemaVersion}): ${o.rebuild.reason ?? `rebuild ${o.rebuild.status}`}.`
    const ours = failedOfThisDeploy(o.rebuild.document ?? put.document, o.proposal)
    if (o.rebuild.status === 'failed' && ctx.onRebuildFailure === 'drop-failed' && ours.length > 0) {
      let rollback: Awaited<ReturnType<typeof rollBack>>
      try {
        rollback = await rollBack(ctx, gateway, id, o.rebuild.document ?? put.document, ours)
      } catch (error) {
        return {
          ...o,
          kind: 'failed',
          error: `${rebuildError} Dropping it again failed: ${errorMessage(error)}`
        }
      }
      if ('unknown' in rollback) {
        // The rollback's own write may or may not have been applied: what is live now is not known.
        const error = `${rebuildError} Dropping it again: ${rollback.unknown.replace(/\.?$/, '.')} ${UNKNOWN_WRITE_ADVICE}`
        return { ...o, kind: 'unknown', error }
      }
      o.rollback = rollback
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

/** What to change so a failed index is built again (the same words as the live-index-failed finding). */
const REBUILD_HOW =
  'To rebuild it, change its definition (for instance drop unique), or drop it (remove it from the file ' +
  'with prune: true) and add it back once the data is fixed.'

/** The file's indexes the merge leaves as they are live (not added, not modified) that are live `status`. */
function keptWithStatus(job: ObjectJob, proposal: Proposal, status: 'failed' | 'building'): LiveIndex[] {
  const managed = new Set(job.loaded.file.indexes.map(i => i.name))
  const changed = new Set([...proposal.diff.added, ...proposal.diff.modified])
  return proposal.live.indexes.filter(i => i.status === status && managed.has(i.name) && !changed.has(i.name))
}

/**
 * A managed index live `failed` whose definition the file keeps: the object fails without a PUT, its rebuild
 * status the failure the platform reports (a PUT would send the index unchanged and nothing would rebuild it).
 */
function liveFailed(
  o: DeployOutcome,
  id: string,
  proposal: Proposal,
  failed: readonly LiveIndex[]
): DeployOutcome {
  const reasons = failed.map(i => `index ${i.name} failed: ${i.statusReason ?? 'no reason given'}`).join('; ')
  const names = failed.map(i => i.name).join(', ')
  const rebuild: RebuildOutcome = {
    status: 'failed',
    seconds: 0,
    reason: reasons,
    document: proposal.live,
    polls: 0,
    failedPolls: 0
  }
  const error =
    `Object ${id} (schema version ${proposal.live.schemaVersion}): ${reasons}. The index file keeps the ` +
    `definition of ${names}, so a deploy would not rebuild ${failed.length === 1 ? 'it' : 'them'} and nothing was deployed. ` +
    REBUILD_HOW
  return { ...o, kind: 'failed', rebuild, error }
}

/**
 * A managed index still `building` (an earlier deploy's rebuild outlived its wait) while nothing else changes:
 * waited for as this deploy's own rebuild would be, then probed. Active → unchanged; failed or not done in
 * time → failed, as the deploy's own rebuild would report. An index this deploy did not build is not its to
 * drop, so `drop-failed` does not apply.
 */
async function awaitEarlierRebuild(
  ctx: PipelineContext,
  gateway: GatewayClient,
  job: ObjectJob,
  o: DeployOutcome,
  proposal: Proposal,
  building: readonly LiveIndex[]
): Promise<DeployOutcome> {
  const id = job.customObjectId
  const names = building.map(i => i.name)
  ctx.log.info(
    `${id}: the live schema matches the index file, but ${names.join(', ')} still ${names.length === 1 ? 'builds' : 'build'} ` +
      '(an earlier deploy did not see the rebuild end): waiting for it; no PUT.'
  )
  const rebuild = await rebuildWait(ctx, gateway, id, proposal.live, false)
  o.rebuild = rebuild
  ctx.log.info(`${id}: rebuild ${rebuild.status} after ${rebuild.seconds} s (${rebuild.polls} polls).`)
  if (rebuild.status !== 'active') {
    const error = `Object ${id} (schema version ${proposal.live.schemaVersion}): ${rebuild.reason ?? `rebuild ${rebuild.status}`}.`
    return { ...o, kind: 'failed', error }
  }
  if (ctx.probe) {
    const final = rebuild.document ?? proposal.live
    // The indexes waited for are probed as the ones a deploy builds would be.
    const diff = { ...proposal.diff, modified: [...proposal.diff.modified, ...names] }
    o.probes = await runProbes(ctx, gateway, job, chooseProbes(job, { ...proposal, merged: final, diff }))
  }
  return { ...o, kind: 'unchanged' }
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
): Promise<{ document: SchemaDocument; dropped: RolledBackIndex[] } | { unknown: string }> {
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
  if (put.kind === 'unknown') return { unknown: put.reason }
  return { document: put.kind === 'committed' ? put.document : put.draft.live, dropped }
}

/**
 * Waits for the rebuild of `initial`'s building indexes (the deploy's own, or a managed index an earlier run
 * left building) within `rebuild-timeout-seconds`. The polls of every object waiting share the run's rate
 * budget (the pacer), so waits overlap; the pacer learns from the rebuilds of this run how long the others
 * may take.
 */
async function rebuildWait(
  ctx: PipelineContext,
  gateway: GatewayClient,
  customObjectId: string,
  initial: SchemaDocument,
  /** False for a rebuild an earlier run started: its length from now teaches the pacer nothing. */
  learns = true
): Promise<RebuildOutcome> {
  const poller = ctx.pacer?.join({ learns })
  try {
    return await waitForRebuild({
      gateway,
      customObjectId,
      deployedVersion: initial.schemaVersion,
      initial,
      timeoutSeconds: ctx.rebuildTimeoutSeconds,
      firstPollMs: ctx.rebuildFirstPollMs,
      maxPollMs: ctx.rebuildMaxPollMs,
      ...(poller ? { poller } : {}),
      now: ctx.now,
      sleep: ctx.sleep
    })
  } finally {
    poller?.leave()
  }
}
