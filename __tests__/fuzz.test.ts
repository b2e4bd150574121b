// Property tests over the pure core: the index-file parser never throws and reports only clean
// `file-invalid` findings; merge is idempotent; the text diff is a correct patch; the payload hash ignores
// key order and read-only keys.
import fc from 'fast-check'
import { stringify as yamlStringify } from 'yaml'
import { afterAll, describe, expect, it } from 'vitest'
import { FIELD_TYPES, CARDINALITY_HINTS, INDEX_STATUSES, SORT_ORDERS } from '../src/model.js'
import type { IndexFile, LiveField, LiveIndex, ProposedIndex, SchemaDocument } from '../src/model.js'
import { parseIndexFile, type ParseOutcome } from '../src/indexfile/parse.js'
import { mergeIndexFile } from '../src/plan/merge.js'
import { textDiff } from '../src/plan/diff.js'
import { payloadHash } from '../src/plan/hash.js'
import { canonicalize, canonicalLines } from '../src/plan/schema-doc.js'

const RUNS = 200
const T = '0b4f0ac2-8f0e-4e2a-9d3c-6d1b1f6e2a11'

// ---------------------------------------------------------------------------------------------------------
// The parser

const prototypeKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort()
afterAll(() => {
  // Nothing a file says may reach Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeysBefore)
})

/**
 * The contract of parseIndexFile on any text: `loaded` with no findings, or no `loaded` and at least one
 * finding, every one a `file-invalid` error on this file with a one-line message and, when it has a line,
 * a line of the text (the line after a final newline counts, as editors show it).
 */
function checkOutcome(path: string, text: string, outcome: ParseOutcome): void {
  const lines = text.split('\n').length
  if (outcome.loaded) {
    expect(outcome.findings).toEqual([])
    expect(outcome.loaded.path).toBe(path)
    for (const probe of [
      [],
      ['indexes'],
      ['indexes', 0, 'fields', 0],
      ['probes', 3, 'values', 'x'],
      ['nope']
    ]) {
      const line = outcome.loaded.lineOf(probe)
      if (line !== undefined) {
        expect(line).toBeGreaterThanOrEqual(1)
        expect(line).toBeLessThanOrEqual(lines)
      }
    }
    return
  }
  expect(outcome.findings.length).toBeGreaterThan(0)
  for (const f of outcome.findings) {
    expect(f.severity).toBe('error')
    expect(f.rule).toBe('file-invalid')
    expect(f.file).toBe(path)
    expect(f.message).not.toMatch(/\n/)
    expect(f.message.length).toBeGreaterThan(0)
    if (f.line !== undefined) {
      expect(Number.isInteger(f.line)).toBe(true)
      expect(f.line).toBeGreaterThanOrEqual(1)
      expect(f.line).toBeLessThanOrEqual(lines)
    }
  }
}

function parseChecked(path: string, text: string): void {
  checkOutcome(path, text, parseIndexFile(path, text, T))
}

const VALID_YAML = `customObjectId: ${T}
indexes:
  - name: idx_status_priority
    fields: [status, priority]
    order: [asc, desc]
    unique: false
  - name: idx_account_tier
    fields:
      - account.tier
fieldOptimizations:
  status: { cardinalityHint: low }
prune: false
probes:
  - index: idx_status_priority
    values: { status: open, priority: 2 }
`

const VALID_JSON = JSON.stringify(
  {
    customObjectId: T,
    indexes: [
      { name: 'idx_status_priority', fields: ['status', 'priority'], order: ['asc', 'desc'], unique: false },
      { name: 'idx_account_tier', fields: ['account.tier'] }
    ],
    fieldOptimizations: { status: { cardinalityHint: 'low' } },
    prune: false,
    probes: [{ index: 'idx_status_priority', values: { status: 'open', priority: 2 } }]
  },
  null,
  2
)

/** Characters that mean something to YAML or JSON. */
const SPECIAL = fc.constantFrom(
  ...':-[]{},#&*!|>\'"%@`?\t\n\r \\'.split(''),
  '\uFEFF',
  '\u0000',
  '\u2028',
  '---\n',
  '...\n',
  '<<: *a\n',
  '&a ',
  '*a',
  '!!binary ',
  '__proto__: ',
  'constructor: '
)

