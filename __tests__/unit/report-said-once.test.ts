// The report says each thing once and agrees with its own findings: an unmanaged index is one row (its
// warning marked on it, not repeated under Findings) while the warning stays a finding everywhere else, and
// the probe plans never predict ✅ for an index a finding says will not serve the query.
import { describe, expect, it } from 'vitest'
import type { ObjectResult } from '../../src/model.js'
import { computeOutputs } from '../../src/outputs.js'
import { toAnnotations } from '../../src/report/annotations.js'
import { renderComment } from '../../src/report/comment.js'
import { buildReportFile } from '../../src/report/file.js'
import { renderSummary } from '../../src/report/summary.js'
import { headings, tableOf } from '../helpers/markdown.js'
import { driftResult, finding, LINKS, probe, validateResult } from '../helpers/results.js'

const CHANGE_COLUMNS = ['Index', 'Change', 'Fields', 'Order', 'Unique', 'Status']
const FINDING_COLUMNS = ['Severity', 'Rule', 'Location', 'Message']
const PLAN_COLUMNS = ['Index', 'Query', 'Today', 'After deploy']

function comment(results: ObjectResult[], mode: 'validate' | 'drift' = 'validate'): string {
  return renderComment(results, { commentKey: 'default', mode, ...LINKS })
}

describe('an unmanaged index is said once', () => {
  // validateResult: idx_old is live, not in the file, with its `unmanaged-index` warning.
  const r = validateResult()

  it('is one row of the index changes, marked with its warning, and no row of the findings', () => {
    for (const body of [comment([r]), renderSummary([r], { mode: 'validate', ...LINKS })]) {
      const changes = tableOf(body, CHANGE_COLUMNS)
      expect(changes.filter(row => row[0] === 'idx_old')).toEqual([
        ['idx_old', '⚠️ unmanaged, kept (warning unmanaged-index)', 'createdAt', 'asc', 'no', 'active']
      ])
      expect(tableOf(body, FINDING_COLUMNS).map(row => row[1])).toEqual(['low-selectivity-leading-field'])
      expect(body.match(/unmanaged-index/g)).toHaveLength(1)
      expect(body).not.toContain('idx\\_old is not in the file')
    }
  })

  it('still counts as a warning the reader can find: the heading counts the marked row', () => {
    const body = comment([r])
    expect(headings(body)[0]).toBe('## Custom-object index check: ✅ pass — 1 object, 0 errors, 2 warnings')
    const findingRows = tableOf(body, FINDING_COLUMNS).filter(row => row[0] === '⚠️ warning').length
    const markedRows = tableOf(body, CHANGE_COLUMNS).filter(row => row[1]!.startsWith('⚠️')).length
    expect(findingRows + markedRows).toBe(2)
  })

  it('stays a finding in the annotations, the report file and the outputs', () => {
    const unmanaged = r.findings.find(f => f.rule === 'unmanaged-index')!
    expect(toAnnotations(r.findings).map(a => a.title)).toEqual(
      expect.arrayContaining([expect.stringContaining('unmanaged-index')])
    )
    const file = JSON.parse(
      buildReportFile(
        {
          mode: 'validate',
          commentKey: 'default',
          repository: 'acme/indexes',
          pullRequest: 1,
          headSha: LINKS.headSha,
          runId: '4242'
        },
        [r]
      )
    ) as { objects: ObjectResult[] }
    expect(file.objects[0]!.findings).toContainEqual(unmanaged)
    expect(computeOutputs([r], 'validate', { reportPath: '/tmp/r.json' })['warning-count']).toBe('2')
  })

  it('is listed under Findings when no table row tells it (a file-only object has no live indexes)', () => {
    const offline = validateResult({ live: false, indexesBefore: [] })
    expect(tableOf(comment([offline]), FINDING_COLUMNS).map(row => row[1])).toContain('unmanaged-index')
  })

  it('is one row of the drift table in a drift report, marked with its warning', () => {
    const d = driftResult({
      findings: [finding({ rule: 'unmanaged-index', index: 'idx_extra', field: undefined })]
    })
    const body = comment([d], 'drift')
    expect(tableOf(body, ['Index', 'Drift', 'Detail']).filter(row => row[0] === 'idx_extra')).toEqual([
      ['idx_extra', '⚠️ unmanaged', 'live, not in the file: kept (warning unmanaged-index)']
    ])
    expect(body).not.toContain('#### Findings')
  })
})

describe('the probe plans agree with the findings', () => {
  const uniqueLow = validateResult({
    findings: [
      finding({
        rule: 'unique-on-low-cardinality',
        index: 'idx_status_priority',
        message: 'idx_status_priority is unique on low-cardinality fields: its rebuild fails.'
      })
    ],
    baselineProbes: [probe({ predicted: { strategy: 'index', indexName: 'idx_status_priority' } })]
  })

  it('does not predict ✅ for an index whose unique-on-low-cardinality warning says its rebuild fails', () => {
    const [row] = tableOf(comment([uniqueLow]), PLAN_COLUMNS)
    expect(row![3]).toBe('⚠️ rebuild expected to fail (unique-on-low-cardinality)')
  })

  it('does not predict ✅ for an index an error blocks, naming the error', () => {
    const blocked = validateResult({
      findings: [finding({ severity: 'error', rule: 'unknown-field', index: 'idx_status_priority' })],
      baselineProbes: [probe({ predicted: { strategy: 'index', indexName: 'idx_status_priority' } })]
    })
    const [row] = tableOf(comment([blocked]), PLAN_COLUMNS)
    expect(row![3]).toBe('— blocked by an error (unknown-field)')
  })

  it('does not predict ✅ for any index of an object an error elsewhere blocks: nothing is deployed', () => {
    const blocked = validateResult({
      findings: [finding({ severity: 'error', rule: 'index-limit-exceeded', index: undefined })],
      baselineProbes: [probe({ index: 'idx_tier', predicted: { strategy: 'index', indexName: 'idx_tier' } })]
    })
    const [row] = tableOf(comment([blocked]), PLAN_COLUMNS)
    expect(row![3]).toBe('— blocked by an error (index-limit-exceeded)')
  })

  it('still predicts ✅ for an index no finding contradicts', () => {
    const fine = validateResult({
      baselineProbes: [probe({ predicted: { strategy: 'index', indexName: 'idx_status_priority' } })]
    })
    const [row] = tableOf(comment([fine]), PLAN_COLUMNS)
    expect(row![3]).toBe('✅ index idx_status_priority')
  })
})
