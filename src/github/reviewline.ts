// The review line (docs/rules.md#the-review-record-in-the-comment): the sticky comment's last line records
// what a reviewer saw, as `<!-- custom-object-index-review:{json} -->`. Rendering and reading it are pure (no Octokit here), so the
// comment renderer may import this module statically. A line read back is untrusted input.
import { z } from 'zod'
import { lazy } from '../lazy.js'

const PREFIX = '<!-- custom-object-index-review:'
const SUFFIX = ' -->'
/** A comment is at most 65,536 characters; so is its review line (which bounds its objects too). */
export const MAX_REVIEW_LINE = 65_536

const OBJECT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/

/** Whether `id` is a custom object id as the review line keys them (letters, digits, '-' and '_'). */
export function isObjectId(id: string): boolean {
  return OBJECT_ID.test(id)
}

/**
 * The review line's share of the sticky comment: past it, the line holds the objects that fit and says in
 * how many review-only comments (`continued`) the others are, so the comment keeps its verdict and footer.
 */
export const MAIN_REVIEW_BUDGET = 16_384
/** A continuation comment's review line: its body (marker, a sentence, the line) stays under 65,536. */
export const CONTINUATION_BUDGET = 64_000
/** The most continuation comments one review may take (far more than 2,000 objects need). */
export const MAX_CONTINUATIONS = 100

/** Built on first use: only a run that reads its sticky comment back parses a review line. */
const reviewLineSchema = lazy(() =>
  z.strictObject({
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
    ),
    continued: z.number().int().min(1).max(MAX_CONTINUATIONS).optional()
  })
)

/** What a reviewer saw: the PR head commit, the run, and each live-checked object's payload hash. */
export interface ReviewLine {
  v: 1
  headSha: string
  runId: string
  objects: Record<string, { payloadHash: string; basedOnVersion: number }>
  /** How many review-only comments hold the objects this line has no room for (absent: none). */
  continued?: number
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
  const parsed = reviewLineSchema().safeParse(json)
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

/** The first line of a continuation comment: part `n` (from 1) of the review of `key`'s sticky comment. */
export function continuationMarker(key: string, n: number): string {
  return `${PREFIX}${key}:${n}${SUFFIX}`
}

/** Whether a first line is a continuation marker of `key`; its part number when it is. */
export function continuationPart(key: string, line: string): number | undefined {
  const head = `${PREFIX}${key}:`
  if (!line.startsWith(head) || !line.endsWith(SUFFIX)) return undefined
  const n = line.slice(head.length, -SUFFIX.length)
  return /^[1-9]\d{0,2}$/.test(n) ? Number(n) : undefined
}

/** A continuation comment's body: its marker, a sentence for people, and its review line last. */
export function continuationBody(key: string, n: number, of: number, line: string): string {
  return (
    `${continuationMarker(key, n)}\n` +
    `_The review record of the comment above continues here (part ${n} of ${of}): a deploy reads it. ` +
    `It is rewritten on every run; please leave it._\n\n${line}`
  )
}

export interface SplitReview {
  /** The sticky comment's review line. */
  main: string
  /** The review lines of the continuation comments, part 1 first. */
  continuations: string[]
}

/**
 * The review as one line when it fits in `mainBudget`; else the main line holds the objects that fit and
 * `continued: k`, and k continuation lines of at most `partBudget` characters hold the rest, in order.
 */
export function splitReview(
  review: ReviewLine,
  mainBudget = MAIN_REVIEW_BUDGET,
  partBudget = CONTINUATION_BUDGET
): SplitReview {
  const whole = reviewLine(review)
  if (whole.length <= mainBudget) return { main: whole, continuations: [] }
  const { continued: _ignored, ...base } = review
  const entries = Object.entries(review.objects)
  // The room an object takes in a line: `"id":{...},` (ids and hashes need no escaping).
  const size = ([id, o]: (typeof entries)[number]): number => JSON.stringify({ [id]: o }).length - 1
  const chunks: (typeof entries)[] = []
  let chunk: typeof entries = []
  // The main line's frame also carries `,"continued":NNN`.
  let room = mainBudget - reviewLine({ ...base, objects: {}, continued: MAX_CONTINUATIONS }).length
  const frame = reviewLine({ ...base, objects: {} }).length
  for (const entry of entries) {
    if (size(entry) > room && (chunk.length > 0 || chunks.length === 0)) {
      chunks.push(chunk)
      chunk = []
      room = partBudget - frame
    }
    chunk.push(entry)
    room -= size(entry)
  }
  chunks.push(chunk)
  const [first = [], ...rest] = chunks
  const line = (objects: typeof entries, continued?: number): string =>
    reviewLine({
      ...base,
      objects: Object.fromEntries(objects),
      ...(continued !== undefined ? { continued } : {})
    })
  return {
    main: line(first, rest.length > 0 ? rest.length : undefined),
    continuations: rest.map(c => line(c))
  }
}
