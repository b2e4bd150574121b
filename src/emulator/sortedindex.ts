// An index as a real database keeps one: record positions sorted by their composite key, searched with
// binary search for the equality range of a key prefix (the access path a B-tree gives, flattened).

/** A key component: values are compared by kind first (null < boolean < number < string), then by value. */
export type Scalar = string | number | boolean | null

function rank(v: Scalar): number {
  if (v === null) return 0
  switch (typeof v) {
    case 'boolean':
      return 1
    case 'number':
      return 2
    default:
      return 3
  }
}

export function compareScalar(a: Scalar, b: Scalar): number {
  const ra = rank(a)
  const rb = rank(b)
  if (ra !== rb) return ra - rb
  if (a === b || a === null || b === null) return 0
  return a < b ? -1 : 1
}

/** Any stored value as a key component: objects and arrays by their JSON text, missing as null. */
export function toScalar(v: unknown): Scalar {
  if (v === undefined || v === null) return null
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v
  return JSON.stringify(v)
}

export interface SortedIndex {
  /** +1 ascending, -1 descending, per key component. */
  readonly directions: readonly number[]
  /** Record positions in key order. */
  readonly positions: Int32Array
  /** The key of each entry, aligned with `positions`. */
  readonly keys: readonly Scalar[][]
}

function compareKeys(
  a: readonly Scalar[],
  b: readonly Scalar[],
  directions: readonly number[],
  n: number
): number {
  for (let i = 0; i < n; i++) {
    const c = compareScalar(a[i] ?? null, b[i] ?? null)
    if (c !== 0) return c * (directions[i] ?? 1)
  }
  return 0
}

/** Builds the index over `count` records whose keys `keyOf(position)` returns. Ties keep record order. */
export function buildSortedIndex(
  count: number,
  keyOf: (position: number) => Scalar[],
  directions: readonly number[]
): SortedIndex {
  const byPosition: Scalar[][] = new Array<Scalar[]>(count)
  for (let p = 0; p < count; p++) byPosition[p] = keyOf(p)
  const order = Array.from({ length: count }, (_, p) => p)
  const n = directions.length
  order.sort((a, b) => compareKeys(byPosition[a]!, byPosition[b]!, directions, n) || a - b)
  return {
    directions,
    positions: Int32Array.from(order),
    keys: order.map(p => byPosition[p]!)
  }
}

/** The entries [lo, hi) whose key starts with `prefix` (binary search, two probes of log2(n) steps). */
export function equalRange(index: SortedIndex, prefix: readonly Scalar[]): { lo: number; hi: number } {
  const n = prefix.length
  const cmp = (i: number): number => compareKeys(index.keys[i]!, prefix, index.directions, n)
  let lo = 0
  let hi = index.keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (cmp(mid) < 0) lo = mid + 1
    else hi = mid
  }
  const start = lo
  hi = index.keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (cmp(mid) <= 0) lo = mid + 1
    else hi = mid
  }
  return { lo: start, hi: lo }
}

/** The first two neighbouring entries with the same full key and no null component, for a unique index. */
export function firstDuplicate(index: SortedIndex): { a: number; b: number; key: Scalar[] } | undefined {
  const n = index.directions.length
  for (let i = 1; i < index.keys.length; i++) {
    const prev = index.keys[i - 1]!
    const key = index.keys[i]!
    if (key.includes(null)) continue
    if (compareKeys(prev, key, index.directions, n) === 0) {
      return { a: index.positions[i - 1]!, b: index.positions[i]!, key }
    }
  }
  return undefined
}
