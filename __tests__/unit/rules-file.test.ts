import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS, RULES } from '../../src/model.js'
import type { Finding, Limits, RuleId, Severity } from '../../src/model.js'
import { checkFile, RULE_TABLE } from '../../src/plan/rules.js'
import { loadYaml, TICKET_ID } from '../fixtures/core/docs.js'

function check(yaml: string, limits: Limits = DEFAULT_LIMITS): Finding[] {
  return checkFile(loadYaml(yaml), TICKET_ID, limits)
}
const ofRule = (findings: Finding[], rule: RuleId): Finding[] => findings.filter(f => f.rule === rule)

describe('checkFile', () => {
  it('finds nothing in a clean file', () => {
    const yaml = `indexes:
  - name: idx_status_priority
    fields: [status, priority]
    order: [asc, desc]
  - name: idx_account_tier
    fields: [account.tier]
probes:
  - index: idx_status_priority
    values: { status: open }
`
    expect(check(yaml)).toEqual([])
  })

  describe('invalid-index-name', () => {
    it('reports a name that does not start with a letter, with file and line', () => {
      const findings = ofRule(
        check('indexes:\n  - name: ok\n    fields: [a]\n  - name: 9lives\n    fields: [b]\n'),
        'invalid-index-name'
      )
      expect(findings).toEqual([
        {
          severity: 'error',
          rule: 'invalid-index-name',
          customObjectId: TICKET_ID,
          index: '9lives',
          message: expect.stringMatching(/^Index name "9lives" is not allowed: use a letter/) as string,
          file: 'indexes/ticket.yaml',
          line: 4
        }
      ])
    })

    it('reports a name of 65 characters and one with a dash', () => {
      const long = `a${'b'.repeat(64)}`
      const findings = ofRule(
        check(`indexes:\n  - name: ${long}\n    fields: [a]\n  - name: idx-x\n    fields: [b]\n`),
        'invalid-index-name'
      )
      expect(findings.map(f => f.index)).toEqual([long, 'idx-x'])
    })

    it('accepts a 64-character name with digits and underscores', () => {
      const name = `a${'_1'.repeat(31)}b`
      expect(ofRule(check(`indexes:\n  - name: ${name}\n    fields: [a]\n`), 'invalid-index-name')).toEqual(
        []
      )
    })
  })

  describe('duplicate-index-name', () => {
    it('reports the second index of a name, pointing at the first', () => {
      const findings = ofRule(
        check('indexes:\n  - name: i\n    fields: [a]\n  - name: i\n    fields: [b]\n'),
        'duplicate-index-name'
      )
      expect(findings).toHaveLength(1)
      expect(findings[0]?.line).toBe(4)
      expect(findings[0]?.message).toContain('first at line 2')
    })

    it('does not report distinct names', () => {
      expect(
        ofRule(
          check('indexes:\n  - name: i\n    fields: [a]\n  - name: j\n    fields: [b]\n'),
          'duplicate-index-name'
        )
      ).toEqual([])
    })
  })

  describe('duplicate-index-definition', () => {
    it('reports two indexes with the same fields and the same normalised order', () => {
      const yaml =
        'indexes:\n  - name: i\n    fields: [a, b]\n  - name: j\n    fields: [a, b]\n    order: [asc, asc]\n'
      const findings = ofRule(check(yaml), 'duplicate-index-definition')
      expect(findings.map(f => [f.index, f.line])).toEqual([['j', 5]])
    })

    it('does not report the same fields in another order', () => {
      const yaml =
        'indexes:\n  - name: i\n    fields: [a, b]\n  - name: j\n    fields: [a, b]\n    order: [asc, desc]\n'
      expect(ofRule(check(yaml), 'duplicate-index-definition')).toEqual([])
    })
  })

  describe('order-length-mismatch', () => {
    it('reports an order shorter than the fields', () => {
      const findings = ofRule(
        check('indexes:\n  - name: i\n    fields: [a, b]\n    order: [desc]\n'),
        'order-length-mismatch'
      )
      expect(findings.map(f => [f.index, f.line])).toEqual([['i', 4]])
    })

    it('does not report a missing order', () => {
      expect(ofRule(check('indexes:\n  - name: i\n    fields: [a, b]\n'), 'order-length-mismatch')).toEqual(
        []
      )
    })
  })

  describe('fields-per-index-exceeded', () => {
    it('reports more fields than the limit, on the first field over it', () => {
      const yaml = 'indexes:\n  - name: i\n    fields:\n      - a\n      - b\n      - c\n'
      const findings = ofRule(
        check(yaml, { ...DEFAULT_LIMITS, maxFieldsPerIndex: 2 }),
        'fields-per-index-exceeded'
      )
      expect(findings.map(f => [f.index, f.line])).toEqual([['i', 6]])
      expect(findings[0]?.message).toContain('over the limit of 2')
    })

    it('does not report exactly the limit', () => {
      const yaml = 'indexes:\n  - name: i\n    fields: [a, b]\n'
      expect(
        ofRule(check(yaml, { ...DEFAULT_LIMITS, maxFieldsPerIndex: 2 }), 'fields-per-index-exceeded')
      ).toEqual([])
    })
  })

  describe('index-limit-exceeded', () => {
    const three =
      'indexes:\n  - name: i\n    fields: [a]\n  - name: j\n    fields: [b]\n  - name: k\n    fields: [c]\n'

    it('reports a file that alone proposes more indexes than the limit', () => {
      const findings = ofRule(
        check(three, { ...DEFAULT_LIMITS, maxIndexesPerObject: 2 }),
        'index-limit-exceeded'
      )
      expect(findings).toHaveLength(1)
      expect(findings[0]?.line).toBe(1)
      expect(findings[0]?.message).toContain('3 indexes, over the limit of 2')
    })

    it('does not report a file at the limit', () => {
      expect(
        ofRule(check(three, { ...DEFAULT_LIMITS, maxIndexesPerObject: 3 }), 'index-limit-exceeded')
      ).toEqual([])
    })
  })

  describe('redundant-prefix-index', () => {
    it('reports the shorter of two indexes whose fields are a prefix of the other', () => {
      const yaml = 'indexes:\n  - name: long\n    fields: [a, b, c]\n  - name: short\n    fields: [a, b]\n'
      const findings = ofRule(check(yaml), 'redundant-prefix-index')
      expect(findings.map(f => [f.severity, f.index, f.line])).toEqual([['warning', 'short', 4]])
      expect(findings[0]?.message).toContain('prefix of long')
    })

    it('does not report a unique index or a non-leading overlap', () => {
      const yaml =
        'indexes:\n  - name: long\n    fields: [a, b]\n  - name: uniq\n    fields: [a]\n    unique: true\n  - name: other\n    fields: [b]\n'
      expect(ofRule(check(yaml), 'redundant-prefix-index')).toEqual([])
    })
  })

  describe('probes', () => {
    it('reports a probe naming an index the file lacks', () => {
      const yaml = 'indexes:\n  - name: i\n    fields: [a]\nprobes:\n  - index: nope\n    values: { a: 1 }\n'
      const findings = ofRule(check(yaml), 'file-invalid')
      expect(findings.map(f => [f.line, f.message])).toEqual([
        [5, 'probes[0].index: "nope" is not an index of this file: name one of its indexes.']
      ])
    })

    it('reports probe values for a field not on the index', () => {
      const yaml =
        'indexes:\n  - name: i\n    fields: [a, b]\nprobes:\n  - index: i\n    values:\n      a: 1\n      z: 2\n'
      const findings = ofRule(check(yaml), 'file-invalid')
      expect(findings.map(f => [f.line, f.field])).toEqual([[8, 'z']])
    })

    it('reports probe values that skip the leading field', () => {
      const yaml = 'indexes:\n  - name: i\n    fields: [a, b]\nprobes:\n  - index: i\n    values: { b: 2 }\n'
      const findings = ofRule(check(yaml), 'file-invalid')
      expect(findings.map(f => f.field)).toEqual(['a'])
      expect(findings[0]?.message).toMatch(/leading prefix .* add a/)
    })

    it('reports a probe without values', () => {
      const yaml = 'indexes:\n  - name: i\n    fields: [a]\nprobes:\n  - index: i\n    values: {}\n'
      expect(ofRule(check(yaml), 'file-invalid')).toHaveLength(1)
    })

    it('accepts probes on a leading prefix, including join paths', () => {
      const yaml =
        'indexes:\n  - name: i\n    fields: [account.tier, b]\nprobes:\n  - index: i\n    values: { account.tier: gold }\n'
      expect(check(yaml)).toEqual([])
    })
  })

  it('reports findings in file order', () => {
    const yaml =
      'indexes:\n  - name: 1a\n    fields: [a]\n  - name: b\n    fields: [a, b]\n    order: [asc]\n  - name: 2c\n    fields: [c]\n'
    expect(check(yaml).map(f => [f.line, f.rule])).toEqual([
      [2, 'invalid-index-name'],
      [2, 'redundant-prefix-index'],
      [6, 'order-length-mismatch'],
      [7, 'invalid-index-name']
    ])
  })

  it('keeps the order the checks make on one line: each index in turn, then the whole file', () => {
    const yaml =
      'indexes: [{ name: 1a, fields: [a] }, { name: 2b, fields: [a, b], order: [asc] }, { name: 1a, fields: [c] }]\n'
    expect(check(yaml, { ...DEFAULT_LIMITS, maxIndexesPerObject: 1 }).map(f => [f.rule, f.index])).toEqual([
      ['invalid-index-name', '1a'],
      ['invalid-index-name', '2b'],
      ['order-length-mismatch', '2b'],
      ['invalid-index-name', '1a'],
      ['duplicate-index-name', '1a'],
      ['index-limit-exceeded', undefined],
      ['redundant-prefix-index', '1a']
    ])
  })
})

