// The index file's validator (docs/rules.md#what-the-file-holds) and the JSON Schema generated from it
// for editors.
import { z } from 'zod'
import { CARDINALITY_HINTS, SORT_ORDERS } from '../model.js'
import type { IndexFile } from '../model.js'

/** The index-name rule (docs/rules.md#finding-rules), as JSON Schema pattern text. */
export const INDEX_NAME_PATTERN_SOURCE = '^[A-Za-z][A-Za-z0-9_]{0,63}$'

export const INDEX_FILE_SCHEMA_TITLE = 'Custom-object index file'
const INDEX_FILE_DESCRIPTION =
  'One custom object per file: the indexes a repository manages for a Genesys Cloud custom object, ' +
  'optional field cardinality hints, pruning, and probe queries. Unknown keys are an error.'

const indexSchema = z
  .strictObject({
    // The pattern goes into the JSON Schema for editors only: the action reports a bad name as the
    // `invalid-index-name` rule, not as a malformed file.
    name: z
      .string()
      .describe('Index name, unique in the file: a letter, then letters, digits or underscores (max 64).')
      .meta({ pattern: INDEX_NAME_PATTERN_SOURCE }),
    fields: z
      .array(z.string().describe('A field name, or a join path `ref.field` through reference fields.'))
      .min(1)
      .describe(
        'The indexed fields, most selective first. A field may be a join path such as `account.tier`.'
      ),
    order: z
      .array(z.enum(SORT_ORDERS).describe('Sort order of the field at the same position.'))
      .optional()
      .describe('Sort order per field, as long as `fields`. Absent means all ascending.'),
    unique: z
      .boolean()
      .optional()
      .describe('Whether values must be unique. Absent means false. A unique index over duplicates fails.')
  })
  .describe('One index this repository manages for the object.')

const fieldOptimizationSchema = z
  .strictObject({
    cardinalityHint: z
      .enum(CARDINALITY_HINTS)
      .optional()
      .describe('How many distinct values the field holds: low, medium or high.')
  })
  .describe('Attributes merged into the live field definition. Only `cardinalityHint` is accepted.')

const probeValueSchema = z.union([z.string(), z.number(), z.boolean()])

const probeSchema = z
  .strictObject({
    index: z.string().describe('The name of an index in this file.'),
    values: z
      .record(z.string(), probeValueSchema)
      .describe('Term field (a field of the index, or its join path) to the value to query.')
  })
  .describe('A probe query run after deploy to prove the index is used.')

export const indexFileSchema = z
  .strictObject({
    customObjectId: z
      .string()
      .min(1)
      .optional()
      .describe('The custom object id. May instead come from the `custom-object-id` action input.'),
    indexes: z
      .array(indexSchema)
      .describe('The indexes this repository manages for the object (may be empty).'),
    fieldOptimizations: z
      .record(z.string(), fieldOptimizationSchema)
      .optional()
      .describe(
        'Field name to attributes merged into the live field definition. Only `cardinalityHint` is accepted.'
      ),
    prune: z
      .boolean()
      .optional()
      .describe('true: live indexes missing from this file are dropped on deploy. Default false (kept).'),
    probes: z
      .array(probeSchema)
      .optional()
      .describe(
        'Probe queries with real values. Without them each new or changed index is probed with placeholders.'
      )
  })
  .describe(INDEX_FILE_DESCRIPTION)

// The validator's output must be the shared IndexFile type (a compile error here otherwise).
type _Check = z.output<typeof indexFileSchema> extends IndexFile ? true : never
export const _indexFileSchemaMatchesModel: _Check = true

/** The JSON Schema of the index file, for editors (written to schema/index-file.schema.json). */
export function indexFileJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(indexFileSchema, { target: 'draft-2020-12' }) as Record<string, unknown>
  const { $schema, ...rest } = generated
  // No $id: the schema is published in the repository, not at a URL.
  return { $schema, title: INDEX_FILE_SCHEMA_TITLE, ...rest, description: INDEX_FILE_DESCRIPTION }
}
