// The poll pacer on its own, on a virtual clock: how a poller's wait follows the spare budget, how a rebuild
// length learned makes the others due (a sleeping poller woken to its due time, once), and that due pollers
// still spend no more than the spare budget. Counts and virtual times, never wall time.
import { describe, expect, it } from 'vitest'
import { createPollPacer, type PollPacer } from '../../src/platform/ratelimit.js'
import { virtualClock, type VirtualClock } from '../helpers/clock.js'

const WINDOW_MS = 60_000

/** A limiter's snapshot over a fixed window from 0: `count` requests used, `allowed` in all. */
function budget(clock: VirtualClock, allowed: number, count: { n: number }) {
  return {
    snapshot: () => {
      const windowStart = Math.floor(clock.now() / WINDOW_MS) * WINDOW_MS
      return { allowed, count: count.n, resetAt: windowStart + WINDOW_MS, inFlight: 0, waits: 0 }
    }
  }
}

/** `n` pollers joined and idle (each counts for its share of the budget). */
function idle(pacer: PollPacer, n: number): void {
  for (let i = 0; i < n; i++) pacer.join()
}

describe('poll pacer', () => {
  it('wakes a poller asleep to poll at once when a rebuild of the same length as its own ends', async () => {
    const clock = virtualClock()
    const pacer = createPollPacer(budget(clock, 300, { n: 100 }), { now: clock.now, sleep: clock.sleep })
    idle(pacer, 18)
    const teacher = pacer.join()
    const sleeper = pacer.join()
    let wokeAt = -1
    await clock.run(
      Promise.all([
        (async () => {
          await clock.sleep(20_000)
          // 20 pollers share 180 spare requests over 40 s: a wait of ~4.4 s, to ~24.4 s.
          expect(sleeper.delay(2_000)).toBeGreaterThan(4_000)
          await sleeper.wait(2_000, 600_000)
          wokeAt = clock.now()
        })(),
        (async () => {
          await clock.sleep(21_000)
          teacher.settled()
          teacher.leave()
        })()
      ])
    )
    // 21 s learned: the sleeper, 21 s in too, has likely ended as well.
    expect(wokeAt).toBe(21_000)
    expect(pacer.snapshot()).toMatchObject({ learned: [21_000], wakes: 1 })
  })

  it('cuts a not-due poller’s sleep short to land at its due time (0.9 × the length learned)', async () => {
    const clock = virtualClock()
    const pacer = createPollPacer(budget(clock, 300, { n: 100 }), { now: clock.now, sleep: clock.sleep })
    idle(pacer, 18)
    const teacher = pacer.join()
    const ends: number[] = []
    await clock.run(
      (async () => {
        await clock.sleep(10_000)
        teacher.settled()
        teacher.leave()
        const late = pacer.join()
        while (clock.now() < 10_000 + 9_000) {
          await late.wait(2_000, 600_000)
          ends.push(clock.now() - 10_000)
        }
      })()
    )
    // Waits of ~6.4 s (19 pollers, 181 spare over 50 s), the second cut to land at 9 s.
    expect(ends).toHaveLength(2)
    expect(ends[1]).toBe(9_000)
  })

  it('never sleeps past the deadline it is given', async () => {
    const clock = virtualClock()
    const pacer = createPollPacer(budget(clock, 300, { n: 290 }), { now: clock.now, sleep: clock.sleep })
    idle(pacer, 5)
    const poller = pacer.join()
    await clock.run(poller.wait(2_000, 500))
    expect(clock.now()).toBe(500)
  })

  it('learns nothing from a poller that did not start with a PUT of this run, nor after it left', () => {
    const clock = virtualClock()
    const pacer = createPollPacer(budget(clock, 300, { n: 0 }), { now: clock.now, sleep: clock.sleep })
    const earlier = pacer.join({ learns: false })
    earlier.settled()
    const gone = pacer.join()
    gone.leave()
    gone.settled()
    expect(pacer.snapshot().learned).toEqual([])
  })

  it('counts a poller out when it leaves, once, whatever ended its wait', () => {
    const clock = virtualClock()
    const pacer = createPollPacer(budget(clock, 300, { n: 0 }), { now: clock.now })
    const a = pacer.join()
    pacer.join()
    a.leave()
    a.leave()
    expect(pacer.pollers()).toBe(1)
  })

  it.each([
    // allowed, pollers (at most a sixth of the budget: the run's object slots)
    [300, 20],
    [300, 50],
    [1_200, 200]
  ])('keeps %i-a-window polls of %i due pollers within the spare budget', async (allowed, n) => {
    const clock = virtualClock()
    const used = { n: 0 }
    const pacer = createPollPacer(budget(clock, allowed, used), { now: clock.now, sleep: clock.sleep })
    const teacher = pacer.join()
    const pollers = Array.from({ length: n }, () => pacer.join())
    let polls = 0
    let busiestSecond = 0
    const perSecond = new Map<number, number>()
    await clock.run(
      Promise.all([
        (async () => {
          // A 5 s rebuild ends: every poller, 5 s in too, is due.
          await clock.sleep(5_000)
          teacher.settled()
          teacher.leave()
        })(),
        ...pollers.map(async p => {
          for (;;) {
            const left = WINDOW_MS - 1 - clock.now()
            if (left <= 0) return
            await p.wait(250, left)
            if (clock.now() >= WINDOW_MS - 1) return
            polls++
            used.n++
            const s = Math.floor(clock.now() / 1_000)
            perSecond.set(s, (perSecond.get(s) ?? 0) + 1)
            busiestSecond = Math.max(busiestSecond, perSecond.get(s)!)
          }
        })
      ])
    )
    // Never more than the spare budget in the window (less one request per poller, kept for its probes).
    expect(polls).toBeLessThanOrEqual(allowed - n - 1)
    // Never all of it at once: in any second, at most the one wake-up of each when the length is learned
    // (the pacer spends faster only when the spare pays three polls of each) and the due pace, which spends
    // the spare over the due span (4 s for a 5 s rebuild), not in one go.
    expect(busiestSecond).toBeLessThanOrEqual(n + Math.ceil((allowed - n) / 4))
    expect(pacer.snapshot().wakes).toBeLessThanOrEqual(n)
  })
})
