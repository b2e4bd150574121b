// The sticky PR comment's body, read as GitHub renders it: the verdict, the index change table, the findings
// with their links, the probes, the footer and the review line; outside text that stays text; and the
// 65,536-character limit whatever the size of the input.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Finding, IndexState, ObjectResult } from '../../src/model.js'
import {
  type CommentOptions,
  commentMarker,
  MAX_COMMENT_LENGTH,
  renderComment
} from '../../src/report/comment.js'
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
  finding,
  HEAD_SHA,
  HOSTILE,
  LINKS,
  probe,
  result,
  TICKET_ID,
  validateResult
} from '../helpers/results.js'

const TRAILER =
  '<!-- custom-object-index-review:{"v":1,"headSha":"3f2c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a","runId":"4242","objects":{}} -->'
const opts: CommentOptions = { commentKey: 'default', mode: 'validate', ...LINKS, trailer: TRAILER }
const CHANGE_COLUMNS = ['Index', 'Change', 'Fields', 'Order', 'Unique', 'Status']
const FINDING_COLUMNS = ['Severity', 'Rule', 'Location', 'Message']

function render(results: ObjectResult[], over: Partial<CommentOptions> = {}): string {
  return renderComment(results, { ...opts, ...over })
}

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

/** The marker first, the review line last, only our own HTML, balanced <details>, under the limit. */
function assertWellFormed(body: string, max = MAX_COMMENT_LENGTH): void {
  const lines = body.split('\n')
  expect(lines[0]).toBe(commentMarker('default'))
  expect(lines.at(-1)).toBe(TRAILER)
  expect(body.length).toBeLessThan(max)
  assertValidMarkdown(body)
  assertOwnHtml(toHtml(body), [commentMarker('default'), TRAILER])
}

