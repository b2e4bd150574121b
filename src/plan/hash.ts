// The payload hash (docs/rules.md#the-payload-hash). Pure (node:crypto only hashes).
import { createHash } from 'node:crypto'
import type { SchemaDocument } from '../model.js'
import { canonicalize, hashedDocument } from './schema-doc.js'

/** SHA-256 hex of the canonical document without schemaVersion, lastUpdated, selfUri, index status/statusReason. */
export function payloadHash(doc: SchemaDocument): string {
  return createHash('sha256')
    .update(canonicalize(hashedDocument(doc)), 'utf8')
    .digest('hex')
}
