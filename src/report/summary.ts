// The job summary: the whole report in Markdown, the same sections in every mode (validate, deploy, plan),
// with before and after for a deploy. Pure. Cut only past GitHub's 1 MiB step-summary limit.
import type { IndexState, Mode, ObjectResult, ProbeResult } from '../model.js'
import { type DiffPart, fitLayout, type Layout, type ListPart, type Section } from './fit.js'
import {
  clip,
  code,
  escapeHtml,
  escapeText,
  fencedBlock,
  formatNumber,
  plural,
  row,
  tableHead
} from './markdown.js'
import {
  changeItems,
  changesTitle,
  changeSummary,
  errorCount,
  FINDINGS_HEAD,
  findingRow,
  isBlocked,
  MAX_NAME,
  objectLabel,
  probePlan,
  probeQuery,
  sortFindings,
  verdict,
  warningCount
} from './parts.js'

/** GitHub's limit on one step's summary, in bytes. */
export const MAX_SUMMARY_BYTES = 1024 * 1024

/** Longest diff line shown in the summary. */
const MAX_DIFF_LINE = 5_000

export interface SummaryOptions {
  mode: Mode
  /** In bytes; default 1 MiB. */
  maxBytes?: number
}

const TITLES: Record<Mode, string> = {
  validate: 'Custom-object indexes: validation',
  deploy: 'Custom-object indexes: deploy',
  plan: 'Custom-object indexes: plan',
  publish: 'Custom-object indexes: validation',
  drift: 'Custom-object indexes: drift'
}

const REPORT_POINTER = "the JSON file named by the action's `report` output"

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

function overviewRow(r: ObjectResult): string {
  const version =
    r.schemaVersion === undefined
      ? ' '
      : r.basedOnVersion !== undefined && r.basedOnVersion !== r.schemaVersion
        ? `${r.basedOnVersion} → ${r.schemaVersion}`
        : String(r.schemaVersion)
  return row([
    `${isBlocked(r) ? '❌' : '✅'} ${objectLabel(r).replace(/\|/g, '\\|')}`,
    code(clip(r.file, MAX_NAME * 2), true),
    formatNumber(errorCount(r)),
    formatNumber(warningCount(r)),
    r.live ? changeSummary(r) : 'file-only checks',
    version,
    r.rebuild.status === 'skipped' ? 'skipped' : `${r.rebuild.status} (${formatNumber(r.rebuild.seconds)} s)`,
    r.audit
  ])
}

function overview(results: readonly ObjectResult[]): string {
  const errors = results.reduce((n, r) => n + errorCount(r), 0)
  const warnings = results.reduce((n, r) => n + warningCount(r), 0)
  const blocked = results.filter(isBlocked).length
  const counts = `${plural(errors, 'error', 'errors')} · ${plural(warnings, 'warning', 'warnings')}`
  if (results.length === 0) return 'No index files were checked.\n\n'
  const line =
    blocked > 0
      ? `❌ ${formatNumber(blocked)} of ${plural(results.length, 'object', 'objects')} blocked · ${counts}`
      : `✅ ${plural(results.length, 'object', 'objects')} pass · ${counts}`
  const head = tableHead([
    'Object',
    'File',
    'Errors',
    'Warnings',
    'Index changes',
    'Schema version',
    'Rebuild',
    'Audit'
  ])
  return `${line}\n\n${head}${results.map(overviewRow).join('')}\n`
}

function facts(r: ObjectResult): string {
  const lines = [
    `Object ${code(clip(r.customObjectId, MAX_NAME))} · file ${code(clip(r.file, MAX_NAME * 2))}`
  ]
  if (r.payloadHash !== undefined) lines.push(`Payload hash ${code(r.payloadHash)}`)
  if (r.schemaVersion !== undefined || r.basedOnVersion !== undefined) {
    const before = r.basedOnVersion !== undefined ? String(r.basedOnVersion) : '?'
    const after = r.schemaVersion !== undefined ? String(r.schemaVersion) : '?'
    lines.push(r.mode === 'deploy' ? `Schema version ${before} → ${after}` : `Schema version ${after} (live)`)
  }
  if (r.mode === 'deploy') {
    const reason = r.rebuild.reason !== undefined ? `: ${escapeText(clip(r.rebuild.reason, 500))}` : ''
    const seconds = r.rebuild.status === 'skipped' ? '' : ` after ${formatNumber(r.rebuild.seconds)} s`
    lines.push(`Rebuild ${r.rebuild.status}${seconds}${reason}`)
    lines.push(`Audit record delivered: ${r.audit}`)
  }
  let text = lines.join('  \n') + '\n\n'
  if (r.error !== undefined) text += `> ❌ ${escapeText(clip(r.error, 5_000))}\n\n`
  else if (!r.live) {
    text +=
      '> ⚠️ Live checks were skipped: no client credentials were given (a fork PR gets no secrets). ' +
      'Only the file-only checks ran.\n\n'
  }
  return text
}

function statusText(s: IndexState | undefined, missing: string): string {
  if (s === undefined) return missing
  const reason = s.statusReason !== undefined ? `: ${escapeText(clip(s.statusReason, 300))}` : ''
  return `${s.status ?? 'new'}${reason}`
}

