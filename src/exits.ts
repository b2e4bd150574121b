// Everything that leaves the action for the runner: log lines, annotations, the job summary, the report file
// and the outputs. Each text passes the run's redaction first (docs/rules.md#secrets-never-leave), and no log
// line can start a workflow command (docs/rules.md#outside-text-cannot-speak-to-the-runner). Each write is
// guarded on its own, so one failing write never loses the others (docs/rules.md#nothing-is-lost).
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import { errorMessage } from './errors.js'
import type { Logger } from './log.js'
import type { Annotation } from './report/annotations.js'

/**
 * A line the runner would read as a workflow command (`::name ...::` or the older `##[name]`) is defused:
 * its first character is escaped as the toolkit escapes command data ('%3A'), so it prints as text. The
 * runner reads CR as a line break too, so every kind of line break is a line of its own here.
 */
export function inertLines(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map(line =>
      line.replace(
        /^(\s*)(::|##\[)/,
        (_, space: string, cmd: string) => `${space}${cmd === '::' ? '%3A:' : '%23#['}`
      )
    )
    .join('\n')
}

export interface Exits {
  /**
   * The run's log: info lines defused and redacted; warnings, notices (and their titles) and debug lines
   * redacted (the toolkit escapes them).
   */
  log: Logger & Required<Pick<Logger, 'notice'>>
  redact(text: string): string
  annotate(annotations: readonly Annotation[]): void
  /** Writes the job summary (when the runner gives one); false when it could not. */
  summary(markdown: string): Promise<boolean>
  /** Writes the report file's text into the runner's temp folder; its path, or undefined when it could not. */
  report(name: string, text: string): string | undefined
  outputs(values: Readonly<Record<string, string>>): void
}

export function createExits(redact: (text: string) => string): Exits {
  const log: Exits['log'] = {
    info: m => {
      core.info(inertLines(redact(m)))
    },
    warning: m => {
      core.warning(redact(m))
    },
    debug: m => {
      core.debug(redact(m))
    },
    notice: (m, title) => {
      core.notice(redact(m), title !== undefined ? { title: redact(title) } : {})
    }
  }
  const guarded = <T>(what: string, write: () => T): T | undefined => {
    try {
      return write()
    } catch (error) {
      log.warning(`Could not write ${what}: ${errorMessage(error)}`)
      return undefined
    }
  }
  return {
    log,
    redact,
    annotate(annotations) {
      guarded('the annotations', () => {
        for (const a of annotations) {
          const props = { title: redact(a.title), file: a.file, startLine: a.startLine }
          const text = redact(a.message)
          if (a.level === 'error') core.error(text, props)
          else if (a.level === 'warning') core.warning(text, props)
          else core.notice(text, props)
        }
      })
    },
    async summary(markdown) {
      if (!process.env.GITHUB_STEP_SUMMARY) {
        // Outside a runner (a local run) there is nowhere to write it: say so rather than drop it silently.
        log.info(
          'No job summary: GITHUB_STEP_SUMMARY is not set (a run outside GitHub Actions); the report file holds the results.'
        )
        return false
      }
      try {
        await core.summary.addRaw(redact(markdown)).write({ overwrite: false })
        core.summary.emptyBuffer()
        return true
      } catch (error) {
        log.warning(`Could not write the job summary: ${errorMessage(error)}`)
        return false
      }
    },
    report(name, text) {
      return guarded('the report file', () => {
        const dir = process.env.RUNNER_TEMP || os.tmpdir()
        mkdirSync(dir, { recursive: true })
        const file = path.join(dir, name)
        writeFileSync(file, redact(text))
        return file
      })
    },
    outputs(values) {
      for (const [name, value] of Object.entries(values)) {
        guarded(`the output ${name}`, () => {
          core.setOutput(name, redact(value))
        })
      }
    }
  }
}
