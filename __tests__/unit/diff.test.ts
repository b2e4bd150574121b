import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { SchemaDocument } from '../../src/model.js'
import { textDiff, unifiedDiff } from '../../src/plan/diff.js'
import { canonicalLines, hashedDocument } from '../../src/plan/schema-doc.js'
import { mergeIndexFile } from '../../src/plan/merge.js'
import { ticketDoc } from '../fixtures/core/docs.js'
import { indexFileArb, RUNS, schemaDocumentArb, shuffleDeep } from '../helpers/arbitraries.js'

/** Applies a unified diff to `oldLines`, checking every context and removed line on the way. */
function applyDiff(oldLines: string[], diff: string): string[] {
  if (diff === '') return oldLines
  const lines = diff.split('\n')
  expect(lines[0]).toBe('--- live')
  expect(lines[1]).toBe('+++ proposed')
  expect(lines[lines.length - 1]).toBe('')
  const out: string[] = []
  let cursor = 0
  let i = 2
  while (i < lines.length - 1) {
    const header = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$/.exec(lines[i]!)
    expect(header).not.toBeNull()
    const [, oldStart, oldCount, newStart, newCount] = header!.map(Number) as [
      number,
      number,
      number,
      number,
      number
    ]
    const start = oldCount === 0 ? oldStart : oldStart - 1
    while (cursor < start) out.push(oldLines[cursor++]!)
    expect(out.length).toBe(newCount === 0 ? newStart : newStart - 1)
    i++
    let seenOld = 0
    let seenNew = 0
    while (i < lines.length - 1 && !lines[i]!.startsWith('@@')) {
      const line = lines[i]!
      const text = line.slice(1)
      if (line.startsWith(' ') || line.startsWith('-')) {
        expect(oldLines[cursor]).toBe(text)
        cursor++
        seenOld++
      }
      if (line.startsWith(' ') || line.startsWith('+')) {
        out.push(text)
        seenNew++
      }
      i++
    }
    expect([seenOld, seenNew]).toEqual([oldCount, newCount])
  }
  while (cursor < oldLines.length) out.push(oldLines[cursor++]!)
  return out
}

describe('canonicalLines', () => {
  it('writes keys sorted, 2-space indented, like JSON.stringify of a key-sorted value', () => {
    expect(canonicalLines({ b: [1, { d: true, c: null }], a: {}, e: [] })).toEqual([
      '{',
      '  "a": {},',
      '  "b": [',
      '    1,',
      '    {',
      '      "c": null,',
      '      "d": true',
      '    }',
      '  ],',
      '  "e": []',
      '}'
    ])
  })

  it('sorts integer-like keys as strings, not first', () => {
    expect(canonicalLines({ b: 1, '10': 2, '9': 3 }).join('')).toBe('{  "10": 2,  "9": 3,  "b": 1}')
  })
})

