// What the PR comment, the job summary and the drift issue say about a run and each object: the verdicts,
// the facts, the index change table, the findings, the probes, the drift and the footer. Pure; every outside
// string is clipped and escaped here.
import type { DeployOutcomeKind, Finding, IndexState, Mode, ObjectResult, ProbeResult } from '../model.js'
import { usedItsIndex } from '../plan/probes.js'
import {
  blobUrl,
  clip,
  code,
  commitUrl,
  escapeText,
  formatNumber,
  type GitHubLinks,
  link,
  plural,
  row,
  runUrl
} from './markdown.js'

/** Longest object name, index name, field name or file path shown inline. */
export const MAX_NAME = 120
/** Longest message shown. */
const MAX_MESSAGE = 1_000
/** Longest server text shown (status reasons, probe errors). */
const MAX_REASON = 300
/** Most names listed inline (fields of an index, dropped indexes). */
const MAX_LISTED = 8

export function errorCount(r: ObjectResult): number {
  return r.findings.filter(f => f.severity === 'error').length
}

export function warningCount(r: ObjectResult): number {
  return r.findings.filter(f => f.severity === 'warning').length
}

/** How a deploy ended: the recipe's `outcome`, else what the result shows. */
export function outcomeOf(r: ObjectResult): DeployOutcomeKind {
  if (r.outcome !== undefined) return r.outcome
  if (errorCount(r) > 0 && r.error === undefined) return 'blocked'
  if (r.rolledBack !== undefined && r.rolledBack.length > 0) return 'rolled-back'
  if (r.error !== undefined || r.rebuild.status === 'failed' || r.rebuild.status === 'timeout')
    return 'failed'
  return r.changed ? 'deployed' : 'unchanged'
}

/** The object fails its step: a fatal error, an error finding, or a deploy that did not land. */
export function isBlocked(r: ObjectResult): boolean {
  if (r.mode === 'deploy') return ['blocked', 'failed', 'rolled-back'].includes(outcomeOf(r))
  return r.error !== undefined || errorCount(r) > 0
}

/** Failing objects first, then those with warnings or drift, then the clean ones; otherwise as given. */
export function byAttention(results: readonly ObjectResult[]): ObjectResult[] {
  const rank = (r: ObjectResult): number =>
    isBlocked(r) ? 0 : warningCount(r) > 0 || r.drifted === true || !r.live ? 1 : 2
  return results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map(x => x.r)
}

export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id
}

function name(text: string, inTable = false): string {
  return code(clip(text, MAX_NAME), inTable)
}

/** `Ticket (`0b4f0ac2…`)`, or the id alone when the name is unknown. */
export function objectLabel(r: ObjectResult): string {
  const id = name(shortId(r.customObjectId))
  return r.objectName ? `${escapeText(clip(r.objectName, MAX_NAME))} (${id})` : id
}

/** "`a`, `b`, … 3 more" */
function nameList(names: readonly string[], inTable = false): string {
  const shown = names.slice(0, MAX_LISTED).map(n => name(n, inTable))
  if (names.length > shown.length) shown.push(`… ${formatNumber(names.length - shown.length)} more`)
  return shown.join(', ')
}

function counts(errors: number, warnings: number): string {
  return `${plural(errors, 'error', 'errors')}, ${plural(warnings, 'warning', 'warnings')}`
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
  add(r.diff.removed.length, 'dropped')
  return parts.length === 0 ? 'no index changes' : parts.join(', ')
}

export const TITLES: Record<Mode, string> = {
  validate: 'Custom-object index check',
  publish: 'Custom-object index check',
  plan: 'Custom-object index plan',
  deploy: 'Custom-object index deploy',
  drift: 'Custom-object index drift'
}

const OUTCOME_WORDS: [DeployOutcomeKind, string][] = [
  ['failed', 'failed'],
  ['rolled-back', 'rolled back'],
  ['blocked', 'blocked'],
  ['deployed', 'deployed'],
  ['unchanged', 'unchanged']
]

