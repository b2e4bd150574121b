import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { OUTPUT_NAMES } from '../src/outputs.js'
import { readSettings } from '../src/settings.js'
import { ROOT } from './helpers/action.js'

interface ActionYml {
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
  'report-files',
  'pull-request',
  'drift-issue',
  'fail-on-drift'
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
})
