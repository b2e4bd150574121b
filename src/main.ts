// run(): settings, mode, pipeline, outputs. The one place that calls setFailed.
//
// The order keeps every result (docs/rules.md#nothing-is-lost): the objects run (or, in publish, the reports
// are read); then the annotations, the job summary, the report file and the outputs are written; only then
// the side channels (the PR comment, the drift issue) run, and a failure there is a warning that changes
// nothing else.
import * as core from '@actions/core'
import { announceSelection, removedSection, selectFiles } from './changes.js'
import { mapLimit } from './concurrency.js'
import { errorDetail, errorMessage } from './errors.js'
import { readRunContext, type RunContext } from './event.js'
import { createExits, type Exits } from './exits.js'
import type { Logger } from './log.js'
import type { ObjectResult } from './model.js'
import { planObjects } from './objects.js'
import { computeOutputs, failureReason, objectsPerEntry, OUTPUT_NAMES } from './outputs.js'
import { runLimits } from './pipeline/cache.js'
import { createPipelineContext } from './pipeline/context.js'
import type { ObjectJob, PipelineContext } from './pipeline/job.js'
import { processObject } from './pipeline/object.js'
import { publish } from './pipeline/publish.js'
import { reviewOfResults } from './pipeline/review.js'
import { createRedactor } from './redact.js'
import { toAnnotations } from './report/annotations.js'
import { buildReportFile, reportFileName } from './report/file.js'
import { renderSummary } from './report/summary.js'
import { lazyGitHub, reportOptions, repositoryName, type RunScope, type RunFacts } from './scope.js'
import { renderSettingsError } from './report/settings-error.js'
import {
  COMMENT_KEY,
  describeSettings,
  modeAsGiven,
  readSettings,
  SettingsError,
  type Settings
} from './settings.js'
import { findFreshness, findReviews, postComment, publishCheckRun, syncDriftIssue } from './sidechannels.js'
import { findFiles, readIndexFile } from './workspace.js'

interface Outcome {
  results: ObjectResult[]
  facts: RunFacts
  /** Index files the change removed: no longer managed, their live indexes kept. */
  removed?: string[]
}

/**
 * One object streams its log live in a group. Several run at once (`slots`, which follows the org's rate
 * budget; the shared rate limiter and poll pacer keep them inside it), so each one's lines are held and
 * printed as one group when it finishes, instead of interleaving.
 */
async function runObjects(
  jobs: ObjectJob[],
  ctx: PipelineContext,
  log: Logger,
  slots: number
): Promise<ObjectResult[]> {
  const title = (job: ObjectJob): string => `${job.mode} ${job.customObjectId} (${job.loaded.path})`
  if (jobs.length === 1) {
    const job = jobs[0]!
    return [await core.group(title(job), () => processObject({ ...ctx, log }, job))]
  }
  // The objects still to start keep what they need of the budget from the rebuild polls' faster spending.
  ctx.pacer?.expect(jobs.length)
  return mapLimit(jobs, slots, async job => {
    const held: [keyof Logger, string][] = []
    const hold: Logger = {
      info: m => held.push(['info', m]),
      warning: m => held.push(['warning', m]),
      debug: m => held.push(['debug', m]),
      notice: m => held.push(['notice', m])
    }
    const result = await processObject({ ...ctx, log: hold }, job)
    ctx.pacer?.done()
    core.startGroup(title(job))
    for (const [level, m] of held) (log[level] ?? log.info)(m)
    core.endGroup()
    return result
  })
}

/** validate, plan, deploy, drift: index files → objects → results, with the reviews a deploy needs first. */
async function checkIndexFiles(run: RunScope): Promise<Outcome> {
  const { settings, runner, exits } = run
  const { jobs, rejected, removed } = await core.group('Read index files', async () => {
    const matched = await findFiles(settings.indexFile, settings.workspace)
    const selection = await selectFiles(run, matched)
    announceSelection(exits, matched.length, selection)
    exits.log.info(`Index files: ${selection.paths.join(', ') || '(none changed)'}`)
    const files = await Promise.all(selection.paths.map(p => readIndexFile(p, settings.workspace)))
    return { ...planObjects(files, settings.customObjectId, settings.mode), removed: selection.removed }
  })
  const [review, freshness] = await Promise.all([findReviews(run, jobs), findFreshness(run, jobs)])
  const platform = createPipelineContext(settings, {
    log: exits.log,
    onSecret: secret => {
      core.setSecret(secret)
    },
    redactor: run.redactor,
    source: runner.source,
    ...(review ? { review } : {}),
    ...(freshness ? { freshness } : {})
  })
  if (!settings.credentials) {
    exits.log.info(
      'Live checks skipped: no client-id/client-secret were given (a fork PR gets no secrets). Running the file-only checks.'
    )
  }
  if (jobs.length > 1 && platform.ctx.live) {
    // The first answer announces the rate budget the objects' concurrency follows; a failure here is the
    // objects' own to report.
    await runLimits(platform.ctx, platform.ctx.live).catch(() => undefined)
  }
  const results = [...rejected, ...(await runObjects(jobs, platform.ctx, exits.log, platform.slots()))]
  const stats = platform.stats()
  exits.log.info(
    `Platform requests: ${stats.requests} (retries ${stats.retries}, throttled ${stats.throttled})`
  )
  const validate = settings.mode === 'validate'
  return {
    results,
    removed,
    facts: {
      pullRequest: validate ? (runner.pullRequest ?? null) : (review?.pullRequest ?? null),
      headSha: runner.headSha,
      ...(validate ? { review: reviewOfResults(results, runner.headSha, runner.source.runId) } : {})
    }
  }
}