type Mutation =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'replace'; at: number; text: string }
  | { kind: 'duplicate-line'; line: number }
  | { kind: 'swap-lines'; a: number; b: number }
  | { kind: 'indent-line'; line: number; by: string }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(SPECIAL, fc.string()) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: SPECIAL }),
  fc.record({ kind: fc.constant('duplicate-line' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({
    kind: fc.constant('indent-line' as const),
    line: fc.nat(),
    by: fc.constantFrom(' ', '  ', '\t', '')
  })
)

function mutate(text: string, m: Mutation): string {
  const lines = text.split('\n')
  switch (m.kind) {
    case 'delete': {
      const at = m.at % (text.length + 1)
      return text.slice(0, at) + text.slice(at + m.length)
    }
    case 'insert': {
      const at = m.at % (text.length + 1)
      return text.slice(0, at) + m.text + text.slice(at)
    }
    case 'replace': {
      const at = m.at % (text.length + 1)
      return text.slice(0, at) + m.text + text.slice(at + 1)
    }
    case 'duplicate-line': {
      const i = m.line % lines.length
      lines.splice(i, 0, lines[i]!)
      return lines.join('\n')
    }
    case 'swap-lines': {
      const a = m.a % lines.length
      const b = m.b % lines.length
      ;[lines[a], lines[b]] = [lines[b]!, lines[a]!]
      return lines.join('\n')
    }
    case 'indent-line': {
      const i = m.line % lines.length
      lines[i] = m.by + lines[i]!.trimStart()
      return lines.join('\n')
    }
  }
}

/** JSON values whose keys are often the file's own keys or prototype keys. */
const hostileKey = fc.oneof(
  fc.constantFrom(
    'customObjectId',
    'indexes',
    'name',
    'fields',
    'order',
    'unique',
    'prune',
    'probes',
    'index',
    'values',
    'fieldOptimizations',
    'cardinalityHint',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty'
  ),
  fc.string()
)
const { tree: hostileJson } = fc.letrec<{ tree: unknown }>(tie => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null)
    ),
    fc.array(tie('tree'), { maxLength: 4 }),
    fc
      .array(fc.tuple(hostileKey, tie('tree')), { maxLength: 5 })
      .map(entries => Object.fromEntries(entries) as unknown)
  )
}))

describe('parseIndexFile on hostile input', () => {
  it('never throws on arbitrary strings, as YAML, as JSON and with no extension', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.constantFrom('f.yaml', 'f.json', 'f'),
        (text, path) => {
          parseChecked(path, text)
        }
      ),
      { numRuns: RUNS }
    )
  })

  it('never throws on arbitrary JSON values written as JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), hostileJson), fc.boolean(), (value, pretty) => {
        parseChecked('f.json', JSON.stringify(value, null, pretty ? 2 : undefined) ?? 'null')
      }),
      { numRuns: RUNS }
    )
  })

  it('never throws on arbitrary JSON values written as YAML', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), hostileJson), value => {
        parseChecked('f.yaml', yamlStringify(value))
      }),
      { numRuns: RUNS }
    )
  })

  it('never throws on mutated valid YAML and JSON files', () => {
    // The seeds themselves load.
    expect(parseIndexFile('f.yaml', VALID_YAML, T).loaded).toBeDefined()
    expect(parseIndexFile('f.json', VALID_JSON, T).loaded).toBeDefined()
    fc.assert(
      fc.property(fc.boolean(), fc.array(mutation, { minLength: 1, maxLength: 5 }), (yaml, mutations) => {
        const path = yaml ? 'f.yaml' : 'f.json'
        const text = mutations.reduce(mutate, yaml ? VALID_YAML : VALID_JSON)
        parseChecked(path, text)
      }),
      { numRuns: 400 }
    )
  })

  it('keeps __proto__ and constructor keys out of Object.prototype and reports them as unknown keys', () => {
    fc.assert(
      fc.property(fc.constantFrom('__proto__', 'constructor'), fc.boolean(), (key, inIndex) => {
        const inner = { polluted: true, unique: true }
        const index: Record<string, unknown> = { name: 'idx_a', fields: ['status'] }
        const doc: Record<string, unknown> = { customObjectId: T, indexes: [index] }
        Object.defineProperty(inIndex ? index : doc, key, { value: inner, enumerable: true })
        for (const [path, text] of [
          ['f.json', JSON.stringify(doc)],
          ['f.yaml', yamlStringify(doc)]
        ] as const) {
          const outcome = parseIndexFile(path, text, T)
          checkOutcome(path, text, outcome)
          expect(outcome.loaded).toBeUndefined()
          expect(outcome.findings.some(f => f.message.includes(key))).toBe(true)
          expect(({} as Record<string, unknown>).polluted).toBeUndefined()
        }
      }),
      { numRuns: 20 }
    )
  })
})

