// The schema document's rules (docs/rules.md#the-schema-document and docs/rules.md#the-payload-hash) in one
// place: the keys the server owns, what a PUT sends, what the payload hash and the text diff cover, and the
// one canonical JSON writer behind both texts.
import type { SchemaDocument } from '../model.js'

/** Document keys the server owns. */
export const DOCUMENT_READ_ONLY = ['schemaVersion', 'lastUpdated', 'selfUri'] as const
/** The read-only document keys a PUT leaves out: `schemaVersion` goes back as the concurrency token. */
export const NOT_SENT = ['lastUpdated', 'selfUri'] as const
/** Index keys the server owns: never sent, hashed or diffed. */
export const INDEX_READ_ONLY = ['status', 'statusReason'] as const

/** The index without `status` and `statusReason`; anything that is not an object as it is. */
function withoutIndexReadOnly(index: unknown): unknown {
  if (index === null || typeof index !== 'object' || Array.isArray(index)) return index
  const hidden: readonly string[] = INDEX_READ_ONLY
  return Object.fromEntries(Object.entries(index).filter(([key]) => !hidden.includes(key)))
}

function documentWithout(doc: SchemaDocument, hidden: readonly string[]): Record<string, unknown> {
  // Object.fromEntries defines own properties, so even a key named `__proto__` is kept.
  return Object.fromEntries(
    Object.entries(doc)
      .filter(([key]) => !hidden.includes(key))
      .map(([key, value]) => [
        key,
        key === 'indexes' && Array.isArray(value) ? value.map(withoutIndexReadOnly) : value
      ])
  )
}

/** The document as PUT sends it: every key but `lastUpdated`, `selfUri` and index `status`/`statusReason`. */
export function payloadDocument(doc: SchemaDocument): Record<string, unknown> {
  return documentWithout(doc, NOT_SENT)
}

/** What the payload hash covers and the text diff shows: the PUT body without `schemaVersion`. */
export function hashedDocument(doc: SchemaDocument): Record<string, unknown> {
  return documentWithout(doc, DOCUMENT_READ_ONLY)
}

/** The tokens of a line of canonical JSON: a bracket, an empty container, or a scalar. */
const OPEN_ARRAY = 0
const CLOSE_ARRAY = 1
const OPEN_OBJECT = 2
const CLOSE_OBJECT = 3
const EMPTY_ARRAY = 4
const EMPTY_OBJECT = 5
export const SCALAR = 6
/** The text of each token but SCALAR. */
export const TOKEN_TEXT: readonly string[] = ['[', ']', '{', '}', '[]', '{}']

/**
 * Takes canonical JSON one line at a time, as the pretty form lays it out: the line's depth, the member key
 * it starts with (undefined in an array and at the top), its token (with the value when it is SCALAR: null,
 * a boolean, a finite number or a string) and whether a comma ends it. The compact form is the same lines
 * joined without indentation.
 */
export type LineSink = (
  depth: number,
  key: string | undefined,
  token: number,
  scalar: unknown,
  comma: boolean
) => void

/** Containers open deeper than this are remembered, so a cycle is caught however long it is. */
const CYCLE_CHECK_DEPTH = 64

/**
 * The keys of the members that are not undefined, in UTF-16 code-unit order as RFC 8785 §3.2.3 asks (JS
 * string comparison is exactly that). Most objects have a few keys: an insertion sort is faster there.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  let keys = Object.keys(record)
  if (keys.some(key => record[key] === undefined)) keys = keys.filter(key => record[key] !== undefined)
  if (keys.length > 16) return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!
    let j = i - 1
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!
    keys[j + 1] = key
  }
  return keys
}

interface Frame {
  container: Record<string, unknown> | unknown[]
  /** Sorted member keys (objects); undefined for arrays. */
  keys: string[] | undefined
  next: number
  length: number
  comma: boolean
}

