// The files a change touched: a pull request's files (every page) and the compare of a push. The lists are
// untrusted: each entry is validated, and a list GitHub cut short says so (`capped`).
import { z } from 'zod'
import { type GitHubConfig, withSession } from './client.js'

/** GitHub lists at most this many files of a pull request. */
export const PULL_FILES_CAP = 3_000
/** A compare lists at most this many files, on its first page only. */
export const COMPARE_FILES_CAP = 300

export type ChangeStatus = 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged'

export interface ChangedFile {
  path: string
  status: ChangeStatus
  /** A renamed file's path before the rename. */
  previousPath?: string
}

export interface ChangeList {
  files: ChangedFile[]
  /** GitHub cut the list at its cap: files past it are unknown. */
  capped: boolean
  /** The compare's status (`ahead`, `behind`, `identical`, `diverged`); absent for a pull request. */
  compareStatus?: string
}

const fileEntry = z.looseObject({
  filename: z.string().min(1).max(4096),
  status: z.enum(['added', 'removed', 'modified', 'renamed', 'copied', 'changed', 'unchanged']),
  previous_filename: z.string().min(1).max(4096).nullish()
})

const compareBody = z.looseObject({
  status: z.string().max(32),
  files: z.array(z.unknown()).nullish()
})

function entries(raw: readonly unknown[]): ChangedFile[] {
  return raw.flatMap(r => {
    const f = fileEntry.safeParse(r)
    if (!f.success) return []
    return [
      {
        path: f.data.filename,
        status: f.data.status,
        ...(f.data.previous_filename ? { previousPath: f.data.previous_filename } : {})
      }
    ]
  })
}

export interface PullFilesArgs {
  owner: string
  repo: string
  number: number
}

/** Every file of a pull request, 100 a page; throws a GitHubCallError when GitHub cannot answer. */
export async function listPullFiles(config: GitHubConfig, args: PullFilesArgs): Promise<ChangeList> {
  return withSession(config, async s => {
    const raw = await s.call(
      `listing the files of pull request ${args.owner}/${args.repo}#${args.number}`,
      o =>
        o.paginate(o.rest.pulls.listFiles, {
          owner: args.owner,
          repo: args.repo,
          pull_number: args.number,
          per_page: 100
        })
    )
    return { files: entries(raw), capped: raw.length >= PULL_FILES_CAP }
  })
}

export interface CompareArgs {
  owner: string
  repo: string
  base: string
  head: string
}

/** The files changed from `base` to `head` (one call: GitHub lists files on the first page only). */
export async function compareFiles(config: GitHubConfig, args: CompareArgs): Promise<ChangeList> {
  return withSession(config, async s => {
    const what = `comparing ${args.base.slice(0, 7)}...${args.head.slice(0, 7)} on ${args.owner}/${args.repo}`
    const res = await s.call(what, o =>
      o.rest.repos.compareCommitsWithBasehead({
        owner: args.owner,
        repo: args.repo,
        basehead: `${args.base}...${args.head}`,
        per_page: 1
      })
    )
    const body = compareBody.safeParse(res.data)
    if (!body.success) throw new Error(`GitHub answered an unexpected compare on ${what}`)
    const raw = body.data.files ?? []
    return { files: entries(raw), capped: raw.length >= COMPARE_FILES_CAP, compareStatus: body.data.status }
  })
}
