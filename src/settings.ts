// Every input read, validated and typed once. Each error names the input and the format it expected.
import type { Mode } from './model.js'
import { regionDomain } from './platform/regions.js'
import { redactUrl } from './redact.js'
import { errorMessage } from './errors.js'

export const MODE_INPUTS = ['auto', 'validate', 'deploy', 'plan', 'publish', 'drift'] as const
export type ModeInput = (typeof MODE_INPUTS)[number]

export const FAIL_ON = ['error', 'warning', 'never'] as const
export type FailOn = (typeof FAIL_ON)[number]

export const ON_REBUILD_FAILURE = ['keep', 'drop-failed'] as const
export type OnRebuildFailure = (typeof ON_REBUILD_FAILURE)[number]

export const CHECK_RUN = ['auto', 'true', 'false'] as const
export type CheckRun = (typeof CHECK_RUN)[number]

/** Most object ids `expected-objects` may name (plan's matrix holds at most 256 entries of many objects). */
export const MAX_EXPECTED_OBJECTS = 10_000

export const REQUIRE_REVIEW = ['off', 'warn', 'fail'] as const
export type RequireReview = (typeof REQUIRE_REVIEW)[number]

/** What a deploy does with an object whose file a newer commit on the branch changed. */
export const ON_STALE = ['skip', 'fail', 'warn'] as const
export type OnStale = (typeof ON_STALE)[number]

/** `reviewed-payload-hash`: one hash (for a run of one object), or a hash per object id. */
export type ReviewedHashes =
  { kind: 'one'; hash: string } | { kind: 'per-object'; hashes: Record<string, string> }

export const CHANGED_ONLY = ['auto', 'true', 'false'] as const
export type ChangedOnly = (typeof CHANGED_ONLY)[number]

/** GitHub refuses a matrix of more jobs than this; `max-jobs` defaults to it and may only lower it. */
export const MAX_MATRIX_JOBS = 256

/**
 * Every input's default, once, by input name: the settings reader, the pipeline's own defaults and action.yml
 * (checked by a test) all take them from here. Inputs left out default to empty.
 */
export const DEFAULTS = {
  mode: 'auto',
  region: 'mypurecloud.com',
  comment: true,
  'comment-key': 'default',
  'fail-on': 'error',
  'rebuild-timeout-seconds': 300,
  probe: true,
  'audit-required': false,
  'on-rebuild-failure': 'keep',
  'require-review': 'warn',
  'on-stale': 'skip',
  'check-run': 'auto',
  'changed-only': 'auto',
  'max-jobs': 256,
  'drift-issue': false,
  'fail-on-drift': false
} as const satisfies Record<string, string | number | boolean>

/** Events on which `mode: auto` deploys (push only to the default branch). */
export const DEPLOY_EVENTS = ['push', 'workflow_dispatch'] as const

/** The action's inputs, typed. */
export interface Settings {
  /** Path or glob (several lines allowed) of index files, relative to the workspace ('' in publish). */
  indexFile: string
  /** The object id for files without one. */
  customObjectId?: string
  /** The mode that runs, after `auto` was resolved. */
  mode: Mode
  /** What the `mode` input said. */
  modeInput: ModeInput
  region: string
  apiUrl?: string
  loginUrl?: string
  /** Both or neither: without them, validate runs the file-only checks. */
  credentials?: { clientId: string; clientSecret: string }
  githubToken?: string
  comment: boolean
  commentKey: string
  failOn: FailOn
  rebuildTimeoutSeconds: number
  probe: boolean
  warehouseUrl?: string
  warehouseSecret?: string
  auditRequired: boolean
  /** An org policy limit below the platform's. */
  maxIndexes?: number
  /** What a deploy does when an index rebuild fails (docs/rules.md#a-failed-rebuild). */
  onRebuildFailure: OnRebuildFailure
  /** Deploy what was reviewed (docs/rules.md#deploy-what-was-reviewed). */
  requireReview: RequireReview
  reviewedPayloadHash?: ReviewedHashes
  /** An older commit never undoes a newer one: `skip`, `fail` or `warn` a deploy a newer commit overtook. */
  onStale: OnStale
  /** Publish (docs/rules.md#publishing-reports): glob of report files, and the PR to comment on. */
  reportFiles?: string
  pullRequest?: number
  /** Publish: the object ids plan's `objects` output listed; each needs a report. */
  expectedObjects?: string[]
  /** One check run per head commit and comment key (validate, publish): `auto` turns off on a 403. */
  checkRun: CheckRun
  /** Drift (docs/rules.md#drift-detection). */
  driftIssue: boolean
  failOnDrift: boolean
  /** Only the changed index files (validate, plan, deploy): `auto` falls back to all, `true` requires the list. */
  changedOnly: ChangedOnly
  /** Plan: the most matrix entries; more objects share entries. */
  maxJobs: number
  /** GITHUB_WORKSPACE, or the working directory. */
  workspace: string
}

