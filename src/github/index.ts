// Everything the action does on GitHub, behind one small interface. Loaded with `await import()` only by the
// runs that talk to GitHub: Octokit and its plugins are most of the bundle.
import type { GitHubConfig } from './client.js'
import { postStickyComment, type StickyCommentArgs, type StickyCommentResult } from './comment.js'

export interface GitHub {
  /** Contract G: never throws; a failure is `warning`. */
  postStickyComment(args: StickyCommentArgs): Promise<StickyCommentResult>
}

/** The GitHub calls over one token and API base URL; each call is one step with its own time bound. */
export function createGitHub(config: GitHubConfig): GitHub {
  return {
    postStickyComment: args => postStickyComment(config, args)
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
export { postStickyComment }
