// The run-level modes, run as GitHub runs them (dist/index.js, so `npm run bundle` first): publish of 50 report
// files of one object each (wall time, the comment's size, GitHub requests), and drift over 50 objects inside a
// 300/min budget (wall time, requests, and the ratio to the least time the budget allows at its steady rate:
// requests ÷ 300 per minute; the window lets a burst through sooner, so a ratio below 1 is possible).
// Runnable alone: `npx tsx bench/modes.ts [--quick]` (quick: one run of each instead of the median of three).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { startGitHubStandIn } from '../src/emulator/github.js'
import { startEmulator } from '../src/emulator/index.js'
import { runAction } from '../src/emulator/runner.js'
import { parseIndexFile } from '../src/indexfile/parse.js'
import { silentLogger } from '../src/log.js'
import { processObject } from '../src/pipeline/object.js'
import { buildReportFile } from '../src/report/file.js'
import { benchId, benchObjects, connect } from './fixtures.js'
import type { BenchRow } from './types.js'

const OBJECTS = 50
const BUDGET = 300
const PR = 7
const HEAD = '3f2c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a'

/** Object i's index file: idx_code as live, idx_n new. */
function indexFile(i: number): string {
  return `customObjectId: ${benchId(i)}\nindexes:\n  - name: idx_code\n    fields: [code]\n  - name: idx_n\n    fields: [n]\n`
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

function inputs(url: string): Record<string, string> {
  return {
    'api-url': url,
    'login-url': url,
    'client-id': 'emulator-client',
    'client-secret': 'emulator-secret'
  }
}

/** The matrix's 50 report files, made in process (one validate per object), written to `dir/reports`. */
async function writeReports(url: string, dir: string): Promise<number> {
  const live = connect(url).gateway
  mkdirSync(path.join(dir, 'reports'))
  let bytes = 0
  for (let i = 0; i < OBJECTS; i++) {
    const parsed = parseIndexFile(`indexes/o${i}.yaml`, indexFile(i))
    if (!parsed.loaded) throw new Error('bench index file invalid')
    const result = await processObject(
      { log: silentLogger, live },
      { loaded: parsed.loaded, customObjectId: benchId(i), mode: 'validate' }
    )
    if (result.error !== undefined) throw new Error(result.error)
    const text = buildReportFile(
      {
        mode: 'validate',
        commentKey: `job${i}`,
        repository: 'acme/indexes',
        pullRequest: PR,
        headSha: HEAD,
        runId: String(1000 + i)
      },
      [result]
    )
    writeFileSync(path.join(dir, 'reports', `o${i}.json`), text)
    bytes += Buffer.byteLength(text)
  }
  return bytes
}

async function benchPublish(runs: number): Promise<BenchRow[]> {
  const emu = await startEmulator({
    data: benchObjects(OBJECTS, {
      indexes: [{ name: 'idx_code', fields: ['code'], status: 'active' }],
      nModulo: 7
    })
  })
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coi-bench-publish-'))
  try {
    const bytes = await writeReports(emu.url, dir)
    const walls: number[] = []
    let size = 0
    let requests = 0
    let cut = false
    for (let r = 0; r < runs; r++) {
      const gh = await startGitHubStandIn({ pullRequests: [{ number: PR, headSha: HEAD }] })
      try {
        const started = performance.now()
        const run = await runAction({
          workspace: dir,
          eventName: 'workflow_run',
          event: { workflow_run: { head_sha: HEAD, pull_requests: [{ number: PR }] } },
          inputs: { mode: 'publish', 'report-files': 'reports/*.json', 'github-token': 'ghs_bench' },
          env: { GITHUB_API_URL: gh.url }
        })
        walls.push(performance.now() - started)
        if (run.code !== 0) throw new Error(`publish exited ${run.code}: ${run.stdout.slice(-500)}`)
        const comments = gh.comments(PR)
        if (comments.length !== 1) throw new Error(`publish posted ${comments.length} comments`)
        size = comments[0]!.body.length
        cut = comments[0]!.body.includes('left out')
        requests = gh.requests().length
      } finally {
        await gh.close()
      }
    }
    const label = `publish ${OBJECTS} report files`
    return [
      {
        name: `${label}: wall time`,
        value: Math.round(median(walls)),
        unit: 'ms',
        note: `${runs === 1 ? 'one run' : `median of ${runs}`}, the bundle as a process; ${Math.round(bytes / 1024)} KiB of reports`
      },
      {
        name: `${label}: comment size`,
        value: size,
        unit: 'characters',
        note: `GitHub's limit 65,536${cut ? '; details left out to fit' : '; nothing left out'}`
      },
      {
        name: `${label}: GitHub requests`,
        value: requests,
        unit: 'requests',
        note: 'viewer, PR head, comments'
      }
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await emu.close()
  }
}

async function benchDrift(runs: number): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coi-bench-drift-'))
  mkdirSync(path.join(dir, 'indexes'))
  for (let i = 0; i < OBJECTS; i++) writeFileSync(path.join(dir, 'indexes', `o${i}.yaml`), indexFile(i))
  try {
    const walls: number[] = []
    let requests = 0
    let drifted = ''
    for (let r = 0; r < runs; r++) {
      const emu = await startEmulator({
        data: benchObjects(OBJECTS, {
          indexes: [{ name: 'idx_code', fields: ['code'], status: 'active' }],
          nModulo: 7
        }),
        rateLimitPerMinute: BUDGET
      })
      try {
        const started = performance.now()
        const run = await runAction({
          workspace: dir,
          eventName: 'schedule',
          event: {},
          inputs: { ...inputs(emu.url), mode: 'drift', 'index-file': 'indexes/*.yaml' }
        })
        walls.push(performance.now() - started)
        if (run.code !== 0) throw new Error(`drift exited ${run.code}: ${run.stdout.slice(-500)}`)
        requests = emu.requests().length
        drifted = run.outputs.drifted ?? ''
        if (emu.requests().some(q => q.method === 'PUT')) throw new Error('drift wrote to the platform')
      } finally {
        await emu.close()
      }
    }
    const wall = median(walls) / 1000
    const least = (requests / BUDGET) * 60
    const label = `drift over ${OBJECTS} objects at ${BUDGET}/min`
    return [
      {
        name: `${label}: wall time`,
        value: Math.round(wall * 100) / 100,
        unit: 's',
        note: `${runs === 1 ? 'one run' : `median of ${runs}`}, the bundle as a process; drifted=${drifted}`
      },
      { name: `${label}: requests`, value: requests, unit: 'requests', note: 'token and one GET per object' },
      {
        name: `${label}: ratio to requests ÷ budget`,
        value: Math.round((wall / least) * 100) / 100,
        unit: '×',
        note: `least time at the steady rate ${least.toFixed(1)} s; one window holds all ${requests}, so no wait`
      }
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function benchModes(opts: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const runs = opts.quick ? 1 : 3
  return [...(await benchPublish(runs)), ...(await benchDrift(runs))]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchModes({ quick: process.argv.includes('--quick') })
  console.log('| figure | value | unit | note |\n| --- | ---: | --- | --- |')
  for (const r of rows) console.log(`| ${r.name} | ${r.value} | ${r.unit} | ${r.note ?? ''} |`)
}