/**
 * Writes `value` as RFC 8785 (JCS) canonical JSON to `sink`: object keys sorted by UTF-16 code units
 * (the default sort of strings), undefined members left out and undefined array items written as null, as
 * JSON.stringify does. Throws on NaN, Infinity, other non-JSON values and cycles, naming where. Iterative,
 * so deep documents cannot overflow the stack.
 */
export function writeCanonical(value: unknown, sink: LineSink): void {
  const frames: Frame[] = []
  const deep = new Set<object>()
  const where = (): string =>
    '$' + frames.map(f => (f.keys ? `.${f.keys[f.next - 1]!}` : `[${f.next - 1}]`)).join('')
  const visit = (v: unknown, key: string | undefined, comma: boolean): void => {
    const depth = frames.length
    if (v === null || typeof v === 'string' || typeof v === 'boolean') {
      sink(depth, key, SCALAR, v, comma)
      return
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(`canonical JSON: ${v} at ${where()} is not a JSON number`)
      sink(depth, key, SCALAR, v, comma)
      return
    }
    if (typeof v !== 'object') throw new Error(`canonical JSON: a ${typeof v} at ${where()} is not JSON`)
    if (deep.has(v)) throw new Error(`canonical JSON: the value at ${where()} contains itself`)
    let keys: string[] | undefined
    let length: number
    if (Array.isArray(v)) length = v.length
    else {
      keys = sortedKeys(v as Record<string, unknown>)
      length = keys.length
    }
    if (length === 0) {
      sink(depth, key, keys ? EMPTY_OBJECT : EMPTY_ARRAY, undefined, comma)
      return
    }
    if (depth >= CYCLE_CHECK_DEPTH) deep.add(v)
    sink(depth, key, keys ? OPEN_OBJECT : OPEN_ARRAY, undefined, false)
    frames.push({ container: v as Frame['container'], keys, next: 0, length, comma })
  }
  visit(value, undefined, false)
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!
    const i = frame.next++
    if (i < frame.length) {
      const last = i === frame.length - 1
      if (frame.keys)
        visit((frame.container as Record<string, unknown>)[frame.keys[i]!], frame.keys[i], !last)
      else visit((frame.container as unknown[])[i] ?? null, undefined, !last)
    } else {
      frames.pop()
      deep.delete(frame.container)
      sink(frames.length, undefined, frame.keys ? CLOSE_OBJECT : CLOSE_ARRAY, undefined, frame.comma)
    }
  }
}

/** `"key"` texts of keys seen before (documents repeat a few keys thousands of times); bounded. */
const quotedKeys = new Map<string, string>()
export function quotedKey(key: string): string {
  let text = quotedKeys.get(key)
  if (text === undefined) {
    text = JSON.stringify(key)
    if (quotedKeys.size < 10_000) quotedKeys.set(key, text)
  }
  return text
}

/** RFC 8785 (JCS) canonical JSON text of a JSON value: the payload hash's text. */
export function canonicalize(value: unknown): string {
  let text = ''
  writeCanonical(value, (_depth, key, token, scalar, comma) => {
    if (key !== undefined) text += `${quotedKey(key)}:`
    text += token === SCALAR ? JSON.stringify(scalar) : TOKEN_TEXT[token]!
    if (comma) text += ','
  })
  return text
}

const indents: string[] = ['']
/** Two spaces per level. */
export function indentOf(depth: number): string {
  while (indents.length <= depth) indents.push(`${indents[indents.length - 1]!}  `)
  return indents[depth]!
}

/** Pretty canonical JSON as lines (the text diff's lines): the same writer, 2-space indent, `"key": `. */
export function canonicalLines(value: unknown): string[] {
  const lines: string[] = []
  writeCanonical(value, (depth, key, token, scalar, comma) => {
    const body = token === SCALAR ? JSON.stringify(scalar) : TOKEN_TEXT[token]!
    lines.push(
      `${indentOf(depth)}${key === undefined ? '' : `${quotedKey(key)}: `}${body}${comma ? ',' : ''}`
    )
  })
  return lines
}
