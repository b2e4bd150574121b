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

/** The kinds of fault the emulator injects (README "Faults" describes each with an example). */
export const FAULT_KINDS = [
  'status',
  'reset',
  'commit-then-drop',
  'latency',
  'redirect',
  'headers',
  'put-omit-index',
  'put-no-commit'
] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

/**
 * A fault to inject into matching requests (docs/rules.md#emulator-defaults; admin
 * `POST /__emulator/faults`).
 */
export interface FaultSpec {
  /** e.g. 'PUT'; absent = any method ('put-omit-index' and 'put-no-commit' imply PUT). */
  method?: string
  /** A path prefix, or a glob where '*' stands for exactly one path segment (then the whole path must match). */
  path: string
  kind: FaultKind
  /**
   * For 'status': 400–599, answered with an ErrorBody (a 400 on /oauth/token is the OAuth throttle).
   * For 'redirect': 301, 302, 303, 307 or 308 (default 302).
   */
  status?: number
  /** Seconds, sent as Retry-After with a 'status' fault. */
  retryAfter?: number
  /** How many matching requests it affects; default 1. */
  count?: number
  /** For 'latency': extra milliseconds before the answer. */
  latencyMs?: number
  /**
   * For 'status': the error body echoes what the request carried: its Authorization header, the decoded Basic
   * `id:secret`, the bearer token, a form `client_secret`.
   */
  echoSecrets?: boolean
  /**
   * For 'status': the server's message, sent as is (line breaks included) in the ErrorBody's `message` (the
   * OAuth `description` and `error_description` on the token endpoint), instead of the emulator's own.
   */
  message?: string
  /** For 'redirect': the Location sent (any text: another local server, a path). */
  location?: string
  /**
   * Response headers added to the answer of a 'status' or 'redirect' fault; for 'headers', added to the
   * normal answer (the request goes through), overriding the emulator's own (e.g. `inin-ratelimit-reset`).
   */
  headers?: Record<string, string>
  /** For 'put-omit-index': the index left out of the 200 answer; absent = every index new in this PUT. */
  index?: string
  /**
   * The fault stays dormant until a request with this method matching `path` has arrived (e.g. 'PUT': only
   * the GETs after the deploy's PUT, the rebuild polls, are affected).
   */
  after?: string
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
