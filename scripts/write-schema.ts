// Writes the index file's JSON Schema (generated from its zod validator) to schema/index-file.schema.json.
// Run with `npm run schema` after changing src/indexfile/schema.ts; a test fails while the file is stale.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { indexFileJsonSchema } from '../src/indexfile/schema.js'

/** The committed file's exact text: 2-space JSON with a trailing newline. */
export function schemaFileText(): string {
  return `${JSON.stringify(indexFileJsonSchema(), null, 2)}\n`
}

export const SCHEMA_FILE = fileURLToPath(new URL('../schema/index-file.schema.json', import.meta.url))

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_FILE, schemaFileText())
  console.log(`wrote ${SCHEMA_FILE}`)
}
