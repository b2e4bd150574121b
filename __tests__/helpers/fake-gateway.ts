// An in-memory GatewayClient for unit tests of the deploy recipe (no HTTP): one schema document, a
// version-checked PUT that bumps the version, scripted failures, rebuilds that end when told, and queries that
// use the first active index on their field; and an audit sink that keeps its records.
import type { AuditRecord } from '../../src/audit/record.js'
import { DEFAULT_LIMITS, type IndexStatus, type Limits, type SchemaDocument } from '../../src/model.js'
import type { GatewayClient, QueryBody, QueryResponse } from '../../src/platform/gateway.js'
import type { AuditSettings } from '../../src/pipeline/job.js'
import { PlatformError } from '../../src/platform/http.js'

/** What a PUT meets; `none`: it goes through. */
export type PutFailure = 'none' | 'drop-after-commit' | 'drop-before-commit' | 'conflict'

export interface FakeGatewayOptions {
  /** What each PUT in turn meets. */
  failures?: PutFailure[]
  /** On a `conflict`, what the other writer commits first (by default: idx_other over [assignee, status]). */
  otherWriter?: (doc: SchemaDocument) => SchemaDocument
  /** The status a PUT gives a new or changed index (default active); a failed one says "duplicate values". */
  finalStatus?: IndexStatus
  /** A `building` index becomes `to` once the schema was read more than `pollsUntil` times. */
  settle?: { to: IndexStatus; pollsUntil: number }
  limits?: Limits
  /** GETs of the schema (1-based) that fail with a 500. */
  failingGets?: number[]
  /** The PUT commits, but its answer leaves out this index. */
  answerWithout?: string
  /** Every query fails with a 503. */
  queriesFail?: boolean
}

export interface FakeGateway {
  gateway: GatewayClient
  /** The calls in order: `GET`, `GET limits`, `PUT`, `POST query`. */
  calls: string[]
  puts(): number
  /** The document as it is now. */
  current(): SchemaDocument
}

const DUPLICATES = 'duplicate values'

export function platformError(method: string, status = 500): PlatformError {
  return new PlatformError({
    method,
    path: '/x',
    status,
    code: 'internal.server.error',
    attempts: 1,
    message: `${method} /x failed: ${status}`
  })
}

function noAnswer(): PlatformError {
  return new PlatformError({
    method: 'PUT',
    path: '/x',
    attempts: 1,
    message: 'PUT /x failed: no answer (ECONNRESET)'
  })
}

function conflict(): PlatformError {
  return new PlatformError({
    method: 'PUT',
    path: '/x',
    status: 409,
    code: 'conflict',
    attempts: 1,
    message: 'PUT /x failed: 409 conflict'
  })
}

const addsOther = (doc: SchemaDocument): SchemaDocument => ({
  ...doc,
  indexes: [...doc.indexes, { name: 'idx_other', fields: ['assignee', 'status'], status: 'active' }]
})

export function fakeGateway(start: SchemaDocument, opts: FakeGatewayOptions = {}): FakeGateway {
  let doc = structuredClone(start)
  const failures = [...(opts.failures ?? [])]
  const calls: string[] = []
  let gets = 0
  /** Stores `body` one version up: an index as it was keeps its status, a new or changed one gets `finalStatus`. */
  const commit = (body: Record<string, unknown>): SchemaDocument => {
    const next = structuredClone(body) as unknown as SchemaDocument
    next.schemaVersion = doc.schemaVersion + 1
    next.indexes = next.indexes.map(i => {
      const before = doc.indexes.find(b => b.name === i.name)
      const same =
        before !== undefined &&
        JSON.stringify([before.fields, before.unique === true]) ===
          JSON.stringify([i.fields, i.unique === true])
      if (same) return { ...i, status: before.status }
      const { statusReason: _reason, ...rest } = i
      const status = opts.finalStatus ?? 'active'
      return { ...rest, status, ...(status === 'failed' ? { statusReason: DUPLICATES } : {}) }
    })
    doc = next
    return structuredClone(doc)
  }
  const gateway: GatewayClient = {
    getSchema: () => {
      calls.push('GET')
      gets++
      if (opts.failingGets?.includes(gets)) return Promise.reject(platformError('GET'))
      const settle = opts.settle
      if (settle && gets > settle.pollsUntil) {
        doc.indexes = doc.indexes.map(i =>
          i.status === 'building'
            ? { ...i, status: settle.to, ...(settle.to === 'failed' ? { statusReason: DUPLICATES } : {}) }
            : i
        )
      }
      return Promise.resolve(structuredClone(doc))
    },
    listSchemas: () => Promise.resolve([]),
    getLimits: () => {
      calls.push('GET limits')
      return Promise.resolve(opts.limits ?? DEFAULT_LIMITS)
    },
    putSchema: (_id, body) => {
      calls.push('PUT')
      const failure = failures.shift()
      if (failure === 'conflict') {
        doc = {
          ...(opts.otherWriter ?? addsOther)(structuredClone(doc)),
          schemaVersion: doc.schemaVersion + 1
        }
      }
      if (body.schemaVersion !== doc.schemaVersion) return Promise.reject(conflict())
      if (failure === 'drop-before-commit') return Promise.reject(noAnswer())
      const out = commit(body)
      if (failure === 'drop-after-commit') return Promise.reject(noAnswer())
      if (opts.answerWithout !== undefined) {
        out.indexes = out.indexes.filter(i => i.name !== opts.answerWithout)
      }
      return Promise.resolve(out)
    },
    query: (body: QueryBody): Promise<QueryResponse> => {
      calls.push('POST query')
      if (opts.queriesFail) return Promise.reject(platformError('POST', 503))
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
  return { gateway, calls, puts: () => calls.filter(c => c === 'PUT').length, current: () => doc }
}

/** An audit sink that keeps the records it is sent, each delivered. */
export function recordingAudit(required = false): { audit: AuditSettings; records: AuditRecord[] } {
  const records: AuditRecord[] = []
  return {
    records,
    audit: {
      sink: r => {
        records.push(r)
        return Promise.resolve({ delivered: true, idempotencyKey: 'k' })
      },
      required,
      source: { repository: '', sha: '', ref: '', runId: '', runAttempt: '', actor: '' }
    }
  }
}
