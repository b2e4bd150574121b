// Which probe queries to run: the file's `probes`, else one per new or modified index.
//
// Placeholder values prove the plan, not the data: a query with them shows whether the platform would
// use the index (B-tree leftmost prefix), whatever records match. To probe with real values, list them
// under `probes:` in the index file; then only those probes run.
import type { IndexDiff, IndexFile, LiveField, ProbeValue, SchemaDocument, SchemaLookup } from '../model.js'
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

/** The former names, for callers not yet moved to `chooseProbes` / `ChosenProbe`. */
export const planProbes = chooseProbes
export type PlannedProbe = ChosenProbe
