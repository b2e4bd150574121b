// The Data Gateway emulator: a node:http server on 127.0.0.1 serving the platform API
// (docs/rules.md#the-platform-api: OAuth, schemas, limits, queries) over the in-memory Database, with
// per-token rate limits, injectable faults, and its control routes under /__emulator/
// (docs/rules.md#emulator-defaults).
import { randomBytes, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SchemaDocument } from '../model.js'
import { Database, RequestError, type RebuildControls, type RebuildTarget, type Term } from './database.js'
import { FaultTable, parseFault, pathMatches } from './faults.js'
import { sampleData } from './sample.js'
import { loadState, saveState } from './state.js'
import {
  ALL_SCOPES,
  API_PREFIX,
  DEFAULT_CLIENT,
  SCOPES,
  type EmulatorClient,
  type EmulatorConfig,
  type EmulatorData,
  type FaultSpec,
  type RequestLogEntry
} from './types.js'
import type { ErrorDetail } from './validate.js'

export interface EmulatorOptions {
  /** Default 0: a free port. */
  port?: number
  /** Seed of the sample dataset; default 42. */
  seed?: number
  /** JSON `{objects:[{schema, records}]}` replacing the sample. */
  dataFile?: string
  /** The same, in memory. */
  data?: EmulatorData
  /** Persist schemas and records (JSON files) across restarts; loaded from when it holds a dataset. */
  stateDir?: string
  /** Sample Tickets; default 100,000. */
  ticketCount?: number
  /** Sample Accounts; default 5,000. */
  accountCount?: number
  /** Default: emulator-client / emulator-secret with all three scopes. */
  clients?: EmulatorClient[]
  /** Requests per minute per token; default 300. */
  rateLimitPerMinute?: number
  /**
   * The rate-limit window in ms; default 60,000. A shorter one runs the same budget per window on a faster
   * clock (the scale bench: 300 per 6 s is the platform's 300 a minute, ten times faster).
   */
  rateLimitWindowMs?: number
  /** Token requests per minute per client before the token endpoint throttles; default 300. */
  tokenRateLimitPerMinute?: number
  /** Default 86399. */
  tokenTtlSeconds?: number
  /** Default 50,000 (100,000 records rebuild in 2 s). */
  rebuildRecordsPerSecond?: number
  /** Added to every rebuild; default 0. */
  rebuildMinMs?: number
  /** Added before every API and token answer; default 0. */
  latencyMs?: number
  faults?: FaultSpec[]
  /** Receives one line per served request; default none. */
  log?: (line: string) => void
}

export interface RunningEmulator {
  /** http://127.0.0.1:PORT: login and API base. */
  url: string
  port: number
  close(): Promise<void>
  /** Every request served (admin routes aside), in arrival order. */
  requests(): RequestLogEntry[]
  resetRequests(): void
  /** The stored document (a deep copy). */
  getSchema(id: string): SchemaDocument | undefined
  /** Stores `doc` as a concurrent writer would: no version check, bumps the version, rebuilds as a PUT. */
  putSchemaDirect(doc: SchemaDocument): void
  addFault(f: FaultSpec): void
  clearFaults(): void
  configure(c: Partial<EmulatorConfig>): void
  /** From now on every issued token answers 401 authentication.required; new tokens work. */
  expireTokens(): void
  /** Every access token issued so far, in order (tests look for them where no secret may appear). */
  issuedTokens(): string[]
  /**
   * Holds the `nth` request from now on (default the first) matching `method` and `path` (a prefix, or a glob
   * as in faults) after its faults' latency, until `release()`; then it is served as it would have been. A
   * test acts while a request is in flight (another writer lands between a GET and its PUT) without racing a
   * latency against the machine's speed.
   */
  hold(match: { method: string; path: string; nth?: number }): HeldRequest
  /** Ends every running rebuild now (tests give rebuilds an hour and end them when the scenario says). */
  finishRebuilds(): number
  /** Rebuilds of the index stay `building` when they would end, until released (a rebuild outliving a wait). */
  holdRebuilds(target: RebuildTarget): void
  /** Lifts the holds on the target (all when absent); what they kept building ends now. Returns how many. */
  releaseRebuilds(target?: Partial<RebuildTarget>): number
  /** The next `count` (1) rebuilds of the index end `failed` with `statusReason`, whatever the data. */
  failRebuilds(target: RebuildTarget, statusReason: string, count?: number): void
  rebuildControls(): RebuildControls
}