/** The run's verdict, read first: pass, blocked, file checks only; deployed, failed; drift. */
export function runVerdict(results: readonly ObjectResult[], mode: Mode): string {
  const n = results.length
  if (n === 0) return 'ℹ️ no index files were checked'
  const objects = plural(n, 'object', 'objects')
  const tally = counts(
    results.reduce((s, r) => s + errorCount(r), 0),
    results.reduce((s, r) => s + warningCount(r), 0)
  )
  const failed = results.filter(isBlocked).length
  if (mode === 'deploy') {
    const outcomes = OUTCOME_WORDS.map(([kind, word]) => {
      const count = results.filter(r => outcomeOf(r) === kind).length
      return count === 0 ? '' : `${formatNumber(count)} ${word}`
    }).filter(s => s !== '')
    if (failed > 0) return `❌ failed — ${outcomes.join(', ')}`
    if (results.some(r => outcomeOf(r) === 'deployed')) return `✅ deployed — ${outcomes.join(', ')}`
    return `✅ unchanged — nothing to deploy (${objects})`
  }
  if (mode === 'drift') {
    const drifted = results.filter(r => r.drifted === true).length
    const drift = drifted > 0 ? `, drift in ${formatNumber(drifted)}` : ''
    if (failed > 0) return `❌ ${formatNumber(failed)} of ${objects} could not be checked${drift}`
    if (drifted > 0) return `⚠️ drift in ${formatNumber(drifted)} of ${objects}`
    return `✅ no drift — ${objects} match their files`
  }
  if (failed > 0) return `❌ blocked — ${formatNumber(failed)} of ${objects}, ${tally}`
  const offline = results.filter(r => !r.live).length
  if (offline > 0) {
    const some = offline < n ? ` (${formatNumber(offline)} of ${objects})` : ''
    return `⚠️ file checks only — not compared with the live schema${some}, ${tally}`
  }
  return `✅ pass — ${objects}, ${tally}`
}

/** One object's verdict, e.g. `✅ Ticket (…) — 1 index added, 0 errors, 2 warnings`. */
export function objectVerdict(r: ObjectResult): string {
  const label = objectLabel(r)
  const errors = errorCount(r)
  const warnings = warningCount(r)
  if (r.error !== undefined) return `❌ ${label} — failed: ${escapeText(clip(r.error, 200))}`
  if (r.mode === 'deploy') {
    const outcome = outcomeOf(r)
    if (outcome === 'deployed') {
      const version = r.schemaVersion !== undefined ? ` as schema version ${r.schemaVersion}` : ''
      return `✅ ${label} — deployed${version}: ${changeSummary(r)}`
    }
    if (outcome === 'unchanged') return `✅ ${label} — unchanged: the live schema already matches the file`
    if (outcome === 'blocked') return `❌ ${label} — blocked: ${plural(errors, 'error', 'errors')}`
    if (outcome === 'rolled-back') {
      const names = nameList((r.rolledBack ?? []).map(x => x.index))
      return `❌ ${label} — rolled back: ${names} failed to build and ${r.rolledBack?.length === 1 ? 'was' : 'were'} dropped`
    }
    const reason = r.rebuild.reason !== undefined ? `: ${escapeText(clip(r.rebuild.reason, 200))}` : ''
    return `❌ ${label} — deploy failed: rebuild ${r.rebuild.status}${reason}`
  }
  if (r.mode === 'drift') {
    const d = r.drift
    const kinds = d
      ? (['missing', 'changed', 'failed'] as const)
          .filter(k => d[k].length > 0)
          .map(k => `${formatNumber(d[k].length)} ${k}`)
      : []
    if (r.drifted === true) return `⚠️ ${label} — drift: ${kinds.join(', ') || 'unmanaged indexes (prune)'}`
    return `✅ ${label} — no drift`
  }
  const offline = r.live ? '' : ' — file checks only'
  if (errors > 0) {
    const blocks = `${plural(errors, 'error blocks', 'errors block')} the deploy`
    return `❌ ${label} — ${blocks}, ${plural(warnings, 'warning', 'warnings')}${offline}`
  }
  if (!r.live) {
    return `⚠️ ${label} — file checks only, not compared with the live schema: ${counts(errors, warnings)}`
  }
  return `✅ ${label} — ${changeSummary(r)}, ${counts(errors, warnings)}`
}

