// Everything the action does on GitHub, behind one small interface. Loaded with `await import()` only by the
// runs that talk to GitHub: Octokit and its plugins are most of the bundle.
import { type CheckRunArgs, type CheckRunResult, upsertCheckRun } from './checks.js'
import {
  type ChangeList,
  compareFiles,
  type CompareArgs,
  listPullFiles,
  type PullFilesArgs
} from './changes.js'
import type { GitHubConfig } from './client.js'
import { postStickyComment, type StickyCommentArgs, type StickyCommentResult } from './comment.js'
import { type DriftIssueArgs, type DriftIssueResult, syncDriftIssue } from './drift.js'
import { checkFreshness, type FreshnessArgs, type FreshnessResult } from './freshness.js'
import {
  findReview,
  type FindReviewArgs,
  type FindReviewResult,
  getPullRequest,
  type PullRequestInfo,
  type PullRequestRef
} from './review.js'

export interface GitHub {
  /** The comment (docs/rules.md#results-under-faults): never throws; a failure is `warning`. */
  postStickyComment(args: StickyCommentArgs): Promise<StickyCommentResult>
  /** The review (docs/rules.md#deploy-what-was-reviewed): never throws; no review is `problem`. */
  findReview(args: FindReviewArgs): Promise<FindReviewResult>
  /** Publishing (docs/rules.md#publishing-reports): throws a GitHubCallError when the PR cannot be read. */
  getPullRequest(ref: PullRequestRef): Promise<PullRequestInfo>
  /** The drift issue (docs/rules.md#drift-detection): never throws; a failure is `warning`. */
  syncDriftIssue(args: DriftIssueArgs): Promise<DriftIssueResult>
  /** An older commit never undoes a newer one: never throws; what GitHub cannot answer is `problem`. */
  checkFreshness(args: FreshnessArgs): Promise<FreshnessResult>
  /** One check run per head commit and comment key: never throws; a failure is `warning` (`forbidden` on a 403). */
  upsertCheckRun(args: CheckRunArgs): Promise<CheckRunResult>
  /** Only what changed: a pull request's files; throws when GitHub cannot answer. */
  listPullFiles(args: PullFilesArgs): Promise<ChangeList>
  /** Only what changed: the files between two commits of a push; throws when GitHub cannot answer. */
  compareFiles(args: CompareArgs): Promise<ChangeList>
}

/** The GitHub calls over one token and API base URL; each call is one step with its own time bound. */
export function createGitHub(config: GitHubConfig): GitHub {
  return {
    postStickyComment: args => postStickyComment(config, args),
    findReview: args => findReview(config, args),
    getPullRequest: ref => getPullRequest(config, ref),
    syncDriftIssue: args => syncDriftIssue(config, args),
    checkFreshness: args => checkFreshness(config, args),
    upsertCheckRun: args => upsertCheckRun(config, args),
    listPullFiles: args => listPullFiles(config, args),
    compareFiles: args => compareFiles(config, args)
  }
}

export {
  DEFAULT_TIMING,
  GitHubCallError,
  type GitHubConfig,
  type GitHubErrorKind,
  type GitHubTiming,
  timingFromEnv
} from './client.js'
export type { ChangeList, ChangedFile, CompareArgs, PullFilesArgs } from './changes.js'
export type { StickyCommentArgs, StickyCommentResult } from './comment.js'
export { driftMarker, type DriftIssueArgs, type DriftIssueResult } from './drift.js'
export type { FreshnessArgs, FreshnessResult } from './freshness.js'
export type { FindReviewArgs, FindReviewResult, PullRequestInfo, PullRequestRef } from './review.js'
export { parseReviewLine, reviewLine, type ReviewLine } from './reviewline.js'
export {
  ANNOTATION_BATCH,
  type CheckAnnotation,
  type CheckConclusion,
  checkRunName,
  type CheckRunArgs,
  type CheckRunResult,
  fitCheckSummary,
  MAX_CHECK_SUMMARY
} from './checks.js'
export { postStickyComment, syncDriftIssue, findReview, getPullRequest, checkFreshness, upsertCheckRun }