describe('renderComment: the verdict', () => {
  it('starts with the marker line and puts the verdict in the first heading', () => {
    const body = render([validateResult()], { commentKey: 'ticket', trailer: undefined })
    expect(body.split('\n')[0]).toBe('<!-- custom-object-index:ticket -->')
    expect(commentMarker('ticket')).toBe('<!-- custom-object-index:ticket -->')
    expect(headings(body)[0]).toBe('## Custom-object index check: ✅ pass — 1 object, 0 errors, 2 warnings')
  })

  it('says blocked with the counts when an object has errors', () => {
    const bad = validateResult({
      objectName: 'Blocked',
      findings: [finding({ severity: 'error' }), finding()]
    })
    const body = render([validateResult(), bad])
    expect(headings(body)[0]).toBe(
      '## Custom-object index check: ❌ blocked — 1 of 2 objects, 1 error, 3 warnings'
    )
    expect(headings(body)[1]).toBe('### ❌ Blocked (0b4f0ac2…) — 1 error blocks the deploy, 1 warning')
  })

  it('never marks a run without credentials as a pass: file checks only, not compared with the live schema', () => {
    const body = render([result({ live: false, findings: [finding()] })])
    expect(headings(body)[0]).toBe(
      '## Custom-object index check: ⚠️ file checks only — not compared with the live schema, 0 errors, 1 warning'
    )
    expect(body).not.toContain('✅')
    expect(visibleText(toHtml(body))).toContain('no client credentials were given')
  })

  it('says the counts once with one object: in the run heading, not again in the object heading', () => {
    const body = render([validateResult()])
    expect(headings(body).slice(0, 2)).toEqual([
      '## Custom-object index check: ✅ pass — 1 object, 0 errors, 2 warnings',
      '### ✅ Ticket (0b4f0ac2…) — 1 index added'
    ])
    expect(body.match(/2 warnings/g)).toHaveLength(1)
  })

  it('says the counts once with one blocked object: the heading counts, the object says its errors block', () => {
    const body = render([validateResult({ findings: [finding({ severity: 'error' }), finding()] })])
    expect(headings(body).slice(0, 2)).toEqual([
      '## Custom-object index check: ❌ blocked — 1 of 1 object, 1 error, 1 warning',
      '### ❌ Ticket (0b4f0ac2…) — its error blocks the deploy'
    ])
    expect(body.match(/1 error\b/g)).toHaveLength(1)
  })

  it('gives each object its own counts when there are several (the run heading has the totals)', () => {
    const other = validateResult({ objectName: 'Account', findings: [] })
    const body = render([validateResult(), other])
    expect(headings(body).filter(h => !h.startsWith('####'))).toEqual([
      '## Custom-object index check: ✅ pass — 2 objects, 0 errors, 2 warnings',
      '### ✅ Ticket (0b4f0ac2…) — 1 index added, 0 errors, 2 warnings',
      '### ✅ Account (0b4f0ac2…) — 1 index added, 0 errors, 0 warnings'
    ])
  })

  it("keeps a deploy's blocked object its error count: the deploy heading counts outcomes, not findings", () => {
    const blocked = deployResult({ outcome: 'blocked', findings: [finding({ severity: 'error' })] })
    const body = render([blocked], { mode: 'deploy' })
    expect(headings(body)[1]).toBe('### ❌ Ticket (0b4f0ac2…) — blocked: 1 error')
    expect(body.match(/1 error\b/g)).toHaveLength(1)
  })

  it('shows a fatal error of an object', () => {
    const body = render([
      result({ error: 'GET schema failed: 503 service.unavailable (correlation id c-1)' })
    ])
    expect(headings(body)[1]).toBe(
      '### ❌ Ticket (0b4f0ac2…) — failed: GET schema failed: 503 service.unavailable (correlation id c-1)'
    )
  })

  it('lists failing objects before passing ones', () => {
    const ok = validateResult({ objectName: 'Passing' })
    const bad = validateResult({ objectName: 'Blocked', findings: [finding({ severity: 'error' })] })
    const [first, second] = headings(render([ok, bad])).filter(h => h.startsWith('### '))
    expect(first).toContain('Blocked')
    expect(second).toContain('Passing')
  })

  it('says per object and overall whether a deploy deployed, left unchanged, failed or rolled back', () => {
    const results = [
      deployResult({ objectName: 'Deployed' }),
      deployResult({ objectName: 'Same', outcome: 'unchanged', changed: false }),
      deployResult({
        objectName: 'Broken',
        outcome: 'failed',
        rebuild: { status: 'failed', seconds: 3, reason: 'idx_status_priority: duplicate values' }
      }),
      deployResult({
        objectName: 'Undone',
        outcome: 'rolled-back',
        rolledBack: [{ index: 'idx_status_priority', statusReason: 'duplicate values' }]
      })
    ]
    const h = headings(render(results, { mode: 'deploy' }))
    expect(h[0]).toBe(
      '## Custom-object index deploy: ❌ failed — 1 failed, 1 rolled back, 1 deployed, 1 unchanged'
    )
    expect(h).toContain(
      '### ❌ Broken (0b4f0ac2…) — deploy failed: rebuild failed: idx_status_priority: duplicate values'
    )
    expect(h).toContain(
      '### ❌ Undone (0b4f0ac2…) — rolled back: idx_status_priority failed to build and was dropped'
    )
    expect(h).toContain('### ✅ Deployed (0b4f0ac2…) — deployed as schema version 4: 1 index added')
    expect(h).toContain('### ✅ Same (0b4f0ac2…) — unchanged: the live schema already matches the file')
  })

  it('says deployed overall when every object landed', () => {
    const h = headings(render([deployResult()], { mode: 'deploy' }))
    expect(h[0]).toBe('## Custom-object index deploy: ✅ deployed — 1 deployed')
  })
})

