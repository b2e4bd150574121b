// Scale with the repository, run as GitHub runs the action (dist/index.js, so `npm run bundle` first), for
// repositories of N = 50, 256, 500 and 1,000 objects, one index file each: validate of all, validate of a PR
// that changed one file, plan, publish of the validate's report, drift, and deploys of 20 and 100 changed
// objects (a push whose compare lists them). Each figure has its floor (requests ÷ rate, or the longest
// rebuild plus one object's requests) and the ratio of the wall time to it.
//
// Time runs ten times faster: the emulator's rate-limit window is 6 s instead of 60 s with the platform's
// budget of 300 requests in it, and deploys rebuild in 3 s instead of 30 s; multiply a wall time and its floor
// by 10 for the platform's 300 a minute (the ratio carries over; what does not scale — process start, request
// latency, the 2 s cap on a rebuild poll's own pace — makes the fast figures pessimistic). The figure for
// overlapping waits runs at the real scale: 20 changed objects, 30 s rebuilds, 300 requests a minute.
// Runnable alone: `npx tsx bench/scale.ts [--quick | --n=<N>[,<N>...] | --overlap] [--real] [--parts=validate,plan,...]`
// (quick: N = 50 and 256 only, and no real-scale figure; --real: every run at the platform's own clock, a 60 s
// window and 30 s rebuilds, about 35 minutes for all N; --parts: only those figures, of validate, one, plan,
// publish, drift, deploy).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { startGitHubStandIn, type ChangedFileSeed } from '../src/emulator/github.js'
import { startEmulator } from '../src/emulator/index.js'
import { runAction, type ActionRun } from '../src/emulator/runner.js'
import { benchId, benchObjects } from './fixtures.js'
import type { BenchRow } from './types.js'

/** How much faster than the platform's clock the request-bound runs go (`--real`: 1). */
const SPEED = process.argv.includes('--real') ? 1 : 10
/** The figures to run (`--parts=`), all by default. */
const PARTS = new Set(
  (
    process.argv.find(a => a.startsWith('--parts='))?.slice(8) ?? 'validate,one,plan,publish,drift,deploy'
  ).split(',')
)
/** Requests per rate-limit window: the platform's default. */
const BUDGET = 300
const WINDOW_S = 60
/** A deploy's rebuild at the platform's clock. */
const REBUILD_S = 30
const PR = 7
const HEAD = '3f2c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a'
const BEFORE = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0'
const AFTER = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00'

const file = (i: number): string => `indexes/o${String(i).padStart(4, '0')}.yaml`

/** Object i's index file: idx_code as live, plus idx_n for the objects a change touched. */
function indexText(i: number, changed: boolean): string {
  return (
    `customObjectId: ${benchId(i)}\nindexes:\n  - name: idx_code\n    fields: [code]\n` +
    (changed ? '  - name: idx_n\n    fields: [n]\n' : '')
  )
}

function workspace(n: number, changed: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coi-bench-scale-'))
  mkdirSync(path.join(dir, 'indexes'))
  for (let i = 0; i < n; i++) writeFileSync(path.join(dir, file(i)), indexText(i, i < changed))
  return dir
}

