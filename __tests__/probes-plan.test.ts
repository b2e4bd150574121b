import { describe, expect, it } from 'vitest'
import type { IndexFile } from '../src/model.js'
import { mergeIndexFile } from '../src/plan/merge.js'
import { chooseProbes, placeholderValue } from '../src/plan/probes.js'
import { accountDoc, lookupOf, regionDoc, ticketDoc } from './fixtures/core/docs.js'

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
