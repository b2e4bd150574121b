// Writes the JSON Schemas generated from their zod validators: the index file's to
// schema/index-file.schema.json, the report file's to schema/report.schema.json.
// Run with `npm run schema` after changing src/indexfile/schema.ts or src/report/file.ts; a test fails while a
// file is stale.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { indexFileJsonSchema } from '../src/indexfile/schema.js'
import { reportFileJsonSchema } from '../src/report/file.js'

function text(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`
}

/** The committed index-file schema's exact text: 2-space JSON with a trailing newline. */
export function schemaFileText(): string {
  return text(indexFileJsonSchema())
}

/** The committed report-file schema's exact text. */
export function reportSchemaFileText(): string {
  return text(reportFileJsonSchema())
}

export const SCHEMA_FILE = fileURLToPath(new URL('../schema/index-file.schema.json', import.meta.url))
export const REPORT_SCHEMA_FILE = fileURLToPath(new URL('../schema/report.schema.json', import.meta.url))

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_FILE, schemaFileText())
  writeFileSync(REPORT_SCHEMA_FILE, reportSchemaFileText())
  console.log(`wrote ${SCHEMA_FILE} and ${REPORT_SCHEMA_FILE}`)
}
