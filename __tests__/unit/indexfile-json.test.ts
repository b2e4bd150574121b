import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findJsonSyntaxError } from '../../src/indexfile/json-syntax.js'
import { parseIndexFile } from '../../src/indexfile/parse.js'

const lineOfOffset = (text: string, offset: number): number => text.slice(0, offset).split('\n').length

describe('findJsonSyntaxError', () => {
  it('finds nothing in valid JSON', () => {
    for (const text of [
      '{}',
      '[]',
      ' 1 ',
      '"a\\u00e9\\n"',
      '{"a": [1, -2.5e3, true, false, null, {"b": {}}]}'
    ]) {
      expect(findJsonSyntaxError(text)).toBeUndefined()
    }
  })

  it('agrees with JSON.parse on whether any JSON-ish text is valid', () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.json().map(text => text.replace(/,/, ',,')),
      fc.json().map(text => text.replace(/\]/, ',]')),
      fc.json().map(text => text.slice(0, Math.max(0, text.length - 1))),
      fc.string({
        unit: fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '1', 'a', ' ', '\\', 'n', '-', '.')
      })
    )
    fc.assert(
      fc.property(jsonish, text => {
        let valid = true
        try {
          JSON.parse(text)
        } catch {
          valid = false
        }
        expect(findJsonSyntaxError(text) === undefined).toBe(valid)
      }),
      { numRuns: 2000 }
    )
  })

  it('points at a trailing comma in a list', () => {
    const text = '{\n  "indexes": [\n    {"name": "a"},\n  ]\n}\n'
    const error = findJsonSyntaxError(text)!
    expect(lineOfOffset(text, error.offset)).toBe(4)
    expect(error.message).toMatch(/trailing comma/)
  })

  it('points at a trailing comma in an object', () => {
    const text = '{"a": 1,\n}'
    expect(lineOfOffset(text, findJsonSyntaxError(text)!.offset)).toBe(2)
  })

  it('points at an unquoted key', () => {
    const text = '{\n  indexes: []\n}'
    const error = findJsonSyntaxError(text)!
    expect(lineOfOffset(text, error.offset)).toBe(2)
    expect(error.message).toMatch(/expected a double-quoted key/)
  })

  it('points at the opening quote of a string that is never closed', () => {
    const text = '{\n  "a": "open\n}'
    expect(lineOfOffset(text, findJsonSyntaxError(text)!.offset)).toBe(2)
  })

  it('reports text after the value', () => {
    expect(findJsonSyntaxError('{} {}')?.message).toMatch(/after the end/)
  })

  it('handles any nesting depth', () => {
    const text = `${'['.repeat(100_000)}${']'.repeat(99_999)}`
    expect(findJsonSyntaxError(text)?.message).toMatch(/end of input/)
  })
})

describe('parseIndexFile: syntax lines', () => {
  it('puts a JSON trailing comma on its line', () => {
    const text =
      '{\n  "customObjectId": "x",\n  "indexes": [\n    { "name": "idx_a", "fields": ["status"] },\n  ]\n}\n'
    const [finding] = parseIndexFile('ticket.json', text).findings
    expect(finding?.line).toBe(5)
    expect(finding?.message).toMatch(/^JSON syntax error: .*trailing comma/)
  })

  it('puts a JSON file that ends early on its last line', () => {
    const text = '{\n  "indexes": [\n    { "name": "idx_a", "fields": ["status"] }\n'
    expect(parseIndexFile('ticket.json', text).findings[0]?.line).toBe(3)
  })

  it('checks a file without extension that starts with a brace as JSON', () => {
    const text = '{\n  "customObjectId": "x",\n  "indexes": [,]\n}\n'
    const [finding] = parseIndexFile('ticket.idx', text).findings
    expect(finding?.message).toMatch(/^JSON syntax error/)
    expect(finding?.line).toBe(3)
  })

  it('puts a YAML list never closed on the last line of the file', () => {
    const text = 'customObjectId: x\nindexes:\n  - name: idx_a\n    fields: [status, priority\n'
    const [finding] = parseIndexFile('ticket.yaml', text).findings
    expect(finding?.line).toBe(4)
  })

  it('reports an alias without an anchor on its line', () => {
    const text = 'customObjectId: x\nindexes:\n  - name: idx_a\n    fields: *missing\n'
    const findings = parseIndexFile('ticket.yaml', text).findings
    expect(findings.map(f => [f.line, f.message])).toEqual([
      [4, 'alias *missing names no anchor: define &missing before it, or write the value']
    ])
  })

  it('resolves an alias with its anchor', () => {
    const text = 'indexes:\n  - name: a\n    fields: &f [status]\n  - name: b\n    fields: *f\n'
    expect(parseIndexFile('ticket.yaml', text).loaded?.file.indexes[1]?.fields).toEqual(['status'])
  })
})
