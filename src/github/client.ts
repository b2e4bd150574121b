// One GitHub session per step (a PR comment, a review look-up, a drift-issue sync): Octokit with the retry and
// throttling plugins, every request bounded in time, the whole step bounded, and every failure turned into
// one GitHubCallError that says what was being done and why it failed.
import { STATUS_CODES } from 'node:http'
import { getOctokit } from '@actions/github'
import type { OctokitPlugin } from '@octokit/core/types'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck/light.js'
import { errorMessage } from '../errors.js'

export interface GitHubTiming {
  /** Bound of one HTTP request: it is aborted after this long without an answer. */
  callTimeoutMs: number
  /** Bound of one step: every call, retry and wait of one comment, review look-up or issue sync. */
  stepTimeoutMs: number
  /**
   * The unit of the waits the client chooses itself: retries after 1, 4 and 9 units, and GitHub's advised
   * pause between writes (1 unit; 3 before a write that notifies people). A `retry-after` GitHub sends is
   * honoured as sent, whatever the unit.
   */
  pauseMs: number
}

export const DEFAULT_TIMING: GitHubTiming = { callTimeoutMs: 60_000, stepTimeoutMs: 180_000, pauseMs: 1_000 }

/** Retries after the first attempt, for 5xx, connection failures and rate limits alike. */
export const RETRIES = 3

/**
 * Tuning knob, read here and nowhere else: the bound of one GitHub request in milliseconds (default 60000,
 * accepted from 100 to 600000; anything else keeps the defaults). The step's bound is three times it and
 * the pause unit 1/60 of it, so one number speeds every GitHub wait up (the end-to-end tests) or gives a slow
 * GitHub Enterprise Server more time.
 */
export const TIMEOUT_ENV = 'CUSTOM_OBJECT_INDEX_GITHUB_TIMEOUT_MS'

export function timingFromEnv(env: NodeJS.ProcessEnv): GitHubTiming {
  const raw = env[TIMEOUT_ENV]?.trim()
  const ms = raw ? Number(raw) : Number.NaN
  if (!Number.isInteger(ms) || ms < 100 || ms > 600_000) return DEFAULT_TIMING
  return { callTimeoutMs: ms, stepTimeoutMs: ms * 3, pauseMs: Math.max(1, Math.round(ms / 60)) }
}

export interface GitHubConfig {
  token: string
  /**
   * The REST base URL (GITHUB_API_URL). GraphQL is `{baseUrl}/graphql` on github.com, and `https://HOST/api/graphql`
   * for a GitHub Enterprise Server base `https://HOST/api/v3` (Octokit derives it).
   */
  baseUrl: string
  /** Default: `timingFromEnv(process.env)`. */
  timing?: GitHubTiming
}

export type GitHubErrorKind =
  'permission' | 'auth' | 'rate-limited' | 'server' | 'unreachable' | 'timeout' | 'invalid'

/** A GitHub call that failed for good (after its retries): `message` names what was being done and why. */
export class GitHubCallError extends Error {
  readonly kind: GitHubErrorKind
  /** The HTTP status GitHub answered, when it answered. */
  readonly status: number | undefined
  constructor(kind: GitHubErrorKind, message: string, status?: number) {
    super(message)
    this.name = 'GitHubCallError'
    this.kind = kind
    this.status = status
  }
}

export type Octokit = ReturnType<typeof getOctokit>

export interface Session {
  octokit: Octokit
  /** Runs one GitHub call (its pages and retries included); a failure becomes a GitHubCallError naming `what`. */
  call<T>(what: string, fn: (octokit: Octokit) => Promise<T>): Promise<T>
  /** The token's login as GraphQL `viewer { login }` names it, read once per session. */
  viewer(): Promise<string>
  /** Cleans untrusted text from GitHub for a message: one line, capped, the token redacted. */
  clean(text: string, max?: number): string
}

/** The reason a request is aborted after `callTimeoutMs`: a connection failure, so it is retried. */
class CallTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${seconds(ms)}`)
    this.name = 'TimeoutError'
  }
}

/** The reason every request is aborted when the step's bound is reached: never retried. */
class StepExpired extends Error {
  constructor() {
    super('the step ran out of time')
    this.name = 'AbortError'
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`
}

interface HttpAnswer {
  status: number
  headers: Record<string, string | number | undefined>
  data: unknown
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined
}

/** The answer an Octokit RequestError carries, when GitHub answered. */
function answerOf(error: unknown): HttpAnswer | undefined {
  const response = record(record(error)?.response)
  if (response === undefined || typeof response.status !== 'number') return undefined
  return {
    status: response.status,
    headers: (record(response.headers) ?? {}) as HttpAnswer['headers'],
    data: response.data
  }
}

/**
 * The `message` of GitHub's error body, or the body when it is text. A 422's message is only "Validation
 * Failed": the real cause is in `errors[].message` (or `errors[].code` and `field`), added after it.
 */
