import { describe, expect, it } from 'vitest'
import { SAMPLE_IDS, type RunningEmulator } from '../../src/emulator/index.js'
import type { GatewayClient } from '../../src/platform/gateway.js'
import { processObject } from '../../src/pipeline/object.js'
import type { PipelineOptions } from '../../src/pipeline/job.js'
import { createAuditSink } from '../../src/audit/deliver.js'
import { fakeClock } from '../helpers/clock.js'
import { connect, indexFile, memoryLogger, silentLogger } from '../helpers/platform.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers()

const TICKET = SAMPLE_IDS.ticket
const small = { ticketCount: 2000, accountCount: 200, rebuildRecordsPerSecond: 1_000_000 }
const source = {
  repository: 'acme/idx',
  sha: 'abc',
  ref: 'refs/heads/main',
  runId: '7',
  runAttempt: '1',
  actor: 'dev'
}

const ADD_ASSIGNEE = `customObjectId: ${TICKET}
indexes:
  - name: idx_assignee
    fields: [assignee]
`

function context(gateway: GatewayClient, over: Partial<PipelineOptions> = {}): PipelineOptions {
  return { log: silentLogger, live: gateway, rebuildTimeoutSeconds: 30, rebuildMaxPollMs: 200, ...over }
}

const job = (text: string) => ({ loaded: indexFile(text), customObjectId: TICKET, mode: 'deploy' as const })
const puts = (e: RunningEmulator): number => e.requests().filter(r => r.method === 'PUT').length

