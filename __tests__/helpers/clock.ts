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

export interface VirtualClock {
  /** The virtual time, ms from 0. */
  now: () => number
  /** A timer that resolves when `run` moves the time to it; an abort drops it and resolves at once. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Runs `work` to its end, moving the time to the next timer whenever nothing else can happen. */
  run: <T>(work: Promise<T>) => Promise<T>
}

/**
 * A virtual clock for work that runs concurrently (many objects, each sleeping between polls): unlike
 * `fakeClock`, a sleep does not move the time at once; `run` moves it to the earliest timer once every
 * promise that can settle has, so concurrent sleepers wake in time order and a test reads the deterministic
 * virtual time, never wall time.
 */
export function virtualClock(): VirtualClock {
  let t = 0
  const timers: { at: number; resolve: () => void }[] = []
  const settle = (): Promise<void> => new Promise(resolve => setImmediate(resolve))
  return {
    now: () => t,
    sleep: (ms, signal) =>
      new Promise<void>(resolve => {
        if (signal?.aborted) {
          resolve()
          return
        }
        const timer = { at: t + Math.max(0, ms), resolve }
        timers.push(timer)
        signal?.addEventListener(
          'abort',
          () => {
            const i = timers.indexOf(timer)
            if (i >= 0) timers.splice(i, 1)
            resolve()
          },
          { once: true }
        )
      }),
    async run<T>(work: Promise<T>): Promise<T> {
      let done = false
      void work.finally(() => {
        done = true
      })
      for (;;) {
        await settle()
        if (done) return work
        timers.sort((a, b) => a.at - b.at)
        const next = timers.shift()
        if (next === undefined) throw new Error('nothing left to wait for, but the work is not done')
        t = Math.max(t, next.at)
        next.resolve()
      }
    }
  }
}
