// run(): settings, mode, pipeline, outputs. The one place that calls setFailed.
//
// The order keeps every result (G1): the objects run; then the annotations, the job summary, the report
// file and the outputs are written; only then the side channels (the PR comment) run, and a failure there
// is a warning that changes nothing else.
import * as core from '@actions/core'
import { mapLimit } from './concurrency.js'
import { errorDetail, errorMessage } from './errors.js'
import { readRunContext, type RunContext } from './event.js'
import { createExits, type Exits } from './exits.js'
import type { Logger } from './log.js'
import type { ObjectResult } from './model.js'
import { planObjects } from './objects.js'
import { computeOutputs, failureReason } from './outputs.js'
import { createPipelineContext } from './pipeline/context.js'
import type { ObjectJob, PipelineContext } from './pipeline/job.js'
import { processObject } from './pipeline/object.js'
import { toAnnotations } from './report/annotations.js'
import { renderComment } from './report/comment.js'
import { buildReportFile } from './report/file.js'
import type { ReportOptions } from './report/render.js'
import { renderSummary } from './report/summary.js'
import { createRedactor } from './redact.js'
import { describeSettings, readSettings, type Settings } from './settings.js'
import { findIndexFiles, readIndexFile } from './workspace.js'

/** How many objects run at once; the shared rate limiter keeps them inside the org's budget. */
const OBJECT_CONCURRENCY = 4

/**
 * One object streams its log live in a group. Several run at once, so each one's lines are held and printed
 * as one group when it finishes, instead of interleaving.
 */
async function runObjects(jobs: ObjectJob[], ctx: PipelineContext, log: Logger): Promise<ObjectResult[]> {
  const title = (job: ObjectJob): string => `${job.mode} ${job.customObjectId} (${job.loaded.path})`
  if (jobs.length === 1) {
    const job = jobs[0]!
    return [await core.group(title(job), () => processObject({ ...ctx, log }, job))]
  }
  return mapLimit(jobs, OBJECT_CONCURRENCY, async job => {
    const held: [keyof Logger, string][] = []
    const hold: Logger = {
      info: m => held.push(['info', m]),
      warning: m => held.push(['warning', m]),
      debug: m => held.push(['debug', m])
    }
    const result = await processObject({ ...ctx, log: hold }, job)
    core.startGroup(title(job))
    for (const [level, m] of held) log[level](m)
    core.endGroup()
    return result
  })
}

function secretsOf(s: Settings): string[] {
  return [s.credentials?.clientSecret, s.githubToken, s.warehouseSecret].filter(
    (v): v is string => v !== undefined && v !== ''
  )
}

async function readObjects(settings: Settings, log: Logger): Promise<ReturnType<typeof planObjects>> {
  const paths = await findIndexFiles(settings.indexFile, settings.workspace)
  log.info(`Index files: ${paths.join(', ')}`)
  const files = await Promise.all(paths.map(p => readIndexFile(p, settings.workspace)))
  return planObjects(files, settings.customObjectId, settings.mode)
}

async function postComment(
  settings: Settings,
  ctx: RunContext,
  results: ObjectResult[],
  exits: Exits
): Promise<string | undefined> {
  if (settings.mode !== 'validate' || !settings.comment) return undefined
  if (ctx.pullRequest === undefined || ctx.repository === undefined) {
    exits.log.info(
      'No pull request in this event: the PR comment is skipped; the job summary has the report.'
    )
    return undefined
  }
  if (!settings.githubToken) {
    exits.log.warning("No 'github-token': the PR comment is skipped; the job summary has the report.")
    return undefined
  }
  const body = exits.redact(
    renderComment(results, {
      ...reportOptions(settings, ctx),
      commentKey: settings.commentKey,
      summaryUrl: ctx.runUrl
    })
  )
  // Loaded only when a comment is posted: Octokit is most of the bundle, and the other modes start faster.
  const { CommentPermissionError, createOctokitCommentApi, upsertStickyComment } =
    await import('./github/comment.js')
  try {
    const posted = await upsertStickyComment(createOctokitCommentApi(settings.githubToken, ctx.apiUrl), {
      ...ctx.repository,
      issueNumber: ctx.pullRequest,
      key: settings.commentKey,
      body
    })
    exits.log.info(`PR comment ${posted.action}: ${posted.url}`)
    return posted.url
  } catch (error) {
    const reason = errorMessage(error)
    exits.log.warning(
      error instanceof CommentPermissionError
        ? `${reason} The findings are in the job summary and the annotations.`
        : `The PR comment could not be posted: ${reason} The results are in the job summary, the annotations and the report file.`
    )
    return undefined
  }
}

