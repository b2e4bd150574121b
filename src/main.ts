// run(): settings, mode, pipeline, outputs. The one place that calls setFailed.
//
// The order keeps every result (G1): the objects run (or, in publish, the reports are read); then the
// annotations, the job summary, the report file and the outputs are written; only then the side channels
// (the PR comment, the drift issue) run, and a failure there is a warning that changes nothing else.
import * as core from '@actions/core'
import { mapLimit } from './concurrency.js'
import { errorDetail, errorMessage } from './errors.js'
import { readRunContext, type RunContext } from './event.js'
import { createExits, type Exits } from './exits.js'
import type { GitHub } from './github/index.js'
import { reviewLine } from './github/reviewline.js'
import type { Logger } from './log.js'
import type { ObjectResult } from './model.js'
import { planObjects } from './objects.js'
import { computeOutputs, failureReason } from './outputs.js'
import { createPipelineContext } from './pipeline/context.js'
import type { ObjectJob, PipelineContext, ReviewSource } from './pipeline/job.js'
import { processObject } from './pipeline/object.js'
import { publish } from './pipeline/publish.js'
import { reviewFromInput, reviewFromLine, reviewOfResults } from './pipeline/review.js'
import { createRedactor } from './redact.js'
import { toAnnotations } from './report/annotations.js'
import { renderComment, renderDriftIssue } from './report/comment.js'
import { buildReportFile } from './report/file.js'
import type { ReportOptions } from './report/render.js'
import { renderSummary } from './report/summary.js'
import { describeSettings, readSettings, type Settings } from './settings.js'
import { findFiles, readIndexFile } from './workspace.js'

/** How many objects run at once; the shared rate limiter keeps them inside the org's budget. */
const OBJECT_CONCURRENCY = 4

