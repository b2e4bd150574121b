// Probe queries: one query per planned probe (a term, or an `and` of terms), limit 1, to show which access
// path the platform picks for an index.
import type { ProbeResult } from '../model.js'
import type { ChosenProbe } from '../plan/probes.js'
import type { GatewayClient, Query } from './gateway.js'

/** The query a probe sends: one term, or an `and` of its terms in the index's field order. */
export function probeQuery(probe: ChosenProbe): Query {
  const terms = Object.entries(probe.values).map(([field, value]) => ({
    type: 'term' as const,
    field,
    value
  }))
  if (terms.length === 1) return terms[0]!
  return { type: 'and', queries: terms }
}

export async function runProbe(
  gateway: Pick<GatewayClient, 'query'>,
  customObjectId: string,
  probe: ChosenProbe,
  now: () => number = () => performance.now()
): Promise<ProbeResult> {
  const started = now()
  const res = await gateway.query({ customObjectId, query: probeQuery(probe), limit: 1 })
  const latencyMs = Math.round((now() - started) * 10) / 10
  return {
    index: probe.index,
    values: { ...probe.values },
    indexUsed: res.indexUsed,
    indexName: res.queryPlan.indexName,
    strategy: res.queryPlan.strategy,
    latencyMs,
    recordsExamined: res.queryPlan.recordsExamined
  }
}
