// The finding rules of contract D (all but probe-full-scan). Pure functions over plain data.
// STUB: signatures fixed; the implementation comes with the foundation work.
import type { Finding, IndexDiff, Limits, LoadedIndexFile, SchemaDocument, SchemaLookup } from '../model.js'

/** Checks that need only the file (run with and without credentials). */
export function checkFile(loaded: LoadedIndexFile, customObjectId: string, limits: Limits): Finding[] {
  void loaded
  void customObjectId
  void limits
  throw new Error('not implemented')
}

export interface LiveCheckInput {
  loaded: LoadedIndexFile
  customObjectId: string
  live: SchemaDocument
  merged: SchemaDocument
  diff: IndexDiff
  /** The platform's limits, `maxIndexesPerObject` already lowered by the `max-indexes` input. */
  limits: Limits
  /** Other objects' schemas, for join paths. */
  lookup: SchemaLookup
}

/** Checks against the live schema: fields, types, join paths, selectivity, limits, diff warnings. */
export function checkMerged(input: LiveCheckInput): Finding[] {
  void input
  throw new Error('not implemented')
}

/**
 * The object ids whose schemas the join paths of `doc`'s indexes need and `lookup` lacks. The caller
 * fetches them and calls again until the list is empty (each hop can reveal the next object).
 */
export function missingSchemas(doc: SchemaDocument, lookup: SchemaLookup, limits: Limits): string[] {
  void doc
  void lookup
  void limits
  throw new Error('not implemented')
}
