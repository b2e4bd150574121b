import { describe, expect, it } from 'vitest'
import { PlatformError, WAREHOUSE_RETRY_STATUSES, createHttpClient } from '../../src/platform/http.js'
import { createRateLimiter } from '../../src/platform/ratelimit.js'
import { createRedactor } from '../../src/redact.js'
import { useServers } from '../helpers/servers.js'

/** One scripted answer: a status with body and headers, or 'reset' to destroy the socket. */
type Step = { status: number; body?: unknown; headers?: Record<string, string> } | 'reset'

interface Scripted {
  url: string
  hits: { method: string; path: string; authorization?: string }[]
  close(): Promise<void>
}

const servers = useServers()

/** A server on 127.0.0.1 answering with the steps in order (the last repeats). */
async function scripted(steps: Step[]): Promise<Scripted> {
  const hits: Scripted['hits'] = []
  const server = await servers.serve((req, res) => {
    req.resume()
    req.on('end', () => {
      hits.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization })
      const step = steps[Math.min(hits.length - 1, steps.length - 1)]!
      if (step === 'reset') {
        req.socket.destroy()
        return
      }
      res.writeHead(step.status, {
        'content-type': 'application/json',
        'inin-correlation-id': `corr-${hits.length}`,
        ...step.headers
      })
      res.end(step.body === undefined ? '{}' : JSON.stringify(step.body))
    })
  })
  return { url: server.url, hits, close: server.close }
}

const errorBody = (status: number, code: string, message: string): Record<string, unknown> => ({
  message,
  code,
  status,
  contextId: 'ctx'
})

function fakeTime(): { sleep: (ms: number) => Promise<void>; now: () => number; slept: number[] } {
  let t = 0
  const slept: number[] = []
  return {
    sleep: ms => {
      slept.push(ms)
      t += ms
      return Promise.resolve()
    },
    now: () => t,
    slept
  }
}

const PATH = '/api/v2/data-gateway/customobjects/schemas/0b4f'

