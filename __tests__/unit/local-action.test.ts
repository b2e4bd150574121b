// `npm run local-action`: the dotenv it hands @github/local-action (absolute workspace, a job-summary file, the
// emulator's URL and client), and its options. The whole loop is run in e2e/local-action.test.ts.
import { parseEnv } from 'node:util'
import { describe, expect, it } from 'vitest'
import {
  dotenvText,
  localActionEnv,
  parseLocalActionArgs,
  StepFailureWatch,
  wantsEmulator
} from '../../scripts/local-action.js'

const run = { root: '/repo', envDir: '/repo', tempDir: '/tmp/run' }

describe('the variables local-action gets', () => {
  it('point at the repository as the workspace, a summary file and a temp directory, on a pull_request', () => {
    expect(localActionEnv({ 'INPUT_INDEX-FILE': 'a.yaml' }, run)).toEqual({
      'INPUT_INDEX-FILE': 'a.yaml',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_WORKSPACE: '/repo',
      GITHUB_STEP_SUMMARY: '/tmp/run/summary.md',
      RUNNER_TEMP: '/tmp/run/runner-temp'
    })
  })

  it("read a relative GITHUB_WORKSPACE from the dotenv file's directory, and keep the user's event", () => {
    const env = localActionEnv(
      { GITHUB_WORKSPACE: '../indexes', GITHUB_EVENT_NAME: 'push' },
      {
        ...run,
        envDir: '/home/me/conf'
      }
    )
    expect(env.GITHUB_WORKSPACE).toBe('/home/me/indexes')
    expect(env.GITHUB_EVENT_NAME).toBe('push')
  })

  it('point the API and login at the emulator with its client, unless the file names a client', () => {
    const emulatorUrl = 'http://127.0.0.1:5000'
    expect(localActionEnv({ LOCAL_EMULATOR: 'true' }, { ...run, emulatorUrl })).toMatchObject({
      'INPUT_API-URL': emulatorUrl,
      'INPUT_LOGIN-URL': emulatorUrl,
      'INPUT_CLIENT-ID': 'emulator-client',
      'INPUT_CLIENT-SECRET': 'emulator-secret'
    })
    const own = localActionEnv(
      { 'INPUT_CLIENT-ID': 'reader', 'INPUT_CLIENT-SECRET': 's' },
      { ...run, emulatorUrl }
    )
    expect(own).toMatchObject({ 'INPUT_CLIENT-ID': 'reader', 'INPUT_CLIENT-SECRET': 's' })
    expect(own).not.toHaveProperty('LOCAL_EMULATOR')
  })

  it('leave the hosts alone without the emulator', () => {
    expect(wantsEmulator({ LOCAL_EMULATOR: 'false' })).toBe(false)
    expect(wantsEmulator({})).toBe(true)
    expect(localActionEnv({ INPUT_REGION: 'eu-west-1' }, run)).not.toHaveProperty('INPUT_API-URL')
  })

  it('are written so that a dotenv reader gets every value back as it was', () => {
    const env = { 'INPUT_INDEX-FILE': 'indexes/*.yaml', 'INPUT_CLIENT-SECRET': "a#b c'd$HOME", A: '' }
    expect(parseEnv(dotenvText(env))).toEqual(env)
    expect(() => dotenvText({ A: 'two\nlines' })).toThrow('more than one line')
  })
})

describe('the options of npm run local-action', () => {
  it('take a dotenv file and a data file, and refuse anything else', () => {
    expect(parseLocalActionArgs([])).toEqual({})
    expect(parseLocalActionArgs(['--env', 'my.env', '--data', 'objects.json'])).toEqual({
      envFile: 'my.env',
      dataFile: 'objects.json'
    })
    expect(parseLocalActionArgs(['--help'])).toBe('help')
    expect(() => parseLocalActionArgs(['--env'])).toThrow('--env expects a file')
    expect(() => parseLocalActionArgs(['--mode', 'deploy'])).toThrow('unknown option --mode')
  })
})

describe("the step's failure in local-action's output", () => {
  const watch = (...chunks: string[]): boolean => {
    const w = new StepFailureWatch()
    for (const c of chunks) w.feed(c)
    return w.failed()
  }

  it('is an ::error:: line, even split across chunks, and not an annotation', () => {
    expect(watch('::info::Mode: validate\n::error title=unknown-field,file=a.yaml::no field\n')).toBe(false)
    expect(watch('::info::x\n::err', 'or::1 object failed\n')).toBe(true)
    expect(watch('::error::the last line, unterminated')).toBe(true)
    expect(watch('see ::error:: in the middle of a line\n')).toBe(false)
  })
})