function platform(url: string): Record<string, string> {
  return {
    'api-url': url,
    'login-url': url,
    'client-id': 'emulator-client',
    'client-secret': 'emulator-secret'
  }
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits

interface Measured {
  run: ActionRun
  wall: number
  requests: number
  github: number
  /** GitHub requests for the PR's files. */
  pullFiles: number
  /** Rebuild polls: GETs of an object's schema after its PUT. */
  polls: number
  /** The sticky comment's length and the number of review continuation comments. */
  comment?: { length: number; continuations: number }
}

function commentSize(m: Measured): string {
  return m.comment
    ? `${m.comment.length} characters + ${m.comment.continuations} continuation comments`
    : 'none'
}

async function measure(
  n: number,
  opts: {
    /** Run the clock `speed` times faster (default 1). */
    speed?: number
    rebuildMs?: number
    changedFiles?: number
    ws: string
    eventName: string
    event: unknown
    inputs: Record<string, string>
    prFiles?: ChangedFileSeed[]
    compareFiles?: ChangedFileSeed[]
    env?: Record<string, string>
  }
): Promise<Measured> {
  const emu = await startEmulator({
    data: benchObjects(n, {
      indexes: [{ name: 'idx_code', fields: ['code'], status: 'active' }],
      nModulo: 7
    }),
    rateLimitPerMinute: BUDGET,
    rateLimitWindowMs: (WINDOW_S * 1000) / (opts.speed ?? 1),
    rebuildRecordsPerSecond: 10_000_000,
    rebuildMinMs: opts.rebuildMs ?? 0
  })
  const gh = await startGitHubStandIn({
    pullRequests: [{ number: PR, headSha: HEAD, files: opts.prFiles ?? [] }],
    commits: [{ sha: BEFORE }, { sha: AFTER, parents: [BEFORE], files: opts.compareFiles ?? [] }]
  })
  try {
    const started = performance.now()
    const run = await runAction({
      workspace: opts.ws,
      eventName: opts.eventName,
      event: opts.event,
      inputs: { ...platform(emu.url), 'github-token': 'ghs_bench', probe: 'false', ...opts.inputs },
      env: {
        GITHUB_API_URL: gh.url,
        GITHUB_SHA: AFTER,
        ...opts.env
      },
      // At the platform's clock a validate of 1,000 objects takes minutes.
      timeoutMs: 1_800_000,
      // `BENCH_NODE=<script>` runs the action with another node (a wrapper adding --cpu-prof, say).
      ...(process.env.BENCH_NODE ? { node: process.env.BENCH_NODE } : {})
    })
    const wall = (performance.now() - started) / 1000
    if (run.code !== 0)
      throw new Error(`${opts.inputs.mode} over ${n} exited ${run.code}: ${run.stdout.slice(-600)}`)
    const comments = gh.comments(PR)
    const main = comments.find(c => c.body.startsWith('<!-- custom-object-index:'))
    return {
      run,
      wall,
      requests: emu.requests().length,
      github: gh.requests().length,
      pullFiles: gh.requests().filter(r => r.path.includes(`/pulls/${PR}/files`)).length,
      polls: pollsOf(emu.requests()),
      ...(main
        ? {
            comment: {
              length: main.body.length,
              continuations: comments.filter(c => c.body.startsWith('<!-- custom-object-index-review:'))
                .length
            }
          }
        : {})
    }
  } finally {
    await gh.close()
    await emu.close()
  }
}

/** GETs of an object's schema after its PUT: the rebuild polls (and the read before the probes). */
function pollsOf(requests: readonly { method: string; path: string }[]): number {
  const put = new Set<string>()
  let polls = 0
  for (const r of requests) {
    const id = /\/customobjects\/schemas\/([^/?]+)/.exec(r.path)?.[1]
    if (id === undefined) continue
    if (r.method === 'PUT') put.add(id)
    else if (r.method === 'GET' && put.has(id)) polls++
  }
  return polls
}

const prEvent = {
  number: PR,
  pull_request: {
    number: PR,
    head: { sha: HEAD, repo: { full_name: 'acme/indexes' } },
    base: { repo: { full_name: 'acme/indexes' } }
  },
  repository: { default_branch: 'main', full_name: 'acme/indexes' }
}
const pushEvent = {
  ref: 'refs/heads/main',
  before: BEFORE,
  after: AFTER,
  repository: { default_branch: 'main', full_name: 'acme/indexes' }
}

/**
 * A row with its floor: the wall time, the floor and the ratio, and both at the platform's clock. A window
 * lets its whole budget through at once, so a run can beat the steady-rate floor: the window floor is the
 * resets the requests must wait for (⌈requests ÷ budget⌉ − 1 windows).
 */
function row(name: string, m: Measured, floor: number, what: string): BenchRow {
  const windowFloor = ((Math.ceil(m.requests / BUDGET) - 1) * WINDOW_S) / SPEED
  return {
    name,
    value: round(m.wall),
    unit: 's',
    note:
      `floor ${round(floor)} s (${what}); ratio ${round(m.wall / Math.max(floor, 1e-3))}; ` +
      `window floor ${round(windowFloor)} s` +
      (windowFloor > 0 ? `, ratio ${round(m.wall / windowFloor)}` : '') +
      `; at the platform's clock ≈ ${round(m.wall * SPEED, 0)} s, floor ${round(floor * SPEED, 0)} s; ${m.requests} platform requests, ${m.github} GitHub requests`
  }
}

async function benchN(n: number): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  /** Seconds the budget needs for `requests` at the fast clock (its steady rate: 300 per 6 s). */
  const atRate = (requests: number): number => (requests / BUDGET) * (WINDOW_S / SPEED)
  const RATE = `requests ÷ ${BUDGET} per ${WINDOW_S / SPEED} s`
  const deploys = [20, 100].filter(c => c <= n)
  const ws = workspace(n, Math.max(1, ...deploys))
  try {
    let all: Measured | undefined
    if (PARTS.has('validate') || PARTS.has('publish')) {
      all = await measure(n, {
        speed: SPEED,
        ws,
        eventName: 'pull_request',
        event: prEvent,
        inputs: { mode: 'validate', 'index-file': 'indexes/*.yaml', 'changed-only': 'false' }
      })
      rows.push({
        ...row(`N=${n}: validate all`, all, atRate(all.requests), RATE),
        note: `${row('', all, atRate(all.requests), RATE).note}; comment ${commentSize(all)}`
      })
    }
    if (PARTS.has('one')) {
      // At the platform's own clock: one object's requests are far from the budget. Paired with a repository
      // of one object (A B A B, five pairs, medians), the time a PR touching one file should cost.
      const oneWs = workspace(1, 1)
      const walls: number[] = []
      const baseWalls: number[] = []
      let one: Measured | undefined
      try {
        for (let pair = 0; pair < 5; pair++) {
          one = await measure(n, {
            ws,
            eventName: 'pull_request',
            event: prEvent,
            inputs: { mode: 'validate', 'index-file': 'indexes/*.yaml' },
            prFiles: [{ filename: file(0), status: 'modified' }]
          })
          walls.push(one.wall)
          const base = await measure(1, {
            ws: oneWs,
            eventName: 'pull_request',
            event: prEvent,
            inputs: { mode: 'validate', 'index-file': 'indexes/*.yaml' },
            prFiles: [{ filename: file(0), status: 'modified' }]
          })
          baseWalls.push(base.wall)
        }
      } finally {
        rmSync(oneWs, { recursive: true, force: true })
      }
      if (!one) throw new Error('no run')
      const wall = median(walls)
      const base = median(baseWalls)
      const oneFloor = (one.requests / BUDGET) * WINDOW_S
      rows.push({
        name: `N=${n}: validate one changed file`,
        value: round(wall),
        unit: 's',
        note:
          `at the platform's clock, median of 5; a repository of one object: ${round(base)} s, ratio ${round(wall / base)}; ` +
          `floor ${round(oneFloor)} s (requests ÷ ${BUDGET}/min), the rest is the process ` +
          `start and GitHub; ${one.requests} platform requests, ${one.github} GitHub requests (${one.pullFiles} for the PR's files)`
      })
    }
    if (PARTS.has('plan')) {
      const plan = await measure(n, {
        speed: SPEED,
        ws,
        eventName: 'workflow_dispatch',
        event: {},
        inputs: { mode: 'plan', 'index-file': 'indexes/*.yaml' }
      })
      const entries = (JSON.parse(plan.run.outputs.matrix ?? '{"include":[]}') as { include: unknown[] })
        .include.length
      rows.push({
        ...row(`N=${n}: plan`, plan, atRate(plan.requests), RATE),
        note: `${entries} matrix entries; ${row('', plan, atRate(plan.requests), RATE).note}`
      })
    }
    if (PARTS.has('publish') && all) {
      // Publish the validate's report (every object) as a workflow_run would.
      mkdirSync(path.join(ws, 'reports'), { recursive: true })
      writeFileSync(path.join(ws, 'reports', 'all.json'), readReport(all.run))
      const publish = await measure(n, {
        speed: SPEED,
        ws,
        eventName: 'workflow_run',
        event: { workflow_run: { id: 4242, head_sha: HEAD, pull_requests: [{ number: PR }] } },
        inputs: { mode: 'publish', 'report-files': 'reports/*.json' },
        env: { GITHUB_RUN_ID: '4242' }
      })
      rows.push({
        name: `N=${n}: publish`,
        value: round(publish.wall),
        unit: 's',
        note: `no platform request (floor: none); ${publish.github} GitHub requests; comment ${commentSize(publish)}`
      })
    }
    if (PARTS.has('drift')) {
      const drift = await measure(n, {
        speed: SPEED,
        ws,
        eventName: 'schedule',
        event: {},
        inputs: { mode: 'drift', 'index-file': 'indexes/*.yaml' }
      })
      rows.push(row(`N=${n}: drift`, drift, atRate(drift.requests), RATE))
    }
    for (const changed of PARTS.has('deploy') ? deploys : []) {
      const deployed = await measure(n, {
        speed: SPEED,
        rebuildMs: (REBUILD_S * 1000) / SPEED,
        ws,
        eventName: 'push',
        event: pushEvent,
        inputs: { mode: 'deploy', 'index-file': 'indexes/*.yaml', 'require-review': 'off' },
        compareFiles: Array.from({ length: changed }, (_, i) => ({
          filename: file(i),
          status: 'modified' as const
        }))
      })
      // As the goal counts them: the requests the objects need (reads, PUTs), not the rebuild polls, which are
      // the cost of waiting that the goal bounds.
      const needed = deployed.requests - deployed.polls
      const rebuild = REBUILD_S / SPEED
      const floor = Math.max(atRate(needed), rebuild + atRate(needed / changed))
      const base = row(
        `N=${n}: deploy ${changed} changed`,
        deployed,
        floor,
        `max(${needed} needed requests ÷ ${BUDGET} per ${WINDOW_S / SPEED} s, ${rebuild} s rebuild + one object's)`
      )
      rows.push({
        ...base,
        note: `${base.note}, ${deployed.polls} of them rebuild polls; goal 1.15 × floor = ${round(1.15 * floor)} s`
      })
    }
  } finally {
    rmSync(ws, { recursive: true, force: true })
  }
  return rows
}

