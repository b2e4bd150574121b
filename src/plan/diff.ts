// The merged-schema text diff: unified diff of pretty canonical JSON of what the payload hash covers.
// Lines anchored patience-style, then Myers' O((N+M)D) algorithm between anchors; no dependency.
import type { SchemaDocument } from '../model.js'
import {
  hashedDocument,
  indentOf,
  quotedKey,
  SCALAR,
  TOKEN_TEXT,
  writeCanonical,
  type LineSink
} from './schema-doc.js'

/** Lines of context around each change. */
const CONTEXT = 3
/**
 * Above this many differing lines (after trimming) the middle is shown as one replacement instead of a
 * minimal edit script: still a correct diff, and bounded in time and memory on huge rewrites.
 */
const MAX_EDIT_DISTANCE = 2000

/** Unified diff (`--- live` / `+++ proposed`, @@ hunks, 3 lines of context). Empty string when equal. */
export function textDiff(live: SchemaDocument, merged: SchemaDocument): string {
  // The diff shows what the payload hash covers: two documents with one hash have no diff.
  const table = new LineTable()
  const a = table.linesOf(hashedDocument(live))
  const b = table.linesOf(hashedDocument(merged))
  return renderUnified(
    { a, b, distinct: table.size },
    i => table.text(a[i]!),
    j => table.text(b[j]!),
    CONTEXT
  )
}

/**
 * Ids of integer pairs (both >= 0): the same pair gets the same id, new pairs get 0, 1, 2, ... An
 * open-addressing table over typed arrays, so a lookup allocates nothing.
 */
class PairIds {
  private slots = new Int32Array(1 << 12).fill(-1)
  private readonly firsts: number[] = []
  private readonly seconds: number[] = []

  get size(): number {
    return this.firsts.length
  }

  first(id: number): number {
    return this.firsts[id]!
  }

  second(id: number): number {
    return this.seconds[id]!
  }

  idOf(x: number, y: number): number {
    const mask = this.slots.length - 1
    let slot = (Math.imul(x, 0x9e3779b1) ^ Math.imul(y, 0x85ebca6b)) & mask
    for (;;) {
      const id = this.slots[slot]!
      if (id < 0) break
      if (this.firsts[id] === x && this.seconds[id] === y) return id
      slot = (slot + 1) & mask
    }
    const id = this.firsts.length
    this.firsts.push(x)
    this.seconds.push(y)
    this.slots[slot] = id
    if (this.firsts.length * 2 > this.slots.length) this.grow()
    return id
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1)
    const mask = slots.length - 1
    for (let id = 0; id < this.firsts.length; id++) {
      let slot = (Math.imul(this.firsts[id]!, 0x9e3779b1) ^ Math.imul(this.seconds[id]!, 0x85ebca6b)) & mask
      while (slots[slot]! >= 0) slot = (slot + 1) & mask
      slots[slot] = id
    }
    this.slots = slots
  }
}

/**
 * The lines of canonicalLines as integer ids without building their text: a line is its depth, key
 * prefix, body (bracket or scalar) and trailing comma, and two lines have the same text exactly when
 * these four are the same. The text of a line is built only when the diff shows it.
 */
class LineTable {
  /** Body texts by body id: the tokens' texts, then scalars'. */
  private readonly bodies: string[] = [...TOKEN_TEXT]
  private readonly scalarIds = new Map<unknown, number>()
  /** `"key": ` texts by prefix id; id 0 is no prefix. */
  private readonly prefixes: string[] = ['']
  private readonly keyIds = new Map<string, number>()
  /** (body id, prefix id) → pair id. */
  private readonly pairs = new PairIds()
  /** (pair id, depth × 2 + comma) → line id. */
  private readonly lines = new PairIds()
  private out: number[] = []

  get size(): number {
    return this.lines.size
  }

  linesOf(value: unknown): Int32Array {
    this.out = []
    writeCanonical(value, this.add)
    return Int32Array.from(this.out)
  }

  text(line: number): string {
    const pair = this.lines.first(line)
    const shape = this.lines.second(line)
    return (
      indentOf(shape >> 1) +
      this.prefixes[this.pairs.second(pair)]! +
      this.bodies[this.pairs.first(pair)]! +
      (shape & 1 ? ',' : '')
    )
  }

  private readonly add: LineSink = (depth, key, token, scalar, comma) => {
    const body = token === SCALAR ? this.scalarId(scalar) : token
    const prefix = key === undefined ? 0 : this.prefixId(key)
    this.out.push(this.lines.idOf(this.pairs.idOf(body, prefix), depth * 2 + (comma ? 1 : 0)))
  }

  /** A JSON scalar's body id (a string and a number never share one: Map keys compare by type). */
  private scalarId(value: unknown): number {
    let id = this.scalarIds.get(value)
    if (id === undefined) {
      id = this.bodies.length
      this.scalarIds.set(value, id)
      this.bodies.push(JSON.stringify(value))
    }
    return id
  }

