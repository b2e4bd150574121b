// The deploy recipe over a fake gateway when a managed index is not active on the platform before the
// deploy: live `failed` (the object fails, no PUT) or still `building` from an earlier run (waited for, then
// probed). Time is a fake clock: the waits are counted in polls, never in real time.
import { describe, expect, it } from 'vitest'
import type { IndexStatus, SchemaDocument } from '../../src/model.js'
import { computeOutputs } from '../../src/outputs.js'
import { processObject } from '../../src/pipeline/object.js'
import type { PipelineOptions } from '../../src/pipeline/job.js'
import { renderSummary } from '../../src/report/summary.js'
import { fakeClock } from '../helpers/clock.js'
import { fakeGateway, recordingAudit, type FakeGateway } from '../helpers/fake-gateway.js'
import { indexFile, memoryLogger } from '../helpers/platform.js'

const ID = 'obj-1'
const REASON = 'unique index \'idx_code\' cannot be built: records r1 and r2 share the value "a" for [code]'

/** The live object: idx_status active, and idx_code (unique over code) in the state given. */
function liveDoc(codeStatus: IndexStatus): SchemaDocument {
  return {
    id: ID,
    name: 'Thing',
    schemaVersion: 4,
    fields: [
      { name: 'status', type: 'string', maxLength: 20 },
      { name: 'code', type: 'string', maxLength: 20, cardinalityHint: 'high' }
    ],
    indexes: [
      { name: 'idx_status', fields: ['status'], status: 'active' },
      {
        name: 'idx_code',
        fields: ['code'],
        unique: true,
        status: codeStatus,
        ...(codeStatus === 'failed' ? { statusReason: REASON } : {})
      }
    ]
  }
}

/** Another writer's deploy meanwhile, in which idx_code failed. */
const codeFails = (doc: SchemaDocument): SchemaDocument => ({
  ...doc,
  indexes: doc.indexes.map(i =>
    i.name === 'idx_code' ? { ...i, status: 'failed' as const, statusReason: REASON } : i
  )
})

/** The index file: both indexes as they are live (idx_code unique), or idx_code without unique. */
const KEEPS = `customObjectId: ${ID}
indexes:
  - name: idx_status
    fields: [status]
  - name: idx_code
    fields: [code]
    unique: true
`
const DROPS_UNIQUE = KEEPS.replace('    unique: true\n', '')

/** A run of the deploy recipe with a fake clock (sleep moves it on), an audit sink that keeps its records. */
async function deployWith(platform: FakeGateway, text: string, options: Partial<PipelineOptions> = {}) {
  const clock = fakeClock()
  const { audit, records } = recordingAudit()
  const log = memoryLogger()
  const result = await processObject(
    {
      log,
      live: platform.gateway,
      rebuildTimeoutSeconds: 30,
      now: clock.now,
      sleep: clock.sleep,
      audit,
      ...options
    },
    { loaded: indexFile(text), customObjectId: ID, mode: 'deploy' }
  )
  const outputs = computeOutputs([result], 'deploy', { reportPath: '' })
  return { result, records, log, outputs }
}

describe('a managed index that is live failed', () => {
  it('fails the object without a PUT, audited INDEX_DEPLOY_FAILED with rebuild status failed', async () => {
    const platform = fakeGateway(liveDoc('failed'))
    const { result, records, outputs } = await deployWith(platform, KEEPS)
    expect(platform.puts()).toBe(0)
    expect(result).toMatchObject({
      outcome: 'failed',
      auditAction: 'INDEX_DEPLOY_FAILED',
      changed: false,
      schemaVersion: 4,
      rebuild: { status: 'failed', seconds: 0, reason: `index idx_code failed: ${REASON}` }
    })
    expect(result.findings.map(f => [f.rule, f.severity, f.index])).toEqual([
      ['live-index-failed', 'error', 'idx_code']
    ])
    expect(records.map(r => [r.action, r.rebuild.status, r.schemaVersion])).toEqual([
      ['INDEX_DEPLOY_FAILED', 'failed', 4]
    ])
    expect(outputs).toMatchObject({ valid: 'false', 'rebuild-status': 'failed', changed: 'false' })
  })

  it('says no rebuild ran in the summary, with the rebuild outputs and audit record as the rules give them', async () => {
    const { result, records, outputs } = await deployWith(fakeGateway(liveDoc('failed')), KEEPS)
    const summary = renderSummary([result], { mode: 'deploy' })
    expect(summary).toContain(
      'schema version 4, nothing deployed · no rebuild: the platform already reports index idx\\_code failed: unique index'
    )
    expect(summary).not.toMatch(/rebuild failed in/)
    expect(summary).not.toContain('4 → 4')
    expect(outputs).toMatchObject({ 'rebuild-status': 'failed', 'rebuild-seconds': '0', changed: 'false' })
    expect(records.map(r => r.rebuild)).toEqual([{ status: 'failed', seconds: 0 }])
  })

  it('names the index, the reason and what to change in the error', async () => {
    const { result } = await deployWith(fakeGateway(liveDoc('failed')), KEEPS)
    expect(result.error).toMatch(/^Object obj-1 \(schema version 4\): index idx_code failed: unique index/)
    expect(result.error).toContain('nothing was deployed')
    expect(result.error).toContain('drop unique')
    expect(result.error).toContain('prune: true')
  })

  it('fails without a PUT under drop-failed too: an index this deploy did not build is not its to drop', async () => {
    const platform = fakeGateway(liveDoc('failed'))
    const { result } = await deployWith(platform, KEEPS, { onRebuildFailure: 'drop-failed' })
    expect(platform.puts()).toBe(0)
    expect(result.outcome).toBe('failed')
    expect(result.rolledBack).toBeUndefined()
  })

  it('fails without another PUT when the index is found failed on the re-read after a 409', async () => {
    const platform = fakeGateway(liveDoc('active'), { failures: ['conflict'], otherWriter: codeFails })
    const adds = `${KEEPS}  - name: idx_status_code\n    fields: [status, code]\n`
    const { result } = await deployWith(platform, adds)
    expect(platform.puts()).toBe(1)
    expect(result).toMatchObject({
      outcome: 'failed',
      basedOnVersion: 5,
      rebuild: { status: 'failed', reason: `index idx_code failed: ${REASON}` }
    })
    expect(result.error).toContain('nothing was deployed')
  })

  it('deploys a changed definition of the failed index normally: that is the fix', async () => {
    const platform = fakeGateway(liveDoc('failed'))
    const { result, records } = await deployWith(platform, DROPS_UNIQUE)
    expect(platform.puts()).toBe(1)
    expect(result).toMatchObject({ outcome: 'deployed', schemaVersion: 5, rebuild: { status: 'active' } })
    expect(result.error).toBeUndefined()
    expect(records.map(r => r.action)).toEqual(['INDEX_DEPLOYED'])
  })
})