/** What the runner tells about the event (GITHUB_EVENT_NAME, GITHUB_REF, the event payload). */
export interface EventInfo {
  name: string
  ref: string
  /** The repository's default branch from the event payload, when the payload has one. */
  defaultBranch?: string
}

/** An input that cannot be read. `input` names it (taken from the message's "Input 'name'" when not given). */
export class SettingsError extends Error {
  readonly input?: string
  constructor(message: string, input?: string) {
    super(message)
    this.name = 'SettingsError'
    const named = input ?? /^Input '([a-z-]+)'/.exec(message)?.[1]
    if (named !== undefined) this.input = named
  }
}

export type InputReader = (name: string) => string

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const v = value.trim().toLowerCase()
  if ((allowed as readonly string[]).includes(v)) return v as T
  throw new SettingsError(
    `Input '${name}' must be one of ${allowed.map(a => `'${a}'`).join(', ')}; got '${value.trim()}'.`
  )
}

function bool(name: string, value: string, fallback: boolean): boolean {
  const v = value.trim().toLowerCase()
  if (v === '') return fallback
  if (['true', 'yes', 'on', '1'].includes(v)) return true
  if (['false', 'no', 'off', '0'].includes(v)) return false
  throw new SettingsError(`Input '${name}' must be 'true' or 'false'; got '${value.trim()}'.`)
}

function positiveInt(name: string, value: string, max: number): number {
  const v = value.trim()
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) {
    throw new SettingsError(`Input '${name}' must be a whole number from 1 to ${max}; got '${v}'.`)
  }
  return Number(v)
}

/** A URL input as it may be quoted in an error: never its user-info, capped. */
function shownUrl(value: string): string {
  const safe = redactUrl(value)
  return safe.length > 200 ? `${safe.slice(0, 200)}…` : safe
}

function url(name: string, value: string): string | undefined {
  const v = value.trim()
  if (v === '') return undefined
  let parsed: URL
  try {
    parsed = new URL(v)
  } catch {
    throw new SettingsError(`Input '${name}' must be an absolute http(s) URL; got '${shownUrl(v)}'.`)
  }
  if (parsed.username || parsed.password) {
    throw new SettingsError(
      `Input '${name}' must not carry credentials in the URL (${shownUrl(v)}): give them through their own inputs.`
    )
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new SettingsError(`Input '${name}' must be an http(s) URL; got '${shownUrl(v)}'.`)
  }
  return v.replace(/\/+$/, '')
}

/**
 * `auto` → validate on pull requests and merge queues (`merge_group`: the queue's head commit), deploy on push to
 * the default branch and workflow_dispatch, publish on workflow_run, drift on schedule. `pull_request_target` is
 * refused: it runs with the base repository's secrets on the base branch's checkout, so an automatic choice
 * would either check the wrong files or, with the PR's head checked out, run untrusted changes with secrets.
 */
export function resolveMode(input: ModeInput, event: EventInfo): Mode {
  if (input !== 'auto') return input
  if (event.name === 'pull_request_target') {
    throw new SettingsError(
      "Input 'mode' is 'auto' on a 'pull_request_target' event, which it refuses: that event runs with the " +
        "base repository's secrets and a write token on the base branch's checkout, so 'auto' would validate " +
        "the base branch's index files, not the pull request's. Trigger the check on 'pull_request' (fork pull " +
        "requests: the fork-safe set-up, 'pull_request' without secrets plus 'workflow_run' with " +
        "'mode: publish'), or set 'mode: validate' if this job checks out the pull request's files on purpose."
    )
  }
  if (event.name === 'workflow_dispatch') return 'deploy'
  if (event.name === 'workflow_run') return 'publish'
  if (event.name === 'schedule') return 'drift'
  if (event.name === 'push') {
    // A push to another branch (or a tag) only validates: deploys come from the default branch.
    if (event.defaultBranch === undefined) return 'deploy'
    return event.ref === `refs/heads/${event.defaultBranch}` ? 'deploy' : 'validate'
  }
  // pull_request, merge_group (the queue's head commit), and any other event.
  return 'validate'
}