describe('renderComment: the index change table', () => {
  it('spells out each change with fields, order, unique and status before → after', () => {
    const rows = tableOf(render([changesResult()]), CHANGE_COLUMNS)
    expect(rows).toEqual([
      [
        'idx_status_priority',
        '✏️ fields changed, order changed',
        'status → status, priority',
        'asc → asc, desc',
        'no',
        'active → rebuilt on deploy'
      ],
      ['idx_created', '✏️ unique added', 'createdAt', 'asc', 'no → yes', 'active → rebuilt on deploy'],
      ['idx_kept', '⚪ unmanaged, kept', 'assignee', 'asc', 'no', 'active'],
      ['idx_same', 'unchanged', 'priority', 'asc', 'no', 'active'],
      ['idx_account_tier', '➕ added', 'account.tier', 'asc', 'no', 'built on deploy'],
      ['idx_legacy', '➖ dropped by prune', 'legacyCode', 'asc', 'no', 'active → dropped on deploy']
    ])
  })

  it('says when unique is removed and when only the order changes', () => {
    const r = result({
      diff: { added: [], modified: ['idx_a', 'idx_b'], removed: [], unmanaged: [] },
      indexesBefore: [
        { name: 'idx_a', fields: ['a'], unique: true, status: 'active' },
        { name: 'idx_b', fields: ['b', 'c'], status: 'active' }
      ],
      indexesAfter: [
        { name: 'idx_a', fields: ['a'], status: 'active' },
        { name: 'idx_b', fields: ['b', 'c'], order: ['asc', 'desc'], status: 'active' }
      ]
    })
    const rows = tableOf(render([r]), CHANGE_COLUMNS)
    expect(rows.map(row => row[1])).toEqual(['✏️ unique removed', '✏️ order changed'])
  })

  it('puts a banner at the top of the comment when an index is dropped', () => {
    const body = render([changesResult()])
    const html = toHtml(body)
    const banner =
      /<blockquote>\s*<p>\[!CAUTION\]\s*Deploying this drops 1 index: <code>idx_legacy<\/code>/.exec(html)
    expect(banner).not.toBeNull()
    // Before the first object.
    expect(html.indexOf('[!CAUTION]')).toBeLessThan(html.indexOf('<h3'))
  })

  it('puts the banner on each dropping object too when there are several objects', () => {
    const body = render([changesResult({ objectName: 'A' }), validateResult({ objectName: 'B' })])
    expect(body.match(/\[!CAUTION\]/g)).toHaveLength(2)
    expect(visibleText(toHtml(body))).toContain('Deploying this drops 1 index: A: idx_legacy')
  })

  it('says a deploy dropped indexes only when its PUT made a new version', () => {
    const dropped = { diff: { added: [], modified: [], removed: ['idx_old'], unmanaged: [] } }
    const landed = render([deployResult(dropped)], { mode: 'deploy' })
    expect(visibleText(toHtml(landed))).toContain('This deploy dropped 1 index: idx_old')
    const blocked = deployResult({
      ...dropped,
      outcome: 'blocked',
      schemaVersion: 3,
      findings: [finding({ severity: 'error' })]
    })
    expect(render([blocked], { mode: 'deploy' })).not.toContain('[!CAUTION]')
  })

  it('lists the indexes of the file when there is no live schema to compare with', () => {
    const r = result({
      live: false,
      indexesAfter: [{ name: 'idx_status_priority', fields: ['status', 'priority'], order: ['desc', 'asc'] }]
    })
    const body = render([r])
    expect(headings(body)).toContain('#### Indexes in the file (not compared with the live schema)')
    expect(tableOf(body, CHANGE_COLUMNS)).toEqual([
      ['idx_status_priority', 'in the file', 'status, priority', 'desc, asc', 'no', '—']
    ])
  })

  it('shows a deploy: statuses before → after and a failed index with its reason', () => {
    const r = deployResult({
      diff: { added: ['idx_status_priority'], modified: [], removed: [], unmanaged: [] },
      indexesAfter: [
        { name: 'idx_old', fields: ['createdAt'], status: 'active' },
        {
          name: 'idx_status_priority',
          fields: ['status'],
          status: 'failed',
          statusReason: 'duplicate values'
        }
      ]
    })
    const rows = tableOf(render([r], { mode: 'deploy' }), CHANGE_COLUMNS)
    expect(rows[1]).toEqual([
      'idx_status_priority',
      '➕ added',
      'status',
      'asc',
      'no',
      'failed: duplicate values'
    ])
  })

  it('keeps the merged-schema diff, collapsed in <details>', () => {
    const html = toHtml(render([validateResult()]))
    expect(html).toMatch(
      /<details><summary>Merged schema diff \(8 lines\)<\/summary>\s*<pre><code class="language-diff">--- live/
    )
  })

  it('states the rebuild estimate with the index changes, and beside a unique-on-low-cardinality finding', () => {
    const r = changesResult({
      rebuildEstimate: { records: 100_000, indexes: 3 },
      findings: [
        finding({ rule: 'unique-on-low-cardinality', index: 'idx_created', message: 'Unique on low.' })
      ]
    })
    const body = render([r])
    const text = visibleText(toHtml(body))
    expect(text).toContain(
      'Rebuild: about 100,000 records × 3 indexes (idx_account_tier added, idx_status_priority fields changed, order changed, idx_created unique added)'
    )
    expect(tableOf(body, FINDING_COLUMNS)[0]![3]).toBe(
      'Unique on low. (rebuild: about 100,000 records × 3 indexes)'
    )
  })
})