describe('deploy', () => {
  it('deploys a new index, waits for it to become active and proves it with a probe', async () => {
    const emu = await servers.emulator(small)
    const before = emu.getSchema(TICKET)!.schemaVersion
    const result = await processObject(context(connect(emu.url).gateway), job(ADD_ASSIGNEE))
    expect(result.error).toBeUndefined()
    expect(result.changed).toBe(true)
    expect(result.basedOnVersion).toBe(before)
    expect(result.schemaVersion).toBe(before + 1)
    expect(result.rebuild.status).toBe('active')
    expect(result.indexesAfter.find(i => i.name === 'idx_assignee')?.status).toBe('active')
    expect(result.probes).toHaveLength(1)
    expect(result.probes[0]).toMatchObject({
      index: 'idx_assignee',
      indexUsed: true,
      indexName: 'idx_assignee',
      strategy: 'index'
    })
    expect(result.baselineProbes[0]).toMatchObject({
      indexUsed: false,
      strategy: 'fullScan',
      recordsExamined: 2000
    })
    expect(result.findings.filter(f => f.rule === 'probe-full-scan')).toHaveLength(0)
  })

  it('skips the PUT when the live schema already matches, and still audits INDEX_UNCHANGED', async () => {
    const emu = await servers.emulator(small)
    const wh = await servers.warehouse()
    const text = `customObjectId: ${TICKET}\nindexes:\n  - name: idx_status\n    fields: [status]\n`
    const result = await processObject(
      context(connect(emu.url).gateway, {
        audit: { sink: createAuditSink({ url: wh.url }), required: false, source }
      }),
      job(text)
    )
    expect(result.changed).toBe(false)
    expect(result.rebuild.status).toBe('skipped')
    expect(puts(emu)).toBe(0)
    expect(result.audit).toBe('true')
    expect((wh.deliveries()[0]!.body as { action: string }).action).toBe('INDEX_UNCHANGED')
  })

  it('stops on error findings without a PUT', async () => {
    const emu = await servers.emulator(small)
    const text = `customObjectId: ${TICKET}\nindexes:\n  - name: idx_desc\n    fields: [description]\n`
    const result = await processObject(context(connect(emu.url).gateway), job(text))
    expect(result.findings.some(f => f.severity === 'error' && f.rule === 'not-indexable-type')).toBe(true)
    expect(puts(emu)).toBe(0)
    expect(result.rebuild.status).toBe('skipped')
  })

  it('recognises a PUT committed before the connection dropped: exactly one version bump', async () => {
    const emu = await servers.emulator(small)
    const before = emu.getSchema(TICKET)!.schemaVersion
    emu.addFault({
      method: 'PUT',
      path: '/api/v2/data-gateway/customobjects/schemas/*',
      kind: 'commit-then-drop'
    })
    const log = memoryLogger()
    const result = await processObject(context(connect(emu.url).gateway, { log }), job(ADD_ASSIGNEE))
    expect(result.error).toBeUndefined()
    expect(result.rebuild.status).toBe('active')
    expect(puts(emu)).toBe(1)
    expect(emu.getSchema(TICKET)!.schemaVersion).toBe(before + 1)
    expect(result.schemaVersion).toBe(before + 1)
    expect(log.lines.some(l => l.includes('the deploy went through'))).toBe(true)
  })

  it('re-merges on a 409 from a concurrent writer and keeps both changes', async () => {
    const emu = await servers.emulator(small)
    const running = emu
    const c = connect(emu.url)
    let raced = false
    const racing: GatewayClient = {
      ...c.gateway,
      putSchema: async (id, body, opts) => {
        if (!raced) {
          raced = true
          const doc = running.getSchema(TICKET)!
          running.putSchemaDirect({
            ...doc,
            indexes: [...doc.indexes, { name: 'idx_priority', fields: ['priority'] }]
          })
        }
        return c.gateway.putSchema(id, body, opts)
      }
    }
    const result = await processObject(context(racing), job(ADD_ASSIGNEE))
    expect(result.error).toBeUndefined()
    const names = emu.getSchema(TICKET)!.indexes.map(i => i.name)
    expect(names).toEqual(
      expect.arrayContaining(['idx_priority', 'idx_assignee', 'idx_status', 'idx_created'])
    )
    expect(
      emu
        .requests()
        .filter(r => r.method === 'PUT')
        .map(r => r.status)
    ).toEqual([409, 200])
    expect(result.diff.unmanaged).toContain('idx_priority')
  })

  it('fails the deploy when the rebuild fails, naming the index and its statusReason', async () => {
    const emu = await servers.emulator(small)
    const text = `customObjectId: ${TICKET}\nindexes:\n  - name: idx_status_unique\n    fields: [status, priority]\n    unique: true\n`
    const result = await processObject(context(connect(emu.url).gateway), job(text))
    expect(result.rebuild.status).toBe('failed')
    expect(result.rebuild.reason).toMatch(/index idx_status_unique failed: .+/)
    expect(result.error).toContain('idx_status_unique failed')
    expect(result.probes).toEqual([])
  })

  // The rebuilds below take an hour of real time, so they end only when the test ends them; the pipeline's wait
  // runs on a fake clock, so its polls and timeouts are counted, not waited for.
  const endless = { ...small, rebuildMinMs: 3_600_000 }

  it('times out when the rebuild outlasts rebuild-timeout-seconds', async () => {
    const emu = await servers.emulator(endless)
    const clock = fakeClock()
    const result = await processObject(
      context(connect(emu.url, { http: clock }).gateway, {
        rebuildTimeoutSeconds: 1,
        now: clock.now,
        sleep: clock.sleep
      }),
      job(ADD_ASSIGNEE)
    )
    expect(result.rebuild.status).toBe('timeout')
    expect(result.rebuild.seconds).toBe(1)
    expect(result.error).toMatch(/did not finish within 1 s/)
    expect(emu.getSchema(TICKET)!.indexes.find(i => i.name === 'idx_assignee')?.status).toBe('building')
  })

  it('refreshes an expired token during the rebuild wait and replays the poll once', async () => {
    const emu = await servers.emulator(endless)
    const clock = fakeClock()
    const c = connect(emu.url, { http: clock })
    clock.at(700, () => {
      emu.expireTokens()
    })
    clock.at(1500, () => {
      emu.finishRebuilds()
    })
    const result = await processObject(
      context(c.gateway, { now: clock.now, sleep: clock.sleep }),
      job(ADD_ASSIGNEE)
    )
    expect(result.error).toBeUndefined()
    expect(result.rebuild.status).toBe('active')
    expect(c.tokens.fetched()).toBe(2)
    expect(emu.requests().filter(r => r.status === 401)).toHaveLength(1)
  })

  it('makes at most 15 API requests for a one-object deploy with a 10-second rebuild', async () => {
    const emu = await servers.emulator(endless)
    const clock = fakeClock()
    clock.at(10_000, () => {
      emu.finishRebuilds()
    })
    const result = await processObject(
      {
        log: silentLogger,
        live: connect(emu.url, { http: clock }).gateway,
        rebuildTimeoutSeconds: 60,
        now: clock.now,
        sleep: clock.sleep
      },
      job(ADD_ASSIGNEE)
    )
    expect(result.rebuild.status).toBe('active')
    expect(result.rebuild.seconds).toBe(11.2)
    // Polls back off from 250 ms by ×1.5 up to 2 s: the ninth, at 11.2 s, is the first after the rebuild.
    expect(emu.requests().filter(r => r.method === 'GET' && r.path.endsWith(TICKET))).toHaveLength(10)
    expect(emu.requests()).toHaveLength(15)
  })
})
