import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS } from '../../src/model.js'
import type { Finding, RuleId, SchemaDocument } from '../../src/model.js'
import { checkFile, missingSchemas } from '../../src/plan/rules.js'
import {
  accountDoc,
  ACCOUNT_ID,
  checkLive,
  type LiveCheckOptions,
  loadYaml,
  lookupOf,
  regionDoc,
  REGION_ID,
  TICKET_ID,
  ticketDoc
} from '../fixtures/core/docs.js'

const check = checkLive

/** An index file managing the two live indexes plus `extra` index lines. */
const managed = (extra: string): string =>
  `indexes:\n  - name: idx_status\n    fields: [status]\n  - name: idx_opened\n    fields: [openedAt]\n    order: [desc]\n${extra}`

const ofRule = (findings: Finding[], rule: RuleId): Finding[] => findings.filter(f => f.rule === rule)
const oneIndex = (fields: string): string => managed(`  - name: idx_t\n    fields: ${fields}\n`)

/**
 * One case of a rule over the merged document: the index file, the live schema, limits and lookup when not
 * the defaults, and the findings of that rule it gives (each matched on the keys given, in order; none when
 * the case is one the rule must not report).
 */
interface RuleCase {
  rule: RuleId
  name: string
  yaml: string
  options?: LiveCheckOptions
  want: Partial<Finding>[]
  /** Keys no finding of the case has (a finding about the file, not an index). */
  without?: (keyof Finding)[]
}

const named = (cases: RuleCase[]): [string, RuleCase][] => cases.map(c => [`${c.rule}: ${c.name}`, c])

/** The ticket schema with `change` applied. */
function liveWith(change: (doc: SchemaDocument) => void): SchemaDocument {
  const doc = ticketDoc()
  change(doc)
  return doc
}

const unique = (fields: string, extra = ''): string =>
  managed(`  - name: idx_u\n    fields: ${fields}\n    unique: true\n${extra}`)
const LOW_STATUS = 'fieldOptimizations:\n  status: { cardinalityHint: low }\n'
const TWO_INDEXES = { ...DEFAULT_LIMITS, maxIndexesPerObject: 2 }