describe('the rule table', () => {
  /** The severities of the finding rules (docs/rules.md#finding-rules). */
  const SEVERITY: Record<RuleId, Severity> = {
    'file-invalid': 'error',
    'object-id-mismatch': 'error',
    'invalid-index-name': 'error',
    'duplicate-index-name': 'error',
    'duplicate-index-definition': 'error',
    'order-length-mismatch': 'error',
    'fields-per-index-exceeded': 'error',
    'index-limit-exceeded': 'error',
    'unknown-field': 'error',
    'not-indexable-type': 'error',
    'free-text-field': 'error',
    'reference-without-target': 'error',
    'join-path-invalid': 'error',
    'low-selectivity-leading-field': 'warning',
    'redundant-prefix-index': 'warning',
    'unmanaged-index': 'warning',
    'index-dropped': 'warning',
    'index-modified': 'warning',
    'probe-full-scan': 'warning',
    'unique-on-low-cardinality': 'warning'
  }

  // docs/rules.md#finding-rules
  it('gives every rule its documented severity', () => {
    for (const rule of RULE_TABLE) expect([rule.id, rule.severity]).toEqual([rule.id, SEVERITY[rule.id]])
  })

  // docs/rules.md#finding-rules
  it('holds every documented finding rule but those the pipeline makes', () => {
    const made = new Set(RULE_TABLE.map(rule => rule.id))
    const elsewhere = RULES.filter(rule => !made.has(rule))
    expect(elsewhere).toEqual(['object-id-mismatch', 'probe-full-scan'])
  })
})
