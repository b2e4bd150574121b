// The sticky PR comment (docs/rules.md#what-leaves-the-action and docs/rules.md#results-under-faults): one
// comment per pull request and comment-key, found by its first line (the marker) and its author (the token's
// identity), edited in place on every run. Racing runs converge on the oldest. Posting it never fails the
// step: a failure comes back as a warning.
import { commentMarker } from '../report/comment.js'
import { errorMessage } from '../errors.js'
import { type GitHubConfig, GitHubCallError, type Session, withSession } from './client.js'
import { continuationBody, continuationPart } from './reviewline.js'
import {
  editedByOthers,
  firstLine,
  type IssueRef,
  listMarkedComments,
  type MarkedComment,
  ownedBy,
  safeUrl,
  withMarker
} from './ownership.js'

export interface StickyCommentArgs extends IssueRef {
  key: string
  /** The comment; its first line is made the marker of `key` when it is not already. */
  body: string
  /**
   * The review lines that did not fit in the comment, one continuation comment each (part 1 first). Our
   * continuation comments past the last part (an earlier, longer run's) are deleted.
   */
  continuations?: readonly string[]
}

export interface StickyCommentResult {
  url?: string
  action?: 'created' | 'updated' | 'unchanged'
  /** Why the comment could not be posted (or, once posted, a duplicate could not be removed). */
  warning?: string
}

const WHERE_RESULTS = 'The results are in the job summary, the annotations and the report file.'

function failure(error: unknown): string {
  const e = error instanceof GitHubCallError ? error : undefined
  let text = `The PR comment could not be posted: ${e ? e.message : errorMessage(error)}.`
  if (e?.kind === 'permission' && e.status === 404) {
    text += ' The pull request or its repository is not visible to the token.'
  } else if (e?.kind === 'permission') {
    text +=
      ' The token cannot write comments there: a pull request from a fork gets a read-only token; for ' +
      "branches of this repository grant the job 'permissions: pull-requests: write' (or pass a token that " +
      "has it in 'github-token')."
  }
  if (e?.kind === 'auth') text += " Check the token given in 'github-token'."
  return `${text} ${WHERE_RESULTS}`
}

/**
 * Deletes our extra marked comments (a race, now or in a past run). One already gone (the other run
 * deleted it) is fine; any other failure is returned as a warning.
 */
async function removeDuplicates(
  s: Session,
  args: StickyCommentArgs,
  extras: readonly MarkedComment[]
): Promise<string | undefined> {
  for (const extra of extras) {
    try {
      await s.call(`deleting the duplicate PR comment ${extra.id}`, o =>
        o.rest.issues.deleteComment({ owner: args.owner, repo: args.repo, comment_id: extra.id })
      )
    } catch (error) {
      if (error instanceof GitHubCallError && error.status === 404) continue
      return `The PR comment was posted, but a duplicate could not be removed: ${errorMessage(error)}.`
    }
  }
  return undefined
}

async function update(s: Session, args: StickyCommentArgs, c: MarkedComment, body: string): Promise<void> {
  await s.call(`updating the PR comment ${c.id} on ${args.owner}/${args.repo}#${args.issueNumber}`, o =>
    o.rest.issues.updateComment({ owner: args.owner, repo: args.repo, comment_id: c.id, body })
  )
}

/**
 * The continuation comments of the review: part n written in our oldest part-n comment (or a new one), our
 * other part comments deleted. A failure is a warning naming the part: the sticky comment stands.
 */
