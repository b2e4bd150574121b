// Concurrent deploys, end to end: two runs of the bundled action (two child processes at once), each with its
// own workspace and index file adding its own index to one object without pruning. The PUTs are held back
// long enough that both runs read the same schema version first, so one PUT meets a 409 and re-merges.
// Both must end consistently: both indexes present when they fit; otherwise one run fails naming the limit;
// never a lost update.
import { describe, expect, it } from 'vitest'
import { SAMPLE_IDS, type RunningEmulator } from '../../src/emulator/index.js'
import type { Finding, LiveIndex, SchemaDocument } from '../../src/model.js'
import { runAction, type ActionRun, platformInputs, PUSH_TO_MAIN } from '../helpers/action.js'
import { useServers } from '../helpers/servers.js'

const TICKET = SAMPLE_IDS.ticket
const CLIENT = 'race-client'
const SECRET = 'race-client-secret'
const SCHEMA_PATH = `/api/v2/data-gateway/customobjects/schemas/${TICKET}`

const servers = useServers()

function emulator(): Promise<RunningEmulator> {
  return servers.emulator({
    ticketCount: 2000,
    accountCount: 200,
    rebuildRecordsPerSecond: 1_000_000,
    clients: [{ id: CLIENT, secret: SECRET }]
  })
}

function proposal(name: string, field: string): string {
  return `customObjectId: ${TICKET}
indexes:
  - name: ${name}
    fields: [${field}]
`
}

/** One deploy of `text` from its own workspace. */
function deploy(emu: RunningEmulator, text: string, inputs: Record<string, string> = {}): Promise<ActionRun> {
  const ws = servers.workspace({ 'indexes/ticket.yaml': text })
  return runAction({
    workspace: ws.dir,
    inputs: {
      'index-file': 'indexes/ticket.yaml',
      ...platformInputs(emu.url, CLIENT, SECRET),
      ...inputs
    },
    ...PUSH_TO_MAIN
  })
}

/**
 * Holds the first two PUTs until both have arrived, so that both runs GET the same version before either PUT
 * lands; the returned function waits for both and lets them go.
 */
function holdPuts(emu: RunningEmulator): () => Promise<void> {
  const path = '/api/v2/data-gateway/customobjects/schemas/*'
  const held = [emu.hold({ method: 'PUT', path, nth: 1 }), emu.hold({ method: 'PUT', path, nth: 2 })]
  return async () => {
    await Promise.all(held.map(h => h.reached))
    for (const h of held) h.release()
  }
}

const names = (doc: SchemaDocument): string[] => doc.indexes.map(i => i.name)
const puts = (emu: RunningEmulator): number[] =>
  emu
    .requests()
    .filter(q => q.method === 'PUT' && q.path === SCHEMA_PATH)
    .map(q => q.status)
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b)

/** Adds live indexes as another team would have, so the object starts with `extra` more indexes. */
function seed(emu: RunningEmulator, extra: LiveIndex[]): SchemaDocument {
  const doc = emu.getSchema(TICKET)!
  emu.putSchemaDirect({ ...doc, indexes: [...doc.indexes, ...extra] })
  return emu.getSchema(TICKET)!
}

