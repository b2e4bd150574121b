// The one HTTP module for every outbound call (platform API, token endpoint, warehouse), over
// @actions/http-client's raw `request()`: retries with Retry-After and jittered backoff inside one deadline,
// optional shared rate limiting, errors that name method, path, status, code and correlation id.
import { HttpClient } from '@actions/http-client'
import type { RateLimiter } from './ratelimit.js'
import { defaultSleep } from './ratelimit.js'

/** Statuses contract A3 retries for the platform. */
export const PLATFORM_RETRY_STATUSES: readonly number[] = [429, 502, 503, 504]
/** Statuses contract E retries for the warehouse: 429 and every 5xx. */
export const WAREHOUSE_RETRY_STATUSES: readonly number[] = [
  429, 500, 501, 502, 503, 504, 505, 507, 508, 510, 511
]

const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'EAI_AGAIN'
])

export interface HttpClientOptions {
  /** Statuses retried (default: 429, 502, 503, 504). */
  retryStatuses?: readonly number[]
  /** Overall deadline of one call, waits included (default 120 s). */
  deadlineMs?: number
  /** Socket timeout of one attempt (default 30 s). */
  socketTimeoutMs?: number
  /** Backoff base and cap (default 250 ms and 8 s): full jitter, random() × min(cap, base × 2^attempt). */
  backoffBaseMs?: number
  backoffCapMs?: number
  /** Shared by every call of a run that goes through this client with `limited` not false. */
  limiter?: RateLimiter
  userAgent?: string
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  now?: () => number
}

export interface HttpRequest {
  method: string
  /** Absolute URL. */
  url: string
  headers?: Record<string, string>
  body?: string
  /** Whether the shared limiter gates this call (default true when the client has one). */
  limited?: boolean
  /** Retry connection failures (default true). A PUT whose fate must be checked turns this off. */
  retryConnectionErrors?: boolean
  /** An answer retried although its status is not in the retry set (e.g. a throttled token endpoint). */
  retryIf?: (response: HttpResponse) => boolean
  /** Overrides the client's deadline for this call. */
  deadlineMs?: number
}

export interface HttpResponse {
  status: number
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>
  text: string
  correlationId?: string
}

export interface HttpStats {
  /** Attempts sent (each retry counts). */
  requests: number
  retries: number
  /** Answers 429. */
  throttled: number
}

export interface PlatformHttpClient {
  /** Sends with retries; resolves with a 2xx answer, otherwise throws PlatformError. */
  request(req: HttpRequest): Promise<HttpResponse>
  stats(): HttpStats
}

/** A call that failed: an answer that is not 2xx (after retries), or no answer at all. */
export class PlatformError extends Error {
  readonly method: string
  readonly path: string
  /** Absent when no answer came (connection failure, timeout). */
  readonly status?: number
  readonly code?: string
  readonly serverMessage?: string
  readonly correlationId?: string
  readonly body?: unknown
  readonly attempts: number

  constructor(init: {
    method: string
    path: string
    status?: number
    code?: string
    serverMessage?: string
    correlationId?: string
    body?: unknown
    attempts: number
    message: string
  }) {
    super(init.message)
    this.name = 'PlatformError'
    this.method = init.method
    this.path = init.path
    this.status = init.status
    this.code = init.code
    this.serverMessage = init.serverMessage
    this.correlationId = init.correlationId
    this.body = init.body
    this.attempts = init.attempts
  }
}

function header(headers: HttpResponse['headers'], name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** Seconds of a Retry-After header (delta seconds or an HTTP date), or undefined. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as NodeJS.ErrnoException).code
  if (code !== undefined && CONNECTION_CODES.has(code)) return true
  return /socket hang up|Request timeout|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE/i.test(error.message)
}

function connectionErrorName(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const code = (error as NodeJS.ErrnoException).code
  return code ?? error.message
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** The scope a 403 `missing.permissions` names. */
function missingScope(message: string | undefined): string | undefined {
  return /customobjects:customobject:[a-z]+/i.exec(message ?? '')?.[0]
}

/** Path of a URL for messages: no query string (it could carry anything). */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return url.split('?')[0] ?? url
  }
}