describe('renderComment: findings', () => {
  it('lists severity, rule, location (file:line, index, field) and the message', () => {
    const rows = tableOf(render([validateResult()]), FINDING_COLUMNS)
    expect(rows[0]).toEqual([
      '⚠️ warning',
      'low-selectivity-leading-field',
      'indexes/ticket.yaml:4\nidx_status_priority · status',
      'The leading field status has low cardinality; put priority first.'
    ])
  })

  it('links each location to the file at the PR head commit, line included', () => {
    const links = hrefs(toHtml(render([validateResult()])))
    expect(links).toContain(`${BLOB}/indexes/ticket.yaml#L4`)
    expect(links).toContain(`${BLOB}/indexes/ticket.yaml`)
  })

  it('writes locations as plain text without a server, repository or head SHA', () => {
    const body = renderComment([validateResult()], { commentKey: 'default', mode: 'validate' })
    expect(hrefs(toHtml(body))).toEqual([])
    expect(body).toContain('`indexes/ticket.yaml:4`')
  })

  it('lists errors before warnings', () => {
    const r = result({
      findings: [
        finding({ message: 'second' }),
        finding({ severity: 'error', rule: 'unknown-field', message: 'first' })
      ]
    })
    const rows = tableOf(render([r]), FINDING_COLUMNS)
    expect(rows.map(row => row[3])).toEqual(['first', 'second'])
  })
})

describe('renderComment: probes', () => {
  it("puts today's plan beside the plan predicted after the merge", () => {
    const r = validateResult({
      baselineProbes: [
        probe({
          index: 'idx_account_tier',
          values: { 'account.tier': 'gold' },
          predicted: { strategy: 'index', indexName: 'idx_account_tier' }
        }),
        probe({ predicted: { strategy: 'fullScan' } })
      ]
    })
    const rows = tableOf(render([r]), ['Index', 'Query', 'Today', 'After deploy'])
    expect(rows).toEqual([
      [
        'idx_account_tier',
        'account.tier = "gold"',
        'full scan, 100,000 records examined, 120 ms',
        '✅ index idx_account_tier'
      ],
      [
        'idx_status_priority',
        'status = "open"',
        'full scan, 100,000 records examined, 120 ms',
        '⚠️ full scan'
      ]
    ])
  })

  it('labels placeholder values: they prove the plan, not the data', () => {
    const body = render([validateResult({ baselineProbes: [probe({ placeholder: true })] })])
    expect(tableOf(body, ['Index', 'Query', 'Today', 'After deploy'])[0]![1]).toBe(
      'status = "open" (placeholder values: they prove the plan, not the data)'
    )
  })

  it('shows a failed probe as failed with its message', () => {
    const body = render([validateResult({ baselineProbes: [probe({ error: 'POST queries: 503 <busy>' })] })])
    expect(tableOf(body, ['Index', 'Query', 'Today', 'After deploy'])[0]![2]).toBe(
      '❌ failed: POST queries: 503 <busy>'
    )
  })

  it('says after a deploy whether each probe used the index it targets', () => {
    const r = deployResult({
      probes: [
        probe({
          indexUsed: true,
          strategy: 'index',
          indexName: 'idx_status_priority',
          recordsExamined: 12,
          latencyMs: 8
        }),
        probe({
          index: 'idx_other',
          values: { a: 1 },
          indexUsed: true,
          strategy: 'index',
          indexName: 'idx_status_priority'
        }),
        probe({ index: 'idx_third', values: { b: true }, error: 'timeout' })
      ]
    })
    const rows = tableOf(render([r], { mode: 'deploy' }), [
      'Index',
      'Query',
      'Before the deploy',
      'After the deploy',
      'Used its index'
    ])
    expect(rows).toEqual([
      [
        'idx_status_priority',
        'status = "open"',
        'full scan, 100,000 records examined, 120 ms',
        'index idx_status_priority, 12 records examined, 8 ms',
        '✅ yes'
      ],
      ['idx_other', 'a = 1', '—', 'index idx_status_priority, 100,000 records examined, 120 ms', '❌ no'],
      ['idx_third', 'b = true', '—', '❌ failed: timeout', '❌ no']
    ])
  })
})

