// Delivering an audit record to the warehouse (docs/rules.md#delivering-to-the-warehouse) over the same HTTP
// module as every other call: 429, 5xx and connection failures are retried; any other answer is final; a
// redirect is not followed (the signed record never goes to another address). Never names the secret, even
// when the warehouse echoes it.
import type { HttpClientOptions, PlatformHttpClient } from '../platform/http.js'
import { PlatformError, WAREHOUSE_RETRY_STATUSES, createHttpClient } from '../platform/http.js'
import { createRedactor } from '../redact.js'
import type { AuditRecord } from './record.js'
import { idempotencyKey, signature } from './record.js'
import { errorMessage } from '../errors.js'

export interface DeliveryOutcome {
  delivered: boolean
  /** Why not, when not delivered: status, code and correlation id, or the connection failure. */
  reason?: string
  status?: number
  idempotencyKey: string
}

export interface AuditSinkOptions {
  url: string
  secret?: string
  /** Default: a client retrying 429 and every 5xx, 30 s deadline, redacting with `redact`. */
  http?: PlatformHttpClient
  /** The run's `Redactor.redact`: applied to every failure reason (the secret is always redacted). */
  redact?: (text: string) => string
}

export type AuditSink = (record: AuditRecord) => Promise<DeliveryOutcome>

/** The HTTP client the warehouse needs: it retries 429, every 5xx and connection failures. */
export function createWarehouseHttpClient(
  opts: Omit<HttpClientOptions, 'retryStatuses'> = {}
): PlatformHttpClient {
  return createHttpClient({ deadlineMs: 30_000, ...opts, retryStatuses: WAREHOUSE_RETRY_STATUSES })
}

export async function deliverAudit(
  http: PlatformHttpClient,
  url: string,
  record: AuditRecord,
  secret?: string,
  redact: (text: string) => string = text => text
): Promise<DeliveryOutcome> {
  const raw = JSON.stringify(record)
  const key = idempotencyKey(record.customObjectId, record.payloadHash, record.schemaVersion)
  const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': key }
  if (secret) headers['x-signature-256'] = signature(secret, raw)
  try {
    const res = await http.request({ method: 'POST', url, headers, body: raw, limited: false })
    return { delivered: true, status: res.status, idempotencyKey: key }
  } catch (error) {
    const own = createRedactor([secret])
    const reason = own.redact(redact(errorMessage(error)))
    return {
      delivered: false,
      reason: `audit record for ${record.customObjectId} not delivered: ${reason}`,
      status: error instanceof PlatformError ? error.status : undefined,
      idempotencyKey: key
    }
  }
}

export function createAuditSink(opts: AuditSinkOptions): AuditSink {
  const http = opts.http ?? createWarehouseHttpClient(opts.redact ? { redact: opts.redact } : {})
  return record => deliverAudit(http, opts.url, record, opts.secret, opts.redact)
}