function errorFromResponse(method: string, path: string, res: HttpResponse, attempts: number): PlatformError {
  const body = parseJson(res.text)
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
  const code = str(record.code) ?? str(record.error)
  const serverMessage = str(record.message) ?? str(record.error_description) ?? str(record.description)
  const correlationId = res.correlationId ?? str(record.contextId)
  let message = `${method} ${path} failed: ${res.status}${code ? ` ${code}` : ''}`
  if (serverMessage) message += `: ${serverMessage}`
  const details = Array.isArray(record.details) ? (record.details as unknown[]) : []
  const fields = details
    .map(d => (typeof d === 'object' && d !== null ? (d as Record<string, unknown>) : {}))
    .map(d => [str(d.fieldName), str(d.errorCode)].filter(Boolean).join(' '))
    .filter(s => s !== '')
  if (fields.length > 0) message += ` [${fields.join('; ')}]`
  if (res.status === 403) {
    const scope = missingScope(serverMessage)
    message += scope
      ? `. Grant the OAuth client the scope '${scope}' (Admin > Integrations > OAuth > Roles).`
      : '. The OAuth client lacks a permission this call needs: check its roles.'
  }
  if (attempts > 1) message += ` after ${attempts} attempts`
  if (correlationId) message += ` (correlation id ${correlationId})`
  return new PlatformError({
    method,
    path,
    status: res.status,
    code,
    serverMessage,
    correlationId,
    body,
    attempts,
    message
  })
}

export function createHttpClient(opts: HttpClientOptions = {}): PlatformHttpClient {
  const retryStatuses = new Set(opts.retryStatuses ?? PLATFORM_RETRY_STATUSES)
  const deadlineDefault = opts.deadlineMs ?? 120_000
  const base = opts.backoffBaseMs ?? 250
  const cap = opts.backoffCapMs ?? 8_000
  const sleep = opts.sleep ?? defaultSleep
  const random = opts.random ?? Math.random
  const now = opts.now ?? Date.now
  const socketTimeout = opts.socketTimeoutMs ?? 30_000
  const client = new HttpClient(opts.userAgent ?? 'custom-object-index-action', [], {
    socketTimeout,
    allowRetries: false,
    keepAlive: false
  })
  const stats: HttpStats = { requests: 0, retries: 0, throttled: 0 }

  async function attempt(req: HttpRequest, limited: boolean): Promise<HttpResponse> {
    const release = limited && opts.limiter ? await opts.limiter.acquire() : undefined
    stats.requests++
    try {
      const raw = await client.request(req.method, req.url, req.body ?? null, {
        ...(req.body !== undefined && !hasHeader(req.headers, 'content-type')
          ? { 'content-type': 'application/json' }
          : {}),
        accept: 'application/json',
        ...req.headers
      })
      const text = await raw.readBody()
      const headers = raw.message.headers
      if (release) opts.limiter?.update(headers)
      return {
        status: raw.message.statusCode ?? 0,
        headers,
        text,
        correlationId: header(headers, 'inin-correlation-id')
      }
    } finally {
      release?.()
    }
  }

  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      const method = req.method.toUpperCase()
      const path = pathOf(req.url)
      const start = now()
      const deadline = start + (req.deadlineMs ?? deadlineDefault)
      const limited = req.limited ?? true
      const retryConnection = req.retryConnectionErrors ?? true
      for (let n = 0; ; n++) {
        let wait: number
        let failure: () => PlatformError
        try {
          const res = await attempt({ ...req, method }, limited)
          if (res.status >= 200 && res.status < 300) return res
          if (res.status === 429) stats.throttled++
          failure = () => errorFromResponse(method, path, res, n + 1)
          if (!retryStatuses.has(res.status) && !(req.retryIf?.(res) ?? false)) throw failure()
          const after = retryAfterMs(header(res.headers, 'retry-after'), now())
          // Retry-After is a floor: never earlier (a few ms more absorb timer and clock rounding).
          wait = after !== undefined ? after + 20 : random() * Math.min(cap, base * 2 ** n)
        } catch (error) {
          if (error instanceof PlatformError) throw error
          if (!isConnectionError(error)) throw error
          const name = connectionErrorName(error)
          failure = () =>
            new PlatformError({
              method,
              path,
              attempts: n + 1,
              message:
                `${method} ${path} failed: no answer (${name})${n > 0 ? ` after ${n + 1} attempts` : ''}. ` +
                'Check that the host is reachable; the call is safe to re-run.'
            })
          if (!retryConnection) throw failure()
          wait = random() * Math.min(cap, base * 2 ** n)
        }
        if (now() + wait > deadline) {
          const err = failure()
          throw new PlatformError({
            method: err.method,
            path: err.path,
            status: err.status,
            code: err.code,
            serverMessage: err.serverMessage,
            correlationId: err.correlationId,
            body: err.body,
            attempts: err.attempts,
            message: `${err.message}; gave up at the ${Math.round((deadline - start) / 1000)} s deadline of this call`
          })
        }
        stats.retries++
        await sleep(wait)
      }
    },
    stats(): HttpStats {
      return { ...stats }
    }
  }
}

function hasHeader(headers: Record<string, string> | undefined, name: string): boolean {
  return headers !== undefined && Object.keys(headers).some(k => k.toLowerCase() === name)
}
