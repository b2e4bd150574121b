// The merged-schema text diff: unified diff of pretty canonical JSON, read-only keys left out.
// STUB: signatures fixed; the implementation comes with the foundation work.
import type { SchemaDocument } from '../model.js'

/** Unified diff (`--- live` / `+++ proposed`, @@ hunks, 3 lines of context). Empty string when equal. */
export function textDiff(live: SchemaDocument, merged: SchemaDocument): string {
  void live
  void merged
  throw new Error('not implemented')
}