const OBJECT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/
/** What `comment-key` accepts: it goes into file names and markers. */
export const COMMENT_KEY = /^[A-Za-z0-9._-]{1,64}$/
const SHA256_HEX = /^[0-9a-f]{64}$/

function reviewedHashes(value: string): ReviewedHashes | undefined {
  const v = value.trim()
  if (v === '') return undefined
  const expected =
    "Input 'reviewed-payload-hash' must be a SHA-256 hex hash (64 characters 0-9a-f), or a JSON object " +
    'mapping each custom object id to one'
  if (!v.startsWith('{')) {
    if (!SHA256_HEX.test(v.toLowerCase())) throw new SettingsError(`${expected}; got '${v.slice(0, 80)}'.`)
    return { kind: 'one', hash: v.toLowerCase() }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(v)
  } catch {
    throw new SettingsError(`${expected}; the value starts with '{' but is not JSON.`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SettingsError(`${expected}.`)
  }
  const hashes: Record<string, string> = {}
  for (const [id, hash] of Object.entries(parsed)) {
    if (!OBJECT_ID.test(id) || typeof hash !== 'string' || !SHA256_HEX.test(hash.toLowerCase())) {
      throw new SettingsError(
        `${expected}; the entry for '${id.slice(0, 80)}' is not an object id and a hash.`
      )
    }
    Object.defineProperty(hashes, id, { value: hash.toLowerCase(), enumerable: true })
  }
  return { kind: 'per-object', hashes }
}

function readModeInput(getInput: InputReader): ModeInput {
  return oneOf('mode', getInput('mode') || DEFAULTS.mode, MODE_INPUTS)
}

/** The mode that would run, or undefined when the `mode` input is not one: for the result of a run whose
 * other inputs could not be read. */
export function modeAsGiven(getInput: InputReader, event: EventInfo): Mode | undefined {
  try {
    return resolveMode(readModeInput(getInput), event)
  } catch {
    return undefined
  }
}

function expectedObjects(value: string): string[] | undefined {
  const v = value.trim()
  if (v === '') return undefined
  const expected =
    "Input 'expected-objects' must be a JSON array of custom object ids (plan's `objects` output)"
  let parsed: unknown
  try {
    parsed = JSON.parse(v)
  } catch {
    throw new SettingsError(`${expected}; got '${v.slice(0, 80)}'.`)
  }
  if (!Array.isArray(parsed)) throw new SettingsError(`${expected}; got '${v.slice(0, 80)}'.`)
  if (parsed.length > MAX_EXPECTED_OBJECTS) {
    throw new SettingsError(`${expected}, of at most ${MAX_EXPECTED_OBJECTS}; it has ${parsed.length}.`)
  }
  const ids = new Set<string>()
  for (const id of parsed) {
    if (typeof id !== 'string' || !OBJECT_ID.test(id)) {
      throw new SettingsError(`${expected}; '${String(id).slice(0, 80)}' is not a custom object id.`)
    }
    ids.add(id)
  }
  return [...ids]
}

/**
 * Reads every input once. `getInput` returns '' for an input not given (as `core.getInput` does).
 * Throws SettingsError naming the input on any bad value.
 */
export function readSettings(getInput: InputReader, event: EventInfo, workspace: string): Settings {
  const modeInput = readModeInput(getInput)
  const mode = resolveMode(modeInput, event)
  const indexFile = getInput('index-file').trim()
  if (indexFile === '' && mode !== 'publish') {
    throw new SettingsError(
      "Input 'index-file' is required: a path or glob of index files relative to the workspace."
    )
  }
  const reportFiles = getInput('report-files').trim() || undefined
  if (reportFiles === undefined && mode === 'publish') {
    throw new SettingsError(
      "Input 'report-files' is required in publish mode: a path or glob of the report files to publish."
    )
  }
  const pullRequestRaw = getInput('pull-request').trim()
  const customObjectId = getInput('custom-object-id').trim() || undefined
  if (customObjectId !== undefined && !OBJECT_ID.test(customObjectId)) {
    throw new SettingsError(
      `Input 'custom-object-id' must be a custom object id (letters, digits, '-' and '_'); got '${customObjectId}'.`
    )
  }
  const region = (getInput('region') || DEFAULTS.region).trim()
  try {
    // A closed list (docs/rules.md#regions-are-a-closed-list): checked here, before any request, even when
    // api-url and login-url are both given.
    regionDomain(region)
  } catch (error) {
    throw new SettingsError(`Input 'region': ${errorMessage(error)}`)
  }
  const clientId = getInput('client-id').trim()
  const clientSecret = getInput('client-secret').trim()
  if ((clientId === '') !== (clientSecret === '')) {
    throw new SettingsError(
      clientId === ''
        ? "Input 'client-secret' is set but 'client-id' is empty: give both, or neither for file-only checks."
        : "Input 'client-id' is set but 'client-secret' is empty: give both, or neither for file-only checks.",
      clientId === '' ? 'client-id' : 'client-secret'
    )
  }
  const maxIndexesRaw = getInput('max-indexes').trim()
  const warehouseSecret = getInput('warehouse-secret').trim() || undefined
  const warehouseUrl = url('warehouse-url', getInput('warehouse-url'))
  const commentKey = (getInput('comment-key') || DEFAULTS['comment-key']).trim()
  if (!COMMENT_KEY.test(commentKey)) {
    throw new SettingsError(
      `Input 'comment-key' must be 1 to 64 letters, digits, '.', '_' or '-'; got '${commentKey}'.`
    )
  }
  const settings: Settings = {
    indexFile,
    customObjectId,
    modeInput,
    mode,
    region,
    apiUrl: url('api-url', getInput('api-url')),
    loginUrl: url('login-url', getInput('login-url')),
    credentials: clientId === '' ? undefined : { clientId, clientSecret },
    githubToken: getInput('github-token').trim() || undefined,
    comment: bool('comment', getInput('comment'), DEFAULTS.comment),
    commentKey,
    failOn: oneOf('fail-on', getInput('fail-on') || DEFAULTS['fail-on'], FAIL_ON),
    rebuildTimeoutSeconds: positiveInt(
      'rebuild-timeout-seconds',
      getInput('rebuild-timeout-seconds') || String(DEFAULTS['rebuild-timeout-seconds']),
      21_600
    ),
    probe: bool('probe', getInput('probe'), DEFAULTS.probe),
    warehouseUrl,
    warehouseSecret,
    auditRequired: bool('audit-required', getInput('audit-required'), DEFAULTS['audit-required']),
    maxIndexes: maxIndexesRaw === '' ? undefined : positiveInt('max-indexes', maxIndexesRaw, 1000),
    onRebuildFailure: oneOf(
      'on-rebuild-failure',
      getInput('on-rebuild-failure') || DEFAULTS['on-rebuild-failure'],
      ON_REBUILD_FAILURE
    ),
    requireReview: oneOf(
      'require-review',
      getInput('require-review') || DEFAULTS['require-review'],
      REQUIRE_REVIEW
    ),
    reviewedPayloadHash: reviewedHashes(getInput('reviewed-payload-hash')),
    onStale: oneOf('on-stale', getInput('on-stale') || DEFAULTS['on-stale'], ON_STALE),
    reportFiles,
    pullRequest:
      pullRequestRaw === '' ? undefined : positiveInt('pull-request', pullRequestRaw, 2_147_483_647),
    expectedObjects: expectedObjects(getInput('expected-objects')),
    checkRun: oneOf('check-run', getInput('check-run') || DEFAULTS['check-run'], CHECK_RUN),
    driftIssue: bool('drift-issue', getInput('drift-issue'), DEFAULTS['drift-issue']),
    failOnDrift: bool('fail-on-drift', getInput('fail-on-drift'), DEFAULTS['fail-on-drift']),
    changedOnly: oneOf('changed-only', getInput('changed-only') || DEFAULTS['changed-only'], CHANGED_ONLY),
    maxJobs: positiveInt('max-jobs', getInput('max-jobs') || String(DEFAULTS['max-jobs']), MAX_MATRIX_JOBS),
    workspace
  }
  if (settings.auditRequired && warehouseUrl === undefined && settings.mode === 'deploy') {
    throw new SettingsError(
      "Input 'audit-required' is true but 'warehouse-url' is empty: say where the audit goes."
    )
  }
  return settings
}

/** The settings as they may be logged: secrets replaced. */
export function describeSettings(s: Settings): Record<string, unknown> {
  return {
    ...s,
    credentials: s.credentials ? { clientId: s.credentials.clientId, clientSecret: '***' } : undefined,
    githubToken: s.githubToken ? '***' : undefined,
    warehouseSecret: s.warehouseSecret ? '***' : undefined
  }
}
