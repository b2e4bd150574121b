// Loose parsing of server documents: every key the action does not know survives untouched.
import { z } from 'zod'
import { CARDINALITY_HINTS, DEFAULT_LIMITS, INDEX_STATUSES, SORT_ORDERS } from '../model.js'
import type { Limits, SchemaDocument } from '../model.js'
import { lazy } from '../lazy.js'

// Known keys are checked for shape; unknown keys (on the document, fields and indexes) pass through as
// they came, so a PUT can send back everything the GET returned. `customFields` stays opaque. Built on
// first use: only a run with credentials reads a server document.
const schemas = lazy(() => {
  const liveFieldSchema = z.looseObject({
    name: z.string().min(1),
    type: z.string().min(1), // not FIELD_TYPES: a type the server adds later must not fail the read
    maxLength: z.number().int().nonnegative().optional(),
    referenceTo: z.string().optional(),
    cardinalityHint: z.enum(CARDINALITY_HINTS).optional(),
    required: z.boolean().optional()
  })

  const liveIndexSchema = z.looseObject({
    name: z.string().min(1),
    fields: z.array(z.string()),
    order: z.array(z.enum(SORT_ORDERS)).optional(),
    unique: z.boolean().optional(),
    status: z.enum(INDEX_STATUSES).optional(),
    statusReason: z.string().optional()
  })

  const schemaDocument = z.looseObject({
    id: z.string().min(1),
    name: z.string(),
    description: z.string().optional(),
    schemaVersion: z.number().int().min(1),
    lastUpdated: z.string().optional(),
    selfUri: z.string().optional(),
    fields: z.array(liveFieldSchema),
    indexes: z.array(liveIndexSchema),
    customFields: z.unknown().optional()
  })

  const limits = z.looseObject({
    maxIndexesPerObject: z.number().int().nonnegative().optional(),
    maxFieldsPerIndex: z.number().int().positive().optional(),
    maxJoinDepth: z.number().int().nonnegative().optional(),
    maxIndexableStringLength: z.number().int().nonnegative().optional()
  })
  return { schemaDocument, limits }
})

/** Validates a schema document from the server; unknown keys kept. Throws an Error naming what is wrong. */
export function parseSchemaDocument(json: unknown): SchemaDocument {
  const result = schemas().schemaDocument.safeParse(json)
  if (!result.success) {
    const id =
      json !== null && typeof json === 'object' && typeof (json as { id?: unknown }).id === 'string'
        ? ` of object ${(json as { id: string }).id}`
        : ''
    throw new Error(
      `The schema document${id} from the server is not as expected: ${oneLineIssues(result.error)}. ` +
        'Check the api-url/region points at the Data Gateway API.'
    )
  }
  // The checked input itself, cloned, rather than zod's copy: zod drops a key named `__proto__` and reorders
  // unknown keys after known ones; a PUT must send back what the GET returned.
  return cloneDocument(json) as SchemaDocument
}

/** Thrown by the fast clone for anything that is not a plain JSON tree. */
const NOT_PLAIN = new Error('not a plain JSON tree')

/**
 * What structuredClone gives for this value, faster for the plain JSON trees a server sends: every own
 * key in its order (a `__proto__` key included, as a key). Anything else (shared or cyclic objects,
 * class instances, array holes, functions) goes to structuredClone itself, for the same result.
 */
function cloneDocument(json: unknown): unknown {
  try {
    return clonePlain(json, new Set())
  } catch {
    return structuredClone(json)
  }
}

function clonePlain(value: unknown, seen: Set<object>): unknown {
  if (value === null) return value
  const type = typeof value
  if (type === 'string' || type === 'number' || type === 'boolean') return value
  if (type !== 'object') throw NOT_PLAIN
  const object = value as object
  if (seen.has(object)) throw NOT_PLAIN
  seen.add(object)
  if (Array.isArray(object)) {
    if (Object.getPrototypeOf(object) !== Array.prototype) throw NOT_PLAIN
    const items = object as unknown[]
    const length = items.length
    if (Object.keys(items).length !== length) throw NOT_PLAIN
    const out: unknown[] = new Array<unknown>(length)
    for (let i = 0; i < length; i++) out[i] = clonePlain(items[i], seen)
    return out
  }
  if (Object.getPrototypeOf(object) !== Object.prototype) throw NOT_PLAIN
  const record = object as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(record)) {
    const member = clonePlain(record[key], seen)
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: member, enumerable: true, writable: true, configurable: true })
    } else out[key] = member
  }
  return out
}

/** Validates the limits document; missing values fall back to the platform defaults. */
export function parseLimits(json: unknown): Limits {
  const result = schemas().limits.safeParse(json ?? {})
  if (!result.success) {
    throw new Error(`The limits document from the server is not as expected: ${oneLineIssues(result.error)}.`)
  }
  const data = result.data
  return {
    maxIndexesPerObject: data.maxIndexesPerObject ?? DEFAULT_LIMITS.maxIndexesPerObject,
    maxFieldsPerIndex: data.maxFieldsPerIndex ?? DEFAULT_LIMITS.maxFieldsPerIndex,
    maxJoinDepth: data.maxJoinDepth ?? DEFAULT_LIMITS.maxJoinDepth,
    maxIndexableStringLength: data.maxIndexableStringLength ?? DEFAULT_LIMITS.maxIndexableStringLength
  }
}

function oneLineIssues(error: z.ZodError): string {
  const issues = error.issues.slice(0, 5).map(issue => {
    const path = issue.path.map(s => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`)).join('')
    return `${path === '' ? '(document)' : path.replace(/^\./, '')}: ${issue.message}`
  })
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : ''
  return issues.join('; ') + more
}
