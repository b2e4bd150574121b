// One check run per head commit and comment key: what it shows (pure), and how it is written to GitHub (the
// stand-in): created or updated by name on the commit, annotations 50 per request, errors first, a summary cut
// under GitHub's limit, a 403 told apart.
import { describe, expect, it } from 'vitest'
import { ACTIONS_BOT } from '../../src/emulator/github.js'
import {
  type CheckAnnotation,
  fitCheckSummary,
  MAX_CHECK_SUMMARY,
  upsertCheckRun
} from '../../src/github/checks.js'
import type { GitHubTiming } from '../../src/github/client.js'
import { blankResult, type Finding, type ObjectResult } from '../../src/model.js'
import { checkAnnotations, checkConclusion, checkTitle } from '../../src/report/checkrun.js'
import { readSettings } from '../../src/settings.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers()
const SHA = 'a'.repeat(40)
const NAME = 'custom-object-index / default'
const TIMING: GitHubTiming = { callTimeoutMs: 2_000, stepTimeoutMs: 6_000, pauseMs: 1 }

function annotations(errors: number, warnings: number): CheckAnnotation[] {
  const one = (level: 'failure' | 'warning', i: number): CheckAnnotation => ({
    path: 'indexes/a.yaml',
    start_line: i + 1,
    end_line: i + 1,
    annotation_level: level,
    message: `${level} ${i}`,
    title: 'unknown-field'
  })
  return [
    ...Array.from({ length: errors }, (_, i) => one('failure', i)),
    ...Array.from({ length: warnings }, (_, i) => one('warning', i))
  ]
}

async function github() {
  const gh = await servers.github()
  const config = { token: 'ghs_checks', baseUrl: gh.url, timing: TIMING }
  const args = {
    owner: 'acme',
    repo: 'indexes',
    headSha: SHA,
    name: NAME,
    conclusion: 'failure' as const,
    title: 'Custom-object index check: ❌ blocked',
    summary: '## Custom-object index check: ❌ blocked\n'
  }
  const writes = (): string[] =>
    gh
      .requests()
      .filter(r => r.method !== 'GET')
      .map(r => `${r.method} ${r.path.replace(/\d{7,}/, '{id}')}`)
  return { gh, config, args, writes }
}

