// A fake clock for every module that takes `now()`/`sleep()` (the HTTP client, the rate limiter, the token
// source, the rebuild wait, the pipeline context): a sleep moves the clock on at once instead of waiting, so a
// test counts attempts and polls, never wall time, and passes the same on a busy machine as on an idle one.

export interface FakeClock {
  /** The fake time, epoch ms. */
  now: () => number
  /** Moves the clock on by `ms` (running what `at` scheduled on the way) and resolves without waiting. */
  sleep: (ms: number) => Promise<void>
  /** Every sleep asked for, in order. */
  slept: number[]
  /** Milliseconds the clock moved on since it started. */
  elapsed: () => number
  /** Runs `fn` once the clock reaches `start + ms` (a rebuild that finishes, a token that expires...). */
  at: (ms: number, fn: () => void) => void
}

/** A fake clock starting at `start` (default: a fixed date, so messages that show times are stable). */
export function fakeClock(start = Date.UTC(2026, 0, 1)): FakeClock {
  let t = start
  const slept: number[] = []
  const due: { at: number; fn: () => void }[] = []
  const runDue = (): void => {
    for (;;) {
      const next = due.filter(d => d.at <= t).sort((a, b) => a.at - b.at)[0]
      if (!next) return
      due.splice(due.indexOf(next), 1)
      next.fn()
    }
  }
  return {
    now: () => t,
    sleep: ms => {
      const step = Math.max(0, ms)
      slept.push(step)
      t += step
      runDue()
      return Promise.resolve()
    },
    slept,
    elapsed: () => t - start,
    at: (ms, fn) => {
      due.push({ at: start + ms, fn })
      runDue()
    }
  }
}
