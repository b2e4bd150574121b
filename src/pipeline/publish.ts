// The publish recipe: report files written by other jobs (fork PRs, a matrix) are read as untrusted input and
// brought together, all or nothing: one bad file, or files that disagree on the pull request or the commit,
// refuse the whole set before anything is posted. Under `workflow_run` the pull request is proven by its
// current head SHA. A report attests only what its own run could see: it must come from this run (a matrix)
// or the triggering run, and a fork's run is believed for its file checks only. With the plan's object list,
// an object whose job left no report is shown, and blocks the verdict.
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { errorMessage } from '../errors.js'
import type { RunContext } from '../event.js'
import { blankResult, type ObjectResult } from '../model.js'
import { MAX_REPORT_FILE_BYTES, parseReportFile, type ReportFile } from '../report/file.js'
import { clip, oneLine } from '../report/markdown.js'
import { findFiles } from '../workspace.js'

/** At most this many report files are published at once. */
export const MAX_REPORT_FILES = 256

/** What an expected object without a report says. */
export const NO_REPORT = 'no report (its job failed or was cancelled)'

/** The only mode whose reports are published: a review of a pull request. */
const PUBLISHED_MODE = 'validate'

export interface PublishOutcome {
  results: ObjectResult[]
  pullRequest: number
  /** The commit every report was made on. */
  headSha: string
  /** Each object's payload hash and base version, for the review line (only live-checked objects). */
  reports: ReportFile[]
}

export class PublishError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PublishError'
  }
}

async function readReport(workspace: string, name: string): Promise<ReportFile> {
  const full = path.resolve(workspace, name)
  const size = (await stat(full)).size
  if (size > MAX_REPORT_FILE_BYTES) {
    throw new PublishError(
      `Report file ${name} is ${size} bytes; report files are limited to ${MAX_REPORT_FILE_BYTES} bytes. Nothing was published.`
    )
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(full))
  } catch {
    throw new PublishError(`Report file ${name} is not valid UTF-8 text. Nothing was published.`)
  }
  let report: ReportFile
  try {
    report = parseReportFile(text, name)
  } catch (error) {
    throw new PublishError(`${errorMessage(error)}\nNothing was published.`)
  }
  // A run that could not read its inputs checked nothing: publishing the rest would pass a set with a hole.
  if (report.error !== undefined || report.mode === 'unknown') {
    const input =
      report.error?.input !== undefined ? `input '${clip(oneLine(report.error.input), 80)}': ` : ''
    const why = report.error ? ` (${input}${clip(oneLine(report.error.message), 300)})` : ''
    throw new PublishError(
      `Report file ${name} is from a run that could not read its inputs${why}: it checked nothing. ` +
        "Fix that job's inputs and run it again. Nothing was published."
    )
  }
  return report
}

function oneValue<T>(
  reports: readonly { name: string; file: ReportFile }[],
  pick: (f: ReportFile) => T,
  what: string
): T {
  const first = reports[0]!
  const other = reports.find(r => pick(r.file) !== pick(first.file))
  if (other) {
    throw new PublishError(
      `Report files ${first.name} and ${other.name} name different ${what} (${String(pick(first.file))} and ` +
        `${String(pick(other.file))}): publish the reports of one pull request and one commit together. Nothing was published.`
    )
  }
  return pick(first.file)
}

/** A report file as read, with the name it is refused by. */
export interface NamedReport {
  name: string
  file: ReportFile
}

/** Which runs may have produced the reports, and whose word counts for the live checks. */
export interface ReportTrust {
  /** The current run's id: a matrix of this workflow run. */
  runId: string
  /** Under `workflow_run`: the triggering run's id, and whether it ran a fork's code. */
  triggeringRun?: { id: string; fork: boolean }
  /** The plan's `objects` output: each needs a report, and no other is taken. */
  expectedObjects?: readonly string[]
}

