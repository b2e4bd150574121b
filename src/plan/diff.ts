// The merged-schema text diff: unified diff of pretty canonical JSON, read-only keys left out.
// Myers' O((N+M)D) algorithm on lines after trimming the common prefix and suffix; no dependency.
import type { SchemaDocument } from '../model.js'

/** Lines of context around each change. */
const CONTEXT = 3
/**
 * Above this many differing lines (after trimming) the middle is shown as one replacement instead of a
 * minimal edit script: still a correct diff, and bounded in time and memory on huge rewrites.
 */
const MAX_EDIT_DISTANCE = 2000

const DOCUMENT_READ_ONLY = new Set(['schemaVersion', 'lastUpdated', 'selfUri'])
const INDEX_READ_ONLY = new Set(['status', 'statusReason'])

/** The document as the diff shows it: `id` kept; schemaVersion, lastUpdated, selfUri and index status left out. */
export function diffableDocument(doc: SchemaDocument): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(doc)) {
    if (DOCUMENT_READ_ONLY.has(key)) continue
    out[key] = key === 'indexes' && Array.isArray(value) ? value.map(withoutIndexReadOnly) : value
  }
  return out
}

function withoutIndexReadOnly(index: unknown): unknown {
  if (index === null || typeof index !== 'object' || Array.isArray(index)) return index
  return Object.fromEntries(Object.entries(index).filter(([key]) => !INDEX_READ_ONLY.has(key)))
}

/** Pretty canonical JSON as lines: keys sorted by UTF-16 code units (as canonicalize does), 2-space indent. */
export function canonicalLines(value: unknown): string[] {
  const lines: string[] = []
  write(value, '', '', '', lines)
  return lines
}

function write(value: unknown, indent: string, prefix: string, suffix: string, lines: string[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      lines.push(`${indent}${prefix}[]${suffix}`)
      return
    }
    lines.push(`${indent}${prefix}[`)
    const inner = `${indent}  `
    value.forEach((item: unknown, i) => {
      write(item === undefined ? null : item, inner, '', i < value.length - 1 ? ',' : '', lines)
    })
    lines.push(`${indent}]${suffix}`)
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    const keys = Object.keys(record)
      .filter(k => record[k] !== undefined)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    if (keys.length === 0) {
      lines.push(`${indent}${prefix}{}${suffix}`)
      return
    }
    lines.push(`${indent}${prefix}{`)
    const inner = `${indent}  `
    keys.forEach((key, i) => {
      write(record[key], inner, `${JSON.stringify(key)}: `, i < keys.length - 1 ? ',' : '', lines)
    })
    lines.push(`${indent}}${suffix}`)
  } else {
    const text =
      typeof value === 'number' && !Number.isFinite(value) ? 'null' : (JSON.stringify(value) ?? 'null')
    lines.push(`${indent}${prefix}${text}${suffix}`)
  }
}

/** Unified diff (`--- live` / `+++ proposed`, @@ hunks, 3 lines of context). Empty string when equal. */
export function textDiff(live: SchemaDocument, merged: SchemaDocument): string {
  return unifiedDiff(canonicalLines(diffableDocument(live)), canonicalLines(diffableDocument(merged)))
}

type Op = 0 | 1 | 2 // 0 equal, 1 delete (old only), 2 insert (new only)