describe('a managed index still building from an earlier run', () => {
  it('is waited for, probed, and the object is unchanged once it is active', async () => {
    const platform = fakeGateway(liveDoc('building'), { settle: { to: 'active', pollsUntil: 3 } })
    const { result, records, outputs, log } = await deployWith(platform, KEEPS)
    expect(platform.puts()).toBe(0)
    expect(result).toMatchObject({ outcome: 'unchanged', auditAction: 'INDEX_UNCHANGED', changed: false })
    expect(result.rebuild.status).toBe('active')
    expect(result.error).toBeUndefined()
    // The first GET read the schema; the polls after it saw the rebuild end.
    expect(platform.calls.filter(c => c === 'GET').length).toBeGreaterThan(1)
    expect(result.probes.map(p => [p.index, p.indexUsed])).toEqual([['idx_code', true]])
    expect(result.indexesAfter.map(i => [i.name, i.status])).toEqual([
      ['idx_status', 'active'],
      ['idx_code', 'active']
    ])
    expect(records.map(r => [r.action, r.rebuild.status])).toEqual([['INDEX_UNCHANGED', 'active']])
    expect(outputs).toMatchObject({ valid: 'true', 'rebuild-status': 'active', 'index-used': 'true' })
    expect(log.lines.some(l => l.includes('idx_code still builds'))).toBe(true)
  })

  it('fails the object as the deploy’s own rebuild would when it ends failed', async () => {
    const platform = fakeGateway(liveDoc('building'), { settle: { to: 'failed', pollsUntil: 2 } })
    const { result, records } = await deployWith(platform, KEEPS)
    expect(platform.puts()).toBe(0)
    expect(result).toMatchObject({
      outcome: 'failed',
      rebuild: { status: 'failed', reason: 'index idx_code failed: duplicate values' }
    })
    expect(result.error).toContain('index idx_code failed: duplicate values')
    expect(result.probes).toEqual([])
    expect(records.map(r => r.action)).toEqual(['INDEX_DEPLOY_FAILED'])
    // A rebuild was watched here: the summary says how long.
    expect(result.rebuild.seconds).toBeGreaterThan(0)
    expect(renderSummary([result], { mode: 'deploy' })).toContain(
      `rebuild failed in ${result.rebuild.seconds} s: index idx\\_code failed: duplicate values`
    )
  })

  it('reports a timeout within rebuild-timeout-seconds when it does not finish', async () => {
    const platform = fakeGateway(liveDoc('building'))
    const { result, outputs } = await deployWith(platform, KEEPS, { rebuildTimeoutSeconds: 5 })
    expect(platform.puts()).toBe(0)
    expect(result.outcome).toBe('failed')
    expect(result.rebuild.status).toBe('timeout')
    expect(result.rebuild.seconds).toBe(5)
    expect(result.error).toContain('still building: idx_code')
    expect(outputs).toMatchObject({ valid: 'false', 'rebuild-status': 'timeout' })
  })

  it('leaves the wait to the PUT’s own rebuild when the file changes something else', async () => {
    const platform = fakeGateway(liveDoc('building'), { settle: { to: 'active', pollsUntil: 2 } })
    const adds = `${KEEPS}  - name: idx_status_code\n    fields: [status, code]\n`
    const { result } = await deployWith(platform, adds)
    expect(platform.puts()).toBe(1)
    expect(result).toMatchObject({ outcome: 'deployed', rebuild: { status: 'active' } })
  })
})
