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

/** Sleeps `ms`; an abort ends the sleep at once and clears its timer (a woken poller leaves no timer behind). */
export const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise(resolve => {
    if (signal?.aborted) {
      resolve()
      return
    }
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, Math.max(0, ms))
    signal?.addEventListener('abort', done, { once: true })
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
/**
 * The fewest requests an object needs to start and be seen done: its read, its PUT and one poll. A window
 * of the budget starts as many objects as it can carry that far, so their rebuilds run side by side; reads,
 * probes and further polls wait for the budget at the limiter, not for a slot.
 */
const REQUESTS_TO_START = 3
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
  return Math.min(MAX_OBJECT_SLOTS, Math.max(MIN_OBJECT_SLOTS, Math.floor(allowed / REQUESTS_TO_START)))
}

/** A poller is due from this share of a learned rebuild length (a rebuild of the run that ended after T). */
const DUE_FROM = 0.9
/** ...for this share of T (at least MIN_DUE_SPAN_MS): the span over which a due poller spends its share. */
const DUE_SPAN = 0.4
const MIN_DUE_SPAN_MS = 4_000
/** A due poller spends faster than evenly only when the spare budget pays this many polls of every poller. */
const DUE_POLLS = 3

/**
 * The rebuild polls of every object of a run share the rate budget (docs/rules.md#deploy-overlaps-the-waits),
 * and the pacer learns from the run's own rebuilds when to spend it.
 *
 * - Each poller's share of the spare budget (what is left of the window, less one request per poller for
 *   its probes) is `spare ÷ pollers`. A poller that is not due spends its share evenly over what is left of
 *   the window, so many pollers thin out instead of taking the budget the PUTs and probes need; never past
 *   the window's reset, which brings a whole budget.
 * - When a rebuild of this run ends active after T (from its poller's join, right after the PUT, to the
 *   answer that showed it ended), the others, started the same way, likely take about as long: a poller
 *   whose elapsed time is in [0.9 T, 0.9 T + max(4 s, 0.4 T)) is due. A due poller spends its share over
 *   that span instead of over the rest of the window, so it polls at its own pace (the 2 s cap) while the
 *   budget allows, and lands a poll at T itself. The due pace is recomputed at each poll from the spare
 *   left, so it slows as it spends: due pollers never send more than the spare budget allows, however many.
 * - Only when the spare pays three polls of every poller, once what the objects still to start need (their
 *   reads, PUT and probes; the runner tells how many: `expect`, `done`) is set aside. Otherwise the run is
 *   request-bound, a poll spent early is taken from the requests after it, and every poll stays even.
 * - A poller not yet due sleeps at most until it becomes due. A poller asleep when a new length is learned
 *   is woken: to poll at once if its elapsed time has passed T, else at T or at its due pace from its last
 *   poll, whichever is sooner. Wake-ups happen only when a length is learned that no earlier one covers (20
 *   rebuilds of ~30 s teach one length, a run of 5 s and 60 s rebuilds two), so each poller is woken at most
 *   once per learned length, never at every rebuild that ends.
 * - A rebuild that failed teaches nothing (a failure may come at any point of a build), nor does a wait
 *   for a rebuild an earlier run started (`learns: false`).
 *
 * Why: the 20 rebuilds of a deploy of 20 objects end within a second or so of each other. Spread evenly, the
 * ~220 spare requests of the minute let each poll every ~5.5 s and see its rebuild up to that late; learning
 * from the first rebuild seen ended, the others poll at once and see theirs within their own pace.
 */
export interface PollPacer {
  /**
   * Counts a poller in for one rebuild wait; `leave()` its handle when the wait ends (whatever the outcome).
   * `learns: false` for a wait that did not start with a PUT of this run (its length from the join says
   * nothing of a rebuild's length).
   */
  join(opts?: { learns?: boolean }): Poller
  /** The wait before a poll, for a poller not due, whose own pace says `baseMs`. */
  delay(baseMs: number): number
  /**
   * The runner starts this many objects (each may wait for one rebuild): until they have joined, what they
   * need of the budget (their reads, PUT and probes) is kept from the due pollers' faster spending.
   */
  expect(objects: number): void
  /** One object of those expected is done. */
  done(): void
  /** Objects waiting for their rebuild now. */
  pollers(): number
  snapshot(): PollPacerSnapshot
}

