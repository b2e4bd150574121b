// The drift recipe (docs/rules.md#drift-detection): read the live schema and say where its indexes and the
// index file disagree. Read-only: nothing is ever written to the platform.
import { errorMessage } from '../errors.js'
import type { IndexDiff, ObjectDrift, SchemaDocument } from '../model.js'
import { payloadHash } from '../plan/hash.js'
import { mergeIndexFile } from '../plan/merge.js'
import type { GatewayClient } from '../platform/gateway.js'
import type { ObjectJob, PipelineContext } from './job.js'

export interface DriftOutcome {
  live?: SchemaDocument
  /** The file merged into the live document: what a deploy would send, and its diff. */
  merged?: SchemaDocument
  diff?: IndexDiff
  /** Whether a deploy would change the live document. */
  changed?: boolean
  drift?: ObjectDrift
  /** Whether that is drift: unmanaged indexes count only under `prune: true`. */
  drifted?: boolean
  error?: string
}

/** The drift between a live document and an index file: the merge's diff, and the failed live indexes. */
export function compareLive(
  live: SchemaDocument,
  file: ObjectJob['loaded']['file']
): Required<Omit<DriftOutcome, 'error' | 'live'>> {
  const { document: merged, diff } = mergeIndexFile(live, file)
  const drift: ObjectDrift = {
    missing: [...diff.added],
    changed: [...diff.modified],
    failed: live.indexes.filter(i => i.status === 'failed').map(i => i.name),
    // Live order; under `prune: true` the merge calls them removed.
    unmanaged: [...diff.unmanaged, ...diff.removed]
  }
  const drifted =
    drift.missing.length > 0 || drift.changed.length > 0 || drift.failed.length > 0 || diff.removed.length > 0
  return { merged, diff, changed: payloadHash(merged) !== payloadHash(live), drift, drifted }
}

export async function detectDrift(
  ctx: PipelineContext,
  gateway: GatewayClient,
  job: ObjectJob
): Promise<DriftOutcome> {
  try {
    const live = await gateway.getSchema(job.customObjectId)
    const found = compareLive(live, job.loaded.file)
    const d = found.drift
    ctx.log.info(
      `${job.customObjectId}: ${found.drifted ? 'drift' : 'no drift'} (missing ${d.missing.length}, changed ` +
        `${d.changed.length}, failed ${d.failed.length}, unmanaged ${d.unmanaged.length}).`
    )
    return { live, ...found }
  } catch (error) {
    return { error: errorMessage(error) }
  }
}
