// The run's calls to GitHub around the results: the review look-up and the branch's freshness before a
// deploy, and the side channels after the results are written, the sticky PR comment and the drift issue.
// None of them throws: what cannot be done is a warning, and the results stand.
import type { FreshnessResult } from './github/index.js'
import type { ObjectResult } from './model.js'
import { branchOf, freshnessFrom } from './pipeline/freshness.js'
import type { FreshnessSource, ObjectJob, ReviewSource } from './pipeline/job.js'
import { reviewFromInput, reviewFromLine } from './pipeline/review.js'
import { renderComment, renderDriftIssue } from './report/comment.js'
import { reportOptions, repositoryName, type Run, type RunFacts } from './run.js'

/** The reviewed hashes for a deploy, from the input or the review line on the commit's pull request. */
export async function findReviews(run: Run, jobs: readonly ObjectJob[]): Promise<ReviewSource | undefined> {
  const { settings, ctx } = run
  if (settings.mode !== 'deploy' || settings.requireReview === 'off') return undefined
  if (settings.reviewedPayloadHash) return reviewFromInput(settings.reviewedPayloadHash, jobs.length)
  const gh = await run.github()
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

/**
 * Whether the pushed commit is still its branch's head, and what newer commits changed (an older commit never
 * undoes a newer one). Undefined when not looked up (not a deploy) or when GitHub cannot say: then a warning
 * says freshness was not checked, and every object deploys.
 */
export async function findFreshness(
  run: Run,
  jobs: readonly ObjectJob[]
): Promise<FreshnessSource | undefined> {
  const { settings, ctx, exits } = run
  if (settings.mode !== 'deploy' || jobs.length === 0) return undefined
  const found = await lookUpFreshness(run)
  if ('problem' in found) {
    exits.log.warning(
      `Freshness was not checked: ${found.problem}. The deploy goes on without knowing whether a newer commit on the branch changed the index files (on-stale: ${settings.onStale}).`
    )
    return undefined
  }
  const sha = ctx.source.sha
  if (found.head !== sha.toLowerCase()) {
    exits.log.info(
      `Commit ${sha.slice(0, 7)} is not the head of its branch (${found.head.slice(0, 7)} is): ${found.changed.length} file(s) changed after it.`
    )
  }
  return freshnessFrom(sha, found)
}

async function lookUpFreshness(run: Run): Promise<FreshnessResult> {
  const { ctx } = run
  const branch = branchOf(ctx.event.ref)
  if (branch === undefined)
    return { problem: `the run's ref '${ctx.event.ref.slice(0, 100)}' is not a branch` }
  const gh = await run.github()
  if (!gh || !ctx.repository)
    return { problem: "no 'github-token' (or no repository) to read the branch's head" }
  return gh.checkFreshness({ ...ctx.repository, branch, sha: ctx.source.sha })
}

/** The sticky PR comment of validate and publish; its URL when it was posted. */
export async function postComment(
  run: Run,
  results: readonly ObjectResult[],
  facts: RunFacts
): Promise<string | undefined> {
  const { settings, ctx, exits } = run
  if ((settings.mode !== 'validate' && settings.mode !== 'publish') || !settings.comment) return undefined
  if (facts.pullRequest === null || ctx.repository === undefined) {
    exits.log.info(
      'No pull request in this event: the PR comment is skipped; the job summary has the report.'
    )
    return undefined
  }
  const gh = await run.github()
  if (!gh) {
    exits.log.warning("No 'github-token': the PR comment is skipped; the job summary has the report.")
    return undefined
  }
  const body = renderComment(results, {
    ...reportOptions(run, facts),
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

/** The drift issue, kept open while there is drift (`drift-issue: true`). */
export async function syncDriftIssue(run: Run, results: readonly ObjectResult[]): Promise<void> {
  const { settings, ctx, exits } = run
  if (settings.mode !== 'drift' || !settings.driftIssue || !ctx.repository) return
  const gh = await run.github()
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
    // The body is a function of the drift alone (no commit, run, time or schema version), so a run that finds
    // the same drift writes nothing; the run's link goes in the comment that says the drift changed.
    body: exits.redact(
      renderDriftIssue(results, {
        mode: 'drift',
        serverUrl: ctx.serverUrl,
        repository: repositoryName(ctx),
        commentKey: settings.commentKey
      })
    ),
    ...(ctx.runUrl ? { run: `[run ${ctx.source.runId}](${ctx.runUrl})` } : {})
  })
  if (synced.url !== undefined) exits.log.info(`Drift issue ${synced.action}: ${synced.url}`)
  if (synced.warning !== undefined) exits.log.warning(synced.warning)
}
