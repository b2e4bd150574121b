// One object through the pipeline: picks the recipe for the mode, and builds the object's result once from
// the outcome the recipe returns. Never throws: a fatal problem lands in `ObjectResult.error`.
//
// Offline (no credentials): the file-only checks with the platform's default limits; the diff stays empty
// because nothing is known about the live schema, and no payload hash is computed.
import type { ObjectResult } from '../model.js'
import { blankResult } from '../model.js'
import { textDiff } from '../plan/diff.js'
import { checkFile } from '../plan/rules.js'
import { auditActionOf } from '../verdict.js'
import { sendAudit } from './audit.js'
import { runLimits } from './cache.js'
import { deploy, type DeployOutcome } from './deploy.js'
import { detectDrift, type DriftOutcome } from './drift.js'
import { pipelineContext, type ObjectJob, type PipelineContext, type PipelineOptions } from './job.js'
import { fullScanFindings, rebuildEstimate } from './probes.js'
import { states, type Proposal } from './proposal.js'
import { checkOnly, validate, type CheckOutcome } from './validate.js'

export async function processObject(
  options: PipelineOptions | PipelineContext,
  job: ObjectJob
): Promise<ObjectResult> {
  const ctx = pipelineContext(options)
  const gateway = ctx.live
  if (!gateway) return offline(ctx, job)
  switch (job.mode) {
    case 'deploy': {
      const result = fromDeploy(job, await deploy(ctx, gateway, job))
      await sendAudit(ctx, result)
      return result
    }
    case 'drift':
      return fromDrift(job, await detectDrift(ctx, gateway, job))
    case 'plan':
      return fromCheck(job, await checkOnly(ctx, gateway, job))
    default:
      return fromCheck(job, await validate(ctx, gateway, job))
  }
}

async function offline(ctx: PipelineContext, job: ObjectJob): Promise<ObjectResult> {
  const result = blankResult(job.customObjectId, job.loaded.path, job.mode)
  result.findings = checkFile(job.loaded, job.customObjectId, await runLimits(ctx))
  // The proposal as the file states it: nothing is known about live, so no statuses and no diff.
  result.indexesAfter = job.loaded.file.indexes.map(i => ({
    name: i.name,
    fields: [...i.fields],
    ...(i.order ? { order: [...i.order] } : {}),
    ...(i.unique !== undefined ? { unique: i.unique } : {})
  }))
  if (job.mode === 'deploy' || job.mode === 'drift') {
    result.error = `${job.mode === 'deploy' ? 'Deploy' : 'Drift detection'} needs the client-id and client-secret inputs: without credentials only the file-only checks ran.`
  }
  return result
}

/** The result as the proposal describes it: before = live, after = the merged document. */
function fromProposal(job: ObjectJob, p: Proposal): ObjectResult {
  return {
    ...blankResult(job.customObjectId, job.loaded.path, job.mode),
    objectName: p.live.name,
    live: true,
    findings: p.findings,
    diff: p.diff,
    textDiff: textDiff(p.live, p.merged),
    changed: p.changed,
    payloadHash: p.hash,
    basedOnVersion: p.live.schemaVersion,
    schemaVersion: p.live.schemaVersion,
    indexesBefore: states(p.live),
    indexesAfter: states(p.merged)
  }
}

function fromCheck(job: ObjectJob, o: CheckOutcome): ObjectResult {
  const result = o.proposal
    ? fromProposal(job, o.proposal)
    : blankResult(job.customObjectId, job.loaded.path, job.mode)
  result.baselineProbes = o.baseline
  if (o.estimate) result.rebuildEstimate = o.estimate
  if (o.error !== undefined) result.error = o.error
  return result
}

function fromDeploy(job: ObjectJob, o: DeployOutcome): ObjectResult {
  const result = o.proposal
    ? fromProposal(job, o.proposal)
    : blankResult(job.customObjectId, job.loaded.path, job.mode)
  result.outcome = o.kind
  result.review = o.review
  if (o.stale) result.stale = o.stale
  result.baselineProbes = o.baseline
  const estimate = o.proposal ? rebuildEstimate(o.proposal.diff, o.baseline) : undefined
  if (estimate) result.rebuildEstimate = estimate
  if (o.proposal && !o.committed) result.indexesAfter = states(o.proposal.live)
  if (o.committed) {
    const final = o.rollback?.document ?? o.rebuild?.document ?? o.committed
    result.changed = true
    result.schemaVersion = (o.rollback?.document ?? o.committed).schemaVersion
    result.indexesAfter = states(final)
    result.rebuild = o.rebuild
      ? {
          status: o.rebuild.status,
          seconds: o.rebuild.seconds,
          ...(o.rebuild.reason ? { reason: o.rebuild.reason } : {})
        }
      : { status: 'failed', seconds: 0, reason: o.error ?? 'the rebuild was not waited for' }
  } else if (o.rebuild) {
    // No PUT, yet a rebuild to report: a managed index live failed, or an earlier deploy's rebuild waited for.
    result.rebuild = {
      status: o.rebuild.status,
      seconds: o.rebuild.seconds,
      ...(o.rebuild.reason ? { reason: o.rebuild.reason } : {})
    }
    if (o.rebuild.document) result.indexesAfter = states(o.rebuild.document)
  }
  if (o.kind === 'unknown') {
    // The write may have been applied: it counts as a change, and no version or rebuild is known.
    result.changed = true
    delete result.schemaVersion
    result.rebuild = { status: 'unknown', seconds: 0 }
  }
  if (o.rollback) result.rolledBack = o.rollback.dropped
  result.probes = o.probes
  result.findings = [...result.findings, ...fullScanFindings(job, o.probes)]
  if (o.error !== undefined) result.error = o.error
  const action = auditActionOf(result)
  if (action !== undefined) result.auditAction = action
  return result
}

function fromDrift(job: ObjectJob, o: DriftOutcome): ObjectResult {
  const result = blankResult(job.customObjectId, job.loaded.path, job.mode)
  if (o.live) {
    result.live = true
    result.objectName = o.live.name
    result.schemaVersion = o.live.schemaVersion
    result.basedOnVersion = o.live.schemaVersion
    result.indexesBefore = states(o.live)
    // After: the file's definitions merged in (what a deploy would make), so a changed index shows both.
    result.indexesAfter = states(o.merged ?? o.live)
  }
  if (o.diff) result.diff = o.diff
  if (o.changed !== undefined) result.changed = o.changed
  if (o.drift) {
    result.drift = o.drift
    result.drifted = o.drifted
  }
  if (o.error !== undefined) result.error = o.error
  return result
}
