import { describe, expect, it } from 'vitest'
import {
  readSettings,
  resolveMode,
  SettingsError,
  describeSettings,
  type EventInfo
} from '../../src/settings.js'

const pr: EventInfo = { name: 'pull_request', ref: 'refs/pull/7/merge', defaultBranch: 'main' }
const reader =
  (inputs: Record<string, string>) =>
  (name: string): string =>
    inputs[name] ?? ''

function read(inputs: Record<string, string>, event: EventInfo = pr) {
  return readSettings(reader({ 'index-file': 'indexes/*.yaml', ...inputs }), event, '/ws')
}

function errorOf(inputs: Record<string, string>, event: EventInfo = pr): string {
  try {
    read(inputs, event)
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError)
    return (e as Error).message
  }
  throw new Error('expected a SettingsError')
}

describe('settings', () => {
  it('applies the defaults of action.yml', () => {
    const s = read({})
    expect(s).toMatchObject({
      mode: 'validate',
      modeInput: 'auto',
      region: 'mypurecloud.com',
      comment: true,
      commentKey: 'default',
      failOn: 'error',
      rebuildTimeoutSeconds: 300,
      probe: true,
      auditRequired: false
    })
    expect(s.credentials).toBeUndefined()
    expect(s.maxIndexes).toBeUndefined()
  })

  it('requires index-file and names it', () => {
    expect(() => readSettings(reader({}), pr, '/ws')).toThrow(/'index-file' is required/)
  })

  it('rejects a mode outside its list and lists the allowed values', () => {
    expect(errorOf({ mode: 'apply' })).toBe(
      "Input 'mode' must be one of 'auto', 'validate', 'deploy', 'plan', 'publish', 'drift'; got 'apply'."
    )
  })

  it('rejects a fail-on outside its list', () => {
    expect(errorOf({ 'fail-on': 'sometimes' })).toMatch(
      /'fail-on' must be one of 'error', 'warning', 'never'/
    )
  })

  it('rejects a timeout that is not a positive whole number', () => {
    expect(errorOf({ 'rebuild-timeout-seconds': '-5' })).toMatch(
      /'rebuild-timeout-seconds' must be a whole number/
    )
    expect(errorOf({ 'rebuild-timeout-seconds': '1.5' })).toMatch(/'rebuild-timeout-seconds'/)
    expect(errorOf({ 'rebuild-timeout-seconds': 'soon' })).toMatch(/'rebuild-timeout-seconds'/)
  })

  it('rejects max-indexes that is not a positive whole number', () => {
    expect(errorOf({ 'max-indexes': '0' })).toMatch(/'max-indexes' must be a whole number from 1/)
  })

  it('rejects a boolean input that is not true or false', () => {
    expect(errorOf({ probe: 'maybe' })).toBe("Input 'probe' must be 'true' or 'false'; got 'maybe'.")
  })

  it('rejects a region with characters no host name has, naming the closest region', () => {
    expect(errorOf({ region: 'us east 1' })).toMatch(
      /^Input 'region': unknown region 'us east 1'\. Did you mean 'us-east-1'\?/
    )
  })

  it('rejects an api-url that is not an http(s) URL', () => {
    expect(errorOf({ 'api-url': 'ftp://x' })).toMatch(/'api-url' must be an http\(s\) URL/)
    expect(errorOf({ 'api-url': 'not a url' })).toMatch(/'api-url' must be an absolute http\(s\) URL/)
  })

  it('never echoes a password of a URL input, parsable or not', () => {
    for (const name of ['api-url', 'login-url', 'warehouse-url']) {
      for (const value of [
        'http://user:hunter2-pw@127.0.0.1:99999/x',
        'http//user:hunter2-pw@host/x',
        'http://user:hunter2/pw@host',
        'ftp://user:hunter2-pw@host/x',
        'https://user:hunter2-pw@example.com/x'
      ]) {
        const message = errorOf({ [name]: value, 'warehouse-url': name === 'warehouse-url' ? value : '' })
        expect(message).toContain(`'${name}'`)
        expect(message).not.toContain('hunter2')
      }
    }
  })

  it('requires client-id and client-secret together', () => {
    expect(errorOf({ 'client-id': 'abc' })).toMatch(/'client-id' is set but 'client-secret' is empty/)
    expect(errorOf({ 'client-secret': 's3cr3t' })).toMatch(/'client-secret' is set but 'client-id' is empty/)
  })

  it('never puts a secret in an error message', () => {
    expect(errorOf({ 'client-secret': 's3cr3t-value' })).not.toContain('s3cr3t-value')
  })

  it('replaces secrets when settings are described for the debug log', () => {
    const s = read({
      'client-id': 'id',
      'client-secret': 'top-secret',
      'warehouse-secret': 'wh-secret',
      'github-token': 'ghs_x'
    })
    const text = JSON.stringify(describeSettings(s))
    expect(text).not.toContain('top-secret')
    expect(text).not.toContain('wh-secret')
    expect(text).not.toContain('ghs_x')
    expect(text).toContain('"clientId":"id"')
  })

  it('trims trailing slashes of URL overrides', () => {
    expect(read({ 'api-url': 'http://127.0.0.1:8787/' }).apiUrl).toBe('http://127.0.0.1:8787')
  })
})

