// The sticky PR comment (docs/rules.md#what-leaves-the-action and docs/rules.md#deploy-what-was-reviewed) and
// the drift issue (docs/rules.md#drift-detection): the report in GitHub's body limit.
import type { ObjectResult } from '../model.js'
import { link, runUrl } from './markdown.js'
import { renderReport, type ReportOptions, type Style } from './render.js'

/** GitHub's limit on an issue or comment body, in UTF-16 characters. */
export const MAX_COMMENT_LENGTH = 65_536

export interface CommentOptions extends ReportOptions {
  commentKey: string
  /** Where the full report is (the job summary); default the run's page. */
  summaryUrl?: string
  /** Default 65,536: the body stays under it. */
  maxLength?: number
  /**
   * The review line (docs/rules.md#deploy-what-was-reviewed), appended verbatim as the last line and never
   * cut.
   */
  trailer?: string
}

/** The comment's first line, by which later runs find it again. */
export function commentMarker(key: string): string {
  return `<!-- custom-object-index:${key} -->`
}

/** The drift issue's first line, by which later runs find it again. */
export function driftIssueMarker(key: string): string {
  return `<!-- custom-object-index-drift:${key} -->`
}

function bodyStyle(opts: CommentOptions, marker: string): Style {
  return {
    marker,
    level: 2,
    measure: text => text.length,
    limit: opts.maxLength ?? MAX_COMMENT_LENGTH,
    why: "to stay under GitHub's comment size limit",
    rest: `see ${link('the job summary', opts.summaryUrl ?? runUrl(opts))}`,
    maxDiffLine: 500,
    ...(opts.trailer !== undefined ? { trailer: opts.trailer } : {})
  }
}

/** The PR comment: the marker first, the review line (`trailer`) last, under `maxLength` characters. */
export function renderComment(results: readonly ObjectResult[], opts: CommentOptions): string {
  return renderReport(results, opts, bodyStyle(opts, commentMarker(opts.commentKey)))
}

/**
 * The drift issue's body (`mode: drift` results): its marker first, under `maxLength` characters. A function
 * of the drift alone: the schema versions the objects were read at are left out, and so are the commit, run
 * and time unless `opts` names them.
 */
export function renderDriftIssue(results: readonly ObjectResult[], opts: CommentOptions): string {
  const driftOnly = results.map(r => {
    const { basedOnVersion: _based, schemaVersion: _version, ...rest } = r
    return rest
  })
  return renderReport(
    driftOnly,
    { ...opts, mode: 'drift' },
    bodyStyle(opts, driftIssueMarker(opts.commentKey))
  )
}
