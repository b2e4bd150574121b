// The pieces both the PR comment and the job summary say about an object: its verdict, its index changes,
// its findings and its probe plans. Pure; every user-controlled string is escaped here.
import type { Finding, IndexState, ObjectResult, ProbeResult } from '../model.js'
import { cell, clip, code, escapeText, formatNumber, plural, row, tableHead } from './markdown.js'

/** Longest object name, index name, field name or file path shown inline. */
export const MAX_NAME = 120
/** Longest message shown in a table cell. */
export const MAX_MESSAGE = 1_000

export function errorCount(r: ObjectResult): number {
  return r.findings.filter(f => f.severity === 'error').length
}

export function warningCount(r: ObjectResult): number {
  return r.findings.filter(f => f.severity === 'warning').length
}

/** An object fails when it has a fatal error or an error finding. */
export function isBlocked(r: ObjectResult): boolean {
  return r.error !== undefined || errorCount(r) > 0
}

/** Blocked objects first, then those with warnings, then the clean ones; otherwise as given. */
export function byAttention(results: readonly ObjectResult[]): ObjectResult[] {
  const rank = (r: ObjectResult): number => (isBlocked(r) ? 0 : warningCount(r) > 0 ? 1 : 2)
  return results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map(x => x.r)
}

export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id
}

/** `Ticket (`0b4f0ac2…`)`, or the id alone when the name is unknown. */
export function objectLabel(r: ObjectResult): string {
  const id = code(clip(shortId(r.customObjectId), MAX_NAME))
  return r.objectName ? `${escapeText(clip(r.objectName, MAX_NAME))} (${id})` : id
}

/** "1 index added, 2 modified" or "no index changes". */
export function changeSummary(r: ObjectResult): string {
  const parts: string[] = []
  const add = (count: number, verb: string): void => {
    if (count === 0) return
    // The noun goes with the first count only: "1 index added, 2 modified".
    parts.push(`${parts.length === 0 ? plural(count, 'index', 'indexes') : formatNumber(count)} ${verb}`)
  }
  add(r.diff.added.length, 'added')
  add(r.diff.modified.length, 'modified')
  add(r.diff.removed.length, 'removed')
  return parts.length === 0 ? 'no index changes' : parts.join(', ')
}

export const FILE_ONLY_NOTE = 'file-only checks: no client credentials (fork PR?)'

/** The verdict after the icon, e.g. `Ticket (…) — 1 index added, 0 errors, 2 warnings`. */
export function verdict(r: ObjectResult): string {
  const errors = errorCount(r)
  const warnings = warningCount(r)
  const label = objectLabel(r)
  const offline = !r.live && r.error === undefined ? ` — ${FILE_ONLY_NOTE}` : ''
  if (r.error !== undefined) return `❌ ${label} — failed: ${escapeText(clip(r.error, 200))}`
  if (errors > 0) {
    const blocks = `${plural(errors, 'error blocks', 'errors block')} the deploy`
    return `❌ ${label} — ${blocks}${warnings > 0 ? `, ${plural(warnings, 'warning', 'warnings')}` : ''}${offline}`
  }
  const counts = `${plural(errors, 'error', 'errors')}, ${plural(warnings, 'warning', 'warnings')}`
  const changes = r.live ? `${changeSummary(r)}, ` : ''
  const deployed =
    r.mode === 'deploy' && r.changed && r.schemaVersion !== undefined
      ? `, deployed as schema version ${r.schemaVersion}`
      : ''
  return `✅ ${label} — ${changes}${counts}${deployed}${offline}`
}

function fieldsOf(states: readonly IndexState[], name: string): string[] | undefined {
  return states.find(s => s.name === name)?.fields
}

function fieldList(fields: readonly string[] | undefined): string {
  if (fields === undefined) return ''
  const shown = fields.slice(0, 8).map(f => code(clip(f, MAX_NAME)))
  if (fields.length > shown.length) shown.push(`… ${formatNumber(fields.length - shown.length)} more`)
  return ` (${shown.join(', ')})`
}

/** Without a live schema nothing can be compared: the file's indexes are listed as they are. */
function fileOnly(r: ObjectResult): boolean {
  return !r.live && r.indexesBefore.length === 0
}

