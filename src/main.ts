// run(): settings, mode, pipeline, outputs. The one place that calls setFailed.
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import { mapLimit } from './concurrency.js'
import { errorDetail, errorMessage } from './errors.js'
import { readRunContext, type RunContext } from './event.js'
import type { Logger } from './log.js'
import type { Mode, ObjectResult } from './model.js'
import { planObjects } from './objects.js'
import { computeOutputs, failureReason, type Outputs, OUTPUT_NAMES } from './outputs.js'
import { createPipelineContext } from './pipeline/context.js'
import { processObject, type ObjectJob, type PipelineContext } from './pipeline/object.js'
import { renderSummary } from './report/summary.js'
import { renderComment } from './report/comment.js'
import { toAnnotations } from './report/annotations.js'
import { describeSettings, readSettings, type Settings } from './settings.js'
import { findIndexFiles, readIndexFile } from './workspace.js'

/** How many objects run at once; the shared rate limiter keeps them inside the org's budget. */
const OBJECT_CONCURRENCY = 4

const coreLogger: Logger = {
  info: m => {
    core.info(m)
  },
  warning: m => {
    core.warning(m)
  },
  debug: m => {
    core.debug(m)
  }
}

/**
 * One object streams its log live in a group. Several run at once, so each one's lines are held and printed
 * as one group when it finishes, instead of interleaving.
 */
async function runObjects(jobs: ObjectJob[], ctx: PipelineContext, mode: Mode): Promise<ObjectResult[]> {
  const title = (job: ObjectJob): string => `${mode} ${job.customObjectId} (${job.loaded.path})`
  if (jobs.length === 1) {
    const job = jobs[0]!
    return [await core.group(title(job), () => processObject(ctx, job))]
  }
  // Copies of the context below must share the run's cache of limits and schemas.
  ctx.cache ??= { schemas: new Map() }
  return mapLimit(jobs, OBJECT_CONCURRENCY, async job => {
    const held: [keyof Logger, string][] = []
    const log: Logger = {
      info: m => held.push(['info', m]),
      warning: m => held.push(['warning', m]),
      debug: m => held.push(['debug', m])
    }
    const result = await processObject({ ...ctx, log }, job)
    core.startGroup(title(job))
    for (const [level, m] of held) coreLogger[level](m)
    core.endGroup()
    return result
  })
}

function maskSecrets(s: Settings): void {
  for (const secret of [s.credentials?.clientSecret, s.githubToken, s.warehouseSecret]) {
    if (secret) core.setSecret(secret)
  }
}

async function readObjects(settings: Settings): Promise<ReturnType<typeof planObjects>> {
  const paths = await findIndexFiles(settings.indexFile, settings.workspace)
  core.info(`Index files: ${paths.join(', ')}`)
  const files = await Promise.all(paths.map(p => readIndexFile(p, settings.workspace)))
  return planObjects(files, settings.customObjectId, settings.mode)
}

async function postComment(
  settings: Settings,
  ctx: RunContext,
  results: ObjectResult[]
): Promise<string | undefined> {
  if (settings.mode !== 'validate' || !settings.comment) return undefined
  if (ctx.pullRequest === undefined || ctx.repository === undefined) {
    core.info('No pull request in this event: the PR comment is skipped; the job summary has the report.')
    return undefined
  }
  if (!settings.githubToken) {
    core.warning("No 'github-token': the PR comment is skipped; the job summary has the report.")
    return undefined
  }
  const body = renderComment(results, {
    commentKey: settings.commentKey,
    mode: settings.mode,
    summaryUrl: ctx.runUrl,
    runUrl: ctx.runUrl
  })
  // Loaded only when a comment is posted: Octokit is most of the bundle, and the other modes start faster.
  const { createGitHub } = await import('./github/index.js')
  // Never throws: a comment that cannot be posted is a warning, and the step's result stays the findings'.
  const posted = await createGitHub({ token: settings.githubToken, baseUrl: ctx.apiUrl }).postStickyComment({
    ...ctx.repository,
    issueNumber: ctx.pullRequest,
    key: settings.commentKey,
    body
  })
  if (posted.url !== undefined) core.info(`PR comment ${posted.action ?? 'posted'}: ${posted.url}`)
  if (posted.warning !== undefined) core.warning(posted.warning)
  return posted.url
}

function emitAnnotations(results: ObjectResult[]): void {
  for (const a of toAnnotations(results.flatMap(r => r.findings))) {
    const props = { title: a.title, file: a.file, startLine: a.startLine }
    if (a.level === 'error') core.error(a.message, props)
    else core.warning(a.message, props)
  }
}

function writeReport(settings: Settings, ctx: RunContext, results: ObjectResult[]): string {
  const dir = process.env.RUNNER_TEMP || os.tmpdir()
  mkdirSync(dir, { recursive: true })
  const name = `custom-object-index-${settings.commentKey}-${ctx.source.runId || process.pid}.json`
  const file = path.join(dir, name)
  writeFileSync(file, JSON.stringify({ mode: settings.mode, objects: results }, null, 2) + '\n')
  return file
}

function setOutputs(outputs: Outputs): void {
  for (const name of OUTPUT_NAMES) core.setOutput(name, outputs[name])
}

export async function run(): Promise<void> {
  try {
    const ctx = readRunContext(process.env)
    const settings = readSettings(
      name => core.getInput(name),
      ctx.event,
      process.env.GITHUB_WORKSPACE || process.cwd()
    )
    maskSecrets(settings)
    core.debug(`Settings: ${JSON.stringify(describeSettings(settings))}`)
    core.info(
      `Mode: ${settings.mode}${settings.modeInput === 'auto' ? ` (auto, event '${ctx.event.name}')` : ''}`
    )

    const { jobs, rejected } = await core.group('Read index files', () => readObjects(settings))
    const platform = createPipelineContext(settings, {
      log: coreLogger,
      onSecret: secret => {
        core.setSecret(secret)
      },
      source: ctx.source
    })
    if (!settings.credentials) {
      core.info(
        'Live checks skipped: no client-id/client-secret were given (a fork PR gets no secrets). Running the file-only checks.'
      )
    }
    const processed = await runObjects(jobs, platform.ctx, settings.mode)
    const results = [...rejected, ...processed]
    const stats = platform.stats()
    core.info(`Platform requests: ${stats.requests} (retries ${stats.retries}, throttled ${stats.throttled})`)

    emitAnnotations(results)
    const commentUrl = await postComment(settings, ctx, results)
    if (process.env.GITHUB_STEP_SUMMARY) {
      await core.summary.addRaw(renderSummary(results, { mode: settings.mode })).write()
    }
    const reportPath = writeReport(settings, ctx, results)
    const outputs = computeOutputs(results, settings.mode, { commentUrl, reportPath })
    setOutputs(outputs)
    core.info(`valid=${outputs.valid} errors=${outputs['error-count']} warnings=${outputs['warning-count']}`)

    const failure = failureReason(results, settings.mode, settings.failOn)
    if (failure !== undefined) core.setFailed(failure)
  } catch (error) {
    core.debug(errorDetail(error))
    core.setFailed(errorMessage(error))
  }
}
