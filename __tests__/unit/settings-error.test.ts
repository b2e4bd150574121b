// A settings error still leaves a result: the error names its input, the summary says it (escaped), the report
// file holds it (mode `unknown` when the mode input was not one), and publish refuses such a report.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { publish } from '../../src/pipeline/publish.js'
import { buildReportFile, parseReportFile } from '../../src/report/file.js'
import { renderSettingsError } from '../../src/report/settings-error.js'
import { modeAsGiven, readSettings, SettingsError, type EventInfo } from '../../src/settings.js'
import { HEAD_SHA } from '../helpers/results.js'

const push: EventInfo = { name: 'push', ref: 'refs/heads/main', defaultBranch: 'main' }
const reader =
  (inputs: Record<string, string>) =>
  (name: string): string =>
    inputs[name] ?? ''

function settingsError(inputs: Record<string, string>): SettingsError {
  try {
    readSettings(reader({ 'index-file': 'indexes/*.yaml', ...inputs }), push, '/ws')
  } catch (e) {
    if (e instanceof SettingsError) return e
    throw e
  }
  throw new Error('expected a SettingsError')
}

describe('a settings error', () => {
  it.each([
    [{ mode: 'bogus' }, 'mode'],
    [{ region: 'us-east-9' }, 'region'],
    [{ 'rebuild-timeout-seconds': 'abc' }, 'rebuild-timeout-seconds'],
    [{ 'fail-on': 'sometimes' }, 'fail-on'],
    [{ 'api-url': 'not a url' }, 'api-url'],
    [{ 'client-id': 'only-the-id' }, 'client-secret'],
    [{ 'reviewed-payload-hash': 'abc' }, 'reviewed-payload-hash']
  ])('names the input it is about (%j → %s)', (inputs, input) => {
    expect(settingsError(inputs).input).toBe(input)
  })

  it('takes the input it is given over the one its message names', () => {
    expect(new SettingsError("Input 'a' is wrong", 'b').input).toBe('b')
    expect(new SettingsError('something else').input).toBeUndefined()
  })
})

describe('the mode as given', () => {
  it.each([
    ['bogus', undefined],
    ['', 'deploy'],
    ['auto', 'deploy'],
    ['VALIDATE', 'validate'],
    ['publish', 'publish']
  ])('of mode %j on a push to main is %s', (mode, expected) => {
    expect(modeAsGiven(reader({ mode }), push)).toBe(expected)
  })
})

describe('the summary of a settings error', () => {
  it('names the mode, the input and the problem, and says nothing ran', () => {
    const md = renderSettingsError({
      mode: 'deploy',
      input: 'rebuild-timeout-seconds',
      message: "Input 'rebuild-timeout-seconds' must be a whole number from 1 to 21600; got 'abc'."
    })
    expect(md).toMatch(/^## Custom-object index deploy: ❌ the inputs could not be read\n/)
    expect(md).toContain(
      "| Input | Problem |\n| --- | --- |\n| `rebuild-timeout-seconds` | Input 'rebuild-timeout-seconds' must be"
    )
    expect(md).toContain('no request was sent to the platform')
  })

  it('escapes the problem: an input value cannot open Markdown, HTML or a mention', () => {
    const md = renderSettingsError({
      input: 'index-file',
      message: "Input 'index-file' matched no file: '<img src=x>*_@octocat_`|'\n## injected"
    })
    expect(md).toMatch(/^## Custom-object index: ❌/)
    expect(md).not.toContain('<img')
    expect(md).not.toContain('@octocat')
    expect(md).not.toContain('\n## injected')
    expect(md).toContain('&lt;img src=x&gt;\\*\\_@\u200boctocat\\_\\`\\|')
  })
})

describe('the report file of a settings error', () => {
  const text = buildReportFile(
    {
      mode: 'unknown',
      commentKey: 'default',
      repository: 'acme/indexes',
      pullRequest: 7,
      headSha: HEAD_SHA,
      runId: '4242',
      error: { input: 'mode', message: "Input 'mode' must be one of 'auto', …; got 'bogus'." }
    },
    []
  )

  it('is read back with mode unknown, no object and the error', () => {
    expect(parseReportFile(text, 'r.json')).toMatchObject({
      mode: 'unknown',
      objects: [],
      error: { input: 'mode', message: expect.stringContaining("got 'bogus'") as string }
    })
  })

  it('refuses an error without its message, or with a key it does not know', () => {
    const data = JSON.parse(text) as Record<string, unknown>
    expect(() => parseReportFile(JSON.stringify({ ...data, error: { input: 'mode' } }), 'r.json')).toThrow(
      /not a valid report/
    )
    expect(() =>
      parseReportFile(JSON.stringify({ ...data, error: { message: 'x', extra: 1 } }), 'r.json')
    ).toThrow(/not a valid report/)
  })

  describe('in publish', () => {
    let dir: string | undefined
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    it('is refused, naming the file and the input, and nothing is published', async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'coi-publish-'))
      mkdirSync(path.join(dir, 'reports'))
      writeFileSync(path.join(dir, 'reports', 'a.json'), text)
      const ctx = {
        event: { name: 'workflow_run', ref: '' },
        headSha: HEAD_SHA,
        source: { runId: '777' }
      } as never
      await expect(
        publish({ reportFiles: 'reports/*.json', workspace: dir }, ctx, () => Promise.resolve(HEAD_SHA))
      ).rejects.toThrow(
        /^Report file reports\/a\.json is from a run that could not read its inputs \(input 'mode': Input 'mode' must be one of .*got 'bogus'\.\): it checked nothing\. .*Nothing was published\.$/
      )
    })
  })
})
