// The merged-schema text diff: unified diff of pretty canonical JSON, read-only keys left out.
// Lines anchored patience-style, then Myers' O((N+M)D) algorithm between anchors; no dependency.
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
  write(value, 0, '', '', lines)
  return lines
}

const indents: string[] = ['']
function indentOf(depth: number): string {
  while (indents.length <= depth) indents.push(`${indents[indents.length - 1]!}  `)
  return indents[depth]!
}

/** `"key": ` texts of keys seen before (documents repeat a few keys thousands of times); bounded. */
const keyPrefixes = new Map<string, string>()
function keyPrefix(key: string): string {
  let text = keyPrefixes.get(key)
  if (text === undefined) {
    text = `${JSON.stringify(key)}: `
    if (keyPrefixes.size < 10_000) keyPrefixes.set(key, text)
  }
  return text
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function write(value: unknown, depth: number, prefix: string, suffix: string, lines: string[]): void {
  const indent = indentOf(depth)
  if (Array.isArray(value)) {
    const length = value.length
    if (length === 0) {
      lines.push(indent + prefix + '[]' + suffix)
      return
    }
    lines.push(indent + prefix + '[')
    for (let i = 0; i < length; i++) {
      const item: unknown = value[i]
      write(item === undefined ? null : item, depth + 1, '', i < length - 1 ? ',' : '', lines)
    }
    lines.push(indent + ']' + suffix)
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    const keys: string[] = []
    for (const key of Object.keys(record)) if (record[key] !== undefined) keys.push(key)
    if (keys.length === 0) {
      lines.push(indent + prefix + '{}' + suffix)
      return
    }
    keys.sort(compareKeys)
    lines.push(indent + prefix + '{')
    const last = keys.length - 1
    for (let i = 0; i <= last; i++) {
      const key = keys[i]!
      write(record[key], depth + 1, keyPrefix(key), i < last ? ',' : '', lines)
    }
    lines.push(indent + '}' + suffix)
  } else {
    const text =
      typeof value === 'number' && !Number.isFinite(value) ? 'null' : (JSON.stringify(value) ?? 'null')
    lines.push(indent + prefix + text + suffix)
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

/**
 * The edit script turning `a` into `b`: patience-style anchoring (lines unique to both sides, kept in
 * order by a longest increasing subsequence) splits the problem; Myers diffs each gap between anchors.
 * Big insertions (a thousand new indexes) and scattered small edits both stay near-linear this way.
 */
function editScript(a: readonly string[], b: readonly string[]): EditOp[] {
  const ops: EditOp[] = []
  diffRange(a, 0, a.length, b, 0, b.length, ops)
  return ops
}

function diffRange(
  a: readonly string[],
  aLo: number,
  aHi: number,
  b: readonly string[],
  bLo: number,
  bHi: number,
  ops: EditOp[]
): void {
  while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
    ops.push({ op: 0, text: a[aLo]! })
    aLo++
    bLo++
  }
  let suffix = 0
  while (aHi - suffix > aLo && bHi - suffix > bLo && a[aHi - 1 - suffix] === b[bHi - 1 - suffix]) suffix++
  const tail = a.slice(aHi - suffix, aHi)
  aHi -= suffix
  bHi -= suffix

  if (aLo < aHi && bLo < bHi) {
    const anchors = uniqueAnchors(a, aLo, aHi, b, bLo, bHi)
    if (anchors.length === 0) {
      for (const op of myers(a.slice(aLo, aHi), b.slice(bLo, bHi))) ops.push(op)
    } else {
      let x = aLo
      let y = bLo
      for (const [ax, by] of anchors) {
        diffRange(a, x, ax, b, y, by, ops)
        ops.push({ op: 0, text: a[ax]! })
        x = ax + 1
        y = by + 1
      }
      diffRange(a, x, aHi, b, y, bHi, ops)
    }
  } else {
    for (let i = aLo; i < aHi; i++) ops.push({ op: 1, text: a[i]! })
    for (let j = bLo; j < bHi; j++) ops.push({ op: 2, text: b[j]! })
  }
  for (const text of tail) ops.push({ op: 0, text })
}

/** Lines that occur exactly once on each side, as [aIndex, bIndex] pairs increasing on both sides. */
function uniqueAnchors(
  a: readonly string[],
  aLo: number,
  aHi: number,
  b: readonly string[],
  bLo: number,
  bHi: number
): [number, number][] {
  // Line → its index when it occurs once in the range, -1 when more often.
  const inA = new Map<string, number>()
  for (let i = aLo; i < aHi; i++) inA.set(a[i]!, inA.has(a[i]!) ? -1 : i)
  const inB = new Map<string, number>()
  for (let j = bLo; j < bHi; j++) {
    const line = b[j]!
    const ai = inA.get(line)
    if (ai === undefined || ai < 0) continue
    inB.set(line, inB.has(line) ? -1 : j)
  }
  const pairs: [number, number][] = []
  for (const [line, bj] of inB) if (bj >= 0) pairs.push([inA.get(line)!, bj])
  pairs.sort((p, q) => p[0] - q[0])
  return longestIncreasing(pairs)
}

/** Longest subsequence of `pairs` (sorted by the first element) increasing in the second: O(n log n). */
function longestIncreasing(pairs: [number, number][]): [number, number][] {
  const tails: number[] = [] // index into pairs of the smallest tail of each length
  const previous = new Int32Array(pairs.length).fill(-1)
  for (let i = 0; i < pairs.length; i++) {
    const value = pairs[i]![1]
    let lo = 0
    let hi = tails.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (pairs[tails[mid]!]![1] < value) lo = mid + 1
      else hi = mid
    }
    if (lo > 0) previous[i] = tails[lo - 1]!
    tails[lo] = i
  }
  const out: [number, number][] = []
  for (let i = tails.length > 0 ? tails[tails.length - 1]! : -1; i >= 0; i = previous[i]!) out.push(pairs[i]!)
  return out.reverse()
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
