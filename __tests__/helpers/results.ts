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
