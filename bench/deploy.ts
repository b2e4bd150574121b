// Deploy overhead against the emulator (rebuilds of 2 s, 10 s and 60 s: wall time beyond the rebuild, and
// requests made) and a fan-out of 50 objects inside a 300/min budget (time against requests ÷ budget, 429s,
// failures; two new indexes per object, so the run needs more than one minute's budget). Runnable alone: `npx tsx bench/deploy.ts [--quick]` (quick skips the 60 s case).
import { pathToFileURL } from 'node:url'
import { startEmulator } from '../src/emulator/index.js'
import { SAMPLE_IDS } from '../src/emulator/index.js'
import { mapLimit } from '../src/concurrency.js'
import { parseIndexFile } from '../src/indexfile/parse.js'
import { silentLogger } from '../src/log.js'
import type { LoadedIndexFile } from '../src/model.js'
import { processObject } from '../src/pipeline/object.js'
import { benchObjects, connect } from './fixtures.js'
import type { BenchRow } from './types.js'

function load(text: string): LoadedIndexFile {
  const parsed = parseIndexFile('bench.yaml', text)
  if (!parsed.loaded) throw new Error(`bench index file invalid: ${JSON.stringify(parsed.findings)}`)
  return parsed.loaded
}

async function deployOnce(rebuildMs: number): Promise<BenchRow[]> {
  const emu = await startEmulator({
    ticketCount: 2000,
    accountCount: 200,
    rebuildRecordsPerSecond: 10_000_000,
    rebuildMinMs: rebuildMs
  })
  try {
    const { gateway } = connect(emu.url)
    const text = `customObjectId: ${SAMPLE_IDS.ticket}\nindexes:\n  - name: idx_assignee\n    fields: [assignee]\n`
    const started = performance.now()
    const result = await processObject(
      { log: silentLogger, live: gateway, rebuildTimeoutSeconds: rebuildMs / 1000 + 60 },
      { loaded: load(text), customObjectId: SAMPLE_IDS.ticket, mode: 'deploy' }
    )
    const wall = performance.now() - started
    if (result.error) throw new Error(result.error)
    const label = `deploy, ${rebuildMs / 1000} s rebuild`
    return [
      {
        name: `${label}: overhead (wall − rebuild)`,
        value: Math.round(wall - rebuildMs),
        unit: 'ms',
        note: `wall ${Math.round(wall)} ms, rebuild seen after ${result.rebuild.seconds} s`
      },
      {
        name: `${label}: API requests`,
        value: emu.requests().length,
        unit: 'requests',
        note: 'token, limits, GET, PUT, polls, probes'
      }
    ]
  } finally {
    await emu.close()
  }
}

const FANOUT = 50
const BUDGET = 300

async function fanout(): Promise<BenchRow[]> {
  const emu = await startEmulator({
    data: benchObjects(FANOUT, { indexes: [], nModulo: 50 }),
    rateLimitPerMinute: BUDGET,
    rebuildMinMs: 200
  })
  try {
    const { gateway, http } = connect(emu.url)
    const ctx = { log: silentLogger, live: gateway, rebuildTimeoutSeconds: 120 }
    const started = performance.now()
    const results = await mapLimit(
      Array.from({ length: FANOUT }, (_, i) => i),
      4,
      i => {
        const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
        const text = `customObjectId: ${id}\nindexes:\n  - name: idx_code\n    fields: [code]\n  - name: idx_n\n    fields: [n]\n`
        return processObject(ctx, { loaded: load(text), customObjectId: id, mode: 'deploy' })
      }
    )
    const wall = (performance.now() - started) / 1000
    const api = emu.requests().filter(r => r.path.startsWith('/api/'))
    const floor = Math.max(0, Math.ceil(api.length / BUDGET) - 1) * 60
    return [
      {
        name: `fan-out ${FANOUT} objects: wall time`,
        value: Math.round(wall * 10) / 10,
        unit: 's',
        note: `${api.length} API requests at ${BUDGET}/min: at least ${floor} s of window waits`
      },
      {
        name: `fan-out ${FANOUT} objects: API requests`,
        value: api.length,
        unit: 'requests',
        note: `${http.stats().retries} retries`
      },
      {
        name: `fan-out ${FANOUT} objects: 429 answers`,
        value: api.filter(r => r.status === 429).length,
        unit: 'count'
      },
      {
        name: `fan-out ${FANOUT} objects: failures`,
        value: results.filter(r => r.error !== undefined).length,
        unit: 'objects'
      }
    ]
  } finally {
    await emu.close()
  }
}

export async function benchDeploy(opts: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  for (const ms of opts.quick ? [2000, 10_000] : [2000, 10_000, 60_000]) rows.push(...(await deployOnce(ms)))
  rows.push(...(await fanout()))
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchDeploy({ quick: process.argv.includes('--quick') })
  console.log('| figure | value | unit | note |\n| --- | ---: | --- | --- |')
  for (const r of rows) console.log(`| ${r.name} | ${r.value} | ${r.unit} | ${r.note ?? ''} |`)
}