function answerText(answer: HttpAnswer): string {
  if (typeof answer.data === 'string') return answer.data
  const body = record(answer.data)
  const message = typeof body?.message === 'string' ? body.message : ''
  const causes = (Array.isArray(body?.errors) ? body.errors : []).slice(0, 3).flatMap(e => {
    if (typeof e === 'string') return [e]
    const r = record(e)
    if (typeof r?.message === 'string') return [r.message]
    if (typeof r?.code === 'string') return [[r.field, r.code].filter(x => typeof x === 'string').join(' ')]
    return []
  })
  return causes.length > 0 ? `${message}: ${causes.join('; ')}` : message
}

/**
 * GitHub's rate limits, primary and secondary: any 429; a 403 whose message names a rate limit, or that
 * carries `retry-after` or `x-ratelimit-remaining: 0`. Any other 403 is a permission problem.
 */
function isRateLimited(answer: HttpAnswer): boolean {
  if (answer.status === 429) return true
  if (answer.status !== 403) return false
  return (
    /rate limit/i.test(answerText(answer)) ||
    answer.headers['retry-after'] !== undefined ||
    String(answer.headers['x-ratelimit-remaining']) === '0'
  )
}

/**
 * @octokit/plugin-throttling retries a 403/429 whose message says "secondary rate" or that carries
 * `x-ratelimit-remaining: 0`. The other shapes GitHub uses for its rate limits (a bare 429, an "abuse
 * detection" 403 with `retry-after`) are named so it retries them too.
 */
function nameRateLimit(error: unknown): void {
  const answer = answerOf(error)
  if (answer === undefined || !isRateLimited(answer) || !(error instanceof Error)) return
  if (/\bsecondary rate\b/i.test(error.message)) return
  if (String(answer.headers['x-ratelimit-remaining']) === '0') return
  error.message = `${error.message} (secondary rate limit)`
}

/** 4xx answers are final: @octokit/plugin-retry retries 5xx and connection failures only. */
const CLIENT_ERRORS = Array.from({ length: 100 }, (_, i) => 400 + i)

interface SessionState {
  timing: GitHubTiming
  deadlineAt: number
  step: AbortController
  /** Attempts so far of each request (keyed by its options object, the same across retries). */
  attempts: WeakMap<object, number>
  /** Attempts made by the request that threw each error. */
  attemptsOf: WeakMap<object, number>
  /** A rate-limit wait that did not fit in what was left of the step. */
  refused?: { seconds: number; leftMs: number }
  /** What the session is doing, for the step-expiry message. */
  current: string
}

/** Innermost hook: each attempt gets its own time bound, and the step's; attempts are counted. */
function boundRequests(state: SessionState): OctokitPlugin {
  return octokit => {
    octokit.hook.wrap('request', async (request, options) => {
      const attempt = (state.attempts.get(options) ?? 0) + 1
      state.attempts.set(options, attempt)
      const call = new AbortController()
      const timer = setTimeout(() => {
        call.abort(new CallTimeout(state.timing.callTimeoutMs))
      }, state.timing.callTimeoutMs)
      // The options object itself is changed (its `request` replaced, not edited: it may be the client's
      // shared defaults): inner hooks merge the options they were first given and ignore a copy.
      options.request = { ...options.request, signal: AbortSignal.any([state.step.signal, call.signal]) }
      try {
        return await request(options)
      } catch (error) {
        if (typeof error === 'object' && error !== null) state.attemptsOf.set(error, attempt)
        nameRateLimit(error)
        throw error
      } finally {
        clearTimeout(timer)
      }
    })
  }
}

/** Whether a rate-limit wait of `after` seconds is taken: within the retries and what is left of the step. */
function mayWait(state: SessionState, after: number, retryCount: number): boolean {
  if (retryCount >= RETRIES) return false
  const leftMs = state.deadlineAt - Date.now()
  if (after * 1000 > leftMs) {
    state.refused = { seconds: after, leftMs }
    return false
  }
  return true
}

function createOctokit(config: GitHubConfig, state: SessionState): Octokit {
  const pause = state.timing.pauseMs
  const handler = (after: number, _options: unknown, _octokit: unknown, retryCount: number): boolean =>
    mayWait(state, after, retryCount)
  return getOctokit(
    config.token,
    {
      // Passed explicitly: @actions/github reads GITHUB_API_URL when it is imported.
      baseUrl: config.baseUrl,
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      retry: { retries: RETRIES, retryAfterBaseValue: pause, doNotRetry: CLIENT_ERRORS },
      throttle: {
        // This session's own write spacing, in its pause unit (the plugin's defaults are 1 s and 3 s).
        write: new Bottleneck.Group({ maxConcurrent: 1, minTime: pause }),
        notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 3 * pause }),
        onSecondaryRateLimit: handler,
        onRateLimit: handler
      }
    },
    boundRequests(state),
    retry,
    throttling
  )
}

/** A GitHub login: letters, digits and hyphens, with `[bot]` for apps. */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/