describe('textDiff', () => {
  it('is empty when the documents are equal', () => {
    expect(textDiff(ticketDoc(), ticketDoc())).toBe('')
  })

  it('ignores schemaVersion, lastUpdated, selfUri and index status', () => {
    const live = ticketDoc()
    const other: SchemaDocument = {
      ...live,
      schemaVersion: 8,
      lastUpdated: 'later',
      selfUri: 'x',
      indexes: live.indexes.map(index => ({ ...index, status: 'building' as const, statusReason: 'r' }))
    }
    expect(textDiff(live, other)).toBe('')
  })

  it('shows an added index as one hunk with three lines of context', () => {
    const live = ticketDoc()
    const merged = mergeIndexFile(live, { indexes: [{ name: 'idx_p', fields: ['priority'] }] }).document
    expect(textDiff(live, merged)).toBe(
      [
        '--- live',
        '+++ proposed',
        '@@ -62,6 +62,12 @@',
        '       "order": [',
        '         "desc"',
        '       ]',
        '+    },',
        '+    {',
        '+      "fields": [',
        '+        "priority"',
        '+      ],',
        '+      "name": "idx_p"',
        '     }',
        '   ],',
        '   "name": "Ticket"',
        ''
      ].join('\n')
    )
  })

  it('keeps the id in the diffed text', () => {
    const live = ticketDoc()
    const renamed = { ...live, id: 'other' }
    expect(textDiff(live, renamed)).toContain('-  "id": "0b4f0ac2-8f0e-4e2a-9d3c-6d1b1f6e2a11",')
  })

  it('writes separate hunks for changes far apart', () => {
    const live = ticketDoc()
    const merged = mergeIndexFile(live, {
      indexes: [{ name: 'idx_new', fields: ['subject'] }],
      fieldOptimizations: { status: { cardinalityHint: 'low' } }
    }).document
    const diff = textDiff(live, merged)
    expect(diff.split('\n').filter(line => line.startsWith('@@'))).toHaveLength(2)
  })

  it('stays fast and correct for a 5,000-field document with 1,000 new indexes', () => {
    const fields = Array.from({ length: 5000 }, (_, i) => ({ name: `f${i}`, type: 'number' }))
    const live: SchemaDocument = { id: 'big', name: 'Big', schemaVersion: 1, fields, indexes: [] }
    const merged: SchemaDocument = {
      ...live,
      fields: fields.map((field, i) =>
        i % 500 === 0 ? { ...field, cardinalityHint: 'high' as const } : field
      ),
      indexes: Array.from({ length: 1000 }, (_, i) => ({ name: `idx_${i}`, fields: [`f${i}`, `f${i + 1}`] }))
    }
    const diff = textDiff(live, merged)
    const oldLines = canonicalLines(hashedDocument(live))
    const newLines = canonicalLines(hashedDocument(merged))
    expect(applyDiff(oldLines, diff)).toEqual(newLines)
  })
})

describe('unifiedDiff', () => {
  it('turns the old lines into the new ones, for any edit', () => {
    const linesArb = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 40 })
    fc.assert(
      fc.property(linesArb, linesArb, (a, b) => {
        const diff = unifiedDiff(a, b)
        expect(diff === '').toBe(a.join('\n') === b.join('\n') && a.length === b.length)
        expect(applyDiff(a, diff)).toEqual(b)
      }),
      { numRuns: 500 }
    )
  })

  it('finds a minimal edit for a single changed line', () => {
    const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9']
    const b = ['1', '2', '3', '4', 'X', '6', '7', '8', '9']
    expect(unifiedDiff(a, b)).toBe(
      [
        '--- live',
        '+++ proposed',
        '@@ -2,7 +2,7 @@',
        ' 2',
        ' 3',
        ' 4',
        '-5',
        '+X',
        ' 6',
        ' 7',
        ' 8',
        ''
      ].join('\n')
    )
  })

  it('numbers an insertion into an empty file from zero', () => {
    expect(unifiedDiff([], ['x'])).toBe('--- live\n+++ proposed\n@@ -0,0 +1,1 @@\n+x\n')
  })

  it('falls back to a block replacement when the edit distance is huge, and stays correct', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`)
    const b = Array.from({ length: 3000 }, (_, i) => (i % 2 === 0 ? `a${i}` : `b${i}`))
    expect(applyDiff(a, unifiedDiff(a, b))).toEqual(b)
  })
})

// ---------------------------------------------------------------------------------------------------------
// Properties over arbitrary documents (helpers/arbitraries.ts): the text diff is a correct patch

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
      fc.property(schemaDocumentArb, fc.integer(), (doc, seed) => {
        expect(textDiff(doc, structuredClone(doc))).toBe('')
        expect(textDiff(doc, shuffleDeep(doc, seed) as SchemaDocument)).toBe('')
      }),
      { numRuns: RUNS }
    )
  })

  it('is a patch: applying its lines to the live text gives the merged text', () => {
    fc.assert(
      fc.property(schemaDocumentArb, indexFileArb, (live, file) => {
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
      fc.property(schemaDocumentArb, schemaDocumentArb, (a, b) => {
        const patch = textDiff(a, b)
        if (shown(a) === shown(b)) expect(patch).toBe('')
        else expect(applyPatch(shown(a), patch)).toBe(shown(b))
      }),
      { numRuns: RUNS }
    )
  })
})
