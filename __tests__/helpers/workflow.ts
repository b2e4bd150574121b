// A small stand-in for GitHub Actions, enough to run the README's workflows as written: one job at a time,
// its steps' `if:` and `${{ }}` expressions evaluated (status functions, `!`, `&&`, `||`, `==`, `!=`, string
// literals, and the contexts steps, matrix, needs, github, secrets, strategy), `run:` steps in bash, the
// action's steps as the bundle with action.yml's defaults, `actions/checkout` as the workspace the test
// prepared, and `actions/upload-artifact` / `actions/download-artifact` (name, pattern, merge-multiple,
// run-id) over a folder per workflow run.
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import YAML from 'yaml'
import { parseOutputFile, ROOT, runAction, type ActionRun } from './action.js'
import { workflowBlocks } from './markdown.js'

export interface WorkflowStep {
  id?: string
  name?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, string | number | boolean>
  env?: Record<string, string>
}
export interface WorkflowJob {
  'runs-on'?: string
  'timeout-minutes'?: number
  if?: string
  needs?: string | string[]
  outputs?: Record<string, string>
  permissions?: Record<string, string>
  strategy?: { matrix?: unknown; 'fail-fast'?: boolean }
  steps: WorkflowStep[]
}
export interface Workflow {
  name: string
  on: Record<string, unknown>
  permissions?: Record<string, string>
  jobs: Record<string, WorkflowJob>
}

const OURS = 'your-org/custom-object-index-action@'

/** A file of the repository, as text. */
export function readRepoFile(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8')
}

/** A workflow file of the repository (`.github/workflows/ci.yml`), parsed. */
export function readWorkflow(file: string): Workflow {
  return YAML.parse(readRepoFile(file)) as Workflow
}

/** The README's workflows (YAML blocks with `on:` and `jobs:`), parsed, in order. */
export function readmeWorkflows(): Workflow[] {
  return workflowBlocks(readRepoFile('README.md')).map(({ text }) => YAML.parse(text) as Workflow)
}

const actionDefaults = (
  YAML.parse(readRepoFile('action.yml')) as { inputs: Record<string, { default?: string }> }
).inputs

/**
 * The inputs a step of the action runs with, as the runner gives them: action.yml's non-empty defaults
 * (their `${{ }}` expanded), then the step's `with:` (already expanded).
 */
export function actionStepInputs(
  withs: Readonly<Record<string, string>>,
  expand: (text: string) => string
): Record<string, string> {
  const inputs: Record<string, string> = {}
  for (const [name, input] of Object.entries(actionDefaults)) {
    if (input.default !== undefined && input.default !== '') inputs[name] = expand(input.default)
  }
  return Object.assign(inputs, withs)
}

export type StepOutcome = 'success' | 'failure' | 'skipped'

export interface StepRecord {
  label: string
  id?: string
  outcome: StepOutcome
  outputs: Record<string, string>
  /** The action's run, for its steps. */
  action?: ActionRun
  /** A `run:` step's log. */
  log?: string
}

export interface JobRecord {
  result: 'success' | 'failure' | 'skipped'
  outputs: Record<string, string>
  steps: StepRecord[]
  /** The step of `id`. */
  step(id: string): StepRecord
}

/** Artifacts by workflow run id, each a folder per artifact name. */
export class Artifacts {
  readonly root = mkdtempSync(path.join(os.tmpdir(), 'coi-artifacts-'))
  dir(runId: string, name: string): string {
    return path.join(this.root, runId, name)
  }
  names(runId: string): string[] {
    const d = path.join(this.root, runId)
    return existsSync(d) ? readdirSync(d).sort() : []
  }
}

