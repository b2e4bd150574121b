// What one object's run is given: the job, and the run's context with every default resolved once, here.
import { randomUUID } from 'node:crypto'
import type { AuditSink } from '../audit/deliver.js'
import type { AuditSource } from '../audit/record.js'
import type { Logger } from '../log.js'
import type { Limits, LoadedIndexFile, Mode, SchemaDocument } from '../model.js'
import { PUT_DEADLINE_MS, type GatewayClient } from '../platform/gateway.js'
import { defaultSleep, type PollPacer } from '../platform/ratelimit.js'
import { DEFAULTS, type OnRebuildFailure, type OnStale, type RequireReview } from '../settings.js'

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

/**
 * The reviewed hashes a deploy compares with (docs/rules.md#deploy-what-was-reviewed), found once per run.
 */
export interface ReviewSource {
  /** The pull request the review came from, when it came from one. */
  pullRequest: number | null
  /** The reviewed hash of an object, with the version the review was based on when known. */
  reviewOf(customObjectId: string): { payloadHash: string; basedOnVersion?: number } | undefined
  /** Why no review is known (no PR for the commit, no comment, a GitHub error…), for the warning. */
  problem?: string
}

/**
 * Whether this run's commit is still the head of its branch (an older commit never undoes a newer one),
 * looked up once per run before the objects run.
 */
export interface FreshnessSource {
  /** When a newer commit on the branch changed `file` after this run's commit: both commits. */
  staleOf(file: string): { sha: string; head: string } | undefined
}

/** What one run shares across its objects: the limits and other objects' schemas, fetched once. */
export interface RunCache {
  limits?: Promise<Limits>
  schemas: Map<string, Promise<SchemaDocument | undefined>>
}

/** What a caller gives; everything left out takes its default in `pipelineContext`. */
export interface PipelineOptions {
  log: Logger
  /** Absent: no credentials, run the file-only checks. */
  live?: GatewayClient
  /** The `max-indexes` input: an org policy limit below the platform's. */
  maxIndexes?: number
  rebuildTimeoutSeconds?: number
  /** Run probe queries. */
  probe?: boolean
  /** Absent: audit 'skipped'. */
  audit?: AuditSettings
  onRebuildFailure?: OnRebuildFailure
  requireReview?: RequireReview
  /** The reviews found for this run (absent under `off`, or when not looked up). */
  review?: ReviewSource
  /** What a deploy does with an object a newer commit changed (`on-stale`). */
  onStale?: OnStale
  /** Deploy: the branch's newer commits, when they could be looked up (absent: every object deploys). */
  freshness?: FreshnessSource
  /** PUT attempts after a 409 conflict. */
  maxConflictRetries?: number
  /** PUTs sent again when their answer was lost and the live schema shows they were not applied. */
  maxLostPutRetries?: number
  /** One deadline shared by every PUT attempt of an object (and the reads between them). */
  putDeadlineMs?: number
  rebuildFirstPollMs?: number
  rebuildMaxPollMs?: number
  /** Shares the rate budget among the rebuild polls of the run's objects; absent: each polls at its pace. */
  pacer?: PollPacer
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  eventId?: () => string
}

/** The context every recipe runs with: all defaults resolved, the run's cache made. */
export interface PipelineContext extends Omit<
  Required<PipelineOptions>,
  'live' | 'maxIndexes' | 'audit' | 'review' | 'freshness' | 'pacer'
> {
  pacer?: PollPacer
  live?: GatewayClient
  maxIndexes?: number
  audit?: AuditSettings
  review?: ReviewSource
  freshness?: FreshnessSource
  cache: RunCache
}

const resolved = new WeakSet<PipelineContext>()

/** Resolves the defaults, once; a context already resolved comes back as it is (so its cache is shared). */
export function pipelineContext(opts: PipelineOptions | PipelineContext): PipelineContext {
  if (resolved.has(opts as PipelineContext)) return opts as PipelineContext
  const ctx: PipelineContext = {
    ...opts,
    rebuildTimeoutSeconds: opts.rebuildTimeoutSeconds ?? DEFAULTS['rebuild-timeout-seconds'],
    probe: opts.probe ?? DEFAULTS.probe,
    onRebuildFailure: opts.onRebuildFailure ?? DEFAULTS['on-rebuild-failure'],
    requireReview: opts.requireReview ?? DEFAULTS['require-review'],
    onStale: opts.onStale ?? DEFAULTS['on-stale'],
    maxConflictRetries: opts.maxConflictRetries ?? 3,
    maxLostPutRetries: opts.maxLostPutRetries ?? 2,
    putDeadlineMs: opts.putDeadlineMs ?? PUT_DEADLINE_MS,
    rebuildFirstPollMs: opts.rebuildFirstPollMs ?? 250,
    rebuildMaxPollMs: opts.rebuildMaxPollMs ?? 2_000,
    now: opts.now ?? Date.now,
    sleep: opts.sleep ?? defaultSleep,
    eventId: opts.eventId ?? randomUUID,
    cache: 'cache' in opts ? opts.cache : { schemas: new Map() }
  }
  resolved.add(ctx)
  return ctx
}
