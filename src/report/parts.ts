// What the PR comment, the job summary and the drift issue say about each object: the facts, the index
// change table, the findings, the probes, the drift and the footer (the verdicts are in modes.ts). Pure;
// every outside string is clipped and escaped here.
import type { Finding, IndexState, ObjectResult, ProbeResult } from '../model.js'
import { usedItsIndex } from '../plan/probes.js'
import { verdictOf } from '../verdict.js'
import { MAX_LISTED, MAX_NAME, MAX_REASON, name, nameList, shortId } from './labels.js'
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
import { MODE_VIEWS, verdictIcon } from './modes.js'

/** Longest message shown. */
const MAX_MESSAGE = 1_000

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
  if (r.diff.unmanaged.includes(index)) {
    // Its `unmanaged-index` warning is said here, in its row, and not again under Findings.
    return rowFinding(r, index)
      ? ['⚠️', 'unmanaged, kept (warning `unmanaged-index`)']
      : ['⚪', 'unmanaged, kept']
  }
  if (!r.diff.modified.includes(index)) return ['', 'unchanged']
  const before = stateOf(r.indexesBefore, index)
  const after = stateOf(r.indexesAfter, index)
  const changes = before && after ? definitionChanges(before, after) : []
  return ['✏️', changes.length > 0 ? changes.join(', ') : 'modified']
}

/** The `unmanaged-index` warning of a live index the file does not list, if any. */
function rowFinding(r: ObjectResult, index: string): Finding | undefined {
  return r.findings.find(f => f.rule === 'unmanaged-index' && f.index === index)
}

/**
 * Whether a finding is told by a row of the object's index changes or drift table, so that its Findings row
 * would say it twice: an `unmanaged-index` warning is the unmanaged index's row, marked ⚠️ with the rule.
 * It stays a finding everywhere else (counts, annotations, the report file, outputs).
 */
export function toldByRow(f: Finding, r: ObjectResult): boolean {
  if (f.rule !== 'unmanaged-index' || f.index === undefined) return false
  const sections = MODE_VIEWS[r.mode].sections
  if (sections.includes('index-changes') && !fileOnly(r)) return r.diff.unmanaged.includes(f.index)
  return sections.includes('drift') && (r.drift?.unmanaged.includes(f.index) ?? false)
}