/** What every rendering of this run's report is told about GitHub. */
function reportOptions(settings: Settings, ctx: RunContext): ReportOptions {
  return {
    mode: settings.mode,
    serverUrl: ctx.serverUrl,
    ...(ctx.repository ? { repository: `${ctx.repository.owner}/${ctx.repository.repo}` } : {}),
    headSha: ctx.headSha,
    runId: ctx.source.runId,
    time: new Date()
  }
}

/** Writes every result first (annotations, summary, report, outputs), then the side channels. */
async function finish(
  settings: Settings,
  ctx: RunContext,
  results: ObjectResult[],
  exits: Exits
): Promise<void> {
  exits.annotate(toAnnotations(results.flatMap(r => r.findings)))
  await exits.summary(renderSummary(results, reportOptions(settings, ctx)))
  const reportName = `custom-object-index-${settings.commentKey}-${ctx.source.runId || process.pid}.json`
  const reportText = buildReportFile(
    {
      mode: settings.mode,
      commentKey: settings.commentKey,
      repository: ctx.repository ? `${ctx.repository.owner}/${ctx.repository.repo}` : '',
      pullRequest: settings.mode === 'validate' ? (ctx.pullRequest ?? null) : null,
      headSha: ctx.headSha,
      runId: ctx.source.runId
    },
    results
  )
  const reportPath = exits.report(reportName, reportText) ?? ''
  const outputs = computeOutputs(results, settings.mode, { reportPath })
  exits.outputs(outputs)
  exits.log.info(
    `valid=${outputs.valid} errors=${outputs['error-count']} warnings=${outputs['warning-count']}`
  )

  const commentUrl = await postComment(settings, ctx, results, exits)
  if (commentUrl !== undefined) exits.outputs({ 'comment-url': commentUrl })
}

export async function run(): Promise<void> {
  const redactor = createRedactor()
  const exits = createExits(redactor.redact)
  try {
    const ctx = readRunContext(process.env)
    const settings = readSettings(
      name => core.getInput(name),
      ctx.event,
      process.env.GITHUB_WORKSPACE || process.cwd()
    )
    for (const secret of secretsOf(settings)) {
      core.setSecret(secret)
      redactor.add(secret)
    }
    exits.log.debug(`Settings: ${JSON.stringify(describeSettings(settings))}`)
    exits.log.info(
      `Mode: ${settings.mode}${settings.modeInput === 'auto' ? ` (auto, event '${ctx.event.name}')` : ''}`
    )

    const { jobs, rejected } = await core.group('Read index files', () => readObjects(settings, exits.log))
    const platform = createPipelineContext(settings, {
      log: exits.log,
      onSecret: secret => {
        core.setSecret(secret)
      },
      redactor,
      source: ctx.source
    })
    if (!settings.credentials) {
      exits.log.info(
        'Live checks skipped: no client-id/client-secret were given (a fork PR gets no secrets). Running the file-only checks.'
      )
    }
    const processed = await runObjects(jobs, platform.ctx, exits.log)
    const results = [...rejected, ...processed]
    const stats = platform.stats()
    exits.log.info(
      `Platform requests: ${stats.requests} (retries ${stats.retries}, throttled ${stats.throttled})`
    )

    await finish(settings, ctx, results, exits)
    const failure = failureReason(results, settings.mode, settings.failOn)
    if (failure !== undefined) core.setFailed(exits.redact(failure))
  } catch (error) {
    exits.log.debug(errorDetail(error))
    core.setFailed(exits.redact(errorMessage(error)))
  }
}
