// Probe queries: which to run (the file's `probes`, else one per new or modified index), and which index the
// platform's planner would use for a query (docs/rules.md#queries).
//
// Placeholder values prove the plan, not the data: a query with them shows whether the platform would
// use the index (B-tree leftmost prefix), whatever records match. To probe with real values, list them
// under `probes:` in the index file; then only those probes run.
import type {
  IndexDiff,
  IndexFile,
  LiveField,
  LiveIndex,
  ProbeResult,
  ProbeValue,
  QueryPlan,
  SchemaDocument,
  SchemaLookup
} from '../model.js'
import { DEFAULT_LIMITS } from '../model.js'
import { FieldResolver } from './fields.js'

export interface ChosenProbe {
  index: string
  /** Term field (name or join path) → value, covering the index's fields in order. */
  values: Record<string, ProbeValue>
}

/** The placeholder for a field of this type (a join path takes its final field's type). */
export function placeholderValue(field: LiveField | undefined): ProbeValue {
  switch (field?.type) {
    case 'number':
      return 0
    case 'boolean':
      return true
    case 'date':
      return '1970-01-01T00:00:00.000Z'
    default:
      // string, reference (an id), and anything unresolved
      return 'probe'
  }
}

export function chooseProbes(
  file: IndexFile,
  merged: SchemaDocument,
  diff: IndexDiff,
  lookup: SchemaLookup
): ChosenProbe[] {
  if (file.probes) return file.probes.map(probe => ({ index: probe.index, values: { ...probe.values } }))

  const wanted = new Set([...diff.added, ...diff.modified])
  const byName = new Map(merged.indexes.map(index => [index.name, index]))
  // Join depth is not checked here (the rules do); resolve as deep as the path goes.
  const fields = new FieldResolver(merged, lookup, {
    ...DEFAULT_LIMITS,
    maxJoinDepth: Number.MAX_SAFE_INTEGER
  })
  const chosen: ChosenProbe[] = []
  const done = new Set<string>()
  for (const proposed of file.indexes) {
    if (!wanted.has(proposed.name) || done.has(proposed.name)) continue
    done.add(proposed.name)
    const index = byName.get(proposed.name)
    if (!index) continue
    const values: Record<string, ProbeValue> = {}
    for (const path of index.fields) {
      const resolution = fields.resolve(path)
      values[path] = placeholderValue(resolution.ok ? resolution.field : undefined)
    }
    chosen.push({ index: index.name, values })
  }
  return chosen
}

/**
 * The index the platform's planner would choose for a query on these term fields (docs/rules.md#queries, as
 * the emulator plans): among the indexes whose leading field is a term field, the longest leading prefix
 * covered by the terms wins; a tie goes to the index with fewer fields, then to the earlier one.
 * `activeOnly`: only `active` indexes count (the live document today). Otherwise the document is a merged
 * one not yet deployed: every index counts but a `failed` one, which the merge left as it is, so a deploy
 * leaves it failed.
 */
export function predictPlan(
  doc: SchemaDocument,
  termFields: readonly string[],
  opts: { activeOnly?: boolean } = {}
): QueryPlan {
  const terms = new Set(termFields)
  let best: { index: LiveIndex; prefix: number } | undefined
  for (const index of doc.indexes) {
    if (opts.activeOnly === true ? index.status !== 'active' : index.status === 'failed') continue
    let prefix = 0
    while (prefix < index.fields.length && terms.has(index.fields[prefix]!)) prefix++
    if (prefix === 0) continue
    if (
      !best ||
      prefix > best.prefix ||
      (prefix === best.prefix && index.fields.length < best.index.fields.length)
    ) {
      best = { index, prefix }
    }
  }
  return best ? { strategy: 'index', indexName: best.index.name } : { strategy: 'fullScan' }
}

/**
 * Whether a probe used the very index it targets: the test of the `index-used` output, the audit's
 * `governanceCompliant` and the report's probe table. A probe that failed did not.
 */
export function usedItsIndex(p: Pick<ProbeResult, 'index' | 'indexUsed' | 'indexName' | 'error'>): boolean {
  return p.error === undefined && p.indexUsed && p.indexName === p.index
}
