// A write whose outcome is unknown is reported as unknown, end to end: the bundled action deploys against one
// emulator whose PUT commits but loses its answer and whose schema cannot be read back (a 503 asking to wait
// an hour, far past the PUT deadline). Then the workflow goes on: the faults clear and a re-run of the same
// deploy reports the truth, from the same emulator.
import { describe, it, type ExpectStatic } from 'vitest'
import type { AuditRecord } from '../../src/audit/record.js'
import type { ActionRun } from '../helpers/action.js'
import {
  auditOf,
  errorLines,
  expectNoSecrets,
  reported,
  requestsTo,
  rig,
  SCHEMA_GLOB,
  SCHEMA_PATH,
  TICKET,
  type Rig
} from '../helpers/deploy-rig.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers('file')

/** The PUT commits and its connection drops; every schema GET after it answers 503, asking for an hour. */
function loseTheWrite(r: Rig): void {
  r.emu.addFault({ method: 'PUT', path: SCHEMA_GLOB, kind: 'commit-then-drop' })
  r.emu.addFault({
    method: 'GET',
    path: SCHEMA_GLOB,
    kind: 'status',
    status: 503,
    retryAfter: 3600,
    count: 100,
    after: 'PUT'
  })
}

/** Run 1's checks: the step fails and every view says unknown. */
function expectUnknown(expect: ExpectStatic, r: Rig, run: ActionRun): AuditRecord {
  const where = `${run.stdout}\n${run.stderr}`
  expect(run.code, where).toBe(1)
  expect(run.outputs, where).toMatchObject({
    valid: 'false',
    changed: 'true',
    'schema-version': '',
    'rebuild-status': 'unknown'
  })
  const failure = errorLines(run).join('\n')
  expect(failure).toMatch(/the outcome of the write is unknown/)
  expect(failure).toMatch(/may have been applied/)
  expect(failure).toMatch(/drift mode/)
  expect(failure).toMatch(/re-run the deploy/)
  expect(run.summary).toMatch(/deploy: ❓ outcome unknown — 1 outcome unknown/)
  expect(run.summary).toMatch(/outcome unknown: the write may have been applied/)
  expect(run.summary).toContain(`schema version ${r.before.schemaVersion} → unknown · rebuild unknown`)
  expect(run.summary).not.toMatch(/rebuild skipped/)
  expect(reported(expect, run)).toMatchObject({ outcome: 'unknown', rebuild: { status: 'unknown' } })
  const audit = auditOf(expect, r)
  expect(audit).toMatchObject({
    customObjectId: TICKET,
    action: 'INDEX_DEPLOY_FAILED',
    outcome: 'unknown',
    previousSchemaVersion: r.before.schemaVersion,
    payloadHash: run.outputs['payload-hash'],
    governanceCompliant: false
  })
  expect(audit).not.toHaveProperty('schemaVersion')
  expectNoSecrets(expect, r, run)
  return audit
}

describe('a write whose outcome is unknown', () => {
  it('is reported as unknown: the step fails, no version, changed, rebuild-status unknown, audited as such', async ({
    expect
  }) => {
    const r = await rig(servers)
    loseTheWrite(r)
    const run = await r.run()
    expectUnknown(expect, r, run)
    // One PUT went out (never sent again blind), and it did land: the emulator holds the new version.
    expect(requestsTo(r, 'PUT', SCHEMA_PATH)).toHaveLength(1)
    expect(r.emu.getSchema(TICKET)!.schemaVersion).toBe(r.before.schemaVersion + 1)
  })

  it('a re-run once the platform answers again reports the truth: the write had landed, nothing to deploy', async ({
    expect
  }) => {
    const r = await rig(servers)
    loseTheWrite(r)
    const first = await r.run()
    expectUnknown(expect, r, first)

    r.emu.clearFaults()
    const second = await r.run()
    const where = `${second.stdout}\n${second.stderr}`
    expect(second.code, where).toBe(0)
    const live = r.emu.getSchema(TICKET)!
    expect(live.schemaVersion).toBe(r.before.schemaVersion + 1)
    expect(second.outputs, where).toMatchObject({
      valid: 'true',
      changed: 'false',
      'schema-version': String(live.schemaVersion),
      'rebuild-status': 'skipped'
    })
    expect(second.summary).toMatch(/deploy: ✅ unchanged — nothing to deploy/)
    // The re-run sent nothing: the one PUT is still run 1's.
    expect(requestsTo(r, 'PUT', SCHEMA_PATH)).toHaveLength(1)
    // Its own audit record says so, at the live version; run 1's record is left as it was.
    const records = r.wh.deliveries().map(d => d.body as AuditRecord)
    expect(records).toHaveLength(2)
    expect(records[0]).toMatchObject({ action: 'INDEX_DEPLOY_FAILED', outcome: 'unknown' })
    expect(records[1]).toMatchObject({ action: 'INDEX_UNCHANGED', schemaVersion: live.schemaVersion })
    expect(records[1]).not.toHaveProperty('outcome')
  })
})
