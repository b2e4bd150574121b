import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS } from '../../src/model.js'
import type { Finding, Limits, RuleId, SchemaDocument, SchemaLookup } from '../../src/model.js'
import { mergeIndexFile } from '../../src/plan/merge.js'
import { checkFile, checkMerged, missingSchemas } from '../../src/plan/rules.js'
import {
  accountDoc,
  ACCOUNT_ID,
  loadYaml,
  lookupOf,
  regionDoc,
  REGION_ID,
  TICKET_ID,
  ticketDoc
} from '../fixtures/core/docs.js'

interface Options {
  live?: SchemaDocument
  limits?: Limits
  lookup?: SchemaLookup
}

function check(yaml: string, options: Options = {}): Finding[] {
  const loaded = loadYaml(yaml)
  const live = options.live ?? ticketDoc()
  const { document, diff } = mergeIndexFile(live, loaded.file)
  return checkMerged({
    loaded,
    customObjectId: TICKET_ID,
    live,
    merged: document,
    diff,
    limits: options.limits ?? DEFAULT_LIMITS,
    lookup: options.lookup ?? lookupOf(accountDoc(), regionDoc())
  })
}

/** An index file managing the two live indexes plus `extra` index lines. */
const managed = (extra: string): string =>
  `indexes:\n  - name: idx_status\n    fields: [status]\n  - name: idx_opened\n    fields: [openedAt]\n    order: [desc]\n${extra}`

const ofRule = (findings: Finding[], rule: RuleId): Finding[] => findings.filter(f => f.rule === rule)
const oneIndex = (fields: string): string => managed(`  - name: idx_t\n    fields: ${fields}\n`)

