// The sticky PR comment (contract E): pure rendering of the run's results, always under GitHub's limit.
import type { Mode, ObjectResult } from '../model.js'
import { type DiffPart, fitLayout, type Layout, type ListPart, type Section } from './fit.js'
import { clip, code, escapeHtml, escapeText, fencedBlock, formatNumber, link, plural } from './markdown.js'
import {
  baselineItem,
  byAttention,
  changeItems,
  changesTitle,
  errorCount,
  FINDINGS_HEAD,
  findingRow,
  isBlocked,
  MAX_NAME,
  probeItem,
  sortFindings,
  verdict,
  warningCount
} from './parts.js'

/** GitHub's limit on an issue comment's body. */
export const MAX_COMMENT_LENGTH = 65_536

/** Longest diff line shown in the comment. */
const MAX_DIFF_LINE = 500

export interface CommentOptions {
  commentKey: string
  mode: Mode
  /** Where the full report is: the job summary (falls back to `runUrl`). */
  summaryUrl?: string
  maxLength?: number
  runUrl?: string
}

/** The comment's first line, by which later runs find it again. */
export function commentMarker(key: string): string {
  return `<!-- custom-object-index:${key} -->`
}

function title(mode: Mode): string {
  if (mode === 'deploy') return 'Custom-object indexes: deploy'
  if (mode === 'plan') return 'Custom-object indexes: plan'
  return 'Custom-object indexes: validation'
}

function overall(results: readonly ObjectResult[]): string {
  const errors = results.reduce((n, r) => n + errorCount(r), 0)
  const warnings = results.reduce((n, r) => n + warningCount(r), 0)
  const blocked = results.filter(isBlocked).length
  const counts = `${plural(errors, 'error', 'errors')} · ${plural(warnings, 'warning', 'warnings')}`
  if (results.length === 0) return 'No index files were checked.'
  if (blocked > 0)
    return `❌ ${formatNumber(blocked)} of ${plural(results.length, 'object', 'objects')} blocked · ${counts}`
  return `✅ ${plural(results.length, 'object', 'objects')} pass · ${counts}`
}

function details(r: ObjectResult): string {
  const lines = [
    `Object ${code(clip(r.customObjectId, MAX_NAME))} · file ${code(clip(r.file, MAX_NAME * 2))}`
  ]
  if (r.mode === 'deploy' && r.schemaVersion !== undefined) {
    const from = r.basedOnVersion !== undefined ? `${r.basedOnVersion} → ` : ''
    const rebuild = `rebuild ${r.rebuild.status}${r.rebuild.status === 'skipped' ? '' : ` in ${formatNumber(r.rebuild.seconds)} s`}`
    lines.push(`Schema version ${from}${r.schemaVersion} · ${rebuild} · audit record delivered: ${r.audit}`)
  }
  let text = lines.join('  \n') + '\n\n'
  if (r.error !== undefined) text += `> ❌ ${escapeText(clip(r.error, 2_000))}\n\n`
  else if (!r.live) {
    text +=
      '> ⚠️ Live checks were skipped: no client credentials were given (a fork PR gets no secrets). ' +
      'Only the file-only checks ran; the checks against the live schema run once the PR is merged or ' +
      'run from a branch of this repository.\n\n'
  }
  return text
}

export function renderComment(results: ObjectResult[], opts: CommentOptions): string {
  const budget = Math.max(0, (opts.maxLength ?? MAX_COMMENT_LENGTH) - 1)
  const url = opts.summaryUrl ?? opts.runUrl
  const summary = link('the job summary', url)
  const marker = commentMarker(opts.commentKey)
  const top = `${marker}\n## ${title(opts.mode)}\n\n${overall(results)}\n\n`

  const list = (heading: string, rows: string[], table = ''): ListPart => ({
    head: `**${heading}**\n\n${table}`,
    rows,
    tail: '\n',
    more: (hidden, shown) =>
      shown === 0
        ? `**${heading}**: ${formatNumber(hidden)}; see ${summary}.\n\n`
        : `… ${formatNumber(hidden)} more; see ${summary}.\n\n`
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
        if (kept === 0) {
          return `_The merged-schema diff (${count}) is left out to keep this comment under GitHub's size limit; see ${summary}._\n\n`
        }
        const cut =
          kept < lines.length
            ? `… ${plural(lines.length - kept, 'more line', 'more lines')}; see ${summary}.\n\n`
            : ''
        return (
          `<details><summary>Merged schema diff (${escapeHtml(count)})</summary>\n\n` +
          fencedBlock(lines.slice(0, kept).join('\n'), 'diff') +
          `\n${cut}</details>\n\n`
        )
      }
    }
  }

  const sections: Section[] = byAttention(results).map(r => {
    const lists: ListPart[] = [
      list(changesTitle(r), changeItems(r)),
      list('Findings', sortFindings(r.findings).map(findingRow), FINDINGS_HEAD)
    ]
    if (r.baselineProbes.length > 0) {
      const today = r.mode !== 'deploy'
      lists.push(
        list(
          today ? "Today's probe plan" : 'Probe plan before the deploy',
          r.baselineProbes.map(p => baselineItem(p, today))
        )
      )
    }
    if (r.probes.length > 0) lists.push(list('Probes after the deploy', r.probes.map(probeItem)))
    const diff = diffPart(r)
    return {
      head: `### ${verdict(r)}\n\n${details(r)}`,
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
      if (brief > 0) notes.push(`The details of the last ${plural(brief, 'object', 'objects')} are left out`)
      if (hidden > 0) notes.push(`… ${plural(hidden, 'more object is', 'more objects are')} not shown`)
      return notes.length === 0 ? '' : `\n${notes.join('; ')}; see ${summary}.\n`
    },
    bottom: '',
    fallback: clip(
      `${marker}\n## ${title(opts.mode)}\n\nThe report is too large for a PR comment; see ${summary}.\n`,
      budget
    )
  }
  return fitLayout(layout, budget, s => s.length)
}
