// The emulator's datasets: the seeded sample, a dataset given in memory or as a file, and state kept in a
// folder across restarts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { SAMPLE_IDS, sampleData, startEmulator, type EmulatorData } from '../../src/emulator/index.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers()

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'emulator-test-'))
  servers.track(() => {
    rmSync(d, { recursive: true, force: true })
  })
  return d
}

const OBJ = '11111111-2222-4333-8444-555555555555'
const tiny: EmulatorData = {
  objects: [
    {
      schema: {
        id: OBJ,
        name: 'Widget',
        schemaVersion: 3,
        fields: [
          { name: 'color', type: 'string', maxLength: 20 },
          { name: 'size', type: 'number' }
        ],
        indexes: [{ name: 'idx_color', fields: ['color'] }]
      },
      records: [
        { id: 'w1', color: 'red', size: 1 },
        { id: 'w2', color: 'blue', size: 2 },
        { id: 'w3', color: 'red', size: 3 }
      ]
    }
  ]
}

describe('sample dataset', () => {
  it('is the same for the same seed and differs for another', () => {
    const a = sampleData(7, 50, 10)
    expect(sampleData(7, 50, 10)).toEqual(a)
    expect(sampleData(8, 50, 10).objects[1]!.records[0]).not.toEqual(a.objects[1]!.records[0])
  })

  it('references only existing accounts from tickets', () => {
    const [accounts, tickets] = sampleData(42, 1000, 100).objects
    const ids = new Set(accounts!.records.map(a => a.id))
    expect(tickets!.records.every(t => ids.has(t.account as string))).toBe(true)
  })

  it('gives every ticket a distinct externalRef', () => {
    const tickets = sampleData(42, 5000, 10).objects[1]!.records
    expect(new Set(tickets.map(t => t.externalRef)).size).toBe(5000)
  })

  it('serves 100,000 tickets and 5,000 accounts by default', async () => {
    const e = await servers.emulator()
    const state = (await (await fetch(`${e.url}/__emulator/state`)).json()) as {
      objects: { id: string; records: number }[]
    }
    expect(Object.fromEntries(state.objects.map(o => [o.id, o.records]))).toEqual({
      [SAMPLE_IDS.ticket]: 100_000,
      [SAMPLE_IDS.account]: 5_000
    })
  })
})

describe('given datasets', () => {
  it('replaces the sample with data given in memory, its indexes active', async () => {
    const e = await servers.emulator({ data: tiny })
    expect(e.getSchema(SAMPLE_IDS.ticket)).toBeUndefined()
    expect(e.getSchema(OBJ)).toMatchObject({
      schemaVersion: 3,
      indexes: [{ name: 'idx_color', status: 'active' }]
    })
  })

  it('loads a dataset from a JSON file', async () => {
    const file = path.join(tempDir(), 'data.json')
    writeFileSync(file, JSON.stringify(tiny))
    const e = await servers.emulator({ dataFile: file })
    expect(e.getSchema(OBJ)!.name).toBe('Widget')
  })

  it('names the file when a dataset file is not a dataset', async () => {
    const file = path.join(tempDir(), 'bad.json')
    writeFileSync(file, '{"things": []}')
    await expect(startEmulator({ dataFile: file })).rejects.toThrow(file)
  })
})

describe('state folder', () => {
  it('keeps schema changes and records across a restart', async () => {
    const dir = tempDir()
    const first = await startEmulator({ data: tiny, stateDir: dir, rebuildRecordsPerSecond: 1_000_000 })
    const doc = first.getSchema(OBJ)!
    first.putSchemaDirect({ ...doc, indexes: [...doc.indexes, { name: 'idx_size', fields: ['size'] }] })
    await expect
      .poll(() => first.getSchema(OBJ)!.indexes[1]!.status, { timeout: 20_000, interval: 10 })
      .toBe('active')
    await first.close()

    const second = await servers.emulator({ stateDir: dir })
    expect(second.getSchema(OBJ)).toMatchObject({
      schemaVersion: 4,
      indexes: [
        { name: 'idx_color', status: 'active' },
        { name: 'idx_size', status: 'active' }
      ]
    })
    const state = (await (await fetch(`${second.url}/__emulator/state`)).json()) as {
      objects: { records: number }[]
    }
    expect(state.objects[0]!.records).toBe(3)
  })

  it('starts from the sample and writes it when the folder is empty', async () => {
    const dir = tempDir()
    const first = await startEmulator({ ticketCount: 100, accountCount: 10, stateDir: dir })
    await first.close()
    const second = await servers.emulator({ ticketCount: 5, accountCount: 5, stateDir: dir })
    const state = (await (await fetch(`${second.url}/__emulator/state`)).json()) as {
      objects: { id: string; records: number }[]
    }
    expect(state.objects.find(o => o.id === SAMPLE_IDS.ticket)!.records).toBe(100)
  })
})