/** What a run knows besides its results: the pull request and commit they belong to. */
interface RunFacts {
  pullRequest: number | null
  headSha: string
  /** The review line the comment ends with (validate, publish). */
  review?: string
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

/** GitHub, loaded on first use: Octokit is most of the bundle, and runs that never call GitHub start faster. */
function lazyGitHub(settings: Settings, ctx: RunContext): () => Promise<GitHub | undefined> {
  let session: Promise<GitHub> | undefined
  return async () => {
    if (!settings.githubToken || !ctx.repository) return undefined
    const token = settings.githubToken
    session ??= import('./github/index.js').then(m => m.createGitHub({ token, baseUrl: ctx.apiUrl }))
    return session
  }
}

/** Contract H: the reviewed hashes for a deploy, from the input or the commit's pull request. */
async function findReviews(
  settings: Settings,
  ctx: RunContext,
  jobs: readonly ObjectJob[],
  github: () => Promise<GitHub | undefined>
): Promise<ReviewSource | undefined> {
  if (settings.mode !== 'deploy' || settings.requireReview === 'off') return undefined
  if (settings.reviewedPayloadHash) return reviewFromInput(settings.reviewedPayloadHash, jobs.length)
  const gh = await github()
  if (!gh || !ctx.repository) {
    return reviewFromLine({
      pullRequest: null,
      problem: "no 'github-token' (or no repository) to look up the pull request's review"
    })
  }
  return reviewFromLine(
    await gh.findReview({ ...ctx.repository, sha: ctx.source.sha, key: settings.commentKey })
  )
}

/** Index files → objects → results, with the review look-up a deploy needs first. */
async function runIndexFiles(
  settings: Settings,
  ctx: RunContext,
  exits: Exits,
  redactor: ReturnType<typeof createRedactor>,
  github: () => Promise<GitHub | undefined>
): Promise<{ results: ObjectResult[]; facts: RunFacts }> {
  const { jobs, rejected } = await core.group('Read index files', async () => {
    const paths = await findFiles(settings.indexFile, settings.workspace)
    exits.log.info(`Index files: ${paths.join(', ')}`)
    const files = await Promise.all(paths.map(p => readIndexFile(p, settings.workspace)))
    return planObjects(files, settings.customObjectId, settings.mode)
  })
  const review = await findReviews(settings, ctx, jobs, github)
  const platform = createPipelineContext(settings, {
    log: exits.log,
    onSecret: secret => {
      core.setSecret(secret)
    },
    redactor,
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

/** What every rendering of this run's report is told about GitHub. */
function reportOptions(settings: Settings, ctx: RunContext, facts: RunFacts): ReportOptions {
  return {
    mode: settings.mode,
    serverUrl: ctx.serverUrl,
    ...(ctx.repository ? { repository: `${ctx.repository.owner}/${ctx.repository.repo}` } : {}),
    headSha: facts.headSha,
    runId: ctx.source.runId,
    time: new Date()
  }
}

/** The side channel of validate and publish: the sticky PR comment. Never throws. */
async function postComment(
  settings: Settings,
  ctx: RunContext,
  results: ObjectResult[],
  facts: RunFacts,
  exits: Exits,
  github: () => Promise<GitHub | undefined>
): Promise<string | undefined> {
  if ((settings.mode !== 'validate' && settings.mode !== 'publish') || !settings.comment) return undefined
  if (facts.pullRequest === null || ctx.repository === undefined) {
    exits.log.info(
      'No pull request in this event: the PR comment is skipped; the job summary has the report.'
    )
    return undefined
  }
  const gh = await github()
  if (!gh) {
    exits.log.warning("No 'github-token': the PR comment is skipped; the job summary has the report.")
    return undefined
  }
  const body = renderComment(results, {
    ...reportOptions(settings, ctx, facts),
    commentKey: settings.commentKey,
    ...(ctx.runUrl ? { summaryUrl: ctx.runUrl } : {}),
    ...(facts.review ? { trailer: facts.review } : {})
  })
  const posted = await gh.postStickyComment({
    ...ctx.repository,
    issueNumber: facts.pullRequest,
    key: settings.commentKey,
    body: exits.redact(body)
  })
  if (posted.url !== undefined) exits.log.info(`PR comment ${posted.action ?? 'posted'}: ${posted.url}`)
  if (posted.warning !== undefined) exits.log.warning(posted.warning)
  return posted.url
}

/** The side channel of drift: the drift issue, kept open while there is drift. Never throws. */
async function syncDriftIssue(
  settings: Settings,
  ctx: RunContext,
  results: ObjectResult[],
  exits: Exits,
  github: () => Promise<GitHub | undefined>
): Promise<void> {
  if (settings.mode !== 'drift' || !settings.driftIssue || !ctx.repository) return
  const gh = await github()
  if (!gh) {
    exits.log.warning("No 'github-token': the drift issue is not kept; the job summary has the drift.")
    return
  }
  const drifted = results.filter(r => r.drifted === true)
  const unchecked = results.filter(r => r.drift === undefined).length
  if (drifted.length === 0 && unchecked > 0) {
    // An object that could not be checked is not proof that its drift is gone: the issue stays as it is.
    exits.log.info(
      `The drift issue is left as it is: ${unchecked} object${unchecked === 1 ? '' : 's'} could not be checked.`
    )
    return
  }
  const synced = await gh.syncDriftIssue({
    ...ctx.repository,
    key: settings.commentKey,
    drifted: drifted.length > 0,
    title: `Custom-object index drift: ${drifted.length} object${drifted.length === 1 ? '' : 's'}`,
    body: exits.redact(
      renderDriftIssue(results, {
        ...reportOptions(settings, ctx, { pullRequest: null, headSha: ctx.headSha }),
        commentKey: settings.commentKey,
        ...(ctx.runUrl ? { summaryUrl: ctx.runUrl } : {})
      })
    )
  })
  if (synced.url !== undefined) exits.log.info(`Drift issue ${synced.action}: ${synced.url}`)
  if (synced.warning !== undefined) exits.log.warning(synced.warning)
}

/** Writes every result first (annotations, summary, report, outputs), then the side channels. */
async function finish(
  settings: Settings,
  ctx: RunContext,
  results: ObjectResult[],
  facts: RunFacts,
  exits: Exits,
  github: () => Promise<GitHub | undefined>
): Promise<void> {
  exits.annotate(toAnnotations(results.flatMap(r => r.findings)))
  await exits.summary(renderSummary(results, reportOptions(settings, ctx, facts)))
  const reportName = `custom-object-index-${settings.commentKey}-${ctx.source.runId || process.pid}.json`
  const reportText = buildReportFile(
    {
      mode: settings.mode,
      commentKey: settings.commentKey,
      repository: ctx.repository ? `${ctx.repository.owner}/${ctx.repository.repo}` : '',
      pullRequest: facts.pullRequest,
      headSha: facts.headSha,
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

  const commentUrl = await postComment(settings, ctx, results, facts, exits, github)
  if (commentUrl !== undefined) exits.outputs({ 'comment-url': commentUrl })
  await syncDriftIssue(settings, ctx, results, exits, github)
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
    const github = lazyGitHub(settings, ctx)

    let results: ObjectResult[]
    let facts: RunFacts
    if (settings.mode === 'publish') {
      const published = await core.group('Read report files', () =>
        publish(
          {
            reportFiles: settings.reportFiles ?? '',
            pullRequest: settings.pullRequest,
            workspace: settings.workspace
          },
          ctx,
          async n => {
            const gh = await github()
            if (!gh || !ctx.repository) {
              throw new Error(`No 'github-token' to prove that pull request #${n} is at the reports' commit.`)
            }
            return (await gh.getPullRequest({ ...ctx.repository, number: n })).headSha
          }
        )
      )
      results = published.results
      facts = {
        pullRequest: published.pullRequest,
        headSha: published.headSha,
        review: reviewLine(reviewOfResults(results, published.headSha, ctx.source.runId))
      }
      exits.log.info(
        `Publishing ${results.length} object(s) from ${published.reports.length} report file(s) on pull request #${published.pullRequest}.`
      )
    } else {
      ;({ results, facts } = await runIndexFiles(settings, ctx, exits, redactor, github))
    }

    await finish(settings, ctx, results, facts, exits, github)
    const failure = failureReason(results, settings.mode, settings.failOn, settings.failOnDrift)
    if (failure !== undefined) core.setFailed(exits.redact(failure))
  } catch (error) {
    exits.log.debug(errorDetail(error))
    core.setFailed(exits.redact(errorMessage(error)))
  }
}
