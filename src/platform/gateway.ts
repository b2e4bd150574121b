// The Data Gateway custom-objects calls (docs/rules.md#the-platform-api), over the authorized HTTP client.
import type { Limits, ProbeValue, SchemaDocument } from '../model.js'
import { parseLimits, parseSchemaDocument } from '../plan/document.js'
import type { AuthorizedClient } from './auth.js'
import type { HttpRequest } from './http.js'
import { errorMessage } from '../errors.js'

export const SCHEMAS_PATH = '/api/v2/data-gateway/customobjects/schemas'
export const LIMITS_PATH = '/api/v2/data-gateway/customobjects/limits'
export const QUERIES_PATH = '/api/v2/data-gateway/customobjects/queries'

export interface SchemaSummary {
  id: string
  name: string
  schemaVersion: number
  selfUri?: string
}

export interface TermQuery {
  type: 'term'
  field: string
  value: ProbeValue
}
export type Query = TermQuery | { type: 'and'; queries: TermQuery[] }

export interface QueryBody {
  customObjectId: string
  query: Query
  limit?: number
  pageToken?: string
}

export interface QueryResponse {
  results: Record<string, unknown>[]
  nextPageToken?: string
  indexUsed: boolean
  queryPlan: { strategy: 'index' | 'fullScan'; indexName?: string; recordsExamined: number }
}

/**
 * The default deadline shared by every PUT attempt of one object and the GETs between them
 * (docs/rules.md#every-wait-has-a-bound): the caller computes `deadlineAt = Date.now() + PUT_DEADLINE_MS`
 * once and passes it to each of those calls.
 */
export const PUT_DEADLINE_MS = 180_000

export interface CallOptions {
  /** Absolute deadline of the call, epoch ms on the HTTP client's clock; overrides `deadlineMs`. */
  deadlineAt?: number
  /** Deadline of this call from now, ms (default: the HTTP client's, 120 s). */
  deadlineMs?: number
}

export interface PutOptions extends CallOptions {
  /** Off for a PUT whose fate the caller checks itself after a dropped connection (default true). */
  retryConnectionErrors?: boolean
}

export interface GatewayClient {
  getSchema(customObjectId: string, opts?: CallOptions): Promise<SchemaDocument>
  listSchemas(): Promise<SchemaSummary[]>
  getLimits(): Promise<Limits>
  putSchema(customObjectId: string, body: Record<string, unknown>, opts?: PutOptions): Promise<SchemaDocument>
  query(body: QueryBody): Promise<QueryResponse>
}

export interface GatewayOptions {
  api: AuthorizedClient
  /** e.g. https://api.mypurecloud.com */
  apiBase: string
  /** Applied to messages that quote a server's answer (a document that does not parse). */
  redact?: (text: string) => string
}

function json(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new Error(`${what}: the answer is not JSON.`)
  }
}

function parseQueryResponse(body: unknown): QueryResponse {
  const r = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const plan = (typeof r.queryPlan === 'object' && r.queryPlan !== null ? r.queryPlan : {}) as Record<
    string,
    unknown
  >
  if (typeof r.indexUsed !== 'boolean' || typeof plan.recordsExamined !== 'number') {
    throw new Error('POST queries: the answer lacks indexUsed or queryPlan.recordsExamined.')
  }
  return {
    results: Array.isArray(r.results) ? (r.results as Record<string, unknown>[]) : [],
    nextPageToken: typeof r.nextPageToken === 'string' ? r.nextPageToken : undefined,
    indexUsed: r.indexUsed,
    queryPlan: {
      strategy: plan.strategy === 'index' ? 'index' : 'fullScan',
      indexName: typeof plan.indexName === 'string' ? plan.indexName : undefined,
      recordsExamined: plan.recordsExamined
    }
  }
}

export function createGatewayClient(opts: GatewayOptions): GatewayClient {
  const base = opts.apiBase.replace(/\/+$/, '')
  const call = async (req: Omit<HttpRequest, 'url'> & { path: string }): Promise<unknown> => {
    const res = await opts.api.request({ ...req, url: `${base}${req.path}` })
    return json(res.text, `${req.method} ${req.path}`)
  }
  const redact = opts.redact ?? ((text: string): string => text)
  const schemaPath = (id: string): string => `${SCHEMAS_PATH}/${encodeURIComponent(id)}`
  const withContext = (what: string, parse: () => SchemaDocument): SchemaDocument => {
    try {
      return parse()
    } catch (error) {
      throw new Error(redact(`${what}: ${errorMessage(error)}`))
    }
  }
  const deadline = (o: CallOptions | undefined): Pick<HttpRequest, 'deadlineAt' | 'deadlineMs'> => ({
    ...(o?.deadlineAt !== undefined ? { deadlineAt: o.deadlineAt } : {}),
    ...(o?.deadlineMs !== undefined ? { deadlineMs: o.deadlineMs } : {})
  })
  return {
    async getSchema(id, callOpts) {
      const body = await call({ method: 'GET', path: schemaPath(id), ...deadline(callOpts) })
      return withContext(`GET ${schemaPath(id)}`, () => parseSchemaDocument(body))
    },
    async listSchemas() {
      const body = (await call({ method: 'GET', path: SCHEMAS_PATH })) as { entities?: unknown }
      const entities = Array.isArray(body.entities) ? (body.entities as Record<string, unknown>[]) : []
      return entities.map(e => ({
        id: String(e.id),
        name: String(e.name),
        schemaVersion: Number(e.schemaVersion),
        selfUri: typeof e.selfUri === 'string' ? e.selfUri : undefined
      }))
    },
    async getLimits() {
      const body = await call({ method: 'GET', path: LIMITS_PATH })
      try {
        return parseLimits(body)
      } catch (error) {
        throw new Error(redact(errorMessage(error)))
      }
    },
    async putSchema(id, doc, putOpts) {
      const body = await call({
        method: 'PUT',
        path: schemaPath(id),
        body: JSON.stringify(doc),
        retryConnectionErrors: putOpts?.retryConnectionErrors ?? true,
        ...deadline(putOpts)
      })
      return withContext(`PUT ${schemaPath(id)}`, () => parseSchemaDocument(body))
    },
    async query(body) {
      return parseQueryResponse(
        await call({ method: 'POST', path: QUERIES_PATH, body: JSON.stringify(body) })
      )
    }
  }
}