/** Runs `fn` with a fresh session; the step's bound covers all of it. */
export async function withSession<T>(config: GitHubConfig, fn: (s: Session) => Promise<T>): Promise<T> {
  const timing = config.timing ?? timingFromEnv(process.env)
  const state: SessionState = {
    timing,
    deadlineAt: Date.now() + timing.stepTimeoutMs,
    step: new AbortController(),
    attempts: new WeakMap(),
    attemptsOf: new WeakMap(),
    current: 'starting'
  }
  const octokit = createOctokit(config, state)
  const clean = (text: string, max = 300): string => {
    let t = text.replace(/\p{Cc}+/gu, ' ').replace(/\s+/g, ' ')
    if (config.token.length >= 8) t = t.split(config.token).join('***')
    t = t.trim().replace(/\.+$/, '')
    return t.length <= max ? t : `${t.slice(0, max - 1)}…`
  }
  const expiry = (): GitHubCallError =>
    new GitHubCallError(
      'timeout',
      `the GitHub calls did not finish within the step's ${seconds(timing.stepTimeoutMs)} bound (while ${state.current})`
    )

  function toCallError(error: unknown, what: string): GitHubCallError {
    if (error instanceof GitHubCallError) return error
    if (state.step.signal.aborted) return expiry()
    const attempts = typeof error === 'object' && error !== null ? (state.attemptsOf.get(error) ?? 1) : 1
    const after = attempts > 1 ? ` after ${attempts} attempts` : ''
    const e = record(error)
    if (e?.name === 'GraphqlResponseError' || e?.name === 'GraphQL Rate Limit Exceeded') {
      const errors = Array.isArray(e.errors) ? e.errors.map(record) : []
      const limited = errors.some(x => x?.type === 'RATE_LIMITED')
      const first = errors.find(x => typeof x?.message === 'string')?.message as string | undefined
      return new GitHubCallError(
        limited ? 'rate-limited' : 'invalid',
        `GitHub's GraphQL API answered an error on ${what}: ${clean(first ?? errorMessage(error))}`
      )
    }
    const answer = answerOf(error)
    if (answer === undefined) {
      if (typeof e?.status !== 'number') {
        return new GitHubCallError('invalid', `${clean(errorMessage(error))} on ${what}`)
      }
      if (e.cause instanceof CallTimeout) {
        return new GitHubCallError(
          'timeout',
          `GitHub did not answer within ${seconds(timing.callTimeoutMs)} on ${what}${after}`
        )
      }
      return new GitHubCallError(
        'unreachable',
        `GitHub could not be reached on ${what}${after} (${clean(errorMessage(error))})`
      )
    }
    const status = answer.status
    const statusLine = `${status} ${STATUS_CODES[status] ?? ''}`.trim()
    const said = clean(answerText(answer))
    const detail = said ? `: ${said}` : ''
    if (isRateLimited(answer)) {
      const refused = state.refused
      if (refused !== undefined) {
        return new GitHubCallError(
          'rate-limited',
          `GitHub's rate limit asked to wait ${refused.seconds} s on ${what}, more than the ` +
            `${seconds(Math.max(0, Math.round(refused.leftMs / 1000) * 1000))} left of the step's ` +
            `${seconds(timing.stepTimeoutMs)} bound (${statusLine}${detail})`,
          status
        )
      }
      return new GitHubCallError(
        'rate-limited',
        `GitHub's rate limit was still in force on ${what}${after} (${statusLine}${detail})`,
        status
      )
    }
    if (status === 401) {
      return new GitHubCallError(
        'auth',
        `GitHub refused the token (${statusLine}${detail}) on ${what}`,
        status
      )
    }
    if (status === 403 || status === 404) {
      return new GitHubCallError('permission', `GitHub answered ${statusLine} on ${what}${detail}`, status)
    }
    if (status >= 500) {
      return new GitHubCallError('server', `GitHub answered ${statusLine} on ${what}${after}`, status)
    }
    return new GitHubCallError('invalid', `GitHub answered ${statusLine} on ${what}${detail}`, status)
  }

  let viewer: Promise<string> | undefined
  const session: Session = {
    octokit,
    clean,
    async call(what, run) {
      state.current = what
      try {
        return await run(octokit)
      } catch (error) {
        throw toCallError(error, what)
      }
    },
    viewer() {
      viewer ??= session
        .call("reading the token's identity (GraphQL viewer)", o =>
          o.graphql<{ viewer?: { login?: unknown } }>('query { viewer { login } }')
        )
        .then(data => {
          const login = data.viewer?.login
          if (typeof login !== 'string' || !LOGIN.test(login)) {
            throw new GitHubCallError(
              'invalid',
              "GitHub answered no valid login on reading the token's identity (GraphQL viewer)"
            )
          }
          return login
        })
      return viewer
    }
  }

  const timer = setTimeout(() => {
    state.step.abort(new StepExpired())
  }, timing.stepTimeoutMs)
  try {
    const work = fn(session)
    // Past the step's bound the work is abandoned: its later rejection must not go unhandled.
    work.catch(() => undefined)
    const expired = new Promise<never>((_, reject) => {
      state.step.signal.addEventListener(
        'abort',
        () => {
          reject(expiry())
        },
        { once: true }
      )
    })
    return await Promise.race([work, expired])
  } finally {
    clearTimeout(timer)
  }
}
