// The plain data every stage of the pipeline passes on: inputs → settings → index files → live schema →
// merged plan → findings → (deploy → rebuild → probe → audit) → report → outputs.
// Types, and the blank result every object's result starts from; no other behaviour lives here.

/** Field types of the schema document (docs/rules.md#the-schema-document). */
export const FIELD_TYPES = ['string', 'number', 'boolean', 'date', 'reference', 'longtext'] as const
export type FieldType = (typeof FIELD_TYPES)[number]

export const CARDINALITY_HINTS = ['low', 'medium', 'high'] as const
export type CardinalityHint = (typeof CARDINALITY_HINTS)[number]

export const SORT_ORDERS = ['asc', 'desc'] as const
export type SortOrder = (typeof SORT_ORDERS)[number]

export const INDEX_STATUSES = ['building', 'active', 'failed'] as const
export type IndexStatus = (typeof INDEX_STATUSES)[number]

/** A field of a live schema document. Keys the action does not know are kept as they came. */
export interface LiveField {
  name: string
  type: FieldType | (string & {})
  maxLength?: number
  referenceTo?: string
  cardinalityHint?: CardinalityHint
  required?: boolean
  [key: string]: unknown
}

/** An index of a live schema document. Keys the action does not know are kept as they came. */
export interface LiveIndex {
  name: string
  fields: string[]
  order?: SortOrder[]
  unique?: boolean
  status?: IndexStatus
  statusReason?: string
  [key: string]: unknown
}

/** The schema document (docs/rules.md#the-schema-document), as GET returns it and PUT takes it back. */
export interface SchemaDocument {
  id: string
  name: string
  description?: string
  schemaVersion: number
  lastUpdated?: string
  selfUri?: string
  fields: LiveField[]
  indexes: LiveIndex[]
  customFields?: unknown
  [key: string]: unknown
}

/** The limits endpoint (docs/rules.md#the-schema-document). */
export interface Limits {
  maxIndexesPerObject: number
  maxFieldsPerIndex: number
  maxJoinDepth: number
  maxIndexableStringLength: number
}

export const DEFAULT_LIMITS: Limits = {
  maxIndexesPerObject: 5,
  maxFieldsPerIndex: 4,
  maxJoinDepth: 2,
  maxIndexableStringLength: 1000
}

/** One index the repository proposes (docs/rules.md#the-index-file-and-merging). */
export interface ProposedIndex {
  name: string
  fields: string[]
  order?: SortOrder[]
  unique?: boolean
}

export type ProbeValue = string | number | boolean

/** A probe the file asks for: a query on the index's fields with these values. */
export interface ProbeSpec {
  index: string
  values: Record<string, ProbeValue>
}

/** Attributes merged into a live field definition. Only these keys are accepted. */
export interface FieldOptimization {
  cardinalityHint?: CardinalityHint
}

/** The index file (docs/rules.md#what-the-file-holds), after validation. */
export interface IndexFile {
  customObjectId?: string
  indexes: ProposedIndex[]
  fieldOptimizations?: Record<string, FieldOptimization>
  prune?: boolean
  probes?: ProbeSpec[]
}

/** A path into a parsed file: keys and array positions, e.g. ['indexes', 0, 'fields', 1]. */
export type NodePath = readonly (string | number)[]

/** An index file read from disk: its path (relative to the workspace), content and line lookup. */
export interface LoadedIndexFile {
  /** Path relative to the workspace, with forward slashes, as annotations want it. */
  path: string
  file: IndexFile
  /** The 1-based line of the node at `path`, or of its nearest ancestor that has one. */
  lineOf(path: NodePath): number | undefined
}

export type Severity = 'error' | 'warning'

export const RULES = [
  'file-invalid',
  'object-id-mismatch',
  'invalid-index-name',
  'duplicate-index-name',
  'duplicate-index-definition',
  'order-length-mismatch',
  'fields-per-index-exceeded',
  'index-limit-exceeded',
  'unknown-field',
  'not-indexable-type',
  'free-text-field',
  'reference-without-target',
  'join-path-invalid',
  'low-selectivity-leading-field',
  'redundant-prefix-index',
  'unmanaged-index',
  'index-dropped',
  'index-modified',
  'probe-full-scan',
  'unique-on-low-cardinality',
  'live-index-failed'
] as const
export type RuleId = (typeof RULES)[number]

/** A finding (docs/rules.md#finding-rules). */
export interface Finding {
  severity: Severity
  rule: RuleId
  customObjectId: string
  index?: string
  field?: string
  message: string
  file?: string
  line?: number
}

/** The structured diff (docs/rules.md#inputs-and-outputs): index names. */
export interface IndexDiff {
  added: string[]
  modified: string[]
  removed: string[]
  unmanaged: string[]
}

/** A schema lookup for join paths: another object's document by id, or undefined when unknown. */
export type SchemaLookup = (customObjectId: string) => SchemaDocument | undefined

export const MODES = ['validate', 'deploy', 'plan', 'publish', 'drift'] as const
export type Mode = (typeof MODES)[number]
/** `unknown`: a write whose answer was lost and whose effect could not be read back; no rebuild was watched. */
export const REBUILD_STATUSES = ['active', 'failed', 'timeout', 'skipped', 'unknown'] as const
export type RebuildStatus = (typeof REBUILD_STATUSES)[number]
export type AuditDelivered = 'true' | 'false' | 'skipped'

