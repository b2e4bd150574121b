// The sticky PR comment's body: what it says about each object, how it escapes user text, and how it stays
// under GitHub's 65,536-character limit whatever the size of the input.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Finding, ObjectResult } from '../src/model.js'
import { commentMarker, MAX_COMMENT_LENGTH, renderComment } from '../src/report/comment.js'
import { assertValidMarkdown } from './helpers/markdown.js'
import { finding, probe, result, TICKET_ID, validateResult } from './helpers/results.js'

const SUMMARY_URL = 'https://github.com/acme/indexes/actions/runs/42'
const opts = { commentKey: 'default', mode: 'validate' as const, summaryUrl: SUMMARY_URL }

function bigDiff(lines: number, prefix = '+'): string {
  return (
    Array.from({ length: lines }, (_v, i) => `${prefix}    "field_${i}": "value ${i}",`).join('\n') + '\n'
  )
}

function manyFindings(n: number): Finding[] {
  return Array.from({ length: n }, (_v, i) =>
    finding({
      severity: i % 3 === 0 ? 'error' : 'warning',
      index: `idx_${i}`,
      message: `Finding number ${i}.`
    })
  )
}

describe('renderComment content', () => {
  it('starts with the marker line of the comment key', () => {
    const body = renderComment([validateResult()], { ...opts, commentKey: 'ticket' })
    expect(body.split('\n')[0]).toBe('<!-- custom-object-index:ticket -->')
    expect(commentMarker('ticket')).toBe('<!-- custom-object-index:ticket -->')
  })

  it('gives a passing object a one-line verdict with its changes and counts', () => {
    const body = renderComment([validateResult()], opts)
    expect(body).toContain('✅ Ticket (`0b4f0ac2…`) — 1 index added, 0 errors, 2 warnings')
  })

  it('says how many errors block the deploy', () => {
    const r = validateResult({
      findings: [
        finding({ severity: 'error', rule: 'unknown-field' }),
        finding({ severity: 'error', rule: 'unknown-field' })
      ]
    })
    expect(renderComment([r], opts)).toContain('❌ Ticket (`0b4f0ac2…`) — 2 errors block the deploy')
  })

  it('says when live checks were skipped for lack of credentials', () => {
    const body = renderComment([result({ live: false })], opts)
    expect(body).toContain('file-only checks: no client credentials (fork PR?)')
  })

  it('lists the indexes of the file when there is no live schema to compare with', () => {
    const r = result({
      live: false,
      indexesAfter: [{ name: 'idx_status_priority', fields: ['status', 'priority'] }]
    })
    const body = renderComment([r], opts)
    expect(body).toContain('Indexes in the file (not compared with the live schema)')
    expect(body).toContain('- `idx_status_priority` (`status`, `priority`)')
  })

  it('shows a fatal error of an object', () => {
    const body = renderComment(
      [result({ error: 'GET schema failed: 503 service.unavailable (correlation id c-1)' })],
      opts
    )
    expect(body).toContain('❌ Ticket (`0b4f0ac2…`) — failed: GET schema failed')
    expect(body).toContain('correlation id c-1')
  })

  it('lists added, modified, removed and unmanaged indexes with their fields', () => {
    const r = result({
      diff: { added: ['idx_new'], modified: ['idx_mod'], removed: ['idx_gone'], unmanaged: ['idx_kept'] },
      indexesBefore: [
        { name: 'idx_mod', fields: ['a'], status: 'active' },
        { name: 'idx_gone', fields: ['b'], status: 'active' },
        { name: 'idx_kept', fields: ['c'], status: 'active' }
      ],
      indexesAfter: [
        { name: 'idx_new', fields: ['d', 'e'] },
        { name: 'idx_mod', fields: ['a', 'f'] },
        { name: 'idx_kept', fields: ['c'], status: 'active' }
      ]
    })
    const body = renderComment([r], opts)
    expect(body).toContain('➕ added `idx_new` (`d`, `e`)')
    expect(body).toContain('✏️ modified `idx_mod` (`a`) → (`a`, `f`)')
    expect(body).toContain('➖ removed `idx_gone` (`b`)')
    expect(body).toContain('⚪ unmanaged `idx_kept` (`c`)')
  })

  it('puts the findings in a table with severity, rule, index, field, message and file:line', () => {
    const body = renderComment([validateResult()], opts)
    expect(body).toContain('| Severity | Rule | Index | Field | Message | Location |')
    expect(body).toContain(
      '| ⚠️ warning | `low-selectivity-leading-field` | `idx_status_priority` | `status` | The leading field status has low cardinality; put priority first. | `indexes/ticket.yaml:4` |'
    )
  })

  it('lists errors before warnings in the findings table', () => {
    const r = result({
      findings: [
        finding({ message: 'second' }),
        finding({ severity: 'error', rule: 'unknown-field', message: 'first' })
      ]
    })
    const body = renderComment([r], opts)
    expect(body.indexOf('first')).toBeLessThan(body.indexOf('second'))
  })

  it("shows today's probe plan from the baseline probes", () => {
    const body = renderComment([validateResult()], opts)
    expect(body).toContain("**Today's probe plan**")
    expect(body).toContain(
      '`idx_status_priority` (`status = "open"`): full scan, 100,000 records examined today'
    )
  })

  it('shows after a deploy whether each probe used its index, records examined and latency', () => {
    const r = validateResult({
      mode: 'deploy',
      basedOnVersion: 3,
      schemaVersion: 4,
      rebuild: { status: 'active', seconds: 12 },
      audit: 'true',
      probes: [
        probe({
          indexUsed: true,
          strategy: 'index',
          indexName: 'idx_status_priority',
          recordsExamined: 12,
          latencyMs: 8.4
        })
      ]
    })
    const body = renderComment([r], { ...opts, mode: 'deploy' })
    expect(body).toContain('**Probes after the deploy**')
    expect(body).toContain('✅ index used: index `idx_status_priority`, 12 records examined, 8 ms')
    expect(body).toContain('Schema version 3 → 4 · rebuild active in 12 s · audit record delivered: true')
  })

  it('puts the merged-schema diff in a collapsed details block with a diff fence', () => {
    const body = renderComment([validateResult()], opts)
    expect(body).toMatch(/<details><summary>Merged schema diff \(8 lines\)<\/summary>\n\n```diff\n--- live\n/)
    assertValidMarkdown(body)
  })

  it('lists blocked objects before passing ones', () => {
    const ok = validateResult({ objectName: 'Passing' })
    const bad = validateResult({ objectName: 'Blocked', findings: [finding({ severity: 'error' })] })
    const body = renderComment([ok, bad], opts)
    expect(body.indexOf('Blocked')).toBeLessThan(body.indexOf('Passing'))
    expect(body).toContain('❌ 1 of 2 objects blocked')
  })
})

describe('renderComment escaping', () => {
  it('escapes pipes in a message so the table keeps its columns', () => {
    const body = renderComment([result({ findings: [finding({ message: 'a | b | c' })] })], opts)
    expect(body).toContain('a \\| b \\| c')
    assertValidMarkdown(body)
  })

  it('escapes HTML in user text', () => {
    const body = renderComment(
      [result({ findings: [finding({ message: '<script>alert(1)</script>' })], objectName: '<b>x</b>' })],
      opts
    )
    expect(body).not.toContain('<script>')
    expect(body).not.toContain('<b>')
    expect(body).toContain('&lt;script&gt;')
  })

  it('keeps backticks in an index name inside its code span', () => {
    const body = renderComment([result({ findings: [finding({ index: 'idx`bad`' })] })], opts)
    expect(body).toContain('`` idx`bad` ``')
  })

  it('fences a diff that contains ``` with a longer fence', () => {
    const r = validateResult({ textDiff: '+  "description": "```\\n</details>"\n+```\n-````\n' })
    const body = renderComment([r], opts)
    expect(body).toContain('`````diff\n')
    assertValidMarkdown(body)
  })

  it('keeps a newline in a message on one table row', () => {
    const body = renderComment([result({ findings: [finding({ message: 'line one\nline two' })] })], opts)
    expect(body).toContain('line one line two')
    assertValidMarkdown(body)
  })
})

describe('renderComment size limit', () => {
  it('cuts a 100,000-line diff and points at the job summary', () => {
    const body = renderComment([validateResult({ textDiff: bigDiff(100_000) })], opts)
    expect(body.length).toBeLessThan(MAX_COMMENT_LENGTH)
    expect(body).toMatch(
      /… [\d,]+ more lines; see \[the job summary\]\(https:\/\/github\.com\/acme\/indexes\/actions\/runs\/42\)/
    )
    expect(body).toContain("Today's probe plan")
    assertValidMarkdown(body)
  })

  it('cuts the largest diff first and keeps a small one whole', () => {
    const small = validateResult({ objectName: 'Small', textDiff: bigDiff(10, '-') })
    const large = validateResult({ objectName: 'Large', textDiff: bigDiff(50_000) })
    const body = renderComment([small, large], opts)
    expect(body.length).toBeLessThan(MAX_COMMENT_LENGTH)
    expect(body).toContain('Merged schema diff (10 lines)')
    expect(body).toContain('-    "field_9": "value 9",')
    expect(body).toMatch(/more lines; see/)
  })

  it('drops the diff when the findings table alone is too long, then shortens the table', () => {
    const r = validateResult({ findings: manyFindings(1_000), textDiff: bigDiff(5_000) })
    const body = renderComment([r], opts)
    expect(body.length).toBeLessThan(MAX_COMMENT_LENGTH)
    expect(body).toContain('_The merged-schema diff (5,000 lines) is left out')
    expect(body).not.toContain('```diff')
    expect(body).toMatch(/… [\d,]+ more; see \[the job summary\]/)
    expect(body).toContain('Finding number 0.')
  })

  it('shortens a table of 10,000 findings with a pointer to the rest', () => {
    const body = renderComment([validateResult({ findings: manyFindings(10_000) })], opts)
    expect(body.length).toBeLessThan(MAX_COMMENT_LENGTH)
    expect(body).toMatch(/… [\d,]+ more; see \[the job summary\]/)
    expect(body).toContain('Finding number 0.')
    assertValidMarkdown(body)
  })

  it('shortens 1,000 objects to one line each, then leaves the rest out with a pointer', () => {
    const results = Array.from({ length: 1_000 }, (_v, i) =>
      validateResult({
        customObjectId: `${i}-${TICKET_ID}`,
        objectName: `Object ${i}`,
        findings: manyFindings(5)
      })
    )
    const body = renderComment(results, opts)
    expect(body.length).toBeLessThan(MAX_COMMENT_LENGTH)
    expect(body).toContain('Object 0 (')
    expect(body).toMatch(/more objects are not shown; see \[the job summary\]/)
    assertValidMarkdown(body)
  })

  it('links the run when no summary URL is given', () => {
    const body = renderComment([validateResult({ textDiff: bigDiff(100_000) })], {
      commentKey: 'default',
      mode: 'validate',
      runUrl: 'https://github.com/acme/indexes/actions/runs/7'
    })
    expect(body).toContain('[the job summary](https://github.com/acme/indexes/actions/runs/7)')
  })

  it('honours a smaller maxLength', () => {
    const body = renderComment([validateResult({ findings: manyFindings(100), textDiff: bigDiff(1_000) })], {
      ...opts,
      maxLength: 5_000
    })
    expect(body.length).toBeLessThan(5_000)
    expect(body.startsWith(commentMarker('default') + '\n')).toBe(true)
    assertValidMarkdown(body)
  })

  it('stays under the limit with valid Markdown for any size of input', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', '|', '`', '<', '\n', ' ', '*', 'é', '😀'),
      maxLength: 400
    })
    const arbFinding = fc.record({
      severity: fc.constantFrom('error' as const, 'warning' as const),
      message: text,
      index: text,
      line: fc.integer({ min: 1, max: 100_000 })
    })
    const arbResult = fc.record({
      findings: fc.array(arbFinding, { maxLength: 400 }),
      diffLines: fc.nat({ max: 20_000 }),
      diffText: text,
      name: text,
      live: fc.boolean(),
      error: fc.option(text, { nil: undefined })
    })
    fc.assert(
      fc.property(
        fc.array(arbResult, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 2_000, max: 65_536 }),
        (arbs, maxLength) => {
          const results: ObjectResult[] = arbs.map((a, i) =>
            validateResult({
              customObjectId: `${i}-${TICKET_ID}`,
              objectName: a.name,
              live: a.live,
              error: a.error,
              findings: a.findings.map(f => finding(f)),
              textDiff: a.diffLines === 0 ? '' : `${a.diffText}\n${bigDiff(a.diffLines)}`
            })
          )
          const body = renderComment(results, { ...opts, maxLength })
          expect(body.length).toBeLessThan(maxLength)
          expect(body.startsWith(commentMarker('default') + '\n')).toBe(true)
          assertValidMarkdown(body)
        }
      ),
      { numRuns: 40 }
    )
  })
})
