// A warehouse stand-in for the audit record: stores each delivery with its headers, verifies the HMAC
// signature when it has a secret, dedupes by Idempotency-Key, and can fail (echoing its secret if asked),
// redirect or be down on demand.
import { createHmac, timingSafeEqual } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Delivery {
  /** Request headers, lower-case names. */
  headers: Record<string, string>
  body: unknown
  raw: string
  /** null when the warehouse has no secret. */
  signatureValid: boolean | null
  /** A repeat of an Idempotency-Key already stored. */
  duplicate: boolean
}

export interface Warehouse {
  url: string
  close(): Promise<void>
  /** Deliveries answered 2xx (duplicates marked) and those refused for a bad signature. */
  deliveries(): Delivery[]
  /** Every delivery attempt, including failed, refused and reset ones. */
  attempts(): number
  /**
   * Fails the next `count` deliveries with `status`; `echoSecret`: the error body repeats the shared secret;
   * `retryAfter`: seconds sent as Retry-After (an hour: "down for maintenance", which a client gives up on at
   * once instead of retrying until its deadline).
   */
  failNext(count: number, status: number, opts?: { echoSecret?: boolean; retryAfter?: number }): void
  /** Answers the next `count` deliveries with a redirect (default 302) to `location`, storing nothing. */
  redirectNext(count: number, location: string, status?: number): void
  /** While down, every connection is reset before an answer. */
  setDown(v: boolean): void
}

export interface WarehouseFailure {
  count: number
  status: number
  /** The error body repeats the shared secret and the request's X-Signature-256. */
  echoSecret?: boolean
  /** Seconds, sent as Retry-After. */
  retryAfter?: number
}

export interface WarehouseRedirect {
  count: number
  location: string
  /** Default 302. */
  status?: number
}

export interface WarehouseOptions {
  port?: number
  secret?: string
  failNext?: WarehouseFailure
  redirectNext?: WarehouseRedirect
}

/** Whether `header` is `sha256=<hex HMAC-SHA256(secret, raw)>`, compared in constant time. */
export function verifySignature(secret: string, raw: string, header: string | undefined): boolean {
  if (header === undefined || !header.startsWith('sha256=')) return false
  const expected = Buffer.from(createHmac('sha256', secret).update(raw).digest('hex'), 'utf8')
  const given = Buffer.from(header.slice('sha256='.length), 'utf8')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

export async function startWarehouse(opts: WarehouseOptions = {}): Promise<Warehouse> {
  const delivered: Delivery[] = []
  const keys = new Set<string>()
  let attempts = 0
  let down = false
  let failing: WarehouseFailure = opts.failNext ? { ...opts.failNext } : { count: 0, status: 500 }
  let redirecting: WarehouseRedirect = opts.redirectNext
    ? { ...opts.redirectNext }
    : { count: 0, location: '/' }

  const reply = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {}
  ): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    res.end(JSON.stringify(body))
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
      const method = (req.method ?? 'GET').toUpperCase()
      if (path.startsWith('/__warehouse/')) {
        admin(method, path, raw, res)
        return
      }
      attempts++
      if (down) {
        req.socket.destroy()
        return
      }
      if (method !== 'POST') {
        reply(res, 405, { error: 'method not allowed; POST the audit record' })
        return
      }
      if (redirecting.count > 0) {
        redirecting.count--
        const status = redirecting.status ?? 302
        reply(res, status, { error: `moved to ${redirecting.location}` }, { location: redirecting.location })
        return
      }
      if (failing.count > 0) {
        failing.count--
        const signature = req.headers['x-signature-256']
        const echo = failing.echoSecret
          ? `; shared secret ${opts.secret ?? '(none)'}, signature ${String(signature ?? '(none)')}`
          : ''
        reply(
          res,
          failing.status,
          {
            error: `injected failure ${failing.status}${echo}`,
            ...(failing.echoSecret
              ? { message: `the secret is ${opts.secret ?? '(none)'}`, secret: opts.secret }
              : {})
          },
          failing.retryAfter !== undefined ? { 'retry-after': String(failing.retryAfter) } : {}
        )
        return
      }
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers))
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v
      let body: unknown
      try {
        body = JSON.parse(raw) as unknown
      } catch {
        reply(res, 400, { error: 'the body must be JSON' })
        return
      }
      const signatureValid =
        opts.secret !== undefined ? verifySignature(opts.secret, raw, headers['x-signature-256']) : null
      if (signatureValid === false) {
        delivered.push({ headers, body, raw, signatureValid, duplicate: false })
        reply(res, 401, {
          error: 'invalid signature: X-Signature-256 must be sha256=<hex HMAC-SHA256 of the raw body>'
        })
        return
      }
      const key = headers['idempotency-key']
      const duplicate = key !== undefined && keys.has(key)
      if (key !== undefined) keys.add(key)
      delivered.push({ headers, body, raw, signatureValid, duplicate })
      reply(res, duplicate ? 200 : 201, { accepted: true, duplicate })
    })
  })

  /** A control route's JSON body as an object (anything else: an empty one, which the checks refuse). */
  function jsonObject(raw: string): Record<string, unknown> {
    try {
      const b = JSON.parse(raw || '{}') as unknown
      return typeof b === 'object' && b !== null ? (b as Record<string, unknown>) : {}
    } catch {
      return {}
    }
  }

  function admin(method: string, path: string, raw: string, res: http.ServerResponse): void {
    if (path === '/__warehouse/fail' && method === 'POST') {
      const o = jsonObject(raw)
      if (
        typeof o.count !== 'number' ||
        typeof o.status !== 'number' ||
        (o.echoSecret !== undefined && typeof o.echoSecret !== 'boolean')
      ) {
        reply(res, 400, { error: 'body must be {"count": n, "status": code, "echoSecret"?: bool}' })
        return
      }
      failing = { count: o.count, status: o.status, echoSecret: o.echoSecret === true }
      reply(res, 200, failing)
      return
    }
    if (path === '/__warehouse/redirect' && method === 'POST') {
      const o = jsonObject(raw)
      if (
        typeof o.count !== 'number' ||
        typeof o.location !== 'string' ||
        /[\r\n]/.test(o.location) ||
        (o.status !== undefined && ![301, 302, 303, 307, 308].includes(o.status as number))
      ) {
        reply(res, 400, {
          error: 'body must be {"count": n, "location": url, "status"?: 301|302|303|307|308}'
        })
        return
      }
      redirecting = { count: o.count, location: o.location, status: (o.status as number | undefined) ?? 302 }
      reply(res, 200, redirecting)
      return
    }
    if (path === '/__warehouse/down' && method === 'POST') {
      down = true
      reply(res, 200, { down })
      return
    }
    if (path === '/__warehouse/up' && method === 'POST') {
      down = false
      reply(res, 200, { down })
      return
    }
    if (path === '/__warehouse/deliveries' && method === 'GET') {
      reply(res, 200, { deliveries: delivered, attempts })
      return
    }
    reply(res, 404, { error: `no warehouse control route ${method} ${path}` })
  }

  await new Promise<void>(resolve => server.listen(opts.port ?? 0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      }),
    deliveries: () => delivered.map(d => ({ ...d, headers: { ...d.headers } })),
    attempts: () => attempts,
    failNext: (count, status, failOpts) => {
      failing = {
        count,
        status,
        echoSecret: failOpts?.echoSecret === true,
        ...(failOpts?.retryAfter !== undefined ? { retryAfter: failOpts.retryAfter } : {})
      }
    },
    redirectNext: (count, location, status = 302) => {
      redirecting = { count, location, status }
    },
    setDown: v => {
      down = v
    }
  }
}