export interface PollPacerSnapshot {
  pollers: number
  /** The rebuild lengths learned (ms), shortest first. */
  learned: number[]
  /** Sleeping pollers woken (their sleep cut short) when a length was learned. */
  wakes: number
}

/** One poller's part in the pacer: one rebuild wait. */
export interface Poller {
  /** The wait before this poller's next poll, whose own pace says `baseMs`. */
  delay(baseMs: number): number
  /**
   * Sleeps the wait before the next poll (`delay(baseMs)`), never longer than `maxMs` (the rebuild's
   * deadline); cut short when a length learned meanwhile makes this poller due sooner.
   */
  wait(baseMs: number, maxMs: number): Promise<void>
  /** The rebuild ended active: the pacer learns its length (unless the poller joined with `learns: false`). */
  settled(): void
  /** The wait ended (active, failed, timed out or thrown): frees the poller's share. Idempotent. */
  leave(): void
}

export interface PollPacerOptions {
  /** Requests each waiting object keeps for after its rebuild (default 1: its probes come when the polls of the others have thinned). */
  reservePerPoller?: number
  /** The window when the server has not said when it resets (default 60 s). */
  windowMs?: number
  now?: () => number
  /** Sleeps `ms`; ends early (and should clear its timer) when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

interface Span {
  /** The rebuild length learned, ms. */
  length: number
  /** Due from this elapsed time (ms since the join)... */
  from: number
  /** ...until this one. */
  until: number
}

interface PollerState {
  joinedAt: number
  learns: boolean
  /** Set while the poller sleeps: when it began, its own pace, and how to cut it short. */
  asleep?: { since: number; baseMs: number; target: number; wakeAt: (at: number) => void }
}

