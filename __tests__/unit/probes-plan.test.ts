import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Database } from '../../src/emulator/database.js'
import { INDEX_STATUSES } from '../../src/model.js'
import type { IndexFile, LiveIndex, QueryPlan, SchemaDocument } from '../../src/model.js'
import { mergeIndexFile } from '../../src/plan/merge.js'
import { chooseProbes, placeholderValue, predictPlan } from '../../src/plan/probes.js'
import { accountDoc, lookupOf, regionDoc, ticketDoc } from '../fixtures/core/docs.js'

function plan(file: IndexFile) {
  const { document, diff } = mergeIndexFile(ticketDoc(), file)
  return chooseProbes(file, document, diff, lookupOf(accountDoc(), regionDoc()))
}

describe('chooseProbes', () => {
  it('runs only the probes the file gives, when it gives them', () => {
    const file: IndexFile = {
      indexes: [
        { name: 'idx_a', fields: ['status', 'priority'] },
        { name: 'idx_b', fields: ['priority'] }
      ],
      probes: [{ index: 'idx_a', values: { status: 'open' } }]
    }
    expect(plan(file)).toEqual([{ index: 'idx_a', values: { status: 'open' } }])
  })

  it('plans one probe per added or modified index, in file order, covering its fields', () => {
    const file: IndexFile = {
      indexes: [
        { name: 'idx_new', fields: ['priority', 'escalated', 'openedAt', 'status'] },
        { name: 'idx_opened', fields: ['openedAt', 'account'] },
        { name: 'idx_status', fields: ['status'] }
      ]
    }
    expect(plan(file)).toEqual([
      {
        index: 'idx_new',
        values: { priority: 0, escalated: true, openedAt: '1970-01-01T00:00:00.000Z', status: 'probe' }
      },
      { index: 'idx_opened', values: { openedAt: '1970-01-01T00:00:00.000Z', account: 'probe' } }
    ])
  })

  it('takes the placeholder of a join path from its final field', () => {
    const file: IndexFile = {
      indexes: [{ name: 'idx_j', fields: ['account.region.code', 'account.parent.tier'] }]
    }
    expect(plan(file)).toEqual([
      { index: 'idx_j', values: { 'account.region.code': 'probe', 'account.parent.tier': 'probe' } }
    ])
  })

  it('plans nothing for unchanged indexes', () => {
    expect(plan({ indexes: [{ name: 'idx_status', fields: ['status'] }] })).toEqual([])
  })

  it('plans nothing when the file gives an empty probe list', () => {
    expect(plan({ indexes: [{ name: 'idx_new', fields: ['priority'] }], probes: [] })).toEqual([])
  })
})

describe('placeholderValue', () => {
  it('uses a value of the field type', () => {
    expect(placeholderValue({ name: 'n', type: 'number' })).toBe(0)
    expect(placeholderValue({ name: 'b', type: 'boolean' })).toBe(true)
    expect(placeholderValue({ name: 'd', type: 'date' })).toBe('1970-01-01T00:00:00.000Z')
    expect(placeholderValue({ name: 's', type: 'string' })).toBe('probe')
    expect(placeholderValue({ name: 'r', type: 'reference', referenceTo: 'x' })).toBe('probe')
    expect(placeholderValue(undefined)).toBe('probe')
  })
})

describe('predictPlan', () => {
  const doc = (indexes: LiveIndex[]): SchemaDocument => ({ ...ticketDoc(), indexes })
  const active = (name: string, fields: string[]): LiveIndex => ({ name, fields, status: 'active' })

  it('takes the index with the longest leading prefix the terms cover', () => {
    const d = doc([active('idx_s', ['status']), active('idx_sp', ['status', 'priority', 'openedAt'])])
    expect(predictPlan(d, ['priority', 'status'])).toEqual({ strategy: 'index', indexName: 'idx_sp' })
  })

  it('breaks a tie by fewer fields, then by the earlier index', () => {
    const d = doc([
      active('idx_long', ['status', 'priority']),
      active('idx_a', ['status']),
      active('idx_b', ['status'])
    ])
    expect(predictPlan(d, ['status'])).toEqual({ strategy: 'index', indexName: 'idx_a' })
  })

  it('scans when no index leads with a term field', () => {
    expect(predictPlan(doc([active('idx_sp', ['status', 'priority'])]), ['priority'])).toEqual({
      strategy: 'fullScan'
    })
  })

  it('counts only active indexes for today, and every index but a failed one after a deploy', () => {
    const d = doc([
      { name: 'idx_new', fields: ['priority'] },
      { name: 'idx_building', fields: ['priority', 'status'], status: 'building' },
      { name: 'idx_failed', fields: ['priority', 'status', 'openedAt'], status: 'failed' }
    ])
    const terms = ['priority', 'status', 'openedAt']
    expect(predictPlan(d, terms, { activeOnly: true })).toEqual({ strategy: 'fullScan' })
    expect(predictPlan(d, terms)).toEqual({ strategy: 'index', indexName: 'idx_building' })
  })

  /** What the emulator's planner chooses for these terms on this document. */
  function emulatorPlan(schema: SchemaDocument, terms: readonly string[]): QueryPlan {
    const db = new Database({ rebuildRecordsPerSecond: () => 1, rebuildMinMs: 3_600_000 })
    try {
      db.load({ objects: [{ schema, records: [] }] })
      const page = db.query(
        schema.id,
        terms.map(field => ({ field, value: 'x' })),
        1,
        undefined,
        terms.map((_, i) => `query.queries[${i}].field`)
      )
      const { strategy, indexName } = page.queryPlan
      return indexName === undefined ? { strategy } : { strategy, indexName }
    } finally {
      db.close()
    }
  }

  it("agrees with the emulator's planner on any document and terms, today and after a deploy", () => {
    const FIELDS = ['a', 'b', 'c', 'd', 'e']
    const index = fc.record({
      name: fc.constantFrom('i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7'),
      fields: fc.array(fc.constantFrom(...FIELDS), { minLength: 1, maxLength: 4 }),
      status: fc.constantFrom(...INDEX_STATUSES)
    })
    const schema = fc
      .uniqueArray(index, { selector: i => i.name, maxLength: 8 })
      .map((indexes): SchemaDocument => ({
        id: 'obj',
        name: 'Obj',
        schemaVersion: 1,
        fields: FIELDS.map(name => ({ name, type: 'string' })),
        indexes
      }))
    const terms = fc.array(fc.constantFrom(...FIELDS), { maxLength: 5 })
    let indexed = 0
    fc.assert(
      fc.property(schema, terms, (d, t) => {
        const today = predictPlan(d, t, { activeOnly: true })
        expect(today).toEqual(emulatorPlan(d, t))
        const deployed = d.indexes.map(i => (i.status === 'failed' ? i : { ...i, status: 'active' as const }))
        expect(predictPlan(d, t)).toEqual(emulatorPlan({ ...d, indexes: deployed }, t))
        if (today.strategy === 'index') indexed++
      }),
      { numRuns: 300 }
    )
    expect(indexed).toBeGreaterThan(30)
  })
})
