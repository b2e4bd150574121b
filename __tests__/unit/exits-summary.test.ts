// The job summary outside a runner (a local run without GITHUB_STEP_SUMMARY): not written, and said so.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createExits } from '../../src/exits.js'

afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

describe('the job summary', () => {
  it('says it was not written when GITHUB_STEP_SUMMARY is not set, instead of dropping it silently', async () => {
    vi.stubEnv('GITHUB_STEP_SUMMARY', '')
    const lines: string[] = []
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk))
      return true
    })
    const written = await createExits(t => t).summary('## hello')
    expect(written).toBe(false)
    expect(lines.join('')).toContain('No job summary: GITHUB_STEP_SUMMARY is not set')
  })
})
