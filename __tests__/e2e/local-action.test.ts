// `npm run local-action` as a developer runs it: @github/local-action runs src/ against the embedded emulator,
// started on a free port of 127.0.0.1 and stopped by the script, and the job summary is printed at the end.
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { SAMPLE_IDS } from '../../src/emulator/index.js'
import { ROOT } from '../helpers/action.js'

async function localAction(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'local-action', '--', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    maxBuffer: 16 * 1024 * 1024
  })
  return stdout
}

describe('npm run local-action', () => {
  it('validates the example index file against the emulator and prints the job summary', async () => {
    const out = await localAction(['--env', '.env.example'])
    expect(out).toMatch(/^Data Gateway emulator on http:\/\/127\.0\.0\.1:\d+ \(sample data/m)
    expect(out).toContain('::info::Mode: validate')
    const summary = out.slice(out.indexOf('==== Job summary (GITHUB_STEP_SUMMARY) ===='))
    expect(summary).toContain('## Custom-object index check: ✅ pass — 1 object, 0 errors')
    expect(summary).toContain('`idx_status_priority` | ➕ added')
  }, 120_000)

  it("checks one's own object, loaded into the emulator with --data, from another workspace", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coi-local-'))
    const schema = {
      id: 'order-object',
      name: 'Order',
      schemaVersion: 3,
      fields: [
        { name: 'orderNo', type: 'string', maxLength: 32, cardinalityHint: 'high' },
        { name: 'total', type: 'number' }
      ],
      indexes: []
    }
    writeFileSync(path.join(dir, 'objects.json'), JSON.stringify({ objects: [{ schema, records: [] }] }))
    writeFileSync(
      path.join(dir, 'order.yaml'),
      'customObjectId: order-object\nindexes:\n  - name: idx_order_no\n    fields: [orderNo]\n'
    )
    writeFileSync(
      path.join(dir, 'local.env'),
      'INPUT_INDEX-FILE=order.yaml\nINPUT_MODE=validate\nINPUT_COMMENT=false\nGITHUB_WORKSPACE=.\n'
    )
    const out = await localAction([
      '--env',
      path.join(dir, 'local.env'),
      '--data',
      path.join(dir, 'objects.json')
    ])
    expect(out).toContain(`objects of ${path.join(dir, 'objects.json')}`)
    expect(out).toContain('Order (`order-ob…`)')
    expect(out).toContain('checked against schema version 3')
  }, 120_000)

  it('exits 1 when the step fails, as it would on GitHub, after printing the summary', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coi-local-'))
    writeFileSync(
      path.join(dir, 'ticket.yaml'),
      `customObjectId: ${SAMPLE_IDS.ticket}\nindexes:\n  - name: idx_nothing\n    fields: [noSuchField]\n`
    )
    writeFileSync(
      path.join(dir, 'local.env'),
      'INPUT_INDEX-FILE=ticket.yaml\nINPUT_COMMENT=false\nGITHUB_WORKSPACE=.\n'
    )
    const failure = await localAction(['--env', path.join(dir, 'local.env')]).then(
      () => undefined,
      (error: unknown) => error as { code: number; stdout: string }
    )
    expect(failure?.code).toBe(1)
    expect(failure?.stdout).toContain('## Custom-object index check: ❌')
    expect(failure?.stdout).toContain('The step failed (exit code 1), as it would on GitHub.')
  }, 120_000)
})
