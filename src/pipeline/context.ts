// Builds the pipeline context of a run from the settings: one rate limiter, one HTTP client, one token,
// one gateway client and one audit sink shared by every object.
import type { Logger } from '../log.js'
import type { Settings } from '../settings.js'
import { createAuditSink } from '../audit/deliver.js'
import type { AuditSource } from '../audit/record.js'
import { createAuthorizedClient, createTokenSource } from '../platform/auth.js'
import { createGatewayClient } from '../platform/gateway.js'
import { createHttpClient, type HttpStats } from '../platform/http.js'
import { createPollPacer, createRateLimiter, objectSlots } from '../platform/ratelimit.js'
import { resolveHosts } from '../platform/regions.js'
import type { Redactor } from '../redact.js'
import {
  type FreshnessSource,
  pipelineContext,
  type PipelineContext,
  type PipelineOptions,
  type ReviewSource
} from './job.js'

export type ContextSettings = Pick<
  Settings,
  | 'region'
  | 'apiUrl'
  | 'loginUrl'
  | 'credentials'
  | 'rebuildTimeoutSeconds'
  | 'probe'
  | 'warehouseUrl'
  | 'warehouseSecret'
  | 'auditRequired'
  | 'maxIndexes'
  | 'onRebuildFailure'
  | 'requireReview'
  | 'onStale'
>

export interface ContextOptions {
  log: Logger
  /** Masks every token obtained (main passes `core.setSecret`). */
  onSecret?: (secret: string) => void
  /** The run's redactor: every server text in an error passes it; tokens are registered with it. */
  redactor?: Redactor
  /** The run's identity for the audit record (RunContext.source). */
  source: AuditSource
  /** Calls in flight at once across the run (default 4). */
  maxConcurrent?: number
  /** The reviews a deploy compares with (docs/rules.md#deploy-what-was-reviewed). */
  review?: ReviewSource
  /** The branch's newer commits (an older commit never undoes a newer one). */
  freshness?: FreshnessSource
}

export interface RunPlatform {
  ctx: PipelineContext
  /** Requests, retries and 429s of the platform calls so far. */
  stats(): HttpStats
  /** How many objects may run at once, from the rate budget the platform announced (4 until it has). */
  slots(): number
}

/** The context for `processObject`; without credentials `live` stays unset (file-only checks). */
export function createPipelineContext(settings: ContextSettings, opts: ContextOptions): RunPlatform {
  const ctx: PipelineOptions = {
    log: opts.log,
    maxIndexes: settings.maxIndexes,
    rebuildTimeoutSeconds: settings.rebuildTimeoutSeconds,
    probe: settings.probe,
    onRebuildFailure: settings.onRebuildFailure,
    requireReview: settings.requireReview,
    onStale: settings.onStale,
    ...(opts.review ? { review: opts.review } : {}),
    ...(opts.freshness ? { freshness: opts.freshness } : {})
  }
  const redact = opts.redactor?.redact
  const limiter = createRateLimiter(
    opts.maxConcurrent !== undefined ? { maxConcurrent: opts.maxConcurrent } : {}
  )
  ctx.pacer = createPollPacer(limiter)
  const http = createHttpClient({ limiter, ...(redact ? { redact } : {}) })
  if (settings.credentials) {
    const hosts = resolveHosts({
      region: settings.region,
      apiUrl: settings.apiUrl,
      loginUrl: settings.loginUrl
    })
    opts.log.debug(`API ${hosts.apiBase}, login ${hosts.loginBase}`)
    const tokens = createTokenSource({
      http,
      loginBase: hosts.loginBase,
      clientId: settings.credentials.clientId,
      clientSecret: settings.credentials.clientSecret,
      onSecret: opts.onSecret,
      ...(opts.redactor ? { redactor: opts.redactor } : {})
    })
    ctx.live = createGatewayClient({
      api: createAuthorizedClient(http, tokens),
      apiBase: hosts.apiBase,
      ...(redact ? { redact } : {})
    })
  }
  if (settings.warehouseUrl) {
    ctx.audit = {
      sink: createAuditSink({
        url: settings.warehouseUrl,
        secret: settings.warehouseSecret,
        ...(redact ? { redact } : {})
      }),
      required: settings.auditRequired,
      source: opts.source
    }
  }
  return {
    ctx: pipelineContext(ctx),
    stats: () => http.stats(),
    slots: () => objectSlots(limiter.snapshot().allowed)
  }
}
