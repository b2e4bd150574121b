// ObjectResult builders for the report renderers' tests.
import type { Finding, ObjectResult, ProbeResult } from '../../src/model.js'
import { blankResult } from '../../src/model.js'

export const TICKET_ID = '0b4f0ac2-8f0e-4e2a-9d3c-6d1b1f6e2a11'

export function result(over: Partial<ObjectResult> = {}): ObjectResult {
  return {
    ...blankResult(TICKET_ID, 'indexes/ticket.yaml', 'validate'),
    objectName: 'Ticket',
    live: true,
    ...over
  }
}

export function finding(over: Partial<Finding> = {}): Finding {
  return {
    severity: 'warning',
    rule: 'low-selectivity-leading-field',
    customObjectId: TICKET_ID,
    index: 'idx_status_priority',
    field: 'status',
    message: 'The leading field status has low cardinality; put priority first.',
    file: 'indexes/ticket.yaml',
    line: 4,
    ...over
  }
}

export function probe(over: Partial<ProbeResult> = {}): ProbeResult {
  return {
    index: 'idx_status_priority',
    values: { status: 'open' },
    indexUsed: false,
    strategy: 'fullScan',
    latencyMs: 120,
    recordsExamined: 100_000,
    ...over
  }
}

/** A typical validate result: one index added, two warnings, today's full-scan plan, a small diff. */
export function validateResult(over: Partial<ObjectResult> = {}): ObjectResult {
  return result({
    findings: [
      finding(),
      finding({
        rule: 'unmanaged-index',
        index: 'idx_old',
        field: undefined,
        message: 'idx_old is not in the file; it is kept.'
      })
    ],
    diff: { added: ['idx_status_priority'], modified: [], removed: [], unmanaged: ['idx_old'] },
    textDiff:
      '--- live\n+++ proposed\n@@ -1,3 +1,7 @@\n   "indexes": [\n+    {\n+      "name": "idx_status_priority"\n+    }\n   ]\n',
    changed: true,
    payloadHash: 'a'.repeat(64),
    schemaVersion: 3,
    baselineProbes: [probe()],
    indexesBefore: [{ name: 'idx_old', fields: ['createdAt'], status: 'active' }],
    indexesAfter: [
      { name: 'idx_old', fields: ['createdAt'], status: 'active' },
      { name: 'idx_status_priority', fields: ['status', 'priority'] }
    ],
    ...over
  })
}

/** Where the reports link to: a PR head commit and a run on github.com. */
export const HEAD_SHA = '3f2c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a'
export const LINKS = {
  serverUrl: 'https://github.com',
  repository: 'acme/indexes',
  headSha: HEAD_SHA,
  runId: '4242',
  time: new Date('2025-05-01T12:34:56Z')
}
export const BLOB = `https://github.com/acme/indexes/blob/${HEAD_SHA}`

/** A validate result with every kind of index change: added, fields changed, dropped, unmanaged, unchanged. */
export function changesResult(over: Partial<ObjectResult> = {}): ObjectResult {
  return result({
    diff: {
      added: ['idx_account_tier'],
      modified: ['idx_status_priority', 'idx_created'],
      removed: ['idx_legacy'],
      unmanaged: ['idx_kept']
    },
    indexesBefore: [
      { name: 'idx_status_priority', fields: ['status'], status: 'active' },
      { name: 'idx_created', fields: ['createdAt'], status: 'active' },
      { name: 'idx_legacy', fields: ['legacyCode'], status: 'active' },
      { name: 'idx_kept', fields: ['assignee'], status: 'active' },
      { name: 'idx_same', fields: ['priority'], status: 'active' }
    ],
    indexesAfter: [
      {
        name: 'idx_status_priority',
        fields: ['status', 'priority'],
        order: ['asc', 'desc'],
        status: 'active'
      },
      { name: 'idx_created', fields: ['createdAt'], unique: true, status: 'active' },
      { name: 'idx_kept', fields: ['assignee'], status: 'active' },
      { name: 'idx_same', fields: ['priority'], status: 'active' },
      { name: 'idx_account_tier', fields: ['account.tier'] }
    ],
    changed: true,
    payloadHash: 'b'.repeat(64),
    basedOnVersion: 7,
    textDiff: '--- live\n+++ proposed\n@@ -1 +1 @@\n-  "a": 1\n+  "a": 2\n',
    ...over
  })
}

/** A deploy that landed: version 3 → 4, the new index active, its probe using it. */
export function deployResult(over: Partial<ObjectResult> = {}): ObjectResult {
  return validateResult({
    mode: 'deploy',
    basedOnVersion: 3,
    schemaVersion: 4,
    outcome: 'deployed',
    auditAction: 'INDEX_DEPLOYED',
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
    ],
    ...over
  })
}

/** A drift run's object: one index missing, one changed, one failed, one unmanaged. */
export function driftResult(over: Partial<ObjectResult> = {}): ObjectResult {
  return result({
    mode: 'drift',
    drifted: true,
    drift: { missing: ['idx_new'], changed: ['idx_mod'], failed: ['idx_bad'], unmanaged: ['idx_extra'] },
    indexesBefore: [
      { name: 'idx_mod', fields: ['a'], status: 'active' },
      { name: 'idx_bad', fields: ['b'], status: 'failed', statusReason: 'duplicate values' },
      { name: 'idx_extra', fields: ['c'], status: 'active' }
    ],
    indexesAfter: [
      { name: 'idx_mod', fields: ['a', 'd'] },
      { name: 'idx_bad', fields: ['b'] },
      { name: 'idx_new', fields: ['e'] }
    ],
    ...over
  })
}

/** Outside text that tries to break out of every Markdown construct the reports use. */
export const HOSTILE = [
  '<script>alert(1)</script>',
  '</details><details open>',
  'a | b | c',
  '``code`` `x',
  '<!-- hidden',
  '--> shown',
  'line one\nline two\r\n## heading',
  '[click](https://evil.test) ![img](https://evil.test/x.png)',
  '<img src=x onerror=alert(1)>',
  '@octocat *bold* _em_ ~~del~~'
]
