// Scale with the repository, the pure parts: which changed files run, plan's matrix under GitHub's cap, and a
// comment of up to 2,000 objects that keeps its verdict and footer while its review continues elsewhere.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { selectChanged } from '../../src/changes.js'
import { globMatcher } from '../../src/glob.js'
import type { ChangeList } from '../../src/github/changes.js'
import { joinContinuations } from '../../src/github/review.js'
import {
  continuationBody,
  continuationPart,
  parseReviewLine,
  type ReviewLine,
  splitReview
} from '../../src/github/reviewline.js'
import { blankResult, type ObjectResult } from '../../src/model.js'
import { planMatrix } from '../../src/outputs.js'
import { reviewOfResults } from '../../src/pipeline/review.js'
import { MAX_COMMENT_LENGTH, renderComment } from '../../src/report/comment.js'

const HEAD = 'a'.repeat(40)

/** `n` validated objects with 36-character ids, each checked against the live schema. */
function manyResults(n: number): ObjectResult[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
    const r = blankResult(id, `indexes/object-${i}.yaml`, 'validate')
    r.live = true
    r.objectName = `Object number ${i}`
    r.payloadHash = createHash('sha256').update(id).digest('hex')
    r.basedOnVersion = 3
    r.diff.added.push('idx_new')
    r.changed = true
    return r
  })
}

describe('changed-only selection', () => {
  const list = (files: ChangeList['files']): ChangeList => ({ files, capped: false })
  const matches = globMatcher('indexes/**/*.yaml\n!indexes/skip/*.yaml')

  it.each([
    ['indexes/a.yaml', true],
    ['indexes/deep/b.yaml', true],
    ['indexes/skip/c.yaml', false],
    ['other/a.yaml', false],
    ['indexes/a.yml', false]
  ])('matches %s against the index-file globs: %s', (path, expected) => {
    expect(matches(path)).toBe(expected)
  })

  it('runs only the matched files the change added, modified or renamed', () => {
    const s = selectChanged(
      ['indexes/a.yaml', 'indexes/b.yaml', 'indexes/c.yaml', 'indexes/d.yaml'],
      list([
        { path: 'indexes/a.yaml', status: 'modified' },
        { path: 'indexes/c.yaml', status: 'added' },
        { path: 'indexes/d.yaml', status: 'renamed', previousPath: 'indexes/old-d.yaml' },
        { path: 'README.md', status: 'modified' }
      ]),
      matches
    )
    expect(s).toEqual({
      paths: ['indexes/a.yaml', 'indexes/c.yaml', 'indexes/d.yaml'],
      removed: [],
      skipped: 1
    })
  })

  it('reports a removed index file, or one renamed out of the globs, as no longer managed', () => {
    const s = selectChanged(
      ['indexes/a.yaml'],
      list([
        { path: 'indexes/gone.yaml', status: 'removed' },
        { path: 'elsewhere/b.yaml', status: 'renamed', previousPath: 'indexes/b.yaml' },
        { path: 'docs/old.md', status: 'removed' }
      ]),
      matches
    )
    expect(s.removed).toEqual(['indexes/b.yaml', 'indexes/gone.yaml'])
    expect(s.paths).toEqual([])
  })
})

describe("plan's matrix under max-jobs", () => {
  it.each([
    [256, 256, 256, 1],
    [300, 256, 150, 2],
    [1000, 256, 250, 4],
    [10, 3, 3, 4]
  ])('%i objects, max-jobs %i: %i entries of up to %i files', (n, maxJobs, entries, per) => {
    const results = manyResults(n)
    const { include } = planMatrix(results, maxJobs)
    expect(include).toHaveLength(entries)
    expect(include.length).toBeLessThanOrEqual(maxJobs)
    expect(include.flatMap(e => e['index-file'].split('\n'))).toEqual(results.map(r => r.file))
    expect(Math.max(...include.map(e => e['index-file'].split('\n').length))).toBe(per)
    if (per > 1) expect(include.every(e => e['custom-object-id'] === '')).toBe(true)
  })
})

describe('the comment fits at any size', () => {
  it.each([463, 1000, 2000])(
    'keeps %i objects under 65,536 characters with the verdict, the footer and the review line last',
    n => {
      const results = manyResults(n)
      const review = splitReview(reviewOfResults(results, HEAD, '42'))
      const body = renderComment(results, {
        mode: 'validate',
        serverUrl: 'https://github.com',
        repository: 'acme/indexes',
        headSha: HEAD,
        runId: '42',
        commentKey: 'default',
        trailer: review.main
      })
      expect(body.length).toBeLessThan(MAX_COMMENT_LENGTH)
      expect(body.split('\n')[1]).toMatch(/^## .+: /)
      expect(body).toContain(`Commit [\`${HEAD.slice(0, 7)}\`]`)
      // The footer lists the first 400 payload hashes and says where the others are.
      expect(body).toContain(
        `… ${(n - 400).toLocaleString('en-US')} more in the job summary and the review record`
      )
      expect(body.trimEnd().endsWith(review.main)).toBe(true)
      for (const [i, line] of review.continuations.entries()) {
        expect(continuationBody('default', i + 1, review.continuations.length, line).length).toBeLessThan(
          MAX_COMMENT_LENGTH
        )
      }
    }
  )

  it("recovers every object's review from the comment and its continuation comments", () => {
    const results = manyResults(2000)
    const whole = reviewOfResults(results, HEAD, '42')
    const split = splitReview(whole)
    expect(split.continuations.length).toBeGreaterThan(1)
    const main = parseReviewLine(`<!-- custom-object-index:default -->\nbody\n${split.main}`) as ReviewLine
    expect(main.continued).toBe(split.continuations.length)
    const comments = split.continuations.map((line, i) => ({
      id: 10 + i,
      body: continuationBody('default', i + 1, split.continuations.length, line)
    }))
    expect(joinContinuations('default', main, comments)).toEqual(whole)
  })

  it('refuses a review whose continuation is missing or from another run', () => {
    const split = splitReview(reviewOfResults(manyResults(800), HEAD, '42'))
    const main = parseReviewLine(split.main) as ReviewLine
    expect(joinContinuations('default', main, [])).toEqual({
      problem: `its review continues in ${split.continuations.length} comments but part 1 is missing`
    })
    const other = splitReview(reviewOfResults(manyResults(800), HEAD, '41'))
    const stale = [{ id: 1, body: continuationBody('default', 1, 1, other.continuations[0]!) }]
    expect(joinContinuations('default', main, stale)).toEqual({
      problem: 'part 1 of its review is from another run'
    })
  })

  it('keeps a review that fits on one line as it was', () => {
    const review = reviewOfResults(manyResults(3), HEAD, '42')
    expect(splitReview(review).continuations).toEqual([])
    expect(parseReviewLine(splitReview(review).main)).toEqual(review)
  })

  it.each([
    ['<!-- custom-object-index-review:default:1 -->', 1],
    ['<!-- custom-object-index-review:default:12 -->', 12],
    ['<!-- custom-object-index-review:default:0 -->', undefined],
    ['<!-- custom-object-index-review:other:1 -->', undefined],
    ['<!-- custom-object-index:default -->', undefined]
  ])('reads the continuation marker %s as part %s', (line, part) => {
    expect(continuationPart('default', line)).toBe(part)
  })
})
