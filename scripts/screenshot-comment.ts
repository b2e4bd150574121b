// Renders a realistic PR comment (a validate run: an index added, one modified, one dropped, findings, probe
// plans, the footer) to HTML with GitHub-like CSS and takes a headless Chromium screenshot of it into
// .github/readme/comment.png, for the README.
//   npx tsx scripts/screenshot-comment.ts        (needs `chromium` on the PATH: apt-get install chromium)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { marked } from 'marked'
import type { ObjectResult } from '../src/model.js'
import { renderComment } from '../src/report/comment.js'

const OUT = fileURLToPath(new URL('../.github/readme/comment.png', import.meta.url))
const WIDTH = 1000
const HEIGHT = 1190

const ticket = '0b4f0ac2-8f0e-4e2a-9d3c-6d1b1f6e2a11'
const file = 'indexes/ticket.yaml'
const result: ObjectResult = {
  customObjectId: ticket,
  objectName: 'Ticket',
  file,
  mode: 'validate',
  live: true,
  findings: [
    {
      severity: 'warning',
      rule: 'index-modified',
      customObjectId: ticket,
      index: 'idx_status_priority',
      message: 'idx_status_priority changes its fields: queries cannot use it while it rebuilds.',
      file,
      line: 4
    },
    {
      severity: 'warning',
      rule: 'index-dropped',
      customObjectId: ticket,
      index: 'idx_legacy_code',
      message: 'prune: true drops the live index idx_legacy_code.',
      file,
      line: 14
    },
    {
      severity: 'warning',
      rule: 'low-selectivity-leading-field',
      customObjectId: ticket,
      index: 'idx_status_priority',
      field: 'status',
      message: 'The leading field status has cardinalityHint: low; put the more selective priority first.',
      file,
      line: 5
    }
  ],
  diff: {
    added: ['idx_account_tier'],
    modified: ['idx_status_priority'],
    removed: ['idx_legacy_code'],
    unmanaged: []
  },
  textDiff:
    '--- live\n+++ proposed\n@@ -20,9 +20,13 @@\n   "indexes": [\n     {\n       "name": "idx_status_priority",\n-      "fields": ["status"]\n+      "fields": ["status", "priority"],\n+      "order": ["asc", "desc"]\n     },\n-    {\n-      "name": "idx_legacy_code",\n-      "fields": ["legacyCode"]\n-    }\n+    {\n+      "name": "idx_account_tier",\n+      "fields": ["account.tier"]\n+    }\n   ]\n',
  changed: true,
  payloadHash: '9c1e5b7a2f4d8e0c3b6a1f9e7d5c3b1a0f8e6d4c2b0a9f7e5d3c1b9a7f5e3d1c',
  basedOnVersion: 7,
  rebuild: { status: 'skipped', seconds: 0 },
  probes: [],
  baselineProbes: [
    {
      index: 'idx_account_tier',
      values: { 'account.tier': 'gold' },
      indexUsed: false,
      strategy: 'fullScan',
      latencyMs: 412,
      recordsExamined: 100_000,
      predicted: { strategy: 'index', indexName: 'idx_account_tier' }
    },
    {
      index: 'idx_status_priority',
      values: { status: 'open', priority: 1 },
      indexUsed: false,
      strategy: 'fullScan',
      latencyMs: 398,
      recordsExamined: 100_000,
      placeholder: true,
      predicted: { strategy: 'index', indexName: 'idx_status_priority' }
    }
  ],
  indexesBefore: [
    { name: 'idx_status_priority', fields: ['status'], status: 'active' },
    { name: 'idx_created', fields: ['createdAt'], order: ['desc'], status: 'active' },
    { name: 'idx_legacy_code', fields: ['legacyCode'], status: 'active' }
  ],
  indexesAfter: [
    { name: 'idx_status_priority', fields: ['status', 'priority'], order: ['asc', 'desc'], status: 'active' },
    { name: 'idx_created', fields: ['createdAt'], order: ['desc'], status: 'active' },
    { name: 'idx_account_tier', fields: ['account.tier'] }
  ],
  audit: 'skipped',
  rebuildEstimate: { records: 100_000, indexes: 2 }
}

const headSha = '3f2c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a'
const markdown = renderComment([result], {
  commentKey: 'default',
  mode: 'validate',
  serverUrl: 'https://github.com',
  repository: 'acme/indexes',
  headSha,
  runId: '9876543210',
  time: new Date('2025-05-01T12:34:00Z'),
  trailer: `<!-- custom-object-index-review:{"v":1,"headSha":"${headSha}","runId":"9876543210","objects":{"${ticket}":{"payloadHash":"${result.payloadHash!}","basedOnVersion":7}}} -->`
})

// GitHub renders `> [!CAUTION]` as an alert; marked leaves it a plain blockquote, so style it here.
const body = marked
  .parse(markdown, { gfm: true, async: false })
  .replace(
    /<blockquote>\s*<p>\[!CAUTION\]\s*/g,
    '<blockquote class="caution"><p><strong>⊘ Caution</strong><br>'
  )

const CSS = `
body { margin: 0; background: #f6f8fa; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
.comment { width: ${WIDTH - 80}px; margin: 24px 40px; background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; }
.header { padding: 8px 16px; background: #f6f8fa; border-bottom: 1px solid #d1d9e0; border-radius: 6px 6px 0 0; color: #59636e; }
.header b { color: #1f2328; }
.markdown-body { padding: 16px; }
h2, h3, h4 { margin: 20px 0 12px; font-weight: 600; line-height: 1.25; }
h2 { font-size: 1.5em; padding-bottom: .3em; border-bottom: 1px solid #d1d9e0; margin-top: 0; }
h3 { font-size: 1.25em; } h4 { font-size: 1em; }
p, blockquote, table, details, pre { margin: 0 0 16px; }
a { color: #0969da; text-decoration: none; }
code { font: 85% ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: rgba(129,139,152,.12); padding: .2em .4em; border-radius: 6px; }
pre { background: #f6f8fa; padding: 16px; border-radius: 6px; overflow: auto; }
pre code { background: none; padding: 0; font-size: 85%; }
table { border-collapse: collapse; display: block; width: max-content; max-width: 100%; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
th { font-weight: 600; } tr:nth-child(2n) { background: #f6f8fa; }
blockquote { padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
blockquote.caution { color: #1f2328; border-left-color: #cf222e; }
blockquote.caution strong { color: #d1242f; }
hr { height: .25em; background: #d1d9e0; border: 0; margin: 24px 0; }
summary { cursor: pointer; }
`

const html = `<!doctype html><html><head><meta charset="utf-8"><style>${CSS}</style></head><body>
<div class="comment"><div class="header"><b>github-actions</b> <span>bot</span> commented</div>
<div class="markdown-body">${body}</div></div></body></html>`

const dir = mkdtempSync(path.join(tmpdir(), 'comment-'))
try {
  const page = path.join(dir, 'comment.html')
  writeFileSync(page, html)
  execFileSync('chromium', [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    `--window-size=${WIDTH},${HEIGHT}`,
    `--screenshot=${OUT}`,
    `file://${page}`
  ])
  console.log(`wrote ${OUT}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
