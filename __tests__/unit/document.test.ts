import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS } from '../../src/model.js'
import type { IndexFile } from '../../src/model.js'
import { parseLimits, parseSchemaDocument } from '../../src/plan/document.js'
import { payloadDocument } from '../../src/plan/schema-doc.js'
import { mergeIndexFile } from '../../src/plan/merge.js'
import { ticketDoc } from '../fixtures/core/docs.js'

const KNOWN_DOC_KEYS = [
  'id',
  'name',
  'description',
  'schemaVersion',
  'lastUpdated',
  'selfUri',
  'fields',
  'indexes',
  'customFields'
]
const KNOWN_FIELD_KEYS = ['name', 'type', 'maxLength', 'referenceTo', 'cardinalityHint', 'required']
const KNOWN_INDEX_KEYS = ['name', 'fields', 'order', 'unique', 'status', 'statusReason']

const extraKeys = (known: string[]) =>
  fc.dictionary(
    fc.string({ minLength: 1, maxLength: 8 }).filter(key => !known.includes(key) && key !== '__proto__'),
    // As the server sends them: through JSON text (fast-check's -0 arrives as 0).
    fc.jsonValue({ maxDepth: 2 }).map(value => JSON.parse(JSON.stringify(value)) as unknown),
    { maxKeys: 3 }
  )

describe('parseSchemaDocument', () => {
  it('keeps unknown keys on the document, its fields and its indexes, and customFields as is', () => {
    const raw = {
      ...ticketDoc(),
      archived: false,
      customFields: { anything: [1, { deep: true }] },
      fields: [{ name: 'status', type: 'string', maxLength: 32, searchable: true }],
      indexes: [{ name: 'idx_status', fields: ['status'], status: 'active', shards: 4 }]
    }
    const doc = parseSchemaDocument(JSON.parse(JSON.stringify(raw)))
    expect(doc).toEqual(raw)
  })

  it('accepts an unknown field type (the rules report it)', () => {
    const raw = { ...ticketDoc(), fields: [{ name: 'geo', type: 'geopoint' }] }
    expect(parseSchemaDocument(raw).fields[0]?.type).toBe('geopoint')
  })

  it('throws a readable error naming the object and the bad key', () => {
    const raw = { ...ticketDoc(), indexes: [{ name: 'x' }] }
    expect(() => parseSchemaDocument(raw)).toThrow(
      /schema document of object 0b4f0ac2-8f0e-4e2a-9d3c-6d1b1f6e2a11 .*indexes\[0\]\.fields/
    )
  })

  it('throws on something that is not a document', () => {
    expect(() => parseSchemaDocument('<html>')).toThrow(/not as expected/)
    expect(() => parseSchemaDocument(null)).toThrow(/not as expected/)
  })
})

describe('parseLimits', () => {
  it('reads the limits document', () => {
    expect(
      parseLimits({
        maxIndexesPerObject: 8,
        maxFieldsPerIndex: 3,
        maxJoinDepth: 1,
        maxIndexableStringLength: 500
      })
    ).toEqual({
      maxIndexesPerObject: 8,
      maxFieldsPerIndex: 3,
      maxJoinDepth: 1,
      maxIndexableStringLength: 500
    })
  })

  it('falls back to the defaults for missing values', () => {
    expect(parseLimits({ maxJoinDepth: 1 })).toEqual({ ...DEFAULT_LIMITS, maxJoinDepth: 1 })
    expect(parseLimits(undefined)).toEqual(DEFAULT_LIMITS)
  })

  it('throws on a wrongly typed value', () => {
    expect(() => parseLimits({ maxFieldsPerIndex: 'four' })).toThrow(/maxFieldsPerIndex/)
  })
})

describe('round trip of unknown keys', () => {
  it('parse then merge keeps every extra key with its value in the payload', () => {
    const fileArb: fc.Arbitrary<IndexFile> = fc.record({
      indexes: fc.array(
        fc.record({
          name: fc.constantFrom('idx_status', 'idx_opened', 'idx_new', 'idx_other'),
          fields: fc.array(fc.constantFrom('status', 'priority', 'openedAt'), { minLength: 1, maxLength: 3 })
        }),
        { maxLength: 4 }
      ),
      fieldOptimizations: fc.constant({ status: { cardinalityHint: 'low' as const } })
    })
    fc.assert(
      fc.property(
        extraKeys(KNOWN_DOC_KEYS),
        extraKeys(KNOWN_FIELD_KEYS),
        extraKeys(KNOWN_INDEX_KEYS),
        fileArb,
        (docExtra, fieldExtra, indexExtra, file) => {
          const base = ticketDoc()
          const raw = {
            ...base,
            ...docExtra,
            fields: base.fields.map(field => ({ ...field, ...fieldExtra })),
            indexes: base.indexes.map(index => ({ ...index, ...indexExtra }))
          }
          const live = parseSchemaDocument(JSON.parse(JSON.stringify(raw)))
          const body = payloadDocument(mergeIndexFile(live, file).document)
          for (const [key, value] of Object.entries(docExtra)) expect(body[key]).toEqual(value)
          for (const field of body.fields as Record<string, unknown>[]) {
            for (const [key, value] of Object.entries(fieldExtra)) expect(field[key]).toEqual(value)
          }
          const liveNames = new Set(base.indexes.map(index => index.name))
          for (const index of body.indexes as Record<string, unknown>[]) {
            if (!liveNames.has(index.name as string)) continue
            for (const [key, value] of Object.entries(indexExtra)) expect(index[key]).toEqual(value)
          }
        }
      )
    )
  })
})
