// The drift issue (docs/rules.md#drift-detection): one issue per repository and comment-key, found in any
// state by its label, first line and author (as in
// docs/rules.md#the-sticky-comment-is-ours-only-when-we-wrote-it), kept open and up to date while there is
// drift, reopened when it comes back, closed with a comment when it is gone. Racing runs converge on the
// oldest. Cheap and quiet: found with a label filter whatever the number of issues, and a run that finds the
// same drift writes nothing (the body is a function of the drift alone; the run's link goes in a comment when
// the drift changes).
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
  /** The run, as Markdown (a link), named in the comment that says the drift changed. */
  run?: string
}

export interface DriftIssueResult {
  url?: string
  action: 'created' | 'updated' | 'reopened' | 'closed' | 'unchanged' | 'none'
  warning?: string
}

/** The label every drift issue carries, by which it is found (created when the repository lacks it). */
export const DRIFT_LABEL = 'custom-object-index-drift'
const LABEL_COLOR = 'd93f0b'
const LABEL_DESCRIPTION = 'Live custom-object indexes differ from the index files'

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

/** The page entries that are marked issues (pull requests skipped). */
function markedOf(data: unknown[], marker: string): MarkedIssue[] {
  return data.flatMap((raw): MarkedIssue[] => {
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
}

/** The issues carrying the drift label, in any state, whose first line is the marker: one page as a rule. */
async function listLabelledIssues(s: Session, args: DriftIssueArgs, marker: string): Promise<MarkedIssue[]> {
  return s.call(`listing the ${DRIFT_LABEL} issues of ${args.owner}/${args.repo}`, o =>
    o.paginate(
      o.rest.issues.listForRepo,
      { owner: args.owner, repo: args.repo, state: 'all', labels: DRIFT_LABEL, per_page: 100 },
      response => markedOf(response.data, marker)
    )
  )
}

/** Every issue of the repository, in any state, whose first line is the marker (all pages). */
async function listAllMarkedIssues(s: Session, args: DriftIssueArgs, marker: string): Promise<MarkedIssue[]> {
  return s.call(`listing the issues of ${args.owner}/${args.repo}`, o =>
    o.paginate(
      o.rest.issues.listForRepo,
      { owner: args.owner, repo: args.repo, state: 'all', per_page: 100 },
      response => markedOf(response.data, marker)
    )
  )
}

/**
 * Makes sure the repository has the drift label, on a run with drift to file (created when missing, so that
 * this happens once). When it had none, no drift issue was ever labelled: an issue an earlier version left
 * without the label is looked for once, the slow way, and labelled, so that it is kept instead of a second one
 * being opened. Returns those issues (ours, oldest first).
 */
async function ensureLabel(
  s: Session,
  args: DriftIssueArgs,
  marker: string,
  viewer: string
): Promise<MarkedIssue[]> {
  const where = `${args.owner}/${args.repo}`
  try {
    await s.call(`reading the ${DRIFT_LABEL} label of ${where}`, o =>
      o.rest.issues.getLabel({ owner: args.owner, repo: args.repo, name: DRIFT_LABEL })
    )
    return []
  } catch (error) {
    if (!(error instanceof GitHubCallError && error.status === 404)) throw error
  }
  try {
    await s.call(`creating the ${DRIFT_LABEL} label in ${where}`, o =>
      o.rest.issues.createLabel({
        owner: args.owner,
        repo: args.repo,
        name: DRIFT_LABEL,
        color: LABEL_COLOR,
        description: LABEL_DESCRIPTION
      })
    )
  } catch (error) {
    // A racing run created it first.
    if (!(error instanceof GitHubCallError && error.status === 422)) throw error
  }
  const earlier = ownedBy(await listAllMarkedIssues(s, args, marker), viewer)
  for (const i of earlier) {
    await s.call(`labelling the drift issue ${where}#${i.id}`, o =>
      o.rest.issues.addLabels({
        owner: args.owner,
        repo: args.repo,
        issue_number: i.id,
        labels: [DRIFT_LABEL]
      })
    )
  }
  return earlier
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
  const byRun = args.run !== undefined ? ` (${args.run})` : ''
  /** The run's link, in a comment, when the drift changed: only when there is a run to link to. */
  const announce = async (i: MarkedIssue, text: string): Promise<void> => {
    if (args.run !== undefined) await comment(i, text)
  }
  const comment = (i: MarkedIssue, text: string) =>
    s.call(`commenting on the drift issue ${where}#${i.id}`, o =>
      o.rest.issues.createComment({ owner: args.owner, repo: args.repo, issue_number: i.id, body: text })
    )
  const edit = (i: MarkedIssue, change: { title?: string; body?: string; state?: 'open' | 'closed' }) =>
    s.call(`updating the drift issue ${where}#${i.id}`, o =>
      o.rest.issues.update({ owner: args.owner, repo: args.repo, issue_number: i.id, ...change })
    )
  const close = async (i: MarkedIssue, text: string): Promise<void> => {
    await comment(i, text)
    await s.call(`closing the drift issue ${where}#${i.id}`, o =>
      o.rest.issues.update({ owner: args.owner, repo: args.repo, issue_number: i.id, state: 'closed' })
    )
  }
  /** Brings `keep` up to date and open; says what that took. The same drift writes nothing. */
  const refresh = async (keep: MarkedIssue): Promise<DriftIssueResult['action']> => {
    const same = keep.title === title && keep.body === body
    if (keep.state === 'open' && same) return 'unchanged'
    await edit(keep, {
      ...(same ? {} : { title, body }),
      ...(keep.state === 'closed' ? { state: 'open' } : {})
    })
    if (keep.state === 'closed') {
      await announce(keep, `The drift is back${byRun}.`)
      return 'reopened'
    }
    await announce(keep, `The drift changed${byRun}.`)
    return 'updated'
  }
  /** Closes our other open issues of this key (a race, now or in a past run). */
  const closeDuplicates = async (keep: MarkedIssue, all: readonly MarkedIssue[]): Promise<void> => {
    for (const d of all) {
      if (d.id !== keep.id && d.state === 'open') await close(d, `Duplicate of #${keep.id}.`)
    }
  }

  const viewer = await s.viewer()
  let mine = ownedBy(await listLabelledIssues(s, args, marker), viewer)
  // No drift and no issue of ours: nothing to file or close, so no label either (a read-only token stays quiet).
  if (mine.length === 0 && !args.drifted) return { action: 'none' }
  if (mine.length === 0) mine = await ensureLabel(s, args, marker, viewer)
  if (!args.drifted) {
    const open = mine.filter(i => i.state === 'open')
    const checked = args.run !== undefined ? `\n\nChecked by ${args.run}.` : ''
    for (const i of open) await close(i, `${args.closingComment ?? DEFAULT_CLOSING}${checked}`)
    return open.length > 0 ? { url: open[0]!.url, action: 'closed' } : { action: 'none' }
  }

  const [oldest] = mine
  if (oldest !== undefined) {
    const action = await refresh(oldest)
    await closeDuplicates(oldest, mine)
    return { url: oldest.url, action }
  }
  const res = await s.call(`creating the drift issue in ${where}`, o =>
    o.rest.issues.create({ owner: args.owner, repo: args.repo, title, body, labels: [DRIFT_LABEL] })
  )
  const created: MarkedIssue = { id: res.data.number, login: viewer, state: 'open', title, body }
  const url = safeUrl(res.data.html_url)
  if (url !== undefined) created.url = url
  // A racing run may have created its own: the oldest of ours stays, the others are closed.
  const after = ownedBy(await listLabelledIssues(s, args, marker), viewer)
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