  private prefixId(key: string): number {
    let id = this.keyIds.get(key)
    if (id === undefined) {
      id = this.prefixes.length
      this.keyIds.set(key, id)
      this.prefixes.push(`${quotedKey(key)}: `)
    }
    return id
  }
}

type Op = 0 | 1 | 2 // 0 equal, 1 delete (old only), 2 insert (new only)

/** Unified diff of two line arrays with `--- live` / `+++ proposed` headers; empty string when equal. */
export function unifiedDiff(
  oldLines: readonly string[],
  newLines: readonly string[],
  context = CONTEXT
): string {
  return renderUnified(
    intern(oldLines, newLines),
    i => oldLines[i]!,
    j => newLines[j]!,
    context
  )
}

/** The unified diff of interned lines; `oldText`/`newText` give a line's text by its position. */
function renderUnified(
  lines: Interned,
  oldText: (i: number) => string,
  newText: (j: number) => string,
  context: number
): string {
  const script = editScript(lines)
  const { ops, at } = script
  const length = script.length
  const changes: number[] = []
  for (let i = 0; i < length; i++) if (ops[i] !== 0) changes.push(i)
  if (changes.length === 0) return ''

  const text = (i: number): string => (ops[i] === 2 ? newText(at[i]!) : oldText(at[i]!))
  const out: string[] = ['--- live', '+++ proposed']
  // Old/new line numbers before each op.
  const oldBefore = new Int32Array(length + 1)
  const newBefore = new Int32Array(length + 1)
  for (let i = 0; i < length; i++) {
    const op = ops[i]!
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
    const end = Math.min(length - 1, last + context)
    const oldCount = oldBefore[end + 1]! - oldBefore[start]!
    const newCount = newBefore[end + 1]! - newBefore[start]!
    const oldStart = oldCount === 0 ? oldBefore[start]! : oldBefore[start]! + 1
    const newStart = newCount === 0 ? newBefore[start]! : newBefore[start]! + 1
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`)
    for (let i = start; i <= end; i++) {
      const op = ops[i]!
      out.push(`${op === 0 ? ' ' : op === 1 ? '-' : '+'}${text(i)}`)
    }
  }
  return `${out.join('\n')}\n`
}

/**
 * An edit script as parallel arrays: `ops[i]` is the operation and `at[i]` the line it shows, an index
 * into the old lines (equal, delete) or the new lines (insert).
 */
class Script {
  readonly ops: Uint8Array
  readonly at: Int32Array
  length = 0

  constructor(capacity: number) {
    this.ops = new Uint8Array(capacity)
    this.at = new Int32Array(capacity)
  }

  push(op: Op, line: number): void {
    this.ops[this.length] = op
    this.at[this.length] = line
    this.length++
  }
}

/** Lines as integers: equal text ⇔ equal id, so every comparison below compares numbers. */
interface Interned {
  a: Int32Array
  b: Int32Array
  /** How many distinct lines the two sides have together (ids are 0 .. distinct - 1). */
  distinct: number
}

function intern(a: readonly string[], b: readonly string[]): Interned {
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
  return { a: ai, b: bi, distinct: ids.size }
}

/**
 * Per-line scratch counters for the anchoring, reused by every range: an entry is valid only when its
 * stamp is the current range's, so a range costs time proportional to its size, not to the whole file.
 */
interface Scratch {
  stamp: Int32Array
  generation: number
  countA: Int32Array
  countB: Int32Array
  positionB: Int32Array
}

/**
 * The edit script turning `a` into `b`: patience-style anchoring (lines unique to both sides, kept in
 * order by a longest increasing subsequence) splits the problem; Myers diffs each gap between anchors.
 * Big insertions (a thousand new indexes) and scattered small edits both stay near-linear this way.
 */
function editScript(lines: Interned): Script {
  const { a, b } = lines
  const script = new Script(a.length + b.length)
  const size = lines.distinct
  const scratch: Scratch = {
    stamp: new Int32Array(size),
    generation: 0,
    countA: new Int32Array(size),
    countB: new Int32Array(size),
    positionB: new Int32Array(size)
  }
  diffRange(a, 0, a.length, b, 0, b.length, script, scratch)
  return script
}

function diffRange(
  a: Int32Array,
  aLo: number,
  aHi: number,
  b: Int32Array,
  bLo: number,
  bHi: number,
  script: Script,
  scratch: Scratch
): void {
  while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
    script.push(0, aLo)
    aLo++
    bLo++
  }
  let suffix = 0
  while (aHi - suffix > aLo && bHi - suffix > bLo && a[aHi - 1 - suffix] === b[bHi - 1 - suffix]) suffix++
  const tailStart = aHi - suffix
  const tailEnd = aHi
  aHi -= suffix
  bHi -= suffix

  if (aLo < aHi && bLo < bHi) {
    const anchors = uniqueAnchors(a, aLo, aHi, b, bLo, bHi, scratch)
    if (anchors.length === 0) {
      myers(a, aLo, aHi, b, bLo, bHi, script)
    } else {
      let x = aLo
      let y = bLo
      for (let p = 0; p < anchors.length; p += 2) {
        const ax = anchors[p]!
        const by = anchors[p + 1]!
        diffRange(a, x, ax, b, y, by, script, scratch)
        script.push(0, ax)
        x = ax + 1
        y = by + 1
      }
      diffRange(a, x, aHi, b, y, bHi, script, scratch)
    }
  } else {
    for (let i = aLo; i < aHi; i++) script.push(1, i)
    for (let j = bLo; j < bHi; j++) script.push(2, j)
  }
  for (let i = tailStart; i < tailEnd; i++) script.push(0, i)
}

/**
 * Lines that occur exactly once on each side, as flat [aIndex, bIndex, ...] pairs increasing on both
 * sides (a longest increasing subsequence of the pairs ordered by aIndex).
 */
function uniqueAnchors(
  a: Int32Array,
  aLo: number,
  aHi: number,
  b: Int32Array,
  bLo: number,
  bHi: number,
  scratch: Scratch
): number[] {
  const { stamp, countA, countB, positionB } = scratch
  const generation = ++scratch.generation
  for (let i = aLo; i < aHi; i++) {
    const id = a[i]!
    if (stamp[id] !== generation) {
      stamp[id] = generation
      countA[id] = 0
      countB[id] = 0
    }
    countA[id]!++
  }
  for (let j = bLo; j < bHi; j++) {
    const id = b[j]!
    if (stamp[id] !== generation || countA[id] !== 1) continue
    countB[id]!++
    positionB[id] = j
  }
  // Pairs ordered by their position in a: walk a's range and keep the lines unique on both sides.
  const firsts: number[] = []
  const seconds: number[] = []
  for (let i = aLo; i < aHi; i++) {
    const id = a[i]!
    if (countA[id] === 1 && countB[id] === 1) {
      firsts.push(i)
      seconds.push(positionB[id]!)
    }
  }
  return longestIncreasing(firsts, seconds)
}

/**
 * Longest subsequence of the pairs (firsts increasing) increasing in `seconds`: O(n log n). Flat
 * [first, second, ...] pairs.
 */
function longestIncreasing(firsts: readonly number[], seconds: readonly number[]): number[] {
  const count = firsts.length
  const tails: number[] = [] // index into the pairs of the smallest tail of each length
  const previous = new Int32Array(count).fill(-1)
  for (let i = 0; i < count; i++) {
    const value = seconds[i]!
    let lo = 0
    let hi = tails.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (seconds[tails[mid]!]! < value) lo = mid + 1
      else hi = mid
    }
    if (lo > 0) previous[i] = tails[lo - 1]!
    tails[lo] = i
  }
  const chain: number[] = []
  for (let i = tails.length > 0 ? tails[tails.length - 1]! : -1; i >= 0; i = previous[i]!) chain.push(i)
  const out: number[] = []
  for (let k = chain.length - 1; k >= 0; k--) out.push(firsts[chain[k]!]!, seconds[chain[k]!]!)
  return out
}

function replaceAll(aLo: number, aHi: number, bLo: number, bHi: number, script: Script): void {
  for (let i = aLo; i < aHi; i++) script.push(1, i)
  for (let j = bLo; j < bHi; j++) script.push(2, j)
}

/**
 * Myers' greedy shortest edit script of a[aLo, aHi) against b[bLo, bHi); falls back to a block
 * replacement beyond MAX_EDIT_DISTANCE.
 */
function myers(
  a: Int32Array,
  aLo: number,
  aHi: number,
  b: Int32Array,
  bLo: number,
  bHi: number,
  script: Script
): void {
  const n = aHi - aLo
  const m = bHi - bLo
  if (n === 0 || m === 0) {
    replaceAll(aLo, aHi, bLo, bHi, script)
    return
  }

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
      while (x < n && y < m && a[aLo + x] === b[bLo + y]) {
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
  if (found < 0) {
    replaceAll(aLo, aHi, bLo, bHi, script)
    return
  }

  // Walk back from the end, collecting ops in reverse, then append them in order.
  const reversedOps: Op[] = []
  const reversedAt: number[] = []
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
      reversedOps.push(0)
      reversedAt.push(aLo + x - 1)
      x--
      y--
    }
    if (d > 0) {
      if (x === prevX) {
        reversedOps.push(2)
        reversedAt.push(bLo + prevY)
      } else {
        reversedOps.push(1)
        reversedAt.push(aLo + prevX)
      }
    }
    x = prevX
    y = prevY
  }
  for (let i = reversedOps.length - 1; i >= 0; i--) script.push(reversedOps[i]!, reversedAt[i]!)
}