function readReport(run: ActionRun): string {
  const file = run.outputs.report
  if (!file) throw new Error('the validate run wrote no report')
  return readFileSync(file, 'utf8')
}

/** Deploy overlaps its waits: 20 changed objects, 30 s rebuilds, 300 requests a minute, for real. */
async function benchOverlap(): Promise<BenchRow[]> {
  const changed = 20
  const ws = workspace(50, changed)
  try {
    const m = await measure(50, {
      rebuildMs: REBUILD_S * 1000,
      ws,
      eventName: 'push',
      event: pushEvent,
      inputs: { mode: 'deploy', 'index-file': 'indexes/*.yaml', 'require-review': 'off', probe: 'true' },
      compareFiles: Array.from({ length: changed }, (_, i) => ({
        filename: file(i),
        status: 'modified' as const
      }))
    })
    // The floor counts the requests an object needs (reads, PUT, probes), not the polls: they are the cost of
    // waiting, which the goal bounds.
    const needed = m.requests - m.polls
    const floor = (needed / BUDGET) * WINDOW_S
    const oneObject = (needed / changed / BUDGET) * WINDOW_S
    const goal = 1.15 * Math.max(floor, REBUILD_S + oneObject)
    return [
      {
        name: `deploy ${changed} changed objects, ${REBUILD_S} s rebuilds, ${BUDGET}/min (the platform's clock)`,
        value: round(m.wall),
        unit: 's',
        note:
          `goal 1.15 × max(${round(floor)} s request floor, ${REBUILD_S} s + ${round(oneObject)} s) = ${round(goal)} s; ` +
          `ratio to the goal ${round(m.wall / goal)}; ${m.requests} platform requests, ${m.polls} of them rebuild polls`
      }
    ]
  } finally {
    rmSync(ws, { recursive: true, force: true })
  }
}

async function benchEach(ns: readonly number[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  for (const n of ns) rows.push(...(await benchN(n)))
  return rows
}

export async function benchScale(opts: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  rows.push(...(await benchEach(opts.quick ? [50, 256] : [50, 256, 500, 1000])))
  if (!opts.quick) rows.push(...(await benchOverlap()))
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const only = process.argv.find(a => a.startsWith('--n='))
  console.log('| figure | value | unit | note |\n| --- | ---: | --- | --- |')
  const print = (rows: readonly BenchRow[]): void => {
    for (const r of rows) console.log(`| ${r.name} | ${r.value} | ${r.unit} | ${r.note ?? ''} |`)
  }
  if (process.argv.includes('--overlap')) print(await benchOverlap())
  else {
    // Each N printed as it ends: the real clock's run takes long.
    const ns = only
      ? only.slice(4).split(',').map(Number)
      : process.argv.includes('--quick')
        ? [50, 256]
        : [50, 256, 500, 1000]
    for (const n of ns) print(await benchN(n))
    if (!only && !process.argv.includes('--quick')) print(await benchOverlap())
  }
}