describe('renderComment: footer and review line', () => {
  it('links the head commit (7 characters) and the run, gives the time in UTC and each payload hash', () => {
    const body = render([
      changesResult({ objectName: 'Ticket' }),
      result({ objectName: 'Offline', live: false })
    ])
    const html = toHtml(body)
    expect(hrefs(html)).toEqual(
      expect.arrayContaining([
        `https://github.com/acme/indexes/commit/${HEAD_SHA}`,
        'https://github.com/acme/indexes/actions/runs/4242'
      ])
    )
    expect(visibleText(html)).toContain(
      'Commit 3f2c1a9 · run 4242 · 2025-05-01 12:34 UTC · payload hash: Ticket bbbbbbbbbbbb'
    )
    expect(html).toContain('<hr>')
  })

  it('puts the run link and its commit under the heading, within the first 4 lines; the footer keeps the stamp', () => {
    const body = render([validateResult(), changesResult({ objectName: 'Other' })])
    const lines = body.split('\n')
    const at = lines.findIndex(l => l.includes('(https://github.com/acme/indexes/actions/runs/4242)'))
    expect(at).toBeGreaterThan(0)
    expect(at).toBeLessThan(4)
    expect(lines[at]).toMatch(/^\[Run 4242\]\(.+\) on commit \[`3f2c1a9`\]\(.+\)$/)
    // Twice in all: under the heading to reach the logs, in the footer as the review stamp.
    expect(body.split('actions/runs/4242').length - 1).toBe(2)
  })

  it('ends with the review line, verbatim, after the footer', () => {
    const body = render([validateResult()])
    const lines = body.split('\n')
    expect(lines.at(-1)).toBe(TRAILER)
    expect(lines.findIndex(l => l.includes(' · payload hash: '))).toBeLessThan(lines.length - 1)
  })

  it('ends with a line break and no review line when none is given', () => {
    const body = render([validateResult()], { trailer: undefined })
    expect(body.endsWith(' · payload hash: Ticket `aaaaaaaaaaaa`\n')).toBe(true)
  })

  it('writes no link from a server URL, repository or SHA that is not one', () => {
    const body = render([validateResult()], {
      serverUrl: 'javascript:alert(1)',
      repository: 'acme/indexes"><script>',
      headSha: 'not-a-sha'
    })
    expect(hrefs(toHtml(body))).toEqual([])
  })
})

