// The run's calls to GitHub around the results: the review look-up and the branch's freshness before a
// deploy, and the side channels after the results are written, the sticky PR comment, the check run and the
// drift issue. None of them throws: what cannot be done is a warning (or, for a check run GitHub does not
// allow under `check-run: auto`, a notice), and the results stand.
import type { FreshnessResult } from './github/index.js'
import { splitReview } from './github/reviewline.js'
import type { ObjectResult } from './model.js'
import { branchOf, freshnessFrom } from './pipeline/freshness.js'
import type { FreshnessSource, ObjectJob, ReviewSource } from './pipeline/job.js'
import { reviewFromInput, reviewFromLine } from './pipeline/review.js'
import { checkAnnotations, checkConclusion, checkTitle } from './report/checkrun.js'
import { renderComment, renderDriftIssue } from './report/comment.js'
import { reportOptions, repositoryName, type RunScope, type RunFacts } from './scope.js'

/** The reviewed hashes for a deploy, from the input or the review line on the commit's pull request. */
export async function findReviews(
  run: RunScope,
  jobs: readonly ObjectJob[]
): Promise<ReviewSource | undefined> {
  const { settings, runner } = run
  // Nothing changed (changed-only): no object to compare, nothing to look up.
  if (settings.mode !== 'deploy' || settings.requireReview === 'off' || jobs.length === 0) return undefined
  if (settings.reviewedPayloadHash) return reviewFromInput(settings.reviewedPayloadHash, jobs.length)
  const gh = await run.github()
  if (!gh || !runner.repository) {
    return reviewFromLine({
      pullRequest: null,
      problem: "no 'github-token' (or no repository) to look up the pull request's review"
    })
  }
  return reviewFromLine(
    await gh.findReview({ ...runner.repository, sha: runner.source.sha, key: settings.commentKey })
  )
}

/**
 * Whether the pushed commit is still its branch's head, and what newer commits changed (an older commit never
 * undoes a newer one). Undefined when not looked up (not a deploy) or when GitHub cannot say: then a warning
 * says freshness was not checked, and every object deploys.
 */
export async function findFreshness(
  run: RunScope,
  jobs: readonly ObjectJob[]
): Promise<FreshnessSource | undefined> {
  const { settings, runner, exits } = run
  if (settings.mode !== 'deploy' || jobs.length === 0) return undefined
  const found = await lookUpFreshness(run)
  if ('problem' in found) {
    exits.log.warning(
      `Freshness was not checked: ${found.problem}. The deploy goes on without knowing whether a newer commit on the branch changed the index files (on-stale: ${settings.onStale}).`
    )
    return undefined
  }
  const sha = runner.source.sha
  if (found.head !== sha.toLowerCase()) {
    exits.log.info(
      `Commit ${sha.slice(0, 7)} is not the head of its branch (${found.head.slice(0, 7)} is): ${found.changed.length} file(s) changed after it.`
    )
  }
  return freshnessFrom(sha, found)
}

async function lookUpFreshness(run: RunScope): Promise<FreshnessResult> {
  const { runner } = run
  const branch = branchOf(runner.event.ref)
  if (branch === undefined)
    return { problem: `the run's ref '${runner.event.ref.slice(0, 100)}' is not a branch` }
  const gh = await run.github()
  if (!gh || !runner.repository)
    return { problem: "no 'github-token' (or no repository) to read the branch's head" }
  return gh.checkFreshness({ ...runner.repository, branch, sha: runner.source.sha })
}

