// run(): settings, mode, pipeline, outputs. The one place that calls setFailed.
//
// The order keeps every result (docs/rules.md#nothing-is-lost): the objects run (or, in publish, the reports
// are read); then the annotations, the job summary, the report file and the outputs are written; only then
// the side channels (the PR comment, the drift issue) run, and a failure there is a warning that changes
// nothing else.
import * as core from '@actions/core'
import { mapLimit } from './concurrency.js'
import { errorDetail, errorMessage } from './errors.js'
import { readRunContext } from './event.js'
import { createExits } from './exits.js'
import { reviewLine } from './github/reviewline.js'
import type { Logger } from './log.js'
import type { ObjectResult } from './model.js'
import { planObjects } from './objects.js'
import { computeOutputs, failureReason } from './outputs.js'
import { createPipelineContext } from './pipeline/context.js'
import type { ObjectJob, PipelineContext } from './pipeline/job.js'
import { processObject } from './pipeline/object.js'
import { publish } from './pipeline/publish.js'
import { reviewOfResults } from './pipeline/review.js'
import { createRedactor } from './redact.js'
import { toAnnotations } from './report/annotations.js'
import { buildReportFile } from './report/file.js'
import { renderSummary } from './report/summary.js'
import { lazyGitHub, reportOptions, repositoryName, type Run, type RunFacts } from './run.js'
import { describeSettings, readSettings } from './settings.js'
import { findReviews, postComment, syncDriftIssue } from './sidechannels.js'
import { findFiles, readIndexFile } from './workspace.js'

/** How many objects run at once; the shared rate limiter keeps them inside the org's budget. */
const OBJECT_CONCURRENCY = 4

interface Outcome {
  results: ObjectResult[]
  facts: RunFacts
}

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

/** validate, plan, deploy, drift: index files → objects → results, with the reviews a deploy needs first. */
async function checkIndexFiles(run: Run): Promise<Outcome> {
  const { settings, ctx, exits } = run
  const { jobs, rejected } = await core.group('Read index files', async () => {
    const paths = await findFiles(settings.indexFile, settings.workspace)
    exits.log.info(`Index files: ${paths.join(', ')}`)
    const files = await Promise.all(paths.map(p => readIndexFile(p, settings.workspace)))
    return planObjects(files, settings.customObjectId, settings.mode)
  })
  const review = await findReviews(run, jobs)
  const platform = createPipelineContext(settings, {
    log: exits.log,
    onSecret: secret => {
      core.setSecret(secret)
    },
    redactor: run.redactor,
    source: ctx.source,
    ...(review ? { review } : {})
  })
  if (!settings.credentials) {
    exits.log.info(
      'Live checks skipped: no client-id/client-secret were given (a fork PR gets no secrets). Running the file-only checks.'
    )
  }
  const results = [...rejected, ...(await runObjects(jobs, platform.ctx, exits.log))]
  const stats = platform.stats()
  exits.log.info(
    `Platform requests: ${stats.requests} (retries ${stats.retries}, throttled ${stats.throttled})`
  )
  const validate = settings.mode === 'validate'
  return {
    results,
    facts: {
      pullRequest: validate ? (ctx.pullRequest ?? null) : (review?.pullRequest ?? null),
      headSha: ctx.headSha,
      ...(validate ? { review: reviewLine(reviewOfResults(results, ctx.headSha, ctx.source.runId)) } : {})
    }
  }
}

/** publish: the report files of other jobs, proven and brought together. */
async function publishReports(run: Run): Promise<Outcome> {
  const { settings, ctx } = run
  const published = await core.group('Read report files', () =>
    publish(
      {
        reportFiles: settings.reportFiles ?? '',
        pullRequest: settings.pullRequest,
        workspace: settings.workspace
      },
      ctx,
      async n => {
        const gh = await run.github()
        if (!gh || !ctx.repository) {
          throw new Error(`No 'github-token' to prove that pull request #${n} is at the reports' commit.`)
        }
        return (await gh.getPullRequest({ ...ctx.repository, number: n })).headSha
      }
    )
  )
  const results = published.results
  run.exits.log.info(
    `Publishing ${results.length} object(s) from ${published.reports.length} report file(s) on pull request #${published.pullRequest}.`
  )
  return {
    results,
    facts: {
      pullRequest: published.pullRequest,
      headSha: published.headSha,
      review: reviewLine(reviewOfResults(results, published.headSha, ctx.source.runId))
    }
  }
}

/** Writes every result first (annotations, summary, report, outputs), then the side channels. */
async function finish(run: Run, { results, facts }: Outcome): Promise<void> {
  const { settings, ctx, exits } = run
  exits.annotate(toAnnotations(results.flatMap(r => r.findings)))
  await exits.summary(renderSummary(results, reportOptions(run, facts)))
  const reportText = buildReportFile(
    {
      mode: settings.mode,
      commentKey: settings.commentKey,
      repository: repositoryName(ctx),
      pullRequest: facts.pullRequest,
      headSha: facts.headSha,
      runId: ctx.source.runId
    },
    results
  )
  const reportName = `custom-object-index-${settings.commentKey}-${ctx.source.runId || process.pid}.json`
  const outputs = computeOutputs(results, settings.mode, {
    reportPath: exits.report(reportName, reportText) ?? ''
  })
  exits.outputs(outputs)
  exits.log.info(
    `valid=${outputs.valid} errors=${outputs['error-count']} warnings=${outputs['warning-count']}`
  )

  const commentUrl = await postComment(run, results, facts)
  if (commentUrl !== undefined) exits.outputs({ 'comment-url': commentUrl })
  await syncDriftIssue(run, results)
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
    for (const secret of [
      settings.credentials?.clientSecret,
      settings.githubToken,
      settings.warehouseSecret
    ]) {
      if (!secret) continue
      core.setSecret(secret)
      redactor.add(secret)
    }
    exits.log.debug(`Settings: ${JSON.stringify(describeSettings(settings))}`)
    exits.log.info(
      `Mode: ${settings.mode}${settings.modeInput === 'auto' ? ` (auto, event '${ctx.event.name}')` : ''}`
    )
    const scope: Run = { settings, ctx, exits, redactor, github: lazyGitHub(settings, ctx) }
    const outcome = settings.mode === 'publish' ? await publishReports(scope) : await checkIndexFiles(scope)
    await finish(scope, outcome)
    const failure = failureReason(outcome.results, settings.mode, settings.failOn, settings.failOnDrift)
    if (failure !== undefined) core.setFailed(exits.redact(failure))
  } catch (error) {
    exits.log.debug(errorDetail(error))
    core.setFailed(exits.redact(errorMessage(error)))
  }
}