/** The `action` of an audit record (docs/rules.md#the-audit-record). */
export const AUDIT_ACTIONS = [
  'INDEX_DEPLOYED',
  'INDEX_DEPLOY_FAILED',
  'INDEX_UNCHANGED',
  'INDEX_ROLLED_BACK'
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

/**
 * How one object's deploy ended: the deploy recipe's outcome. `unknown`: the PUT's answer was lost and the
 * schema could not be read back before the PUT deadline, so whether the write was applied is not known.
 * `stale`: a newer commit on the branch changed the file, so this older one was skipped (`on-stale: skip`):
 * nothing was attempted, nothing is audited.
 */
export const DEPLOY_OUTCOMES = [
  'blocked',
  'unchanged',
  'deployed',
  'failed',
  'rolled-back',
  'unknown',
  'stale'
] as const
export type DeployOutcomeKind = (typeof DEPLOY_OUTCOMES)[number]

/** A query plan: an index by name, or a full scan. */
export interface QueryPlan {
  strategy: 'index' | 'fullScan'
  indexName?: string
}

/** One probe query's outcome. */
export interface ProbeResult {
  index: string
  /** The term fields queried, with their values. */
  values: Record<string, ProbeValue>
  indexUsed: boolean
  /** The index the planner chose, when it used one. */
  indexName?: string
  strategy: 'index' | 'fullScan'
  latencyMs: number
  recordsExamined: number
  /** Values made up from the field types (the file lists no `probes`): they prove the plan, not the data. */
  placeholder?: boolean
  /** The plan predicted once the merged document is live (validate and plan: the "after deploy" column). */
  predicted?: QueryPlan
  /**
   * The query failed: why. A failed probe counts as not having used its index
   * (docs/rules.md#outputs-agree-with-each-other-and-the-audit-record).
   */
  error?: string
}

/** Index states seen on the platform at one moment, for the before/after report. */
export interface IndexState {
  name: string
  fields: string[]
  order?: SortOrder[]
  unique?: boolean
  status?: IndexStatus
  statusReason?: string
}

/** Everything known about one object after a run: the entry of `report` and the input of every renderer. */
export interface ObjectResult {
  customObjectId: string
  /** The object's display name when the live schema was read. */
  objectName?: string
  file: string
  mode: Mode
  /** Whether live checks ran (credentials given and the schema fetched). */
  live: boolean
  findings: Finding[]
  diff: IndexDiff
  /** Unified diff of live vs merged document (pretty canonical JSON, read-only keys left out). */
  textDiff: string
  changed: boolean
  payloadHash?: string
  /** The live `schemaVersion` the merge was based on (after a 409, the version of the last re-merge). */
  basedOnVersion?: number
  /** The version now live as far as this run knows: the one its PUT (or rollback PUT) produced. */
  schemaVersion?: number
  rebuild: { status: RebuildStatus; seconds: number; reason?: string }
  /** Probes after deploy (deploy mode). */
  probes: ProbeResult[]
  /** Probes against today's schema (validate mode, read-only; in deploy mode, the "before" plan). */
  baselineProbes: ProbeResult[]
  indexesBefore: IndexState[]
  indexesAfter: IndexState[]
  audit: AuditDelivered
  /** A fatal error for this object (not a finding): network, auth, rebuild failure. */
  error?: string
  /** Deploy: how it ended, and the audit action that recorded it. */
  outcome?: DeployOutcomeKind
  auditAction?: AuditAction
  /** `on-rebuild-failure: drop-failed`: the failed indexes the rollback PUT removed. */
  rolledBack?: RolledBackIndex[]
  /** Deploy: the comparison with the reviewed payload hash (docs/rules.md#deploy-what-was-reviewed). */
  review?: ReviewCheck
  /** Deploy: a newer commit on the branch changed the file after this run's commit (both commits). */
  stale?: { sha: string; head: string }
  /** The rebuild's size: records the object holds times the indexes a deploy builds. */
  rebuildEstimate?: RebuildEstimate
  /**
   * Drift mode: where the live indexes and the file disagree (docs/rules.md#drift-detection), and whether
   * that is drift.
   */
  drift?: ObjectDrift
  drifted?: boolean
  /**
   * Publish: whose word the entry is. `file-checks-only`: the report came from a fork's run, so its live
   * claims were dropped and only its file checks are shown; `no-report`: an expected object had no report.
   */
  attested?: 'file-checks-only' | 'no-report'
}

/** A result with nothing done yet: the starting point of every object's result. */
export function blankResult(customObjectId: string, file: string, mode: Mode): ObjectResult {
  return {
    customObjectId,
    file,
    mode,
    live: false,
    findings: [],
    diff: { added: [], modified: [], removed: [], unmanaged: [] },
    textDiff: '',
    changed: false,
    rebuild: { status: 'skipped', seconds: 0 },
    probes: [],
    baselineProbes: [],
    indexesBefore: [],
    indexesAfter: [],
    audit: 'skipped'
  }
}

export interface RolledBackIndex {
  index: string
  statusReason: string
}

/** The audit record's `review` (docs/rules.md#deploy-what-was-reviewed). */
export interface ReviewCheck {
  /** The reviewed hash, or null when none was found (or `require-review: off`). */
  payloadHash: string | null
  /** Whether the document sent equals the reviewed one; null when no review was found or under `off`. */
  matched: boolean | null
  /** The pull request the review came from. */
  pullRequest: number | null
}

export interface RebuildEstimate {
  /** Records the object holds (from a full-scan probe's `recordsExamined`, or a count). */
  records: number
  /** Indexes the deploy (re)builds: added plus modified. */
  indexes: number
}

/** One object's drift (docs/rules.md#drift-detection): index names. */
export interface ObjectDrift {
  missing: string[]
  changed: string[]
  failed: string[]
  unmanaged: string[]
}
