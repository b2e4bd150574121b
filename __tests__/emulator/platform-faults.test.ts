import { describe, expect, it } from 'vitest'
import { SAMPLE_IDS } from '../../src/emulator/index.js'
import { createRateLimiter } from '../../src/platform/ratelimit.js'
import { fakeClock } from '../helpers/clock.js'
import { connect } from '../helpers/platform.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers()

const small = { ticketCount: 2000, accountCount: 200, rebuildRecordsPerSecond: 1_000_000 }
const SCHEMA = `/api/v2/data-gateway/customobjects/schemas/${SAMPLE_IDS.ticket}`

describe('platform calls over faults', () => {
  it('honours Retry-After on a 429: the retry comes no earlier', async () => {
    const emu = await servers.emulator(small)
    emu.addFault({ method: 'GET', path: SCHEMA, kind: 'status', status: 429, retryAfter: 1 })
    const clock = fakeClock()
    const c = connect(emu.url, { http: { now: clock.now, sleep: clock.sleep } })
    await c.gateway.getSchema(SAMPLE_IDS.ticket)
    const gets = emu.requests().filter(r => r.path === SCHEMA)
    expect(gets.map(r => r.status)).toEqual([429, 200])
    // The one wait before the retry: the second Retry-After asked for, and a few ms more.
    expect(clock.slept).toEqual([1020])
    expect(c.http.stats().throttled).toBe(1)
  })

  it('rides out a burst of 503s', async () => {
    const emu = await servers.emulator(small)
    emu.addFault({ method: 'GET', path: SCHEMA, kind: 'status', status: 503, count: 3 })
    const c = connect(emu.url, { http: { backoffBaseMs: 5 } })
    const doc = await c.gateway.getSchema(SAMPLE_IDS.ticket)
    expect(doc.id).toBe(SAMPLE_IDS.ticket)
    expect(
      emu
        .requests()
        .filter(r => r.path === SCHEMA)
        .map(r => r.status)
    ).toEqual([503, 503, 503, 200])
    expect(c.http.stats().retries).toBe(3)
  })

  it('retries a connection reset before the answer', async () => {
    const emu = await servers.emulator(small)
    emu.addFault({ method: 'GET', path: SCHEMA, kind: 'reset' })
    const c = connect(emu.url, { http: { backoffBaseMs: 5 } })
    await c.gateway.getSchema(SAMPLE_IDS.ticket)
    expect(
      emu
        .requests()
        .filter(r => r.path === SCHEMA)
        .map(r => r.status)
    ).toEqual([0, 200])
  })

  it('does not retry a 500 from the platform and names the correlation id', async () => {
    const emu = await servers.emulator(small)
    emu.addFault({ method: 'GET', path: SCHEMA, kind: 'status', status: 500 })
    const c = connect(emu.url)
    const error = await c.gateway.getSchema(SAMPLE_IDS.ticket).catch((e: unknown) => e as Error)
    const served = emu.requests().filter(r => r.path === SCHEMA)
    expect(served).toHaveLength(1)
    expect(error.message).toContain(`GET ${SCHEMA} failed: 500 internal.server.error`)
    expect(error.message).toContain(`(correlation id ${served[0]!.correlationId})`)
  })

  it('holds calls back at a small rate limit instead of drawing 429s', async () => {
    const emu = await servers.emulator({ ...small, rateLimitPerMinute: 12 })
    const waits: number[] = []
    const limiter = createRateLimiter({
      maxConcurrent: 4,
      // The window lasts a minute: record the wait the limiter asks for and keep the held calls parked.
      sleep: ms => {
        waits.push(ms)
        return new Promise<void>(() => undefined)
      }
    })
    const c = connect(emu.url, { http: { limiter } })
    const settled: number[] = []
    for (let i = 0; i < 20; i++) void c.gateway.getLimits().then(() => settled.push(i))
    // Settled: 11 calls answered and the rest held back by the limiter, which asked for a wait.
    await expect.poll(() => [settled.length, waits.length > 0], { timeout: 10_000 }).toEqual([11, true])
    const served = emu.requests().filter(r => r.path.startsWith('/api/'))
    expect(served.filter(r => r.status === 429)).toHaveLength(0)
    // 12 per minute with one kept in reserve: 11 served, the other 9 wait for the window to reset.
    expect(served).toHaveLength(11)
    expect(settled).toHaveLength(11)
    expect(waits[0]).toBeGreaterThan(50_000)
  })
})
