// The reviews a deploy compares with (docs/rules.md#deploy-what-was-reviewed): from the
// `reviewed-payload-hash` input, or from the review line of the sticky comment on the pull request the pushed
// commit belongs to.
import { isObjectId, type ReviewLine } from '../github/reviewline.js'
import type { ObjectResult } from '../model.js'
import type { ReviewedHashes } from '../settings.js'
import type { ReviewSource } from './job.js'

/** From the input: one hash serves a run of one object; a map names each object's hash. */
export function reviewFromInput(hashes: ReviewedHashes, objectCount: number): ReviewSource {
  if (hashes.kind === 'per-object') {
    return {
      pullRequest: null,
      reviewOf: id => (Object.hasOwn(hashes.hashes, id) ? { payloadHash: hashes.hashes[id]! } : undefined),
      problem: 'the reviewed-payload-hash input names no hash for it'
    }
  }
  if (objectCount > 1) {
    return {
      pullRequest: null,
      reviewOf: () => undefined,
      problem: `reviewed-payload-hash holds one hash but this run deploys ${objectCount} objects: give a JSON object mapping each custom object id to its hash`
    }
  }
  return { pullRequest: null, reviewOf: () => ({ payloadHash: hashes.hash }) }
}

/** From the review line found on the commit's pull request (or why none was found). */
export function reviewFromLine(found: {
  pullRequest: number | null
  review?: ReviewLine
  problem?: string
}): ReviewSource {
  const pr = found.pullRequest
  return {
    pullRequest: pr,
    reviewOf: id =>
      found.review && Object.hasOwn(found.review.objects, id) ? found.review.objects[id] : undefined,
    problem:
      found.problem ??
      (found.review
        ? `the review on pull request #${pr ?? '?'} does not cover it (its file was not checked against the live schema there)`
        : 'no review was found')
  }
}

/** The review line's content for a run's results: the objects checked against the live schema. */
export function reviewOfResults(
  results: readonly ObjectResult[],
  headSha: string,
  runId: string
): ReviewLine {
  const objects: ReviewLine['objects'] = {}
  for (const r of results) {
    if (!r.live || r.payloadHash === undefined || r.basedOnVersion === undefined) continue
    // The line is read back by deploy: an entry its reader would refuse is never written.
    if (!isObjectId(r.customObjectId)) continue
    Object.defineProperty(objects, r.customObjectId, {
      value: { payloadHash: r.payloadHash, basedOnVersion: r.basedOnVersion },
      enumerable: true
    })
  }
  const plain = (v: string, pattern: RegExp): string => (pattern.test(v) ? v : '')
  return {
    v: 1,
    headSha: plain(headSha, /^[0-9a-f]{0,64}$/),
    runId: plain(runId, /^[0-9A-Za-z_.-]{0,64}$/),
    objects
  }
}