/** The sticky PR comment of validate and publish; its URL when it was posted. */
export async function postComment(
  run: RunScope,
  results: readonly ObjectResult[],
  facts: RunFacts
): Promise<string | undefined> {
  const { settings, runner, exits } = run
  if ((settings.mode !== 'validate' && settings.mode !== 'publish') || !settings.comment) return undefined
  if (facts.pullRequest === null || runner.repository === undefined) {
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
  // A review line too long for the comment continues in review-only comments.
  const review = facts.review ? splitReview(facts.review) : undefined
  const body = renderComment(results, {
    ...reportOptions(run, facts),
    commentKey: settings.commentKey,
    ...(runner.runUrl ? { summaryUrl: runner.runUrl } : {}),
    ...(review ? { trailer: review.main } : {})
  })
  const posted = await gh.postStickyComment({
    ...runner.repository,
    issueNumber: facts.pullRequest,
    key: settings.commentKey,
    body: exits.redact(body),
    continuations: review?.continuations ?? []
  })
  if (posted.url !== undefined) exits.log.info(`PR comment ${posted.action ?? 'posted'}: ${posted.url}`)
  if (posted.warning !== undefined) exits.log.warning(posted.warning)
  return posted.url
}

/**
 * The check run of validate and publish (`check-run`): one per head commit and comment key, on the pull
 * request's head (under `workflow_run`, the reports' commit, which publish proved is the PR's head).
 */
export async function publishCheckRun(
  run: RunScope,
  results: readonly ObjectResult[],
  facts: RunFacts,
  result: { summary: string; failure: string | undefined }
): Promise<void> {
  const { settings, runner, exits } = run
  if (settings.mode !== 'validate' && settings.mode !== 'publish') return
  if (settings.checkRun === 'false') return
  const required = settings.checkRun === 'true'
  const skip = (why: string): void => {
    if (required) exits.log.warning(`The check run is skipped: ${why}; the job summary has the report.`)
    else exits.log.info(`The check run is skipped: ${why}.`)
  }
  if (!/^[0-9a-f]{40,64}$/.test(facts.headSha) || runner.repository === undefined) {
    skip('no commit or repository in this event')
    return
  }
  const gh = await run.github()
  if (!gh) {
    skip("no 'github-token'")
    return
  }
  const written = await gh.upsertCheckRun({
    ...runner.repository,
    headSha: facts.headSha,
    name: `custom-object-index / ${settings.commentKey}`,
    conclusion: checkConclusion(results, result.failure),
    title: exits.redact(checkTitle(result.summary)),
    summary: exits.redact(result.summary),
    annotations: checkAnnotations(results).map(a => ({
      ...a,
      message: exits.redact(a.message)
    })),
    ...(runner.runUrl ? { detailsUrl: runner.runUrl } : {})
  })
  if (written.url !== undefined) exits.log.info(`Check run ${written.action ?? 'written'}: ${written.url}`)
  if (written.warning === undefined) return
  if (written.forbidden && !required) {
    // A token without `checks: write` (a fork's read-only token): not a problem of the run, so a notice.
    exits.log.notice(
      `The check run is off: the token may not write checks (grant \`checks: write\`, or set \`check-run: false\`). ${written.warning}`,
      'Check run'
    )
    return
  }
  exits.log.warning(written.warning)
}

/** The drift issue, kept open while there is drift (`drift-issue: true`). */
export async function syncDriftIssue(run: RunScope, results: readonly ObjectResult[]): Promise<void> {
  const { settings, runner, exits } = run
  if (settings.mode !== 'drift' || !settings.driftIssue || !runner.repository) return
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
    ...runner.repository,
    key: settings.commentKey,
    drifted: drifted.length > 0,
    title: `Custom-object index drift: ${drifted.length} object${drifted.length === 1 ? '' : 's'}`,
    // The body is a function of the drift alone (no commit, run, time or schema version), so a run that finds
    // the same drift writes nothing; the run's link goes in the comment that says the drift changed.
    body: exits.redact(
      renderDriftIssue(results, {
        mode: 'drift',
        serverUrl: runner.serverUrl,
        repository: repositoryName(runner),
        commentKey: settings.commentKey
      })
    ),
    ...(runner.runUrl ? { run: `[run ${runner.source.runId}](${runner.runUrl})` } : {})
  })
  if (synced.url !== undefined) exits.log.info(`Drift issue ${synced.action}: ${synced.url}`)
  if (synced.warning !== undefined) exits.log.warning(synced.warning)
}
