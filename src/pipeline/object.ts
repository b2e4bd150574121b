// One object through the pipeline: index file → live schema → merged plan → findings →
// (deploy → rebuild → probe → audit). Never throws: a fatal problem lands in `ObjectResult.error`.
//
// Offline (no credentials): the file-only checks with the platform's default limits; the diff stays empty
// because nothing is known about the live schema, and no payload hash is computed.
// Validate: live checks plus the baseline probes (read-only: today's access path for the queries a deploy
// would probe). Plan: live checks only. Deploy: PUT with the based-on version, 409 → re-merge and retry,
// a lost answer → GET and compare payload hashes; then the rebuild wait, the probes and the audit record.
import { randomUUID } from 'node:crypto'
import { errorDetail, errorMessage } from '../errors.js'
import type { Logger } from '../log.js'
import type {
  Finding,
  IndexDiff,
  IndexState,
  Limits,
  LoadedIndexFile,
  Mode,
  ObjectResult,
  ProbeResult,
  SchemaDocument,
  SchemaLookup
} from '../model.js'
import { DEFAULT_LIMITS } from '../model.js'
import { textDiff } from '../plan/diff.js'
import { payloadDocument, payloadHash } from '../plan/hash.js'
import { mergeIndexFile } from '../plan/merge.js'
import { planProbes, type PlannedProbe } from '../plan/probes.js'
import { checkFile, checkMerged, missingSchemas } from '../plan/rules.js'
import type { GatewayClient } from '../platform/gateway.js'
import { PlatformError } from '../platform/http.js'
import { runProbe, usedItsIndex } from '../platform/probe.js'
import { waitForRebuild } from '../platform/rebuild.js'
import type { AuditSink } from '../audit/deliver.js'
import { buildAuditRecord, type AuditAction, type AuditSource } from '../audit/record.js'

export interface ObjectJob {
  loaded: LoadedIndexFile
  /** Resolved from the file or the `custom-object-id` input (mismatch already reported by the caller). */
  customObjectId: string
  mode: Mode
}

/** Where audit records go (deploy mode). */
export interface AuditSettings {
  sink: AuditSink
  /** A record that cannot be delivered fails the object (`audit-required`). */
  required: boolean
  source: AuditSource
}

/** What one run shares across its objects: the limits and other objects' schemas, fetched once. */
export interface RunCache {
  limits?: Promise<Limits>
  schemas: Map<string, Promise<SchemaDocument | undefined>>
}

