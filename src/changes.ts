// Only what changed (`changed-only`): of the index files the `index-file` input matches, the ones the pull
// request or the push added, modified or renamed run; a removed one is reported as no longer managed (its live
// indexes are kept, nothing is written). Under `auto`, a list that cannot be had or trusted means every matched
// file runs, and a notice says why; under `true` the step fails instead.
import { errorMessage } from './errors.js'
import type { Exits } from './exits.js'
import { globMatcher } from './glob.js'
import type { ChangeList } from './github/changes.js'
import type { Mode } from './model.js'
import { code, plural } from './report/markdown.js'
import type { RunScope } from './scope.js'
import { SettingsError } from './settings.js'

/** What a removed index file is, in the notice, the log and the summary. */
export const NO_LONGER_MANAGED = 'no longer managed: its live indexes are kept'

/** A new branch's `before`: there is no earlier commit to compare with. */
const ZERO_SHA = /^0+$/

/** The modes that take a list of changed files; drift and publish always look at everything. */
const CHANGE_MODES: readonly Mode[] = ['validate', 'plan', 'deploy']

export interface Selection {
  /** The matched files to process, in the order given. */
  paths: string[]
  /** Index files the change removed (or renamed out of the glob): no longer managed. */
  removed: string[]
  /** Matched files left out because the change did not touch them. */
  skipped: number
  /** Why every matched file runs although `changed-only` asked for the changed ones (for the notice). */
  fallback?: string
}

const PROCESSED = new Set(['added', 'modified', 'renamed', 'copied', 'changed'])

/** The part of `matched` (files found on disk) that `list` touched, and the matched paths it removed. Pure. */
export function selectChanged(
  matched: readonly string[],
  list: ChangeList,
  matches: (path: string) => boolean
): Selection {
  const touched = new Set<string>()
  const removed = new Set<string>()
  const onDisk = new Set(matched)
  for (const f of list.files) {
    if (PROCESSED.has(f.status)) touched.add(f.path)
    const gone = f.status === 'removed' ? f.path : f.status === 'renamed' ? f.previousPath : undefined
    if (gone !== undefined && !onDisk.has(gone) && matches(gone)) removed.add(gone)
  }
  // A file renamed within the glob is the same object moved: its new path runs, the old one is not "removed".
  for (const f of list.files) {
    if (f.status === 'renamed' && f.previousPath !== undefined && onDisk.has(f.path))
      removed.delete(f.previousPath)
  }
  const paths = matched.filter(p => touched.has(p))
  return { paths, removed: [...removed].sort(), skipped: matched.length - paths.length }
}

type Listing = { list: ChangeList } | { unavailable: string }

/** The changed files of this event, or why there is no list to trust. */
async function changeList(run: RunScope): Promise<Listing> {
  const { runner } = run
  const event = runner.event.name
  const repo = runner.repository
  if (event === 'pull_request' || event === 'pull_request_target') {
    if (runner.pullRequest === undefined) return { unavailable: 'the event names no pull request' }
    const gh = await run.github()
    if (!gh || !repo) return { unavailable: "there is no 'github-token' to list the pull request's files" }
    try {
      const list = await gh.listPullFiles({ ...repo, number: runner.pullRequest })
      if (list.capped) {
        return {
          unavailable: `the pull request has ${list.files.length} files or more, GitHub's cap on its file list`
        }
      }
      return { list }
    } catch (error) {
      return { unavailable: `the pull request's files could not be listed: ${errorMessage(error)}` }
    }
  }
  if (event === 'push') {
    const push = runner.push
    if (push === undefined) return { unavailable: "the push event names no 'before' and 'after' commits" }
    if (ZERO_SHA.test(push.before)) {
      return { unavailable: 'the push created the branch: there is no earlier commit to compare with' }
    }
    const gh = await run.github()
    if (!gh || !repo) return { unavailable: "there is no 'github-token' to compare the pushed commits" }
    const range = `${push.before.slice(0, 7)}...${push.after.slice(0, 7)}`
    try {
      const list = await gh.compareFiles({ ...repo, base: push.before, head: push.after })
      if (list.compareStatus !== 'ahead' && list.compareStatus !== 'identical') {
        return {
          unavailable: `the compare ${range} is '${list.compareStatus ?? 'unknown'}' (a force push rewrote the branch), so its files are not the change`
        }
      }
      if (list.capped) {
        return {
          unavailable: `the compare ${range} lists ${list.files.length} files, GitHub's cap on a compare`
        }
      }
      return { list }
    } catch (error) {
      return { unavailable: `the pushed commits could not be compared: ${errorMessage(error)}` }
    }
  }
  return { unavailable: `a '${event || 'local'}' event has no list of changed files` }
}

/**
 * The matched files this run processes. `changed-only: false`, modes other than validate, plan and deploy,
 * and (under `auto`) a single matched file take them all. Throws SettingsError under `changed-only: true` when there is no list to trust.
 */
export async function selectFiles(run: RunScope, matched: readonly string[]): Promise<Selection> {
  const { settings } = run
  const all: Selection = { paths: [...matched], removed: [], skipped: 0 }
  if (settings.changedOnly === 'false' || !CHANGE_MODES.includes(settings.mode)) return all
  // One matched file leaves nothing to narrow: `auto` runs it without asking GitHub (a single-object
  // workflow, or one entry of plan's matrix, costs no extra call).
  if (settings.changedOnly === 'auto' && matched.length <= 1) return all
  const listing = await changeList(run)
  if ('unavailable' in listing) {
    if (settings.changedOnly === 'true') {
      throw new SettingsError(
        `Input 'changed-only' is 'true' but the changed files cannot be had: ${listing.unavailable}. ` +
          "Use 'auto' to fall back to every matched file, or 'false'."
      )
    }
    return { ...all, fallback: `every matched index file runs: ${listing.unavailable}` }
  }
  return selectChanged(matched, listing.list, globMatcher(settings.indexFile))
}

/** Says what the selection did: a notice for a fallback and for each removed file, a log line otherwise. */
export function announceSelection(exits: Exits, matched: number, selection: Selection): void {
  if (selection.fallback !== undefined) {
    exits.annotate([
      { level: 'notice', title: 'changed-only', message: `changed-only: ${selection.fallback}.` }
    ])
  } else if (selection.paths.length < matched || selection.removed.length > 0) {
    exits.log.info(
      `Changed index files: ${selection.paths.length} of the ${matched} matched (the others are unchanged and skipped).`
    )
  }
  exits.annotate(
    selection.removed.map(file => ({
      level: 'notice' as const,
      title: 'no longer managed',
      message: `${file} was removed: ${NO_LONGER_MANAGED}.`
    }))
  )
}

/** The summary's lines for index files that are no longer managed ('' when none). */
export function removedSection(removed: readonly string[]): string {
  if (removed.length === 0) return ''
  const lines = removed.map(p => `- ${code(p)}: ${NO_LONGER_MANAGED}.`)
  return `\n### ${plural(removed.length, 'index file', 'index files')} removed\n\n${lines.join('\n')}\n`
}
