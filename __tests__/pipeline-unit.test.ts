// processObject over an in-memory fake GatewayClient (no HTTP): the deploy decisions in isolation.
import { describe, expect, it } from 'vitest'
import type { IndexStatus, Limits, SchemaDocument } from '../src/model.js'
import { DEFAULT_LIMITS } from '../src/model.js'
import type { GatewayClient, PutOptions, QueryBody, QueryResponse } from '../src/platform/gateway.js'
import { PlatformError } from '../src/platform/http.js'
import { processObject } from '../src/pipeline/object.js'
import type { AuditRecord } from '../src/audit/record.js'
import { indexFile, memoryLogger, silentLogger } from './helpers/platform.js'

const ID = 'obj-1'

function liveDoc(): SchemaDocument {
  return {
    id: ID,
    name: 'Ticket',
    schemaVersion: 1,
    lastUpdated: '2024-01-01T00:00:00Z',
    selfUri: `/schemas/${ID}`,
    retention: { days: 365 },
    fields: [
      { name: 'status', type: 'string', maxLength: 20, cardinalityHint: 'low' },
      { name: 'assignee', type: 'string', maxLength: 100, cardinalityHint: 'high' }
    ],
    indexes: [{ name: 'idx_status', fields: ['status'], status: 'active', 'x-origin': 'console' }]
  }
}

type Failure = 'drop-after-commit' | 'drop-before-commit' | 'conflict'

/** A fake platform: version check, version bump, indexes straight to `finalStatus`, and scripted PUT failures. */
function fakeGateway(opts: { failures?: Failure[]; finalStatus?: IndexStatus; limits?: Limits } = {}) {
  let doc = liveDoc()
  const failures = [...(opts.failures ?? [])]
  const calls: string[] = []
  const bump = (body: Record<string, unknown>): SchemaDocument => {
    const next = structuredClone(body) as unknown as SchemaDocument
    next.schemaVersion = doc.schemaVersion + 1
    next.indexes = next.indexes.map(i => {
      const before = doc.indexes.find(b => b.name === i.name)
      const same = before && JSON.stringify(before.fields) === JSON.stringify(i.fields)
      return {
        ...i,
        status: same ? before.status : (opts.finalStatus ?? 'active'),
        ...(opts.finalStatus === 'failed' && !same ? { statusReason: 'duplicate values' } : {})
      }
    })
    doc = next
    return structuredClone(doc)
  }
  const gateway: GatewayClient = {
    getSchema: id => {
      calls.push(`GET ${id}`)
      return Promise.resolve(structuredClone(doc))
    },
    listSchemas: () => Promise.resolve([]),
    getLimits: () => {
      calls.push('GET limits')
      return Promise.resolve(opts.limits ?? DEFAULT_LIMITS)
    },
    putSchema: (_id: string, body: Record<string, unknown>, _o?: PutOptions) => {
      calls.push('PUT')
      const failure = failures.shift()
      if (failure === 'conflict') {
        // Another writer adds an index first.
        bump({
          ...structuredClone(doc),
          indexes: [...doc.indexes, { name: 'idx_other', fields: ['assignee', 'status'] }]
        })
      }
      if (body.schemaVersion !== doc.schemaVersion) {
        return Promise.reject(
          new PlatformError({
            method: 'PUT',
            path: '/x',
            status: 409,
            code: 'conflict',
            attempts: 1,
            message: 'PUT /x failed: 409 conflict'
          })
        )
      }
      if (failure === 'drop-before-commit') {
        return Promise.reject(
          new PlatformError({
            method: 'PUT',
            path: '/x',
            attempts: 1,
            message: 'PUT /x failed: no answer (ECONNRESET)'
          })
        )
      }
      const out = bump(body)
      if (failure === 'drop-after-commit') {
        return Promise.reject(
          new PlatformError({
            method: 'PUT',
            path: '/x',
            attempts: 1,
            message: 'PUT /x failed: no answer (ECONNRESET)'
          })
        )
      }
      return Promise.resolve(out)
    },
    query: (body: QueryBody): Promise<QueryResponse> => {
      calls.push('POST query')
      const field = body.query.type === 'term' ? body.query.field : body.query.queries[0]!.field
      const index = doc.indexes.find(i => i.status === 'active' && i.fields[0] === field)
      return Promise.resolve({
        results: [],
        indexUsed: index !== undefined,
        queryPlan: index
          ? { strategy: 'index', indexName: index.name, recordsExamined: 3 }
          : { strategy: 'fullScan', recordsExamined: 100 }
      })
    }
  }
  return { gateway, calls, current: () => doc }
}

const ADD = `customObjectId: ${ID}\nindexes:\n  - name: idx_assignee\n    fields: [assignee]\n`
const job = (text = ADD) => ({ loaded: indexFile(text), customObjectId: ID, mode: 'deploy' as const })

