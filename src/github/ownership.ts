// What makes a sticky comment or a drift issue ours
// (docs/rules.md#the-sticky-comment-is-ours-only-when-we-wrote-it): its first line is the marker and its
// author is the token's own identity. Everything else that carries the marker is someone else's and is never
// edited or deleted. Shared by the PR comment, the review look-up and the drift issue.
import { z } from 'zod'
import type { Session } from './client.js'

/** The first line of a text, without a trailing CR. */
export function firstLine(text: string): string {
  const end = text.indexOf('\n')
  return (end === -1 ? text : text.slice(0, end)).replace(/\r$/, '')
}

/** `body` with `marker` as its first line (added when missing). */
export function withMarker(marker: string, body: string): string {
  return firstLine(body) === marker ? body : `${marker}\n${body}`
}

/**
 * Whether two logins name one identity. REST names the Actions token's identity `github-actions[bot]` and
 * GraphQL `github-actions`, so the `[bot]` suffix is dropped; logins are case-insensitive.
 */
export function sameLogin(a: string, b: string): boolean {
  const norm = (s: string): string => s.replace(/\[bot\]$/i, '').toLowerCase()
  return norm(a) === norm(b)
}

export interface Authored {
  /** GitHub's id (comments) or number (issues): both grow with time, so the smallest is the oldest. */
  id: number
  /** The author's login; absent for a deleted account. */
  login?: string
}

/** Of items that carry the marker, those `viewer` wrote, oldest first. */
export function ownedBy<T extends Authored>(marked: readonly T[], viewer: string): T[] {
  return marked.filter(x => x.login !== undefined && sameLogin(x.login, viewer)).sort((a, b) => a.id - b.id)
}

/** A web address from GitHub, when it is a plain http(s) URL (it ends up in outputs and logs). */
export function safeUrl(url: unknown): string | undefined {
  return typeof url === 'string' && url.length <= 2048 && /^https?:\/\/[^\s<>"'`\\]+$/.test(url)
    ? url
    : undefined
}

export interface IssueRef {
  owner: string
  repo: string
  issueNumber: number
}

/** An issue comment that carries the marker. */
export interface MarkedComment extends Authored {
  url?: string
  body: string
  /** GraphQL's id, by which its edits are read. */
  nodeId?: string
}

const commentEntry = z.looseObject({
  id: z.number().int().positive(),
  node_id: z.string().max(256).optional(),
  body: z.string().nullish(),
  html_url: z.unknown().optional(),
  user: z.looseObject({ login: z.string() }).nullish()
})

/**
 * Every comment of an issue or PR (all pages) whose first line is `marker` (or passes it, when a test);
 * only those are kept.
 */
export async function listMarkedComments(
  s: Session,
  issue: IssueRef,
  marker: string | ((firstLine: string) => boolean)
): Promise<MarkedComment[]> {
  const marked = typeof marker === 'string' ? (line: string) => line === marker : marker
  return s.call(`listing the comments of ${issue.owner}/${issue.repo}#${issue.issueNumber}`, o =>
    o.paginate(
      o.rest.issues.listComments,
      { owner: issue.owner, repo: issue.repo, issue_number: issue.issueNumber, per_page: 100 },
      response =>
        response.data.flatMap((raw): MarkedComment[] => {
          const c = commentEntry.safeParse(raw)
          if (!c.success || !marked(firstLine(c.data.body ?? ''))) return []
          const url = safeUrl(c.data.html_url)
          return [
            {
              id: c.data.id,
              body: c.data.body ?? '',
              ...(c.data.user ? { login: c.data.user.login } : {}),
              ...(url !== undefined ? { url } : {}),
              ...(c.data.node_id !== undefined ? { nodeId: c.data.node_id } : {})
            }
          ]
        })
    )
  )
}

/** GraphQL's answer on one comment's edits: when it was last edited, and by whom (null: a deleted account). */
const editEntry = z.looseObject({
  id: z.string(),
  lastEditedAt: z.string().nullish(),
  editor: z.looseObject({ login: z.string() }).nullish()
})

const EDITS_QUERY =
  'query($ids: [ID!]!) { nodes(ids: $ids) { ... on IssueComment { id lastEditedAt editor { login } } } }'

/**
 * A comment counts only as its author left it: of `comments`, those edited (GraphQL `lastEditedAt` set) by
 * anyone but `viewer`. A comment whose edits cannot be read (no node id, no answer for it) is counted among
 * them: it cannot be proven ours. Throws a GitHubCallError when GraphQL fails.
 */
export async function editedByOthers<T extends MarkedComment>(
  s: Session,
  comments: readonly T[],
  viewer: string
): Promise<T[]> {
  const others: T[] = []
  for (let at = 0; at < comments.length; at += 100) {
    const batch = comments.slice(at, at + 100)
    const ids = batch.flatMap(c => (c.nodeId !== undefined ? [c.nodeId] : []))
    const data =
      ids.length === 0
        ? { nodes: [] }
        : await s.call('reading who edited the marked comments (GraphQL)', o =>
            o.graphql<{ nodes?: unknown }>(EDITS_QUERY, { ids })
          )
    const nodes = Array.isArray(data.nodes) ? data.nodes : []
    const byId = new Map<string, z.infer<typeof editEntry>>()
    for (const n of nodes) {
      const e = editEntry.safeParse(n)
      if (e.success) byId.set(e.data.id, e.data)
    }
    for (const c of batch) {
      const e = c.nodeId !== undefined ? byId.get(c.nodeId) : undefined
      if (e === undefined) others.push(c)
      else if (e.lastEditedAt && !(e.editor && sameLogin(e.editor.login, viewer))) others.push(c)
    }
  }
  return others
}