/** The trust of this run: a triggering run whose head repository differs from this one (or is unnamed) is a fork's. */
export function reportTrust(
  runner: Pick<RunContext, 'workflowRun' | 'repository'> & { source: Pick<RunContext['source'], 'runId'> },
  expectedObjects?: readonly string[]
): ReportTrust {
  const repository = runner.repository ? `${runner.repository.owner}/${runner.repository.repo}` : ''
  const run = runner.workflowRun
  return {
    runId: runner.source.runId,
    ...(run && run.id !== ''
      ? {
          triggeringRun: { id: run.id, fork: run.headRepository === '' || run.headRepository !== repository }
        }
      : {}),
    ...(expectedObjects ? { expectedObjects } : {})
  }
}

/** A fork's entry: what its own run could see without secrets, its claims about the live schema dropped. */
function fileChecksOnly(o: ObjectResult): ObjectResult {
  const { payloadHash: _h, basedOnVersion: _b, schemaVersion: _s, ...rest } = o
  return { ...rest, live: false, probes: [], baselineProbes: [], attested: 'file-checks-only' }
}

/**
 * Brings the reports together (pure): each of a published mode, from a run that may have produced it, each
 * object once and expected; a fork's entries reduced to their file checks; an expected object without a
 * report added as one. Throws a PublishError naming the file otherwise.
 */
export function bringTogether(reports: readonly NamedReport[], trust: ReportTrust): ObjectResult[] {
  const other = reports.filter(r => r.file.mode !== PUBLISHED_MODE)
  if (other.length > 0) {
    const named = other.map(r => `${r.name} (${r.file.mode})`).join(', ')
    throw new PublishError(
      `Report file${other.length === 1 ? '' : 's'} ${named} ${other.length === 1 ? 'is not a' : 'are not'} ` +
        `${PUBLISHED_MODE} report${other.length === 1 ? '' : 's'}: publish posts the reviews of pull requests ` +
        '(validate reports) only; keep deploy, drift and plan reports as artifacts. Nothing was published.'
    )
  }
  const producers = [trust.runId, trust.triggeringRun?.id].filter((id): id is string => !!id)
  for (const { name, file } of reports) {
    if (!producers.includes(file.runId)) {
      const allowed = producers.length > 0 ? producers.join(' or ') : 'none known'
      throw new PublishError(
        `Report file ${name} was made by run ${JSON.stringify(file.runId)}, not by this run or the run that ` +
          `triggered it (${allowed}): a report attests only its own run. Nothing was published.`
      )
    }
  }
  const holder = new Map<string, string>()
  for (const { name, file } of reports) {
    for (const o of file.objects) {
      const first = holder.get(o.customObjectId)
      if (first !== undefined) {
        const where =
          first === name ? `Report file ${name} holds` : `Report files ${first} and ${name} both hold`
        throw new PublishError(
          `${where} object ${o.customObjectId}: publish one result per object. Nothing was published.`
        )
      }
      holder.set(o.customObjectId, name)
    }
  }
  const expected = trust.expectedObjects
  if (expected !== undefined) {
    const unexpected = [...holder].find(([id]) => !expected.includes(id))
    if (unexpected) {
      throw new PublishError(
        `Report file ${unexpected[1]} holds object ${JSON.stringify(unexpected[0])}, which is not in ` +
          "'expected-objects': publish only the objects the plan listed. Nothing was published."
      )
    }
  }
  const fork = trust.triggeringRun?.fork === true ? trust.triggeringRun.id : undefined
  const results = reports.flatMap(r =>
    fork !== undefined && r.file.runId === fork && r.file.runId !== trust.runId
      ? r.file.objects.map(fileChecksOnly)
      : r.file.objects
  )
  const missing = (expected ?? []).filter(id => !holder.has(id))
  return [
    ...results,
    ...missing.map(id => ({
      ...blankResult(id, '', PUBLISHED_MODE),
      error: NO_REPORT,
      attested: 'no-report' as const
    }))
  ]
}

/**
 * Reads, checks and brings together the report files of `report-files`. `pullHead` reads a pull request's
 * current head SHA on GitHub (needed to prove the pull request outside its own PR event).
 */
