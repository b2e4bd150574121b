// The review line (docs/rules.md#the-review-record-in-the-comment): the sticky comment's last line records
// what a reviewer saw, as `<!-- custom-object-index-review:{json} -->`. Rendering and reading it are pure (no Octokit here), so the
// comment renderer may import this module statically. A line read back is untrusted input.
import { z } from 'zod'

const PREFIX = '<!-- custom-object-index-review:'
const SUFFIX = ' -->'
/** A comment is at most 65,536 characters; so is its review line (which bounds its objects too). */
export const MAX_REVIEW_LINE = 65_536

const OBJECT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/

const reviewLineSchema = z.strictObject({
  v: z.literal(1),
  headSha: z
    .string()
    .max(64)
    .regex(/^[0-9a-f]*$/, 'a commit SHA in lower-case hex'),
  runId: z
    .string()
    .max(64)
    .regex(/^[0-9A-Za-z_.-]*$/, 'a run id'),
  objects: z.record(
    z.string().regex(OBJECT_ID, 'a custom object id'),
    z.strictObject({
      payloadHash: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex hash'),
      basedOnVersion: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
    })
  )
})

/** What a reviewer saw: the PR head commit, the run, and each live-checked object's payload hash. */
export interface ReviewLine {
  v: 1
  headSha: string
  runId: string
  objects: Record<string, { payloadHash: string; basedOnVersion: number }>
}

/**
 * The comment's last line for `review`. `<`, `>` and `&` are written as JSON escapes, so no value can end
 * the HTML comment early.
 */
export function reviewLine(review: ReviewLine): string {
  const json = JSON.stringify(review).replace(
    /[<>&]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
  return `${PREFIX}${json}${SUFFIX}`
}

/** The last non-blank line of a comment. */
function lastLine(body: string): string {
  const lines = body.replace(/\s+$/, '').split('\n')
  return (lines[lines.length - 1] ?? '').replace(/\r$/, '')
}

/** The review line at the end of a comment's body, or why there is none. */
export function parseReviewLine(body: string): ReviewLine | { problem: string } {
  const line = lastLine(body)
  if (!line.startsWith(PREFIX)) return { problem: 'its last line is not a review line' }
  if (line.length > MAX_REVIEW_LINE) {
    return { problem: `its review line is longer than ${MAX_REVIEW_LINE} characters` }
  }
  if (!line.endsWith(SUFFIX)) return { problem: 'its review line is not closed by -->' }
  let json: unknown
  try {
    json = JSON.parse(line.slice(PREFIX.length, -SUFFIX.length))
  } catch {
    return { problem: 'its review line is not JSON' }
  }
  const parsed = reviewLineSchema.safeParse(json)
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    // The path may hold a key from the line: only plain names are repeated.
    const path = (first?.path ?? []).map(k => (/^[\w-]{1,64}$/.test(String(k)) ? String(k) : '(key)'))
    const where = path.length > 0 ? ` at ${path.join('.')}` : ''
    // Zod's message for unknown keys quotes them: name the problem instead.
    const what = first?.code === 'unrecognized_keys' ? 'unknown keys' : (first?.message ?? 'invalid')
    return { problem: `its review line is malformed${where}: ${what}`.slice(0, 300) }
  }
  return parsed.data
}
