// Probe queries: which to run, running them (a failed one is recorded, never dropped), the findings they
// raise and what they tell about the object's size.
import { errorMessage } from '../errors.js'
import type { Finding, IndexDiff, ProbeResult, RebuildEstimate, SchemaDocument } from '../model.js'
import { chooseProbes as choose, predictPlan, usedItsIndex, type ChosenProbe } from '../plan/probes.js'
import type { GatewayClient } from '../platform/gateway.js'
import { runProbe } from '../platform/probe.js'
import type { ObjectJob, PipelineContext } from './job.js'
import type { Proposal } from './proposal.js'

/** The file's `probes`, else one placeholder probe per new or modified index of the proposal. */
export function chooseProbes(
  job: ObjectJob,
  proposal: Pick<Proposal, 'merged' | 'diff' | 'lookup'>
): ChosenProbe[] {
  return choose(job.loaded.file, proposal.merged, proposal.diff, proposal.lookup)
}

/**
 * Runs each probe in turn. A probe that fails is kept with its error and counts as not having used its
 * index (docs/rules.md#outputs-agree-with-each-other-and-the-audit-record). `after`, when given, is the
 * document a deploy would make live: each probe then carries the plan predicted on it (the platform's
 * leftmost-prefix rule).
 */
export async function runProbes(
  ctx: PipelineContext,
  gateway: GatewayClient,
  job: ObjectJob,
  planned: readonly ChosenProbe[],
  after?: SchemaDocument
): Promise<ProbeResult[]> {
  const placeholder = job.loaded.file.probes === undefined
  const results: ProbeResult[] = []
  for (const p of planned) {
    const started = ctx.now()
    let r: ProbeResult
    try {
      r = await runProbe(gateway, job.customObjectId, p)
      ctx.log.info(
        `${job.customObjectId}: probe ${p.index}: ${r.strategy === 'index' ? `index ${r.indexName ?? '?'}` : 'full scan'}, ` +
          `${r.recordsExamined} records examined, ${r.latencyMs} ms.`
      )
    } catch (error) {
      const reason = errorMessage(error)
      ctx.log.warning(`${job.customObjectId}: probe ${p.index} could not run: ${reason}`)
      r = {
        index: p.index,
        values: { ...p.values },
        indexUsed: false,
        strategy: 'fullScan',
        latencyMs: ctx.now() - started,
        recordsExamined: 0,
        error: reason
      }
    }
    results.push({
      ...r,
      ...(placeholder ? { placeholder } : {}),
      ...(after ? { predicted: predictPlan(after, Object.keys(p.values)) } : {})
    })
  }
  return results
}

/** `probe-full-scan` for each probe that did not use the index it targets (a failed probe included). */
export function fullScanFindings(job: ObjectJob, probes: readonly ProbeResult[]): Finding[] {
  const file = job.loaded.file
  return probes
    .filter(p => !usedItsIndex(p))
    .map(p => {
      const at = file.indexes.findIndex(i => i.name === p.index)
      const probeAt = file.probes?.findIndex(q => q.index === p.index) ?? -1
      const line =
        probeAt >= 0
          ? job.loaded.lineOf(['probes', probeAt])
          : at >= 0
            ? job.loaded.lineOf(['indexes', at])
            : undefined
      const how =
        p.error !== undefined
          ? `no answer: the query failed (${p.error})`
          : p.indexUsed
            ? `the platform chose index ${p.indexName ?? '?'} instead`
            : `the platform chose a full scan (${p.recordsExamined} records examined)`
      return {
        severity: 'warning' as const,
        rule: 'probe-full-scan' as const,
        customObjectId: job.customObjectId,
        index: p.index,
        message:
          `The probe query on ${Object.keys(p.values).join(', ')} did not use index ${p.index}: ${how}. ` +
          `Check that the probe's fields are a leading prefix of the index and that another index does not cover them.`,
        file: job.loaded.path,
        ...(line !== undefined ? { line } : {})
      }
    })
}

/** The rebuild's size when a full-scan probe counted the object's records: records × indexes to build. */
export function rebuildEstimate(
  diff: IndexDiff,
  probes: readonly ProbeResult[]
): RebuildEstimate | undefined {
  const indexes = diff.added.length + diff.modified.length
  const scans = probes.filter(p => p.error === undefined && p.strategy === 'fullScan')
  if (indexes === 0 || scans.length === 0) return undefined
  return { records: Math.max(...scans.map(p => p.recordsExamined)), indexes }
}