export interface PipelineContext {
  log: Logger
  /** Absent: no credentials, run the file-only checks. */
  live?: GatewayClient
  /** The `max-indexes` input: an org policy limit below the platform's. */
  maxIndexes?: number
  /** Default 300. */
  rebuildTimeoutSeconds?: number
  /** Run probe queries (default true). */
  probe?: boolean
  /** Absent: audit 'skipped'. */
  audit?: AuditSettings
  /** Created on first use when absent. */
  cache?: RunCache
  /** PUT attempts after a 409 conflict (default 3). */
  maxConflictRetries?: number
  /** Rebuild poll tuning (tests). */
  rebuildFirstPollMs?: number
  rebuildMaxPollMs?: number
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  eventId?: () => string
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

function states(doc: SchemaDocument): IndexState[] {
  return doc.indexes.map(i => ({
    name: i.name,
    fields: [...i.fields],
    ...(i.status !== undefined ? { status: i.status } : {}),
    ...(i.statusReason !== undefined ? { statusReason: i.statusReason } : {})
  }))
}

function lowered(limits: Limits, maxIndexes: number | undefined): Limits {
  if (maxIndexes === undefined || maxIndexes >= limits.maxIndexesPerObject) return limits
  return { ...limits, maxIndexesPerObject: maxIndexes }
}

const caches = new WeakMap<PipelineContext, RunCache>()
function cacheOf(ctx: PipelineContext): RunCache {
  if (ctx.cache) return ctx.cache
  let c = caches.get(ctx)
  if (!c) {
    c = { schemas: new Map() }
    caches.set(ctx, c)
  }
  return c
}

/** The merged plan of one object against one live document. */
interface Plan {
  live: SchemaDocument
  merged: SchemaDocument
  diff: IndexDiff
  findings: Finding[]
  hash: string
  changed: boolean
  lookup: SchemaLookup
}

export async function processObject(ctx: PipelineContext, job: ObjectJob): Promise<ObjectResult> {
  const result = blankResult(job.customObjectId, job.loaded.path, job.mode)
  try {
    if (!ctx.live) {
      offline(ctx, job, result)
      return result
    }
    await online(ctx, ctx.live, job, result)
  } catch (error) {
    result.error = errorMessage(error)
    ctx.log.debug(errorDetail(error))
  }
  return result
}

function offline(ctx: PipelineContext, job: ObjectJob, result: ObjectResult): void {
  result.findings = checkFile(job.loaded, job.customObjectId, lowered(DEFAULT_LIMITS, ctx.maxIndexes))
  // The proposal as the file states it: nothing is known about live, so no statuses and no diff.
  result.indexesAfter = job.loaded.file.indexes.map(i => ({ name: i.name, fields: [...i.fields] }))
  if (job.mode === 'deploy') {
    result.error =
      'Deploy needs the client-id and client-secret inputs: without credentials only the file-only checks ran.'
  }
}

async function fetchOthers(
  ctx: PipelineContext,
  gateway: GatewayClient,
  selfId: string,
  merged: SchemaDocument,
  limits: Limits,
  /** Only the file's indexes: live indexes it does not manage are not the repository's to check. */
  indexNames: readonly string[]
): Promise<SchemaLookup> {
  const cache = cacheOf(ctx)
  const known = new Map<string, SchemaDocument | undefined>()
  const lookup: SchemaLookup = id => (id === selfId ? merged : known.get(id))
  const tried = new Set<string>()
  for (;;) {
    const missing = missingSchemas(merged, lookup, limits, indexNames).filter(
      id => !tried.has(id) && id !== selfId
    )
    if (missing.length === 0) return lookup
    for (const id of missing) tried.add(id)
    const docs = await Promise.all(
      missing.map(id => {
        let p = cache.schemas.get(id)
        if (!p) {
          p = gateway.getSchema(id).catch((error: unknown) => {
            if (error instanceof PlatformError && error.status === 404) return undefined
            throw error
          })
          cache.schemas.set(id, p)
        }
        return p
      })
    )
    missing.forEach((id, i) => known.set(id, docs[i]))
  }
}

async function makePlan(
  ctx: PipelineContext,
  gateway: GatewayClient,
  job: ObjectJob,
  live: SchemaDocument,
  limits: Limits
): Promise<Plan> {
  const { document: merged, diff } = mergeIndexFile(live, job.loaded.file)
  const lookup = await fetchOthers(
    ctx,
    gateway,
    job.customObjectId,
    merged,
    limits,
    job.loaded.file.indexes.map(i => i.name)
  )
  const findings = [
    ...checkFile(job.loaded, job.customObjectId, limits),
    ...checkMerged({
      loaded: job.loaded,
      customObjectId: job.customObjectId,
      live,
      merged,
      diff,
      limits,
      lookup
    })
  ]
  const hash = payloadHash(merged)
  return { live, merged, diff, findings, hash, changed: hash !== payloadHash(live), lookup }
}

function applyPlan(result: ObjectResult, plan: Plan): void {
  result.findings = plan.findings
  result.diff = plan.diff
  result.textDiff = textDiff(plan.live, plan.merged)
  result.payloadHash = plan.hash
  result.changed = plan.changed
  result.basedOnVersion = plan.live.schemaVersion
  result.schemaVersion = plan.live.schemaVersion
  result.indexesBefore = states(plan.live)
}

async function online(
  ctx: PipelineContext,
  gateway: GatewayClient,
  job: ObjectJob,
  result: ObjectResult
): Promise<void> {
  const cache = cacheOf(ctx)
  cache.limits ??= gateway.getLimits()
  const limits = lowered(await cache.limits, ctx.maxIndexes)
  const live = await gateway.getSchema(job.customObjectId)
  result.live = true
  result.objectName = live.name
  let plan = await makePlan(ctx, gateway, job, live, limits)
  applyPlan(result, plan)
  // Before a deploy, the "after" is the proposal; a deploy replaces it with what the platform shows.
  result.indexesAfter = states(plan.merged)
  const probing = ctx.probe ?? true

  if (job.mode === 'plan') return
  if (job.mode === 'validate') {
    const clean = !plan.findings.some(f => f.severity === 'error')
    if (probing && clean) result.baselineProbes = await probeAll(ctx, gateway, job, plannedProbes(job, plan))
    return
  }

  // Deploy.
  const blocking = plan.findings.filter(f => f.severity === 'error').length
  if (blocking > 0) {
    ctx.log.info(`${job.customObjectId}: ${blocking} error finding(s) block the deploy; nothing was sent.`)
    result.indexesAfter = states(live)
    await audit(ctx, result, 'INDEX_DEPLOY_FAILED')
    return
  }
  if (!plan.changed) {
    ctx.log.info(`${job.customObjectId}: the live schema already matches the index file; no PUT.`)
    result.indexesAfter = states(live)
    await audit(ctx, result, 'INDEX_UNCHANGED')
    return
  }
  if (probing) result.baselineProbes = await probeAll(ctx, gateway, job, plannedProbes(job, plan))

  let deployed: SchemaDocument
  try {
    const outcome = await put(ctx, gateway, job, plan, limits)
    plan = outcome.plan
    deployed = outcome.deployed
    applyPlan(result, plan)
    result.changed = true
    result.schemaVersion = deployed.schemaVersion
    result.indexesAfter = states(deployed)
  } catch (error) {
    // Re-validation after a conflict found errors: the findings say why, nothing was sent.
    if (error instanceof BlockedError) applyPlan(result, error.plan)
    else result.error = errorMessage(error)
    await audit(ctx, result, 'INDEX_DEPLOY_FAILED')
    return
  }

  const rebuild = await waitForRebuild({
    gateway,
    customObjectId: job.customObjectId,
    deployedVersion: deployed.schemaVersion,
    initial: deployed,
    timeoutSeconds: ctx.rebuildTimeoutSeconds ?? 300,
    firstPollMs: ctx.rebuildFirstPollMs,
    maxPollMs: ctx.rebuildMaxPollMs,
    now: ctx.now,
    sleep: ctx.sleep
  })
  result.rebuild = {
    status: rebuild.status,
    seconds: rebuild.seconds,
    ...(rebuild.reason ? { reason: rebuild.reason } : {})
  }
  const final = rebuild.document ?? deployed
  result.indexesAfter = states(final)
  // schemaVersion stays the version this run's PUT produced, even when another writer has moved it since.
  ctx.log.info(
    `${job.customObjectId}: rebuild ${rebuild.status} after ${rebuild.seconds} s (${rebuild.polls} polls).`
  )
  if (rebuild.status !== 'active') {
    result.error = `Object ${job.customObjectId} (schema version ${deployed.schemaVersion}): ${rebuild.reason ?? `rebuild ${rebuild.status}`}.`
  } else if (probing) {
    const probes = await probeAll(ctx, gateway, job, plannedProbes(job, { ...plan, merged: final }))
    result.probes = probes
    result.findings = [...result.findings, ...fullScanFindings(job, probes)]
  }
  await audit(ctx, result, result.error !== undefined ? 'INDEX_DEPLOY_FAILED' : 'INDEX_DEPLOYED')
}

/** A re-validation after a conflict found errors: the deploy stops with no PUT. */
class BlockedError extends Error {
  constructor(readonly plan: Plan) {
    super('error findings block the deploy')
  }
}

/**
 * PUT with the based-on version. 409 → fetch again, re-merge, re-validate and retry (bounded). A lost answer
 * (no status, or a 5xx after retries) → GET: the same payload hash live means the PUT was committed.
 */
async function put(
  ctx: PipelineContext,
  gateway: GatewayClient,
  job: ObjectJob,
  first: Plan,
  limits: Limits
): Promise<{ plan: Plan; deployed: SchemaDocument }> {
  const maxConflicts = ctx.maxConflictRetries ?? 3
  let plan = first
  let conflicts = 0
  let lost = 0
  for (;;) {
    const body = payloadDocument({ ...plan.merged, schemaVersion: plan.live.schemaVersion })
    let failure: PlatformError
    try {
      const deployed = await gateway.putSchema(job.customObjectId, body, { retryConnectionErrors: false })
      ctx.log.info(
        `${job.customObjectId}: deployed schema version ${deployed.schemaVersion} (was ${plan.live.schemaVersion}).`
      )
      return { plan, deployed }
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error
      failure = error
    }
    const lostAnswer = failure.status === undefined || failure.status >= 500
    if (failure.status !== 409 && !lostAnswer) throw failure
    const current = await gateway.getSchema(job.customObjectId)
    if (payloadHash(current) === plan.hash) {
      if (lostAnswer) {
        ctx.log.info(
          `${job.customObjectId}: the PUT's answer was lost (${failure.message}), but the live schema ` +
            `(version ${current.schemaVersion}) has the payload hash we sent: the deploy went through.`
        )
      }
      return { plan, deployed: current }
    }
    if (lostAnswer && current.schemaVersion === plan.live.schemaVersion) {
      // Not committed: send it again, a bounded number of times.
      if (++lost > 2) throw failure
      continue
    }
    if (++conflicts > maxConflicts) {
      throw new Error(
        `Object ${job.customObjectId}: another writer changed the schema during the deploy ${conflicts} times ` +
          `(now version ${current.schemaVersion}); gave up after ${maxConflicts} retries. Re-run the job when ` +
          `the schema is quiet.${failure.correlationId ? ` (correlation id ${failure.correlationId})` : ''}`
      )
    }
    ctx.log.info(
      `${job.customObjectId}: version ${plan.live.schemaVersion} is stale (now ${current.schemaVersion}): ` +
        're-merging the index file on the new schema.'
    )
    plan = await makePlan(ctx, gateway, job, current, limits)
    if (plan.findings.some(f => f.severity === 'error')) throw new BlockedError(plan)
    if (!plan.changed) return { plan, deployed: current }
  }
}

function plannedProbes(job: ObjectJob, plan: Plan): PlannedProbe[] {
  return planProbes(job.loaded.file, plan.merged, plan.diff, plan.lookup)
}

async function probeAll(
  ctx: PipelineContext,
  gateway: GatewayClient,
  job: ObjectJob,
  planned: PlannedProbe[]
): Promise<ProbeResult[]> {
  const results: ProbeResult[] = []
  for (const p of planned) {
    try {
      results.push(await runProbe(gateway, job.customObjectId, p, ctx.now))
    } catch (error) {
      ctx.log.warning(`${job.customObjectId}: probe ${p.index} could not run: ${errorMessage(error)}`)
    }
  }
  for (const r of results) {
    ctx.log.info(
      `${job.customObjectId}: probe ${r.index}: ${r.strategy === 'index' ? `index ${r.indexName ?? '?'}` : 'full scan'}, ` +
        `${r.recordsExamined} records examined, ${r.latencyMs} ms.`
    )
  }
  return results
}

function fullScanFindings(job: ObjectJob, probes: ProbeResult[]): Finding[] {
  const file = job.loaded.file
  return probes
    .filter(p => !usedItsIndex(p))
    .map(p => {
      const at = file.indexes.findIndex(i => i.name === p.index)
      const probeAt = file.probes?.findIndex(q => q.index === p.index) ?? -1
      const line =
        probeAt >= 0
          ? job.loaded.lineOf(['probes', probeAt])
          : at >= 0
            ? job.loaded.lineOf(['indexes', at])
            : undefined
      const how = p.indexUsed
        ? `index ${p.indexName ?? '?'} instead`
        : `a full scan (${p.recordsExamined} records examined)`
      return {
        severity: 'warning' as const,
        rule: 'probe-full-scan' as const,
        customObjectId: job.customObjectId,
        index: p.index,
        message:
          `The probe query on ${Object.keys(p.values).join(', ')} did not use index ${p.index}: the platform chose ${how}. ` +
          `Check that the probe's fields are a leading prefix of the index and that another index does not cover them.`,
        file: job.loaded.path,
        ...(line !== undefined ? { line } : {})
      }
    })
}

async function audit(ctx: PipelineContext, result: ObjectResult, action: AuditAction): Promise<void> {
  if (!ctx.audit) {
    result.audit = 'skipped'
    return
  }
  const record = buildAuditRecord(result, {
    source: ctx.audit.source,
    action,
    eventId: (ctx.eventId ?? randomUUID)(),
    timestamp: new Date(ctx.now ? ctx.now() : Date.now())
  })
  const outcome = await ctx.audit.sink(record)
  result.audit = outcome.delivered ? 'true' : 'false'
  if (outcome.delivered) {
    ctx.log.info(
      `${result.customObjectId}: audit record ${action} delivered (idempotency key ${outcome.idempotencyKey}).`
    )
    return
  }
  const reason = outcome.reason ?? 'not delivered'
  if (ctx.audit.required) {
    result.error = result.error
      ? `${result.error}\n${reason} (audit-required is true)`
      : `${reason} (audit-required is true)`
  } else {
    ctx.log.warning(`${reason}. The deploy stands; set audit-required: true to fail the step on this.`)
  }
}
