// Plain data shared by the emulator's modules: its options, datasets, faults and request log entries.
import type { SchemaDocument } from '../model.js'

/** A stored record: its id and one value per field; a reference holds the id of a target record. */
export interface EmulatorRecord {
  id: string
  [field: string]: unknown
}

/** One object: its schema document and its records. */
export interface EmulatorObject {
  schema: SchemaDocument
  records: EmulatorRecord[]
}

/** A dataset: the `--data FILE` JSON shape, or `data` in memory. */
export interface EmulatorData {
  objects: EmulatorObject[]
}

/** A fault to inject into matching requests (contract F; admin `POST /__emulator/faults`). */
export interface FaultSpec {
  /** e.g. 'PUT'; absent = any method. */
  method?: string
  /** A path prefix, or a glob where '*' stands for exactly one path segment (then the whole path must match). */
  path: string
  kind: 'status' | 'reset' | 'commit-then-drop' | 'latency'
  /** For 'status': 400 (token endpoint), 429, 500, 502, 503, 504; answered with an ErrorBody. */
  status?: number
  /** Seconds, sent as Retry-After with a 'status' fault. */
  retryAfter?: number
  /** How many matching requests it affects; default 1. */
  count?: number
  /** For 'latency': extra milliseconds before the answer. */
  latencyMs?: number
}

/** One served request (admin routes aside). `status` is 0 when the connection was dropped. */
export interface RequestLogEntry {
  method: string
  path: string
  status: number
  /** Arrival time, ms since the epoch. */
  at: number
  correlationId: string
}

/** An OAuth client the emulator accepts. */
export interface EmulatorClient {
  id: string
  secret: string
  scopes?: string[]
}

/** Run-time tunables (module `configure()`, admin `POST /__emulator/config`). */
export interface EmulatorConfig {
  latencyMs: number
  rebuildRecordsPerSecond: number
  rateLimitPerMinute: number
  tokenTtlSeconds: number
}

export const SCOPES = {
  read: 'customobjects:customobject:read',
  write: 'customobjects:customobject:write',
  query: 'customobjects:customobject:query'
} as const
export const ALL_SCOPES: string[] = [SCOPES.read, SCOPES.write, SCOPES.query]

export const DEFAULT_CLIENT: EmulatorClient = {
  id: 'emulator-client',
  secret: 'emulator-secret',
  scopes: ALL_SCOPES
}

export const API_PREFIX = '/api/v2/data-gateway/customobjects'
