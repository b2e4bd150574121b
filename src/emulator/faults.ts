// Injected faults: which requests a FaultSpec matches, and how many it still affects.
import type { FaultSpec } from './types.js'

const KINDS = ['status', 'reset', 'commit-then-drop', 'latency'] as const

/** A FaultSpec from untrusted JSON, or the reason it is not one. */
export function parseFault(v: unknown): FaultSpec | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'a fault must be a JSON object'
  const f = v as Record<string, unknown>
  if (typeof f.path !== 'string' || !f.path.startsWith('/'))
    return 'fault.path must be a path starting with /'
  if (!(KINDS as readonly unknown[]).includes(f.kind)) return `fault.kind must be one of ${KINDS.join(', ')}`
  if (f.method !== undefined && typeof f.method !== 'string')
    return 'fault.method must be a string such as PUT'
  for (const k of ['status', 'retryAfter', 'count', 'latencyMs'] as const) {
    if (f[k] !== undefined && !(typeof f[k] === 'number' && Number.isFinite(f[k]) && f[k] >= 0)) {
      return `fault.${k} must be a non-negative number`
    }
  }
  if (f.kind === 'status' && (typeof f.status !== 'number' || f.status < 400 || f.status > 599)) {
    return 'a status fault needs fault.status between 400 and 599'
  }
  if (f.kind === 'latency' && typeof f.latencyMs !== 'number') return 'a latency fault needs fault.latencyMs'
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
  /** The first matching non-latency fault, if any. */
  action?: FaultSpec
}

/** Holds the armed faults; `take` consumes one use of each fault it applies. */
export class FaultTable {
  private faults: { spec: FaultSpec; left: number }[] = []

  add(spec: FaultSpec): void {
    this.faults.push({ spec: { ...spec }, left: spec.count ?? 1 })
  }

  clear(): void {
    this.faults = []
  }

  list(): (FaultSpec & { remaining: number })[] {
    return this.faults.map(f => ({ ...f.spec, remaining: f.left }))
  }

  take(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { delayMs: 0 }
    for (const f of this.faults) {
      if (f.left <= 0) continue
      if (f.spec.method !== undefined && f.spec.method.toUpperCase() !== method.toUpperCase()) continue
      if (!pathMatches(f.spec.path, path)) continue
      if (f.spec.kind === 'latency') {
        decision.delayMs += f.spec.latencyMs ?? 0
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
