// A warehouse stand-in for the audit record: stores each delivery with its headers, verifies the HMAC
// signature when it has a secret, dedupes by Idempotency-Key, and can fail or be down on demand.
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
  failNext(count: number, status: number): void
  /** While down, every connection is reset before an answer. */
  setDown(v: boolean): void
}

export interface WarehouseOptions {
  port?: number
  secret?: string
  failNext?: { count: number; status: number }
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
  let failing = opts.failNext ? { ...opts.failNext } : { count: 0, status: 500 }

  const reply = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
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
      if (failing.count > 0) {
        failing.count--
        reply(res, failing.status, { error: `injected failure ${failing.status}` })
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

  function admin(method: string, path: string, raw: string, res: http.ServerResponse): void {
    if (path === '/__warehouse/fail' && method === 'POST') {
      let b: unknown
      try {
        b = JSON.parse(raw || '{}') as unknown
      } catch {
        b = undefined
      }
      const o = (typeof b === 'object' && b !== null ? b : {}) as { count?: unknown; status?: unknown }
      if (typeof o.count !== 'number' || typeof o.status !== 'number') {
        reply(res, 400, { error: 'body must be {"count": n, "status": code}' })
        return
      }
      failing = { count: o.count, status: o.status }
      reply(res, 200, failing)
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
    failNext: (count, status) => {
      failing = { count, status }
    },
    setDown: v => {
      down = v
    }
  }
}
