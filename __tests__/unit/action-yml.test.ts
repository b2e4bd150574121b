import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { OUTPUT_NAMES } from '../../src/outputs.js'
import { REGION_DOMAINS } from '../../src/platform/regions.js'
import {
  DEFAULTS,
  CHECK_RUN,
  CHANGED_ONLY,
  FAIL_ON,
  MODE_INPUTS,
  ON_REBUILD_FAILURE,
  ON_STALE,
  readSettings,
  REQUIRE_REVIEW,
  resolveMode
} from '../../src/settings.js'
import { ROOT } from '../helpers/action.js'

interface ActionYml {
  name: string
  description: string
  author: string
  runs: { using: string; main: string }
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
}
const action = YAML.parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYml

const CONTRACT_INPUTS = [
  'index-file',
  'custom-object-id',
  'mode',
  'region',
  'api-url',
  'login-url',
  'client-id',
  'client-secret',
  'github-token',
  'comment',
  'comment-key',
  'fail-on',
  'rebuild-timeout-seconds',
  'probe',
  'warehouse-url',
  'warehouse-secret',
  'audit-required',
  'max-indexes',
  'on-rebuild-failure',
  'require-review',
  'reviewed-payload-hash',
  'on-stale',
  'report-files',
  'pull-request',
  'drift-issue',
  'fail-on-drift',
  'expected-objects',
  'check-run',
  'changed-only',
  'max-jobs'
]

describe('action.yml', () => {
  it('runs the bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  it('declares every input of the contract, each with a description', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...CONTRACT_INPUTS].sort())
    for (const input of Object.values(action.inputs)) expect(input.description.length).toBeGreaterThan(10)
  })

  it('declares every output the action sets, each with a description', () => {
    expect(Object.keys(action.outputs).sort()).toEqual([...OUTPUT_NAMES].sort())
    for (const output of Object.values(action.outputs)) expect(output.description.length).toBeGreaterThan(5)
  })

  it('has defaults that the settings reader accepts and agrees with', () => {
    const defaults = (name: string): string =>
      name === 'index-file'
        ? 'x.yaml'
        : name === 'github-token'
          ? 'token'
          : (action.inputs[name]?.default ?? '')
    const s = readSettings(defaults, { name: 'pull_request', ref: '' }, '/ws')
    expect(s).toMatchObject({
      modeInput: 'auto',
      region: 'mypurecloud.com',
      comment: true,
      commentKey: 'default',
      failOn: 'error',
      rebuildTimeoutSeconds: 300,
      probe: true,
      auditRequired: false
    })
    expect(action.inputs['github-token']!.default).toBe('${{ github.token }}')
  })

  it('declares exactly the defaults of the settings (DEFAULTS), the one place they are written', () => {
    const declared = Object.fromEntries(
      Object.entries(action.inputs)
        .filter(([name, input]) => name !== 'github-token' && (input.default ?? '') !== '')
        .map(([name, input]) => [name, input.default])
    )
    expect(declared).toEqual(Object.fromEntries(Object.entries(DEFAULTS).map(([k, v]) => [k, String(v)])))
  })

  it('has a Marketplace-sized description and a real author', () => {
    expect(action.description.length).toBeLessThanOrEqual(125)
    expect(action.author).toBe('The custom-object-index-action authors')
  })

  it('lists every allowed value of each choice input', () => {
    const choices: Record<string, readonly string[]> = {
      mode: MODE_INPUTS,
      'fail-on': FAIL_ON,
      'on-rebuild-failure': ON_REBUILD_FAILURE,
      'require-review': REQUIRE_REVIEW,
      'on-stale': ON_STALE,
      comment: ['true', 'false'],
      probe: ['true', 'false'],
      'audit-required': ['true', 'false'],
      'drift-issue': ['true', 'false'],
      'fail-on-drift': ['true', 'false'],
      'check-run': CHECK_RUN,
      'changed-only': CHANGED_ONLY
    }
    for (const [name, values] of Object.entries(choices)) {
      for (const v of values) expect(action.inputs[name]!.description, name).toContain(`\`${v}\``)
      expect(values, name).toContain(action.inputs[name]!.default)
    }
  })

  it('says which event does what under mode auto, as the settings reader resolves it', () => {
    const cases: [string, string, string | undefined, string][] = [
      ['`pull_request` validates', 'refs/pull/1/merge', 'main', 'validate'],
      [
        "`merge_group` validates the queue's head commit",
        'refs/heads/gh-readonly-queue/main/pr-1-abc',
        'main',
        'validate'
      ],
      ["`push` to the repository's default branch", 'refs/heads/main', 'main', 'deploy'],
      ['`workflow_dispatch` deploy', 'refs/heads/feature', 'main', 'deploy'],
      ['`push` to another branch or a tag validates', 'refs/heads/feature', 'main', 'validate'],
      ['`push` to another branch or a tag validates', 'refs/tags/v1.0.0', 'main', 'validate'],
      ['`workflow_run` publishes', 'refs/heads/main', 'main', 'publish'],
      ['`schedule` runs drift', 'refs/heads/main', 'main', 'drift'],
      ['any other event validates', 'refs/heads/main', 'main', 'validate']
    ]
    const text = action.inputs.mode!.description
    expect(text).toContain('`pull_request_target` is refused')
    expect(() => resolveMode('auto', { name: 'pull_request_target', ref: 'refs/heads/main' })).toThrow(
      /pull_request_target/
    )
    for (const [phrase, ref, defaultBranch, mode] of cases) {
      expect(text).toContain(phrase)
      const name = /`(\w+)`/.exec(phrase)?.[1] ?? 'issue_comment'
      expect(resolveMode('auto', { name, ref, defaultBranch }), `${name} ${ref}`).toBe(mode)
    }
  })

  it('names every region of the closed list', () => {
    for (const name of Object.keys(REGION_DOMAINS)) expect(action.inputs.region!.description).toContain(name)
  })

  it('does not require index-file, which publish mode does without', () => {
    expect(action.inputs['index-file']!.required).toBe(false)
    expect(action.inputs['index-file']!.description).toContain('except `publish`')
  })

  it('says what each scalar output becomes with several objects', () => {
    const several = [
      'valid',
      'error-count',
      'warning-count',
      'changed',
      'diff',
      'payload-hash',
      'schema-version',
      'rebuild-status',
      'rebuild-seconds',
      'index-used',
      'probe-latency-ms',
      'records-examined',
      'audit-delivered'
    ]
    for (const name of several) {
      expect(action.outputs[name]!.description, name).toMatch(/With several objects, |with several, /)
    }
    for (const name of ['payload-hash', 'schema-version']) {
      expect(action.outputs[name]!.description, name).toMatch(/With one object, .*; with several, a JSON map/)
    }
  })

  it('says in which mode each mode-only output is set', () => {
    const only: Record<string, string> = {
      matrix: 'plan',
      reviewed: 'deploy',
      drifted: 'drift',
      drift: 'drift'
    }
    for (const [name, mode] of Object.entries(only)) {
      expect(action.outputs[name]!.description, name).toMatch(new RegExp(`^\`${mode}\` mode`))
      expect(action.outputs[name]!.description, name).toContain('Empty in other modes.')
    }
  })
})
