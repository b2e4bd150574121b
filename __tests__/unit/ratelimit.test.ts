import { describe, expect, it } from 'vitest'
import { RateLimitWaitError, createRateLimiter } from '../../src/platform/ratelimit.js'

function fakeClock(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let t = 1_000_000
  const slept: number[] = []
  return {
    now: () => t,
    sleep: ms => {
      slept.push(ms)
      t += ms
      return Promise.resolve()
    },
    slept
  }
}

const headers = (allowed: number, count: number, reset: number): Record<string, string> => ({
  'inin-ratelimit-allowed': String(allowed),
  'inin-ratelimit-count': String(count),
  'inin-ratelimit-reset': String(reset)
})

describe('rate limiter', () => {
  it('sends without waiting while the budget has room', async () => {
    const clock = fakeClock()
    const limiter = createRateLimiter({ now: clock.now, sleep: clock.sleep })
    for (let i = 1; i <= 5; i++) {
      const release = await limiter.acquire()
      limiter.update(headers(10, i, 60))
      release()
    }
    expect(clock.slept).toEqual([])
  })

  it('waits until the window resets when the budget is used', async () => {
    const clock = fakeClock()
    const limiter = createRateLimiter({ now: clock.now, sleep: clock.sleep, reserve: 0, resetMarginMs: 100 })
    const release = await limiter.acquire()
    limiter.update(headers(3, 3, 20))
    release()
    const start = clock.now()
    ;(await limiter.acquire())()
    expect(clock.now() - start).toBeGreaterThanOrEqual(20_000)
    expect(limiter.snapshot().waits).toBe(1)
  })

  it('keeps a reserve of the budget unused', async () => {
    const clock = fakeClock()
    const limiter = createRateLimiter({ now: clock.now, sleep: clock.sleep, reserve: 1, resetMarginMs: 0 })
    const release = await limiter.acquire()
    limiter.update(headers(10, 9, 5))
    release()
    ;(await limiter.acquire())()
    expect(clock.slept).toEqual([5000])
  })

  it('counts calls sent since the last answer against the budget', async () => {
    const clock = fakeClock()
    const limiter = createRateLimiter({
      now: clock.now,
      sleep: clock.sleep,
      reserve: 0,
      resetMarginMs: 0,
      maxConcurrent: 10
    })
    const first = await limiter.acquire()
    limiter.update(headers(4, 1, 30))
    first()
    const held = [await limiter.acquire(), await limiter.acquire(), await limiter.acquire()]
    expect(clock.slept).toEqual([])
    const fourth = limiter.acquire()
    await fourth
    expect(clock.slept).toEqual([30_000])
    held.forEach(r => {
      r()
    })
  })

  it('caps the calls in flight', async () => {
    const limiter = createRateLimiter({ maxConcurrent: 2 })
    const a = await limiter.acquire()
    await limiter.acquire()
    let third = false
    const pending = limiter.acquire().then(r => {
      third = true
      return r
    })
    await Promise.resolve()
    expect(third).toBe(false)
    expect(limiter.snapshot().inFlight).toBe(2)
    a()
    ;(await pending)()
    expect(third).toBe(true)
  })

  it('refuses at once, naming the wait, when the window resets later than the caller can wait', async () => {
    const clock = fakeClock()
    const limiter = createRateLimiter({ now: clock.now, sleep: clock.sleep })
    const release = await limiter.acquire()
    limiter.update(headers(300, 300, 3600))
    release()
    const error = await limiter.acquire({ maxWaitMs: 118_000 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RateLimitWaitError)
    expect((error as RateLimitWaitError).waitMs).toBe(3_600_000)
    expect((error as RateLimitWaitError).leftMs).toBe(118_000)
    expect((error as Error).message).toBe(
      "the rate-limit window resets in 3600 s (inin-ratelimit-reset), more than the 118 s left of the call's deadline"
    )
    expect(clock.slept).toEqual([])
    expect(limiter.snapshot()).toMatchObject({ inFlight: 0, waits: 0 })
  })

  it('waits for a window that resets within what the caller can wait', async () => {
    const clock = fakeClock()
    const limiter = createRateLimiter({ now: clock.now, sleep: clock.sleep, resetMarginMs: 0 })
    const release = await limiter.acquire()
    limiter.update(headers(300, 300, 30))
    release()
    ;(await limiter.acquire({ maxWaitMs: 60_000 }))()
    expect(clock.slept).toEqual([30_000])
  })
})