function orderOf(s: IndexState): string[] {
  return s.fields.map((_f, i) => s.order?.[i] ?? 'asc')
}

/** How a definition changed: fields, order, unique (compared as the merge does). */
function definitionChanges(before: IndexState, after: IndexState): string[] {
  const changes: string[] = []
  if (before.fields.join('\u0000') !== after.fields.join('\u0000')) changes.push('fields changed')
  // Order compared position by position, a missing one ascending: a longer index is not a new order.
  const n = Math.max(before.fields.length, after.fields.length)
  const order = (s: IndexState): string => Array.from({ length: n }, (_v, i) => s.order?.[i] ?? 'asc').join()
  if (order(before) !== order(after)) changes.push('order changed')
  if ((before.unique ?? false) !== (after.unique ?? false)) {
    changes.push(after.unique ? 'unique added' : 'unique removed')
  }
  return changes
}

function stateOf(states: readonly IndexState[], index: string): IndexState | undefined {
  return states.find(s => s.name === index)
}

/** The change of one index, spelled out (icon, words): added, fields changed, dropped by prune, unchanged… */
export function indexChange(r: ObjectResult, index: string): [string, string] {
  if (r.diff.removed.includes(index)) return ['➖', 'dropped by prune']
  if (r.diff.added.includes(index)) return ['➕', 'added']
  if (r.diff.unmanaged.includes(index)) return ['⚪', 'unmanaged, kept']
  if (!r.diff.modified.includes(index)) return ['', 'unchanged']
  const before = stateOf(r.indexesBefore, index)
  const after = stateOf(r.indexesAfter, index)
  const changes = before && after ? definitionChanges(before, after) : []
  return ['✏️', changes.length > 0 ? changes.join(', ') : 'modified']
}

/** Without a live schema nothing can be compared: the file's indexes are listed as they are. */
export function fileOnly(r: ObjectResult): boolean {
  return !r.live && r.indexesBefore.length === 0
}

function beforeAfter(before: string | undefined, after: string | undefined): string {
  if (before === undefined || after === undefined || before === after) return after ?? before ?? '—'
  return `${before} → ${after}`
}

function statusText(s: IndexState | undefined): string | undefined {
  if (s?.status === undefined) return undefined
  const reason = s.statusReason !== undefined ? `: ${escapeText(clip(s.statusReason, MAX_REASON))}` : ''
  return `${s.status}${reason}`
}

/** Index change table rows: name, change, fields, order, unique, status (before → after). */
export function changeRows(r: ObjectResult): string[] {
  const { added, modified, removed, unmanaged } = r.diff
  const states = [...r.indexesAfter, ...r.indexesBefore].map(s => s.name)
  const names = [...new Set([...states, ...added, ...modified, ...removed, ...unmanaged])]
  const deployed = r.mode === 'deploy' && r.indexesAfter.length > 0
  return names.map(index => {
    const before = stateOf(r.indexesBefore, index)
    const after = stateOf(r.indexesAfter, index)
    const [icon, change] = fileOnly(r) ? ['', 'in the file'] : indexChange(r, index)
    const text = (s: IndexState | undefined, f: (s: IndexState) => string): string | undefined =>
      s === undefined ? undefined : f(s)
    const fields = (s: IndexState): string => nameList(s.fields, true)
    const unique = (s: IndexState): string => (s.unique ? 'yes' : 'no')
    const order = (s: IndexState): string => orderOf(s).join(', ')
    let status = statusText(after)
    if (!deployed && icon === '➕') status = 'built on deploy'
    else if (!deployed && icon === '✏️') status = 'rebuilt on deploy'
    else if (after === undefined && before !== undefined) status = deployed ? 'dropped' : 'dropped on deploy'
    return row([
      name(index, true),
      icon ? `${icon} ${change}` : change,
      beforeAfter(text(before, fields), text(after, fields)),
      beforeAfter(text(before, order), text(after, order)),
      beforeAfter(text(before, unique), text(after, unique)),
      beforeAfter(statusText(before), status)
    ])
  })
}