const CASES: RuleCase[] = [
  {
    rule: 'unknown-field',
    name: 'reports a field the object lacks, with index, field and line',
    yaml: oneIndex('[priority, stauts]'),
    want: [
      {
        severity: 'error',
        rule: 'unknown-field',
        customObjectId: TICKET_ID,
        index: 'idx_t',
        field: 'stauts',
        message: expect.stringContaining('has no field stauts') as string,
        file: 'indexes/ticket.yaml',
        line: 8
      }
    ]
  },
  {
    rule: 'unknown-field',
    name: 'reports the first hop of a join path missing on the object',
    yaml: oneIndex('[acount.tier]'),
    want: [{ field: 'acount.tier' }]
  },
  {
    rule: 'unknown-field',
    name: 'reports a fieldOptimizations entry for a field the object lacks',
    yaml: managed('fieldOptimizations:\n  nosuch: { cardinalityHint: low }\n'),
    want: [{ field: 'nosuch', line: 8 }],
    without: ['index']
  },
  {
    rule: 'unknown-field',
    name: 'does not report fields the object has',
    yaml: oneIndex('[status, priority]'),
    want: []
  },
  {
    rule: 'not-indexable-type',
    name: 'reports a longtext field',
    yaml: oneIndex('[body]'),
    want: [{ field: 'body' }]
  },
  {
    rule: 'not-indexable-type',
    name: 'reports a type outside the indexable list',
    yaml: oneIndex('[geo]'),
    options: { live: liveWith(doc => doc.fields.push({ name: 'geo', type: 'geopoint' })) },
    want: [{ message: expect.stringContaining('geopoint') as string }]
  },
  {
    rule: 'not-indexable-type',
    name: 'reports a longtext field at the end of a join path',
    yaml: oneIndex('[account.notes]'),
    want: [{ field: 'account.notes' }]
  },
  {
    rule: 'not-indexable-type',
    name: 'does not report string, number, boolean, date and reference fields',
    yaml: managed(
      '  - name: a\n    fields: [status, priority, openedAt, account]\n  - name: b\n    fields: [escalated]\n'
    ),
    options: { limits: { ...DEFAULT_LIMITS, maxIndexesPerObject: 10 } },
    want: []
  },
  {
    rule: 'free-text-field',
    name: 'reports a string longer than maxIndexableStringLength',
    yaml: oneIndex('[notes]'),
    want: [{ field: 'notes' }]
  },
  {
    rule: 'free-text-field',
    name: 'counts a string without maxLength as 255 (within the default limit)',
    yaml: oneIndex('[subject]'),
    want: []
  },
  {
    rule: 'free-text-field',
    name: 'counts a string without maxLength as 255 (over a limit of 200)',
    yaml: oneIndex('[subject]'),
    options: { limits: { ...DEFAULT_LIMITS, maxIndexableStringLength: 200 } },
    want: [{ field: 'subject' }]
  },
  {
    rule: 'reference-without-target',
    name: 'reports an indexed reference without referenceTo',
    yaml: oneIndex('[orphan]'),
    want: [{ field: 'orphan' }]
  },
  {
    rule: 'reference-without-target',
    name: 'reports a join hop through a reference without referenceTo',
    yaml: oneIndex('[orphan.code]'),
    want: [{ rule: 'reference-without-target' }]
  },
  {
    rule: 'reference-without-target',
    name: 'does not report a reference with a target',
    yaml: oneIndex('[account]'),
    want: []
  },
  {
    rule: 'join-path-invalid',
    name: 'reports a hop that is not a reference',
    yaml: oneIndex('[status.code]'),
    want: [{ message: expect.stringContaining('status is a string field, not a reference') as string }]
  },
  {
    rule: 'join-path-invalid',
    name: 'reports a target object the lookup does not know',
    yaml: oneIndex('[account.tier]'),
    options: { lookup: lookupOf() },
    want: [{ message: expect.stringContaining(`target object ${ACCOUNT_ID}`) as string }]
  },
  {
    rule: 'join-path-invalid',
    name: 'reports a field missing on the target object',
    yaml: oneIndex('[account.colour]'),
    want: [{ message: expect.stringContaining('has no field colour') as string }]
  },
  {
    rule: 'join-path-invalid',
    name: 'reports a path deeper than maxJoinDepth (hops are dots)',
    yaml: oneIndex('[account.region.owner.status]'),
    want: [{ message: expect.stringContaining('3 hops, deeper than the limit of 2') as string }]
  },
  {
    rule: 'low-selectivity-leading-field',
    name: 'warns when a boolean leads a more selective field',
    yaml: oneIndex('[escalated, ticketNo]'),
    want: [{ severity: 'warning', field: 'escalated', line: 8 }]
  },
  {
    rule: 'low-selectivity-leading-field',
    name: 'uses the cardinalityHint set by fieldOptimizations',
    yaml: `${oneIndex('[status, priority]')}${LOW_STATUS}`,
    want: [{ field: 'status' }]
  },
  {
    rule: 'low-selectivity-leading-field',
    name: 'uses the hint of a join path target',
    yaml: oneIndex('[account.tier, ticketNo]'),
    want: [{ rule: 'low-selectivity-leading-field' }]
  },
  {
    rule: 'low-selectivity-leading-field',
    name: 'does not warn when every later field is as unselective',
    yaml: `${oneIndex('[escalated, status]')}${LOW_STATUS}`,
    want: []
  },
  {
    rule: 'low-selectivity-leading-field',
    name: 'does not warn when the selective field leads',
    yaml: oneIndex('[ticketNo, escalated]'),
    want: []
  },
  {
    rule: 'redundant-prefix-index',
    name: 'reports a file index that is a prefix of an unmanaged live index',
    yaml: oneIndex('[priority]'),
    options: {
      live: liveWith(doc =>
        doc.indexes.push({ name: 'idx_live_long', fields: ['priority', 'status'], status: 'active' })
      )
    },
    want: [{ index: 'idx_t', line: 7 }]
  },
  {
    rule: 'redundant-prefix-index',
    name: 'reports an unmanaged live index that a file index makes redundant',
    yaml: 'indexes:\n  - name: idx_t\n    fields: [status, priority]\n',
    want: [{ index: 'idx_status', line: 2 }]
  },
  {
    rule: 'index-limit-exceeded',
    name: 'reports when kept live indexes push the total over the limit',
    yaml: 'indexes:\n  - name: idx_t\n    fields: [priority]\n',
    options: { limits: TWO_INDEXES },
    want: [
      {
        message: expect.stringContaining(
          '3 indexes (2 kept from the live schema), over the limit of 2'
        ) as string
      }
    ]
  },
  {
    rule: 'index-limit-exceeded',
    name: 'does not report when prune makes room',
    yaml: 'indexes:\n  - name: idx_t\n    fields: [priority]\nprune: true\n',
    options: { limits: TWO_INDEXES },
    want: []
  },
  {
    rule: 'unique-on-low-cardinality',
    name: 'warns about a new unique index over a boolean, on the index line, naming it, its fields and the fix',
    yaml: unique('[escalated]'),
    want: [
      {
        severity: 'warning',
        rule: 'unique-on-low-cardinality',
        customObjectId: TICKET_ID,
        index: 'idx_u',
        message: expect.stringMatching(
          /^Index idx_u is unique over escalated, .*more records than distinct values\. Drop unique, or add a selective field/
        ) as string,
        file: 'indexes/ticket.yaml',
        line: 7
      }
    ]
  },
  {
    rule: 'unique-on-low-cardinality',
    name: 'judges a join path by its target field',
    yaml: unique('[account.tier, escalated]'),
    want: [{ message: expect.stringContaining('unique over account.tier, escalated') as string }]
  },
  {
    rule: 'unique-on-low-cardinality',
    name: 'counts a field that fieldOptimizations makes low',
    yaml: unique('[status]', LOW_STATUS),
    want: [{ index: 'idx_u' }]
  },
  {
    rule: 'unique-on-low-cardinality',
    name: 'does not count a string field without a hint as low',
    yaml: unique('[status]'),
    want: []
  },
  {
    rule: 'unique-on-low-cardinality',
    name: 'warns about a live index the file makes unique',
    yaml: 'indexes:\n  - name: idx_status\n    fields: [status]\n    unique: true\n  - name: idx_opened\n    fields: [openedAt]\n    order: [desc]\nfieldOptimizations:\n  status: { cardinalityHint: low }\n',
    want: [{ index: 'idx_status', line: 2 }]
  },
  {
    rule: 'unique-on-low-cardinality',
    name: 'does not warn when a selective field is in the index',
    yaml: unique('[escalated, ticketNo]'),
    want: []
  },
  {
    rule: 'unique-on-low-cardinality',
    name: 'does not warn when the index is not unique',
    yaml: oneIndex('[escalated]'),
    want: []
  },
  {
    rule: 'unique-on-low-cardinality',
    name: 'does not warn about a unique index the file leaves unchanged',
    yaml: unique('[escalated]'),
    options: {
      live: liveWith(doc =>
        doc.indexes.push({ name: 'idx_u', fields: ['escalated'], unique: true, status: 'active' })
      )
    },
    want: []
  },
  {
    rule: 'unmanaged-index',
    name: 'warns about a live index the file does not list',
    yaml: 'indexes:\n  - name: idx_status\n    fields: [status]\n',
    want: [{ severity: 'warning', index: 'idx_opened' }]
  },
  {
    rule: 'index-dropped',
    name: 'warns about an index prune drops, on the prune line',
    yaml: 'indexes:\n  - name: idx_status\n    fields: [status]\nprune: true\n',
    want: [{ index: 'idx_opened', line: 4 }]
  },
  {
    rule: 'index-modified',
    name: 'warns about a modified index, on its entry',
    yaml: 'indexes:\n  - name: idx_opened\n    fields: [openedAt]\n',
    want: [{ index: 'idx_opened', line: 2 }]
  }
]

