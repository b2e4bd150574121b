// RFC 8785 canonical JSON and the payload hash of contract C.
// STUB: signatures fixed; the implementation comes with the foundation work.
import type { SchemaDocument } from '../model.js'

/** RFC 8785 (JCS) canonical JSON text of a JSON value. */
export function canonicalize(value: unknown): string {
  void value
  throw new Error('not implemented')
}

/** The document as PUT sends it: everything kept, `schemaVersion` included. */
export function payloadDocument(doc: SchemaDocument): Record<string, unknown> {
  void doc
  throw new Error('not implemented')
}

/** SHA-256 hex of the canonical document without schemaVersion, lastUpdated, selfUri, index status/statusReason. */
export function payloadHash(doc: SchemaDocument): string {
  void doc
  throw new Error('not implemented')
}
