// Golden files for what people read: each mode's PR comment (the drift issue for drift) and job summary, per
// outcome, rendered from fixed results at a fixed time and compared with the files in golden/. A wording
// change shows as a diff of those files; `npx vitest run __tests__/unit/golden.test.ts -u` rewrites them.
import { describe, expect, it } from 'vitest'
import { reviewLine } from '../../src/github/reviewline.js'
import type { Mode, ObjectResult } from '../../src/model.js'
import { reviewOfResults } from '../../src/pipeline/review.js'
import { renderComment, renderDriftIssue } from '../../src/report/comment.js'
import { renderSummary } from '../../src/report/summary.js'
import { UNKNOWN_WRITE_ADVICE } from '../../src/verdict.js'
import {
  deployResult,
  driftResult,
  finding,
  HEAD_SHA,
  LINKS,
  probe,
  result,
  TICKET_ID,
  validateResult
} from '../helpers/results.js'

const ACCOUNT_ID = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f'

const unknownField = finding({
  severity: 'error',
  rule: 'unknown-field',
  field: 'priority',
  message: 'The index idx_status_priority names the field priority, which the object lacks.',
  line: 5
})

/** A deploy whose rebuild failed under `keep`: the failed index stays, the step fails. */
const deployFailed = deployResult({
  outcome: 'failed',
  auditAction: 'INDEX_DEPLOY_FAILED',
  rebuild: { status: 'failed', seconds: 7, reason: 'index idx_status_priority failed: duplicate values' },
  error: `Object ${TICKET_ID} (schema version 4): index idx_status_priority failed: duplicate values.`,
  indexesAfter: [
    { name: 'idx_old', fields: ['createdAt'], status: 'active' },
    {
      name: 'idx_status_priority',
      fields: ['status', 'priority'],
      status: 'failed',
      statusReason: 'duplicate values'
    }
  ],
  probes: []
})

/** A PUT whose answer was lost and whose schema could not be read back: nothing is known after it. */
const deployUnknown = deployResult({
  outcome: 'unknown',
  auditAction: 'INDEX_DEPLOY_FAILED',
  schemaVersion: undefined,
  changed: true,
  rebuild: { status: 'unknown', seconds: 0 },
  error:
    `Object ${TICKET_ID}: the outcome of the write is unknown: the PUT's answer was lost (PUT /api/v2/data-` +
    'gateway/customobjects/schemas/x failed: no answer (ECONNRESET)) and the schema could not be read back ' +
    'within the PUT deadline to see whether it was applied: GET /api/v2/data-gateway/customobjects/schemas/x ' +
    `failed: 503 service.unavailable after 4 attempts. ${UNKNOWN_WRITE_ADVICE}`,
  audit: 'true',
  indexesAfter: [{ name: 'idx_old', fields: ['createdAt'], status: 'active' }],
  probes: []
})

interface Case {
  /** `<mode>-<outcome>`: the golden files' name. */
  name: string
  mode: Mode
  results: ObjectResult[]
}

