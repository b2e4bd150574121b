// An older commit never silently undoes a newer one. A deploy runs for one commit (GITHUB_SHA); when that commit
// is no longer the head of its branch and a newer commit changed an object's index file, the object is stale:
// its deploy would put back the older definition. Pure: the look-up is in github/freshness.ts.
import type { OnStale } from '../settings.js'
import type { FreshnessSource } from './job.js'

/** The branch a ref names (`refs/heads/<branch>`), or undefined for a tag, a pull request ref or nothing. */
export function branchOf(ref: string): string | undefined {
  const m = /^refs\/heads\/(.+)$/.exec(ref)
  return m?.[1]
}

/** A path as GitHub's compare lists it: forward slashes, no leading `./`. */
function repoPath(file: string): string {
  return file.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '')
}

/** From the look-up's answer: the files changed between `sha` and the branch's `head`. */
export function freshnessFrom(
  sha: string,
  found: { head: string; changed: readonly string[] }
): FreshnessSource {
  const changed = new Set(found.changed.map(repoPath))
  return {
    staleOf: file =>
      found.head !== sha.toLowerCase() && changed.has(repoPath(file)) ? { sha, head: found.head } : undefined
  }
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7)
}

/** What a stale object is told: a notice (`skip`), the error (`fail`) or a warning (`warn`). */
export function staleMessage(
  id: string,
  file: string,
  stale: { sha: string; head: string },
  onStale: OnStale
): string {
  const older = shortSha(stale.sha)
  const newer = shortSha(stale.head)
  const said = `Object ${id}: commit ${older} is older than ${newer}, the head of the branch, which changed ${file} after it`
  switch (onStale) {
    case 'skip':
      return `${said}. Skipped (on-stale: skip): the deploy of ${newer} applies the file.`
    case 'fail':
      return `${said}. Not deployed (on-stale: fail), so that it cannot undo ${newer}: the deploy of ${newer} applies the file.`
    case 'warn':
      return `${said}. Deploying it anyway (on-stale: warn): it may undo ${newer}'s change until the deploy of ${newer} runs.`
  }
}
