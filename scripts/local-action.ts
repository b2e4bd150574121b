// `npm run local-action`: runs the action from src/ under GitHub's local runner, @github/local-action, with
// the inputs of a dotenv file (`.env`, else `.env.example`), against the embedded emulator unless the file says
// otherwise. It writes the dotenv local-action reads with absolute paths, gives the run a job-summary file and a
// temp directory, prints the summary at the end, and stops the emulator.
//   npm run local-action                        .env (or .env.example) against the emulator's sample data
//   npm run local-action -- --env my.env        another dotenv file
//   npm run local-action -- --data objects.json the emulator with your objects (see `npm run emulator -- --help`)
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseEnv } from 'node:util'
import { errorMessage } from '../src/errors.js'
import { DEFAULT_CLIENT, startEmulator, type RunningEmulator } from '../src/emulator/index.js'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export const USAGE = `Usage: npm run local-action -- [--env FILE] [--data FILE]

Runs the action from src/ under @github/local-action with the inputs of a dotenv file: --env FILE, else .env,
else .env.example (copy it to .env, which git ignores, to make it yours). Unless the file sets
LOCAL_EMULATOR=false, it starts the Data Gateway emulator on a free port and points INPUT_API-URL and
INPUT_LOGIN-URL at it (and its client, unless INPUT_CLIENT-ID is set); --data FILE, or LOCAL_EMULATOR_DATA in
the file, loads your own objects into it ({"objects":[{"schema":{...},"records":[...]}]}). The job summary
is printed at the end.`

export interface LocalActionArgs {
  envFile?: string
  dataFile?: string
}

export class UsageError extends Error {}

/** The options `argv` asks for, or 'help'. Throws UsageError on a bad one. */
export function parseLocalActionArgs(argv: readonly string[]): LocalActionArgs | 'help' {
  const args: LocalActionArgs = {}
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!
    const value = (): string => {
      const v = argv[++i]
      if (v === undefined || v === '' || v.startsWith('--')) throw new UsageError(`${flag} expects a file`)
      return v
    }
    if (flag === '--help' || flag === '-h') return 'help'
    else if (flag === '--env') args.envFile = value()
    else if (flag === '--data') args.dataFile = value()
    else throw new UsageError(`unknown option ${flag}`)
  }
  return args
}

/** Where the run's files go, and the emulator's URL when one was started. */
export interface LocalRun {
  /** The repository's root: the action's directory and the default workspace. */
  root: string
  /** The directory of the dotenv file: relative paths in it are read from there. */
  envDir: string
  tempDir: string
  emulatorUrl?: string
}

/**
 * The variables local-action gets: the user's, with GITHUB_WORKSPACE absolute (the repository by default),
 * a job-summary file and RUNNER_TEMP in the run's temp directory, a pull_request event by default, and the
 * emulator's URL and client when one runs. Pure.
 */
export function localActionEnv(
  user: Readonly<Record<string, string>>,
  run: LocalRun
): Record<string, string> {
  const env: Record<string, string> = { GITHUB_EVENT_NAME: 'pull_request', ...user }
  const workspace = user.GITHUB_WORKSPACE?.trim()
  env.GITHUB_WORKSPACE = workspace ? path.resolve(run.envDir, workspace) : run.root
  env.GITHUB_STEP_SUMMARY = path.join(run.tempDir, 'summary.md')
  env.RUNNER_TEMP = path.join(run.tempDir, 'runner-temp')
  if (run.emulatorUrl !== undefined) {
    env['INPUT_API-URL'] = run.emulatorUrl
    env['INPUT_LOGIN-URL'] = run.emulatorUrl
    if (!user['INPUT_CLIENT-ID']) {
      env['INPUT_CLIENT-ID'] = DEFAULT_CLIENT.id
      env['INPUT_CLIENT-SECRET'] = DEFAULT_CLIENT.secret
    }
  }
  delete env.LOCAL_EMULATOR
  delete env.LOCAL_EMULATOR_DATA
  return env
}

/** A dotenv file of `env`, each value quoted so that the dotenv reader takes it literally. */
export function dotenvText(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([key, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key))
        throw new UsageError(`${JSON.stringify(key)} is not a variable name`)
      if (/[\r\n]/.test(value)) throw new UsageError(`${key}: a value on more than one line is not supported`)
      return value.includes("'") ? `${key}="${value}"` : `${key}='${value}'`
    })
    .join('\n')
    .concat('\n')
}

