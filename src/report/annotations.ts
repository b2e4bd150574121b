// Findings as workflow annotations (contract D): pure; main.ts hands them to core.error/core.warning.
import type { Finding } from '../model.js'

export interface Annotation {
  level: 'error' | 'warning'
  message: string
  /** Relative to the workspace, so GitHub pins the annotation on the file in the PR. */
  file?: string
  startLine?: number
  /** The rule id. */
  title: string
}

/** One annotation per finding: level = severity, title = rule id, message = the finding's message. */
export function toAnnotations(findings: readonly Finding[]): Annotation[] {
  return findings.map(f => ({
    level: f.severity,
    message: f.message,
    ...(f.file !== undefined ? { file: f.file } : {}),
    ...(f.file !== undefined && f.line !== undefined ? { startLine: f.line } : {}),
    title: f.rule
  }))
}
