// Findings as workflow annotations (docs/rules.md#finding-rules and
// docs/rules.md#annotations-fit-githubs-caps): pure; main.ts hands them to core.error/warning/notice.
import type { Finding } from '../model.js'
import { plural } from './markdown.js'

/** GitHub shows at most this many error and this many warning annotations per step. */
export const MAX_ANNOTATIONS_PER_LEVEL = 10

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  /** Relative to the workspace, so GitHub pins the annotation on the file in the PR. */
  file?: string
  startLine?: number
  /** The rule id (for the closing notice, what it is about). */
  title: string
}

function annotation(f: Finding): Annotation {
  return {
    level: f.severity,
    message: f.message,
    ...(f.file !== undefined ? { file: f.file } : {}),
    ...(f.file !== undefined && f.line !== undefined ? { startLine: f.line } : {}),
    title: f.rule
  }
}

/**
 * Errors first, then warnings, at most 10 of each (level = severity, title = rule id, message = the
 * finding's message), then one notice saying how many more there are and where they are.
 */
export function toAnnotations(findings: readonly Finding[]): Annotation[] {
  const errors = findings.filter(f => f.severity === 'error')
  const warnings = findings.filter(f => f.severity === 'warning')
  const shown = [
    ...errors.slice(0, MAX_ANNOTATIONS_PER_LEVEL),
    ...warnings.slice(0, MAX_ANNOTATIONS_PER_LEVEL)
  ].map(annotation)
  const moreErrors = Math.max(0, errors.length - MAX_ANNOTATIONS_PER_LEVEL)
  const moreWarnings = Math.max(0, warnings.length - MAX_ANNOTATIONS_PER_LEVEL)
  if (moreErrors + moreWarnings === 0) return shown
  const which = [
    moreErrors > 0 ? plural(moreErrors, 'error', 'errors') : '',
    moreWarnings > 0 ? plural(moreWarnings, 'warning', 'warnings') : ''
  ].filter(s => s !== '')
  shown.push({
    level: 'notice',
    title: 'More findings',
    message:
      `${which.join(' and ')} more ${moreErrors + moreWarnings === 1 ? 'is' : 'are'} not annotated here ` +
      `(GitHub shows ${MAX_ANNOTATIONS_PER_LEVEL} of each): see the job summary and the report file ` +
      "(the action's `report` output)."
  })
  return shown
}