/** publish: the report files of other jobs, proven and brought together. */
async function publishReports(run: RunScope): Promise<Outcome> {
  const { settings, runner } = run
  const published = await core.group('Read report files', () =>
    publish(
      {
        reportFiles: settings.reportFiles ?? '',
        pullRequest: settings.pullRequest,
        workspace: settings.workspace,
        ...(settings.expectedObjects ? { expectedObjects: settings.expectedObjects } : {})
      },
      runner,
      async n => {
        const gh = await run.github()
        if (!gh || !runner.repository) {
          throw new Error(`No 'github-token' to prove that pull request #${n} is at the reports' commit.`)
        }
        return (await gh.getPullRequest({ ...runner.repository, number: n })).headSha
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
      review: reviewOfResults(results, published.headSha, runner.source.runId)
    }
  }
}

/**
 * Writes every result first (annotations, summary, report, outputs), then the side channels. `failure` is why
 * the step fails, if it does: the check run's conclusion says the same.
 */
async function finish(
  run: RunScope,
  { results, facts, removed = [] }: Outcome,
  failure: string | undefined
): Promise<void> {
  const { settings, runner, exits } = run
  exits.annotate(toAnnotations(results.flatMap(r => r.findings)))
  const summary = renderSummary(results, reportOptions(run, facts)) + removedSection(removed)
  await exits.summary(summary)
  const reportText = buildReportFile(
    {
      mode: settings.mode,
      commentKey: settings.commentKey,
      repository: repositoryName(runner),
      pullRequest: facts.pullRequest,
      headSha: facts.headSha,
      runId: runner.source.runId
    },
    results
  )
  const reportName = reportFileName(settings.commentKey, runner.source, results)
  const outputs = computeOutputs(results, settings.mode, {
    reportPath: exits.report(reportName, reportText) ?? '',
    maxJobs: settings.maxJobs
  })
  const perEntry = objectsPerEntry(results.length, settings.maxJobs)
  if (settings.mode === 'plan' && perEntry > 1) {
    exits.annotate([
      {
        level: 'notice',
        title: 'max-jobs',
        message:
          `The matrix groups ${results.length} objects into ${Math.ceil(results.length / perEntry)} entries ` +
          `of up to ${perEntry} (max-jobs: ${settings.maxJobs}): each entry's index-file lists its files, one per line.`
      }
    ])
  }
  exits.outputs(outputs)
  exits.log.info(
    `valid=${outputs.valid} errors=${outputs['error-count']} warnings=${outputs['warning-count']}`
  )

  const commentUrl = await postComment(run, results, facts)
  if (commentUrl !== undefined) exits.outputs({ 'comment-url': commentUrl })
  await publishCheckRun(run, results, facts, { summary, failure })
  await syncDriftIssue(run, results)
}

const getInput = (name: string): string => core.getInput(name)

/** What is known of a run whose inputs could not be read. */
interface Known {
  runner?: RunContext
  settings?: Settings
}

/**
 * A settings error still leaves a result: a job summary naming the input and the problem, a report file
 * holding the error, and the outputs `valid=false`, `error-count=1` (and `mode` when known); every other
 * output is empty, since nothing was checked. The caller fails the step.
 */
async function leaveSettingsError(exits: Exits, error: SettingsError, known: Known): Promise<void> {
  const mode = known.settings?.mode ?? (known.runner ? modeAsGiven(getInput, known.runner.event) : undefined)
  const givenKey = getInput('comment-key').trim()
  const commentKey = known.settings?.commentKey ?? (COMMENT_KEY.test(givenKey) ? givenKey : 'default')
  const problem = { ...(error.input !== undefined ? { input: error.input } : {}), message: error.message }
  await exits.summary(renderSettingsError({ ...(mode ? { mode } : {}), ...problem }))
  const runner = known.runner
  const reportText = buildReportFile(
    {
      mode: mode ?? 'unknown',
      commentKey,
      repository: runner ? repositoryName(runner) : '',
      pullRequest: runner?.pullRequest ?? null,
      headSha: runner?.headSha ?? '',
      runId: runner?.source.runId ?? '',
      error: problem
    },
    []
  )
  const report =
    exits.report(
      reportFileName(commentKey, runner?.source ?? { runId: '', runAttempt: '' }, []),
      reportText
    ) ?? ''
  const empty = Object.fromEntries(OUTPUT_NAMES.map(name => [name, '']))
  exits.outputs({
    ...empty,
    mode: mode ?? '',
    valid: 'false',
    'error-count': '1',
    'warning-count': '0',
    findings: '[]',
    report
  })
}

export async function run(): Promise<void> {
  const redactor = createRedactor()
  const exits = createExits(redactor.redact)
  const known: Known = {}
  try {
    const runner = readRunContext(process.env)
    known.runner = runner
    const settings = readSettings(getInput, runner.event, process.env.GITHUB_WORKSPACE || process.cwd())
    known.settings = settings
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
      `Mode: ${settings.mode}${settings.modeInput === 'auto' ? ` (auto, event '${runner.event.name}')` : ''}`
    )
    const scope: RunScope = { settings, runner, exits, redactor, github: lazyGitHub(settings, runner) }
    const outcome = settings.mode === 'publish' ? await publishReports(scope) : await checkIndexFiles(scope)
    const failure = failureReason(outcome.results, settings.mode, settings.failOn, settings.failOnDrift)
    await finish(scope, outcome, failure)
    if (failure !== undefined) core.setFailed(exits.redact(failure))
  } catch (error) {
    exits.log.debug(errorDetail(error))
    if (error instanceof SettingsError) {
      await leaveSettingsError(exits, error, known).catch((e: unknown) => {
        exits.log.warning(`Could not write the result of the settings error: ${errorMessage(e)}`)
      })
    }
    core.setFailed(exits.redact(errorMessage(error)))
  }
}
