// Injected faults: which requests a FaultSpec matches, and how many it still affects.
import { FAULT_KINDS, type FaultSpec } from './types.js'

const REDIRECT_STATUSES = [301, 302, 303, 307, 308]
/** Kinds that change the answer of a schema PUT: they imply method PUT. */
const PUT_KINDS: readonly string[] = ['put-omit-index', 'put-no-commit']
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

function checkHeaders(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return 'fault.headers must be an object of header names to string values'
  }
  for (const [name, value] of Object.entries(v)) {
    if (!HEADER_NAME.test(name)) return `fault.headers: '${name.slice(0, 40)}' is not a header name`
    if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      return `fault.headers['${name}'] must be a string without line breaks`
    }
  }
  return undefined
}

/** A FaultSpec from untrusted JSON, or the reason it is not one. */
export function parseFault(v: unknown): FaultSpec | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'a fault must be a JSON object'
  const f = { ...(v as Record<string, unknown>) }
  if (typeof f.path !== 'string' || !f.path.startsWith('/'))
    return 'fault.path must be a path starting with /'
  if (!(FAULT_KINDS as readonly unknown[]).includes(f.kind))
    return `fault.kind must be one of ${FAULT_KINDS.join(', ')}`
  for (const k of ['method', 'after', 'location', 'index', 'message'] as const) {
    if (f[k] !== undefined && typeof f[k] !== 'string') return `fault.${k} must be a string`
  }
  for (const k of ['status', 'retryAfter', 'count', 'latencyMs'] as const) {
    if (f[k] !== undefined && !(typeof f[k] === 'number' && Number.isFinite(f[k]) && f[k] >= 0)) {
      return `fault.${k} must be a non-negative number`
    }
  }
  if (f.echoSecrets !== undefined && typeof f.echoSecrets !== 'boolean')
    return 'fault.echoSecrets must be a boolean'
  if (f.headers !== undefined) {
    const bad = checkHeaders(f.headers)
    if (bad) return bad
  }
  if (f.kind === 'status' && (typeof f.status !== 'number' || f.status < 400 || f.status > 599)) {
    return 'a status fault needs fault.status between 400 and 599'
  }
  if (f.kind === 'redirect') {
    if (f.status !== undefined && !REDIRECT_STATUSES.includes(f.status as number)) {
      return `a redirect fault's status must be one of ${REDIRECT_STATUSES.join(', ')}`
    }
    if (typeof f.location !== 'string' || f.location === '' || /[\r\n]/.test(f.location)) {
      return 'a redirect fault needs fault.location (one line)'
    }
  }
  if (f.kind === 'headers' && f.headers === undefined) return 'a headers fault needs fault.headers'
  if (f.kind === 'latency' && typeof f.latencyMs !== 'number') return 'a latency fault needs fault.latencyMs'
  if (PUT_KINDS.includes(f.kind as string)) {
    if (typeof f.method === 'string' && f.method.toUpperCase() !== 'PUT')
      return `a ${String(f.kind)} fault is for PUT`
    f.method = 'PUT'
  }
  return f as unknown as FaultSpec
}

/** Whether `spec.path` (a prefix, or a glob with one-segment '*') matches `path`. */
export function pathMatches(pattern: string, path: string): boolean {
  if (!pattern.includes('*')) return path.startsWith(pattern)
  const want = pattern.split('/')
  const got = path.split('/')
  if (want.length !== got.length) return false
  return want.every((w, i) => (w === '*' ? got[i] !== '' : w === got[i]))
}

export interface FaultDecision {
  /** Extra latency from matching latency faults. */
  delayMs: number
  /** Headers from matching 'headers' faults, added to whatever answer is sent. */
  headers: Record<string, string>
  /** The first matching fault of another kind, if any. */
  action?: FaultSpec
}

const sameMethod = (a: string, b: string): boolean => a.toUpperCase() === b.toUpperCase()

/** Holds the armed faults; `take` consumes one use of each fault it applies. */
export class FaultTable {
  private faults: { spec: FaultSpec; left: number; dormant: boolean }[] = []

  add(spec: FaultSpec): void {
    this.faults.push({ spec: { ...spec }, left: spec.count ?? 1, dormant: spec.after !== undefined })
  }

  clear(): void {
    this.faults = []
  }

  list(): (FaultSpec & { remaining: number; dormant: boolean })[] {
    return this.faults.map(f => ({ ...f.spec, remaining: f.left, dormant: f.dormant }))
  }

  take(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { delayMs: 0, headers: {} }
    for (const f of this.faults) {
      if (f.left <= 0) continue
      if (!pathMatches(f.spec.path, path)) continue
      if (f.dormant) {
        // Woken by the request it waits for; that request itself is not affected.
        if (sameMethod(f.spec.after ?? '', method)) f.dormant = false
        continue
      }
      if (f.spec.method !== undefined && !sameMethod(f.spec.method, method)) continue
      if (f.spec.kind === 'latency') {
        decision.delayMs += f.spec.latencyMs ?? 0
        f.left--
      } else if (f.spec.kind === 'headers') {
        Object.assign(decision.headers, f.spec.headers)
        f.left--
      } else if (!decision.action) {
        decision.action = f.spec
        f.left--
      }
    }
    this.faults = this.faults.filter(f => f.left > 0)
    return decision
  }
}