export async function publish(
  opts: { reportFiles: string; pullRequest?: number; workspace: string; expectedObjects?: readonly string[] },
  runner: Pick<RunContext, 'event' | 'pullRequest' | 'workflowRun' | 'repository' | 'headSha' | 'source'>,
  pullHead: (n: number) => Promise<string>
): Promise<PublishOutcome> {
  let names: string[]
  try {
    names = await findFiles(opts.reportFiles, opts.workspace, 'report-files')
  } catch (error) {
    // No report at all: with the plan's list, say which objects went without one.
    if (!opts.expectedObjects?.length) throw error
    const ids = opts.expectedObjects
    throw new PublishError(
      `${errorMessage(error)} No report for ${ids.join(', ')}: ${ids.length === 1 ? 'its job' : 'their jobs'} ` +
        `failed or ${ids.length === 1 ? 'was' : 'were'} cancelled. Nothing was published.`
    )
  }
  if (names.length > MAX_REPORT_FILES) {
    throw new PublishError(
      `Input 'report-files' matched ${names.length} files; at most ${MAX_REPORT_FILES} are published at once. Nothing was published.`
    )
  }
  const reports: { name: string; file: ReportFile }[] = []
  for (const name of names) reports.push({ name, file: await readReport(opts.workspace, name) })

  const results = bringTogether(reports, reportTrust(runner, opts.expectedObjects))
  const headSha = oneValue(reports, f => f.headSha, 'commits')
  // A report that names no pull request (a live check run outside a PR event) goes with any that do.
  const naming = reports.filter(r => r.file.pullRequest !== null)
  const named = naming.length > 0 ? oneValue(naming, f => f.pullRequest, 'pull requests') : null
  const repository = runner.repository ? `${runner.repository.owner}/${runner.repository.repo}` : undefined
  const foreign = reports.find(
    r => repository !== undefined && r.file.repository !== '' && r.file.repository !== repository
  )
  if (foreign) {
    throw new PublishError(
      `Report file ${foreign.name} is for repository ${foreign.file.repository}, not ${repository}. Nothing was published.`
    )
  }
  if (opts.pullRequest !== undefined && named !== null && named !== opts.pullRequest) {
    throw new PublishError(
      `The reports are for pull request #${named} but the pull-request input says #${opts.pullRequest}. Nothing was published.`
    )
  }
  const pullRequest = opts.pullRequest ?? named
  if (pullRequest === null) {
    throw new PublishError(
      "The reports name no pull request: give the 'pull-request' input. Nothing was published."
    )
  }
  if (!/^[0-9a-f]{40,64}$/.test(headSha)) {
    throw new PublishError(`The reports name no commit (headSha '${headSha}'). Nothing was published.`)
  }

  const prEvent = runner.event.name === 'pull_request' || runner.event.name === 'pull_request_target'
  if (prEvent) {
    if (runner.pullRequest !== pullRequest) {
      throw new PublishError(
        `This ${runner.event.name} event is for pull request #${runner.pullRequest ?? '?'}, but the reports are for #${pullRequest}. Nothing was published.`
      )
    }
    if (runner.headSha !== '' && runner.headSha !== headSha) {
      throw new PublishError(
        `This ${runner.event.name} event is for commit ${runner.headSha.slice(0, 12)} of pull request #${pullRequest}, but the reports were made on ${headSha.slice(0, 12)}. Nothing was published.`
      )
    }
  } else {
    // Proof: the pull request's head is the commit the reports were made on (and the triggering run's).
    const head = await pullHead(pullRequest)
    const runHead = runner.workflowRun?.headSha
    if (head !== headSha || (runHead !== undefined && runHead !== headSha)) {
      throw new PublishError(
        `Pull request #${pullRequest} is at commit ${head.slice(0, 12)}, but the reports were made on ${headSha.slice(0, 12)}` +
          (runHead !== undefined ? ` and the triggering run on ${runHead.slice(0, 12) || '(none)'}` : '') +
          ': they are not the pull request’s current head. Nothing was published.'
      )
    }
  }
  return {
    results,
    pullRequest,
    headSha,
    reports: reports.map(r => r.file)
  }
}