describe('two deploys racing on one object', () => {
  it('both succeed and both indexes are present, each once, when they fit', async () => {
    const emu = await emulator()
    const before = emu.getSchema(TICKET)!
    const release = holdPuts(emu)
    const racing = Promise.all([
      deploy(emu, proposal('idx_assignee', 'assignee')),
      deploy(emu, proposal('idx_priority', 'priority'))
    ])
    await release()
    const [a, b] = await racing
    expect(a.code, a.stdout).toBe(0)
    expect(b.code, b.stdout).toBe(0)
    for (const run of [a, b]) {
      expect(run.outputs['rebuild-status']).toBe('active')
      expect(run.outputs['index-used']).toBe('true')
    }
    const after = emu.getSchema(TICKET)!
    expect(names(after).filter(n => n === 'idx_assignee')).toHaveLength(1)
    expect(names(after).filter(n => n === 'idx_priority')).toHaveLength(1)
    expect(names(after).slice(0, before.indexes.length)).toEqual(names(before))
    expect(after.indexes).toHaveLength(before.indexes.length + 2)
    expect(after.indexes.every(i => i.status === 'active')).toBe(true)
    // One change each: two versions, one PUT refused as stale and sent again after the re-merge.
    expect(after.schemaVersion).toBe(before.schemaVersion + 2)
    expect(sorted(puts(emu))).toEqual([200, 200, 409])
    expect([a.stdout, b.stdout].filter(s => /re-merging/.test(s))).toHaveLength(1)
    // Each reports a version its change is in: its own, or the other's when that landed during its rebuild wait.
    for (const run of [a, b]) {
      expect(Number(run.outputs['schema-version'])).toBeGreaterThanOrEqual(before.schemaVersion + 1)
      expect(Number(run.outputs['schema-version'])).toBeLessThanOrEqual(after.schemaVersion)
    }
  })

  it('one succeeds and the other fails naming the platform limit when only one fits', async () => {
    const emu = await emulator()
    // 4 live indexes; the platform allows 5: room for one of the two.
    const before = seed(emu, [
      { name: 'idx_priority', fields: ['priority'] },
      { name: 'idx_amount', fields: ['amount'] }
    ])
    expect(before.indexes).toHaveLength(4)
    const release = holdPuts(emu)
    const racing = Promise.all([
      deploy(emu, proposal('idx_assignee', 'assignee')),
      deploy(emu, proposal('idx_external', 'externalRef'))
    ])
    await release()
    const runs = await racing
    expectOneWinner(emu, before, runs, ['idx_assignee', 'idx_external'], 5)
  })

  it('one succeeds and the other fails naming the max-indexes policy when only one fits', async () => {
    const emu = await emulator()
    const before = emu.getSchema(TICKET)!
    expect(before.indexes).toHaveLength(2)
    const release = holdPuts(emu)
    const policy = { 'max-indexes': '3' }
    const racing = Promise.all([
      deploy(emu, proposal('idx_assignee', 'assignee'), policy),
      deploy(emu, proposal('idx_external', 'externalRef'), policy)
    ])
    await release()
    const runs = await racing
    expectOneWinner(emu, before, runs, ['idx_assignee', 'idx_external'], 3)
  })
})

/** Exactly one run deployed its index; the other failed on index-limit-exceeded and removed nothing. */
function expectOneWinner(
  emu: RunningEmulator,
  before: SchemaDocument,
  runs: ActionRun[],
  proposed: string[],
  limit: number
): void {
  const winners = runs.filter(r => r.code === 0)
  const losers = runs.filter(r => r.code !== 0)
  expect(winners, runs.map(r => r.stdout).join('\n----\n')).toHaveLength(1)
  expect(losers).toHaveLength(1)
  const winner = winners[0]!
  const loser = losers[0]!
  const winnerIndex = proposed[runs.indexOf(winner)]!
  const loserIndex = proposed[runs.indexOf(loser)]!

  expect(winner.outputs['rebuild-status']).toBe('active')
  expect(loser.code).toBe(1)
  expect(loser.outputs.valid).toBe('false')
  const findings = JSON.parse(loser.outputs.findings!) as Finding[]
  const limitFinding = findings.find(f => f.rule === 'index-limit-exceeded')
  expect(limitFinding?.severity).toBe('error')
  expect(limitFinding?.message).toContain(`limit of ${limit}`)
  expect(loser.stdout).toMatch(/^::error title=index-limit-exceeded.*limit of \d/m)

  // No lost update: the winner's index stays, the loser's never landed, the live ones are untouched.
  const after = emu.getSchema(TICKET)!
  expect(names(after)).toEqual([...names(before), winnerIndex])
  expect(names(after)).not.toContain(loserIndex)
  expect(after.schemaVersion).toBe(before.schemaVersion + 1)
  expect(after.indexes.every(i => i.status === 'active')).toBe(true)
  expect(puts(emu).filter(s => s === 200)).toHaveLength(1)
}
