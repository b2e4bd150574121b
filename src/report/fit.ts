// Fitting a report under a size limit. Pure.
//
// A report is a top, one section per object and a bottom. A section has a fixed head, lists whose rows can
// be capped (index changes, findings, probes), an optional diff and a one-line brief form. When the whole
// does not fit, `fitLayout` gives up detail in this order, each time leaving a pointer in place of what went:
//   1. diffs, largest first: cut to the lines that fit, or dropped;
//   2. list rows: one cap for every list, as high as fits;
//   3. objects: the last ones shrink to their one-line brief form, then the last brief lines go too.
// Lengths are additive (every part carries its own line breaks), so each step is arithmetic on parts
// rendered once, whatever the size of the input.

/** A list whose rows can be capped. */
export interface ListPart {
  /** Before the first row (a title, a table header). */
  head: string
  rows: string[]
  /** After the last row. */
  tail: string
  /** The pointer when `hidden` rows are left out: after the rows when some show, else in place of the list. */
  more: (hidden: number, shown: number) => string
}

/** A diff that can be cut to its first lines or dropped. */
export interface DiffPart {
  lines: string[]
  /** `kept` lines of `lines` shown (0: dropped); `lines.length - kept` lines are left out. */
  render: (kept: number) => string
}

export interface Section {
  head: string
  lists: ListPart[]
  diff?: DiffPart
  /** The one-line form, with its line break. */
  brief: string
}

export interface Layout {
  top: string
  sections: Section[]
  /** The pointer when `brief` sections show only their brief line and `hidden` are left out ('' for 0, 0). */
  objectsNote: (brief: number, hidden: number) => string
  bottom: string
  /** The last resort when not even the top and one brief line fit. */
  fallback: string
}

/** The largest n in [lo, hi] with `fits(n)` (`fits` true up to some n, false past it), or lo. */
function largest(lo: number, hi: number, fits: (n: number) => boolean): number {
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (fits(mid)) lo = mid
    else hi = mid - 1
  }
  return lo
}

/** The fewest diff characters worth keeping; a shorter cut drops the diff. */
const MIN_DIFF_KEEP = 1_000

interface ListMeasure {
  part: ListPart
  /** prefix[k]: measure of the first k rows. */
  prefix: number[]
  head: number
  tail: number
}

function measureList(part: ListPart, measure: (s: string) => number): ListMeasure {
  const prefix = [0]
  let sum = 0
  for (const r of part.rows) {
    sum += measure(r)
    prefix.push(sum)
  }
  return { part, prefix, head: measure(part.head), tail: measure(part.tail) }
}

function listLength(m: ListMeasure, cap: number, measure: (s: string) => number): number {
  const total = m.part.rows.length
  if (total === 0) return 0
  const shown = Math.min(cap, total)
  const more = shown < total ? measure(m.part.more(total - shown, shown)) : 0
  if (shown === 0) return more
  return m.head + m.prefix[shown]! + m.tail + more
}

function renderList(part: ListPart, cap: number): string {
  const total = part.rows.length
  if (total === 0) return ''
  const shown = Math.min(cap, total)
  const more = shown < total ? part.more(total - shown, shown) : ''
  if (shown === 0) return more
  return part.head + part.rows.slice(0, shown).join('') + part.tail + more
}

/** Renders a layout whole, or cut down to `budget` (as counted by `measure`: characters, bytes). */
export function fitLayout(layout: Layout, budget: number, measure: (s: string) => number): string {
  const { sections } = layout
  const n = sections.length
  const lists = sections.map(s => s.lists.map(l => measureList(l, measure)))
  const fixed = sections.map(s => measure(s.head))
  const briefLen = sections.map(s => measure(s.brief))
  const kept = sections.map(s => s.diff?.lines.length ?? 0)
  const diffLen = sections.map((s, i) => (s.diff ? measure(s.diff.render(kept[i]!)) : 0))
  const outer = measure(layout.top) + measure(layout.bottom)
  let cap = Number.POSITIVE_INFINITY

  const fullLen = (i: number, c: number): number =>
    fixed[i]! + diffLen[i]! + lists[i]!.reduce((sum, m) => sum + listLength(m, c, measure), 0)
  const render = (full: number, shown: number): string => {
    const parts = [layout.top]
    for (let i = 0; i < shown; i++) {
      const s = sections[i]!
      if (i >= full) {
        parts.push(s.brief)
        continue
      }
      parts.push(s.head, ...s.lists.map(l => renderList(l, cap)))
      if (s.diff) parts.push(s.diff.render(kept[i]!))
    }
    parts.push(layout.objectsNote(shown - full, n - shown), layout.bottom)
    return parts.join('')
  }
  const finish = (full: number, shown: number): string => {
    const text = render(full, shown)
    return measure(text) <= budget ? text : layout.fallback
  }

  let total = outer + sections.reduce((sum, _s, i) => sum + fullLen(i, cap), 0)
  if (total <= budget) return render(n, n)

  // 1. Diffs, largest first.
  const bySize = sections.map((_s, i) => i).sort((a, b) => diffLen[b]! - diffLen[a]!)
  for (const i of bySize) {
    if (total <= budget) return render(n, n)
    const diff = sections[i]!.diff
    if (!diff || kept[i] === 0) continue
    const allowed = diffLen[i]! - (total - budget)
    // The most lines whose rendering fits in `allowed` (none when not even a useful excerpt would).
    let hi = 0
    if (allowed >= MIN_DIFF_KEEP) {
      // Lines past `allowed` on their own can never fit: search only below them.
      for (let sum = 0; hi < kept[i]!; hi++) {
        sum += measure(diff.lines[hi]!) + 1
        if (sum > allowed) break
      }
    }
    const lo = largest(0, hi, k => measure(diff.render(k)) <= allowed)
    const keptChars = diff.lines.slice(0, lo).reduce((sum, l) => sum + measure(l), 0)
    kept[i] = keptChars >= MIN_DIFF_KEEP ? lo : 0
    const len = measure(diff.render(kept[i]))
    total += len - diffLen[i]!
    diffLen[i] = len
  }
  if (total <= budget) return render(n, n)

  // 2. One cap on every list.
  const totalAt = (c: number, full: number): number => {
    let sum = outer
    for (let i = 0; i < full; i++) sum += fullLen(i, c)
    return sum
  }
  const briefFrom = (from: number, to: number): number => {
    let sum = 0
    for (let i = from; i < to; i++) sum += briefLen[i]!
    return sum
  }
  const largestCap = (full: number, room: number): number => {
    const maxRows = Math.max(0, ...lists.slice(0, full).flatMap(ms => ms.map(m => m.part.rows.length)))
    return largest(0, maxRows, c => totalAt(c, full) <= room)
  }
  if (totalAt(0, n) <= budget) {
    cap = largestCap(n, budget)
    return finish(n, n)
  }

  // 3. Objects: the last ones go brief, then the last brief lines go.
  cap = 0
  const withFull = (full: number): number =>
    totalAt(0, full) + briefFrom(full, n) + measure(layout.objectsNote(n - full, 0))
  const full = largest(0, n, f => withFull(f) <= budget)
  if (withFull(full) <= budget) {
    const rest = briefFrom(full, n) + measure(layout.objectsNote(n - full, 0))
    cap = largestCap(full, budget - rest)
    return finish(full, n)
  }
  const withShown = (shown: number): number =>
    outer + briefFrom(0, shown) + measure(layout.objectsNote(shown, n - shown))
  const shown = largest(0, n, s => withShown(s) <= budget)
  if (withShown(shown) <= budget) return finish(0, shown)
  return layout.fallback
}