describe('a check run written to GitHub', () => {
  it('carries every annotation, 50 per request: created with the first 50, the rest in PATCHes', async () => {
    const { gh, config, args, writes } = await github()
    const result = await upsertCheckRun(config, { ...args, annotations: annotations(30, 90) })
    expect(result).toMatchObject({ action: 'created', annotations: 120 })
    expect(result.warning).toBeUndefined()
    expect(writes()).toEqual([
      'POST /repos/acme/indexes/check-runs',
      'PATCH /repos/acme/indexes/check-runs/{id}',
      'PATCH /repos/acme/indexes/check-runs/{id}'
    ])
    const [check] = gh.checkRuns(SHA)
    expect(check).toMatchObject({
      name: NAME,
      conclusion: 'failure',
      status: 'completed',
      login: ACTIONS_BOT
    })
    expect(check!.annotations).toHaveLength(120)
    expect(check!.annotations.slice(0, 30).every(a => a.annotation_level === 'failure')).toBe(true)
  })

  it('updates the check run of that name on that commit instead of adding one', async () => {
    const { gh, config, args, writes } = await github()
    await upsertCheckRun(config, { ...args, annotations: [] })
    const again = await upsertCheckRun(config, { ...args, conclusion: 'success', annotations: [] })
    expect(again.action).toBe('updated')
    expect(writes()).toEqual([
      'POST /repos/acme/indexes/check-runs',
      'PATCH /repos/acme/indexes/check-runs/{id}'
    ])
    expect(gh.checkRuns(SHA).map(c => c.conclusion)).toEqual(['success'])
    // Found by commit and name.
    expect(gh.requests().map(r => r.path)).toContain(
      `/repos/acme/indexes/commits/${SHA}/check-runs?check_name=custom-object-index%20%2F%20default&filter=latest&per_page=100`
    )
  })

  it("replaces a check run that holds an earlier run's annotations, since GitHub would append to them", async () => {
    const { gh, config, args } = await github()
    await upsertCheckRun(config, { ...args, annotations: annotations(3, 0) })
    const again = await upsertCheckRun(config, { ...args, conclusion: 'success', annotations: [] })
    expect(again.action).toBe('created')
    const runs = gh.checkRuns(SHA)
    expect(runs.map(c => [c.conclusion, c.annotations.length])).toEqual([
      ['failure', 3],
      ['success', 0]
    ])
  })

  it('tells a token without checks: write apart (forbidden), and writes nothing', async () => {
    const { gh, config, args } = await github()
    gh.setReadOnly(true)
    const result = await upsertCheckRun(config, { ...args, annotations: [] })
    expect(result.forbidden).toBe(true)
    expect(result.warning).toContain("The check run 'custom-object-index / default' could not be written")
    expect(result.warning).toContain('403')
    expect(gh.checkRuns()).toEqual([])
  })

  it('is a warning, not forbidden, when GitHub fails otherwise', async () => {
    const { gh, config, args } = await github()
    gh.addFault({ method: 'POST', path: '/repos/acme/indexes/check-runs', kind: 'status', status: 422 })
    const result = await upsertCheckRun(config, { ...args, annotations: [] })
    expect(result.forbidden).toBeUndefined()
    expect(result.warning).toContain('422')
  })

  it('keeps the summary under 65,535 characters, saying it was cut', async () => {
    const { gh, config, args } = await github()
    await upsertCheckRun(config, { ...args, summary: 'x'.repeat(100_000), annotations: [] })
    const [check] = gh.checkRuns(SHA)
    expect(check!.summary.length).toBeLessThanOrEqual(MAX_CHECK_SUMMARY)
    expect(check!.summary).toMatch(/cut to stay under GitHub's 65,535-character limit/)
  })
})

describe('what the check run shows', () => {
  const finding = (severity: Finding['severity'], line?: number): Finding => ({
    severity,
    rule: 'unknown-field',
    customObjectId: 'o1',
    message: severity,
    file: 'indexes/a.yaml',
    ...(line !== undefined ? { line } : {})
  })
  const result = (over: Partial<ObjectResult>): ObjectResult => ({
    ...blankResult('o1', 'indexes/a.yaml', 'validate'),
    live: true,
    ...over
  })

  it.each([
    ['the step fails', [result({})], 'a reason', 'failure'],
    ['it passes, all checked live', [result({})], undefined, 'success'],
    [
      'it passes, some checked against the file only',
      [result({}), result({ live: false })],
      undefined,
      'neutral'
    ]
  ] as const)('is concluded from the step: %s', (_, results, failure, conclusion) => {
    expect(checkConclusion(results, failure)).toBe(conclusion)
  })

  it('annotates every finding on its file and line, errors first', () => {
    const r = result({
      findings: [finding('warning', 4), finding('error'), finding('warning', 2), finding('error', 9)]
    })
    expect(checkAnnotations([r]).map(a => [a.annotation_level, a.start_line])).toEqual([
      ['failure', 1],
      ['failure', 9],
      ['warning', 4],
      ['warning', 2]
    ])
  })

  it("titles itself with the summary's verdict", () => {
    expect(checkTitle('<!-- x -->\n## Custom-object index check: ✅ pass — 1 object\n\ntext')).toBe(
      'Custom-object index check: ✅ pass — 1 object'
    )
  })

  it('cuts nothing that fits', () => {
    expect(fitCheckSummary('short')).toBe('short')
  })
})

describe('the check-run input', () => {
  const read = (value: string) =>
    readSettings(
      n => ({ 'index-file': 'x.yaml', 'check-run': value })[n] ?? '',
      { name: 'pull_request', ref: '' },
      '/ws'
    )

  it.each([
    ['', 'auto'],
    ['true', 'true'],
    ['FALSE', 'false']
  ])('reads %j as %s', (value, expected) => {
    expect(read(value).checkRun).toBe(expected)
  })

  it('names the input and the allowed values when the value is not one of them', () => {
    expect(() => read('yes')).toThrow("Input 'check-run' must be one of 'auto', 'true', 'false'; got 'yes'.")
  })
})
