// Cold start: wall time of the bundled action (offline validate, one file, no comment) beside bare `node -e 0`
// and beside a bundle that only imports @actions/core (built here with ncc, as the action is), with ratios.
// The Octokit chunk must not count: a run that posts no comment never loads it.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchRow } from './types.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const DIST = path.join(ROOT, 'dist')
const BUNDLE = path.join(DIST, 'index.js')

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

/**
 * A bundle of nothing but `@actions/core`, built with ncc and the action's flags into `out`. Its entry sits
 * in node_modules/.cache so that ncc resolves @actions/core from the project.
 */
function buildCoreOnly(out: string): string {
  const entryDir = path.join(ROOT, 'node_modules', '.cache', 'coi-bench')
  mkdirSync(entryDir, { recursive: true })
  const entry = path.join(entryDir, 'core-only.ts')
  writeFileSync(
    entry,
    "import * as core from '@actions/core'\ncore.info(`index-file=${core.getInput('index-file')}`)\n"
  )
  execFileSync(
    path.join(ROOT, 'node_modules', '.bin', 'ncc'),
    ['build', entry, '-o', out, '--minify', '--transpile-only', '--target', 'es2022', '--quiet'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] }
  )
  return path.join(out, 'index.js')
}

/** The lazily loaded chunks of dist/ that hold Octokit, and their size. */
function octokitChunkKiB(): number {
  const chunks = readdirSync(DIST).filter(
    f => f !== 'index.js' && f.endsWith('.js') && readFileSync(path.join(DIST, f), 'utf8').includes('octokit')
  )
  return Math.round(chunks.reduce((n, f) => n + statSync(path.join(DIST, f)).size, 0) / 1024)
}

export async function benchColdStart(runs = 11): Promise<BenchRow[]> {
  await Promise.resolve()
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coi-bench-'))
  try {
    const coreOnly = buildCoreOnly(path.join(dir, 'core-only'))
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
    const cases: [string, string[]][] = [
      ['bare', ['-e', '0']],
      ['core', [coreOnly]],
      ['action', [BUNDLE]]
    ]
    // Warm the file cache once for each.
    for (const [, args] of cases) timeRun(args, env, dir)
    const times = new Map<string, number[]>(cases.map(([name]) => [name, []]))
    for (let i = 0; i < runs; i++) {
      for (const [name, args] of cases) times.get(name)!.push(timeRun(args, env, dir))
    }
    const bare = median(times.get('bare')!)
    const core = median(times.get('core')!)
    const action = median(times.get('action')!)
    const note = `median of ${runs}`
    return [
      { name: 'cold start: node -e 0', value: round(bare), unit: 'ms', note },
      { name: 'cold start: bundle of @actions/core alone', value: round(core), unit: 'ms', note },
      { name: 'cold start: dist/index.js offline validate', value: round(action), unit: 'ms', note },
      {
        name: 'cold start: action − node -e 0',
        value: round(action - bare),
        unit: 'ms',
        note: 'aim: under 150 ms'
      },
      { name: 'cold start: action − @actions/core alone', value: round(action - core), unit: 'ms' },
      { name: 'cold start ratio: action / node -e 0', value: round(action / bare, 100), unit: '×' },
      { name: 'cold start ratio: action / @actions/core alone', value: round(action / core, 100), unit: '×' },
      { name: 'bundle size (dist/index.js)', value: Math.round(statSync(BUNDLE).size / 1024), unit: 'KiB' },
      {
        name: 'Octokit chunk size (lazy)',
        value: octokitChunkKiB(),
        unit: 'KiB',
        note: 'loaded only by runs that talk to GitHub'
      },
      {
        name: 'bundle size (@actions/core alone)',
        value: Math.round(statSync(coreOnly).size / 1024),
        unit: 'KiB'
      }
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function round(x: number, per = 10): number {
  return Math.round(x * per) / per
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchColdStart())
    console.log(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}`)
}
