// The index file merged into one live document: the document a deploy would send, its diff, its findings
// and its payload hash. The same step serves validate, plan, deploy and every re-merge after a 409.
import type { Finding, IndexDiff, IndexState, Limits, SchemaDocument, SchemaLookup } from '../model.js'
import { payloadHash } from '../plan/hash.js'
import { mergeIndexFile } from '../plan/merge.js'
import { checkFile, checkMerged } from '../plan/rules.js'
import type { GatewayClient } from '../platform/gateway.js'
import { otherSchemas } from './cache.js'
import type { ObjectJob, PipelineContext } from './job.js'

export interface Proposal {
  live: SchemaDocument
  merged: SchemaDocument
  diff: IndexDiff
  findings: Finding[]
  /** The payload hash of `merged`. */
  hash: string
  /** Whether `merged` differs from `live` (a PUT would change something). */
  changed: boolean
  /** Other objects' schemas, for join paths. */
  lookup: SchemaLookup
}

export async function propose(
  ctx: PipelineContext,
  gateway: GatewayClient,
  job: ObjectJob,
  live: SchemaDocument,
  limits: Limits
): Promise<Proposal> {
  const { document: merged, diff } = mergeIndexFile(live, job.loaded.file)
  const names = job.loaded.file.indexes.map(i => i.name)
  const lookup = await otherSchemas(ctx, gateway, job.customObjectId, merged, limits, names)
  const findings = [
    ...checkFile(job.loaded, job.customObjectId, limits),
    ...checkMerged({
      loaded: job.loaded,
      customObjectId: job.customObjectId,
      live,
      merged,
      diff,
      limits,
      lookup
    })
  ]
  const hash = payloadHash(merged)
  return { live, merged, diff, findings, hash, changed: hash !== payloadHash(live), lookup }
}

/** The indexes of a document as the report shows them. */
export function states(doc: SchemaDocument): IndexState[] {
  return doc.indexes.map(i => ({
    name: i.name,
    fields: [...i.fields],
    ...(i.order !== undefined ? { order: [...i.order] } : {}),
    ...(i.unique !== undefined ? { unique: i.unique } : {}),
    ...(i.status !== undefined ? { status: i.status } : {}),
    ...(i.statusReason !== undefined ? { statusReason: i.statusReason } : {})
  }))
}
