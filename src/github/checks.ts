// One check run per head commit and comment key: the verdict where branch protection can require it, the
// summary, and every finding as an annotation on its file and line (GitHub shows at most 10 errors and 10
// warnings of a step's own annotations; a check run takes them all, 50 per request).
import { z } from 'zod'
import { errorMessage } from '../errors.js'
import type { CheckAnnotation, CheckConclusion } from '../report/checkrun.js'
import { type GitHubConfig, GitHubCallError, withSession } from './client.js'

/** GitHub's limit on a check run's summary, in characters. */
export const MAX_CHECK_SUMMARY = 65_535
/** Annotations GitHub takes per request. */
export const ANNOTATION_BATCH = 50
/** Most annotation requests of one check run, so the step stays inside its time bound. */
export const MAX_ANNOTATION_BATCHES = 40
const MAX_TITLE = 255
const MAX_MESSAGE = 4_000

export type { CheckAnnotation, CheckConclusion }

export interface CheckRunArgs {
  owner: string
  repo: string
  headSha: string
  /** `custom-object-index / {comment-key}`. */
  name: string
  conclusion: CheckConclusion
  title: string
  summary: string
  /** Errors first; sent 50 per request. */
  annotations: readonly CheckAnnotation[]
  /** The run's page, when known. */
  detailsUrl?: string
}

export interface CheckRunResult {
  /** The check run's page, when it was written. */
  url?: string
  action?: 'created' | 'updated'
  /** Annotations sent (at most MAX_ANNOTATION_BATCHES × 50). */
  annotations?: number
  /** Why it was not written (or not wholly). */
  warning?: string
  /** GitHub refused the token the permission (no `checks: write`, a fork's read-only token). */
  forbidden?: boolean
}

/** The check run's name for a comment key. */
export function checkRunName(commentKey: string): string {
  return `custom-object-index / ${commentKey}`
}

/** The summary as GitHub takes it: under 65,535 characters, a cut saying so and where the rest is. */
export function fitCheckSummary(summary: string): string {
  if (summary.length <= MAX_CHECK_SUMMARY) return summary
  const note =
    "\n\n… cut to stay under GitHub's 65,535-character limit for a check run: the job summary and the " +
    '`report` file have the whole report.'
  let cut = summary.slice(0, MAX_CHECK_SUMMARY - note.length)
  // Never half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1)
  return cut + note
}

function clipped(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

const checkRunEntry = z.looseObject({
  id: z.number().int().positive(),
  name: z.string(),
  head_sha: z.string(),
  html_url: z.string().nullish(),
  output: z.looseObject({ annotations_count: z.number().int().nonnegative().nullish() }).nullish()
})

/**
 * Creates the check run, or updates the one of that name on that commit; never throws. The first 50
 * annotations go with the create (or update), the rest in PATCHes of 50. GitHub appends annotations on every
 * update, so a check run that already holds some (an earlier run's) is replaced by a new one of the same
 * name, which branch protection then reads.
 */
export async function upsertCheckRun(config: GitHubConfig, args: CheckRunArgs): Promise<CheckRunResult> {
  const short = args.headSha.slice(0, 7)
  const batches: CheckAnnotation[][] = []
  for (
    let i = 0;
    i < args.annotations.length && batches.length < MAX_ANNOTATION_BATCHES;
    i += ANNOTATION_BATCH
  ) {
    batches.push(
      args.annotations.slice(i, i + ANNOTATION_BATCH).map(a => ({
        ...a,
        message: clipped(a.message, MAX_MESSAGE),
        ...(a.title !== undefined ? { title: clipped(a.title, MAX_TITLE) } : {})
      }))
    )
  }
  const sent = batches.reduce((n, b) => n + b.length, 0)
  const output = (
    annotations: CheckAnnotation[]
  ): { title: string; summary: string; annotations?: CheckAnnotation[] } => ({
    title: clipped(args.title, MAX_TITLE),
    summary: fitCheckSummary(args.summary),
    ...(annotations.length > 0 ? { annotations } : {})
  })
  let written: { id: number; url?: string; action: 'created' | 'updated' } | undefined
  try {
    return await withSession(config, async s => {
      const base = { owner: args.owner, repo: args.repo }
      const found = await s.call(`listing the check runs of commit ${short}`, o =>
        o.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
          ...base,
          ref: args.headSha,
          check_name: args.name,
          filter: 'latest',
          per_page: 100
        })
      )
      const list = z.looseObject({ check_runs: z.array(z.unknown()) }).safeParse(found.data)
      const existing = (list.success ? list.data.check_runs : [])
        .map(raw => checkRunEntry.safeParse(raw))
        .flatMap(p => (p.success ? [p.data] : []))
        .find(c => c.name === args.name && c.head_sha === args.headSha)
      const fields = {
        status: 'completed' as const,
        conclusion: args.conclusion,
        completed_at: new Date().toISOString(),
        ...(args.detailsUrl !== undefined ? { details_url: args.detailsUrl } : {})
      }
      const first = batches[0] ?? []
      if (existing !== undefined && (existing.output?.annotations_count ?? 0) === 0) {
        const res = await s.call(`updating check run '${args.name}' on commit ${short}`, o =>
          o.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
            ...base,
            check_run_id: existing.id,
            ...fields,
            output: output(first)
          })
        )
        const entry = checkRunEntry.safeParse(res.data)
        written = {
          id: existing.id,
          action: 'updated',
          ...(entry.success && entry.data.html_url ? { url: entry.data.html_url } : {})
        }
      } else {
        const res = await s.call(`creating check run '${args.name}' on commit ${short}`, o =>
          o.request('POST /repos/{owner}/{repo}/check-runs', {
            ...base,
            name: args.name,
            head_sha: args.headSha,
            ...fields,
            output: output(first)
          })
        )
        const entry = checkRunEntry.safeParse(res.data)
        if (!entry.success) {
          throw new GitHubCallError(
            'invalid',
            `GitHub answered an unexpected check run on creating '${args.name}'`
          )
        }
        written = {
          id: entry.data.id,
          action: 'created',
          ...(entry.data.html_url ? { url: entry.data.html_url } : {})
        }
      }
      const id = written.id
      for (const [i, batch] of batches.entries()) {
        if (i === 0) continue
        await s.call(
          `adding annotations ${i * ANNOTATION_BATCH + 1}-${i * ANNOTATION_BATCH + batch.length} to check run '${args.name}'`,
          o =>
            o.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
              ...base,
              check_run_id: id,
              output: output(batch)
            })
        )
      }
      const left = args.annotations.length - sent
      return {
        ...(written.url !== undefined ? { url: written.url } : {}),
        action: written.action,
        annotations: sent,
        ...(left > 0
          ? {
              warning: `The check run '${args.name}' shows the first ${sent} findings; ${left} more are in the job summary and the report file.`
            }
          : {})
      }
    })
  } catch (error) {
    const forbidden = error instanceof GitHubCallError && error.kind === 'permission' && error.status === 403
    const what = written
      ? `The check run '${args.name}' was ${written.action} but not all of its annotations were added`
      : `The check run '${args.name}' could not be written`
    return {
      ...(written?.url !== undefined ? { url: written.url } : {}),
      ...(written ? { action: written.action } : {}),
      warning: `${what}: ${errorMessage(error)}`,
      ...(forbidden && !written ? { forbidden: true } : {})
    }
  }
}
