// The run's calls to GitHub around the results: the review look-up before a deploy
// (docs/rules.md#deploy-what-was-reviewed), and the side channels after the results are written, the sticky
// PR comment and the drift issue. None of them throws: what cannot be done is a warning, and the results
// stand.
import type { ObjectResult } from './model.js'
import type { ObjectJob, ReviewSource } from './pipeline/job.js'
import { reviewFromInput, reviewFromLine } from './pipeline/review.js'
import { renderComment, renderDriftIssue } from './report/comment.js'
import { reportOptions, type Run, type RunFacts } from './run.js'

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
    body: exits.redact(
      renderDriftIssue(results, {
        ...reportOptions(run, { headSha: ctx.headSha }),
        commentKey: settings.commentKey,
        ...(ctx.runUrl ? { summaryUrl: ctx.runUrl } : {})
      })
    )
  })
  if (synced.url !== undefined) exits.log.info(`Drift issue ${synced.action}: ${synced.url}`)
  if (synced.warning !== undefined) exits.log.warning(synced.warning)
}