function indexRows(r: ObjectResult): string[] {
  const names: string[] = []
  for (const s of [...r.indexesBefore, ...r.indexesAfter]) if (!names.includes(s.name)) names.push(s.name)
  return names.map(name => {
    const before = r.indexesBefore.find(s => s.name === name)
    const after = r.indexesAfter.find(s => s.name === name)
    const fields = (after ?? before)!.fields.map(f => code(clip(f, MAX_NAME), true)).join(', ')
    return row([
      code(clip(name, MAX_NAME), true),
      fields,
      statusText(before, '—'),
      statusText(after, 'dropped')
    ])
  })
}

function probeRows(r: ObjectResult, withAfter: boolean): string[] {
  const key = (p: ProbeResult): string => `${p.index}\u0000${probeQuery(p)}`
  const keys: string[] = []
  for (const p of [...r.baselineProbes, ...r.probes]) if (!keys.includes(key(p))) keys.push(key(p))
  return keys.map(k => {
    const before = r.baselineProbes.find(p => key(p) === k)
    const after = r.probes.find(p => key(p) === k)
    const p = (after ?? before)!
    const plan = (x: ProbeResult | undefined): string =>
      x === undefined ? '—' : `${x.indexUsed ? '✅' : '⚠️'} ${probePlan(x).replace(/\|/g, '\\|')}`
    const cells = [code(clip(p.index, MAX_NAME), true), code(probeQuery(p), true), plan(before)]
    return row(withAfter ? [...cells, plan(after)] : cells)
  })
}

export function renderSummary(results: ObjectResult[], opts: SummaryOptions): string {
  const budget = Math.max(0, (opts.maxBytes ?? MAX_SUMMARY_BYTES) - 1)
  const deploy = opts.mode === 'deploy'
  const top = `## ${TITLES[opts.mode]}\n\n${overview(results)}`
  const cutNote = `see ${REPORT_POINTER}`

  const list = (heading: string, rows: string[], table = ''): ListPart => ({
    head: `#### ${heading}\n\n${table}`,
    rows,
    tail: '\n',
    more: (hidden, shown) =>
      shown === 0
        ? `#### ${heading}\n\n${formatNumber(hidden)} left out to stay under GitHub's 1 MiB summary limit; ${cutNote}.\n\n`
        : `… ${formatNumber(hidden)} more left out to stay under GitHub's 1 MiB summary limit; ${cutNote}.\n\n`
  })

  const diffPart = (r: ObjectResult): DiffPart | undefined => {
    if (r.textDiff === '') return undefined
    const lines = r.textDiff
      .replace(/\n$/, '')
      .split('\n')
      .map(l => clip(l, MAX_DIFF_LINE))
    return {
      lines,
      render: kept => {
        const count = plural(lines.length, 'line', 'lines')
        if (kept === 0)
          return `_The merged-schema diff (${count}) is left out to stay under GitHub's 1 MiB summary limit; ${cutNote}._\n\n`
        const cut =
          kept < lines.length
            ? `… ${plural(lines.length - kept, 'more line', 'more lines')} left out; ${cutNote}.\n\n`
            : ''
        return (
          `<details><summary>Merged schema diff (${escapeHtml(count)})</summary>\n\n` +
          fencedBlock(lines.slice(0, kept).join('\n'), 'diff') +
          `\n${cut}</details>\n\n`
        )
      }
    }
  }

  const sections: Section[] = results.map(r => {
    const lists: ListPart[] = [list(changesTitle(r), changeItems(r))]
    lists.push(list('Findings', sortFindings(r.findings).map(findingRow), FINDINGS_HEAD))
    const [beforeTitle, afterTitle] = deploy ? ['Before', 'After'] : ['Live today', 'Merged proposal']
    lists.push(list('Indexes', indexRows(r), tableHead(['Index', 'Fields', beforeTitle, afterTitle])))
    const [planBefore, planAfter] = deploy
      ? ['Before the deploy', 'After the deploy']
      : ['Today', 'After a deploy']
    const withAfter = deploy || r.probes.length > 0
    const probeHead = tableHead(['Index', 'Query', planBefore, ...(withAfter ? [planAfter] : [])])
    lists.push(list('Probe plans', probeRows(r, withAfter), probeHead))
    const diff = diffPart(r)
    return {
      head: `### ${verdict(r)}\n\n${facts(r)}`,
      lists,
      ...(diff ? { diff } : {}),
      foot: '',
      brief: `- ${verdict(r)}\n`
    }
  })

  const layout: Layout = {
    top,
    sections,
    objectsNote: (brief, hidden) => {
      const notes: string[] = []
      if (brief > 0) notes.push(`the details of the last ${plural(brief, 'object', 'objects')} are left out`)
      if (hidden > 0) notes.push(`${plural(hidden, 'more object is', 'more objects are')} not shown`)
      return notes.length === 0
        ? ''
        : `\nTo stay under GitHub's 1 MiB summary limit, ${notes.join(' and ')}; ${cutNote}.\n`
    },
    bottom: '',
    fallback: `## ${TITLES[opts.mode]}\n\nThe report is larger than GitHub's 1 MiB summary limit; ${cutNote}.\n`
  }
  return fitLayout(layout, budget, utf8Length)
}
