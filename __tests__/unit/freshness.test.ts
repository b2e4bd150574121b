// An older commit never silently undoes a newer one, the pure parts: the branch a ref names, which files a
// newer commit changed, the messages, the `on-stale` input, and what the outputs and the report say of a
// skipped object.
import { describe, expect, it } from 'vitest'
import { blankResult, type ObjectResult } from '../../src/model.js'
import { computeOutputs, failureReason } from '../../src/outputs.js'
import { branchOf, freshnessFrom, staleMessage } from '../../src/pipeline/freshness.js'
import { objectVerdict, runVerdict } from '../../src/report/modes.js'
import { reportFileSchema } from '../../src/report/file.js'
import { readSettings } from '../../src/settings.js'

const A = 'a'.repeat(40)
const B = 'b'.repeat(40)

describe('the branch a run deploys from', () => {
  it.each([
    ['refs/heads/main', 'main'],
    ['refs/heads/release/2.x', 'release/2.x'],
    ['refs/tags/v1.0.0', undefined],
    ['refs/pull/7/merge', undefined],
    ['', undefined]
  ])('%s → %s', (ref, branch) => {
    expect(branchOf(ref)).toBe(branch)
  })
})

describe('which objects a newer commit made stale', () => {
  const found = { head: B, changed: ['indexes/ticket.yaml', 'old/account.yaml'] }

  it.each([
    ['a file the newer commit changed', 'indexes/ticket.yaml', true],
    ['the same path written with ./', './indexes/ticket.yaml', true],
    ['a renamed file, by its path before the rename', 'old/account.yaml', true],
    ['a file the newer commit did not change', 'indexes/other.yaml', false]
  ])('%s', (_what, file, stale) => {
    expect(freshnessFrom(A, found).staleOf(file)).toEqual(stale ? { sha: A, head: B } : undefined)
  })

  it('makes nothing stale when the commit is the head', () => {
    expect(
      freshnessFrom(A, { head: A, changed: ['indexes/ticket.yaml'] }).staleOf('indexes/ticket.yaml')
    ).toBe(undefined)
  })
})

describe('what a stale object is told', () => {
  it.each([
    ['skip', /Skipped \(on-stale: skip\): the deploy of bbbbbbb applies the file\.$/],
    ['fail', /Not deployed \(on-stale: fail\), so that it cannot undo bbbbbbb/],
    ['warn', /Deploying it anyway \(on-stale: warn\)/]
  ] as const)('%s names both commits (short SHAs) and the file', (onStale, tail) => {
    const text = staleMessage('obj-1', 'indexes/ticket.yaml', { sha: A, head: B }, onStale)
    expect(text).toMatch(
      /^Object obj-1: commit aaaaaaa is older than bbbbbbb, the head of the branch, which changed indexes\/ticket\.yaml after it\./
    )
    expect(text).toMatch(tail)
    const whole = A
    expect(text).not.toContain(whole)
  })
})

describe('the on-stale input', () => {
  const read = (value: string) =>
    readSettings(
      name => ({ 'index-file': 'x.yaml', 'on-stale': value })[name] ?? '',
      { name: 'push', ref: 'refs/heads/main', defaultBranch: 'main' },
      '/ws'
    )

  it('defaults to skip and takes fail and warn', () => {
    expect(read('').onStale).toBe('skip')
    expect(read('fail').onStale).toBe('fail')
    expect(read('WARN').onStale).toBe('warn')
  })

  it('names the input and its allowed values when the value is not one of them', () => {
    expect(() => read('ignore')).toThrow(
      "Input 'on-stale' must be one of 'skip', 'fail', 'warn'; got 'ignore'."
    )
  })
})

describe('a skipped stale object in the outputs and the report', () => {
  function skipped(): ObjectResult {
    return {
      ...blankResult('obj-1', 'indexes/ticket.yaml', 'deploy'),
      outcome: 'stale',
      stale: { sha: A, head: B }
    }
  }

  it('says changed=false, rebuild-status=skipped, audit-delivered=skipped, and passes the step', () => {
    const outputs = computeOutputs([skipped()], 'deploy', { reportPath: '' })
    expect(outputs).toMatchObject({
      changed: 'false',
      'rebuild-status': 'skipped',
      'audit-delivered': 'skipped'
    })
    expect(outputs.reviewed).toBe('unknown')
    expect(failureReason([skipped()], 'deploy', 'error')).toBeUndefined()
  })

  it('shows the object as skipped, naming both commits', () => {
    expect(objectVerdict(skipped())).toBe(
      '⏭️ `obj-1` — skipped: commit `aaaaaaa` is older than the branch head `bbbbbbb`, which changed the file; the deploy of `bbbbbbb` applies it'
    )
    expect(runVerdict([skipped()], 'deploy')).toBe('⏭️ skipped — 1 skipped (a newer commit applies them)')
  })

  it('keeps the stale commits in the report file', () => {
    const parsed = reportFileSchema().safeParse({
      version: 1,
      mode: 'deploy',
      commentKey: 'default',
      repository: 'acme/indexes',
      pullRequest: null,
      headSha: A,
      runId: '1',
      objects: [skipped()]
    })
    expect(parsed.success).toBe(true)
  })
})
