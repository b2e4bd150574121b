// Everything the action does on GitHub, behind one small interface. Loaded with `await import()` only by the
// runs that talk to GitHub: Octokit and its plugins are most of the bundle.
import type { GitHubConfig } from './client.js'
import { postStickyComment, type StickyCommentArgs, type StickyCommentResult } from './comment.js'
import { type DriftIssueArgs, type DriftIssueResult, syncDriftIssue } from './drift.js'
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
}

/** The GitHub calls over one token and API base URL; each call is one step with its own time bound. */
export function createGitHub(config: GitHubConfig): GitHub {
  return {
    postStickyComment: args => postStickyComment(config, args),
    findReview: args => findReview(config, args),
    getPullRequest: ref => getPullRequest(config, ref),
    syncDriftIssue: args => syncDriftIssue(config, args)
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
export type { StickyCommentArgs, StickyCommentResult } from './comment.js'
export { driftMarker, type DriftIssueArgs, type DriftIssueResult } from './drift.js'
export type { FindReviewArgs, FindReviewResult, PullRequestInfo, PullRequestRef } from './review.js'
export { parseReviewLine, reviewLine, type ReviewLine } from './reviewline.js'
export { postStickyComment, syncDriftIssue, findReview, getPullRequest }
