// The emulator's own figures: load time and heap of the 100,000-record default dataset, and an indexed term
// query beside a full scan, over HTTP (median of many). Runnable alone: `npx tsx bench/emulator.ts`.
import { pathToFileURL } from 'node:url'
import { SAMPLE_IDS, startEmulator, type RunningEmulator } from '../src/emulator/index.js'
import type { BenchRow } from './types.js'

async function token(url: string): Promise<string> {
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('emulator-client:emulator-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded'
    },
    body: 'grant_type=client_credentials'
  })
  return ((await res.json()) as { access_token: string }).access_token
}

interface QueryAnswer {
  queryPlan: { strategy: string; recordsExamined: number }
}

async function timeQuery(
  emu: RunningEmulator,
  bearer: string,
  field: string,
  value: string,
  runs: number
): Promise<{ median: number; answer: QueryAnswer }> {
  const times: number[] = []
  let answer: QueryAnswer | undefined
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    const res = await fetch(`${emu.url}/api/v2/data-gateway/customobjects/queries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        customObjectId: SAMPLE_IDS.ticket,
        query: { type: 'term', field, value },
        limit: 25
      })
    })
    answer = (await res.json()) as QueryAnswer
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return { median: times[Math.floor(times.length / 2)]!, answer: answer! }
}

export async function benchEmulator(): Promise<BenchRow[]> {
  const heapBefore = process.memoryUsage().heapUsed
  const started = performance.now()
  const emu = await startEmulator({ rateLimitPerMinute: 1_000_000 })
  const loadMs = performance.now() - started
  try {
    const heapAfter = process.memoryUsage().heapUsed
    const bearer = await token(emu.url)
    await timeQuery(emu, bearer, 'status', 'open', 5)
    const indexed = await timeQuery(emu, bearer, 'status', 'pending', 200)
    const scan = await timeQuery(emu, bearer, 'assignee', 'Ana Silva', 30)
    return [
      {
        name: 'load 100,000 tickets + 5,000 accounts',
        value: Math.round(loadMs),
        unit: 'ms',
        note: 'generate, index, listen'
      },
      { name: 'heap used after load', value: Math.round((heapAfter - heapBefore) / 2 ** 20), unit: 'MiB' },
      {
        name: 'indexed term query (idx_status), median of 200',
        value: Number(indexed.median.toFixed(2)),
        unit: 'ms',
        note: `${indexed.answer.queryPlan.strategy}, ${indexed.answer.queryPlan.recordsExamined} entries read for 25 results`
      },
      {
        name: 'full-scan term query (assignee), median of 30',
        value: Number(scan.median.toFixed(2)),
        unit: 'ms',
        note: `${scan.answer.queryPlan.strategy}, ${scan.answer.queryPlan.recordsExamined} records read`
      }
    ]
  } finally {
    await emu.close()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await benchEmulator())
    console.log(`${r.name}: ${r.value} ${r.unit}${r.note ? ` (${r.note})` : ''}`)
}