describe('checkMerged', () => {
  it('finds nothing for a clean proposal', () => {
    expect(check(oneIndex('[ticketNo, priority]'))).toEqual([])
  })

  describe('unknown-field', () => {
    it('reports a field the object lacks, with index, field and line', () => {
      expect(ofRule(check(oneIndex('[priority, stauts]')), 'unknown-field')).toEqual([
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
      ])
    })

    it('reports the first hop of a join path missing on the object', () => {
      const findings = ofRule(check(oneIndex('[acount.tier]')), 'unknown-field')
      expect(findings.map(f => f.field)).toEqual(['acount.tier'])
    })

    it('reports a fieldOptimizations entry for a field the object lacks', () => {
      const findings = ofRule(
        check(managed('fieldOptimizations:\n  nosuch: { cardinalityHint: low }\n')),
        'unknown-field'
      )
      expect(findings.map(f => [f.field, f.line, f.index])).toEqual([['nosuch', 8, undefined]])
    })

    it('does not report fields the object has', () => {
      expect(ofRule(check(oneIndex('[status, priority]')), 'unknown-field')).toEqual([])
    })
  })

  describe('not-indexable-type', () => {
    it('reports a longtext field', () => {
      expect(ofRule(check(oneIndex('[body]')), 'not-indexable-type').map(f => f.field)).toEqual(['body'])
    })

    it('reports a type outside the indexable list', () => {
      const live = ticketDoc()
      live.fields.push({ name: 'geo', type: 'geopoint' })
      const findings = ofRule(check(oneIndex('[geo]'), { live }), 'not-indexable-type')
      expect(findings[0]?.message).toContain('geopoint')
    })

    it('reports a longtext field at the end of a join path', () => {
      expect(ofRule(check(oneIndex('[account.notes]')), 'not-indexable-type').map(f => f.field)).toEqual([
        'account.notes'
      ])
    })

    it('does not report string, number, boolean, date and reference fields', () => {
      const findings = check(
        managed(
          '  - name: a\n    fields: [status, priority, openedAt, account]\n  - name: b\n    fields: [escalated]\n'
        ),
        {
          limits: { ...DEFAULT_LIMITS, maxIndexesPerObject: 10 }
        }
      )
      expect(ofRule(findings, 'not-indexable-type')).toEqual([])
    })
  })

  describe('free-text-field', () => {
    it('reports a string longer than maxIndexableStringLength', () => {
      expect(ofRule(check(oneIndex('[notes]')), 'free-text-field').map(f => f.field)).toEqual(['notes'])
    })

    it('counts a string without maxLength as 255', () => {
      expect(ofRule(check(oneIndex('[subject]')), 'free-text-field')).toEqual([])
      const limits = { ...DEFAULT_LIMITS, maxIndexableStringLength: 200 }
      expect(ofRule(check(oneIndex('[subject]'), { limits }), 'free-text-field')).toHaveLength(1)
    })
  })

  describe('reference-without-target', () => {
    it('reports an indexed reference without referenceTo', () => {
      expect(ofRule(check(oneIndex('[orphan]')), 'reference-without-target').map(f => f.field)).toEqual([
        'orphan'
      ])
    })

    it('reports a join hop through a reference without referenceTo', () => {
      expect(ofRule(check(oneIndex('[orphan.code]')), 'reference-without-target')).toHaveLength(1)
    })

    it('does not report a reference with a target', () => {
      expect(ofRule(check(oneIndex('[account]')), 'reference-without-target')).toEqual([])
    })
  })

  describe('join-path-invalid', () => {
    it('reports a hop that is not a reference', () => {
      const [finding] = ofRule(check(oneIndex('[status.code]')), 'join-path-invalid')
      expect(finding?.message).toContain('status is a string field, not a reference')
    })

    it('reports a target object the lookup does not know', () => {
      const [finding] = ofRule(check(oneIndex('[account.tier]'), { lookup: lookupOf() }), 'join-path-invalid')
      expect(finding?.message).toContain(`target object ${ACCOUNT_ID}`)
    })

    it('reports a field missing on the target object', () => {
      const [finding] = ofRule(check(oneIndex('[account.colour]')), 'join-path-invalid')
      expect(finding?.message).toContain('has no field colour')
    })

    it('reports a path deeper than maxJoinDepth (hops are dots)', () => {
      const findings = ofRule(check(oneIndex('[account.region.owner.status]')), 'join-path-invalid')
      expect(findings[0]?.message).toContain('3 hops, deeper than the limit of 2')
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
  })

  describe('low-selectivity-leading-field', () => {
    it('warns when a boolean leads a more selective field', () => {
      const findings = ofRule(check(oneIndex('[escalated, ticketNo]')), 'low-selectivity-leading-field')
      expect(findings.map(f => [f.severity, f.field, f.line])).toEqual([['warning', 'escalated', 8]])
    })

    it('uses the cardinalityHint set by fieldOptimizations', () => {
      const yaml = `${oneIndex('[status, priority]')}fieldOptimizations:\n  status: { cardinalityHint: low }\n`
      expect(ofRule(check(yaml), 'low-selectivity-leading-field').map(f => f.field)).toEqual(['status'])
    })

    it('uses the hint of a join path target', () => {
      expect(
        ofRule(check(oneIndex('[account.tier, ticketNo]')), 'low-selectivity-leading-field')
      ).toHaveLength(1)
    })

    it('does not warn when every later field is as unselective', () => {
      const yaml = `${oneIndex('[escalated, status]')}fieldOptimizations:\n  status: { cardinalityHint: low }\n`
      expect(ofRule(check(yaml), 'low-selectivity-leading-field')).toEqual([])
    })

    it('does not warn when the selective field leads', () => {
      expect(ofRule(check(oneIndex('[ticketNo, escalated]')), 'low-selectivity-leading-field')).toEqual([])
    })
  })

  describe('redundant-prefix-index over the merged document', () => {
    it('reports a file index that is a prefix of an unmanaged live index', () => {
      const live = ticketDoc()
      live.indexes.push({ name: 'idx_live_long', fields: ['priority', 'status'], status: 'active' })
      const findings = ofRule(check(oneIndex('[priority]'), { live }), 'redundant-prefix-index')
      expect(findings.map(f => [f.index, f.line])).toEqual([['idx_t', 7]])
    })

    it('reports an unmanaged live index that a file index makes redundant', () => {
      const findings = ofRule(
        check('indexes:\n  - name: idx_t\n    fields: [status, priority]\n'),
        'redundant-prefix-index'
      )
      expect(findings.map(f => [f.index, f.line])).toEqual([['idx_status', 2]])
    })

    it('leaves prefixes within the file to checkFile', () => {
      const yaml = oneIndex('[status, priority]')
      const loaded = loadYaml(yaml)
      expect(ofRule(check(yaml), 'redundant-prefix-index')).toEqual([])
      expect(
        ofRule(checkFile(loaded, TICKET_ID, DEFAULT_LIMITS), 'redundant-prefix-index').map(f => f.index)
      ).toEqual(['idx_status'])
    })
  })

  describe('index-limit-exceeded on the merged document', () => {
    it('reports when kept live indexes push the total over the limit', () => {
      const limits = { ...DEFAULT_LIMITS, maxIndexesPerObject: 2 }
      const findings = ofRule(
        check('indexes:\n  - name: idx_t\n    fields: [priority]\n', { limits }),
        'index-limit-exceeded'
      )
      expect(findings).toHaveLength(1)
      expect(findings[0]?.message).toContain('3 indexes (2 kept from the live schema), over the limit of 2')
    })

    it('does not report when prune makes room', () => {
      const limits = { ...DEFAULT_LIMITS, maxIndexesPerObject: 2 }
      const yaml = 'indexes:\n  - name: idx_t\n    fields: [priority]\nprune: true\n'
      expect(ofRule(check(yaml, { limits }), 'index-limit-exceeded')).toEqual([])
    })
  })

  describe('unique-on-low-cardinality', () => {
    const unique = (fields: string, extra = ''): string =>
      managed(`  - name: idx_u\n    fields: ${fields}\n    unique: true\n${extra}`)

    it('warns about a new unique index over a boolean, on the index line, naming it, its fields and the fix', () => {
      const findings = ofRule(check(unique('[escalated]')), 'unique-on-low-cardinality')
      expect(findings).toEqual([
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
      ])
    })

    it('judges a join path by its target field', () => {
      const findings = ofRule(check(unique('[account.tier, escalated]')), 'unique-on-low-cardinality')
      expect(findings.map(f => f.message)).toEqual([
        expect.stringContaining('unique over account.tier, escalated')
      ])
    })

    it('counts a field that fieldOptimizations makes low', () => {
      const hint = 'fieldOptimizations:\n  status: { cardinalityHint: low }\n'
      expect(ofRule(check(unique('[status]', hint)), 'unique-on-low-cardinality')).toHaveLength(1)
      expect(ofRule(check(unique('[status]')), 'unique-on-low-cardinality')).toEqual([])
    })

    it('warns about a live index the file makes unique', () => {
      const yaml =
        'indexes:\n  - name: idx_status\n    fields: [status]\n    unique: true\n  - name: idx_opened\n    fields: [openedAt]\n    order: [desc]\nfieldOptimizations:\n  status: { cardinalityHint: low }\n'
      const findings = ofRule(check(yaml), 'unique-on-low-cardinality')
      expect(findings.map(f => [f.index, f.line])).toEqual([['idx_status', 2]])
    })

    it('does not warn when a selective field is in the index, or the index is not unique', () => {
      expect(ofRule(check(unique('[escalated, ticketNo]')), 'unique-on-low-cardinality')).toEqual([])
      expect(ofRule(check(oneIndex('[escalated]')), 'unique-on-low-cardinality')).toEqual([])
    })

    it('does not warn about a unique index the file leaves unchanged', () => {
      const live = ticketDoc()
      live.indexes.push({ name: 'idx_u', fields: ['escalated'], unique: true, status: 'active' })
      expect(ofRule(check(unique('[escalated]'), { live }), 'unique-on-low-cardinality')).toEqual([])
    })
  })

  describe('diff warnings', () => {
    it('warns about a live index the file does not list', () => {
      const findings = ofRule(
        check('indexes:\n  - name: idx_status\n    fields: [status]\n'),
        'unmanaged-index'
      )
      expect(findings.map(f => [f.severity, f.index])).toEqual([['warning', 'idx_opened']])
    })

    it('warns about an index prune drops, on the prune line', () => {
      const findings = ofRule(
        check('indexes:\n  - name: idx_status\n    fields: [status]\nprune: true\n'),
        'index-dropped'
      )
      expect(findings.map(f => [f.index, f.line])).toEqual([['idx_opened', 4]])
    })

    it('warns about a modified index, on its entry', () => {
      const findings = ofRule(
        check('indexes:\n  - name: idx_opened\n    fields: [openedAt]\n'),
        'index-modified'
      )
      expect(findings.map(f => [f.index, f.line])).toEqual([['idx_opened', 2]])
    })

    it('does not warn when the file manages every live index unchanged', () => {
      expect(check(managed(''))).toEqual([])
    })
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