async function syncContinuations(
  s: Session,
  args: StickyCommentArgs,
  ours: readonly MarkedComment[]
): Promise<string | undefined> {
  const parts = args.continuations ?? []
  const byPart = new Map<number, MarkedComment[]>()
  for (const c of ours) {
    const n = continuationPart(args.key, firstLine(c.body))
    if (n !== undefined) byPart.set(n, [...(byPart.get(n) ?? []), c])
  }
  const stale: MarkedComment[] = []
  for (const [n, comments] of byPart) if (n > parts.length) stale.push(...comments)
  try {
    for (const [i, line] of parts.entries()) {
      const n = i + 1
      const body = continuationBody(args.key, n, parts.length, line)
      const [oldest, ...extras] = byPart.get(n) ?? []
      stale.push(...extras)
      if (oldest === undefined) {
        await s.call(
          `creating part ${n} of the review on ${args.owner}/${args.repo}#${args.issueNumber}`,
          o =>
            o.rest.issues.createComment({
              owner: args.owner,
              repo: args.repo,
              issue_number: args.issueNumber,
              body
            })
        )
      } else if (oldest.body !== body) {
        await s.call(`updating part ${n} of the review (comment ${oldest.id})`, o =>
          o.rest.issues.updateComment({ owner: args.owner, repo: args.repo, comment_id: oldest.id, body })
        )
      }
    }
  } catch (error) {
    return (
      `The PR comment was posted, but its review record continues in ${parts.length} comments and not all ` +
      `could be written: ${errorMessage(error)}. A deploy of this pull request may find no review for some objects.`
    )
  }
  // An earlier, longer run's parts (or a race's duplicates).
  return removeDuplicates(s, args, stale)
}

async function upsert(s: Session, args: StickyCommentArgs): Promise<StickyCommentResult> {
  const marker = commentMarker(args.key)
  const body = withMarker(marker, args.body)
  // Without the token's identity no comment can be proven ours: rather than guess (and risk editing
  // someone else's), nothing is posted and the warning says why.
  const viewer = await s.viewer()
  // One listing finds the sticky comment and the review's continuation comments.
  const listed = ownedBy(
    await listMarkedComments(
      s,
      args,
      line => line === marker || continuationPart(args.key, line) !== undefined
    ),
    viewer
  )
  const mine = listed.filter(c => firstLine(c.body) === marker)
  const continuations = listed.filter(c => firstLine(c.body) !== marker)
  const result = await upsertMain(s, args, marker, body, viewer, mine)
  const warning = await syncContinuations(s, args, continuations)
  if (warning === undefined) return result
  return { ...result, warning: [result.warning, warning].filter(w => w !== undefined).join(' ') }
}

async function upsertMain(
  s: Session,
  args: StickyCommentArgs,
  marker: string,
  body: string,
  viewer: string,
  mine: MarkedComment[]
): Promise<StickyCommentResult> {
  const [oldest, ...extras] = mine
  if (oldest !== undefined) {
    // A comment someone else edited is written again, even with the same text, so that it is ours as left
    // (its last editor the token's identity); when the edits cannot be read, it is written again too.
    const trusted = await editedByOthers(s, [oldest], viewer).then(
      others => others.length === 0,
      () => false
    )
    const action = oldest.body === body && trusted ? 'unchanged' : 'updated'
    if (action === 'updated') await update(s, args, oldest, body)
    const warning = await removeDuplicates(s, args, extras)
    return { url: oldest.url, action, ...(warning ? { warning } : {}) }
  }

  const res = await s.call(`creating the PR comment on ${args.owner}/${args.repo}#${args.issueNumber}`, o =>
    o.rest.issues.createComment({ owner: args.owner, repo: args.repo, issue_number: args.issueNumber, body })
  )
  const created: MarkedComment = { id: res.data.id, login: viewer, body }
  const url = safeUrl(res.data.html_url)
  if (url !== undefined) created.url = url
  // A run that raced this one may have created its own: list again and keep only the oldest of ours. When
  // that listing fails the comment stands; the next run's update removes any duplicate.
  let after: MarkedComment[]
  try {
    after = ownedBy(await listMarkedComments(s, args, marker), viewer)
  } catch {
    return { url: created.url, action: 'created' }
  }
  const keep = after[0] ?? created
  const rest = after.filter(c => c.id !== keep.id)
  if (keep.id === created.id) {
    const warning = await removeDuplicates(s, args, rest)
    return { url: created.url, action: 'created', ...(warning ? { warning } : {}) }
  }
  if (keep.body !== body) await update(s, args, keep, body)
  const warning = await removeDuplicates(s, args, rest)
  return { url: keep.url, action: 'updated', ...(warning ? { warning } : {}) }
}

/**
 * Creates the sticky comment of `key` on the PR, or edits ours in place; never throws. A body equal to the
 * posted one is left alone ('unchanged').
 */
export async function postStickyComment(
  config: GitHubConfig,
  args: StickyCommentArgs
): Promise<StickyCommentResult> {
  try {
    return await withSession(config, s => upsert(s, args))
  } catch (error) {
    return { warning: failure(error) }
  }
}
