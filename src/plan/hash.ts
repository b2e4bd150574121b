// RFC 8785 canonical JSON and the payload hash of contract C. Pure (node:crypto only hashes).
import { createHash } from 'node:crypto'
import type { SchemaDocument } from '../model.js'

/** Document keys the server owns: never hashed; `lastUpdated` and `selfUri` are not sent either. */
const DOCUMENT_READ_ONLY = ['schemaVersion', 'lastUpdated', 'selfUri'] as const
/** Index keys the server owns: neither sent nor hashed. */
export const INDEX_READ_ONLY = ['status', 'statusReason'] as const

/** UTF-16 code-unit order, as RFC 8785 §3.2.3 asks (JS string comparison is exactly that). */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * RFC 8785 (JCS) canonical JSON text of a JSON value: object keys sorted by UTF-16 code units, numbers in
 * ECMAScript form (`JSON.stringify` implements it: 1.0 → 1, 1e21 → 1e+21, -0 → 0), strings escaped as
 * `JSON.stringify` does (which is JCS's escaping). NaN, Infinity and non-JSON values are rejected.
 * Iterative, so deep documents cannot overflow the stack.
 */
export function canonicalize(value: unknown): string {
  try {
    return writeCanonical(value, 0, [])
  } catch {
    // Too deep for recursion, or not JSON: the iterative writer handles depth and names the bad value.
    return canonicalizeIteratively(value)
  }
}

/** Nesting beyond this switches to the iterative writer (no stack overflow, but slower). */
const MAX_RECURSION = 500
const NOT_JSON = new Error('not canonicalizable by the recursive writer')

/** `"key":` texts of keys seen before (documents repeat a few keys thousands of times); bounded. */
const keyTexts = new Map<string, string>()
function keyText(key: string): string {
  let text = keyTexts.get(key)
  if (text === undefined) {
    text = `${JSON.stringify(key)}:`
    if (keyTexts.size < 10_000) keyTexts.set(key, text)
  }
  return text
}

function writeCanonical(v: unknown, depth: number, open: object[]): string {
  if (v === null) return 'null'
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw NOT_JSON
    return JSON.stringify(v)
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (typeof v !== 'object' || depth >= MAX_RECURSION || open.includes(v)) throw NOT_JSON
  open.push(v)
  let out: string
  if (Array.isArray(v)) {
    out = '['
    for (let i = 0; i < v.length; i++) {
      const element: unknown = v[i]
      if (i > 0) out += ','
      out += writeCanonical(element === undefined ? null : element, depth + 1, open)
    }
    out += ']'
  } else {
    const record = v as Record<string, unknown>
    const keys = Object.keys(record).sort(compareCodeUnits)
    out = '{'
    let first = true
    for (const key of keys) {
      const member = record[key]
      if (member === undefined) continue
      out += first ? keyText(key) : `,${keyText(key)}`
      first = false
      out += writeCanonical(member, depth + 1, open)
    }
    out += '}'
  }
  open.pop()
  return out
}

/** The same output with an explicit work stack, for values nested deeper than MAX_RECURSION. */
function canonicalizeIteratively(value: unknown): string {
  type Work = { text: string } | { value: unknown; where: string } | { leave: object }
  const out: string[] = []
  const stack: Work[] = [{ value, where: '$' }]
  // Containers being written (ancestors of the current value): meeting one again is a cycle.
  const open = new Set<object>()
  const enter = (container: object, where: string): void => {
    if (open.has(container)) throw new Error(`canonicalize: the value at ${where} contains itself`)
    open.add(container)
  }
  while (stack.length > 0) {
    const item = stack.pop()!
    if ('text' in item) {
      out.push(item.text)
      continue
    }
    if ('leave' in item) {
      open.delete(item.leave)
      continue
    }
    const v = item.value
    if (v === null) out.push('null')
    else if (typeof v === 'boolean') out.push(v ? 'true' : 'false')
    else if (typeof v === 'number') {
      if (!Number.isFinite(v))
        throw new Error(`canonicalize: ${String(v)} at ${item.where} is not a JSON number`)
      out.push(JSON.stringify(v))
    } else if (typeof v === 'string') out.push(JSON.stringify(v))
    else if (Array.isArray(v)) {
      enter(v, item.where)
      out.push('[')
      const parts: Work[] = [{ leave: v }, { text: ']' }]
      for (let i = v.length - 1; i >= 0; i--) {
        const element: unknown = v[i]
        parts.push({ value: element === undefined ? null : element, where: `${item.where}[${i}]` })
        if (i > 0) parts.push({ text: ',' })
      }
      for (const part of parts) stack.push(part)
    } else if (typeof v === 'object') {
      enter(v, item.where)
      const record = v as Record<string, unknown>
      const keys = Object.keys(record)
        .filter(k => record[k] !== undefined)
        .sort(compareCodeUnits)
      out.push('{')
      const parts: Work[] = [{ leave: v }, { text: '}' }]
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!
        parts.push({ value: record[key], where: `${item.where}.${key}` })
        parts.push({ text: `${JSON.stringify(key)}:` })
        if (i > 0) parts.push({ text: ',' })
      }
      for (const part of parts) stack.push(part)
    } else {
      throw new Error(`canonicalize: a ${typeof v} at ${item.where} is not JSON`)
    }
  }
  return out.join('')
}

/** The document as PUT sends it: every key kept, `schemaVersion` included; read-only keys omitted. */
export function payloadDocument(doc: SchemaDocument): Record<string, unknown> {
  // Object.fromEntries defines own properties, so even a key named `__proto__` is kept.
  return Object.fromEntries(
    Object.entries(doc)
      .filter(([key]) => key !== 'lastUpdated' && key !== 'selfUri')
      .map(([key, value]) => [
        key,
        key === 'indexes' && Array.isArray(value) ? value.map(withoutIndexReadOnly) : value
      ])
  )
}

function withoutIndexReadOnly(index: unknown): unknown {
  if (index === null || typeof index !== 'object' || Array.isArray(index)) return index
  return Object.fromEntries(
    Object.entries(index).filter(([key]) => !(INDEX_READ_ONLY as readonly string[]).includes(key))
  )
}

/** The document the hash covers: the PUT body without `schemaVersion` (and the other read-only keys). */
export function hashedDocument(doc: SchemaDocument): Record<string, unknown> {
  const hidden: readonly string[] = DOCUMENT_READ_ONLY
  return Object.fromEntries(Object.entries(payloadDocument(doc)).filter(([key]) => !hidden.includes(key)))
}

/** SHA-256 hex of the canonical document without schemaVersion, lastUpdated, selfUri, index status/statusReason. */
export function payloadHash(doc: SchemaDocument): string {
  return createHash('sha256')
    .update(canonicalize(hashedDocument(doc)), 'utf8')
    .digest('hex')
}