// ---------------------------------------------------------------------------------------------------------
// Arbitraries for documents and files (shapes of src/model.ts)

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

const isoDate = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map(d => d.toISOString())

const schemaDocument: fc.Arbitrary<SchemaDocument> = withExtras(
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

const indexFile: fc.Arbitrary<IndexFile> = fc.record(
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

// ---------------------------------------------------------------------------------------------------------
// Merge

describe('mergeIndexFile on arbitrary documents and files', () => {
  it('never throws and leaves its inputs untouched', () => {
    fc.assert(
      fc.property(schemaDocument, indexFile, (live, file) => {
        const liveBefore = structuredClone(live)
        const fileBefore = structuredClone(file)
        const result = mergeIndexFile(live, file)
        expect(live).toEqual(liveBefore)
        expect(file).toEqual(fileBefore)
        for (const list of Object.values(result.diff)) expect(Array.isArray(list)).toBe(true)
      }),
      { numRuns: RUNS }
    )
  })

  it('merging a file twice equals merging it once, and the second diff adds and modifies nothing', () => {
    const seen = { added: 0, modified: 0, removed: 0, unmanaged: 0 }
    fc.assert(
      fc.property(schemaDocument, indexFile, (live, file) => {
        const once = mergeIndexFile(live, file)
        const twice = mergeIndexFile(once.document, file)
        expect(twice.document).toEqual(once.document)
        expect(twice.diff.added).toEqual([])
        expect(twice.diff.modified).toEqual([])
        for (const kind of Object.keys(seen) as (keyof typeof seen)[])
          if (once.diff[kind].length > 0) seen[kind]++
      }),
      { numRuns: RUNS }
    )
    // The arbitraries reach every kind of change, so the property says something about each.
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(RUNS / 20)
  })
})

// ---------------------------------------------------------------------------------------------------------
// Diff

/** Keys sorted by UTF-16 code units, written as JSON.stringify(…, null, 2) writes (independent of diff.ts). */
function prettyCanonical(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const inner = indent + '  '
    return `[\n${value.map(v => inner + prettyCanonical(v ?? null, inner)).join(',\n')}\n${indent}]`
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    const keys = Object.keys(record)
      .filter(k => record[k] !== undefined)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    if (keys.length === 0) return '{}'
    const inner = indent + '  '
    return `{\n${keys.map(k => `${inner}${JSON.stringify(k)}: ${prettyCanonical(record[k], inner)}`).join(',\n')}\n${indent}}`
  }
  return JSON.stringify(value)
}

/** The document as the diff shows it: schemaVersion, lastUpdated, selfUri and index status/statusReason out. */
function shown(doc: SchemaDocument): string {
  const { schemaVersion: _v, lastUpdated: _l, selfUri: _s, ...rest } = doc
  const indexes = doc.indexes.map(({ status: _st, statusReason: _r, ...index }) => index)
  return prettyCanonical({ ...rest, indexes })
}

/** Applies a unified diff to `before`; throws when a context or removed line does not match. */
function applyPatch(before: string, patch: string): string {
  const old = before.split('\n')
  const lines = patch.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  expect(lines[0]).toBe('--- live')
  expect(lines[1]).toBe('+++ proposed')
  const out: string[] = []
  let cursor = 0
  let i = 2
  while (i < lines.length) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(lines[i]!)
    if (!header) throw new Error(`expected a hunk header, got ${JSON.stringify(lines[i])}`)
    const oldStart = Number(header[1])
    const oldCount = header[2] === undefined ? 1 : Number(header[2])
    const newCount = header[4] === undefined ? 1 : Number(header[4])
    const start = oldCount === 0 ? oldStart : oldStart - 1
    if (start < cursor) throw new Error(`hunk at ${oldStart} overlaps the previous one`)
    out.push(...old.slice(cursor, start))
    cursor = start
    let seenOld = 0
    let seenNew = 0
    for (i++; i < lines.length && !lines[i]!.startsWith('@@'); i++) {
      const line = lines[i]!
      const tag = line[0]
      const body = line.slice(1)
      if (tag === '\\') continue
      if (tag === ' ' || tag === '-') {
        if (old[cursor] !== body)
          throw new Error(
            `line ${cursor + 1}: expected ${JSON.stringify(old[cursor])}, patch says ${JSON.stringify(body)}`
          )
        cursor++
        seenOld++
        if (tag === ' ') {
          out.push(body)
          seenNew++
        }
      } else if (tag === '+') {
        out.push(body)
        seenNew++
      } else {
        throw new Error(`unexpected patch line ${JSON.stringify(line)}`)
      }
    }
    expect(seenOld).toBe(oldCount)
    expect(seenNew).toBe(newCount)
  }
  out.push(...old.slice(cursor))
  return out.join('\n')
}