describe('mode auto', () => {
  it('validates pull_request', () => {
    expect(resolveMode('auto', pr)).toBe('validate')
  })

  it('refuses pull_request_target, naming the event, the risk and what to use instead', () => {
    const message = errorOf({}, { ...pr, name: 'pull_request_target' })
    expect(message).toContain("Input 'mode' is 'auto' on a 'pull_request_target' event")
    expect(message).toContain("base repository's secrets")
    expect(message).toContain("Trigger the check on 'pull_request'")
    expect(message).toContain("'mode: validate'")
  })

  it('runs an explicit mode on pull_request_target: the workflow chose it', () => {
    expect(resolveMode('validate', { ...pr, name: 'pull_request_target' })).toBe('validate')
  })

  it("validates a merge queue's group", () => {
    expect(
      resolveMode('auto', {
        name: 'merge_group',
        ref: 'refs/heads/gh-readonly-queue/main/pr-7-abc',
        defaultBranch: 'main'
      })
    ).toBe('validate')
  })

  it('deploys a push to the default branch and workflow_dispatch', () => {
    expect(resolveMode('auto', { name: 'push', ref: 'refs/heads/main', defaultBranch: 'main' })).toBe(
      'deploy'
    )
    expect(resolveMode('auto', { name: 'workflow_dispatch', ref: 'refs/heads/x' })).toBe('deploy')
  })

  it('validates a push to another branch', () => {
    expect(resolveMode('auto', { name: 'push', ref: 'refs/heads/feature', defaultBranch: 'main' })).toBe(
      'validate'
    )
  })

  it('publishes on workflow_run and runs drift on schedule', () => {
    expect(resolveMode('auto', { name: 'workflow_run', ref: 'refs/heads/main' })).toBe('publish')
    expect(resolveMode('auto', { name: 'schedule', ref: 'refs/heads/main' })).toBe('drift')
  })

  it('validates any other event', () => {
    expect(resolveMode('auto', { name: 'issue_comment', ref: 'refs/heads/main' })).toBe('validate')
  })

  it('keeps an explicit mode whatever the event', () => {
    expect(resolveMode('plan', pr)).toBe('plan')
  })
})

describe('region', () => {
  it('names the input for an unknown region name and lists the accepted ones', () => {
    expect(errorOf({ region: 'mars-north-1' })).toMatch(
      /^Input 'region': unknown region 'mars-north-1'\. Did you mean '[a-z0-9-]+'\?.*eu-west-1/
    )
  })

  it('suggests the closest domain for a misspelt one, before any request', () => {
    expect(errorOf({ region: 'mypurecloud.con' })).toMatch(
      /^Input 'region': unknown region 'mypurecloud\.con'\. Did you mean 'mypurecloud\.com'\?/
    )
  })

  it('rejects a host that is not a known domain even when api-url and login-url are given', () => {
    expect(
      errorOf({
        region: 'evil.example.com',
        'api-url': 'http://127.0.0.1:1',
        'login-url': 'http://127.0.0.1:2'
      })
    ).toMatch(/^Input 'region': unknown region 'evil\.example\.com'/)
  })

  it('accepts a region name with underscores and a domain', () => {
    expect(read({ region: 'eu_west_1' }).region).toBe('eu_west_1')
    expect(read({ region: 'mypurecloud.de' }).region).toBe('mypurecloud.de')
  })
})
