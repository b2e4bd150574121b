// The job summary: the same sections as the PR comment (one renderer), measured in UTF-8 bytes against 1 MiB;
// the drift report and the drift issue; a publish run over the objects of many report files.
import { describe, expect, it } from 'vitest'
import type { Mode } from '../../src/model.js'
import {
  driftIssueMarker,
  MAX_COMMENT_LENGTH,
  renderComment,
  renderDriftIssue
} from '../../src/report/comment.js'
import { MAX_SUMMARY_BYTES, renderSummary } from '../../src/report/summary.js'
import {
  assertOwnHtml,
  assertValidMarkdown,
  headings,
  hrefs,
  tableOf,
  toHtml,
  visibleText
} from '../helpers/markdown.js'
import {
  BLOB,
  changesResult,
  deployResult,
  driftResult,
  finding,
  HOSTILE,
  LINKS,
  result,
  TICKET_ID,
  validateResult
} from '../helpers/results.js'

const DRIFT_COLUMNS = ['Index', 'Drift', 'Detail']

describe('renderSummary', () => {
  it.each<Mode>(['validate', 'plan', 'deploy'])(
    'has the verdict, changes, findings, probes and diff in %s mode',
    mode => {
      const r = mode === 'deploy' ? deployResult() : validateResult({ mode })
      const text = renderSummary([r], { mode, ...LINKS })
      const h = headings(text)
      expect(h[0]).toMatch(/^## Custom-object index (check|plan|deploy): ✅/)
      expect(h).toEqual(
        expect.arrayContaining([
          '#### Index changes',
          '#### Findings',
          mode === 'deploy' ? '#### Probes' : '#### Probe plans'
        ])
      )
      expect(toHtml(text)).toContain('<details><summary>Merged schema diff')
      assertValidMarkdown(text)
      assertOwnHtml(toHtml(text))
    }
  )

  it('renders the same sections as the comment: only the marker, the review line and the cut notes differ', () => {
    const results = [changesResult(), validateResult({ objectName: 'Other' })]
    const summary = renderSummary(results, { mode: 'validate', ...LINKS })
    const comment = renderComment(results, {
      mode: 'validate',
      ...LINKS,
      commentKey: 'default',
      trailer: '<!-- r -->'
    })
    expect(comment).toBe(`<!-- custom-object-index:default -->\n${summary}\n<!-- r -->`)
  })

  it('shows a deploy before and after: versions, rebuild, audit, review and the probes', () => {
    const r = deployResult({ review: { payloadHash: 'c'.repeat(64), matched: true, pullRequest: 12 } })
    const text = visibleText(toHtml(renderSummary([r], { mode: 'deploy', ...LINKS })))
    expect(text).toContain('Payload hash aaaaaaaaaaaa · schema version 3 → 4 · rebuild active in 12 s')
    expect(text).toContain('Audit record (INDEX_DEPLOYED) delivered: true')
    expect(text).toContain('Review: the document sent is the one reviewed on PR #12')
  })

  it('says when the document deployed differs from the reviewed one, naming the reviewed hash', () => {
    const r = deployResult({ review: { payloadHash: 'c'.repeat(64), matched: false, pullRequest: 12 } })
    const text = visibleText(toHtml(renderSummary([r], { mode: 'deploy' })))
    expect(text).toContain('Review: ⚠️ differs from the reviewed cccccccccccc on PR #12')
  })

  it('names the indexes a rollback dropped and why', () => {
    const r = deployResult({
      outcome: 'rolled-back',
      auditAction: 'INDEX_ROLLED_BACK',
      rolledBack: [{ index: 'idx_status_priority', statusReason: 'duplicate values' }]
    })
    const text = visibleText(toHtml(renderSummary([r], { mode: 'deploy' })))
    expect(text).toContain('Rolled back: idx_status_priority (duplicate values)')
    expect(headings(renderSummary([r], { mode: 'deploy' }))[0]).toBe(
      '## Custom-object index deploy: ❌ failed — 1 rolled back'
    )
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
    expect(text).toContain(
      "left out to stay under GitHub's 1 MiB summary limit; see the report file (the action's `report` output)"
    )
    assertValidMarkdown(text)
  })

  it('counts the cap in bytes, not characters', () => {
    const findings = Array.from({ length: 50 }, () => finding({ message: '😀'.repeat(100) }))
    const text = renderSummary([validateResult({ findings })], { mode: 'validate', maxBytes: 10_000 })
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThan(10_000)
    expect(text.length).toBeLessThan(10_000)
    assertValidMarkdown(text)
  })

  it('has the footer with the commit, the run and the time', () => {
    const html = toHtml(renderSummary([validateResult()], { mode: 'validate', ...LINKS }))
    expect(hrefs(html)).toContain('https://github.com/acme/indexes/actions/runs/4242')
    expect(visibleText(html)).toContain('Commit 3f2c1a9 · run 4242 · 2025-05-01 12:34 UTC')
  })
})

describe('renderSummary: publish', () => {
  it('renders the objects of many report files as one report with the verdict of the whole set', () => {
    const fromFork = result({ objectName: 'Fork object', live: false, customObjectId: `1-${TICKET_ID}` })
    const fromMatrix = validateResult({ objectName: 'Matrix object', customObjectId: `2-${TICKET_ID}` })
    const text = renderSummary([fromMatrix, fromFork], { mode: 'publish', ...LINKS })
    const h = headings(text)
    expect(h[0]).toBe(
      '## Custom-object index check: ⚠️ file checks only — not compared with the live schema (1 of 2 objects), 0 errors, 2 warnings'
    )
    expect(h.filter(x => x.startsWith('### '))).toHaveLength(2)
  })
})

describe('renderSummary: drift', () => {
  it('lists per object what is missing, changed, failed and unmanaged', () => {
    const text = renderSummary([driftResult()], { mode: 'drift', ...LINKS })
    expect(headings(text).slice(0, 3)).toEqual([
      '## Custom-object index drift: ⚠️ drift in 1 of 1 object',
      '### ⚠️ Ticket (0b4f0ac2…) — drift: 1 missing, 1 changed, 1 failed',
      '#### Drift'
    ])
    expect(tableOf(text, DRIFT_COLUMNS)).toEqual([
      ['idx_new', '➕ missing', 'in the file, not live'],
      ['idx_mod', '✏️ changed', 'fields changed: live a, file a, d'],
      ['idx_bad', '❌ failed', 'failed: duplicate values'],
      ['idx_extra', 'ℹ️ unmanaged', 'live, not in the file: kept (information, not drift)']
    ])
    assertOwnHtml(toHtml(text))
  })

  it('marks unmanaged indexes as drift when they are what made the object drift (prune)', () => {
    const r = driftResult({ drift: { missing: [], changed: [], failed: [], unmanaged: ['idx_extra'] } })
    const rows = tableOf(renderSummary([r], { mode: 'drift' }), DRIFT_COLUMNS)
    expect(rows).toEqual([
      ['idx_extra', '➖ unmanaged', 'live, not in the file, and the file has prune: true: a deploy drops it']
    ])
  })

  it('says there is no drift, with unmanaged indexes as information only', () => {
    const r = driftResult({
      drifted: false,
      drift: { missing: [], changed: [], failed: [], unmanaged: ['idx_extra'] }
    })
    const text = renderSummary([r], { mode: 'drift' })
    expect(headings(text).slice(0, 2)).toEqual([
      '## Custom-object index drift: ✅ no drift — 1 object match their files',
      '### ✅ Ticket (0b4f0ac2…) — no drift'
    ])
    expect(text).not.toContain('[!CAUTION]')
  })

  it('says which objects could not be checked', () => {
    const text = renderSummary(
      [driftResult(), result({ mode: 'drift', error: 'GET schema: 403 missing.permissions' })],
      {
        mode: 'drift'
      }
    )
    expect(headings(text)[0]).toBe(
      '## Custom-object index drift: ❌ 1 of 2 objects could not be checked, drift in 1'
    )
  })
})

describe('renderDriftIssue', () => {
  it('starts with the drift marker and renders the drift report', () => {
    const body = renderDriftIssue([driftResult()], { commentKey: 'nightly', mode: 'drift', ...LINKS })
    expect(body.split('\n')[0]).toBe('<!-- custom-object-index-drift:nightly -->')
    expect(driftIssueMarker('nightly')).toBe('<!-- custom-object-index-drift:nightly -->')
    expect(tableOf(body, DRIFT_COLUMNS)).toHaveLength(4)
    expect(hrefs(toHtml(body))).toContain(`${BLOB}/indexes/ticket.yaml`)
  })

  it('stays under 65,536 characters for 300 drifting objects with hostile names', () => {
    const results = Array.from({ length: 300 }, (_v, i) =>
      driftResult({
        customObjectId: `${i}-${TICKET_ID}`,
        objectName: HOSTILE[i % HOSTILE.length]!,
        drift: {
          missing: Array.from({ length: 50 }, (_w, j) => `${HOSTILE[j % HOSTILE.length]!}${j}`),
          changed: [],
          failed: [],
          unmanaged: []
        }
      })
    )
    const body = renderDriftIssue(results, { commentKey: 'nightly', mode: 'drift', ...LINKS })
    expect(body.length).toBeLessThan(MAX_COMMENT_LENGTH)
    expect(body.split('\n')[0]).toBe(driftIssueMarker('nightly'))
    assertValidMarkdown(body)
    assertOwnHtml(toHtml(body), [driftIssueMarker('nightly')])
  })
})
