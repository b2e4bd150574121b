// Reading what was reviewed (docs/rules.md#deploy-what-was-reviewed) and a pull request's head
// (docs/rules.md#publishing-reports).
import { z } from 'zod'
import { errorMessage } from '../errors.js'
import { commentMarker } from '../report/comment.js'
import { type GitHubConfig, GitHubCallError, withSession } from './client.js'
import { editedByOthers, firstLine, listMarkedComments, type MarkedComment, ownedBy } from './ownership.js'
import { continuationPart, parseReviewLine, type ReviewLine } from './reviewline.js'

export interface FindReviewArgs {
  owner: string
  repo: string
  /** The pushed commit. */
  sha: string
  /** The comment-key whose sticky comment holds the review line. */
  key: string
}

export interface FindReviewResult {
  /** The merged pull request the commit belongs to, or null when none was found. */
  pullRequest: number | null
  review?: ReviewLine
  /** Why no review was found. */
  problem?: string
}

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/

const pullEntry = z.looseObject({
  number: z.number().int().positive(),
  merged_at: z.string().nullish(),
  merge_commit_sha: z.string().nullish()
})

/**
 * The review line of the sticky comment (`key`, written by the token's identity) on the merged pull request
 * that `sha` belongs to; never throws. Of several merged PRs, the one whose merge commit is `sha`, else the
 * one merged last.
 */
export async function findReview(config: GitHubConfig, args: FindReviewArgs): Promise<FindReviewResult> {
  const sha = args.sha.toLowerCase()
  const short = sha.slice(0, 7)
  if (!SHA.test(sha)) return { pullRequest: null, problem: 'the pushed commit is not a SHA' }
  let pullRequest: number | null = null
  try {
    return await withSession(config, async s => {
      const pulls = await s.call(`listing the pull requests of commit ${short}`, o =>
        o.paginate(
          o.rest.repos.listPullRequestsAssociatedWithCommit,
          { owner: args.owner, repo: args.repo, commit_sha: sha, per_page: 100 },
          response =>
            response.data.flatMap(raw => {
              const p = pullEntry.safeParse(raw)
              return p.success && p.data.merged_at ? [p.data] : []
            })
        )
      )
      const merged =
        pulls.find(p => p.merge_commit_sha === sha) ??
        [...pulls].sort((a, b) => Date.parse(b.merged_at ?? '') - Date.parse(a.merged_at ?? ''))[0]
      if (merged === undefined) {
        return { pullRequest: null, problem: `no merged pull request contains commit ${short}` }
      }
      pullRequest = merged.number
      const viewer = await s.viewer()
      const marker = commentMarker(args.key)
      // One listing finds the sticky comment and the continuation comments of its review.
      const listed = ownedBy(
        await listMarkedComments(
          s,
          { owner: args.owner, repo: args.repo, issueNumber: merged.number },
          line => line === marker || continuationPart(args.key, line) !== undefined
        ),
        viewer
      )
      // A comment counts only as its author left it: the sticky comment (the oldest of ours) or a continuation
      // of its review edited by anyone else is no review, and no other comment stands in for it.
      const sticky = listed.find(c => firstLine(c.body) === marker)
      const tampered = sticky !== undefined && (await editedByOthers(s, listed, viewer)).length > 0
      if (sticky === undefined || tampered) {
        const edited = tampered ? ` left as ${viewer} wrote it (it was edited by someone else since)` : ''
        return {
          pullRequest,
          problem: `pull request #${merged.number} has no comment-key '${args.key}' comment by ${viewer}${edited}`
        }
      }
      const parsed = parseReviewLine(sticky.body)
      if ('problem' in parsed) {
        return { pullRequest, problem: `the comment on pull request #${merged.number}: ${parsed.problem}` }
      }
      const whole = joinContinuations(args.key, parsed, listed)
      if ('problem' in whole) {
        return { pullRequest, problem: `the comment on pull request #${merged.number}: ${whole.problem}` }
      }
      return { pullRequest, review: whole }
    })
  } catch (error) {
    return { pullRequest, problem: `the review could not be looked up: ${errorMessage(error)}` }
  }
}

/**
 * The review whole: the main line's objects and those of its `continued` parts, each part read from our
 * oldest comment of that part number. A part missing, unreadable or from another run (its head commit or run
 * differs) is a problem: the review is not half-used.
 */
export function joinContinuations(
  key: string,
  main: ReviewLine,
  comments: readonly MarkedComment[]
): ReviewLine | { problem: string } {
  const parts = main.continued ?? 0
  const { continued: _parts, ...whole } = main
  const objects = { ...main.objects }
  for (let n = 1; n <= parts; n++) {
    const comment = comments.find(c => continuationPart(key, firstLine(c.body)) === n)
    if (comment === undefined)
      return { problem: `its review continues in ${parts} comments but part ${n} is missing` }
    const part = parseReviewLine(comment.body)
    if ('problem' in part) return { problem: `part ${n} of its review: ${part.problem}` }
    if (part.headSha !== main.headSha || part.runId !== main.runId || part.continued !== undefined) {
      return { problem: `part ${n} of its review is from another run` }
    }
    for (const [id, o] of Object.entries(part.objects)) {
      Object.defineProperty(objects, id, { value: o, enumerable: true, configurable: true, writable: true })
    }
  }
  return { ...whole, objects }
}

export interface PullRequestRef {
  owner: string
  repo: string
  number: number
}

export interface PullRequestInfo {
  number: number
  /** The PR's current head commit. */
  headSha: string
  state: 'open' | 'closed'
  merged: boolean
}

const pullSchema = z.looseObject({
  number: z.number().int().positive(),
  state: z.enum(['open', 'closed']),
  merged: z.boolean().nullish(),
  head: z.looseObject({ sha: z.string().regex(SHA) })
})

/** A pull request's number, current head SHA and state; throws a GitHubCallError when it cannot be read. */
export async function getPullRequest(config: GitHubConfig, ref: PullRequestRef): Promise<PullRequestInfo> {
  const what = `reading pull request ${ref.owner}/${ref.repo}#${ref.number}`
  return withSession(config, async s => {
    const res = await s.call(what, o =>
      o.rest.pulls.get({ owner: ref.owner, repo: ref.repo, pull_number: ref.number })
    )
    const p = pullSchema.safeParse(res.data)
    if (!p.success)
      throw new GitHubCallError('invalid', `GitHub answered an unexpected pull request on ${what}`)
    return {
      number: p.data.number,
      headSha: p.data.head.sha,
      state: p.data.state,
      merged: p.data.merged ?? false
    }
  })
}
