// The sticky PR comment over the GitHub REST API: one comment per pull request and comment-key, found by
// its first line (the marker) and edited in place on every run.
import { getOctokit } from '@actions/github'
import { commentMarker } from '../report/comment.js'

export interface IssueComment {
  id: number
  body: string
  /** The comment's web address (html_url). */
  url: string
}

export interface IssueRef {
  owner: string
  repo: string
  issueNumber: number
}

/** The three calls the sticky comment needs. `listComments` returns every page, oldest first. */
export interface CommentApi {
  listComments(issue: IssueRef): Promise<IssueComment[]>
  createComment(issue: IssueRef, body: string): Promise<IssueComment>
  updateComment(repo: { owner: string; repo: string }, commentId: number, body: string): Promise<IssueComment>
}

export interface UpsertArgs extends IssueRef {
  key: string
  body: string
}

export interface UpsertResult {
  action: 'created' | 'updated' | 'unchanged'
  url: string
  id: number
}

/** The token may not write comments: a fork PR's read-only token, or no `pull-requests: write`. */
export class CommentPermissionError extends Error {
  readonly status: number
  constructor(message: string, status: number) {
    super(message)
    this.name = 'CommentPermissionError'
    this.status = status
  }
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined
  const status = error.status
  return typeof status === 'number' ? status : undefined
}

function firstLine(body: string): string {
  const end = body.indexOf('\n')
  return (end === -1 ? body : body.slice(0, end)).replace(/\r$/, '')
}

async function guarded<T>(what: string, issue: IssueRef, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    const status = statusOf(error)
    if (status === 403 || status === 404) {
      const detail = error instanceof Error ? `: ${error.message.split(' - ')[0]}` : ''
      throw new CommentPermissionError(
        `Could not ${what} the PR comment on ${issue.owner}/${issue.repo}#${issue.issueNumber}: the GitHub token ` +
          `cannot write comments there (HTTP ${status}${detail}). A pull request from a fork gets a read-only ` +
          "token; for branches of this repository grant the job 'permissions: pull-requests: write' " +
          "(or pass a token that has it in 'github-token').",
        status
      )
    }
    throw error
  }
}

/**
 * Creates the comment whose first line is the marker of `key`, or edits it in place. A body equal to the
 * posted one is left alone ('unchanged'). When several comments carry the marker (two runs raced), the
 * oldest is the one kept up to date.
 */
export async function upsertStickyComment(api: CommentApi, args: UpsertArgs): Promise<UpsertResult> {
  const issue: IssueRef = { owner: args.owner, repo: args.repo, issueNumber: args.issueNumber }
  const marker = commentMarker(args.key)
  const comments = await guarded('read', issue, () => api.listComments(issue))
  const existing = comments.find(c => firstLine(c.body) === marker)
  if (existing === undefined) {
    const created = await guarded('create', issue, () => api.createComment(issue, args.body))
    return { action: 'created', url: created.url, id: created.id }
  }
  if (existing.body === args.body) return { action: 'unchanged', url: existing.url, id: existing.id }
  const updated = await guarded('update', issue, () =>
    api.updateComment({ owner: args.owner, repo: args.repo }, existing.id, args.body)
  )
  return { action: 'updated', url: updated.url || existing.url, id: existing.id }
}

/**
 * The CommentApi over Octokit. `baseUrl` is passed explicitly: `@actions/github` reads GITHUB_API_URL when
 * it is imported, which is too early for tests and for GitHub Enterprise Server set-ups that override it.
 */
export function createOctokitCommentApi(token: string, baseUrl: string): CommentApi {
  const octokit = getOctokit(token, { baseUrl })
  const toComment = (c: { id: number; body?: string | null; html_url: string }): IssueComment => ({
    id: c.id,
    body: c.body ?? '',
    url: c.html_url
  })
  return {
    async listComments(issue) {
      const all = await octokit.paginate(octokit.rest.issues.listComments, {
        owner: issue.owner,
        repo: issue.repo,
        issue_number: issue.issueNumber,
        per_page: 100
      })
      return all.map(toComment)
    },
    async createComment(issue, body) {
      const res = await octokit.rest.issues.createComment({
        owner: issue.owner,
        repo: issue.repo,
        issue_number: issue.issueNumber,
        body
      })
      return toComment(res.data)
    },
    async updateComment(repo, commentId, body) {
      const res = await octokit.rest.issues.updateComment({
        owner: repo.owner,
        repo: repo.repo,
        comment_id: commentId,
        body
      })
      return toComment(res.data)
    }
  }
}