describe('textDiff on arbitrary documents', () => {
  it('is empty for equal documents, however their keys are ordered', () => {
    fc.assert(
      fc.property(schemaDocument, fc.integer(), (doc, seed) => {
        expect(textDiff(doc, structuredClone(doc))).toBe('')
        expect(textDiff(doc, shuffleDeep(doc, seed) as SchemaDocument)).toBe('')
      }),
      { numRuns: RUNS }
    )
  })

  it('is a patch: applying its lines to the live text gives the merged text', () => {
    fc.assert(
      fc.property(schemaDocument, indexFile, (live, file) => {
        const merged = mergeIndexFile(live, file).document
        const patch = textDiff(live, merged)
        const before = shown(live)
        const after = shown(merged)
        if (before === after) expect(patch).toBe('')
        else expect(applyPatch(before, patch)).toBe(after)
      }),
      { numRuns: RUNS }
    )
  })

  it('is a patch between two unrelated documents too', () => {
    fc.assert(
      fc.property(schemaDocument, schemaDocument, (a, b) => {
        const patch = textDiff(a, b)
        if (shown(a) === shown(b)) expect(patch).toBe('')
        else expect(applyPatch(shown(a), patch)).toBe(shown(b))
      }),
      { numRuns: RUNS }
    )
  })
})

// ---------------------------------------------------------------------------------------------------------
// Hash

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
function shuffleDeep(value: unknown, seed: number): unknown {
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

const readOnlyChange = fc.record({
  schemaVersion: fc.integer({ min: 1, max: 1_000_000 }),
  lastUpdated: fc.option(isoDate, { nil: undefined }),
  selfUri: fc.option(fc.string(), { nil: undefined }),
  status: fc.option(fc.constantFrom(...INDEX_STATUSES), { nil: undefined }),
  statusReason: fc.option(fc.string(), { nil: undefined })
})

type ReadOnlyChange = typeof readOnlyChange extends fc.Arbitrary<infer C> ? C : never

/** The document with its read-only keys (A4) set as `change` says. */
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
      fc.property(schemaDocument, fc.integer(), (doc, seed) => {
        expect(payloadHash(shuffleDeep(doc, seed) as SchemaDocument)).toBe(payloadHash(doc))
      }),
      { numRuns: RUNS }
    )
  })

  it('the payload hash ignores schemaVersion, lastUpdated, selfUri and index status/statusReason', () => {
    fc.assert(
      fc.property(schemaDocument, readOnlyChange, (doc, change) => {
        expect(payloadHash(withReadOnly(doc, change))).toBe(payloadHash(doc))
      }),
      { numRuns: RUNS }
    )
  })

  it('the payload hash changes when an index definition changes', () => {
    fc.assert(
      fc.property(
        schemaDocument.filter(d => d.indexes.length > 0),
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

/** A change to any key: a read-only one (A4), or another key of the document or of an index. */
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
      fc.property(schemaDocument, anyChange, (doc, change) => {
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
