// A client-side limiter shared by every call of a run. It learns the budget from the
// `inin-ratelimit-allowed/count/reset` headers (docs/rules.md#errors-retries-and-rate-limits), holds calls
// back until the window resets when the budget is (nearly) used, and caps how many calls are in flight. A
// wait for the window is bounded by the calling request's deadline: a reset further away fails the call at
// once (RateLimitWaitError).

export interface RateLimiterOptions {
  /** Calls in flight at once (default 4). */
  maxConcurrent?: number
  /** Requests of the budget left unused as a safety margin (default 1). */
  reserve?: number
  /** Extra wait after the announced reset, so the server's window has surely turned (default 250 ms). */
  resetMarginMs?: number
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

export interface RateLimitSnapshot {
  allowed?: number
  count: number
  resetAt?: number
  inFlight: number
  /** Times a call was held back for the window to reset. */
  waits: number
}

export interface AcquireOptions {
  /** The longest this call may wait for the rate-limit window to reset (what is left of its deadline). */
  maxWaitMs?: number
}

/** The window resets later than the calling request's deadline allows: the call is not sent. */
export class RateLimitWaitError extends Error {
  /** How long until the window resets (inin-ratelimit-reset), ms. */
  readonly waitMs: number
  /** What was left of the caller's deadline, ms. */
  readonly leftMs: number
  constructor(waitMs: number, leftMs: number) {
    super(
      `the rate-limit window resets in ${Math.ceil(waitMs / 1000)} s (inin-ratelimit-reset), more than the ` +
        `${Math.max(0, Math.floor(leftMs / 1000))} s left of the call's deadline`
    )
    this.name = 'RateLimitWaitError'
    this.waitMs = waitMs
    this.leftMs = leftMs
  }
}

export interface RateLimiter {
  /**
   * Resolves when a call may be sent; call the returned function once it has been answered (or failed).
   * Rejects with RateLimitWaitError, without waiting, when the window resets later than `maxWaitMs` allows.
   */
  acquire(opts?: AcquireOptions): Promise<() => void>
  /** Feeds the rate-limit headers of an answer (header names lower-case). */
  update(headers: Readonly<Record<string, string | string[] | undefined>>): void
  snapshot(): RateLimitSnapshot
}

export const defaultSleep = (ms: number): Promise<void> =>
  new Promise(resolve => {
    setTimeout(resolve, Math.max(0, ms))
  })

function headerNumber(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string
): number | undefined {
  const raw = headers[name]
  const value = Array.isArray(raw) ? raw[0] : raw
  if (value === undefined || value.trim() === '') return undefined
  const n = Number(value)
  return Number.isFinite(n) ? n : undefined
}

export function createRateLimiter(opts: RateLimiterOptions = {}): RateLimiter {
  const maxConcurrent = Math.max(1, opts.maxConcurrent ?? 4)
  const reserve = Math.max(0, opts.reserve ?? 1)
  const margin = opts.resetMarginMs ?? 250
  const now = opts.now ?? Date.now
  const sleep = opts.sleep ?? defaultSleep

  let allowed: number | undefined
  /** Requests counted against the current window: the server's count plus what we sent since. */
  let count = 0
  let resetAt: number | undefined
  let inFlight = 0
  let waits = 0
  const released: (() => void)[] = []

  const rollWindow = (): void => {
    if (resetAt !== undefined && now() >= resetAt) {
      count = 0
      resetAt = undefined
    }
  }
  const budgetLeft = (): boolean => allowed === undefined || count + reserve < allowed

  const release = (): void => {
    inFlight--
    released.shift()?.()
  }

  return {
    async acquire(acquireOpts: AcquireOptions = {}): Promise<() => void> {
      const limitAt = acquireOpts.maxWaitMs !== undefined ? now() + acquireOpts.maxWaitMs : undefined
      for (;;) {
        rollWindow()
        if (!budgetLeft() && resetAt !== undefined) {
          const wait = resetAt - now() + margin
          if (limitAt !== undefined && now() + wait > limitAt) {
            throw new RateLimitWaitError(resetAt - now(), limitAt - now())
          }
          waits++
          await sleep(wait)
          continue
        }
        if (!budgetLeft()) {
          // Budget used and no reset known: allow one call at a time so the server can tell us more.
          if (inFlight > 0) {
            await new Promise<void>(resolve => released.push(resolve))
            continue
          }
        }
        if (inFlight >= maxConcurrent) {
          await new Promise<void>(resolve => released.push(resolve))
          continue
        }
        inFlight++
        count++
        let done = false
        return () => {
          if (done) return
          done = true
          release()
        }
      }
    },
    update(headers): void {
      const a = headerNumber(headers, 'inin-ratelimit-allowed')
      const c = headerNumber(headers, 'inin-ratelimit-count')
      const r = headerNumber(headers, 'inin-ratelimit-reset')
      if (a !== undefined && a > 0) allowed = a
      if (c !== undefined) {
        // Calls still in flight were sent but may not be counted yet: count them too (erring safe).
        count = c + Math.max(0, inFlight - 1)
      }
      if (r !== undefined) resetAt = now() + r * 1000
    },
    snapshot(): RateLimitSnapshot {
      return { allowed, count, resetAt, inFlight, waits }
    }
  }
}

/** A poll held for the window's reset goes this long after it, so the server's window has surely turned. */
const RESET_MARGIN_MS = 250

/** The requests one object makes besides its rebuild polls (reads, PUT, probes): what its slot costs. */
export const REQUESTS_PER_OBJECT = 6
/** The fewest objects in flight, whatever the budget. */
const MIN_OBJECT_SLOTS = 4
/** The most objects in flight, whatever the budget. */
const MAX_OBJECT_SLOTS = 256

/**
 * How many objects run at once: as many as one window of the budget (`inin-ratelimit-allowed`) can start,
 * so the concurrency follows the org's rate limit instead of a fixed number; 4 while the budget is unknown.
 */
export function objectSlots(allowed: number | undefined): number {
  if (allowed === undefined) return MIN_OBJECT_SLOTS
  return Math.min(MAX_OBJECT_SLOTS, Math.max(MIN_OBJECT_SLOTS, Math.floor(allowed / REQUESTS_PER_OBJECT)))
}

/**
 * The rebuild polls of every object of a run share the rate budget: each poller's wait grows so that the polls
 * of all the objects waiting spend what is left of the window, less what each one still needs after its
 * rebuild (its probes), by the window's reset. Early in a window, or with few objects waiting, a poll goes at
 * its own pace; with many, they thin out instead of taking the budget the PUTs and probes need.
 */
export interface PollPacer {
  /** Counts a poller in for one rebuild wait; call the returned function when the wait ends. */
  join(): () => void
  /** The wait before a poll whose own pace says `baseMs`. */
  delay(baseMs: number): number
  /** Objects waiting for their rebuild now. */
  pollers(): number
}

export interface PollPacerOptions {
  /** Requests each waiting object keeps for after its rebuild (default 1: its probes come when the polls of the others have thinned). */
  reservePerPoller?: number
  /** The window when the server has not said when it resets (default 60 s). */
  windowMs?: number
  now?: () => number
}

export function createPollPacer(
  limiter: Pick<RateLimiter, 'snapshot'>,
  opts: PollPacerOptions = {}
): PollPacer {
  const reserve = opts.reservePerPoller ?? 1
  const windowMs = opts.windowMs ?? 60_000
  const now = opts.now ?? Date.now
  let pollers = 0
  return {
    join() {
      pollers++
      let left = false
      return () => {
        if (left) return
        left = true
        pollers--
      }
    },
    delay(baseMs) {
      const s = limiter.snapshot()
      if (s.allowed === undefined || pollers <= 1) return baseMs
      const msLeft = s.resetAt !== undefined ? Math.max(0, s.resetAt - now()) : windowMs
      const spare = s.allowed - s.count - pollers * reserve
      // Never past the reset: the next window brings a whole budget. Nothing to spare: wait for it.
      const reset = msLeft + RESET_MARGIN_MS
      if (spare <= 0) return Math.max(baseMs, reset)
      return Math.max(baseMs, Math.min(reset, Math.ceil((pollers * msLeft) / spare)))
    },
    pollers: () => pollers
  }
}