describe('pipeline deploy decisions', () => {
  it('sends the PUT with the version it was based on and every unknown key kept', async () => {
    const f = fakeGateway()
    const result = await processObject({ log: silentLogger, live: f.gateway }, job())
    expect(result.error).toBeUndefined()
    expect(f.current().schemaVersion).toBe(2)
    expect(f.current().retention).toEqual({ days: 365 })
    expect(f.current().indexes[0]!['x-origin']).toBe('console')
    expect(result.probes[0]).toMatchObject({ index: 'idx_assignee', indexUsed: true })
  })

  it('treats a PUT whose answer was lost as done when the live hash matches', async () => {
    const f = fakeGateway({ failures: ['drop-after-commit'] })
    const result = await processObject({ log: silentLogger, live: f.gateway }, job())
    expect(result.error).toBeUndefined()
    expect(f.calls.filter(c => c === 'PUT')).toHaveLength(1)
    expect(f.current().schemaVersion).toBe(2)
    expect(result.schemaVersion).toBe(2)
  })

  it('sends the PUT again when its answer was lost before the commit', async () => {
    const f = fakeGateway({ failures: ['drop-before-commit'] })
    const result = await processObject({ log: silentLogger, live: f.gateway }, job())
    expect(result.error).toBeUndefined()
    expect(f.calls.filter(c => c === 'PUT')).toHaveLength(2)
    expect(f.current().schemaVersion).toBe(2)
  })

  it('re-merges after a conflict and keeps the other writer’s index', async () => {
    const f = fakeGateway({ failures: ['conflict'] })
    const log = memoryLogger()
    const result = await processObject({ log, live: f.gateway }, job())
    expect(result.error).toBeUndefined()
    expect(f.current().indexes.map(i => i.name)).toEqual(['idx_status', 'idx_other', 'idx_assignee'])
    expect(result.basedOnVersion).toBe(2)
    expect(result.schemaVersion).toBe(3)
    expect(log.lines.some(l => l.includes('is stale'))).toBe(true)
  })

  it('gives up after three conflicts in a row, naming the object', async () => {
    const f = fakeGateway({ failures: ['conflict', 'conflict', 'conflict', 'conflict'] })
    const result = await processObject({ log: silentLogger, live: f.gateway }, job())
    expect(result.error).toMatch(
      /Object obj-1: another writer changed the schema during the deploy 4 times.*gave up after 3 retries/
    )
    expect(f.calls.filter(c => c === 'PUT')).toHaveLength(4)
  })

  it('warns probe-full-scan when a probe does not use its index', async () => {
    const f = fakeGateway()
    const text = `customObjectId: ${ID}\nindexes:\n  - name: idx_assignee_status\n    fields: [assignee, status]\n  - name: idx_assignee\n    fields: [assignee]\nprobes:\n  - index: idx_assignee\n    values: { assignee: bob }\n`
    const result = await processObject({ log: silentLogger, live: f.gateway }, job(text))
    const warning = result.findings.find(f => f.rule === 'probe-full-scan')
    expect(warning).toMatchObject({
      severity: 'warning',
      index: 'idx_assignee',
      file: 'indexes/ticket.yaml',
      line: 8
    })
    expect(warning?.message).toContain('index idx_assignee_status instead')
  })

  it('audits a failed rebuild as INDEX_DEPLOY_FAILED, not governance compliant', async () => {
    const f = fakeGateway({ finalStatus: 'failed' })
    const records: AuditRecord[] = []
    const result = await processObject(
      {
        log: silentLogger,
        live: f.gateway,
        audit: {
          sink: r => {
            records.push(r)
            return Promise.resolve({ delivered: true, idempotencyKey: 'k' })
          },
          required: false,
          source: { repository: '', sha: '', ref: '', runId: '', runAttempt: '', actor: '' }
        }
      },
      job()
    )
    expect(result.rebuild).toMatchObject({
      status: 'failed',
      reason: 'index idx_assignee failed: duplicate values'
    })
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({
      action: 'INDEX_DEPLOY_FAILED',
      schemaVersion: 2,
      previousSchemaVersion: 1
    })
    expect(result.audit).toBe('true')
  })

  it('audits a deploy blocked by error findings as INDEX_DEPLOY_FAILED without a PUT', async () => {
    const f = fakeGateway()
    const records: AuditRecord[] = []
    const text = `customObjectId: ${ID}\nindexes:\n  - name: idx_nope\n    fields: [nope]\n`
    await processObject(
      {
        log: silentLogger,
        live: f.gateway,
        audit: {
          sink: r => {
            records.push(r)
            return Promise.resolve({ delivered: true, idempotencyKey: 'k' })
          },
          required: true,
          source: { repository: '', sha: '', ref: '', runId: '', runAttempt: '', actor: '' }
        }
      },
      job(text)
    )
    expect(f.calls).not.toContain('PUT')
    expect(records[0]).toMatchObject({ action: 'INDEX_DEPLOY_FAILED', governanceCompliant: false })
  })
})