export interface JobContext {
  workflow: Workflow
  job: string
  /** The event: its name and payload (`github.event`). */
  eventName: string
  event: Record<string, unknown>
  /** The workflow run's id and attempt (GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT). */
  runId: string
  runAttempt?: string
  /** The checked-out repository: index files as the test wrote them. */
  workspace: string
  artifacts: Artifacts
  secrets?: Record<string, string>
  matrix?: Record<string, string>
  jobIndex?: number
  needs?: Record<string, { result: string; outputs: Record<string, string> }>
  /** Env of every action run: the GitHub stand-in's URL, short GitHub bounds. */
  env: Record<string, string>
  /**
   * Inputs the test adds to the action's steps that gave `region` (the platform is the emulator here, not
   * the region's host): `api-url` and `login-url`.
   */
  platform?: Record<string, string>
  /** GITHUB_TOKEN. */
  token: string
}

// ---- expressions -------------------------------------------------------------------------------------------

type Value = string | number | boolean | null | undefined | Record<string, unknown> | unknown[]

interface Scope {
  lookup(path: string[]): Value
  status: { failed: boolean }
}

function truthy(v: Value): boolean {
  return !(v === undefined || v === null || v === false || v === '' || v === 0)
}

/** Evaluates one expression (what is inside `${{ }}`, or a bare `if:`). */
export function evaluate(expr: string, scope: Scope): Value {
  const tokens = expr.match(/'(?:[^']|'')*'|&&|\|\||==|!=|[!()]|[A-Za-z_][\w.-]*(?:\(\))?|\d+/g) ?? []
  let i = 0
  const peek = (): string | undefined => tokens[i]
  const next = (): string => tokens[i++]!
  function primary(): Value {
    const t = next()
    if (t === '!') return !truthy(primary())
    if (t === '(') {
      const v = or()
      if (next() !== ')') throw new Error(`expression ${expr}: ')' expected`)
      return v
    }
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'")
    if (/^\d+$/.test(t)) return Number(t)
    if (t === 'true' || t === 'false') return t === 'true'
    if (t === 'success()') return !scope.status.failed
    if (t === 'failure()') return scope.status.failed
    if (t === 'always()') return true
    if (t === 'cancelled()') return false
    if (t.endsWith('()')) throw new Error(`expression ${expr}: the runner here does not know ${t}`)
    return scope.lookup(t.split('.'))
  }
  function compare(): Value {
    const left = primary()
    const op = peek()
    if (op === '==' || op === '!=') {
      next()
      const right = primary()
      const text = (v: Value): string =>
        typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v ?? '')
      const equal = text(left) === text(right)
      return op === '==' ? equal : !equal
    }
    return left
  }
  function and(): Value {
    let v = compare()
    while (peek() === '&&') {
      next()
      const r = compare()
      v = truthy(v) ? r : v
    }
    return v
  }
  function or(): Value {
    let v = and()
    while (peek() === '||') {
      next()
      const r = and()
      v = truthy(v) ? v : r
    }
    return v
  }
  const v = or()
  if (i !== tokens.length) throw new Error(`expression ${expr}: unexpected ${tokens[i]}`)
  return v
}

/** A text with its `${{ }}` parts evaluated. */
function expand(text: string, scope: Scope): string {
  return text.replace(/\$\{\{\s*([\s\S]+?)\s*\}\}/g, (_, e: string) => {
    const v = evaluate(e, scope)
    return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v ?? '')
  })
}

/** An `if:`: `${{ }}` around it or not; no `if:` is `success()`. */
function condition(text: string | undefined, scope: Scope): boolean {
  if (text === undefined) return !scope.status.failed
  const bare = /^\$\{\{([\s\S]*)\}\}$/.exec(text.trim())
  const expr = bare ? bare[1]! : text
  // A condition without a status function means `success() && (...)`, as on GitHub.
  const statusFn = /\b(success|failure|always|cancelled)\(\)/.test(expr)
  const v = truthy(evaluate(expr, scope))
  return statusFn ? v : v && !scope.status.failed
}

function dig(v: unknown, keys: string[]): Value {
  let cur: unknown = v
  for (const k of keys) {
    if (typeof cur !== 'object' || cur === null) return undefined
    cur = (cur as Record<string, unknown>)[k]
  }
  return cur as Value
}