describe('checkMerged', () => {
  it('finds nothing for a clean proposal', () => {
    expect(check(oneIndex('[ticketNo, priority]'))).toEqual([])
  })

  it.for(named(CASES))('%s', ([, c]) => {
    const findings = ofRule(check(c.yaml, c.options), c.rule)
    expect(findings).toEqual(c.want.map(w => expect.objectContaining(w) as Finding))
    for (const key of c.without ?? [])
      expect(findings.map(f => f[key])).toEqual(findings.map(() => undefined))
  })

  it('leaves prefixes within the file to checkFile', () => {
    const yaml = oneIndex('[status, priority]')
    const loaded = loadYaml(yaml)
    expect(ofRule(check(yaml), 'redundant-prefix-index')).toEqual([])
    expect(
      ofRule(checkFile(loaded, TICKET_ID, DEFAULT_LIMITS), 'redundant-prefix-index').map(f => f.index)
    ).toEqual(['idx_status'])
  })

  it('accepts two hops at maxJoinDepth 2', () => {
    expect(check(oneIndex('[account.region.code]'))).toEqual([])
  })

  it('resolves through a reference cycle without looping', () => {
    const limits = { ...DEFAULT_LIMITS, maxJoinDepth: 50 }
    const path = `[account.${Array.from({ length: 40 }, () => 'parent').join('.')}.tier]`
    expect(check(oneIndex(path), { limits })).toEqual([])
  })

  it('resolves a join path back to the object itself', () => {
    expect(check(oneIndex('[account.region.owner]'))).toEqual([])
  })

  it('does not warn when the file manages every live index unchanged', () => {
    expect(check(managed(''))).toEqual([])
  })

  it('skips field problems of live indexes the file does not manage', () => {
    const live = ticketDoc()
    live.indexes.push({ name: 'idx_bad', fields: ['body'], status: 'failed' })
    const findings = check(managed(''), { live })
    expect(findings.map(f => f.rule)).toEqual(['unmanaged-index'])
  })

  it('keeps file order', () => {
    const yaml = managed('  - name: idx_a\n    fields: [nosuch]\n  - name: idx_b\n    fields: [body]\n')
    const findings = check(yaml, { limits: { ...DEFAULT_LIMITS, maxIndexesPerObject: 10 } })
    expect(findings.map(f => [f.line, f.rule])).toEqual([
      [8, 'unknown-field'],
      [10, 'not-indexable-type']
    ])
  })
})

