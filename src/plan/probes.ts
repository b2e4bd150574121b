// Which probe queries to run: the file's `probes`, else one per new or modified index.
// STUB: signatures fixed; the implementation comes with the foundation work.
import type { IndexDiff, IndexFile, ProbeValue, SchemaDocument, SchemaLookup } from '../model.js'

export interface PlannedProbe {
  index: string
  /** Term field (name or join path) → value, covering the index's fields in order. */
  values: Record<string, ProbeValue>
}

export function planProbes(
  file: IndexFile,
  merged: SchemaDocument,
  diff: IndexDiff,
  lookup: SchemaLookup
): PlannedProbe[] {
  void file
  void merged
  void diff
  void lookup
  throw new Error('not implemented')
}
