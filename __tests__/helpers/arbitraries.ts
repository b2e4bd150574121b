// fast-check arbitraries shared by the property tests of the plan layer (merge, diff, hash): schema documents
// and index files shaped as src/model.ts says, with the extra keys a server may add, and a key-order shuffle.
import fc from 'fast-check'
import { CARDINALITY_HINTS, FIELD_TYPES, INDEX_STATUSES, SORT_ORDERS } from '../../src/model.js'
import type { IndexFile, LiveField, LiveIndex, ProposedIndex, SchemaDocument } from '../../src/model.js'

/** Runs of each property. */
export const RUNS = 200

const FIELD_NAMES = [
  'status',
  'priority',
  'amount',
  'assignee',
  'createdAt',
  'escalated',
  'account',
  'notes',
  'tier'
]
const INDEX_NAMES = ['idx_a', 'idx_b', 'idx_c', 'idx_d', 'idx_e', 'idx_f', 'idx_g']

const fieldName = fc.constantFrom(...FIELD_NAMES, 'account.tier', 'account.parent.name')
/** Keys a server might add that the action does not know; some integer-like, some non-ASCII. */
const extraKey = fc.constantFrom(
  'x-pii',
  'x-origin',
  'retention',
  'zeta',
  'Alpha',
  '10',
  '9',
  'é',
  '€',
  '\u{1F600}'
)
const extras = fc.dictionary(extraKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 })

function withExtras<T extends object>(base: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.tuple(base, extras).map(([b, e]) => ({ ...e, ...b }))
}

const orderFor = (length: number): fc.Arbitrary<('asc' | 'desc')[]> =>
  fc.array(fc.constantFrom(...SORT_ORDERS), { minLength: length, maxLength: length })

const liveField: fc.Arbitrary<LiveField> = withExtras(
  fc.record(
    {
      name: fc.constantFrom(...FIELD_NAMES),
      type: fc.constantFrom(...FIELD_TYPES),
      maxLength: fc.integer({ min: 1, max: 5000 }),
      referenceTo: fc.uuid(),
      cardinalityHint: fc.constantFrom(...CARDINALITY_HINTS),
      required: fc.boolean()
    },
    { requiredKeys: ['name', 'type'] }
  )
)

const liveIndex: fc.Arbitrary<LiveIndex> = withExtras(
  fc.uniqueArray(fieldName, { minLength: 1, maxLength: 4 }).chain(fields =>
    fc.record(
      {
        name: fc.constantFrom(...INDEX_NAMES),
        fields: fc.constant(fields),
        order: orderFor(fields.length),
        unique: fc.boolean(),
        status: fc.constantFrom(...INDEX_STATUSES),
        statusReason: fc.string({ unit: 'binary', maxLength: 20 })
      },
      { requiredKeys: ['name', 'fields'] }
    )
  )
)

export const isoDate = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map(d => d.toISOString())

export const schemaDocumentArb: fc.Arbitrary<SchemaDocument> = withExtras(
  fc.record(
    {
      id: fc.uuid(),
      name: fc.string({ unit: 'binary', maxLength: 20 }),
      description: fc.string({ maxLength: 30 }),
      schemaVersion: fc.integer({ min: 1, max: 10_000 }),
      lastUpdated: isoDate,
      selfUri: fc.string({ maxLength: 30 }),
      fields: fc.uniqueArray(liveField, { selector: f => f.name, maxLength: 8 }),
      indexes: fc.uniqueArray(liveIndex, { selector: i => i.name, maxLength: 6 }),
      customFields: fc.jsonValue({ maxDepth: 2 })
    },
    { requiredKeys: ['id', 'name', 'schemaVersion', 'fields', 'indexes'] }
  )
)

const proposedIndex: fc.Arbitrary<ProposedIndex> = fc
  .uniqueArray(fieldName, { minLength: 1, maxLength: 4 })
  .chain(fields =>
    fc.record(
      {
        name: fc.constantFrom(...INDEX_NAMES),
        fields: fc.constant(fields),
        order: orderFor(fields.length),
        unique: fc.boolean()
      },
      { requiredKeys: ['name', 'fields'] }
    )
  )
export const indexFileArb: fc.Arbitrary<IndexFile> = fc.record(
  {
    customObjectId: fc.uuid(),
    indexes: fc.uniqueArray(proposedIndex, { selector: i => i.name, maxLength: 6 }),
    fieldOptimizations: fc.dictionary(
      fc.constantFrom(...FIELD_NAMES, 'missing_field'),
      fc.record({ cardinalityHint: fc.constantFrom(...CARDINALITY_HINTS) }, { requiredKeys: [] }),
      { maxKeys: 3 }
    ),
    prune: fc.boolean()
  },
  { requiredKeys: ['indexes'] }
)

/** A small deterministic PRNG (mulberry32) so a shuffle is reproducible from fast-check's seed. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The same value with every object's keys in a random order (arrays keep theirs: order matters there). */
export function shuffleDeep(value: unknown, seed: number): unknown {
  const next = random(seed)
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk)
    if (v === null || typeof v !== 'object') return v
    const entries = Object.entries(v)
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1))
      ;[entries[i], entries[j]] = [entries[j]!, entries[i]!]
    }
    return Object.fromEntries(entries.map(([k, x]) => [k, walk(x)]))
  }
  return walk(value)
}
