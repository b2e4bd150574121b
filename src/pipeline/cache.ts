// The run's shared look-ups, fetched once for all objects: the platform limits (lowered by the org policy)
// and the schemas of other objects that join paths walk to.
import type { Limits, SchemaDocument, SchemaLookup } from '../model.js'
import { DEFAULT_LIMITS } from '../model.js'
import { missingSchemas } from '../plan/rules.js'
import type { GatewayClient } from '../platform/gateway.js'
import { PlatformError } from '../platform/http.js'
import type { PipelineContext } from './job.js'

/** The limits with `maxIndexesPerObject` lowered to the `max-indexes` policy when that is lower. */
export function lowered(limits: Limits, maxIndexes: number | undefined): Limits {
  if (maxIndexes === undefined || maxIndexes >= limits.maxIndexesPerObject) return limits
  return { ...limits, maxIndexesPerObject: maxIndexes }
}

/** The limits the checks use: the platform's (fetched once per run), or its defaults offline. */
export async function runLimits(ctx: PipelineContext, gateway?: GatewayClient): Promise<Limits> {
  if (!gateway) return lowered(DEFAULT_LIMITS, ctx.maxIndexes)
  ctx.cache.limits ??= gateway.getLimits()
  return lowered(await ctx.cache.limits, ctx.maxIndexes)
}

/**
 * A lookup of the other objects the join paths of `indexNames` (the file's indexes: live indexes it does
 * not manage are not the repository's to check) walk to, each fetched once per run; 404 → unknown.
 */
export async function otherSchemas(
  ctx: PipelineContext,
  gateway: GatewayClient,
  selfId: string,
  merged: SchemaDocument,
  limits: Limits,
  indexNames: readonly string[]
): Promise<SchemaLookup> {
  const known = new Map<string, SchemaDocument | undefined>()
  const lookup: SchemaLookup = id => (id === selfId ? merged : known.get(id))
  const tried = new Set<string>([selfId])
  for (;;) {
    const missing = missingSchemas(merged, lookup, limits, indexNames).filter(id => !tried.has(id))
    if (missing.length === 0) return lookup
    for (const id of missing) tried.add(id)
    const docs = await Promise.all(missing.map(id => cachedSchema(ctx, gateway, id)))
    missing.forEach((id, i) => known.set(id, docs[i]))
  }
}

function cachedSchema(
  ctx: PipelineContext,
  gateway: GatewayClient,
  id: string
): Promise<SchemaDocument | undefined> {
  let p = ctx.cache.schemas.get(id)
  if (!p) {
    p = gateway.getSchema(id).catch((error: unknown) => {
      if (error instanceof PlatformError && error.status === 404) return undefined
      throw error
    })
    ctx.cache.schemas.set(id, p)
  }
  return p
}