describe('http client', () => {
  it('retries a 503 and returns the answer that follows', async () => {
    const s = await scripted([
      { status: 503, body: errorBody(503, 'service.unavailable', 'busy') },
      { status: 200, body: { ok: 1 } }
    ])
    const time = fakeTime()
    const client = createHttpClient({ sleep: time.sleep, now: time.now })
    const res = await client.request({ method: 'GET', url: `${s.url}${PATH}` })
    expect(JSON.parse(res.text)).toEqual({ ok: 1 })
    expect(s.hits).toHaveLength(2)
    expect(client.stats()).toEqual({ requests: 2, retries: 1, throttled: 0 })
  })

  it('waits at least Retry-After seconds after a 429', async () => {
    const s = await scripted([
      {
        status: 429,
        body: errorBody(429, 'too.many.requests', 'slow down'),
        headers: { 'retry-after': '3' }
      },
      { status: 200 }
    ])
    const time = fakeTime()
    const client = createHttpClient({ sleep: time.sleep, now: time.now, random: () => 0 })
    await client.request({ method: 'GET', url: `${s.url}${PATH}` })
    expect(time.slept).toHaveLength(1)
    expect(time.slept[0]).toBeGreaterThanOrEqual(3000)
    expect(client.stats().throttled).toBe(1)
  })

  it('backs off exponentially with full jitter, capped at 8 s', async () => {
    const s = await scripted([
      { status: 502 },
      { status: 502 },
      { status: 502 },
      { status: 502 },
      { status: 502 },
      { status: 502 },
      { status: 200 }
    ])
    const time = fakeTime()
    const client = createHttpClient({ sleep: time.sleep, now: time.now, random: () => 1 })
    await client.request({ method: 'GET', url: `${s.url}${PATH}` })
    expect(time.slept).toEqual([250, 500, 1000, 2000, 4000, 8000])
  })

  it('never retries a 500 from the platform', async () => {
    const s = await scripted([
      { status: 500, body: errorBody(500, 'internal.server.error', 'boom') },
      { status: 200 }
    ])
    const client = createHttpClient({ sleep: fakeTime().sleep })
    await expect(client.request({ method: 'GET', url: `${s.url}${PATH}` })).rejects.toThrow(
      /500 internal\.server\.error/
    )
    expect(s.hits).toHaveLength(1)
  })

  it('never retries a 400 and names method, path, status, code, message and correlation id', async () => {
    const s = await scripted([
      {
        status: 400,
        body: {
          ...errorBody(400, 'bad.request', 'unknown field nope'),
          details: [{ errorCode: 'unknown.field', fieldName: 'indexes[2].fields[0]' }]
        },
        headers: { 'inin-correlation-id': 'abc-123' }
      }
    ])
    const client = createHttpClient()
    const error = await client
      .request({ method: 'PUT', url: `${s.url}${PATH}`, body: '{}' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PlatformError)
    expect((error as PlatformError).message).toBe(
      `PUT ${PATH} failed: 400 bad.request: unknown field nope [indexes[2].fields[0] unknown.field] (correlation id abc-123)`
    )
    expect(s.hits).toHaveLength(1)
  })

  it('names the missing scope on a 403', async () => {
    const s = await scripted([
      {
        status: 403,
        body: errorBody(403, 'missing.permissions', 'Missing permission: customobjects:customobject:write')
      }
    ])
    const client = createHttpClient()
    await expect(client.request({ method: 'PUT', url: `${s.url}${PATH}`, body: '{}' })).rejects.toThrow(
      /403 missing\.permissions.*Grant the OAuth client the scope 'customobjects:customobject:write'/
    )
  })

  it('retries a connection reset', async () => {
    const s = await scripted(['reset', { status: 200, body: { ok: true } }])
    const client = createHttpClient({ sleep: fakeTime().sleep })
    const res = await client.request({ method: 'GET', url: `${s.url}${PATH}` })
    expect(res.status).toBe(200)
    expect(client.stats().retries).toBe(1)
  })

  it('does not retry a dropped connection when asked not to', async () => {
    const s = await scripted(['reset', { status: 200 }])
    const client = createHttpClient({ sleep: fakeTime().sleep })
    const error = await client
      .request({ method: 'PUT', url: `${s.url}${PATH}`, body: '{}', retryConnectionErrors: false })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PlatformError)
    expect((error as PlatformError).status).toBeUndefined()
    expect(s.hits).toHaveLength(1)
  })

  it('retries a refused connection and gives up at the deadline', async () => {
    const s = await scripted([{ status: 200 }])
    await s.close()
    const time = fakeTime()
    const client = createHttpClient({ sleep: time.sleep, now: time.now, random: () => 1, deadlineMs: 5000 })
    await expect(client.request({ method: 'GET', url: `${s.url}${PATH}` })).rejects.toThrow(
      /GET .* failed: no answer \(ECONNREFUSED\).*deadline/
    )
    expect(time.slept).toEqual([250, 500, 1000, 2000])
  })

  it('fails at once, naming the wait, when Retry-After goes past the deadline', async () => {
    const s = await scripted([
      {
        status: 429,
        body: errorBody(429, 'too.many.requests', 'x'),
        headers: { 'retry-after': '3600' }
      }
    ])
    const time = fakeTime()
    const client = createHttpClient({ sleep: time.sleep, now: time.now })
    const error = await client.request({ method: 'GET', url: `${s.url}${PATH}` }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PlatformError)
    expect((error as Error).message).toMatch(
      /^GET \S+ failed: 429 too\.many\.requests: x \(correlation id corr-1\); the server asked to wait 3600 s \(Retry-After\), more than the 120 s left of this call's 120 s deadline$/
    )
    expect(time.slept).toEqual([])
    expect(s.hits).toHaveLength(1)
  })

  it('names what is left of the deadline after earlier waits', async () => {
    const s = await scripted([
      { status: 503, headers: { 'retry-after': '2' } },
      { status: 503, headers: { 'retry-after': '3600' } }
    ])
    const time = fakeTime()
    const client = createHttpClient({ sleep: time.sleep, now: time.now })
    await expect(client.request({ method: 'GET', url: `${s.url}${PATH}` })).rejects.toThrow(
      /after 2 attempts .*the server asked to wait 3600 s \(Retry-After\), more than the 117 s left of this call's 120 s deadline$/
    )
    expect(s.hits).toHaveLength(2)
  })

  it('gives several calls one absolute deadline with deadlineAt', async () => {
    const s = await scripted([{ status: 503, headers: { 'retry-after': '30' } }])
    const time = fakeTime()
    const client = createHttpClient({ sleep: time.sleep, now: time.now, deadlineMs: 600_000 })
    const deadlineAt = time.now() + 50_000
    // The first call waits 30 s once, then cannot wait another 30 s inside the 50 s it shares.
    await expect(client.request({ method: 'PUT', url: `${s.url}${PATH}`, deadlineAt })).rejects.toThrow(
      /the server asked to wait 30 s \(Retry-After\), more than the 19 s left of this call's deadline$/
    )
    // The second call has what is left (under 20 s): it is sent once and fails at once.
    await expect(client.request({ method: 'GET', url: `${s.url}${PATH}`, deadlineAt })).rejects.toThrow(
      /more than the 19 s left of this call's deadline$/
    )
    expect(s.hits).toHaveLength(3)
    expect(time.slept).toHaveLength(1)
  })

  it('does not send a call whose shared deadline has passed', async () => {
    const s = await scripted([{ status: 200 }])
    const time = fakeTime()
    const client = createHttpClient({ sleep: time.sleep, now: time.now })
    await expect(
      client.request({ method: 'GET', url: `${s.url}${PATH}`, deadlineAt: time.now() - 1 })
    ).rejects.toThrow(/^GET \S+ not sent: this call's deadline has passed\.$/)
    expect(s.hits).toHaveLength(0)
  })

  it('fails at once, naming the wait, when the rate-limit window resets after the deadline', async () => {
    const s = await scripted([
      {
        status: 200,
        headers: {
          'inin-ratelimit-allowed': '300',
          'inin-ratelimit-count': '300',
          'inin-ratelimit-reset': '3600'
        }
      }
    ])
    const time = fakeTime()
    const limiter = createRateLimiter({ now: time.now, sleep: time.sleep })
    const client = createHttpClient({ sleep: time.sleep, now: time.now, limiter })
    await client.request({ method: 'GET', url: `${s.url}${PATH}` })
    await expect(client.request({ method: 'GET', url: `${s.url}${PATH}` })).rejects.toThrow(
      /^GET \S+ not sent: the rate-limit window resets in 3600 s \(inin-ratelimit-reset\), more than the 120 s left of this call's 120 s deadline\./
    )
    expect(time.slept).toEqual([])
    expect(s.hits).toHaveLength(1)
    expect(limiter.snapshot().inFlight).toBe(0)
  })

  it('waits for a rate-limit window that resets inside the deadline', async () => {
    const s = await scripted([
      {
        status: 200,
        headers: { 'inin-ratelimit-allowed': '10', 'inin-ratelimit-count': '10', 'inin-ratelimit-reset': '5' }
      },
      { status: 200 }
    ])
    const time = fakeTime()
    const limiter = createRateLimiter({ now: time.now, sleep: time.sleep, resetMarginMs: 0 })
    const client = createHttpClient({ sleep: time.sleep, now: time.now, limiter })
    await client.request({ method: 'GET', url: `${s.url}${PATH}` })
    await client.request({ method: 'GET', url: `${s.url}${PATH}` })
    expect(time.slept).toEqual([5000])
    expect(s.hits).toHaveLength(2)
  })

  it('retries a 500 when the retry set includes it (the warehouse)', async () => {
    const s = await scripted([{ status: 500 }, { status: 201 }])
    const client = createHttpClient({ sleep: fakeTime().sleep, retryStatuses: WAREHOUSE_RETRY_STATUSES })
    expect((await client.request({ method: 'POST', url: s.url, body: '{}' })).status).toBe(201)
  })

  it('retries an answer the caller marks as retryable', async () => {
    const s = await scripted([{ status: 400, body: { error: 'invalid_request' } }, { status: 200 }])
    const client = createHttpClient({ sleep: fakeTime().sleep })
    const res = await client.request({ method: 'POST', url: s.url, retryIf: r => r.status === 400 })
    expect(res.status).toBe(200)
  })

  it('never puts the Authorization header value in an error message', async () => {
    const s = await scripted([
      { status: 401, body: errorBody(401, 'authentication.required', 'token expired') }
    ])
    const client = createHttpClient()
    const error = await client
      .request({
        method: 'GET',
        url: `${s.url}${PATH}?q=1`,
        headers: { authorization: 'Bearer sekrit-token' }
      })
      .catch((e: unknown) => e as Error)
    expect(s.hits[0]?.authorization).toBe('Bearer sekrit-token')
    expect((error as Error).message).not.toContain('sekrit')
    expect((error as Error).message).not.toContain('q=1')
  })

  it.each([301, 302, 303, 307, 308])(
    'follows no %i redirect and names its Location without user-info',
    async status => {
      const trap = await scripted([{ status: 200 }])
      const s = await scripted([
        { status, headers: { location: `http://someone:pw-in-url@127.0.0.1:${new URL(trap.url).port}/x` } }
      ])
      const client = createHttpClient({ sleep: fakeTime().sleep })
      const error = await client
        .request({ method: 'GET', url: `${s.url}${PATH}`, headers: { authorization: 'Bearer tok-123456' } })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(PlatformError)
      const e = error as PlatformError
      expect(e.status).toBe(status)
      expect(e.location).toBe(`http://127.0.0.1:${new URL(trap.url).port}/x`)
      expect(e.message).toContain(
        `failed: ${status} redirect to http://127.0.0.1:${new URL(trap.url).port}/x`
      )
      expect(e.message).toMatch(/redirects are not followed/)
      expect(e.message).not.toContain('pw-in-url')
      expect(trap.hits).toHaveLength(0)
      expect(s.hits).toHaveLength(1)
    }
  )

  it('resolves a relative Location and caps a long one', async () => {
    const s = await scripted([{ status: 302, headers: { location: `/elsewhere/${'a'.repeat(500)}` } }])
    const error = (await createHttpClient()
      .request({ method: 'POST', url: `${s.url}${PATH}`, body: '{}' })
      .catch((e: unknown) => e)) as PlatformError
    expect(error.location).toMatch(new RegExp(`^${s.url}/elsewhere/a+…$`))
    expect(error.location!.length).toBe(201)
  })

  it('names a redirect without a Location', async () => {
    const s = await scripted([{ status: 307 }])
    await expect(createHttpClient().request({ method: 'GET', url: `${s.url}${PATH}` })).rejects.toThrow(
      /failed: 307 redirect without a Location/
    )
  })

  it('redacts every registered secret from each field of the error', async () => {
    const secrets = ['client-secret-value', 'bearer/token+value=', 'wh secret&value']
    const echo = secrets.join(' | ') + ` ${encodeURIComponent(secrets[2]!)} ${JSON.stringify(secrets[1])}`
    const s = await scripted([
      {
        status: 400,
        body: {
          message: echo,
          code: `code ${secrets[0]}`,
          status: 400,
          contextId: 'ctx',
          details: [{ errorCode: 'x', fieldName: secrets[1] }],
          [secrets[0]!]: [echo]
        },
        headers: { 'inin-correlation-id': `corr ${secrets[0]}`, location: `http://h/${secrets[1]}` }
      }
    ])
    const redactor = createRedactor(secrets)
    const client = createHttpClient({ redact: redactor.redact })
    const error = (await client
      .request({ method: 'GET', url: `${s.url}${PATH}` })
      .catch((e: unknown) => e)) as PlatformError
    const everything = JSON.stringify({ fields: Object.entries(error), message: error.message })
    expect(everything).toContain('***')
    for (const secret of secrets) {
      expect(everything).not.toContain(secret)
      expect(everything).not.toContain(encodeURIComponent(secret))
    }
  })

  it('caps a long server message in the error message', async () => {
    const s = await scripted([{ status: 400, body: errorBody(400, 'bad.request', 'y'.repeat(50_000)) }])
    const error = (await createHttpClient()
      .request({ method: 'GET', url: `${s.url}${PATH}` })
      .catch((e: unknown) => e)) as Error
    expect(error.message.length).toBeLessThan(1200)
  })
})
