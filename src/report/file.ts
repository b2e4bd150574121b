// The report file (docs/rules.md#publishing-reports): every run writes one; `mode: publish` reads them back
// from other jobs, as untrusted input. Version 1. The zod schema below reads it and generates
// schema/report.schema.json.
import { createHash } from 'node:crypto'
import { z } from 'zod'
import {
  AUDIT_ACTIONS,
  DEPLOY_OUTCOMES,
  INDEX_STATUSES,
  MODES,
  type ObjectResult,
  REBUILD_STATUSES,
  RULES,
  SORT_ORDERS
} from '../model.js'
import { isObjectId } from '../github/reviewline.js'
import { clip, oneLine } from './markdown.js'
import { lazy } from '../lazy.js'

export const REPORT_FILE_VERSION = 1
export const MAX_REPORT_FILE_BYTES = 10 * 1024 * 1024
const REPORT_SCHEMA_TITLE = 'Custom-object index report'
const REPORT_DESCRIPTION =
  'The result of one run of custom-object-index-action, one entry per object (the `report` output); ' +
  '`mode: publish` posts these files from other jobs.'

/** Caps: ids, names and paths; messages and server text; list lengths; objects per file. */
const NAME = 1_024
const TEXT = 65_536
const LIST = 100_000
const OBJECTS = 10_000
/** Most issues named when a file is refused, and the longest line for one. */
const MAX_ISSUES = 20
const MAX_ISSUE_LINE = 300

/** A run whose inputs could not be read names its mode `unknown` when the `mode` input was not one. */
export const REPORT_MODES = [...MODES, 'unknown'] as const
export type ReportMode = (typeof REPORT_MODES)[number]

/** The report file's schemas, built on first use: a run reads report files only in `mode: publish`. */
function buildSchemas() {
  const name = z.string().max(NAME)
  const text = z.string().max(TEXT)
  const names = z.array(name).max(LIST)
  const count = z.number().int().nonnegative()
  const hash = z.string().regex(/^[0-9a-f]{64}$/)
  const strategy = z.enum(['index', 'fullScan'])

  const finding = z.strictObject({
    severity: z.enum(['error', 'warning']),
    rule: z.enum(RULES),
    customObjectId: name,
    index: name.optional(),
    field: name.optional(),
    message: text,
    file: name.optional(),
    line: z.number().int().positive().optional()
  })

  const probe = z.strictObject({
    index: name,
    values: z
      .record(name, z.union([text, z.number(), z.boolean()]))
      .refine(v => Object.keys(v).length <= 64, 'at most 64 probe values'),
    indexUsed: z.boolean(),
    indexName: name.optional(),
    strategy,
    latencyMs: z.number().nonnegative(),
    recordsExamined: count,
    placeholder: z.boolean().optional(),
    predicted: z.strictObject({ strategy, indexName: name.optional() }).optional(),
    error: text.optional()
  })

  const indexState = z.strictObject({
    name,
    fields: names,
    order: z.array(z.enum(SORT_ORDERS)).max(LIST).optional(),
    unique: z.boolean().optional(),
    status: z.enum(INDEX_STATUSES).optional(),
    statusReason: text.optional()
  })

  const objectResult = z.strictObject({
    customObjectId: name,
    objectName: name.optional(),
    file: name,
    mode: z.enum(MODES),
    live: z.boolean(),
    findings: z.array(finding).max(LIST),
    diff: z.strictObject({ added: names, modified: names, removed: names, unmanaged: names }),
    textDiff: z.string().max(MAX_REPORT_FILE_BYTES),
    changed: z.boolean(),
    payloadHash: hash.optional(),
    basedOnVersion: count.optional(),
    schemaVersion: count.optional(),
    rebuild: z.strictObject({
      status: z.enum(REBUILD_STATUSES),
      seconds: z.number().nonnegative(),
      reason: text.optional()
    }),
    probes: z.array(probe).max(LIST),
    baselineProbes: z.array(probe).max(LIST),
    indexesBefore: z.array(indexState).max(LIST),
    indexesAfter: z.array(indexState).max(LIST),
    audit: z.enum(['true', 'false', 'skipped']),
    error: text.optional(),
    outcome: z.enum(DEPLOY_OUTCOMES).optional(),
    auditAction: z.enum(AUDIT_ACTIONS).optional(),
    rolledBack: z
      .array(z.strictObject({ index: name, statusReason: text }))
      .max(LIST)
      .optional(),
    review: z
      .strictObject({
        payloadHash: hash.nullable(),
        matched: z.boolean().nullable(),
        pullRequest: z.number().int().positive().nullable()
      })
      .optional(),
    rebuildEstimate: z.strictObject({ records: count, indexes: count }).optional(),
    drift: z.strictObject({ missing: names, changed: names, failed: names, unmanaged: names }).optional(),
    drifted: z.boolean().optional(),
    stale: z
      .strictObject({
        sha: z.string().regex(/^[0-9a-f]{40,64}$/),
        head: z.string().regex(/^[0-9a-f]{40,64}$/)
      })
      .optional(),
    attested: z.enum(['file-checks-only', 'no-report']).optional()
  })

  /** A live-checked entry (one the review line may carry) must name its object by a custom object id. */
  const checkedEntry = objectResult.refine(
    o =>
      (!o.live && o.payloadHash === undefined && o.basedOnVersion === undefined) ||
      isObjectId(o.customObjectId),
    { error: 'a live-checked object must have a custom object id', path: ['customObjectId'] }
  )

  const reportFile = z
    .strictObject({
      version: z.literal(REPORT_FILE_VERSION),
      mode: z.enum(REPORT_MODES),
      commentKey: name,
      repository: name,
      pullRequest: z.number().int().positive().nullable(),
      headSha: z.string().regex(/^[0-9a-f]{0,64}$/),
      runId: z.string().max(64),
      objects: z.array(checkedEntry).max(OBJECTS),
      /** The run could not read its inputs (no object was checked): the input and the problem. */
      error: z.strictObject({ input: name.optional(), message: text }).optional()
    })
    .describe(REPORT_DESCRIPTION)

  return { objectResult, reportFile }
}

