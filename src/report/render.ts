// The one report renderer: the PR comment, the job summary and the drift issue are the same sections in
// the same order, told apart by a style (heading level, how size is measured and limited, where a cut
// points to). Pure.
import type { Mode, ObjectResult } from '../model.js'
import { type DiffPart, fitLayout, type ListPart, type Section } from './fit.js'
import {
  clip,
  escapeHtml,
  fencedBlock,
  formatNumber,
  type GitHubLinks,
  plural,
  tableHead
} from './markdown.js'
import { byAttention, MODE_VIEWS, objectVerdict, runVerdict, type SectionKind } from './modes.js'
import {
  changeRows,
  driftRows,
  dropBanner,
  facts,
  FINDING_COLUMNS,
  fileOnly,
  findingRow,
  footer,
  probeColumns,
  listedFindings,
  probeRows,
  runLine
} from './parts.js'

/**
 * What every renderer is told about the run: its mode, where to link, and the facts of the line under the
 * heading (docs/rules.md#deploy-what-was-reviewed).
 */
export interface ReportOptions extends GitHubLinks {
  mode: Mode
  /** The time of the run, shown in UTC under the heading. */
  time?: Date
}

/** How one output differs from another. */
export interface Style {
  /** A first line by which the output is found again (an HTML comment), or none. */
  marker?: string
  /** Heading level of the title; objects one below, their tables two below. */
  level: number
  /** Size as the limit counts it: UTF-16 characters for a comment, UTF-8 bytes for a summary. */
  measure: (text: string) => number
  /** The size the output must stay under. */
  limit: number
  /** What a cut says: why ("to stay under …") and where the rest is ("see …"), in Markdown. */
  why: string
  rest: string
  /** Longest diff line shown. */
  maxDiffLine: number
  /**
   * A line appended verbatim as the very last line, never cut (the review line,
   * docs/rules.md#deploy-what-was-reviewed).
   */
  trailer?: string
}

export function renderReport(results: readonly ObjectResult[], opts: ReportOptions, style: Style): string {
  const h = (depth: number): string => `${'#'.repeat(style.level + depth)} `
  const cut = `left out ${style.why}; ${style.rest}`
  // The heading, then the run that wrote it (a link to its logs): read before what it said. The footer keeps
  // the review stamp (commit, run, time, payload hashes).
  const heading =
    `${style.marker !== undefined ? `${style.marker}\n` : ''}${h(0)}${MODE_VIEWS[opts.mode].title}: ` +
    `${runVerdict(results, opts.mode)}\n\n${runLine(opts)}`
  // Drops: proposed (validate, plan), or done (deploy: only where a PUT made a new version).
  const committed = (r: ObjectResult): boolean => (r.schemaVersion ?? 0) > (r.basedOnVersion ?? Infinity)
  const dropping = results.filter(r => {
    const view = MODE_VIEWS[r.mode]
    return view.drops && (view.tense === 'proposed' || committed(r))
  })
  const top = heading + dropBanner(dropping, results.length > 1)

  const list = (title: string, columns: string[], rows: string[]): ListPart => ({
    head: `${h(2)}${title}\n\n${tableHead(columns)}`,
    rows,
    tail: '\n',
    more: (hidden, shown) =>
      shown === 0
        ? `${h(2)}${title}\n\n${plural(hidden, 'row', 'rows')} ${cut}.\n\n`
        : `… ${formatNumber(hidden)} more ${cut}.\n\n`
  })

  const diffPart = (r: ObjectResult): DiffPart | undefined => {
    if (r.textDiff === '') return undefined
    const lines = r.textDiff
      .replace(/\n$/, '')
      .split('\n')
      .map(l => clip(l, style.maxDiffLine))
    const count = plural(lines.length, 'line', 'lines')
    return {
      lines,
      render: kept => {
        if (kept === 0) return `_The merged-schema diff (${count}) is ${cut}._\n\n`
        const more =
          kept < lines.length ? `… ${plural(lines.length - kept, 'more line', 'more lines')} ${cut}.\n\n` : ''
        return (
          `<details><summary>Merged schema diff (${escapeHtml(count)})</summary>\n\n` +
          `${fencedBlock(lines.slice(0, kept).join('\n'), 'diff')}\n${more}</details>\n\n`
        )
      }
    }
  }

  const section = (kind: SectionKind, r: ObjectResult): ListPart => {
    switch (kind) {
      case 'index-changes':
        return list(
          fileOnly(r) ? 'Indexes in the file (not compared with the live schema)' : 'Index changes',
          ['Index', 'Change', 'Fields', 'Order', 'Unique', 'Status'],
          changeRows(r)
        )
      case 'drift':
        return list('Drift', ['Index', 'Drift', 'Detail'], driftRows(r))
      case 'findings':
        return list(
          'Findings',
          FINDING_COLUMNS,
          listedFindings(r).map(f => findingRow(f, r, opts))
        )
      case 'probes':
        return list('Probes', probeColumns(r), probeRows(r))
      case 'probe-plans':
        return list('Probe plans', probeColumns(r), probeRows(r))
    }
  }

  const several = results.length > 1
  const sections: Section[] = byAttention(results).map(r => {
    const lists = MODE_VIEWS[r.mode].sections.map(kind => section(kind, r))
    const diff = diffPart(r)
    const verdict = objectVerdict(r, several, opts.mode)
    return {
      head: `${h(1)}${verdict}\n\n${facts(r, opts, several)}`,
      lists,
      ...(diff ? { diff } : {}),
      brief: `- ${verdict}\n`
    }
  })

  const trailer = style.trailer !== undefined ? `\n${style.trailer}` : ''
  const bottom = footer(results, opts, opts.time) + trailer
  const objectsNote = (brief: number, hidden: number): string => {
    const details = `the details of ${brief > 0 && hidden > 0 ? '' : 'the last '}${plural(brief, 'object', 'objects')}`
    const last = `the last ${plural(hidden, 'object', 'objects')}`
    const what = [brief > 0 ? details : '', hidden > 0 ? last : ''].filter(s => s !== '').join(' and ')
    if (what === '') return ''
    return `\n${what.charAt(0).toUpperCase()}${what.slice(1)} ${brief + hidden === 1 ? 'is' : 'are'} ${cut}.\n`
  }
  const fallback = `${heading}The report is ${cut}.\n${trailer}`
  return fitLayout({ top, sections, objectsNote, bottom, fallback }, style.limit - 1, style.measure)
}
