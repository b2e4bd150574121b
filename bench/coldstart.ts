// Cold start: wall time of the bundled action (offline validate, one file) beside bare `node -e 0`.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchRow } from './types.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BUNDLE = path.join(ROOT, 'dist', 'index.js')

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

function timeRun(args: string[], env: NodeJS.ProcessEnv, cwd: string): number {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, { env, cwd, stdio: 'ignore' })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`)
  return ms
}

export async function benchColdStart(runs = 11): Promise<BenchRow[]> {
  await Promise.resolve()
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coi-bench-'))
  writeFileSync(
    path.join(dir, 'ticket.yaml'),
    'customObjectId: t1\nindexes:\n  - name: idx_a\n    fields: [a]\n'
  )
  writeFileSync(path.join(dir, 'event.json'), '{}')
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_WORKSPACE: dir,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: path.join(dir, 'event.json'),
    GITHUB_OUTPUT: path.join(dir, 'out'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    RUNNER_TEMP: dir,
    'INPUT_INDEX-FILE': 'ticket.yaml',
    INPUT_COMMENT: 'false'
  }
  writeFileSync(env.GITHUB_OUTPUT!, '')
  writeFileSync(env.GITHUB_STEP_SUMMARY!, '')
  // Warm the file cache once for both.
  timeRun(['-e', '0'], env, dir)
  timeRun([BUNDLE], env, dir)
  const bare: number[] = []
  const action: number[] = []
  for (let i = 0; i < runs; i++) {
    bare.push(timeRun(['-e', '0'], env, dir))
    action.push(timeRun([BUNDLE], env, dir))
  }
  const b = median(bare)
  const a = median(action)
  return [
    { name: 'cold start: node -e 0', value: round(b), unit: 'ms', note: `median of ${runs}` },
    {
      name: 'cold start: dist/index.js offline validate',
      value: round(a),
      unit: 'ms',
      note: `median of ${runs}`
    },
    { name: 'cold start: difference', value: round(a - b), unit: 'ms', note: 'aim: under 150 ms' },
    { name: 'bundle size', value: Math.round(statSync(BUNDLE).size / 1024), unit: 'KiB' }
  ]
}

function round(x: number): number {
  return Math.round(x * 10) / 10
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchColdStart())
    console.log(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}`)
}
