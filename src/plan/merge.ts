// Merging an index file into the live document (contract B). Pure: inputs are never mutated.
// STUB: signatures fixed; the implementation comes with the foundation work.
import type { IndexDiff, IndexFile, SchemaDocument } from '../model.js'

export interface MergeResult {
  document: SchemaDocument
  diff: IndexDiff
}

export function mergeIndexFile(live: SchemaDocument, file: IndexFile): MergeResult {
  void live
  void file
  throw new Error('not implemented')
}
