// The one HTTP module for every outbound call (platform API, token endpoint, warehouse), over
// @actions/http-client's raw `request()`: retries with Retry-After and jittered backoff inside one deadline,
// optional shared rate limiting, errors that name method, path, status, code and correlation id. It follows no
// redirect (a 3xx is an error naming its Location: credentials never reach another origin,
// docs/rules.md#credentials-never-follow-a-redirect), and every text a server sent passes the redactor before
// it goes into an error (docs/rules.md#secrets-never-leave).
import { HttpClient } from '@actions/http-client'
import { redactUrl } from '../redact.js'
import type { RateLimiter } from './ratelimit.js'
import { RateLimitWaitError, defaultSleep } from './ratelimit.js'

/** Statuses the platform's calls retry (docs/rules.md#errors-retries-and-rate-limits). */
export const PLATFORM_RETRY_STATUSES: readonly number[] = [429, 502, 503, 504]
/** Statuses the warehouse delivery retries (docs/rules.md#delivering-to-the-warehouse): 429 and every 5xx. */
export const WAREHOUSE_RETRY_STATUSES: readonly number[] = [
  429, 500, 501, 502, 503, 504, 505, 507, 508, 510, 511
]

/** The deadline of one call, waits included, unless the client or the request says otherwise. */
export const DEFAULT_CALL_DEADLINE_MS = 120_000

/** The shortest socket timeout an attempt gets, however little is left of its deadline. */
const MIN_ATTEMPT_MS = 1_000

/** A `Location` is shown up to this many characters. */
const MAX_LOCATION_LENGTH = 200
/** A server's message is quoted in an error message up to this many characters. */
const MAX_SERVER_MESSAGE_LENGTH = 1000

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
  /**
   * Applied to every text a server sent before it goes into a PlatformError (message, serverMessage, code,
   * body, correlation id, Location). Main passes the run's `Redactor.redact`.
   */
  redact?: (text: string) => string
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
  /**
   * An absolute deadline (epoch ms, on the client's `now` clock) overriding `deadlineMs`: several calls given
   * the same value share one deadline. A call whose deadline has passed is not sent.
   */
  deadlineAt?: number
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
  /** For a 3xx: its Location, without user-info, redacted and capped. */
  readonly location?: string
  readonly attempts: number

  constructor(init: {
    method: string
    path: string
    status?: number
    code?: string
    serverMessage?: string
    correlationId?: string
    body?: unknown
    location?: string
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
    this.location = init.location
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

/** Every string of a parsed JSON value (keys too) passed through `redact`. */
function redactDeep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value)
  if (Array.isArray(value)) return value.map(v => redactDeep(v, redact))
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, redact(k), {
        value: redactDeep(v, redact),
        enumerable: true,
        writable: true
      })
    }
    return out
  }
  return value
}

function cap(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}

/** A Location header as it may be shown: absolute, no user-info, redacted, capped. */
function shownLocation(value: string, requestUrl: string, redact: (text: string) => string): string {
  let absolute = value
  try {
    absolute = new URL(value, requestUrl).href
  } catch {
    // Not a URL: shown as sent (user-info still dropped below).
  }
  return cap(redact(redactUrl(absolute)), MAX_LOCATION_LENGTH)
}

function errorFromResponse(
  method: string,
  url: string,
  res: HttpResponse,
  attempts: number,
  redact: (text: string) => string
): PlatformError {
  const path = pathOf(url)
  const body = redactDeep(parseJson(res.text), redact)
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
  const code = str(record.code) ?? str(record.error)
  const serverMessage = str(record.message) ?? str(record.error_description) ?? str(record.description)
  const headerCorrelation = res.correlationId !== undefined ? redact(res.correlationId) : undefined
  const correlationId = headerCorrelation ?? str(record.contextId)
  const redirect = res.status >= 300 && res.status < 400
  let message = `${method} ${path} failed: ${res.status}${code && !redirect ? ` ${code}` : ''}`
  let location: string | undefined
  if (redirect) {
    const raw = header(res.headers, 'location')
    location = raw !== undefined && raw.trim() !== '' ? shownLocation(raw.trim(), url, redact) : undefined
    message +=
      ` redirect${location !== undefined ? ` to ${location}` : ' without a Location'}: redirects are not ` +
      'followed, so credentials never reach another address. Set the URL input to the final address.'
  } else if (serverMessage) message += `: ${cap(serverMessage, MAX_SERVER_MESSAGE_LENGTH)}`
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
    location,
    attempts,
    message: redact(message)
  })
}

/** The same error with `suffix` added to its message (after its closing period, if any). */
function withSuffix(err: PlatformError, suffix: string): PlatformError {
  return new PlatformError({
    method: err.method,
    path: err.path,
    status: err.status,
    code: err.code,
    serverMessage: err.serverMessage,
    correlationId: err.correlationId,
    body: err.body,
    location: err.location,
    attempts: err.attempts,
    message: `${err.message.replace(/\.$/, '')}${suffix}`
  })
}