/** Unified diff of two line arrays with `--- live` / `+++ proposed` headers; empty string when equal. */
export function unifiedDiff(
  oldLines: readonly string[],
  newLines: readonly string[],
  context = CONTEXT
): string {
  const ops = editScript(oldLines, newLines)
  const changes: number[] = []
  for (let i = 0; i < ops.length; i++) if (ops[i]!.op !== 0) changes.push(i)
  if (changes.length === 0) return ''

  const out: string[] = ['--- live', '+++ proposed']
  // Old/new line numbers before each op.
  const oldBefore = new Int32Array(ops.length + 1)
  const newBefore = new Int32Array(ops.length + 1)
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!.op
    oldBefore[i + 1] = oldBefore[i]! + (op === 2 ? 0 : 1)
    newBefore[i + 1] = newBefore[i]! + (op === 1 ? 0 : 1)
  }

  let c = 0
  while (c < changes.length) {
    const start = Math.max(0, changes[c]! - context)
    let last = changes[c]!
    c++
    while (c < changes.length && changes[c]! - last - 1 <= 2 * context) {
      last = changes[c]!
      c++
    }
    const end = Math.min(ops.length - 1, last + context)
    const oldCount = oldBefore[end + 1]! - oldBefore[start]!
    const newCount = newBefore[end + 1]! - newBefore[start]!
    const oldStart = oldCount === 0 ? oldBefore[start]! : oldBefore[start]! + 1
    const newStart = newCount === 0 ? newBefore[start]! : newBefore[start]! + 1
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`)
    for (let i = start; i <= end; i++) {
      const { op, text } = ops[i]!
      out.push(`${op === 0 ? ' ' : op === 1 ? '-' : '+'}${text}`)
    }
  }
  return `${out.join('\n')}\n`
}

interface EditOp {
  op: Op
  text: string
}

/** The edit script turning `a` into `b`: common prefix and suffix trimmed, Myers on the middle. */
function editScript(a: readonly string[], b: readonly string[]): EditOp[] {
  let prefix = 0
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++
  let suffix = 0
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) {
    suffix++
  }
  const ops: EditOp[] = []
  for (let i = 0; i < prefix; i++) ops.push({ op: 0, text: a[i]! })
  const midA = a.slice(prefix, a.length - suffix)
  const midB = b.slice(prefix, b.length - suffix)
  for (const op of myers(midA, midB)) ops.push(op)
  for (let i = a.length - suffix; i < a.length; i++) ops.push({ op: 0, text: a[i]! })
  return ops
}

function replaceAll(a: readonly string[], b: readonly string[]): EditOp[] {
  return [...a.map((text): EditOp => ({ op: 1, text })), ...b.map((text): EditOp => ({ op: 2, text }))]
}

/** Myers' greedy shortest edit script; falls back to a block replacement beyond MAX_EDIT_DISTANCE. */
function myers(a: readonly string[], b: readonly string[]): EditOp[] {
  const n = a.length
  const m = b.length
  if (n === 0 || m === 0) return replaceAll(a, b)
  // Lines as integers: equal text ⇔ equal id, so the inner loop compares numbers.
  const ids = new Map<string, number>()
  const idOf = (line: string): number => {
    let id = ids.get(line)
    if (id === undefined) {
      id = ids.size
      ids.set(line, id)
    }
    return id
  }
  const ai = Int32Array.from(a, idOf)
  const bi = Int32Array.from(b, idOf)

  const maxD = Math.min(n + m, MAX_EDIT_DISTANCE)
  const offset = maxD + 1
  const v = new Int32Array(2 * maxD + 3)
  v[offset + 1] = 0
  // trace[d] holds v[k] for k in [-d-1, d+1] as it was at the start of round d.
  const trace: Int32Array[] = []
  let found = -1
  for (let d = 0; d <= maxD && found < 0; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2))
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)
          ? v[offset + k + 1]!
          : v[offset + k - 1]! + 1
      let y = x - k
      while (x < n && y < m && ai[x] === bi[y]) {
        x++
        y++
      }
      v[offset + k] = x
      if (x >= n && y >= m) {
        found = d
        break
      }
    }
  }
  if (found < 0) return replaceAll(a, b)

  const reversed: EditOp[] = []
  let x = n
  let y = m
  for (let d = found; d >= 0; d--) {
    const snapshot = trace[d]!
    const at = (k: number): number => snapshot[k + d + 1]!
    const k = x - y
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1
    const prevX = at(prevK)
    const prevY = prevX - prevK
    while (x > prevX && y > prevY) {
      reversed.push({ op: 0, text: a[x - 1]! })
      x--
      y--
    }
    if (d > 0) {
      if (x === prevX) reversed.push({ op: 2, text: b[prevY]! })
      else reversed.push({ op: 1, text: a[prevX]! })
    }
    x = prevX
    y = prevY
  }
  return reversed.reverse()
}