/** The Findings table's findings: errors first, less those a row of another table already tells. */
export function listedFindings(r: ObjectResult): Finding[] {
  return sortFindings(r.findings).filter(f => !toldByRow(f, r))
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
  const deployed = MODE_VIEWS[r.mode].tense === 'done' && r.indexesAfter.length > 0
  const unknown = verdictOf(r) === 'unknown'
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
    // A write of unknown outcome: whether this change was made is not known.
    if (unknown && ['➕', '✏️', '➖'].includes(icon)) status = 'unknown'
    else if (!deployed && icon === '➕') status = 'built on deploy'
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
  const verb = MODE_VIEWS[dropping[0]!.mode].tense === 'done' ? 'This deploy dropped' : 'Deploying this drops'
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
 * A deploy that failed without a PUT because the file keeps an index already live `failed`
 * (docs/rules.md#a-failed-live-index-is-never-unchanged): its rebuild status is the platform's, not a rebuild's.
 */
function keptLiveFailed(r: ObjectResult): boolean {
  return r.rebuild.status === 'failed' && r.findings.some(f => f.rule === 'live-index-failed')
}

/** Its versions and rebuild parts: nothing was sent and no rebuild watched. */
function notDeployed(r: ObjectResult): string[] {
  const failures = escapeText(clip(r.rebuild.reason ?? 'a kept index failed', MAX_REASON))
  return [
    `schema version ${r.basedOnVersion ?? '?'}, nothing deployed`,
    `no rebuild: the platform already reports ${failures}`
  ]
}

/**
 * The lines under an object's heading: where it is, its versions, rebuild, review, and its warnings (the drop
 * banner too when the report has several objects; with one, the report's own banner says it).
 */
export function facts(r: ObjectResult, links: GitHubLinks, banner: boolean): string {
  const file = link(code(clip(r.file, MAX_NAME * 2)), blobUrl(links, r.file))
  // An expected object whose job left no report has no file to name.
  const lines = [`Object ${name(r.customObjectId)}${r.file === '' ? '' : ` · file ${file}`}`]
  const hash = r.payloadHash !== undefined ? `payload hash ${code(r.payloadHash.slice(0, 12))}` : ''
  const sentence = (...parts: string[]): string => {
    const line = parts.filter(p => p !== '').join(' · ')
    return `${line.charAt(0).toUpperCase()}${line.slice(1)}`
  }
  const view = MODE_VIEWS[r.mode]
  if (view.tense === 'done') {
    const after = r.rebuild.status === 'unknown' ? 'unknown' : (r.schemaVersion ?? '?')
    const versions = `schema version ${r.basedOnVersion ?? '?'} → ${after}`
    const reason = r.rebuild.reason !== undefined ? `: ${escapeText(clip(r.rebuild.reason, MAX_REASON))}` : ''
    const waited = r.rebuild.status !== 'skipped' && r.rebuild.status !== 'unknown'
    const seconds = waited ? ` in ${formatNumber(r.rebuild.seconds)} s` : ''
    const audit = r.auditAction !== undefined ? ` (${r.auditAction})` : ''
    const rebuilt = [versions, `rebuild ${r.rebuild.status}${seconds}${reason}`]
    lines.push(sentence(hash, ...(keptLiveFailed(r) ? notDeployed(r) : rebuilt)))
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
  if (r.error !== undefined) text += `> ${verdictIcon(r)} ${escapeText(clip(r.error, 2_000))}\n\n`
  else if (r.attested === 'file-checks-only') {
    text +=
      "> ⚠️ Checked by the pull request's own run: file checks only. That run belongs to a fork, so its claims " +
      'about the live schema are not trusted and it is left out of the review line; check the head commit ' +
      'against the live schema in a run of this repository.\n\n'
  } else if (!r.live && view.offlineNote) {
    text +=
      '> ⚠️ File checks only — not compared with the live schema: no client credentials were given (a fork ' +
      'PR gets no secrets). The checks against the live schema run on a branch of this repository.\n\n'
  }
  return text + (banner && view.drops ? dropBanner([r], false) : '')
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

/**
 * What a deploy would make of the probe, agreeing with the findings: nothing is predicted ✅ that a finding
 * says will not happen. An object with an error is not deployed ("blocked by an error", naming the error on
 * the predicted index, else the object's first); an index whose `unique-on-low-cardinality` warning says its
 * rebuild fails is not predicted to serve the query.
 */
function predictedText(p: ProbeResult, r: ObjectResult): string {
  const q = p.predicted
  if (q === undefined) return '—'
  const errors = sortFindings(r.findings).filter(f => f.severity === 'error')
  if (errors.length > 0) {
    const error =
      errors.find(f => f.index !== undefined && [p.index, q.indexName].includes(f.index)) ?? errors[0]!
    return `— blocked by an error (${code(error.rule, true)})`
  }
  if (q.strategy !== 'index' || !q.indexName) return '⚠️ full scan'
  const failing = r.findings.find(f => f.rule === 'unique-on-low-cardinality' && f.index === q.indexName)
  if (failing !== undefined) return `⚠️ rebuild expected to fail (${code(failing.rule, true)})`
  return `${q.indexName === p.index ? '✅' : '⚠️'} index ${name(q.indexName, true)}`
}

export function probeColumns(r: ObjectResult): string[] {
  return MODE_VIEWS[r.mode].tense === 'done'
    ? ['Index', 'Query', 'Before the deploy', 'After the deploy', 'Used its index']
    : ['Index', 'Query', 'Today', 'After deploy']
}

/** Probe rows: today beside the predicted plan, or (deploy) before, after and whether it used its index. */
export function probeRows(r: ObjectResult): string[] {
  const key = (p: ProbeResult): string => `${p.index}\u0000${JSON.stringify(p.values)}`
  const deploy = MODE_VIEWS[r.mode].tense === 'done'
  const all = deploy ? [...r.baselineProbes, ...r.probes] : r.baselineProbes
  return [...new Set(all.map(key))].map(k => {
    const before = r.baselineProbes.find(p => key(p) === k)
    const after = deploy ? r.probes.find(p => key(p) === k) : undefined
    const p = (after ?? before)!
    const placeholder = p.placeholder ? ' (placeholder values: they prove the plan, not the data)' : ''
    const cells = [name(p.index, true), `${code(probeQuery(p), true)}${placeholder}`]
    if (!deploy) return row([...cells, planText(p), predictedText(p, r)])
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
    ...d.unmanaged.map(index => {
      const warned = rowFinding(r, index) !== undefined ? ' (warning `unmanaged-index`)' : ''
      if (pruned) {
        return row([
          name(index, true),
          '➖ unmanaged',
          `live, not in the file, and the file has \`prune: true\`: a deploy drops it${warned}`
        ])
      }
      return row([
        name(index, true),
        warned ? '⚠️ unmanaged' : 'ℹ️ unmanaged',
        `live, not in the file: kept (${warned ? 'warning `unmanaged-index`' : 'information, not drift'})`
      ])
    })
  ]
}

/** The most payload hashes the footer lists. */
const MAX_FOOTER_HASHES = 400

/**
 * The line under the report's heading: the run that wrote it, linked, and its commit, so the logs are one
 * click from the verdict. Empty when no run is known. The footer below keeps the full review stamp.
 */
export function runLine(links: GitHubLinks): string {
  const run = runUrl(links)
  if (run === undefined) return ''
  const commit = links.headSha ? ` on commit ${link(code(links.headSha.slice(0, 7)), commitUrl(links))}` : ''
  return `${link(`Run ${links.runId}`, run)}${commit}\n\n`
}

/**
 * The footer (docs/rules.md#deploy-what-was-reviewed): what a reviewer saw, stamped where deploy and people
 * look for it: the PR head commit, the run, the time (UTC) and each object's payload hash.
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
  // A footer of thousands of hashes would crowd the report out of the comment: the first ones show, and
  // where the others are is said (the review line holds every one in full).
  const shown = hashes.length > MAX_FOOTER_HASHES ? hashes.slice(0, MAX_FOOTER_HASHES) : hashes
  const more =
    shown.length < hashes.length
      ? `, … ${formatNumber(hashes.length - shown.length)} more in the job summary and the review record`
      : ''
  if (hashes.length > 0)
    parts.push(`payload ${hashes.length === 1 ? 'hash' : 'hashes'}: ${shown.join(', ')}${more}`)
  return parts.length === 0 ? '' : `\n---\n\n${parts.join(' · ')}\n`
}