const secondsText = (ms: number): string => `${Math.max(0, Math.floor(ms / 1000))} s`

export function createHttpClient(opts: HttpClientOptions = {}): PlatformHttpClient {
  const retryStatuses = new Set(opts.retryStatuses ?? PLATFORM_RETRY_STATUSES)
  const deadlineDefault = opts.deadlineMs ?? DEFAULT_CALL_DEADLINE_MS
  const base = opts.backoffBaseMs ?? 250
  const cap = opts.backoffCapMs ?? 8_000
  const sleep = opts.sleep ?? defaultSleep
  const random = opts.random ?? Math.random
  const now = opts.now ?? Date.now
  const redact = opts.redact ?? ((text: string): string => text)
  const socketTimeout = opts.socketTimeoutMs ?? 30_000
  const userAgent = opts.userAgent ?? 'custom-object-index-action'
  const stats: HttpStats = { requests: 0, retries: 0, throttled: 0 }

  async function attempt(
    req: HttpRequest,
    release: (() => void) | undefined,
    leftMs: number
  ): Promise<HttpResponse> {
    stats.requests++
    // One client per attempt: its socket timeout ends with the call's deadline, but gives an answer at least
    // MIN_ATTEMPT_MS (a PUT cut off sooner would commit unseen).
    const client = new HttpClient(userAgent, [], {
      socketTimeout: Math.max(
        Math.min(MIN_ATTEMPT_MS, socketTimeout),
        Math.min(socketTimeout, Math.ceil(leftMs))
      ),
      allowRetries: false,
      allowRedirects: false,
      keepAlive: false
    })
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
      const deadline = req.deadlineAt ?? start + (req.deadlineMs ?? deadlineDefault)
      /** How the deadline is named in messages. */
      const deadlineName =
        req.deadlineAt !== undefined
          ? "this call's deadline"
          : `this call's ${Math.round((deadline - start) / 1000)} s deadline`
      const limited = (req.limited ?? true) && opts.limiter !== undefined
      const retryConnection = req.retryConnectionErrors ?? true
      /** The failure of the previous attempt, when it was retried. */
      let previous: PlatformError | undefined
      for (let n = 0; ; n++) {
        if (now() >= deadline) {
          if (previous) throw withSuffix(previous, `; gave up at ${deadlineName}`)
          throw new PlatformError({
            method,
            path,
            attempts: 0,
            message: `${method} ${path} not sent: ${deadlineName} has passed.`
          })
        }
        let release: (() => void) | undefined
        try {
          release = limited ? await opts.limiter?.acquire({ maxWaitMs: deadline - now() }) : undefined
        } catch (error) {
          if (!(error instanceof RateLimitWaitError)) throw error
          throw new PlatformError({
            method,
            path,
            attempts: n,
            message:
              `${method} ${path} not sent: the rate-limit window resets in ${Math.ceil(error.waitMs / 1000)} s ` +
              `(inin-ratelimit-reset), more than the ${secondsText(error.leftMs)} left of ${deadlineName}` +
              `${n > 0 ? ` (after ${n} attempts)` : ''}. Re-run the job when the window has reset.`
          })
        }
        let wait: number
        let asked: number | undefined
        let failure: () => PlatformError
        const left = deadline - now()
        try {
          const res = await attempt({ ...req, method }, release, left)
          if (res.status >= 200 && res.status < 300) return res
          if (res.status === 429) stats.throttled++
          failure = () => errorFromResponse(method, req.url, res, n + 1, redact)
          if (!retryStatuses.has(res.status) && !(req.retryIf?.(res) ?? false)) throw failure()
          asked = retryAfterMs(header(res.headers, 'retry-after'), now())
          // Retry-After is a floor: never earlier (a few ms more absorb timer and clock rounding).
          wait = asked !== undefined ? asked + 20 : random() * Math.min(cap, base * 2 ** n)
        } catch (error) {
          if (error instanceof PlatformError) throw error
          if (!isConnectionError(error)) throw error
          const name = redact(connectionErrorName(error))
          // An attempt cut short by the deadline says less than the answer before it.
          if (left < socketTimeout && previous?.status !== undefined && /timeout/i.test(name)) {
            throw withSuffix(previous, `; gave up at ${deadlineName}`)
          }
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
          throw withSuffix(
            failure(),
            asked !== undefined
              ? `; the server asked to wait ${Math.ceil(asked / 1000)} s (Retry-After), more than the ` +
                  `${secondsText(deadline - now())} left of ${deadlineName}`
              : `; gave up at ${deadlineName}`
          )
        }
        previous = failure()
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
