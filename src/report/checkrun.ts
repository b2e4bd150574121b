// What the check run shows (pure): its conclusion (the step's own result), its title (the run's verdict, as
// the summary's heading says it) and every finding as an annotation on its file and line, errors first.
import type { ObjectResult } from '../model.js'

export type CheckConclusion = 'success' | 'failure' | 'neutral'

export interface CheckAnnotation {
  path: string
  start_line: number
  end_line: number
  annotation_level: 'failure' | 'warning' | 'notice'
  message: string
  title?: string
}

/**
 * `failure` exactly when the step fails; `neutral` when it passes but some object was checked against its
 * file only (offline, or a fork's report); else `success`.
 */
export function checkConclusion(
  results: readonly ObjectResult[],
  failure: string | undefined
): CheckConclusion {
  if (failure !== undefined) return 'failure'
  return results.some(r => !r.live) ? 'neutral' : 'success'
}

/** The summary's first heading (the run's verdict), as a one-line title. */
export function checkTitle(summary: string): string {
  const heading = summary.split('\n').find(l => /^#{1,6} /.test(l))
  return (heading ?? 'Custom-object index check').replace(/^#{1,6} /, '').trim()
}

/** Every finding with a file, errors first, each on its line (line 1 when the finding names none). */
export function checkAnnotations(results: readonly ObjectResult[]): CheckAnnotation[] {
  const all = results.flatMap(r =>
    r.findings.flatMap(f => {
      const path = f.file ?? r.file
      if (path === '') return []
      const line = f.line ?? 1
      return [
        {
          path,
          start_line: line,
          end_line: line,
          annotation_level: f.severity === 'error' ? ('failure' as const) : ('warning' as const),
          message: f.message,
          title: f.rule
        }
      ]
    })
  )
  return [
    ...all.filter(a => a.annotation_level === 'failure'),
    ...all.filter(a => a.annotation_level !== 'failure')
  ]
}
