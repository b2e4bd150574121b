// The drift recipe (contract J): read the live schema and say where its indexes and the index file
// disagree. Read-only: nothing is ever written to the platform.
import { errorMessage } from '../errors.js'
import type { ObjectDrift, SchemaDocument } from '../model.js'
import { indexDefinitionDiffers } from '../plan/merge.js'
import type { GatewayClient } from '../platform/gateway.js'
import type { ObjectJob, PipelineContext } from './job.js'

export interface DriftOutcome {
  live?: SchemaDocument
  drift?: ObjectDrift
  /** Whether that is drift: unmanaged indexes count only under `prune: true`. */
  drifted?: boolean
  error?: string
}

/** The drift between a live document and an index file; definitions compare as the merge does. */
export function compareLive(
  live: SchemaDocument,
  file: ObjectJob['loaded']['file']
): Required<Omit<DriftOutcome, 'error' | 'live'>> {
  const liveByName = new Map(live.indexes.map(i => [i.name, i]))
  const inFile = new Set(file.indexes.map(i => i.name))
  const drift: ObjectDrift = {
    missing: file.indexes.filter(i => !liveByName.has(i.name)).map(i => i.name),
    changed: file.indexes
      .filter(i => {
        const l = liveByName.get(i.name)
        return l !== undefined && indexDefinitionDiffers(l, i)
      })
      .map(i => i.name),
    failed: live.indexes.filter(i => i.status === 'failed').map(i => i.name),
    unmanaged: live.indexes.filter(i => !inFile.has(i.name)).map(i => i.name)
  }
  const drifted =
    drift.missing.length > 0 ||
    drift.changed.length > 0 ||
    drift.failed.length > 0 ||
    (file.prune === true && drift.unmanaged.length > 0)
  return { drift, drifted }
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