// ---- steps -------------------------------------------------------------------------------------------------

/**
 * Runs a `run:` step's script as the runner does (`bash -e -o pipefail`) in `cwd`, with `GITHUB_OUTPUT` read
 * afterwards. `background`: the script may leave a process running (started with `&`), so it runs in its own
 * process group, handed to `background` to stop later, and the step ends when bash exits, not when the pipes
 * the background process still holds close.
 */
export async function bash(
  script: string,
  cwd: string,
  env: Record<string, string>,
  background?: (processGroup: number) => void
): Promise<{ code: number; outputs: Record<string, string>; log: string }> {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'coi-step-'))
  const outputFile = path.join(temp, 'output')
  writeFileSync(outputFile, '')
  const child = spawn('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', script], {
    cwd,
    detached: background !== undefined,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? temp, GITHUB_OUTPUT: outputFile, ...env }
  })
  if (background) background(child.pid!)
  let log = ''
  child.stdout.on('data', (d: Buffer) => (log += d.toString()))
  child.stderr.on('data', (d: Buffer) => (log += d.toString()))
  const code = await new Promise<number>(resolve => {
    const done = (c: number | null): void => {
      resolve(c ?? 1)
    }
    if (background) child.on('exit', done)
    else child.on('close', done)
  })
  return { code, outputs: parseOutputFile(readFileSync(outputFile, 'utf8')), log }
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^$()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`
  )
}

/** Runs one job of a workflow as a runner would; the job's outputs are evaluated at its end. */
export async function runJob(ctx: JobContext): Promise<JobRecord> {
  const job = ctx.workflow.jobs[ctx.job]
  if (!job) throw new Error(`no job ${ctx.job} in ${ctx.workflow.name}`)
  const steps: StepRecord[] = []
  const status = { failed: false }
  const stepOutputs: Record<string, { outputs: Record<string, string>; outcome: string }> = {}
  const scope: Scope = {
    status,
    lookup(keys) {
      const [head, ...rest] = keys
      switch (head) {
        case 'steps': {
          const s = stepOutputs[rest[0] ?? '']
          if (rest[1] === 'outputs') return s?.outputs[rest[2] ?? '']
          if (rest[1] === 'outcome' || rest[1] === 'conclusion') return s?.outcome
          return undefined
        }
        case 'matrix':
          return ctx.matrix?.[rest.join('.')]
        case 'needs':
          return dig(ctx.needs, rest)
        case 'secrets':
          return ctx.secrets?.[rest[0] ?? '']
        case 'vars':
          return undefined
        case 'strategy':
          return rest[0] === 'job-index' ? String(ctx.jobIndex ?? 0) : undefined
        case 'github': {
          if (rest[0] === 'token') return ctx.token
          if (rest[0] === 'event') return dig(ctx.event, rest.slice(1))
          if (rest[0] === 'run_id') return ctx.runId
          if (rest[0] === 'event_name') return ctx.eventName
          if (rest[0] === 'repository') return 'acme/indexes'
          throw new Error(`the runner here does not know github.${rest.join('.')}`)
        }
        default:
          throw new Error(`the runner here does not know ${keys.join('.')}`)
      }
    }
  }
  if (job.if !== undefined && !condition(job.if, scope)) {
    return {
      result: 'skipped',
      outputs: {},
      steps,
      step: () => ({ label: '', outcome: 'skipped', outputs: {} })
    }
  }
  const runnerTemp = mkdtempSync(path.join(os.tmpdir(), 'coi-runner-'))
  for (const step of job.steps) {
    const label = step.name ?? step.id ?? step.uses ?? step.run?.slice(0, 40) ?? '?'
    const record = (outcome: StepOutcome, outputs: Record<string, string> = {}, extra = {}): void => {
      steps.push({ label, ...(step.id ? { id: step.id } : {}), outcome, outputs, ...extra })
      if (step.id) stepOutputs[step.id] = { outputs, outcome }
      if (outcome === 'failure') status.failed = true
    }
    if (!condition(step.if, scope)) {
      record('skipped')
      continue
    }
    const withs: Record<string, string> = {}
    for (const [k, v] of Object.entries(step.with ?? {})) withs[k] = expand(String(v), scope)
    const uses = step.uses ?? ''
    if (uses.startsWith('actions/checkout@')) {
      record('success')
    } else if (uses.startsWith('actions/upload-artifact@')) {
      const file = withs.path ?? ''
      // `if-no-files-found: warn`, the default: nothing to upload is not a failure.
      if (file !== '' && existsSync(file)) {
        const dir = ctx.artifacts.dir(ctx.runId, withs.name ?? 'artifact')
        if (existsSync(dir)) {
          record('failure') // v4: an artifact name is used once per run
          continue
        }
        mkdirSync(dir, { recursive: true })
        cpSync(file, path.join(dir, path.basename(file)))
      }
      record('success')
    } else if (uses.startsWith('actions/download-artifact@')) {
      const runId = withs['run-id'] || ctx.runId
      const into = path.join(ctx.workspace, withs.path ?? '.')
      const names = withs.name
        ? [withs.name]
        : ctx.artifacts.names(runId).filter(n => globToRegExp(withs.pattern ?? '*').test(n))
      if (withs.name && !existsSync(ctx.artifacts.dir(runId, withs.name))) {
        record('failure')
        continue
      }
      mkdirSync(into, { recursive: true })
      for (const n of names) {
        // One artifact by name, or merge-multiple, lands in `path`; several without it, in `path/<name>`.
        const target = withs.name || withs['merge-multiple'] === 'true' ? into : path.join(into, n)
        cpSync(ctx.artifacts.dir(runId, n), target, { recursive: true })
      }
      record('success')
    } else if (uses.startsWith(OURS)) {
      const inputs = actionStepInputs(withs, text => expand(text, scope))
      if (withs.region !== undefined) Object.assign(inputs, ctx.platform)
      const run = await runAction({
        inputs,
        workspace: ctx.workspace,
        eventName: ctx.eventName,
        event: ctx.event,
        env: {
          GITHUB_RUN_ID: ctx.runId,
          GITHUB_RUN_ATTEMPT: ctx.runAttempt ?? '1',
          RUNNER_TEMP: runnerTemp,
          ...ctx.env
        }
      })
      record(run.code === 0 ? 'success' : 'failure', run.outputs, { action: run })
    } else if (step.run !== undefined) {
      const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, scope)]))
      const result = await bash(expand(step.run, scope), ctx.workspace, env)
      record(result.code === 0 ? 'success' : 'failure', result.outputs, { log: result.log })
    } else {
      throw new Error(`the runner here does not know the step ${label}`)
    }
  }
  const outputs: Record<string, string> = {}
  for (const [k, v] of Object.entries(job.outputs ?? {})) outputs[k] = expand(v, scope)
  return {
    result: status.failed ? 'failure' : 'success',
    outputs,
    steps,
    step: id => {
      const s = steps.find(x => x.id === id)
      if (!s) throw new Error(`no step ${id}`)
      return s
    }
  }
}

/** The matrix of a job (`${{ fromJSON(needs.X.outputs.Y) }}`), as the include list of its entries. */
export function matrixOf(
  job: WorkflowJob,
  needs: Record<string, { outputs: Record<string, string> }>
): Record<string, string>[] {
  const m = /^\$\{\{\s*fromJSON\(needs\.([\w-]+)\.outputs\.([\w-]+)\)\s*\}\}$/.exec(
    String(job.strategy?.matrix)
  )
  if (!m) throw new Error(`the runner here does not know the matrix ${String(job.strategy?.matrix)}`)
  const parsed = JSON.parse(needs[m[1]!]?.outputs[m[2]!] ?? '{}') as { include?: Record<string, string>[] }
  return parsed.include ?? []
}
