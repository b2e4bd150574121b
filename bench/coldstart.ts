// Cold start: wall time of the bundled action (offline validate, one file, no comment) beside bare `node -e 0`
// and beside a bundle of bare @actions/core that reads an input and sets an output (built here with ncc, as the
// action is), run in turn (action, core, bare; action, core, bare; ...), with the ratios of each round. The lazy
// chunks (Octokit, the GitHub calls, undici) must not count: an offline run of one named file loads none.
// `npx tsx bench/coldstart.ts [--node <path to node>] [--bundle <path to index.js>] [--rounds N]`.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
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

function timeRun(node: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): number {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(node, args, { env, cwd, stdio: 'ignore' })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`)
  return ms
}

/**
 * A bundle of nothing but bare `@actions/core` reading an input and setting an output, built with ncc and the
 * action's flags into `out`. Its entry sits in node_modules/.cache so that ncc resolves @actions/core from the
 * project, beside a tsconfig.json of its own: the project's (which maps undici to a lazy chunk) is not used,
 * so the bundle is what any action importing @actions/core gets.
 */
function buildCoreOnly(out: string): string {
  const entryDir = path.join(ROOT, 'node_modules', '.cache', 'coi-bench', 'core-only')
  mkdirSync(entryDir, { recursive: true })
  writeFileSync(
    path.join(entryDir, 'tsconfig.json'),
    '{ "compilerOptions": { "target": "ES2022", "module": "ESNext", "moduleResolution": "Bundler" } }\n'
  )
  writeFileSync(
    path.join(entryDir, 'index.ts'),
    "import * as core from '@actions/core'\ncore.setOutput('index-file', core.getInput('index-file'))\n"
  )
  execFileSync(
    path.join(ROOT, 'node_modules', '.bin', 'ncc'),
    ['build', 'index.ts', '-o', out, '--minify', '--transpile-only', '--target', 'es2022', '--quiet'],
    { cwd: entryDir, stdio: ['ignore', 'ignore', 'inherit'] }
  )
  return path.join(out, 'index.js')
}

/** The lazily loaded chunks beside the bundle, and their size. */
function chunksKiB(bundle: string): { count: number; kib: number } {
  const dir = path.dirname(bundle)
  const chunks = readdirSync(dir).filter(f => f !== path.basename(bundle) && f.endsWith('.js'))
  const bytes = chunks.reduce((n, f) => n + statSync(path.join(dir, f)).size, 0)
  return { count: chunks.length, kib: Math.round(bytes / 1024) }
}

export interface ColdStartOptions {
  /** Rounds of (action, core, bare), each a pair for the ratios. */
  rounds?: number
  /** The node binary that runs all three (default: this one). */
  node?: string
  /** The action's bundle (default: dist/index.js). */
  bundle?: string
}

export async function benchColdStart(options: ColdStartOptions = {}): Promise<BenchRow[]> {
  await Promise.resolve()
  const rounds = options.rounds ?? 25
  const node = options.node ?? process.execPath
  const bundle = options.bundle ?? BUNDLE
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
      ['action', [bundle]],
      ['core', [coreOnly]],
      ['bare', ['-e', '0']]
    ]
    // Warm the file cache once for each.
    for (const [, args] of cases) timeRun(node, args, env, dir)
    const times = new Map<string, number[]>(cases.map(([name]) => [name, []]))
    for (let i = 0; i < rounds; i++) {
      // Each round runs all three; the first of a round rotates, so none always runs first.
      for (let j = 0; j < cases.length; j++) {
        const [name, args] = cases[(i + j) % cases.length]!
        times.get(name)!.push(timeRun(node, args, env, dir))
      }
    }
    const [action, core, bare] = ['action', 'core', 'bare'].map(name => times.get(name)!)
    const ratio = (a: number[], b: number[]): number => median(a.map((x, i) => x / b[i]!))
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
    const note = `median of ${rounds}, Node ${version}`
    const paired = `median of ${rounds} paired ratios, Node ${version}`
    const chunks = chunksKiB(bundle)
    return [
      { name: 'cold start: node -e 0', value: round(median(bare!)), unit: 'ms', note },
      {
        name: 'cold start: bundle of @actions/core alone (reads an input, sets an output)',
        value: round(median(core!)),
        unit: 'ms',
        note
      },
      { name: 'cold start: dist/index.js offline validate', value: round(median(action!)), unit: 'ms', note },
      {
        name: 'cold start: action − @actions/core alone',
        value: round(median(action!) - median(core!)),
        unit: 'ms'
      },
      {
        name: 'cold start ratio: action / @actions/core alone',
        value: round(ratio(action!, core!), 100),
        unit: '×',
        note: `${paired}; aim: at most 1.4×`
      },
      {
        name: 'cold start ratio: action / node -e 0',
        value: round(ratio(action!, bare!), 100),
        unit: '×',
        note: paired
      },
      { name: 'bundle size (dist/index.js)', value: Math.round(statSync(bundle).size / 1024), unit: 'KiB' },
      {
        name: 'lazy chunks (Octokit, GitHub calls, undici)',
        value: chunks.kib,
        unit: 'KiB',
        note: `${chunks.count} files, none loaded by an offline validate of one named file`
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
  const arg = (name: string): string | undefined => {
    const at = process.argv.indexOf(name)
    return at === -1 ? undefined : process.argv[at + 1]
  }
  const rounds = arg('--rounds')
  const node = arg('--node')
  const bundle = arg('--bundle')
  const options: ColdStartOptions = {
    ...(rounds ? { rounds: Number(rounds) } : {}),
    ...(node ? { node: path.resolve(node) } : {}),
    ...(bundle ? { bundle: path.resolve(bundle) } : {})
  }
  for (const r of await benchColdStart(options))
    console.log(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}`)
}