/** Watches local-action's output, in chunks, for the line that marks a failed step (`::error::` at a line start). */
export class StepFailureWatch {
  private rest = ''
  private seen = false

  feed(chunk: string): void {
    const lines = (this.rest + chunk).split('\n')
    this.rest = lines.pop() ?? ''
    if (lines.some(l => l.startsWith('::error::'))) this.seen = true
  }

  failed(): boolean {
    return this.seen || this.rest.startsWith('::error::')
  }
}

/** Whether the dotenv asks for the embedded emulator (the default). */
export function wantsEmulator(user: Readonly<Record<string, string>>): boolean {
  return (user.LOCAL_EMULATOR ?? 'true').trim().toLowerCase() !== 'false'
}

function chooseEnvFile(args: LocalActionArgs): string {
  if (args.envFile !== undefined) return path.resolve(args.envFile)
  const own = path.join(ROOT, '.env')
  return existsSync(own) ? own : path.join(ROOT, '.env.example')
}

async function main(argv: readonly string[]): Promise<number> {
  let args: LocalActionArgs | 'help'
  try {
    args = parseLocalActionArgs(argv)
  } catch (error) {
    process.stderr.write(`local-action: ${errorMessage(error)}\n${USAGE}\n`)
    return 2
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const envFile = chooseEnvFile(args)
  if (!existsSync(envFile)) {
    process.stderr.write(`local-action: no dotenv file at ${envFile}: copy .env.example to .env.\n`)
    return 2
  }
  const user = parseEnv(readFileSync(envFile, 'utf8')) as Record<string, string>
  const envDir = path.dirname(envFile)
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'custom-object-index-local-'))
  let emulator: RunningEmulator | undefined
  try {
    if (wantsEmulator(user)) {
      const data = args.dataFile ?? user.LOCAL_EMULATOR_DATA
      emulator = await startEmulator({
        ...(data
          ? { dataFile: path.resolve(args.dataFile !== undefined ? process.cwd() : envDir, data) }
          : {}),
        ticketCount: 5000,
        accountCount: 500
      })
      process.stdout.write(
        `Data Gateway emulator on ${emulator.url} (${data ? `objects of ${data}` : 'sample data: Ticket and Account'})\n`
      )
    }
    const env = localActionEnv(user, { root: ROOT, envDir, tempDir, emulatorUrl: emulator?.url })
    const dotenv = path.join(tempDir, 'local-action.env')
    writeFileSync(dotenv, dotenvText(env), { mode: 0o600 })
    process.stdout.write(
      `Inputs from ${path.relative(process.cwd(), envFile) || envFile}; workspace ${env.GITHUB_WORKSPACE}\n`
    )
    const bin = path.join(
      ROOT,
      'node_modules',
      '.bin',
      process.platform === 'win32' ? 'local-action.cmd' : 'local-action'
    )
    // Ctrl-C reaches local-action too: wait for it to stop, then clean up (emulator, temp files) below.
    const ignore = (): void => undefined
    process.on('SIGINT', ignore)
    // local-action exits 0 whatever the step's result; the step failed when the action called setFailed,
    // which its stand-in for @actions/core prints as an `::error::` line (annotations carry a title).
    const failed = new StepFailureWatch()
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(bin, ['run', ROOT, 'src/main.ts', dotenv], {
        cwd: ROOT,
        stdio: ['inherit', 'pipe', 'inherit'],
        env: { ...process.env, ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}) }
      })
      child.stdout.on('data', (chunk: Buffer) => {
        process.stdout.write(chunk)
        failed.feed(chunk.toString('utf8'))
      })
      child.on('error', reject)
      child.on('close', (status, signal) => {
        resolve(status ?? (signal ? 1 : 0))
      })
    })
    process.off('SIGINT', ignore)
    const summary = existsSync(env.GITHUB_STEP_SUMMARY!) ? readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8') : ''
    process.stdout.write(`\n==== Job summary (GITHUB_STEP_SUMMARY) ====\n\n`)
    process.stdout.write(summary.trim() === '' ? '(the action wrote no job summary)\n' : summary)
    if (failed.failed()) {
      process.stdout.write('\nThe step failed (exit code 1), as it would on GitHub.\n')
      return code === 0 ? 1 : code
    }
    return code
  } finally {
    await emulator?.close()
    rmSync(tempDir, { recursive: true, force: true })
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    code => {
      process.exitCode = code
    },
    (error: unknown) => {
      process.stderr.write(`local-action: ${errorMessage(error)}\n`)
      process.exitCode = 1
    }
  )
}
