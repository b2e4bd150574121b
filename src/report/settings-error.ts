// The job summary of a run whose inputs could not be read: the input, the problem, and that nothing ran, so a
// workflow that shows summaries (or a reader of the run page) sees why the step failed. Pure.
import type { Mode } from '../model.js'
import { clip, code, escapeText, tableHead } from './markdown.js'
import { MODE_VIEWS } from './modes.js'

/** The longest problem quoted (an input's value may be long). */
const MAX_PROBLEM = 2_000

export interface SettingsProblem {
  /** The mode that would have run, when the `mode` input was one. */
  mode?: Mode
  /** The input that could not be read, when known. */
  input?: string
  message: string
}

export function renderSettingsError(problem: SettingsProblem): string {
  const title = (problem.mode && MODE_VIEWS[problem.mode].title) ?? 'Custom-object index'
  const input = problem.input !== undefined ? code(problem.input, true) : 'unknown'
  return (
    `## ${title}: ❌ the inputs could not be read\n\n` +
    `${tableHead(['Input', 'Problem'])}| ${input} | ${escapeText(clip(problem.message, MAX_PROBLEM))} |\n\n` +
    'Nothing was checked or deployed, and no request was sent to the platform: fix the input and run the job again.\n'
  )
}
