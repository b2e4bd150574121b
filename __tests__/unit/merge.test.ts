import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { IndexFile, LiveIndex, SchemaDocument } from '../../src/model.js'
import { mergeIndexFile } from '../../src/plan/merge.js'
import { ticketDoc } from '../fixtures/core/docs.js'
import { indexFileArb, RUNS, schemaDocumentArb } from '../helpers/arbitraries.js'

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

const indexNamed = (doc: SchemaDocument, name: string): LiveIndex | undefined =>
  doc.indexes.find(index => index.name === name)

describe('mergeIndexFile', () => {
  it('adds a new index at the end, in file order', () => {
    const file: IndexFile = {
      indexes: [
        { name: 'idx_b', fields: ['priority'] },
        { name: 'idx_a', fields: ['subject'], order: ['desc'], unique: true }
      ]
    }
    const { document, diff } = mergeIndexFile(ticketDoc(), file)
    expect(document.indexes.map(index => index.name)).toEqual(['idx_status', 'idx_opened', 'idx_b', 'idx_a'])
    expect(indexNamed(document, 'idx_a')).toEqual({
      name: 'idx_a',
      fields: ['subject'],
      order: ['desc'],
      unique: true
    })
    expect(diff).toEqual({
      added: ['idx_b', 'idx_a'],
      modified: [],
      removed: [],
      unmanaged: ['idx_status', 'idx_opened']
    })
  })

  it('modifies a same-name index with the file fields and keeps its other keys but not its status', () => {
    const live = ticketDoc()
    live.indexes[0] = {
      name: 'idx_status',
      fields: ['status'],
      status: 'failed',
      statusReason: 'x',
      shard: 3
    }
    const { document, diff } = mergeIndexFile(live, {
      indexes: [{ name: 'idx_status', fields: ['status', 'priority'] }]
    })
    expect(indexNamed(document, 'idx_status')).toEqual({
      name: 'idx_status',
      fields: ['status', 'priority'],
      shard: 3
    })
    expect(diff.modified).toEqual(['idx_status'])
  })

  it('treats a change of order or unique as a modification', () => {
    const order = mergeIndexFile(ticketDoc(), { indexes: [{ name: 'idx_opened', fields: ['openedAt'] }] })
    expect(order.diff.modified).toEqual(['idx_opened'])
    expect(indexNamed(order.document, 'idx_opened')).not.toHaveProperty('order')
    const unique = mergeIndexFile(ticketDoc(), {
      indexes: [{ name: 'idx_status', fields: ['status'], unique: true }]
    })
    expect(unique.diff.modified).toEqual(['idx_status'])
    expect(indexNamed(unique.document, 'idx_status')?.unique).toBe(true)
  })

  it('does not count order [asc] against no order, or unique false against none, as a change', () => {
    const live = ticketDoc()
    const { document, diff } = mergeIndexFile(live, {
      indexes: [
        { name: 'idx_status', fields: ['status'], order: ['asc'], unique: false },
        { name: 'idx_opened', fields: ['openedAt'], order: ['desc'] }
      ]
    })
    expect(diff).toEqual({ added: [], modified: [], removed: [], unmanaged: [] })
    expect(document.indexes).toEqual(live.indexes)
  })

  it('keeps and lists a live index the file does not name', () => {
    const { document, diff } = mergeIndexFile(ticketDoc(), {
      indexes: [{ name: 'idx_status', fields: ['status'] }]
    })
    expect(indexNamed(document, 'idx_opened')).toEqual(ticketDoc().indexes[1])
    expect(diff.unmanaged).toEqual(['idx_opened'])
    expect(diff.removed).toEqual([])
  })

  it('drops and lists a live index the file does not name when prune is true', () => {
    const { document, diff } = mergeIndexFile(ticketDoc(), {
      indexes: [{ name: 'idx_status', fields: ['status'] }],
      prune: true
    })
    expect(document.indexes.map(index => index.name)).toEqual(['idx_status'])
    expect(diff).toEqual({ added: [], modified: [], removed: ['idx_opened'], unmanaged: [] })
  })

  it('sets only the given field optimizations on the named fields', () => {
    const live = ticketDoc()
    const { document } = mergeIndexFile(live, {
      indexes: [],
      fieldOptimizations: {
        status: { cardinalityHint: 'low' },
        priority: {},
        nosuch: { cardinalityHint: 'high' }
      }
    })
    expect(document.fields[0]).toEqual({
      name: 'status',
      type: 'string',
      maxLength: 32,
      cardinalityHint: 'low'
    })
    expect(document.fields[1]).toEqual(live.fields[1])
    expect(document.fields.map(field => field.name)).toEqual(live.fields.map(field => field.name))
  })

  it('touches nothing else in the document', () => {
    const live = { ...ticketDoc(), description: 'd', customFields: { x: [1] }, extra: 'kept' }
    const { document } = mergeIndexFile(live, { indexes: [{ name: 'idx_new', fields: ['priority'] }] })
    const { indexes: _a, ...restMerged } = document
    const { indexes: _b, ...restLive } = live
    expect(restMerged).toEqual(restLive)
  })

  it('merges a name listed twice once, from its first entry', () => {
    const { document, diff } = mergeIndexFile(ticketDoc(), {
      indexes: [
        { name: 'idx_new', fields: ['priority'] },
        { name: 'idx_new', fields: ['subject'] }
      ]
    })
    expect(document.indexes.filter(index => index.name === 'idx_new')).toEqual([
      { name: 'idx_new', fields: ['priority'] }
    ])
    expect(diff.added).toEqual(['idx_new'])
  })
})