describe('renderComment: outside text stays text', () => {
  it.each(HOSTILE)('in file names, index and field names, messages, reasons and probe values: %j', evil => {
    const r = changesResult({
      objectName: evil,
      file: `indexes/${evil}.yaml`,
      error: undefined,
      diff: { added: [evil], modified: [], removed: [evil + 'x'], unmanaged: [] },
      indexesBefore: [{ name: evil + 'x', fields: [evil], status: 'failed', statusReason: evil }],
      indexesAfter: [{ name: evil, fields: [evil, 'b'], status: 'active', statusReason: evil }],
      findings: [finding({ index: evil, field: evil, message: evil, file: `indexes/${evil}.yaml`, line: 3 })],
      baselineProbes: [probe({ index: evil, values: { [evil]: evil }, error: evil })],
      textDiff: `+ ${evil}\n- </details>\n`,
      rebuildEstimate: { records: 10, indexes: 1 }
    })
    const failed = result({ objectName: 'Failed', error: evil, customObjectId: evil })
    const deploy = deployResult({
      rebuild: { status: 'failed', seconds: 1, reason: evil },
      rolledBack: [{ index: evil, statusReason: evil }],
      outcome: 'rolled-back'
    })
    for (const body of [render([r, failed]), render([deploy], { mode: 'deploy' })]) {
      assertWellFormed(body)
      const html = toHtml(body)
      // A reader sees the hostile text as text (escaped), never as markup.
      expect(html).not.toMatch(/<script|<img|<details open|href="https:\/\/evil/)
    }
  })

  it('shows the hostile text itself to the reader', () => {
    const evil = '<script>alert(1)</script> | `x` <!-- y -->'
    const body = render([result({ findings: [finding({ message: evil })] })])
    expect(tableOf(body, FINDING_COLUMNS)[0]![3]).toBe(evil)
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; \\| \\`x\\` &lt;!-- y --&gt;')
  })

  it('keeps a name from mentioning anyone', () => {
    const body = render([result({ findings: [finding({ message: 'ask @octocat' })] })])
    expect(body).toContain('@\u200boctocat')
  })

  it('caps the length of an outside string', () => {
    const body = render([result({ findings: [finding({ message: 'm'.repeat(50_000) })] })])
    expect(body.length).toBeLessThan(3_000 + TRAILER.length)
    expect(body).toContain('m…')
  })
})

describe('renderComment: size limit', () => {
  it('keeps a 1,000-index object under the limit, the marker first and the review line last', () => {
    const states: IndexState[] = Array.from({ length: 1_000 }, (_v, i) => ({
      name: `idx_${i}`,
      fields: ['a', 'b', 'c', 'd'],
      status: 'active'
    }))
    const r = result({
      diff: { added: states.map(s => s.name), modified: [], removed: [], unmanaged: [] },
      indexesAfter: states,
      findings: manyFindings(1_000),
      textDiff: bigDiff(20_000)
    })
    const body = render([r])
    assertWellFormed(body)
    expect(body).toContain("left out to stay under GitHub's comment size limit; see [the job summary]")
    expect(body).toContain('_The merged-schema diff (20,000 lines) is left out')
  })

  it('keeps 300 objects under the limit with the footer and the review line whole', () => {
    const results = Array.from({ length: 300 }, (_v, i) =>
      changesResult({
        customObjectId: `${i}-${TICKET_ID}`,
        objectName: `Object ${i}`,
        findings: manyFindings(5)
      })
    )
    const body = render(results)
    assertWellFormed(body)
    expect(body).toContain('Object 299 `bbbbbbbbbbbb`')
    expect(body).toMatch(
      /The details of the last [\d,]+ objects are left out to stay under GitHub's comment size limit; see \[the job summary\]/
    )
  })

  it('cuts a 100,000-line diff and points at the job summary', () => {
    const body = render([validateResult({ textDiff: bigDiff(100_000) })])
    assertWellFormed(body)
    expect(body).toMatch(
      /… [\d,]+ more lines left out to stay under GitHub's comment size limit; see \[the job summary\]\(https:\/\/github\.com\/acme\/indexes\/actions\/runs\/4242\)/
    )
    expect(headings(body)).toContain('#### Probe plans')
  })

  it('cuts the largest diff first and keeps a small one whole', () => {
    const small = validateResult({ objectName: 'Small', textDiff: bigDiff(10, '-') })
    const large = validateResult({ objectName: 'Large', textDiff: bigDiff(50_000) })
    const body = render([small, large])
    assertWellFormed(body)
    expect(body).toContain('Merged schema diff (10 lines)')
    expect(body).toContain('-    "field_9": "value 9",')
    expect(body).toMatch(/more lines left out/)
  })

  it('drops the diff before it shortens the findings table', () => {
    const r = validateResult({ findings: manyFindings(1_000), textDiff: bigDiff(5_000) })
    const body = render([r])
    assertWellFormed(body)
    expect(body).toContain('_The merged-schema diff (5,000 lines) is left out')
    expect(body).not.toContain('```diff')
    expect(body).toMatch(/… [\d,]+ more left out to stay under GitHub's comment size limit/)
    expect(body).toContain('Finding number 0.')
  })

  it('points at the run when no summary URL is given and the run is known', () => {
    const body = render([validateResult({ textDiff: bigDiff(100_000) })], { runId: '7' })
    expect(body).toContain('[the job summary](https://github.com/acme/indexes/actions/runs/7)')
  })

  it('honours a smaller maxLength', () => {
    const body = render([validateResult({ findings: manyFindings(100), textDiff: bigDiff(1_000) })], {
      maxLength: 5_000
    })
    assertWellFormed(body, 5_000)
  })

  it('falls back to a short note, still with the marker and the review line, when nothing else fits', () => {
    const body = render([validateResult()], { maxLength: 600 })
    assertWellFormed(body, 600)
    expect(body).toContain('The report is left out')
  })

  it('stays under the limit with valid Markdown and only its own HTML for any size of input', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', '|', '`', '<', '>', '-', '!', '\n', ' ', '*', 'é', '😀'),
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
          assertWellFormed(render(results, { maxLength }), maxLength)
        }
      ),
      { numRuns: 40 }
    )
  })
})
