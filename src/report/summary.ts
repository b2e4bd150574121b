// The job summary: the same report as the PR comment, cut only past GitHub's 1 MiB step-summary limit.
import type { ObjectResult } from '../model.js'
import { renderReport, type ReportOptions } from './render.js'

/** GitHub's limit on one step's summary, in bytes. */
export const MAX_SUMMARY_BYTES = 1024 * 1024

export interface SummaryOptions extends ReportOptions {
  /** In bytes; default 1 MiB. */
  maxBytes?: number
}

export function renderSummary(results: readonly ObjectResult[], opts: SummaryOptions): string {
  return renderReport(results, opts, {
    level: 2,
    measure: text => Buffer.byteLength(text, 'utf8'),
    limit: opts.maxBytes ?? MAX_SUMMARY_BYTES,
    why: "to stay under GitHub's 1 MiB summary limit",
    rest: "see the report file (the action's `report` output)",
    maxDiffLine: 5_000
  })
}