/** The report file's schema (built on first use). */
export const reportFileSchema = lazy(() => buildSchemas().reportFile)

// The schema reads exactly the shared ObjectResult type: a compile error here when either one changes alone.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the exact-equality idiom
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
export const _reportSchemaMatchesModel: Same<
  z.infer<ReturnType<typeof buildSchemas>['objectResult']>,
  ObjectResult
> = true

export type ReportFile = z.infer<ReturnType<typeof reportFileSchema>>

/** The run a report file describes (docs/rules.md#publishing-reports). */
export interface ReportMeta {
  mode: ReportMode
  commentKey: string
  /** `owner/name`. */
  repository: string
  pullRequest: number | null
  /** Validate: the PR's head SHA; other modes: GITHUB_SHA. */
  headSha: string
  runId: string
  /** Set when the run could not read its inputs (then no object was checked). */
  error?: { input?: string; message: string }
}

/** The report file's text: version-1 JSON, 2-space indented, with a trailing newline. */
export function buildReportFile(meta: ReportMeta, objects: readonly ObjectResult[]): string {
  const file: ReportFile = { version: REPORT_FILE_VERSION, ...meta, objects: [...objects] }
  return `${JSON.stringify(file, null, 2)}\n`
}

/**
 * The report file's name, unique per job: two jobs of one workflow run (a matrix) never write the same one.
 * It carries the comment key, the run id and attempt, and a short hash of the objects the report holds.
 */
export function reportFileName(
  commentKey: string,
  source: { runId: string; runAttempt: string },
  results: readonly ObjectResult[]
): string {
  const objects = results.map(r => `${r.customObjectId}\u0000${r.file}`).sort()
  const hash = createHash('sha256').update(objects.join('\n')).digest('hex').slice(0, 12)
  const runId = /^[0-9A-Za-z_-]{1,64}$/.test(source.runId) ? source.runId : `local${process.pid}`
  const attempt = /^[0-9]{1,10}$/.test(source.runAttempt) ? source.runAttempt : '1'
  return `custom-object-index-${commentKey}-${runId}-${attempt}-${hash}.json`
}

/**
 * Reads a report file from another job (untrusted): refuses, naming the file, anything larger than 10 MiB,
 * not JSON, of another version, or breaking the schema (unknown keys included), one line per issue.
 */
export function parseReportFile(text: string, name: string): ReportFile {
  const file = `Report file ${JSON.stringify(clip(oneLine(name), 300))}`
  if (Buffer.byteLength(text, 'utf8') > MAX_REPORT_FILE_BYTES) {
    throw new Error(`${file} is larger than 10 MiB: it is not read.`)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    throw new Error(`${file} is not JSON.`)
  }
  const version =
    typeof data === 'object' && data !== null ? (data as { version?: unknown }).version : undefined
  if (version !== REPORT_FILE_VERSION) {
    const found = clip(JSON.stringify(version) ?? 'none', 40)
    throw new Error(`${file} has format version ${found}; this action reads version ${REPORT_FILE_VERSION}.`)
  }
  const parsed = reportFileSchema().safeParse(data)
  if (parsed.success) return parsed.data
  // z.prettifyError writes "✖ message" then "  → at path" for each issue: one line each here.
  const issues = z
    .prettifyError(parsed.error)
    .split(/\n(?=✖)/)
    .map(issue => clip(oneLine(issue).replace(/\s+/g, ' ').trim(), MAX_ISSUE_LINE))
  const more = issues.length > MAX_ISSUES ? [`… ${issues.length - MAX_ISSUES} more issues`] : []
  throw new Error(`${file} is not a valid report:\n${[...issues.slice(0, MAX_ISSUES), ...more].join('\n')}`)
}

/** The JSON Schema of the report file (written to schema/report.schema.json). */
export function reportFileJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(reportFileSchema(), { target: 'draft-2020-12' }) as Record<string, unknown>
  const { $schema, ...rest } = generated
  return { $schema, title: REPORT_SCHEMA_TITLE, ...rest, description: REPORT_DESCRIPTION }
}
