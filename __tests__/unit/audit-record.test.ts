import { createHash, createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { ObjectResult } from '../../src/model.js'
import {
  auditSourceFromEnv,
  buildAuditRecord,
  governanceCompliant,
  idempotencyKey,
  signature
} from '../../src/audit/record.js'

const source = auditSourceFromEnv({
  GITHUB_REPOSITORY: 'acme/indexes',
  GITHUB_SHA: 'abc123',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_RUN_ID: '42',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_ACTOR: 'octocat'
})

function result(over: Partial<ObjectResult> = {}): ObjectResult {
  return {
    customObjectId: 'obj-1',
    file: 'indexes/ticket.yaml',
    mode: 'deploy',
    live: true,
    findings: [],
    diff: { added: ['idx_a'], modified: [], removed: [], unmanaged: [] },
    textDiff: '',
    changed: true,
    payloadHash: 'f'.repeat(64),
    basedOnVersion: 3,
    schemaVersion: 4,
    rebuild: { status: 'active', seconds: 2.5 },
    probes: [
      {
        index: 'idx_a',
        values: { status: 'open' },
        indexUsed: true,
        indexName: 'idx_a',
        strategy: 'index',
        latencyMs: 4,
        recordsExamined: 12
      }
    ],
    baselineProbes: [],
    indexesBefore: [],
    indexesAfter: [],
    audit: 'skipped',
    ...over
  }
}

describe('audit record', () => {
  it('derives the idempotency key from object id, payload hash and schema version', () => {
    expect(idempotencyKey('obj-1', 'h', 7)).toBe(createHash('sha256').update('obj-1:h:7').digest('hex'))
  })

  it('signs the raw body as sha256=<hex HMAC>', () => {
    const body = '{"a":1}'
    expect(signature('s3cret', body)).toBe(
      `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`
    )
  })

  // docs/rules.md#the-audit-record
  it('builds the documented audit record for a deployed object', () => {
    const record = buildAuditRecord(result(), {
      source,
      eventId: '00000000-0000-4000-8000-000000000001',
      timestamp: new Date('2024-01-02T03:04:05Z')
    })
    expect(record).toEqual({
      eventId: '00000000-0000-4000-8000-000000000001',
      customObjectId: 'obj-1',
      action: 'INDEX_DEPLOYED',
      payloadHash: 'f'.repeat(64),
      timestamp: '2024-01-02T03:04:05.000Z',
      schemaVersion: 4,
      previousSchemaVersion: 3,
      governanceCompliant: true,
      diff: { added: ['idx_a'], modified: [], removed: [], unmanaged: [] },
      findings: [],
      rebuild: { status: 'active', seconds: 2.5 },
      probes: [{ index: 'idx_a', indexUsed: true, latencyMs: 4, recordsExamined: 12 }],
      source: {
        repository: 'acme/indexes',
        sha: 'abc123',
        ref: 'refs/heads/main',
        runId: '42',
        runAttempt: '2',
        actor: 'octocat'
      }
    })
  })

  it('marks a failed object INDEX_DEPLOY_FAILED and an unchanged one INDEX_UNCHANGED', () => {
    expect(buildAuditRecord(result({ error: 'boom' }), { source }).action).toBe('INDEX_DEPLOY_FAILED')
    expect(buildAuditRecord(result({ changed: false }), { source }).action).toBe('INDEX_UNCHANGED')
  })

  it('gives each record a fresh UUID event id by default', () => {
    const a = buildAuditRecord(result(), { source }).eventId
    const b = buildAuditRecord(result(), { source }).eventId
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(a).not.toBe(b)
  })

  it('is not governance compliant with an error finding', () => {
    const findings = [
      { severity: 'error' as const, rule: 'unknown-field' as const, customObjectId: 'obj-1', message: 'x' }
    ]
    expect(governanceCompliant(result({ findings }))).toBe(false)
  })

  it('is not governance compliant when a probe used another index or none', () => {
    const base = result().probes[0]!
    expect(governanceCompliant(result({ probes: [{ ...base, indexName: 'idx_other' }] }))).toBe(false)
    expect(
      governanceCompliant(
        result({ probes: [{ ...base, indexUsed: false, indexName: undefined, strategy: 'fullScan' }] })
      )
    ).toBe(false)
  })

  it('stays governance compliant with warnings only', () => {
    const findings = [
      {
        severity: 'warning' as const,
        rule: 'unmanaged-index' as const,
        customObjectId: 'obj-1',
        message: 'x'
      }
    ]
    expect(governanceCompliant(result({ findings }))).toBe(true)
  })
})