export function changesTitle(r: ObjectResult): string {
  return fileOnly(r) ? 'Indexes in the file (not compared with the live schema)' : 'Index changes'
}

/** One list item per index change: added, modified, removed, unmanaged, with their fields. */
export function changeItems(r: ObjectResult): string[] {
  const { added, modified, removed, unmanaged } = r.diff
  const name = (n: string): string => code(clip(n, MAX_NAME))
  const items: string[] = []
  if (fileOnly(r)) {
    for (const s of r.indexesAfter) items.push(`- ${name(s.name)}${fieldList(s.fields)}\n`)
    return items
  }
  for (const n of added) items.push(`- ➕ added ${name(n)}${fieldList(fieldsOf(r.indexesAfter, n))}\n`)
  for (const n of modified) {
    const before = fieldsOf(r.indexesBefore, n)
    const after = fieldsOf(r.indexesAfter, n)
    const change = before && after ? `${fieldList(before)} →${fieldList(after)}` : fieldList(after ?? before)
    items.push(`- ✏️ modified ${name(n)}${change}: unusable by queries while it rebuilds\n`)
  }
  for (const n of removed) items.push(`- ➖ removed ${name(n)}${fieldList(fieldsOf(r.indexesBefore, n))}\n`)
  for (const n of unmanaged) {
    items.push(
      `- ⚪ unmanaged ${name(n)}${fieldList(fieldsOf(r.indexesBefore, n))}: kept, not in the index file\n`
    )
  }
  return items
}

/** Errors first, otherwise as found. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => (a.f.severity === b.f.severity ? a.i - b.i : a.f.severity === 'error' ? -1 : 1))
    .map(x => x.f)
}

export function location(f: Finding): string | undefined {
  if (f.file === undefined) return undefined
  return f.line === undefined ? f.file : `${f.file}:${f.line}`
}

export const FINDINGS_HEAD = tableHead(['Severity', 'Rule', 'Index', 'Field', 'Message', 'Location'])

function codeCell(text: string | undefined): string {
  return text === undefined || text === '' ? ' ' : code(clip(text, MAX_NAME), true)
}

export function findingRow(f: Finding): string {
  return row([
    f.severity === 'error' ? '❌ error' : '⚠️ warning',
    codeCell(f.rule),
    codeCell(f.index),
    codeCell(f.field),
    cell(clip(f.message, MAX_MESSAGE)),
    codeCell(location(f) === undefined ? undefined : clip(location(f)!, MAX_NAME * 2))
  ])
}

/** `status = open, priority = 2` */
export function probeQuery(p: ProbeResult): string {
  const terms = Object.entries(p.values).map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
  return clip(terms.join(', '), MAX_NAME * 2)
}

/** "index `idx_a`" / "full scan", with records examined (`when`: e.g. " today") and latency. */
export function probePlan(p: ProbeResult, when = ''): string {
  const via = p.indexUsed
    ? `index ${code(clip(p.indexName ?? p.index, MAX_NAME))}`
    : p.strategy === 'index' && p.indexName
      ? `another index, ${code(clip(p.indexName, MAX_NAME))}`
      : 'full scan'
  const records = plural(p.recordsExamined, 'record', 'records')
  return `${via}, ${records} examined${when}, ${formatNumber(Math.round(p.latencyMs))} ms`
}

/** A list item of today's probe plan (validate) or the plan before a deploy. */
export function baselineItem(p: ProbeResult, today: boolean): string {
  const query = probeQuery(p)
  const q = query === '' ? '' : ` (${code(query)})`
  return `- ${code(clip(p.index, MAX_NAME))}${q}: ${probePlan(p, today ? ' today' : '')}\n`
}

/** A list item of a probe after the deploy: whether it used its index. */
export function probeItem(p: ProbeResult): string {
  const query = probeQuery(p)
  const q = query === '' ? '' : ` (${code(query)})`
  const icon = p.indexUsed ? '✅ index used' : '⚠️ index not used'
  return `- ${code(clip(p.index, MAX_NAME))}${q}: ${icon}: ${probePlan(p)}\n`
}