export function createPollPacer(
  limiter: Pick<RateLimiter, 'snapshot'>,
  opts: PollPacerOptions = {}
): PollPacer {
  const reserve = opts.reservePerPoller ?? 1
  const windowMs = opts.windowMs ?? 60_000
  const now = opts.now ?? Date.now
  const sleep = opts.sleep ?? defaultSleep
  const pollers = new Set<PollerState>()
  const spans: Span[] = []
  /** Objects of the run not done yet (as the runner tells). */
  let pending = 0
  let wakes = 0

  /** The spare budget and the time it must last; undefined: a poll goes at its own pace. */
  const budget = (): { spare: number; msLeft: number; reset: number } | undefined => {
    const s = limiter.snapshot()
    if (s.allowed === undefined || pollers.size <= 1) return undefined
    const msLeft = s.resetAt !== undefined ? Math.max(0, s.resetAt - now()) : windowMs
    return { spare: s.allowed - s.count - pollers.size * reserve, msLeft, reset: msLeft + RESET_MARGIN_MS }
  }
  /** A not-due poller's share of the spare spent evenly over what is left of the window. */
  const notDue = (baseMs: number): number => {
    const b = budget()
    if (b === undefined) return baseMs
    // Nothing to spare: wait for the reset (never past it: the next window brings a whole budget).
    if (b.spare <= 0) return Math.max(baseMs, b.reset)
    return Math.max(baseMs, Math.min(b.reset, Math.ceil((pollers.size * b.msLeft) / b.spare)))
  }
  /**
   * The spare a due poller may spend faster than evenly: what the objects still to start do not need, and
   * only when it pays for DUE_POLLS polls of every poller. Undefined otherwise: the run is request-bound, and
   * polls stay even (a poll spent before a rebuild ends would be taken from the PUTs, probes and polls after).
   */
  const dueSpare = (): { spare: number; msLeft: number } | undefined => {
    const b = budget()
    if (b === undefined || spans.length === 0) return undefined
    const spare = b.spare - Math.max(0, pending - pollers.size) * REQUESTS_PER_OBJECT
    return spare >= DUE_POLLS * pollers.size ? { spare, msLeft: b.msLeft } : undefined
  }
  const dueSpan = (p: PollerState, at: number): Span | undefined => {
    const elapsed = at - p.joinedAt
    return spans.find(s => elapsed >= s.from && elapsed < s.until)
  }
  /** When the poller next becomes due (epoch ms), if a learned length says so. */
  const nextDue = (p: PollerState, at: number): number | undefined => {
    const elapsed = at - p.joinedAt
    const next = spans.find(s => s.from > elapsed)
    return next === undefined ? undefined : p.joinedAt + next.from
  }
  /** The wait of a due poller: its share spent over its due span (never past the window's reset). */
  const due = (baseMs: number, span: Span, d: { spare: number; msLeft: number }): number => {
    const over = Math.min(span.until - span.from, d.msLeft)
    return Math.max(baseMs, Math.min(d.msLeft + RESET_MARGIN_MS, Math.ceil((pollers.size * over) / d.spare)))
  }
  /** `wait`, or `toLength` when that is sooner and still ahead. */
  const landAt = (wait: number, toLength: number): number => (toLength > 0 ? Math.min(wait, toLength) : wait)
  const delayOf = (p: PollerState, baseMs: number): number => {
    const d = dueSpare()
    if (d === undefined) return notDue(baseMs)
    const at = now()
    const span = dueSpan(p, at)
    // Due: at its due pace, landing at the learned length when that comes sooner.
    if (span !== undefined) return landAt(due(baseMs, span, d), p.joinedAt + span.length - at)
    const next = nextDue(p, at)
    const wait = notDue(baseMs)
    return next === undefined ? wait : Math.min(wait, next - at)
  }
  const learn = (length: number): void => {
    if (length <= 0 || spans.some(s => length >= s.from && length < s.until)) return
    const from = DUE_FROM * length
    spans.push({ length, from, until: from + Math.max(MIN_DUE_SPAN_MS, DUE_SPAN * length) })
    spans.sort((a, b) => a.from - b.from)
    // Wake each sleeping poller that the new length makes due sooner than its sleep ends, once.
    const d = dueSpare()
    if (d === undefined) return
    const at = now()
    for (const p of pollers) {
      if (p.asleep === undefined) continue
      const span = dueSpan(p, at)
      // Due now: woken at its due pace from its last poll or at T, whichever is sooner (now if both are past).
      const wakeAt =
        span !== undefined
          ? Math.max(
              at,
              p.asleep.since +
                landAt(due(p.asleep.baseMs, span, d), p.joinedAt + span.length - p.asleep.since)
            )
          : nextDue(p, at)
      if (wakeAt !== undefined && wakeAt < p.asleep.target) {
        wakes++
        p.asleep.wakeAt(wakeAt)
      }
    }
  }

  return {
    join(joinOpts = {}) {
      const p: PollerState = { joinedAt: now(), learns: joinOpts.learns ?? true }
      pollers.add(p)
      return {
        delay: baseMs => delayOf(p, baseMs),
        async wait(baseMs, maxMs) {
          const since = now()
          const limit = since + Math.max(0, maxMs)
          let target = Math.min(limit, since + delayOf(p, baseMs))
          try {
            while (now() < target) {
              const abort = new AbortController()
              let woken!: () => void
              const wake = new Promise<void>(resolve => {
                woken = resolve
              })
              const asleep = {
                since,
                baseMs,
                target,
                wakeAt: (at: number): void => {
                  target = Math.min(target, at)
                  asleep.target = target
                  abort.abort()
                  woken()
                }
              }
              p.asleep = asleep
              await Promise.race([sleep(target - now(), abort.signal), wake])
            }
          } finally {
            p.asleep = undefined
          }
        },
        settled() {
          // From the join (right after the PUT) to the answer that showed the rebuild ended.
          if (p.learns && pollers.has(p)) learn(now() - p.joinedAt)
        },
        leave() {
          pollers.delete(p)
        }
      }
    },
    delay: notDue,
    expect(objects) {
      pending += Math.max(0, objects)
    },
    done() {
      pending = Math.max(0, pending - 1)
    },
    pollers: () => pollers.size,
    snapshot: () => ({ pollers: pollers.size, learned: spans.map(s => s.length), wakes })
  }
}
