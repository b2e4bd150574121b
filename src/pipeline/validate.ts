// The validate and plan recipes: read the live schema, merge the file into it, check the result; validate
// then runs today's plan of the probe queries (read-only) beside the plan predicted after the merge.
import { errorMessage } from '../errors.js'
import type { ProbeResult, RebuildEstimate } from '../model.js'
import type { GatewayClient } from '../platform/gateway.js'
import { errorCount } from '../verdict.js'
import { runLimits } from './cache.js'
import type { ObjectJob, PipelineContext } from './job.js'
import { chooseProbes, rebuildEstimate, runProbes } from './probes.js'
import { propose, type Proposal } from './proposal.js'

export interface CheckOutcome {
  /** Absent when the live schema could not be read (then `error` says why). */
  proposal?: Proposal
  /** Today's plan of each probe (validate, when the proposal has no error finding). */
  baseline: ProbeResult[]
  estimate?: RebuildEstimate
  error?: string
}

async function check(
  ctx: PipelineContext,
  gateway: GatewayClient,
  job: ObjectJob,
  probing: boolean
): Promise<CheckOutcome> {
  let proposal: Proposal | undefined
  try {
    const limits = await runLimits(ctx, gateway)
    const live = await gateway.getSchema(job.customObjectId)
    proposal = await propose(ctx, gateway, job, live, limits)
    if (!probing || errorCount(proposal.findings) > 0) return { proposal, baseline: [] }
    const baseline = await runProbes(ctx, gateway, job, chooseProbes(job, proposal), proposal.merged)
    const estimate = rebuildEstimate(proposal.diff, baseline)
    return { proposal, baseline, ...(estimate ? { estimate } : {}) }
  } catch (error) {
    return { ...(proposal ? { proposal } : {}), baseline: [], error: errorMessage(error) }
  }
}

/** Validate: the live checks and, when the proposal is clean, today's plan of its probes. */
export function validate(
  ctx: PipelineContext,
  gateway: GatewayClient,
  job: ObjectJob
): Promise<CheckOutcome> {
  return check(ctx, gateway, job, ctx.probe)
}

/** Plan mode: the live checks only; no query is sent. */
export function checkOnly(
  ctx: PipelineContext,
  gateway: GatewayClient,
  job: ObjectJob
): Promise<CheckOutcome> {
  return check(ctx, gateway, job, false)
}