describe('missingSchemas', () => {
  const doc = (fields: string[][]): SchemaDocument => ({
    ...ticketDoc(),
    indexes: fields.map((f, i) => ({ name: `i${i}`, fields: f }))
  })

  it('lists the target of the first hop when the lookup lacks it', () => {
    expect(missingSchemas(doc([['account.region.code']]), lookupOf(), DEFAULT_LIMITS)).toEqual([ACCOUNT_ID])
  })

  it('walks as far as the lookup allows, then lists the next object', () => {
    expect(missingSchemas(doc([['account.region.code']]), lookupOf(accountDoc()), DEFAULT_LIMITS)).toEqual([
      REGION_ID
    ])
  })

  it('is empty when every hop resolves', () => {
    expect(
      missingSchemas(
        doc([['account.region.code'], ['status']]),
        lookupOf(accountDoc(), regionDoc()),
        DEFAULT_LIMITS
      )
    ).toEqual([])
  })

  it('stops at maxJoinDepth and is safe on reference cycles', () => {
    const path = Array.from({ length: 30 }, () => 'parent').join('.')
    expect(
      missingSchemas(doc([[`account.${path}.tier`]]), lookupOf(accountDoc()), {
        ...DEFAULT_LIMITS,
        maxJoinDepth: 1000
      })
    ).toEqual([])
    expect(
      missingSchemas(doc([['account.region.owner.x']]), lookupOf(accountDoc()), {
        ...DEFAULT_LIMITS,
        maxJoinDepth: 1
      })
    ).toEqual([])
  })

  it('ignores hops that are not references', () => {
    expect(missingSchemas(doc([['status.x'], ['orphan.x']]), lookupOf(), DEFAULT_LIMITS)).toEqual([])
  })

  it('can be limited to some indexes', () => {
    const d = doc([['status'], ['account.tier']])
    expect(missingSchemas(d, lookupOf(), DEFAULT_LIMITS, ['i0'])).toEqual([])
    expect(missingSchemas(d, lookupOf(), DEFAULT_LIMITS, ['i1'])).toEqual([ACCOUNT_ID])
  })
})
