// Loose parsing of server documents: every key the action does not know survives untouched.
// STUB: signatures fixed; the implementation comes with the foundation work.
import type { Limits, SchemaDocument } from '../model.js'

/** Validates a schema document from the server; unknown keys kept. Throws an Error naming what is wrong. */
export function parseSchemaDocument(json: unknown): SchemaDocument {
  void json
  throw new Error('not implemented')
}

/** Validates the limits document; missing values fall back to the platform defaults. */
export function parseLimits(json: unknown): Limits {
  void json
  throw new Error('not implemented')
}
