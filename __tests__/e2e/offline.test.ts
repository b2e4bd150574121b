// The bundle run as GitHub runs it, with no client credentials: the file-only checks.
import { describe, expect, it } from 'vitest'
import { runAction } from '../helpers/action.js'
import { useServers } from '../helpers/servers.js'

const GOOD = `customObjectId: 0b4f0ac2-8f0e-4e2a-9d3c-6d1b1f6e2a11
indexes:
  - name: idx_status_priority
    fields: [status, priority]
`
const BAD = `customObjectId: 0b4f0ac2-8f0e-4e2a-9d3c-6d1b1f6e2a11
indexes:
  - name: idx_status
    fields: [status]
    order: [asc, desc]
`

// Every test starts its own servers; the concurrent tests share the list of closers, so it closes after the file.
const servers = useServers('file')
function workspace(files: Record<string, string>): string {
  return servers.workspace(files).dir
}

describe.concurrent('offline validate (no credentials)', () => {
  it('passes a valid file, writes the outputs and says live checks were skipped', async () => {
    const run = await runAction({
      workspace: workspace({ 'indexes/ticket.yaml': GOOD }),
      inputs: { 'index-file': 'indexes/*.yaml' }
    })
    expect(run.code).toBe(0)
    expect(run.outputs.mode).toBe('validate')
    expect(run.outputs.valid).toBe('true')
    expect(run.outputs['error-count']).toBe('0')
    expect(run.outputs['warning-count']).toBe('0')
    expect(JSON.parse(run.outputs.findings!)).toEqual([])
    expect(run.stdout).toContain('Live checks skipped: no client-id/client-secret were given')
  })

  it('says in the summary heading that the file was not compared with the live schema, never a pass mark', async () => {
    const run = await runAction({
      workspace: workspace({ 'indexes/ticket.yaml': GOOD }),
      inputs: { 'index-file': 'indexes/*.yaml' }
    })
    const heading = run.summary.split('\n').find(l => l.startsWith('#'))
    expect(heading).toContain('file checks only — not compared with the live schema')
    expect(run.summary).not.toContain('✅')
  })

  it('annotates errors first, at most 10 of each level, then one notice counting the rest', async () => {
    // 1,000 indexes: every one an invalid name (error) and most of them far past the platform's limit.
    const indexes = Array.from(
      { length: 1000 },
      (_, i) =>
        `  - name: ${i % 2 === 0 ? `${i}bad` : `idx_${i}`}\n    fields: [f${i}]\n    order: [asc, desc]\n`
    ).join('')
    const run = await runAction({
      workspace: workspace({ 'big.yaml': `customObjectId: big\nindexes:\n${indexes}` }),
      inputs: { 'index-file': 'big.yaml' }
    })
    const lines = run.stdout.split('\n')
    const errors = lines.filter(l => l.startsWith('::error title='))
    const warnings = lines.filter(l => l.startsWith('::warning title='))
    const notices = lines.filter(l => l.startsWith('::notice'))
    const findings = JSON.parse(run.outputs.findings!) as unknown[]
    expect(findings.length).toBeGreaterThan(20)
    expect(errors).toHaveLength(10)
    expect(warnings.length).toBeLessThanOrEqual(10)
    expect(notices).toHaveLength(1)
    expect(notices[0]).toContain((findings.length - errors.length - warnings.length).toLocaleString('en-US'))
    // Errors come before any warning.
    const firstWarning = lines.findIndex(l => l.startsWith('::warning title='))
    const lastError = lines.map(l => l.startsWith('::error title=')).lastIndexOf(true)
    if (firstWarning >= 0) expect(lastError).toBeLessThan(firstWarning)
  })

  it('fails on an error finding with an annotation on the file line', async () => {
    const run = await runAction({
      workspace: workspace({ 'ticket.yaml': BAD }),
      inputs: { 'index-file': 'ticket.yaml' }
    })
    expect(run.code).toBe(1)
    expect(run.outputs.valid).toBe('false')
    expect(run.outputs['error-count']).toBe('1')
    const [finding] = JSON.parse(run.outputs.findings!) as { rule: string; file: string; line: number }[]
    expect(finding).toMatchObject({ rule: 'order-length-mismatch', file: 'ticket.yaml', line: 5 })
    expect(run.stdout).toMatch(/::error title=order-length-mismatch,file=ticket\.yaml,line=5::/)
    expect(run.stdout).not.toMatch(/\n\s+at /)
  })

  it('does not fail on errors when fail-on is never', async () => {
    const run = await runAction({
      workspace: workspace({ 'ticket.yaml': BAD }),
      inputs: { 'index-file': 'ticket.yaml', 'fail-on': 'never' }
    })
    expect(run.code).toBe(0)
    expect(run.outputs['error-count']).toBe('1')
  })

  it('fails a file that does not parse, naming file and line', async () => {
    const run = await runAction({
      workspace: workspace({ 'broken.yaml': 'indexes:\n  - name: a\n    fields: [status\n' }),
      inputs: { 'index-file': 'broken.yaml', 'custom-object-id': 'abc' }
    })
    expect(run.code).toBe(1)
    const findings = JSON.parse(run.outputs.findings!) as { rule: string; file: string; line?: number }[]
    expect(findings[0]).toMatchObject({ rule: 'file-invalid', file: 'broken.yaml' })
    expect(findings[0]!.line).toBeGreaterThan(0)
  })

  it('fails with the input named when a bad mode is given, before reading any file', async () => {
    const run = await runAction({
      workspace: workspace({ 'a.yaml': GOOD }),
      inputs: { 'index-file': 'a.yaml', mode: 'apply' }
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      "::error::Input 'mode' must be one of 'auto', 'validate', 'deploy', 'plan', 'publish', 'drift'; got 'apply'."
    )
  })

  it('writes the job summary and a report file', async () => {
    const run = await runAction({
      workspace: workspace({ 'a.yaml': GOOD }),
      inputs: { 'index-file': 'a.yaml' }
    })
    expect(run.summary.length).toBeGreaterThan(0)
    expect(run.outputs.report).toMatch(/\.json$/)
  })
})
