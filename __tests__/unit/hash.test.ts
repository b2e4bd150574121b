import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { INDEX_STATUSES } from '../../src/model.js'
import { textDiff } from '../../src/plan/diff.js'
import { payloadHash } from '../../src/plan/hash.js'
import { canonicalize, canonicalLines, payloadDocument } from '../../src/plan/schema-doc.js'
import type { SchemaDocument } from '../../src/model.js'
import { ticketDoc } from '../fixtures/core/docs.js'
import { isoDate, RUNS, schemaDocumentArb, shuffleDeep } from '../helpers/arbitraries.js'

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex')

// RFC 8785 §3.2.2, written as its JSON text so the number literals are exactly the RFC's.
const RFC_INPUT = String.raw`{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`
const RFC_OUTPUT = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`

describe('canonicalize (RFC 8785)', () => {
  it('reproduces the RFC 8785 section 3.2.2 example', () => {
    expect(canonicalize(JSON.parse(RFC_INPUT))).toBe(RFC_OUTPUT)
  })

  // Pinned once; checked independently with Python's hashlib over the RFC's published output text.
  it('pins the SHA-256 of the RFC example (a fixed vector)', () => {
    expect(sha256(canonicalize(JSON.parse(RFC_INPUT)))).toBe(
      '2d5e01a318d0f0879ab568c4be289c8b1f64ef8921a53c6277d5e069978baacb'
    )
  })

  it('sorts keys by UTF-16 code units (RFC 8785 section 3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis'
    }
    const keys = Object.keys(JSON.parse(canonicalize(input)) as Record<string, string>)
    // Integer-like keys come first from Object.keys, so compare the text order instead.
    const text = canonicalize(input)
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'].map(k =>
      text.indexOf(JSON.stringify(k))
    )
    expect(keys).toHaveLength(7)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
  })

  it('puts the euro sign before an emoji and after e-acute, as UTF-16 code units do', () => {
    expect(canonicalize({ '\ud83d\ude00': 1, '\u20ac': 2, '\u00e9': 3 })).toBe('{"é":3,"€":2,"😀":1}')
  })

  it('writes numbers in ECMAScript form', () => {
    expect(canonicalize([1.0, 1e21, -0, 0.1 + 0.2, 1e-7, 100, 5e-324])).toBe(
      '[1,1e+21,0,0.30000000000000004,1e-7,100,5e-324]'
    )
  })

  it('rejects NaN and Infinity', () => {
    expect(() => canonicalize({ a: NaN })).toThrow(/not a JSON number/)
    expect(() => canonicalize([Infinity])).toThrow(/\$\[0\]/)
  })

  it('rejects values JSON cannot hold, and cycles', () => {
    expect(() => canonicalize({ a: 1n })).toThrow(/bigint/)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => canonicalize(cyclic)).toThrow(/contains itself/)
  })

  it('accepts a value shared by two keys (not a cycle)', () => {
    const shared = { x: 1 }
    expect(canonicalize({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}')
  })

  it('leaves out undefined object members, as JSON does', () => {
    expect(canonicalize({ a: undefined, b: [undefined] })).toBe('{"b":[null]}')
  })

  it('handles nesting deeper than the call stack would allow', () => {
    let deep: unknown = 0
    for (let i = 0; i < 100_000; i++) deep = [deep]
    expect(canonicalize(deep)).toHaveLength(200_001)
  })

  it('equals JSON.stringify of the key-sorted value for any JSON value', () => {
    const sortKeys = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(sortKeys)
      if (value !== null && typeof value === 'object') {
        // Object.fromEntries, so a `__proto__` key stays a key.
        return Object.fromEntries(
          Object.keys(value)
            .sort()
            .map(key => [key, sortKeys((value as Record<string, unknown>)[key])])
        )
      }
      return value
    }
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'grapheme' }), value => {
        const text = canonicalize(value)
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(sortKeys(value))))
        expect(canonicalize(JSON.parse(text))).toBe(text)
      })
    )
  })
})

describe('payloadDocument and payloadHash', () => {
  it('sends every key but lastUpdated, selfUri and index status/statusReason; keeps id and schemaVersion', () => {
    const doc: SchemaDocument = {
      ...ticketDoc(),
      futureKey: { a: 1 },
      indexes: [{ name: 'i', fields: ['status'], status: 'failed', statusReason: 'dupes', shard: 2 }]
    }
    const body = payloadDocument(doc)
    expect(body.id).toBe(doc.id)
    expect(body.schemaVersion).toBe(7)
    expect(body.futureKey).toEqual({ a: 1 })
    expect(body).not.toHaveProperty('lastUpdated')
    expect(body).not.toHaveProperty('selfUri')
    expect(body.indexes).toEqual([{ name: 'i', fields: ['status'], shard: 2 }])
  })

  it('gives one hash for every key order', () => {
    const doc = ticketDoc()
    const reversed = Object.fromEntries(Object.entries(doc).reverse()) as SchemaDocument
    reversed.fields = doc.fields.map(f => Object.fromEntries(Object.entries(f).reverse()) as typeof f)
    expect(payloadHash(reversed)).toBe(payloadHash(doc))
  })

  it('ignores schemaVersion, lastUpdated, selfUri and index status', () => {
    const doc = ticketDoc()
    const later: SchemaDocument = {
      ...doc,
      schemaVersion: 99,
      lastUpdated: '2030-01-01T00:00:00.000Z',
      selfUri: '/elsewhere',
      indexes: doc.indexes.map(index => ({ ...index, status: 'building' as const, statusReason: 'x' }))
    }
    expect(payloadHash(later)).toBe(payloadHash(doc))
  })

  it('changes when an index changes', () => {
    const doc = ticketDoc()
    const changed = { ...doc, indexes: [...doc.indexes, { name: 'n', fields: ['priority'] }] }
    expect(payloadHash(changed)).not.toBe(payloadHash(doc))
  })

  it('is the SHA-256 of the canonical hashed document (pinned)', () => {
    const doc: SchemaDocument = {
      id: 'obj',
      name: 'Obj',
      schemaVersion: 3,
      selfUri: '/x',
      fields: [{ name: 'a', type: 'string', maxLength: 10 }],
      indexes: [{ name: 'idx_a', fields: ['a'], status: 'active' }]
    }
    const canonical =
      '{"fields":[{"maxLength":10,"name":"a","type":"string"}],"id":"obj","indexes":[{"fields":["a"],"name":"idx_a"}],"name":"Obj"}'
    expect(payloadHash(doc)).toBe(sha256(canonical))
    expect(payloadHash(doc)).toMatch(/^[0-9a-f]{64}$/)
  })
})

// ---------------------------------------------------------------------------------------------------------
// Properties over arbitrary documents (helpers/arbitraries.ts): the payload hash ignores key order and
// read-only keys

const readOnlyChange = fc.record({
  schemaVersion: fc.integer({ min: 1, max: 1_000_000 }),
  lastUpdated: fc.option(isoDate, { nil: undefined }),
  selfUri: fc.option(fc.string(), { nil: undefined }),
  status: fc.option(fc.constantFrom(...INDEX_STATUSES), { nil: undefined }),
  statusReason: fc.option(fc.string(), { nil: undefined })
})

type ReadOnlyChange = typeof readOnlyChange extends fc.Arbitrary<infer C> ? C : never

/** The document with its read-only keys (docs/rules.md#the-schema-document) set as `change` says. */
function withReadOnly(doc: SchemaDocument, change: ReadOnlyChange): SchemaDocument {
  const changed: SchemaDocument = {
    ...doc,
    schemaVersion: change.schemaVersion,
    indexes: doc.indexes.map(({ status: _s, statusReason: _r, ...index }) => ({
      ...index,
      ...(change.status !== undefined ? { status: change.status } : {}),
      ...(change.statusReason !== undefined ? { statusReason: change.statusReason } : {})
    }))
  }
  delete changed.lastUpdated
  delete changed.selfUri
  if (change.lastUpdated !== undefined) changed.lastUpdated = change.lastUpdated
  if (change.selfUri !== undefined) changed.selfUri = change.selfUri
  return changed
}

describe('payloadHash and canonicalize', () => {
  it('canonical JSON does not depend on key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        expect(canonicalize(shuffleDeep(value, seed))).toBe(canonicalize(value))
      }),
      { numRuns: RUNS }
    )
  })

  it('the payload hash does not depend on key order', () => {
    fc.assert(
      fc.property(schemaDocumentArb, fc.integer(), (doc, seed) => {
        expect(payloadHash(shuffleDeep(doc, seed) as SchemaDocument)).toBe(payloadHash(doc))
      }),
      { numRuns: RUNS }
    )
  })

  it('the payload hash ignores schemaVersion, lastUpdated, selfUri and index status/statusReason', () => {
    fc.assert(
      fc.property(schemaDocumentArb, readOnlyChange, (doc, change) => {
        expect(payloadHash(withReadOnly(doc, change))).toBe(payloadHash(doc))
      }),
      { numRuns: RUNS }
    )
  })

  it('the payload hash changes when an index definition changes', () => {
    fc.assert(
      fc.property(
        schemaDocumentArb.filter(d => d.indexes.length > 0),
        doc => {
          const [first, ...rest] = doc.indexes
          const changed = { ...doc, indexes: [{ ...first!, unique: !(first!.unique ?? false) }, ...rest] }
          expect(payloadHash(changed)).not.toBe(payloadHash(doc))
        }
      ),
      { numRuns: RUNS }
    )
  })
})

// ---------------------------------------------------------------------------------------------------------
// The hash and the diff read one document

/**
 * A change to any key: a read-only one (docs/rules.md#the-schema-document), or another key of the document or
 * of an index.
 */
const anyChange: fc.Arbitrary<(doc: SchemaDocument) => SchemaDocument> = fc.oneof(
  readOnlyChange.map(change => (doc: SchemaDocument) => withReadOnly(doc, change)),
  fc
    .tuple(
      fc.constantFrom('name', 'description', 'customFields', 'x-pii', '9'),
      fc.jsonValue({ maxDepth: 1 })
    )
    .map(([key, value]) => (doc: SchemaDocument) => ({ ...doc, [key]: value })),
  fc
    .tuple(fc.constantFrom('fields', 'order', 'unique', 'x-origin'), fc.jsonValue({ maxDepth: 1 }))
    .map(([key, value]) => (doc: SchemaDocument) => ({
      ...doc,
      indexes: doc.indexes.map((index, i) => (i === 0 ? { ...index, [key]: value } : index))
    }))
)

describe('the payload hash and the text diff', () => {
  it('strip the same keys: two documents have no diff exactly when they have one hash', () => {
    const seen = { same: 0, different: 0 }
    fc.assert(
      fc.property(schemaDocumentArb, anyChange, (doc, change) => {
        const other = change(doc)
        const sameHash = payloadHash(other) === payloadHash(doc)
        expect(textDiff(doc, other) === '').toBe(sameHash)
        seen[sameHash ? 'same' : 'different']++
      }),
      { numRuns: RUNS }
    )
    expect(Math.min(seen.same, seen.different)).toBeGreaterThan(RUNS / 10)
  })

  it('write the same JSON: the pretty lines read back to the canonical text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), value => {
        expect(canonicalize(JSON.parse(canonicalLines(value).join('\n')))).toBe(canonicalize(value))
      }),
      { numRuns: RUNS }
    )
  })
})
