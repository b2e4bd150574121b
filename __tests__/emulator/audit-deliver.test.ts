import { describe, expect, it } from 'vitest'
import { SAMPLE_IDS } from '../../src/emulator/index.js'
import { createAuditSink, createWarehouseHttpClient, deliverAudit } from '../../src/audit/deliver.js'
import { buildAuditRecord, idempotencyKey, type AuditRecord } from '../../src/audit/record.js'
import type { ObjectResult } from '../../src/model.js'
import { processObject } from '../../src/pipeline/object.js'
import { connect, indexFile, silentLogger } from '../helpers/platform.js'
import { fakeClock } from '../helpers/clock.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers()

const source = {
  repository: 'acme/idx',
  sha: 'abc',
  ref: 'refs/heads/main',
  runId: '7',
  runAttempt: '1',
  actor: 'dev'
}
const SECRET = 'warehouse-signing-secret'

function record(): AuditRecord {
  const result: ObjectResult = {
    customObjectId: 'obj-1',
    file: 'a.yaml',
    mode: 'deploy',
    live: true,
    findings: [],
    diff: { added: ['idx_a'], modified: [], removed: [], unmanaged: [] },
    textDiff: '',
    changed: true,
    payloadHash: 'a'.repeat(64),
    basedOnVersion: 1,
    schemaVersion: 2,
    rebuild: { status: 'active', seconds: 1 },
    probes: [],
    baselineProbes: [],
    indexesBefore: [],
    indexesAfter: [],
    audit: 'skipped'
  }
  return buildAuditRecord(result, { source })
}

/**
 * The warehouse client on a fake clock: no jitter, backoff 100, 200, 400... ms, a 2 s deadline. Retries are
 * counted, not waited for.
 */
const fastHttp = () => {
  const clock = fakeClock()
  return createWarehouseHttpClient({
    deadlineMs: 2000,
    backoffBaseMs: 100,
    random: () => 1,
    now: clock.now,
    sleep: clock.sleep
  })
}

describe('audit delivery', () => {
  it('signs the record so the warehouse verifies it', async () => {
    const wh = await servers.warehouse({ secret: SECRET })
    const out = await deliverAudit(fastHttp(), wh.url, record(), SECRET)
    expect(out.delivered).toBe(true)
    expect(wh.deliveries()).toHaveLength(1)
    expect(wh.deliveries()[0]!.signatureValid).toBe(true)
  })

  it('is refused by the warehouse when signed with another secret, and the reason never shows a secret', async () => {
    const wh = await servers.warehouse({ secret: SECRET })
    const out = await deliverAudit(fastHttp(), wh.url, record(), 'not-the-secret')
    expect(out.delivered).toBe(false)
    expect(out.status).toBe(401)
    expect(out.reason).not.toContain('not-the-secret')
    expect(out.reason).not.toContain(SECRET)
    expect(wh.attempts()).toBe(1)
  })

  it('retries a failing warehouse and stores exactly one delivery under one idempotency key', async () => {
    const wh = await servers.warehouse({ secret: SECRET })
    wh.failNext(2, 500)
    const r = record()
    const out = await deliverAudit(fastHttp(), wh.url, r, SECRET)
    expect(out.delivered).toBe(true)
    expect(wh.attempts()).toBe(3)
    const stored = wh.deliveries().filter(d => !d.duplicate)
    expect(stored).toHaveLength(1)
    expect(stored[0]!.headers['idempotency-key']).toBe(
      idempotencyKey(r.customObjectId, r.payloadHash, r.schemaVersion)
    )
  })

  it('delivers the same idempotency key again on a re-run, and the warehouse marks it duplicate', async () => {
    const wh = await servers.warehouse()
    const sink = createAuditSink({ url: wh.url, http: fastHttp() })
    await sink(record())
    await sink(record())
    expect(wh.deliveries().map(d => d.duplicate)).toEqual([false, true])
  })
})

describe('audit in the pipeline', () => {
  const text = `customObjectId: ${SAMPLE_IDS.ticket}\nindexes:\n  - name: idx_assignee\n    fields: [assignee]\n`

  async function deployWithDownWarehouse(
    required: boolean
  ): Promise<{ result: ObjectResult; attempts: number }> {
    const emu = await servers.emulator({
      ticketCount: 2000,
      accountCount: 200,
      rebuildRecordsPerSecond: 1_000_000
    })
    const wh = await servers.warehouse()
    wh.setDown(true)
    const result = await processObject(
      {
        log: silentLogger,
        live: connect(emu.url).gateway,
        rebuildMaxPollMs: 200,
        audit: { sink: createAuditSink({ url: wh.url, http: fastHttp() }), required, source }
      },
      { loaded: indexFile(text), customObjectId: SAMPLE_IDS.ticket, mode: 'deploy' }
    )
    return { result, attempts: wh.attempts() }
  }

  it('keeps the deploy when the warehouse is down and audit is not required', async () => {
    const { result, attempts } = await deployWithDownWarehouse(false)
    // Resets are retried until the 2 s deadline: after 100, 200, 400 and 800 ms (the next, 1.6 s, is too late).
    expect(attempts).toBe(5)
    expect(result.rebuild.status).toBe('active')
    expect(result.audit).toBe('false')
    expect(result.error).toBeUndefined()
  })

  it('fails the object when the warehouse is down and audit is required', async () => {
    const { result, attempts } = await deployWithDownWarehouse(true)
    expect(attempts).toBe(5)
    expect(result.rebuild.status).toBe('active')
    expect(result.audit).toBe('false')
    expect(result.error).toMatch(/audit record for .* not delivered.*audit-required/)
  })
})
