// Waiting for the rebuild after a PUT (docs/rules.md#the-put-and-the-rebuild): poll the schema until it shows
// the deployed version and no index `building`. Polls back off from ~250 ms by ×1.5 up to 2 s, and never
// sleep past the deadline. With the run's poll pacer, that pace is the poller's own: the pacer stretches
// it to share the rate budget, cuts a sleep short when the poller becomes due, and learns from a rebuild
// that ends active how long the others may take (docs/rules.md#deploy-overlaps-the-waits). A poll that fails is retried inside the same budget
// (docs/rules.md#every-wait-has-a-bound); no poll's HTTP call outlives the deadline.
import type { SchemaDocument } from '../model.js'
import { errorMessage } from '../errors.js'
import { defaultSleep, type Poller } from './ratelimit.js'
import type { GatewayClient } from './gateway.js'

export interface RebuildOptions {
  gateway: Pick<GatewayClient, 'getSchema'>
  customObjectId: string
  /** The version the PUT returned. */
  deployedVersion: number
  /** The document the PUT returned: when nothing builds there, no poll is needed. */
  initial?: SchemaDocument
  timeoutSeconds: number
  firstPollMs?: number
  maxPollMs?: number
  /** This wait's part in the run's poll pacer: it paces (and sleeps) the polls; absent: each at its own pace. */
  poller?: Pick<Poller, 'wait' | 'settled'>
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

export interface RebuildOutcome {
  status: 'active' | 'failed' | 'timeout'
  seconds: number
  /** For failed: each failed index with its statusReason; for timeout: what still builds. */
  reason?: string
  /** The last document seen. */
  document?: SchemaDocument
  /** Polls sent (failed ones included). */
  polls: number
  /** Polls that got no document (an error after the HTTP retries, or no answer). */
  failedPolls: number
}

function settled(doc: SchemaDocument, version: number): boolean {
  return doc.schemaVersion >= version && !doc.indexes.some(i => i.status === 'building')
}

function failures(doc: SchemaDocument): string | undefined {
  const failed = doc.indexes.filter(i => i.status === 'failed')
  if (failed.length === 0) return undefined
  return failed.map(i => `index ${i.name} failed: ${i.statusReason ?? 'no reason given'}`).join('; ')
}

export async function waitForRebuild(opts: RebuildOptions): Promise<RebuildOutcome> {
  const now = opts.now ?? Date.now
  const sleep = opts.sleep ?? defaultSleep
  const start = now()
  const deadline = start + opts.timeoutSeconds * 1000
  const maxPoll = opts.maxPollMs ?? 2000
  let interval = opts.firstPollMs ?? 250
  let doc = opts.initial
  let polls = 0
  let failedPolls = 0
  let lastError: string | undefined
  const seconds = (): number => Math.round((now() - start) / 100) / 10
  for (;;) {
    if (doc && settled(doc, opts.deployedVersion)) {
      const reason = failures(doc)
      // A rebuild seen ending active teaches the pacer its length (one that failed may have stopped early).
      if (!reason && polls > 0) opts.poller?.settled()
      return reason
        ? { status: 'failed', seconds: seconds(), reason, document: doc, polls, failedPolls }
        : { status: 'active', seconds: seconds(), document: doc, polls, failedPolls }
    }
    const left = deadline - now()
    if (left <= 0) {
      const building = doc?.indexes.filter(i => i.status === 'building').map(i => i.name) ?? []
      return {
        status: 'timeout',
        seconds: seconds(),
        reason:
          `the rebuild did not finish within ${opts.timeoutSeconds} s` +
          (building.length > 0 ? ` (still building: ${building.join(', ')})` : '') +
          (failedPolls > 0
            ? `; ${failedPolls} of ${polls} polls failed, the last with: ${lastError ?? 'no answer'}`
            : '') +
          '; raise rebuild-timeout-seconds or check the object in Genesys Cloud',
        document: doc,
        polls,
        failedPolls
      }
    }
    if (opts.poller) await opts.poller.wait(interval, left)
    else await sleep(Math.min(interval, left))
    interval = Math.min(maxPoll, interval * 1.5)
    // The poll's HTTP call (its retries and waits included) ends by the rebuild deadline.
    const budget = deadline - now()
    if (budget <= 0) continue
    polls++
    try {
      doc = await opts.gateway.getSchema(opts.customObjectId, { deadlineMs: budget })
    } catch (error) {
      // Not fatal: the platform may answer the next poll; the timeout names what went wrong.
      failedPolls++
      lastError = errorMessage(error)
    }
  }
}
