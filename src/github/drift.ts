// The drift issue (docs/rules.md#drift-detection): one issue per repository and comment-key, found in any
// state by its first line and its author (as in
// docs/rules.md#the-sticky-comment-is-ours-only-when-we-wrote-it), kept open and up to date while there is
// drift, reopened when it comes back, closed with a comment when it is gone. Racing runs converge on the
// oldest.
import { z } from 'zod'
import { errorMessage } from '../errors.js'
import { type GitHubConfig, GitHubCallError, type Session, withSession } from './client.js'
import { type Authored, firstLine, ownedBy, safeUrl, withMarker } from './ownership.js'

export interface DriftIssueArgs {
  owner: string
  repo: string
  key: string
  drifted: boolean
  /** Used while there is drift. */
  title: string
  /** Used while there is drift; its first line is made the marker when it is not already. */
  body: string
  /** The comment that closes the issue once the drift is gone; a default sentence when absent. */
  closingComment?: string
}

export interface DriftIssueResult {
  url?: string
  action: 'created' | 'updated' | 'reopened' | 'closed' | 'unchanged' | 'none'
  warning?: string
}

/** The drift issue's first line. */
export function driftMarker(key: string): string {
  return `<!-- custom-object-index-drift:${key} -->`
}

const DEFAULT_CLOSING =
  'The drift is gone: the live indexes match the index files again. Closed by the custom-object-index action.'
/** GitHub's limit on an issue title. */
const MAX_TITLE = 256

interface MarkedIssue extends Authored {
  url?: string
  state: 'open' | 'closed'
  title: string
  body: string
}

const issueEntry = z.looseObject({
  number: z.number().int().positive(),
  state: z.enum(['open', 'closed']),
  title: z.string().nullish(),
  body: z.string().nullish(),
  html_url: z.unknown().optional(),
  user: z.looseObject({ login: z.string() }).nullish(),
  pull_request: z.unknown().optional()
})

/** The issues (pull requests skipped) of the repository, in any state, whose first line is the marker. */
async function listMarkedIssues(s: Session, args: DriftIssueArgs, marker: string): Promise<MarkedIssue[]> {
  return s.call(`listing the issues of ${args.owner}/${args.repo}`, o =>
    o.paginate(
      o.rest.issues.listForRepo,
      { owner: args.owner, repo: args.repo, state: 'all', per_page: 100 },
      response =>
        response.data.flatMap((raw): MarkedIssue[] => {
          const i = issueEntry.safeParse(raw)
          if (!i.success || i.data.pull_request !== undefined) return []
          if (firstLine(i.data.body ?? '') !== marker) return []
          const url = safeUrl(i.data.html_url)
          return [
            {
              id: i.data.number,
              state: i.data.state,
              title: i.data.title ?? '',
              body: i.data.body ?? '',
              ...(i.data.user ? { login: i.data.user.login } : {}),
              ...(url !== undefined ? { url } : {})
            }
          ]
        })
    )
  )
}

function failure(error: unknown): string {
  const e = error instanceof GitHubCallError ? error : undefined
  let text = `The drift issue could not be updated: ${e ? e.message : errorMessage(error)}.`
  if (e?.kind === 'permission' && e.status === 404) text += ' The repository is not visible to the token.'
  else if (e?.kind === 'permission') text += " The job needs 'permissions: issues: write'."
  if (e?.kind === 'auth') text += " Check the token given in 'github-token'."
  return `${text} The drift is in the job summary and the report file.`
}

async function sync(s: Session, args: DriftIssueArgs): Promise<DriftIssueResult> {
  const marker = driftMarker(args.key)
  const title = args.title.slice(0, MAX_TITLE)
  const body = withMarker(marker, args.body)
  const where = `${args.owner}/${args.repo}`
  const edit = (i: MarkedIssue, change: { title?: string; body?: string; state?: 'open' | 'closed' }) =>
    s.call(`updating the drift issue ${where}#${i.id}`, o =>
      o.rest.issues.update({ owner: args.owner, repo: args.repo, issue_number: i.id, ...change })
    )
  const close = async (i: MarkedIssue, comment: string): Promise<void> => {
    await s.call(`commenting on the drift issue ${where}#${i.id}`, o =>
      o.rest.issues.createComment({ owner: args.owner, repo: args.repo, issue_number: i.id, body: comment })
    )
    await s.call(`closing the drift issue ${where}#${i.id}`, o =>
      o.rest.issues.update({ owner: args.owner, repo: args.repo, issue_number: i.id, state: 'closed' })
    )
  }
  /** Brings `keep` up to date and open; says what that took. */
  const refresh = async (keep: MarkedIssue): Promise<DriftIssueResult['action']> => {
    if (keep.state === 'closed') {
      await edit(keep, { title, body, state: 'open' })
      return 'reopened'
    }
    if (keep.title === title && keep.body === body) return 'unchanged'
    await edit(keep, { title, body })
    return 'updated'
  }
  /** Closes our other open issues of this key (a race, now or in a past run). */
  const closeDuplicates = async (keep: MarkedIssue, all: readonly MarkedIssue[]): Promise<void> => {
    for (const d of all) {
      if (d.id !== keep.id && d.state === 'open') await close(d, `Duplicate of #${keep.id}.`)
    }
  }

  const viewer = await s.viewer()
  const mine = ownedBy(await listMarkedIssues(s, args, marker), viewer)
  if (!args.drifted) {
    const open = mine.filter(i => i.state === 'open')
    for (const i of open) await close(i, args.closingComment ?? DEFAULT_CLOSING)
    return open.length > 0 ? { url: open[0]!.url, action: 'closed' } : { action: 'none' }
  }

  const [oldest] = mine
  if (oldest !== undefined) {
    const action = await refresh(oldest)
    await closeDuplicates(oldest, mine)
    return { url: oldest.url, action }
  }
  const res = await s.call(`creating the drift issue in ${where}`, o =>
    o.rest.issues.create({ owner: args.owner, repo: args.repo, title, body })
  )
  const created: MarkedIssue = { id: res.data.number, login: viewer, state: 'open', title, body }
  const url = safeUrl(res.data.html_url)
  if (url !== undefined) created.url = url
  // A racing run may have created its own: the oldest of ours stays, the others are closed.
  const after = ownedBy(await listMarkedIssues(s, args, marker), viewer)
  const keep = after[0] ?? created
  const action = keep.id === created.id ? 'created' : await refresh(keep)
  await closeDuplicates(keep, after.some(i => i.id === created.id) ? after : [...after, created])
  return { url: keep.url, action }
}

/** Keeps the drift issue of `key` in step with `drifted`; never throws. */
export async function syncDriftIssue(config: GitHubConfig, args: DriftIssueArgs): Promise<DriftIssueResult> {
  try {
    return await withSession(config, s => sync(s, args))
  } catch (error) {
    return { action: 'none', warning: failure(error) }
  }
}