/** "rebuild: about 100,000 records × 2 indexes" */
function estimateText(r: ObjectResult): string | undefined {
  const e = r.rebuildEstimate
  if (e === undefined) return undefined
  return `rebuild: about ${plural(e.records, 'record', 'records')} × ${plural(e.indexes, 'index', 'indexes')}`
}

/** A banner when objects drop indexes: each object's dropped names, after its name when `named`. */
export function dropBanner(objects: readonly ObjectResult[], named: boolean): string {
  const dropping = objects.filter(r => r.diff.removed.length > 0)
  if (dropping.length === 0) return ''
  const count = dropping.reduce((n, r) => n + r.diff.removed.length, 0)
  const verb = dropping[0]!.mode === 'deploy' ? 'This deploy dropped' : 'Deploying this drops'
  const names = dropping
    .slice(0, MAX_LISTED)
    .map(
      r =>
        `${named ? `${escapeText(clip(r.objectName ?? r.customObjectId, 40))}: ` : ''}${nameList(r.diff.removed)}`
    )
  if (dropping.length > MAX_LISTED)
    names.push(`… ${plural(dropping.length - MAX_LISTED, 'more object', 'more objects')}`)
  return (
    `> [!CAUTION]\n> ${verb} ${plural(count, 'index', 'indexes')}: ${names.join('; ')} ` +
    '(`prune: true`). Queries that use a dropped index fall back to a full scan.\n\n'
  )
}

/**
 * The lines under an object's heading: where it is, its versions, rebuild, review, and its warnings (the drop
 * banner too when the report has several objects; with one, the report's own banner says it).
 */
export function facts(r: ObjectResult, links: GitHubLinks, banner: boolean): string {
  const file = link(code(clip(r.file, MAX_NAME * 2)), blobUrl(links, r.file))
  const lines = [`Object ${name(r.customObjectId)} · file ${file}`]
  const hash = r.payloadHash !== undefined ? `payload hash ${code(r.payloadHash.slice(0, 12))}` : ''
  const sentence = (...parts: string[]): string => {
    const line = parts.filter(p => p !== '').join(' · ')
    return `${line.charAt(0).toUpperCase()}${line.slice(1)}`
  }
  if (r.mode === 'deploy') {
    const versions = `schema version ${r.basedOnVersion ?? '?'} → ${r.schemaVersion ?? '?'}`
    const reason = r.rebuild.reason !== undefined ? `: ${escapeText(clip(r.rebuild.reason, MAX_REASON))}` : ''
    const seconds = r.rebuild.status === 'skipped' ? '' : ` in ${formatNumber(r.rebuild.seconds)} s`
    const audit = r.auditAction !== undefined ? ` (${r.auditAction})` : ''
    lines.push(sentence(hash, versions, `rebuild ${r.rebuild.status}${seconds}${reason}`))
    lines.push(`Audit record${audit} delivered: ${r.audit}`)
  } else if (r.live) {
    const version = r.basedOnVersion !== undefined ? `checked against schema version ${r.basedOnVersion}` : ''
    if (hash || version) lines.push(sentence(hash, version))
  }
  const review = r.review
  if (review !== undefined) {
    const pr = review.pullRequest !== null ? ` on PR #${review.pullRequest}` : ''
    const reviewed = review.payloadHash !== null ? code(review.payloadHash.slice(0, 12)) : ''
    if (review.matched === true) lines.push(`Review: the document sent is the one reviewed${pr}`)
    else if (review.matched === false) lines.push(`Review: ⚠️ differs from the reviewed ${reviewed}${pr}`)
    else lines.push('Review: no reviewed payload hash was found (or `require-review: off`)')
  }
  for (const x of r.rolledBack ?? []) {
    lines.push(`Rolled back: ${name(x.index)} (${escapeText(clip(x.statusReason, MAX_REASON))})`)
  }
  const estimate = estimateText(r)
  if (estimate !== undefined) {
    const built = [...r.diff.added, ...r.diff.modified].map(i => `${name(i)} ${indexChange(r, i)[1]}`)
    const shown = built.slice(0, MAX_LISTED).join(', ')
    lines.push(sentence(`${estimate}${shown ? ` (${shown})` : ''}`))
  }
  let text = lines.join('  \n') + '\n\n'
  if (r.error !== undefined) text += `> ❌ ${escapeText(clip(r.error, 2_000))}\n\n`
  else if (!r.live && r.mode !== 'drift') {
    text +=
      '> ⚠️ File checks only — not compared with the live schema: no client credentials were given (a fork ' +
      'PR gets no secrets). The checks against the live schema run on a branch of this repository.\n\n'
  }
  return text + (banner && r.mode !== 'drift' ? dropBanner([r], false) : '')
}

