// The review line publish writes is always one deploy's reader takes back: for any set of report files that
// publish accepts (each read by the report schema, brought together under the trust rules), the line built
// from them reads back, through src/github/reviewline.ts, to the very map of objects publish vouched for.
// Reports that would break it (an object id the line cannot carry, a hash or version out of range) are
// refused whole by the schema, never half-used.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseReviewLine, reviewLine } from '../../src/github/reviewline.js'
import { bringTogether, PublishError, type NamedReport } from '../../src/pipeline/publish.js'
import { reviewOfResults } from '../../src/pipeline/review.js'
import { blankResult } from '../../src/model.js'
import { parseReportFile } from '../../src/report/file.js'
import { RUNS } from '../helpers/arbitraries.js'

const HEAD = '3f2c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a'
const THIS_RUN = '777'
const TRIGGERING_RUN = '100'

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/)
const objectId = fc.oneof(
  { weight: 30, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,30}$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('__proto__', 'constructor', 'a b', 'x<y>', '', 'é', 'a'.repeat(129))
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }
)

const entry = fc.record(
  {
    customObjectId: objectId,
    live: fc.boolean(),
    payloadHash: fc.oneof(
      { weight: 20, arbitrary: hex64 },
      { weight: 1, arbitrary: fc.string({ maxLength: 70 }) }
    ),
    basedOnVersion: fc.oneof(
      { weight: 20, arbitrary: fc.nat() },
      { weight: 1, arbitrary: fc.constantFrom(2 ** 53, -1, 1.5, Number.MAX_SAFE_INTEGER) }
    ),
    file: fc.string({ maxLength: 20 })
  },
  { requiredKeys: ['customObjectId', 'live', 'file'] }
)

type Entry = typeof entry extends fc.Arbitrary<infer T> ? T : never

const reportFile = fc.record({
  runId: fc.constantFrom(THIS_RUN, TRIGGERING_RUN),
  objects: fc.array(entry, { maxLength: 6 })
})

/** The report file's text, as a job would write it (every other key as the schema wants it). */
function text(r: { runId: string; objects: Entry[] }): string {
  return JSON.stringify({
    version: 1,
    mode: 'validate',
    commentKey: 'default',
    repository: 'acme/indexes',
    pullRequest: 7,
    headSha: HEAD,
    runId: r.runId,
    objects: r.objects.map(o => ({ ...blankResult(o.customObjectId, o.file, 'validate'), ...o }))
  })
}

describe('the review line publish writes', () => {
  it('reads back, through deploy’s reader, to the objects publish accepted as live-checked', () => {
    let accepted = 0
    fc.assert(
      fc.property(fc.array(reportFile, { minLength: 1, maxLength: 4 }), fc.boolean(), (files, fork) => {
        const named: NamedReport[] = []
        for (const [i, f] of files.entries()) {
          try {
            named.push({ name: `r${i}.json`, file: parseReportFile(text(f), `r${i}.json`) })
          } catch {
            return // one refused file: publish refuses the whole set, nothing is written
          }
        }
        let results
        try {
          results = bringTogether(named, {
            runId: THIS_RUN,
            triggeringRun: { id: TRIGGERING_RUN, fork }
          })
        } catch (error) {
          if (error instanceof PublishError) return
          throw error
        }
        accepted++
        // What publish vouches for: live-checked entries of runs it trusts for the live check.
        const vouched: Record<string, { payloadHash: string; basedOnVersion: number }> = {}
        for (const { file } of named) {
          if (fork && file.runId === TRIGGERING_RUN) continue
          for (const o of file.objects) {
            if (o.live && o.payloadHash !== undefined && o.basedOnVersion !== undefined) {
              Object.defineProperty(vouched, o.customObjectId, {
                value: { payloadHash: o.payloadHash, basedOnVersion: o.basedOnVersion },
                enumerable: true
              })
            }
          }
        }
        const line = reviewLine(reviewOfResults(results, HEAD, THIS_RUN))
        const read = parseReviewLine(`<!-- custom-object-index:default -->\n## report\n\n${line}\n`)
        if ('problem' in read) throw new Error(`deploy cannot read the line: ${read.problem}\n${line}`)
        expect(read).toEqual({ v: 1, headSha: HEAD, runId: THIS_RUN, objects: vouched })
      }),
      { numRuns: RUNS }
    )
    // The property is not vacuous: most generated sets are accepted.
    expect(accepted).toBeGreaterThan(RUNS / 5)
  })

  it('refuses a whole report when one live-checked entry has no custom object id', () => {
    const bad = text({
      runId: THIS_RUN,
      objects: [
        {
          customObjectId: 'good',
          live: true,
          payloadHash: 'a'.repeat(64),
          basedOnVersion: 7,
          file: 'a.yaml'
        },
        {
          customObjectId: 'not an id',
          live: true,
          payloadHash: 'b'.repeat(64),
          basedOnVersion: 7,
          file: 'b.yaml'
        }
      ]
    })
    expect(() => parseReportFile(bad, 'r.json')).toThrow(/a live-checked object must have a custom object id/)
  })
})
