// The publish recipe (docs/rules.md#publishing-reports): report files written by other jobs (fork PRs, a
// matrix) are read as untrusted input and brought together, all or nothing: one bad file, or files that
// disagree on the pull request or the commit, refuse the whole set before anything is posted. Under
// `workflow_run` the pull request is proven by its current head SHA.
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { errorMessage } from '../errors.js'
import type { RunContext } from '../event.js'
import type { ObjectResult } from '../model.js'
import { MAX_REPORT_FILE_BYTES, parseReportFile, type ReportFile } from '../report/file.js'
import { findFiles } from '../workspace.js'

/** At most this many report files are published at once. */
export const MAX_REPORT_FILES = 256

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
  try {
    return parseReportFile(text, name)
  } catch (error) {
    throw new PublishError(`${errorMessage(error)}\nNothing was published.`)
  }
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

/**
 * Reads, checks and brings together the report files of `report-files`. `pullHead` reads a pull request's
 * current head SHA on GitHub (needed to prove the pull request outside its own PR event).
 */
export async function publish(
  opts: { reportFiles: string; pullRequest?: number; workspace: string },
  ctx: Pick<RunContext, 'event' | 'pullRequest' | 'workflowRun' | 'repository' | 'headSha'>,
  pullHead: (n: number) => Promise<string>
): Promise<PublishOutcome> {
  const names = await findFiles(opts.reportFiles, opts.workspace, 'report-files')
  if (names.length > MAX_REPORT_FILES) {
    throw new PublishError(
      `Input 'report-files' matched ${names.length} files; at most ${MAX_REPORT_FILES} are published at once. Nothing was published.`
    )
  }
  const reports: { name: string; file: ReportFile }[] = []
  for (const name of names) reports.push({ name, file: await readReport(opts.workspace, name) })

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
  const headSha = oneValue(reports, f => f.headSha, 'commits')
  // A report that names no pull request (a live check run outside a PR event) goes with any that do.
  const naming = reports.filter(r => r.file.pullRequest !== null)
  const named = naming.length > 0 ? oneValue(naming, f => f.pullRequest, 'pull requests') : null
  const repository = ctx.repository ? `${ctx.repository.owner}/${ctx.repository.repo}` : undefined
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

  const prEvent = ctx.event.name === 'pull_request' || ctx.event.name === 'pull_request_target'
  if (prEvent) {
    if (ctx.pullRequest !== pullRequest) {
      throw new PublishError(
        `This ${ctx.event.name} event is for pull request #${ctx.pullRequest ?? '?'}, but the reports are for #${pullRequest}. Nothing was published.`
      )
    }
    if (ctx.headSha !== '' && ctx.headSha !== headSha) {
      throw new PublishError(
        `This ${ctx.event.name} event is for commit ${ctx.headSha.slice(0, 12)} of pull request #${pullRequest}, but the reports were made on ${headSha.slice(0, 12)}. Nothing was published.`
      )
    }
  } else {
    // Proof: the pull request's head is the commit the reports were made on (and the triggering run's).
    const head = await pullHead(pullRequest)
    const runHead = ctx.workflowRun?.headSha
    if (head !== headSha || (runHead !== undefined && runHead !== headSha)) {
      throw new PublishError(
        `Pull request #${pullRequest} is at commit ${head.slice(0, 12)}, but the reports were made on ${headSha.slice(0, 12)}` +
          (runHead !== undefined ? ` and the triggering run on ${runHead.slice(0, 12) || '(none)'}` : '') +
          ': they are not the pull request’s current head. Nothing was published.'
      )
    }
  }
  return {
    results: reports.flatMap(r => r.file.objects),
    pullRequest,
    headSha,
    reports: reports.map(r => r.file)
  }
}
