import { describe, expect, it } from 'vitest'
import { SAMPLE_IDS } from '../../src/emulator/index.js'
import type { Mode } from '../../src/model.js'
import { processObject } from '../../src/pipeline/object.js'
import { pipelineContext } from '../../src/pipeline/job.js'
import { connect, indexFile, silentLogger } from '../helpers/platform.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers()

const TICKET = SAMPLE_IDS.ticket
const small = { ticketCount: 2000, accountCount: 200, rebuildRecordsPerSecond: 1_000_000 }
const TEXT = `customObjectId: ${TICKET}
indexes:
  - name: idx_assignee
    fields: [assignee]
  - name: idx_account_tier
    fields: [account.tier]
`
const job = (mode: Mode, text = TEXT) => ({ loaded: indexFile(text), customObjectId: TICKET, mode })

describe('pipeline without credentials', () => {
  it('runs the file-only checks and says nothing about live', async () => {
    const result = await processObject({ log: silentLogger }, job('validate'))
    expect(result.live).toBe(false)
    expect(result.diff).toEqual({ added: [], modified: [], removed: [], unmanaged: [] })
    expect(result.rebuild.status).toBe('skipped')
    expect(result.audit).toBe('skipped')
    expect(result.error).toBeUndefined()
  })

  it("lists the file's indexes as the proposal, without statuses", async () => {
    const result = await processObject({ log: silentLogger }, job('validate'))
    expect(result.indexesBefore).toEqual([])
    expect(result.indexesAfter).toEqual([
      { name: 'idx_assignee', fields: ['assignee'] },
      { name: 'idx_account_tier', fields: ['account.tier'] }
    ])
  })

  it('applies the max-indexes policy to the file-only checks', async () => {
    const result = await processObject({ log: silentLogger, maxIndexes: 1 }, job('validate'))
    expect(result.findings.map(f => f.rule)).toContain('index-limit-exceeded')
  })

  it('refuses to deploy without credentials', async () => {
    const result = await processObject({ log: silentLogger }, job('deploy'))
    expect(result.error).toMatch(/client-id and client-secret/)
  })
})

describe('pipeline against the live schema', () => {
  it('validates: merges, diffs, hashes and runs the baseline probes read-only', async () => {
    const emu = await servers.emulator(small)
    const before = emu.getSchema(TICKET)!.schemaVersion
    const result = await processObject({ log: silentLogger, live: connect(emu.url).gateway }, job('validate'))
    expect(result.error).toBeUndefined()
    expect(result.live).toBe(true)
    expect(result.objectName).toBe('Ticket')
    expect(result.diff.added).toEqual(['idx_assignee', 'idx_account_tier'])
    expect(result.diff.unmanaged).toEqual(expect.arrayContaining(['idx_created', 'idx_status']))
    expect(result.changed).toBe(true)
    expect(result.payloadHash).toMatch(/^[0-9a-f]{64}$/)
    expect(result.textDiff).toContain('idx_assignee')
    expect(result.baselineProbes.map(p => p.index)).toEqual(['idx_assignee', 'idx_account_tier'])
    expect(result.baselineProbes.every(p => !p.indexUsed && p.recordsExamined === 2000)).toBe(true)
    expect(emu.requests().some(r => r.method === 'PUT')).toBe(false)
    expect(emu.getSchema(TICKET)!.schemaVersion).toBe(before)
  })

  it('fetches the schemas its join paths reach', async () => {
    const emu = await servers.emulator(small)
    await processObject({ log: silentLogger, live: connect(emu.url).gateway }, job('plan'))
    expect(emu.requests().some(r => r.path.endsWith(`/schemas/${SAMPLE_IDS.account}`))).toBe(true)
  })

  it('plans without probes and without writes', async () => {
    const emu = await servers.emulator(small)
    const result = await processObject({ log: silentLogger, live: connect(emu.url).gateway }, job('plan'))
    expect(result.baselineProbes).toEqual([])
    expect(emu.requests().filter(r => r.method !== 'GET' && !r.path.startsWith('/oauth'))).toEqual([])
  })

  it('fetches the limits and other objects once per run', async () => {
    const emu = await servers.emulator(small)
    const ctx = pipelineContext({ log: silentLogger, live: connect(emu.url).gateway, probe: false })
    await processObject(ctx, job('validate'))
    await processObject(ctx, job('validate'))
    const paths = emu.requests().map(r => r.path)
    expect(paths.filter(p => p.endsWith('/limits'))).toHaveLength(1)
    expect(paths.filter(p => p.endsWith(`/schemas/${SAMPLE_IDS.account}`))).toHaveLength(1)
  })

  it('lowers the platform limit by max-indexes', async () => {
    const emu = await servers.emulator(small)
    const result = await processObject(
      { log: silentLogger, live: connect(emu.url).gateway, maxIndexes: 3, probe: false },
      job('validate')
    )
    expect(result.findings.find(f => f.rule === 'index-limit-exceeded')?.severity).toBe('error')
  })

  it('puts a fatal error in the result instead of throwing', async () => {
    const emu = await servers.emulator(small)
    const missing = `customObjectId: 00000000-0000-0000-0000-000000000000\nindexes:\n  - name: idx_a\n    fields: [a]\n`
    const result = await processObject(
      { log: silentLogger, live: connect(emu.url).gateway },
      { loaded: indexFile(missing), customObjectId: '00000000-0000-0000-0000-000000000000', mode: 'validate' }
    )
    expect(result.error).toMatch(
      /GET .*\/schemas\/00000000-0000-0000-0000-000000000000 failed: 404 not\.found/
    )
  })
})
