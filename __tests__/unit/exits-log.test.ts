// The run's log notices: one path (the exits' log) for every notice, redacted and escaped as the toolkit
// escapes command data, under a title when one is given. The check run's "token may not write checks" notice
// takes that path too.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createExits, type Exits } from '../../src/exits.js'
import type { GitHub } from '../../src/github/index.js'
import type { RunScope } from '../../src/scope.js'
import { publishCheckRun } from '../../src/sidechannels.js'

afterEach(() => {
  vi.restoreAllMocks()
})

/** What the step writes to stdout while `act` runs. */
function stdoutOf(act: () => void): string {
  const lines: string[] = []
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk))
    return true
  })
  act()
  vi.restoreAllMocks()
  return lines.join('')
}

const hideSecret = (text: string): string => text.replaceAll('s3cr3t', '***')

describe('a notice on the run log', () => {
  it('is one notice line under its title, redacted, its line breaks escaped', () => {
    const out = stdoutOf(() => {
      createExits(hideSecret).log.notice('token s3cr3t\n::error::forged', 'Check run s3cr3t')
    })
    expect(out.trim().split('\n')).toEqual(['::notice title=Check run ***::token ***%0A::error::forged'])
  })

  it('has no title when none is given', () => {
    const out = stdoutOf(() => {
      createExits(hideSecret).log.notice('plain')
    })
    expect(out.trim()).toBe('::notice::plain')
  })
})

describe('the check run a token may not write', () => {
  it('is a notice on the run log under check-run: auto, titled Check run', async () => {
    const notices: [string, string | undefined][] = []
    const warnings: string[] = []
    const exits = {
      log: {
        info: () => undefined,
        debug: () => undefined,
        warning: (m: string) => warnings.push(m),
        notice: (m: string, title?: string) => notices.push([m, title])
      },
      redact: hideSecret
    } as unknown as Exits
    const gh = {
      upsertCheckRun: () => Promise.resolve({ warning: '403 Resource not accessible', forbidden: true })
    } as unknown as GitHub
    const run = {
      settings: { mode: 'validate', checkRun: 'auto', commentKey: 'default' },
      runner: { repository: { owner: 'o', repo: 'r' } },
      exits,
      github: () => Promise.resolve(gh)
    } as unknown as RunScope
    await publishCheckRun(
      run,
      [],
      { pullRequest: 7, headSha: 'a'.repeat(40) },
      { summary: '', failure: undefined }
    )
    expect(warnings).toEqual([])
    expect(notices).toEqual([
      [
        expect.stringMatching(
          /^The check run is off: the token may not write checks .*403 Resource not accessible$/
        ),
        'Check run'
      ]
    ])
  })
})