/** Errors first, otherwise as found. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => (a.f.severity === b.f.severity ? a.i - b.i : a.f.severity === 'error' ? -1 : 1))
    .map(x => x.f)
}

export const FINDING_COLUMNS = ['Severity', 'Rule', 'Location', 'Message']

/** A finding as a table row; its location links to the file at the head commit. */
export function findingRow(f: Finding, r: ObjectResult, links: GitHubLinks): string {
  const at = f.file === undefined ? undefined : f.line === undefined ? f.file : `${f.file}:${f.line}`
  const where =
    at === undefined ? [] : [link(code(clip(at, MAX_NAME * 2), true), blobUrl(links, f.file!, f.line))]
  const subject = [f.index, f.field].filter(x => x !== undefined).map(x => name(x, true))
  const location = [...where, subject.join(' · ')].filter(s => s !== '').join('<br>')
  const estimate = f.rule === 'unique-on-low-cardinality' ? estimateText(r) : undefined
  return row([
    f.severity === 'error' ? '❌ error' : '⚠️ warning',
    code(f.rule, true),
    location || ' ',
    `${escapeText(clip(f.message, MAX_MESSAGE))}${estimate !== undefined ? ` (${estimate})` : ''}`
  ])
}

/** `status = "open", priority = 2` */
function probeQuery(p: ProbeResult): string {
  const terms = Object.entries(p.values).map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
  return clip(terms.join(', '), MAX_NAME * 2)
}

/** "full scan, 100,000 records examined, 120 ms", or the failure. */
function planText(p: ProbeResult): string {
  if (p.error !== undefined) return `❌ failed: ${escapeText(clip(p.error, MAX_REASON))}`
  const via = p.strategy === 'index' && p.indexName ? `index ${name(p.indexName, true)}` : 'full scan'
  return `${via}, ${plural(p.recordsExamined, 'record', 'records')} examined, ${formatNumber(Math.round(p.latencyMs))} ms`
}

function predictedText(p: ProbeResult): string {
  const q = p.predicted
  if (q === undefined) return '—'
  if (q.strategy !== 'index' || !q.indexName) return '⚠️ full scan'
  return `${q.indexName === p.index ? '✅' : '⚠️'} index ${name(q.indexName, true)}`
}

export function probeColumns(r: ObjectResult): string[] {
  return r.mode === 'deploy'
    ? ['Index', 'Query', 'Before the deploy', 'After the deploy', 'Used its index']
    : ['Index', 'Query', 'Today', 'After deploy']
}