export interface HeldRequest {
  /** Resolves once the request has arrived (it is in `requests()`, status 0 until answered). */
  reached: Promise<void>
  release(): void
}

interface Token {
  clientId: string
  scopes: Set<string>
  expiresAt: number
  windowStart: number
  count: number
}

interface Reply {
  status: number
  body: unknown
  headers?: Record<string, string>
}

const ERROR_CODES: Record<number, string> = {
  400: 'bad.request',
  401: 'authentication.required',
  403: 'missing.permissions',
  404: 'not.found',
  409: 'conflict',
  413: 'bad.request',
  429: 'too.many.requests',
  500: 'internal.server.error',
  502: 'bad.gateway',
  503: 'service.unavailable',
  504: 'gateway.timeout'
}

const MAX_BODY = 20 * 1024 * 1024
const RATE_WINDOW_MS = 60_000

function errorReply(
  status: number,
  message: string,
  details: ErrorDetail[] = [],
  headers?: Record<string, string>
): Reply {
  const body: Record<string, unknown> = { message, code: ERROR_CODES[status] ?? 'error', status }
  if (details.length > 0) {
    body.details = details.map(d => {
      const out: ErrorDetail = { errorCode: d.errorCode }
      if (d.fieldName !== undefined) out.fieldName = d.fieldName
      if (d.entityId !== undefined) out.entityId = d.entityId
      if (d.entityName !== undefined) out.entityName = d.entityName
      return out
    })
  }
  return headers ? { status, body, headers } : { status, body }
}

function problemReply(e: RequestError): Reply {
  return errorReply(e.status, e.message, e.details)
}

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size <= MAX_BODY) chunks.push(c)
    })
    req.on('end', () => {
      resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8'))
    })
    req.on('error', reject)
  })
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

function readData(file: string): EmulatorData {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    throw new Error(`emulator data file ${file} cannot be read as JSON: ${(e as Error).message}`)
  }
  if (!isObject(parsed) || !Array.isArray(parsed.objects)) {
    throw new Error(`emulator data file ${file} must hold {"objects": [{"schema": {...}, "records": [...]}]}`)
  }
  return parsed as unknown as EmulatorData
}