const CASES: Case[] = [
  { name: 'validate-pass', mode: 'validate', results: [validateResult({ basedOnVersion: 3 })] },
  {
    name: 'validate-blocked',
    mode: 'validate',
    results: [validateResult({ basedOnVersion: 3, findings: [unknownField, finding()] })]
  },
  {
    name: 'validate-offline',
    mode: 'validate',
    results: [
      result({
        live: false,
        objectName: undefined,
        findings: [finding()],
        indexesAfter: [{ name: 'idx_status_priority', fields: ['status', 'priority'] }]
      })
    ]
  },
  { name: 'plan-pass', mode: 'plan', results: [validateResult({ mode: 'plan', basedOnVersion: 3 })] },
  { name: 'deploy-deployed', mode: 'deploy', results: [deployResult()] },
  {
    name: 'deploy-unchanged',
    mode: 'deploy',
    results: [
      deployResult({
        outcome: 'unchanged',
        auditAction: 'INDEX_UNCHANGED',
        changed: false,
        findings: [],
        diff: { added: [], modified: [], removed: [], unmanaged: [] },
        textDiff: '',
        schemaVersion: 4,
        basedOnVersion: 4,
        rebuild: { status: 'skipped', seconds: 0 },
        indexesBefore: [
          { name: 'idx_old', fields: ['createdAt'], status: 'active' },
          { name: 'idx_status_priority', fields: ['status', 'priority'], status: 'active' }
        ],
        probes: [],
        baselineProbes: []
      })
    ]
  },
  { name: 'deploy-failed', mode: 'deploy', results: [deployFailed] },
  {
    name: 'deploy-rolled-back',
    mode: 'deploy',
    results: [
      deployResult({
        outcome: 'rolled-back',
        auditAction: 'INDEX_ROLLED_BACK',
        schemaVersion: 5,
        rebuild: {
          status: 'failed',
          seconds: 7,
          reason: 'index idx_status_priority failed: duplicate values'
        },
        rolledBack: [{ index: 'idx_status_priority', statusReason: 'duplicate values' }],
        error:
          `Object ${TICKET_ID} (schema version 4): index idx_status_priority failed: duplicate values. Dropped ` +
          'idx_status_priority again (on-rebuild-failure: drop-failed): schema version 5.',
        indexesAfter: [{ name: 'idx_old', fields: ['createdAt'], status: 'active' }],
        probes: []
      })
    ]
  },
  { name: 'deploy-unknown', mode: 'deploy', results: [deployUnknown] },
  {
    name: 'publish-pass',
    mode: 'publish',
    results: [
      validateResult({ basedOnVersion: 3 }),
      validateResult({
        customObjectId: ACCOUNT_ID,
        objectName: 'Account',
        file: 'indexes/account.yaml',
        basedOnVersion: 9,
        payloadHash: 'c'.repeat(64),
        findings: [],
        diff: { added: [], modified: [], removed: [], unmanaged: [] },
        textDiff: '',
        changed: false,
        indexesBefore: [{ name: 'idx_tier', fields: ['tier'], status: 'active' }],
        indexesAfter: [{ name: 'idx_tier', fields: ['tier'], status: 'active' }],
        baselineProbes: [
          probe({
            index: 'idx_tier',
            values: { tier: 'gold' },
            indexUsed: true,
            strategy: 'index',
            indexName: 'idx_tier',
            recordsExamined: 40,
            latencyMs: 6,
            predicted: { strategy: 'index', indexName: 'idx_tier' }
          })
        ]
      })
    ]
  },
  { name: 'drift-drift', mode: 'drift', results: [driftResult({ basedOnVersion: 12, schemaVersion: 12 })] }
]

/** The PR comment as main posts it: validate-like modes carry the review line last. */
function comment(c: Case): string {
  const opts = { commentKey: 'default', mode: c.mode, ...LINKS }
  if (c.mode === 'drift') return renderDriftIssue(c.results, opts)
  const trailer =
    c.mode === 'deploy' ? undefined : reviewLine(reviewOfResults(c.results, HEAD_SHA, LINKS.runId))
  return renderComment(c.results, { ...opts, ...(trailer !== undefined ? { trailer } : {}) })
}

describe('golden files: each mode and outcome, as people read it', () => {
  it.each(CASES)('$name: the PR comment (the drift issue for drift)', async c => {
    const kind = c.mode === 'drift' ? 'issue' : 'comment'
    await expect(comment(c)).toMatchFileSnapshot(`./golden/${c.name}.${kind}.md`)
  })

  it.each(CASES)('$name: the job summary', async c => {
    await expect(renderSummary(c.results, { mode: c.mode, ...LINKS })).toMatchFileSnapshot(
      `./golden/${c.name}.summary.md`
    )
  })
})