const fieldNames = ['status', 'priority', 'escalated', 'openedAt', 'subject']
const indexNames = ['idx_status', 'idx_opened', 'idx_x', 'idx_y', 'idx_z']
const fileArb: fc.Arbitrary<IndexFile> = fc.record(
  {
    indexes: fc.uniqueArray(
      fc.record(
        {
          name: fc.constantFrom(...indexNames),
          fields: fc.uniqueArray(fc.constantFrom(...fieldNames), { minLength: 1, maxLength: 3 }),
          unique: fc.boolean()
        },
        { requiredKeys: ['name', 'fields'] }
      ),
      { selector: index => index.name, maxLength: 5 }
    ),
    prune: fc.boolean(),
    fieldOptimizations: fc.dictionary(
      fc.constantFrom(...fieldNames, 'nosuch'),
      fc.record({ cardinalityHint: fc.constantFrom('low' as const, 'medium' as const, 'high' as const) }),
      { maxKeys: 3 }
    )
  },
  { requiredKeys: ['indexes'] }
)

describe('mergeIndexFile properties', () => {
  it('never mutates its inputs (deep-frozen live document and file)', () => {
    fc.assert(
      fc.property(fileArb, file => {
        const live = deepFreeze(ticketDoc())
        const frozenFile = deepFreeze(structuredClone(file))
        expect(() => mergeIndexFile(live, frozenFile)).not.toThrow()
        expect(live).toEqual(ticketDoc())
        expect(frozenFile).toEqual(file)
      })
    )
  })

  it('is idempotent: merging the merged document again changes nothing', () => {
    fc.assert(
      fc.property(fileArb, file => {
        const once = mergeIndexFile(ticketDoc(), file).document
        const twice = mergeIndexFile(once, file)
        expect(twice.document).toEqual(once)
        expect(twice.diff.added).toEqual([])
        expect(twice.diff.modified).toEqual([])
        expect(twice.diff.removed).toEqual([])
      })
    )
  })

  it('gives unique index names, with every file index present and every removed one gone', () => {
    fc.assert(
      fc.property(fileArb, file => {
        const { document, diff } = mergeIndexFile(ticketDoc(), file)
        const names = document.indexes.map(index => index.name)
        expect(new Set(names).size).toBe(names.length)
        expect(diff.added.every(name => names.includes(name))).toBe(true)
        expect(diff.removed.some(name => names.includes(name))).toBe(false)
        for (const index of file.indexes) expect(names).toContain(index.name)
      })
    )
  })
})

// ---------------------------------------------------------------------------------------------------------
// Properties over arbitrary documents and files (helpers/arbitraries.ts)

describe('mergeIndexFile on arbitrary documents and files', () => {
  it('never throws and leaves its inputs untouched', () => {
    fc.assert(
      fc.property(schemaDocumentArb, indexFileArb, (live, file) => {
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
      fc.property(schemaDocumentArb, indexFileArb, (live, file) => {
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
