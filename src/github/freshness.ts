// Whether the commit a deploy runs for is still the head of its branch, and if not, which files the newer
// commits changed after it (an older commit never silently undoes a newer one). Two GitHub requests at most:
// the branch's head, then the compare of the two commits.
import { z } from 'zod'
import { errorMessage } from '../errors.js'
import { type GitHubConfig, GitHubCallError, withSession } from './client.js'

export interface FreshnessArgs {
  owner: string
  repo: string
  /** The pushed branch (GITHUB_REF without `refs/heads/`). */
  branch: string
  /** The commit this run deploys (GITHUB_SHA). */
  sha: string
}

export type FreshnessResult =
  | {
      /** The branch's current head. */
      head: string
      /** Paths (and the paths before a rename) changed after `sha` up to `head`; empty when `sha` is the head. */
      changed: string[]
    }
  | { problem: string }

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/

/** GitHub lists at most this many files in a compare: with as many, the list may be cut. */
export const COMPARE_FILE_CAP = 300

const commitSchema = z.looseObject({ sha: z.string().regex(SHA) })
const compareSchema = z.looseObject({
  status: z.enum(['ahead', 'behind', 'diverged', 'identical']),
  files: z
    .array(
      z.looseObject({
        filename: z.string().max(4096),
        previous_filename: z.string().max(4096).nullish()
      })
    )
    .optional()
})

/** The branch's head and what changed after `sha`; never throws: what GitHub cannot answer is `problem`. */
export async function checkFreshness(config: GitHubConfig, args: FreshnessArgs): Promise<FreshnessResult> {
  const sha = args.sha.toLowerCase()
  if (!SHA.test(sha)) return { problem: 'the pushed commit (GITHUB_SHA) is not a SHA' }
  try {
    return await withSession(config, async s => {
      const what = `reading the head of branch ${s.clean(args.branch, 100)}`
      const res = await s.call(what, o =>
        o.rest.repos.getCommit({ owner: args.owner, repo: args.repo, ref: args.branch, per_page: 1 })
      )
      const head = commitSchema.safeParse(res.data)
      if (!head.success) throw new GitHubCallError('invalid', `GitHub answered no commit SHA on ${what}`)
      const headSha = head.data.sha.toLowerCase()
      if (headSha === sha) return { head: headSha, changed: [] }
      const comparing = `comparing ${sha.slice(0, 7)}...${headSha.slice(0, 7)}`
      const cmp = await s.call(comparing, o =>
        o.rest.repos.compareCommitsWithBasehead({
          owner: args.owner,
          repo: args.repo,
          basehead: `${sha}...${headSha}`
        })
      )
      const parsed = compareSchema.safeParse(cmp.data)
      if (!parsed.success) {
        throw new GitHubCallError('invalid', `GitHub answered an unexpected comparison on ${comparing}`)
      }
      const files = parsed.data.files ?? []
      if (files.length >= COMPARE_FILE_CAP) {
        throw new GitHubCallError(
          'invalid',
          `GitHub lists at most ${COMPARE_FILE_CAP} changed files on ${comparing}, and ${files.length} came back: the list may be cut`
        )
      }
      const changed = files.flatMap(f => [f.filename, ...(f.previous_filename ? [f.previous_filename] : [])])
      return { head: headSha, changed }
    })
  } catch (error) {
    return { problem: errorMessage(error) }
  }
}
