import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { stringify as yamlStringify } from 'yaml'
import {
  detectFormat,
  MAX_INDEX_FILE_BYTES,
  nestingOver,
  parseIndexFile,
  type ParseOutcome
} from '../../src/indexfile/parse.js'
import type { Finding } from '../../src/model.js'
import { RUNS } from '../helpers/arbitraries.js'

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/core/${name}`, import.meta.url), 'utf8')

function findingsOf(path: string, text: string, fallback = 'fallback-id'): Finding[] {
  const outcome = parseIndexFile(path, text, fallback)
  expect(outcome.loaded).toBeUndefined()
  return outcome.findings
}

describe('parseIndexFile: valid files', () => {
  // docs/rules.md#what-the-file-holds
  it('loads the documented example file in YAML', () => {
    const outcome = parseIndexFile('indexes/ticket.yaml', fixture('ticket.yaml'))
    expect(outcome.findings).toEqual([])
    expect(outcome.loaded?.file).toEqual({
      customObjectId: '0b4f0ac2-8f0e-4e2a-9d3c-6d1b1f6e2a11',
      indexes: [
        {
          name: 'idx_status_priority',
          fields: ['status', 'priority'],
          order: ['asc', 'desc'],
          unique: false
        },
        { name: 'idx_account_tier', fields: ['account.tier'] }
      ],
      fieldOptimizations: { status: { cardinalityHint: 'low' } },
      prune: false,
      probes: [{ index: 'idx_status_priority', values: { status: 'open' } }]
    })
    expect(outcome.loaded?.path).toBe('indexes/ticket.yaml')
  })

  it('loads the same file written as JSON', () => {
    const outcome = parseIndexFile('indexes/ticket.json', fixture('ticket.json'))
    expect(outcome.findings).toEqual([])
    expect(outcome.loaded?.file.indexes.map(index => index.name)).toEqual([
      'idx_status_priority',
      'idx_account_tier'
    ])
  })

  it('accepts an empty index list', () => {
    const outcome = parseIndexFile('a.yaml', 'indexes: []\n')
    expect(outcome.loaded?.file).toEqual({ indexes: [] })
  })

  it('gives the line of a list item, of a mapping key, and of the nearest ancestor for a missing node', () => {
    const loaded = parseIndexFile('a.yaml', fixture('ticket.yaml')).loaded!
    expect(loaded.lineOf(['indexes', 0, 'fields', 1])).toBe(4)
    expect(loaded.lineOf(['indexes', 1, 'name'])).toBe(7)
    expect(loaded.lineOf(['indexes', 1, 'fields', 0])).toBe(8)
    expect(loaded.lineOf(['fieldOptimizations', 'status'])).toBe(10)
    expect(loaded.lineOf(['prune'])).toBe(11)
    expect(loaded.lineOf(['indexes', 1, 'order', 0])).toBe(7)
    expect(loaded.lineOf(['indexes', 9])).toBe(2)
    expect(loaded.lineOf([])).toBe(1)
  })

  it('gives lines in a JSON file', () => {
    const loaded = parseIndexFile('a.json', fixture('ticket.json')).loaded!
    expect(loaded.lineOf(['indexes', 1, 'fields', 0])).toBe(5)
    expect(loaded.lineOf(['fieldOptimizations', 'status', 'cardinalityHint'])).toBe(7)
  })
})

describe('detectFormat', () => {
  it('chooses by extension, then by a leading brace', () => {
    expect(detectFormat('a.json', 'indexes: []')).toBe('json')
    expect(detectFormat('a.YML', '{}')).toBe('yaml')
    expect(detectFormat('a.yaml', '{}')).toBe('yaml')
    expect(detectFormat('indexfile', '  {"indexes": []}')).toBe('json')
    expect(detectFormat('indexfile', 'indexes: []')).toBe('yaml')
  })
})

describe('parseIndexFile: file-invalid findings', () => {
  it('names the key path and line of a wrong type', () => {
    const findings = findingsOf(
      'a.yaml',
      'indexes:\n  - name: a\n    fields: [x]\n  - name: b\n    fields: x\n'
    )
    expect(findings).toEqual([
      {
        severity: 'error',
        rule: 'file-invalid',
        customObjectId: 'fallback-id',
        message: 'indexes[1].fields: expected a list of strings, found the string "x"',
        file: 'a.yaml',
        line: 5
      }
    ])
  })

  it('reports a missing required key on the line of its parent', () => {
    const [finding] = findingsOf('a.yaml', 'indexes:\n  - name: a\n')
    expect(finding?.message).toMatch(/^indexes\[0\]\.fields: required key missing/)
    expect(finding?.line).toBe(2)
  })

  it('reports a missing indexes key', () => {
    const [finding] = findingsOf('a.yaml', 'prune: true\n')
    expect(finding?.message).toMatch(/^indexes: required key missing/)
    expect(finding?.line).toBe(1)
  })

  it('reports each problem as its own finding, with the object id of the file', () => {
    const text = [
      'customObjectId: obj-1',
      'indexes:',
      '  - name: a',
      '    fields: []',
      '    order: [up]',
      '    colour: red',
      'fieldOptimizations:',
      '  status: { cardinalityHint: low, indexed: true }',
      'probes:',
      '  - index: a',
      '    values: { status: [1] }',
      ''
    ].join('\n')
    const findings = findingsOf('a.yaml', text)
    expect(findings.map(f => [f.line, f.message])).toEqual([
      [4, 'indexes[0].fields: must list at least 1 item(s)'],
      [5, 'indexes[0].order[0]: expected one of asc, desc, found the string "up"'],
      [6, 'indexes[0].colour: unknown key (allowed: name, fields, order, unique): remove or rename it'],
      [8, 'fieldOptimizations.status.indexed: unknown key (allowed: cardinalityHint): remove or rename it'],
      [11, 'probes[0].values.status: expected a string, number or boolean, found a list']
    ])
    expect(new Set(findings.map(f => f.customObjectId))).toEqual(new Set(['obj-1']))
    expect(findings.every(f => f.rule === 'file-invalid' && f.severity === 'error')).toBe(true)
  })

  it('rejects an empty customObjectId', () => {
    const [finding] = findingsOf('a.yaml', 'customObjectId: ""\nindexes: []\n')
    expect(finding?.message).toBe('customObjectId: must not be empty')
    expect(finding?.customObjectId).toBe('fallback-id')
  })

  it('rejects an unknown top-level key', () => {
    const [finding] = findingsOf('a.yaml', 'indexes: []\nprobe: true\n')
    expect(finding?.message).toMatch(/^probe: unknown key \(allowed: customObjectId, indexes/)
    expect(finding?.line).toBe(2)
  })

  it('reports a YAML syntax error with its line', () => {
    const [finding] = findingsOf('a.yaml', 'indexes:\n  - name: a\n    fields: [x\n')
    expect(finding?.message).toMatch(/^YAML syntax error: /)
    expect(finding?.message).not.toContain('\n')
    expect(finding?.line).toBeGreaterThanOrEqual(3)
  })

  it('names the object of a broken file when its id is still readable', () => {
    const [finding] = findingsOf('a.yaml', 'customObjectId: obj-9\nindexes:\n  - name: a\n    fields: [x\n')
    expect(finding?.customObjectId).toBe('obj-9')
  })

  it('reports a JSON syntax error with its line', () => {
    const findings = findingsOf('a.json', '{\n  "indexes": [\n    {"name": "a",}\n  ]\n}\n')
    expect(findings).toHaveLength(1)
    expect(findings[0]?.message).toMatch(/^JSON syntax error: /)
    expect(findings[0]?.line).toBe(3)
  })

  it('reports a truncated JSON file', () => {
    const [finding] = findingsOf('a.json', '{\n  "indexes": [\n')
    expect(finding?.message).toMatch(/^JSON syntax error: /)
    expect(finding?.line).toBe(2)
  })

  it('reports a duplicate key', () => {
    const [finding] = findingsOf('a.yaml', 'indexes: []\nprune: true\nprune: false\n')
    expect(finding?.message).toBe('YAML: duplicate key in a mapping: keep only one of them')
    expect(finding?.line).toBe(3)
  })

  it('reports a duplicate key in JSON', () => {
    const [finding] = findingsOf('a.json', '{"indexes": [],\n "indexes": []}')
    expect(finding?.message).toMatch(/^JSON: duplicate key/)
    expect(finding?.line).toBe(2)
  })

  it('reports an empty file', () => {
    const [finding] = findingsOf('a.yaml', '  \n\n')
    expect(finding?.message).toMatch(/^the file is empty/)
  })

  it('reports a file that is a list, not a mapping', () => {
    const [finding] = findingsOf('a.yaml', '- name: a\n  fields: [x]\n')
    expect(finding?.message).toMatch(/must be a mapping .* found a list/)
  })

  it('reports a file that is only a comment', () => {
    const [finding] = findingsOf('a.yaml', '# nothing here\n')
    expect(finding?.message).toMatch(/must be a mapping .* found nothing/)
  })

  it('turns a __proto__ key into a clean finding without touching prototypes', () => {
    const findings = findingsOf('a.json', '{"__proto__": {"polluted": true}, "indexes": []}')
    expect(findings).toHaveLength(1)
    expect(findings[0]?.message).toMatch(/^__proto__: unknown key/)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('reports a __proto__ key inside fieldOptimizations or probe values instead of dropping it', () => {
    const text =
      '{"indexes": [{"name": "a", "fields": ["x"]}],\n' +
      ' "fieldOptimizations": {"__proto__": {"cardinalityHint": "low"}},\n' +
      ' "probes": [{"index": "a", "values": {"__proto__": 1}}]}'
    expect(findingsOf('a.json', text).map(f => [f.line, f.message])).toEqual([
      [2, 'fieldOptimizations.__proto__: the key __proto__ is not allowed: remove it'],
      [3, 'probes[0].values.__proto__: the key __proto__ is not allowed: remove it']
    ])
  })

  it('turns a YAML constructor key into a finding', () => {
    const findings = findingsOf('a.yaml', 'indexes: []\nconstructor: { prototype: { polluted: true } }\n')
    expect(findings[0]?.message).toMatch(/^constructor: unknown key/)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('refuses a file over 1 MiB before parsing it', () => {
    const text = `indexes: []\n#${'x'.repeat(MAX_INDEX_FILE_BYTES)}\n`
    const [finding] = findingsOf('a.yaml', text)
    expect(finding?.message).toMatch(/over the 1048576-byte limit/)
  })

  it.each([
    ['flow lists', 'a.yaml', `indexes: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`, 1],
    ['JSON arrays', 'a.json', `{"indexes": ${'['.repeat(10_000)}${']'.repeat(10_000)}}\n`, 1],
    [
      'block mappings',
      'a.yaml',
      'indexes:\n  - name: idx_a\n    unique:\n' +
        Array.from({ length: 1000 }, (_, i) => `${' '.repeat(5 + i)}k${i}:\n`).join(''),
      // indexes, the list item, unique, then k0 on line 4 is level 4: level 65 is on line 65.
      65
    ],
    ['sequence entries on one line', 'a.yaml', `indexes:\n  ${'- '.repeat(100)}x\n`, 2]
  ])(
    'refuses %s nested too deeply with one finding on the line where the limit is passed',
    (_, file, text, line) => {
      for (let run = 0; run < 3; run++) {
        const findings = findingsOf(file, text)
        expect(findings.map(f => [f.rule, f.line])).toEqual([['file-invalid', line]])
        expect(findings[0]?.message).toMatch(/nests more than 64 levels deep/)
      }
    }
  )

  it('reads a file nested as deep as the limit allows past the nesting check', () => {
    // 60 levels of flow lists: over the index file's rules, but not refused as too deep.
    const findings = findingsOf('a.yaml', `indexes: ${'['.repeat(60)}${']'.repeat(60)}\n`)
    expect(findings.some(f => /nests more than/.test(f.message))).toBe(false)
  })

  it('does not count brackets inside quotes or comments', () => {
    const text = `customObjectId: x\nindexes: [] # ${'['.repeat(100)}\nnote: "${'{'.repeat(100)}"\n`
    expect(nestingOver(text)).toBeUndefined()
  })

  it('refuses an alias bomb', () => {
    const text = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'indexes: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
      ''
    ].join('\n')
    const findings = findingsOf('a.yaml', text)
    expect(findings).toHaveLength(1)
    expect(findings[0]?.message).toMatch(/cannot be read/)
  })

  it('keeps every message on one line', () => {
    const findings = findingsOf('a.yaml', 'indexes:\n  - name: a\n   fields: [x]\n  bad')
    expect(findings.length).toBeGreaterThan(0)
    for (const finding of findings) expect(finding.message).not.toMatch(/\n/)
  })
})

// ---------------------------------------------------------------------------------------------------------
// Properties: the parser never throws and reports only clean `file-invalid` findings, whatever the text

const T = '0b4f0ac2-8f0e-4e2a-9d3c-6d1b1f6e2a11'

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
