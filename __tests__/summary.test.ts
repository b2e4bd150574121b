// The job summary: the same sections in every mode, before and after for a deploy, and the 1 MiB cap.
import { describe, expect, it } from 'vitest'
import type { Mode } from '../src/model.js'
import { MAX_SUMMARY_BYTES, renderSummary } from '../src/report/summary.js'
import { assertValidMarkdown } from './helpers/markdown.js'
import { finding, probe, result, validateResult } from './helpers/results.js'

function deployResult(): ReturnType<typeof validateResult> {
  return validateResult({
    mode: 'deploy',
    basedOnVersion: 3,
    schemaVersion: 4,
    rebuild: { status: 'active', seconds: 12 },
    audit: 'true',
    indexesAfter: [
      { name: 'idx_old', fields: ['createdAt'], status: 'active' },
      { name: 'idx_status_priority', fields: ['status', 'priority'], status: 'active' }
    ],
    probes: [
      probe({
        indexUsed: true,
        strategy: 'index',
        indexName: 'idx_status_priority',
        recordsExamined: 12,
        latencyMs: 8
      })
    ]
  })
}

describe('renderSummary', () => {
  it.each<Mode>(['validate', 'deploy', 'plan'])(
    'has the overview, changes, findings, indexes and diff in %s mode',
    mode => {
      const text = renderSummary([validateResult({ mode })], { mode })
      expect(text).toContain(
        '| Object | File | Errors | Warnings | Index changes | Schema version | Rebuild | Audit |'
      )
      expect(text).toContain('#### Index changes')
      expect(text).toContain('#### Findings')
      expect(text).toContain('#### Indexes')
      expect(text).toContain('#### Probe plans')
      expect(text).toContain('```diff')
      assertValidMarkdown(text)
    }
  )

  it('shows a deploy before and after: schema versions, index states, probe plans, rebuild and audit', () => {
    const text = renderSummary([deployResult()], { mode: 'deploy' })
    expect(text).toContain('Schema version 3 → 4')
    expect(text).toContain('| Index | Fields | Before | After |')
    expect(text).toContain('| `idx_status_priority` | `status`, `priority` | — | active |')
    expect(text).toContain('| Index | Query | Before the deploy | After the deploy |')
    expect(text).toContain(
      '| `idx_status_priority` | `status = "open"` | ⚠️ full scan, 100,000 records examined, 120 ms | ✅ index `idx_status_priority`, 12 records examined, 8 ms |'
    )
    expect(text).toContain('Rebuild active after 12 s')
    expect(text).toContain('Audit record delivered: true')
  })

  it('names a failed index and its reason after a deploy', () => {
    const r = deployResult()
    r.rebuild = { status: 'failed', seconds: 3, reason: 'idx_status_priority failed: duplicate values' }
    r.indexesAfter = [
      { name: 'idx_status_priority', fields: ['status'], status: 'failed', statusReason: 'duplicate values' }
    ]
    const text = renderSummary([r], { mode: 'deploy' })
    expect(text).toContain('Rebuild failed after 3 s: idx\\_status\\_priority failed: duplicate values')
    expect(text).toContain('failed: duplicate values |')
  })

  it("shows today's plan without an after column in validate mode", () => {
    const text = renderSummary([validateResult()], { mode: 'validate' })
    expect(text).toContain('| Index | Query | Today |\n')
  })

  it('lists the indexes of the file and the file-only note without credentials', () => {
    const r = result({
      live: false,
      indexesAfter: [{ name: 'idx_status_priority', fields: ['status', 'priority'] }]
    })
    const text = renderSummary([r], { mode: 'validate' })
    expect(text).toContain('file-only checks: no client credentials (fork PR?)')
    expect(text).toContain('idx_status_priority')
  })

  it('keeps every finding of a large report in full', () => {
    const findings = Array.from({ length: 2_000 }, (_v, i) => finding({ message: `Finding number ${i}.` }))
    const text = renderSummary([validateResult({ findings })], { mode: 'validate' })
    expect(text).toContain('Finding number 1999.')
    expect(text).not.toContain('left out')
  })

  it('caps the summary at 1 MiB with a note pointing at the report file', () => {
    const textDiff = Array.from({ length: 100_000 }, (_v, i) => `+  "f${i}": "${'x'.repeat(20)}",`).join('\n')
    const text = renderSummary([validateResult({ textDiff })], { mode: 'validate' })
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThan(MAX_SUMMARY_BYTES)
    expect(text).toContain("left out; see the JSON file named by the action's `report` output")
    assertValidMarkdown(text)
  })

  it('counts the cap in bytes, not characters', () => {
    const findings = Array.from({ length: 50 }, () => finding({ message: '😀'.repeat(100) }))
    const text = renderSummary([validateResult({ findings })], { mode: 'validate', maxBytes: 10_000 })
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThan(10_000)
    assertValidMarkdown(text)
  })
})
