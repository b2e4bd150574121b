import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS, RULES } from '../../src/model.js'
import type { Finding, Limits, RuleId, Severity } from '../../src/model.js'
import { checkFile, RULE_TABLE } from '../../src/plan/rules.js'
import { loadYaml, TICKET_ID } from '../fixtures/core/docs.js'

function check(yaml: string, limits: Limits = DEFAULT_LIMITS): Finding[] {
  return checkFile(loadYaml(yaml), TICKET_ID, limits)
}
const ofRule = (findings: Finding[], rule: RuleId): Finding[] => findings.filter(f => f.rule === rule)

/**
 * One case of a rule: the file, the limits changed, and the findings of that rule it gives (each matched on
 * the keys given, in order; none when the case is one the rule must not report).
 */
interface RuleCase {
  rule: RuleId
  name: string
  yaml: string
  limits?: Partial<Limits>
  want: Partial<Finding>[]
}

const named = (cases: RuleCase[]): [string, RuleCase][] => cases.map(c => [`${c.rule}: ${c.name}`, c])

const LONG_NAME = `a${'b'.repeat(64)}`
const THREE =
  'indexes:\n  - name: i\n    fields: [a]\n  - name: j\n    fields: [b]\n  - name: k\n    fields: [c]\n'

const CASES: RuleCase[] = [
  {
    rule: 'invalid-index-name',
    name: 'reports a name that does not start with a letter, with file and line',
    yaml: 'indexes:\n  - name: ok\n    fields: [a]\n  - name: 9lives\n    fields: [b]\n',
    want: [
      {
        severity: 'error',
        rule: 'invalid-index-name',
        customObjectId: TICKET_ID,
        index: '9lives',
        message: expect.stringMatching(/^Index name "9lives" is not allowed: use a letter/) as string,
        file: 'indexes/ticket.yaml',
        line: 4
      }
    ]
  },
  {
    rule: 'invalid-index-name',
    name: 'reports a name of 65 characters and one with a dash',
    yaml: `indexes:\n  - name: ${LONG_NAME}\n    fields: [a]\n  - name: idx-x\n    fields: [b]\n`,
    want: [{ index: LONG_NAME }, { index: 'idx-x' }]
  },
  {
    rule: 'invalid-index-name',
    name: 'accepts a 64-character name with digits and underscores',
    yaml: `indexes:\n  - name: a${'_1'.repeat(31)}b\n    fields: [a]\n`,
    want: []
  },
  {
    rule: 'duplicate-index-name',
    name: 'reports the second index of a name, pointing at the first',
    yaml: 'indexes:\n  - name: i\n    fields: [a]\n  - name: i\n    fields: [b]\n',
    want: [{ line: 4, message: expect.stringContaining('first at line 2') as string }]
  },
  {
    rule: 'duplicate-index-name',
    name: 'does not report distinct names',
    yaml: 'indexes:\n  - name: i\n    fields: [a]\n  - name: j\n    fields: [b]\n',
    want: []
  },
  {
    rule: 'duplicate-index-definition',
    name: 'reports two indexes with the same fields and the same normalised order',
    yaml: 'indexes:\n  - name: i\n    fields: [a, b]\n  - name: j\n    fields: [a, b]\n    order: [asc, asc]\n',
    want: [{ index: 'j', line: 5 }]
  },
  {
    rule: 'duplicate-index-definition',
    name: 'does not report the same fields in another order',
    yaml: 'indexes:\n  - name: i\n    fields: [a, b]\n  - name: j\n    fields: [a, b]\n    order: [asc, desc]\n',
    want: []
  },
  {
    rule: 'order-length-mismatch',
    name: 'reports an order shorter than the fields',
    yaml: 'indexes:\n  - name: i\n    fields: [a, b]\n    order: [desc]\n',
    want: [{ index: 'i', line: 4 }]
  },
  {
    rule: 'order-length-mismatch',
    name: 'does not report a missing order',
    yaml: 'indexes:\n  - name: i\n    fields: [a, b]\n',
    want: []
  },
  {
    rule: 'fields-per-index-exceeded',
    name: 'reports more fields than the limit, on the first field over it',
    yaml: 'indexes:\n  - name: i\n    fields:\n      - a\n      - b\n      - c\n',
    limits: { maxFieldsPerIndex: 2 },
    want: [{ index: 'i', line: 6, message: expect.stringContaining('over the limit of 2') as string }]
  },
  {
    rule: 'fields-per-index-exceeded',
    name: 'does not report exactly the limit',
    yaml: 'indexes:\n  - name: i\n    fields: [a, b]\n',
    limits: { maxFieldsPerIndex: 2 },
    want: []
  },
  {
    rule: 'index-limit-exceeded',
    name: 'reports a file that alone proposes more indexes than the limit',
    yaml: THREE,
    limits: { maxIndexesPerObject: 2 },
    want: [{ line: 1, message: expect.stringContaining('3 indexes, over the limit of 2') as string }]
  },
  {
    rule: 'index-limit-exceeded',
    name: 'does not report a file at the limit',
    yaml: THREE,
    limits: { maxIndexesPerObject: 3 },
    want: []
  },
  {
    rule: 'redundant-prefix-index',
    name: 'reports the shorter of two indexes whose fields are a prefix of the other',
    yaml: 'indexes:\n  - name: long\n    fields: [a, b, c]\n  - name: short\n    fields: [a, b]\n',
    want: [
      {
        severity: 'warning',
        index: 'short',
        line: 4,
        message: expect.stringContaining('prefix of long') as string
      }
    ]
  },
  {
    rule: 'redundant-prefix-index',
    name: 'does not report a unique index or a non-leading overlap',
    yaml: 'indexes:\n  - name: long\n    fields: [a, b]\n  - name: uniq\n    fields: [a]\n    unique: true\n  - name: other\n    fields: [b]\n',
    want: []
  },
  {
    rule: 'file-invalid',
    name: 'reports a probe naming an index the file lacks',
    yaml: 'indexes:\n  - name: i\n    fields: [a]\nprobes:\n  - index: nope\n    values: { a: 1 }\n',
    want: [
      { line: 5, message: 'probes[0].index: "nope" is not an index of this file: name one of its indexes.' }
    ]
  },
  {
    rule: 'file-invalid',
    name: 'reports probe values for a field not on the index',
    yaml: 'indexes:\n  - name: i\n    fields: [a, b]\nprobes:\n  - index: i\n    values:\n      a: 1\n      z: 2\n',
    want: [{ line: 8, field: 'z' }]
  },
  {
    rule: 'file-invalid',
    name: 'reports probe values that skip the leading field',
    yaml: 'indexes:\n  - name: i\n    fields: [a, b]\nprobes:\n  - index: i\n    values: { b: 2 }\n',
    want: [{ field: 'a', message: expect.stringMatching(/leading prefix .* add a/) as string }]
  },
  {
    rule: 'file-invalid',
    name: 'reports a probe without values',
    yaml: 'indexes:\n  - name: i\n    fields: [a]\nprobes:\n  - index: i\n    values: {}\n',
    want: [{ rule: 'file-invalid' }]
  }
]

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

  it.for(named(CASES))('%s', ([, c]) => {
    const findings = ofRule(check(c.yaml, { ...DEFAULT_LIMITS, ...c.limits }), c.rule)
    expect(findings).toEqual(c.want.map(w => expect.objectContaining(w) as Finding))
  })

  it('accepts probes on a leading prefix, including join paths', () => {
    const yaml =
      'indexes:\n  - name: i\n    fields: [account.tier, b]\nprobes:\n  - index: i\n    values: { account.tier: gold }\n'
    expect(check(yaml)).toEqual([])
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
    'unique-on-low-cardinality': 'warning',
    'live-index-failed': 'error'
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