function checkData(data: EmulatorData, where: string): void {
  data.objects.forEach((o, i) => {
    if (!isObject(o.schema) || typeof o.schema.id !== 'string' || !Array.isArray(o.schema.fields)) {
      throw new Error(`${where}: objects[${i}].schema needs an id and fields`)
    }
    if (!Array.isArray(o.records) || !o.records.every(r => isObject(r) && typeof r.id === 'string')) {
      throw new Error(`${where}: objects[${i}].records must be an array of records with a string id`)
    }
  })
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const config: EmulatorConfig = {
    latencyMs: opts.latencyMs ?? 0,
    rebuildRecordsPerSecond: opts.rebuildRecordsPerSecond ?? 50_000,
    rateLimitPerMinute: opts.rateLimitPerMinute ?? 300,
    tokenTtlSeconds: opts.tokenTtlSeconds ?? 86399
  }
  const tokenBudget = opts.tokenRateLimitPerMinute ?? 300
  const WINDOW_MS = opts.rateLimitWindowMs ?? RATE_WINDOW_MS
  const clients = new Map((opts.clients ?? [DEFAULT_CLIENT]).map(c => [c.id, c]))
  const stateDir = opts.stateDir
  const data =
    (stateDir !== undefined ? loadState(stateDir) : undefined) ??
    opts.data ??
    (opts.dataFile !== undefined ? readData(opts.dataFile) : undefined) ??
    sampleData(opts.seed ?? 42, opts.ticketCount ?? 100_000, opts.accountCount ?? 5_000)
  checkData(data, opts.dataFile ?? 'emulator data')

  const persist = (records: boolean): void => {
    if (stateDir !== undefined) saveState(stateDir, db.dump(), records)
  }
  const db: Database = new Database({
    rebuildRecordsPerSecond: () => config.rebuildRecordsPerSecond,
    rebuildMinMs: opts.rebuildMinMs ?? 0,
    onChange: () => {
      persist(false)
    }
  })
  db.load(data)
  persist(false)

  const faults = new FaultTable()
  for (const f of opts.faults ?? []) faults.add(f)
  let log: RequestLogEntry[] = []
  const tokens = new Map<string, Token>()
  const tokenWindows = new Map<string, { start: number; count: number }>()

  function expireTokens(): void {
    for (const t of tokens.values()) t.expiresAt = 0
  }

  function configure(c: Partial<EmulatorConfig>): void {
    for (const k of [
      'latencyMs',
      'rebuildRecordsPerSecond',
      'rateLimitPerMinute',
      'tokenTtlSeconds'
    ] as const) {
      const v = c[k]
      if (v !== undefined) config[k] = v
    }
  }

  function putDirect(doc: unknown): Reply {
    if (!isObject(doc) || typeof doc.id !== 'string') {
      return errorReply(400, 'the body must be a schema document with an id')
    }
    try {
      const out = db.put(doc.id, doc, undefined, true)
      return { status: 200, body: out.doc }
    } catch (e) {
      if (e instanceof RequestError) return problemReply(e)
      throw e
    }
  }

  // ---- OAuth -------------------------------------------------------------------------------------------
  function oauthToken(req: http.IncomingMessage, body: string): Reply {
    const form = new URLSearchParams(body)
    let id = form.get('client_id') ?? undefined
    let secret = form.get('client_secret') ?? undefined
    const auth = req.headers.authorization
    if (auth?.toLowerCase().startsWith('basic ')) {
      const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon >= 0) {
        id = decoded.slice(0, colon)
        secret = decoded.slice(colon + 1)
      }
    }
    const client = id !== undefined ? clients.get(id) : undefined
    if (!client || client.secret !== secret) {
      return {
        status: 401,
        body: {
          error: 'invalid_client',
          description: 'authentication failed',
          error_description: 'authentication failed'
        }
      }
    }
    const now = Date.now()
    let window = tokenWindows.get(client.id)
    if (!window || now - window.start >= WINDOW_MS) {
      window = { start: now, count: 0 }
      tokenWindows.set(client.id, window)
    }
    window.count++
    if (window.count > tokenBudget) {
      return throttledToken(Math.ceil((window.start + WINDOW_MS - now) / 1000))
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return {
        status: 400,
        body: {
          error: 'unsupported_grant_type',
          description: 'grant_type must be client_credentials',
          error_description: 'grant_type must be client_credentials'
        }
      }
    }
    const accessToken = randomBytes(32).toString('base64url')
    tokens.set(accessToken, {
      clientId: client.id,
      scopes: new Set(client.scopes ?? ALL_SCOPES),
      expiresAt: now + config.tokenTtlSeconds * 1000,
      windowStart: 0,
      count: 0
    })
    return {
      status: 200,
      body: { access_token: accessToken, token_type: 'bearer', expires_in: config.tokenTtlSeconds }
    }
  }

  function throttledToken(seconds: number): Reply {
    const description = `rate limit exceeded; retry the token request in ${Math.max(1, seconds)} seconds`
    return { status: 400, body: { error: 'invalid_request', description, error_description: description } }
  }

  // ---- API ---------------------------------------------------------------------------------------------
  function rateHeaders(t: Token | undefined, now: number): Record<string, string> {
    const reset =
      t && t.windowStart > 0 ? Math.max(0, Math.ceil((t.windowStart + WINDOW_MS - now) / 1000)) : 60
    return {
      'inin-ratelimit-allowed': String(config.rateLimitPerMinute),
      'inin-ratelimit-count': String(t?.count ?? 0),
      'inin-ratelimit-reset': String(reset)
    }
  }

  function api(
    method: string,
    path: string,
    req: http.IncomingMessage,
    body: string,
    fault: FaultSpec | undefined
  ): Reply {
    const now = Date.now()
    const auth = req.headers.authorization
    const bearer = auth?.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : undefined
    const token = bearer !== undefined ? tokens.get(bearer) : undefined
    if (!token || token.expiresAt <= now) {
      const why = !auth
        ? 'no Authorization header; send Authorization: Bearer <token> from POST /oauth/token'
        : !token
          ? 'the access token is not valid; request a new token from /oauth/token'
          : 'the access token has expired or was revoked; request a new token from /oauth/token'
      return errorReply(401, `Authentication required: ${why}`, [], rateHeaders(undefined, now))
    }
    if (token.windowStart === 0 || now - token.windowStart >= WINDOW_MS) {
      token.windowStart = now
      token.count = 0
    }
    token.count++
    const headers = rateHeaders(token, now)
    const withHeaders = (r: Reply): Reply => ({ ...r, headers: { ...headers, ...r.headers } })
    if (token.count > config.rateLimitPerMinute) {
      const retryAfter = Math.max(1, Math.ceil((token.windowStart + WINDOW_MS - now) / 1000))
      return withHeaders(
        errorReply(
          429,
          `Rate limit exceeded: ${config.rateLimitPerMinute} requests per minute for this token; retry after ${retryAfter} seconds`,
          [],
          { 'retry-after': String(retryAfter) }
        )
      )
    }
    return withHeaders(route(method, path, token, body, fault))
  }

  function need(token: Token, scope: string): Reply | undefined {
    if (token.scopes.has(scope)) return undefined
    return errorReply(
      403,
      `Missing permission: this call needs the OAuth scope ${scope}; grant it to client ${token.clientId}`,
      [{ errorCode: 'missing.permissions', entityName: scope }]
    )
  }

  function route(
    method: string,
    path: string,
    token: Token,
    body: string,
    fault: FaultSpec | undefined
  ): Reply {
    const rest = path.startsWith(`${API_PREFIX}/`) ? path.slice(API_PREFIX.length + 1) : undefined
    const parts = rest?.split('/') ?? []
    if (method === 'GET' && rest === 'schemas') {
      return need(token, SCOPES.read) ?? listSchemas()
    }
    if (parts.length === 2 && parts[0] === 'schemas' && (method === 'GET' || method === 'PUT')) {
      const id = decodeURIComponent(parts[1]!)
      if (method === 'GET') {
        const denied = need(token, SCOPES.read)
        if (denied) return denied
        const doc = db.getSchema(id)
        return doc
          ? { status: 200, body: doc }
          : errorReply(404, `custom object ${id} not found; list the objects with GET ${API_PREFIX}/schemas`)
      }
      return need(token, SCOPES.write) ?? putSchema(id, body, fault)
    }
    if (method === 'GET' && rest === 'limits') {
      return need(token, SCOPES.read) ?? { status: 200, body: { ...db.limits } }
    }
    if (method === 'POST' && rest === 'queries') {
      return need(token, SCOPES.query) ?? query(body)
    }
    return errorReply(404, `no such resource: ${method} ${path}`)
  }

  function listSchemas(): Reply {
    const entities = db.ids().map(id => {
      const d = db.getSchema(id)!
      return { id: d.id, name: d.name, schemaVersion: d.schemaVersion, selfUri: d.selfUri }
    })
    return { status: 200, body: { entities, total: entities.length, selfUri: `${API_PREFIX}/schemas` } }
  }

  function putSchema(id: string, text: string, fault: FaultSpec | undefined): Reply {
    const parsed = parseJson(text)
    if (!parsed.ok || !isObject(parsed.value))
      return errorReply(400, 'The request body must be a JSON schema document')
    if (!db.has(id))
      return errorReply(404, `custom object ${id} not found; list the objects with GET ${API_PREFIX}/schemas`)
    // A wrong answer: 200 with the stored document, nothing committed.
    if (fault?.kind === 'put-no-commit') return { status: 200, body: db.getSchema(id) }
    const version = parsed.value.schemaVersion
    if (typeof version !== 'number' || !Number.isInteger(version)) {
      return errorReply(
        400,
        'schemaVersion is required: send back the schemaVersion of the document the change is based on',
        [{ errorCode: 'required.field', fieldName: 'schemaVersion', entityId: id }]
      )
    }
    try {
      const before = new Set(db.getSchema(id)?.indexes.map(i => i.name))
      const doc = db.put(id, parsed.value, version).doc
      if (fault?.kind === 'put-omit-index') {
        // A wrong answer: committed, but the answer lacks the named index (or every index new in this PUT).
        const omitted = (name: string): boolean =>
          fault.index !== undefined ? name === fault.index : !before.has(name)
        return { status: 200, body: { ...doc, indexes: doc.indexes.filter(i => !omitted(i.name)) } }
      }
      return { status: 200, body: doc }
    } catch (e) {
      if (e instanceof RequestError) return problemReply(e)
      throw e
    }
  }

  function query(text: string): Reply {
    const parsed = parseJson(text)
    if (!parsed.ok || !isObject(parsed.value)) return errorReply(400, 'The request body must be a JSON query')
    const q = parsed.value
    const bad = (fieldName: string, message: string): Reply =>
      errorReply(400, `The query is invalid: ${fieldName}: ${message}`, [
        { errorCode: 'invalid.value', fieldName }
      ])
    if (typeof q.customObjectId !== 'string')
      return bad('customObjectId', 'customObjectId must be the object id')
    if (!db.has(q.customObjectId)) return errorReply(404, `custom object ${q.customObjectId} not found`)
    const limit = q.limit ?? 25
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return bad('limit', 'limit must be an integer from 1 to 1000')
    }
    if (q.pageToken !== undefined && typeof q.pageToken !== 'string')
      return bad('pageToken', 'pageToken must be a string')
    if (!isObject(q.query)) return bad('query', 'query must be an object of type term or and')
    const terms: Term[] = []
    const names: string[] = []
    const term = (t: unknown, at: string): Reply | undefined => {
      if (!isObject(t) || t.type !== 'term')
        return bad(`${at}.type`, 'each query must be {"type":"term","field":...,"value":...}')
      if (typeof t.field !== 'string' || t.field === '')
        return bad(`${at}.field`, 'field must be a field name or a join path')
      if (!['string', 'number', 'boolean'].includes(typeof t.value))
        return bad(`${at}.value`, 'value must be a string, number or boolean')
      terms.push({ field: t.field, value: t.value as string | number | boolean })
      names.push(`${at}.field`)
      return undefined
    }
    if (q.query.type === 'term') {
      const r = term(q.query, 'query')
      if (r) return r
    } else if (q.query.type === 'and') {
      const list = q.query.queries
      if (!Array.isArray(list) || list.length === 0)
        return bad('query.queries', 'an and query needs a non-empty queries array')
      for (let i = 0; i < list.length; i++) {
        const r = term(list[i], `query.queries[${i}]`)
        if (r) return r
      }
    } else return bad('query.type', 'query.type must be term or and')
    try {
      return { status: 200, body: db.query(q.customObjectId, terms, limit, q.pageToken, names) }
    } catch (e) {
      if (e instanceof RequestError) return problemReply(e)
      throw e
    }
  }

  // ---- admin -------------------------------------------------------------------------------------------
  /** `/__emulator/rebuilds[/hold|/release|/fail]`: holding rebuilds as building, and failing them on demand. */
  function rebuildRoute(
    method: string,
    sub: string,
    parsed: { ok: true; value: unknown } | { ok: false }
  ): Reply {
    if (sub === 'rebuilds' && method === 'GET') return { status: 200, body: db.rebuildControls() }
    if (sub === 'rebuilds' && method === 'DELETE') {
      db.clearRebuildControls()
      return { status: 200, body: db.rebuildControls() }
    }
    if (method !== 'POST') return errorReply(404, `no emulator control route ${method} /__emulator/${sub}`)
    const body = parsed.ok && isObject(parsed.value) ? parsed.value : undefined
    if (!body) return errorReply(400, 'the body must be a JSON object')
    for (const k of ['index', 'customObjectId', 'statusReason'] as const) {
      if (body[k] !== undefined && (typeof body[k] !== 'string' || body[k] === ''))
        return errorReply(400, `${k} must be a non-empty string`)
    }
    const index = body.index as string | undefined
    const target = {
      ...(index !== undefined ? { index } : {}),
      ...(typeof body.customObjectId === 'string' ? { customObjectId: body.customObjectId } : {})
    }
    if (sub === 'rebuilds/release') {
      const released = db.releaseRebuilds(target)
      return { status: 200, body: { released, ...db.rebuildControls() } }
    }
    if (index === undefined) return errorReply(400, 'index is required: the name of the index')
    if (sub === 'rebuilds/hold') {
      db.holdRebuilds({ ...target, index })
      return { status: 201, body: db.rebuildControls() }
    }
    if (sub === 'rebuilds/fail') {
      if (typeof body.statusReason !== 'string') return errorReply(400, 'statusReason is required')
      const count = body.count ?? 1
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1)
        return errorReply(400, 'count must be a whole number of at least 1')
      db.failRebuilds({ ...target, index }, body.statusReason, count)
      return { status: 201, body: db.rebuildControls() }
    }
    return errorReply(404, `no emulator control route ${method} /__emulator/${sub}`)
  }

  function admin(method: string, path: string, body: string): Reply {
    const json = (): { ok: true; value: unknown } | { ok: false } =>
      body.trim() === '' ? { ok: true, value: {} } : parseJson(body)
    const sub = path.slice('/__emulator/'.length).replace(/\/+$/, '')
    if (sub === 'requests') {
      if (method === 'GET') return { status: 200, body: { requests: log.map(r => ({ ...r })) } }
      if (method === 'DELETE') {
        log = []
        return { status: 200, body: { requests: [] } }
      }
    }
    if (sub === 'faults') {
      if (method === 'GET') return { status: 200, body: { faults: faults.list() } }
      if (method === 'DELETE') {
        faults.clear()
        return { status: 200, body: { faults: [] } }
      }
      if (method === 'POST') {
        const parsed = json()
        const spec = parsed.ok ? parseFault(parsed.value) : 'the body must be a JSON FaultSpec'
        if (typeof spec === 'string') return errorReply(400, spec)
        faults.add(spec)
        return { status: 201, body: { faults: faults.list() } }
      }
    }
    if ((sub === 'tokens/expire' || sub === 'tokens/revoke') && method === 'POST') {
      expireTokens()
      return { status: 200, body: { expired: tokens.size } }
    }
    if (sub === 'config' && method === 'POST') {
      const parsed = json()
      if (!parsed.ok || !isObject(parsed.value))
        return errorReply(400, 'the body must be a JSON object of settings')
      const known = ['latencyMs', 'rebuildRecordsPerSecond', 'rateLimitPerMinute', 'tokenTtlSeconds']
      for (const [k, v] of Object.entries(parsed.value)) {
        if (!known.includes(k)) return errorReply(400, `unknown setting ${k}; known: ${known.join(', ')}`)
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
          return errorReply(400, `${k} must be a non-negative number`)
      }
      configure(parsed.value)
      return { status: 200, body: { ...config } }
    }
    if (sub.startsWith('schemas/') && method === 'PUT') {
      const parsed = json()
      if (!parsed.ok || !isObject(parsed.value))
        return errorReply(400, 'the body must be a JSON schema document')
      return putDirect({ ...parsed.value, id: decodeURIComponent(sub.slice('schemas/'.length)) })
    }
    if (sub === 'rebuilds' || sub.startsWith('rebuilds/')) return rebuildRoute(method, sub, json())
    if (sub === 'state' && method === 'GET') {
      const objects = db.ids().map(id => {
        const d = db.getSchema(id)!
        return {
          id,
          name: d.name,
          schemaVersion: d.schemaVersion,
          indexes: d.indexes.map(ix => ({ name: ix.name, status: ix.status })),
          records: db.recordCount(id)
        }
      })
      return { status: 200, body: { objects } }
    }
    return errorReply(404, `no emulator control route ${method} ${path}; see src/emulator/README.md`)
  }

  // ---- HTTP --------------------------------------------------------------------------------------------
  function send(res: http.ServerResponse, reply: Reply, correlationId: string): void {
    let body = reply.body
    if (reply.status >= 400 && isObject(body) && typeof body.code === 'string' && !('contextId' in body)) {
      body = { ...body, contextId: correlationId }
    }
    const text = JSON.stringify(body)
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      'inin-correlation-id': correlationId,
      ...reply.headers
    })
    res.end(text)
  }

  const holds: {
    method: string
    path: string
    skip: number
    arrive: () => void
    gate: Promise<void>
  }[] = []
  const released: (() => void)[] = []

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now()
    const method = (req.method ?? 'GET').toUpperCase()
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/(.)\/+$/, '$1')
    const correlationId = randomUUID()
    const body = await readBody(req)
    if (path === '/__emulator' || path.startsWith('/__emulator/')) {
      send(
        res,
        body === undefined ? errorReply(413, 'body too large') : admin(method, path, body),
        correlationId
      )
      return
    }
    const entry: RequestLogEntry = { method, path, status: 0, at, correlationId }
    log.push(entry)
    const finish = (status: number): void => {
      entry.status = status
      opts.log?.(
        `${method} ${path} ${status === 0 ? 'dropped' : status} ${Date.now() - at}ms ${correlationId}`
      )
    }
    const decision = faults.take(method, path)
    const delay = config.latencyMs + decision.delayMs
    if (delay > 0) await sleep(delay)
    // Every hold this request matches counts it; the first whose turn it is holds it.
    let held: (typeof holds)[number] | undefined
    for (const h of holds.filter(h => h.method === method && pathMatches(h.path, path))) {
      if (h.skip === 0) held ??= h
      else h.skip--
    }
    if (held) {
      holds.splice(holds.indexOf(held), 1)
      held.arrive()
      await held.gate
    }
    const action = decision.action
    if (action?.kind === 'reset') {
      req.socket.destroy()
      finish(0)
      return
    }
    const answer = (reply: Reply): void => {
      send(res, { ...reply, headers: { ...reply.headers, ...decision.headers } }, correlationId)
      finish(reply.status)
    }
    if (action?.kind === 'status') {
      answer(statusFault(action, method, path, req, body ?? ''))
      return
    }
    if (action?.kind === 'redirect') {
      const status = action.status ?? 302
      answer({
        status,
        body: { message: `Injected fault: ${status} redirect to ${action.location ?? ''}` },
        headers: { location: action.location ?? '/', ...action.headers }
      })
      return
    }
    let reply: Reply
    if (body === undefined) reply = errorReply(413, `request body over ${MAX_BODY} bytes`)
    else if (path === '/oauth/token' && method === 'POST') reply = oauthToken(req, body)
    else if (path.startsWith('/api/')) reply = api(method, path, req, body, action)
    else reply = errorReply(404, `no such resource: ${method} ${path}`)
    if (action?.kind === 'commit-then-drop') {
      req.socket.destroy()
      finish(0)
      return
    }
    answer(reply)
  }

  /** What a request carried that a careless server might echo: its credentials, decoded. */
  function carriedSecrets(req: http.IncomingMessage, body: string): string {
    const auth = req.headers.authorization ?? ''
    const parts = [`Authorization: ${auth}`]
    if (auth.toLowerCase().startsWith('basic ')) {
      parts.push(`client credential ${Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8')}`)
    }
    if (auth.toLowerCase().startsWith('bearer ')) parts.push(`access token ${auth.slice(7).trim()}`)
    const formSecret = new URLSearchParams(body).get('client_secret')
    if (formSecret) parts.push(`client_secret ${formSecret}`)
    return parts.join('; ')
  }

  /** The answer of a 'status' fault: an ErrorBody (OAuth error shape on the token endpoint). */
  function statusFault(
    action: FaultSpec,
    method: string,
    path: string,
    req: http.IncomingMessage,
    body: string
  ): Reply {
    const status = action.status ?? 503
    const headers: Record<string, string> = {
      ...(action.retryAfter !== undefined ? { 'retry-after': String(action.retryAfter) } : {}),
      ...action.headers
    }
    const echo = action.echoSecrets ? carriedSecrets(req, body) : undefined
    const message =
      action.message ?? `Injected fault: ${status} ${ERROR_CODES[status] ?? 'error'} for ${method} ${path}`
    if (path === '/oauth/token') {
      if (status === 400 && echo === undefined) {
        const throttled = throttledToken(action.retryAfter ?? 1)
        if (action.message === undefined) return { ...throttled, headers }
        const text = { description: action.message, error_description: action.message }
        return { ...throttled, body: { ...(throttled.body as Record<string, unknown>), ...text }, headers }
      }
      const error =
        status === 400 ? 'unauthorized_client' : status === 401 ? 'invalid_client' : 'server_error'
      const description = echo !== undefined ? `${message}; you sent ${echo}` : message
      return {
        status,
        body: { error, description, error_description: description, ...(echo ? { echo } : {}) },
        headers
      }
    }
    if (echo === undefined) return errorReply(status, message, [], headers)
    const reply = errorReply(
      status,
      `${message}; you sent ${echo}`,
      [{ errorCode: 'echo', entityName: echo }],
      headers
    )
    return { ...reply, body: { ...(reply.body as Record<string, unknown>), messageParams: { sent: echo } } }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      send(res, errorReply(500, `emulator error: ${(e as Error).message}`), randomUUID())
    })
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  let closing: Promise<void> | undefined

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => {
      closing ??= new Promise<void>(resolve => {
        for (const release of released) release()
        db.close()
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      }).then(() => {
        persist(true)
      })
      return closing
    },
    requests: () => log.map(r => ({ ...r })),
    resetRequests: () => {
      log = []
    },
    getSchema: id => db.getSchema(id),
    putSchemaDirect: doc => {
      const reply = putDirect(doc)
      if (reply.status !== 200) throw new Error(`putSchemaDirect refused: ${JSON.stringify(reply.body)}`)
    },
    addFault: f => {
      const spec = parseFault(f)
      if (typeof spec === 'string') throw new Error(spec)
      faults.add(spec)
    },
    clearFaults: () => {
      faults.clear()
    },
    configure,
    expireTokens,
    issuedTokens: () => [...tokens.keys()],
    hold: ({ method, path, nth = 1 }) => {
      let arrive = (): void => undefined
      let release = (): void => undefined
      const reached = new Promise<void>(resolve => {
        arrive = resolve
      })
      const gate = new Promise<void>(resolve => {
        release = resolve
      })
      holds.push({ method: method.toUpperCase(), path, skip: nth - 1, arrive, gate })
      released.push(release)
      return { reached, release }
    },
    finishRebuilds: () => db.finishRebuilds(),
    holdRebuilds: target => {
      db.holdRebuilds(target)
    },
    releaseRebuilds: target => db.releaseRebuilds(target),
    failRebuilds: (target, statusReason, count) => {
      db.failRebuilds(target, statusReason, count)
    },
    rebuildControls: () => db.rebuildControls()
  }
}