/** Probe rows: today beside the predicted plan, or (deploy) before, after and whether it used its index. */
export function probeRows(r: ObjectResult): string[] {
  const key = (p: ProbeResult): string => `${p.index}\u0000${JSON.stringify(p.values)}`
  const deploy = r.mode === 'deploy'
  const all = deploy ? [...r.baselineProbes, ...r.probes] : r.baselineProbes
  return [...new Set(all.map(key))].map(k => {
    const before = r.baselineProbes.find(p => key(p) === k)
    const after = deploy ? r.probes.find(p => key(p) === k) : undefined
    const p = (after ?? before)!
    const placeholder = p.placeholder ? ' (placeholder values: they prove the plan, not the data)' : ''
    const cells = [name(p.index, true), `${code(probeQuery(p), true)}${placeholder}`]
    if (!deploy) return row([...cells, planText(p), predictedText(p)])
    const used = after === undefined ? '—' : usedItsIndex(after) ? '✅ yes' : '❌ no'
    return row([...cells, before ? planText(before) : '—', after ? planText(after) : '—', used])
  })
}

/**
 * Drift rows (docs/rules.md#drift-detection): missing, changed, failed; unmanaged as information unless
 * `prune` made it drift.
 */
export function driftRows(r: ObjectResult): string[] {
  const d = r.drift
  if (d === undefined) return []
  // Unmanaged indexes are drift only under `prune: true`: the merge then lists them as removed, or they are
  // the only thing that can have made the object drift.
  const pruned =
    r.drifted === true &&
    (r.diff.removed.length > 0 || d.missing.length + d.changed.length + d.failed.length === 0)
  const rows = (names: string[], kind: string, detail: (index: string) => string): string[] =>
    names.map(index => row([name(index, true), kind, detail(index)]))
  const changed = (index: string): string => {
    const live = stateOf(r.indexesBefore, index)
    const file = stateOf(r.indexesAfter, index)
    if (!live || !file) return 'the live definition differs from the file'
    const what = definitionChanges(live, file).join(', ') || 'definition differs'
    return `${what}: live ${nameList(live.fields, true)}, file ${nameList(file.fields, true)}`
  }
  return [
    ...rows(d.missing, '➕ missing', () => 'in the file, not live'),
    ...rows(d.changed, '✏️ changed', changed),
    ...rows(d.failed, '❌ failed', i => statusText(stateOf(r.indexesBefore, i)) ?? 'failed'),
    ...rows(d.unmanaged, pruned ? '➖ unmanaged' : 'ℹ️ unmanaged', () =>
      pruned
        ? 'live, not in the file, and the file has `prune: true`: a deploy drops it'
        : 'live, not in the file: kept (information, not drift)'
    )
  ]
}

/**
 * The footer (docs/rules.md#deploy-what-was-reviewed): the commit, the run, the time (UTC) and each object's
 * payload hash.
 */
export function footer(results: readonly ObjectResult[], links: GitHubLinks, time?: Date): string {
  const parts: string[] = []
  if (links.headSha) parts.push(`Commit ${link(code(links.headSha.slice(0, 7)), commitUrl(links))}`)
  const run = runUrl(links)
  if (run !== undefined) parts.push(link(`run ${links.runId}`, run))
  if (time !== undefined && !Number.isNaN(time.getTime())) {
    const iso = time.toISOString()
    parts.push(`${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`)
  }
  const hashes = results
    .filter(r => r.payloadHash !== undefined)
    .map(
      r =>
        `${escapeText(clip(r.objectName ?? shortId(r.customObjectId), 40))} ${code(r.payloadHash!.slice(0, 12))}`
    )
  if (hashes.length > 0)
    parts.push(`payload ${hashes.length === 1 ? 'hash' : 'hashes'}: ${hashes.join(', ')}`)
  return parts.length === 0 ? '' : `\n---\n\n${parts.join(' · ')}\n`
}
