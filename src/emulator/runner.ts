// A stand-in for the GitHub runner: runs the bundled action (dist/index.js) as GitHub runs it, a child process
// with INPUT_* variables, an event file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and returns what the
// runner would see. Used by the end-to-end tests, the demo and the benches.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const BUNDLE = path.join(ROOT, 'dist', 'index.js')

export interface ActionRun {
  code: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** The runner's temp folder (the `report` file lives there). */
  tempDir: string
}

export interface ActionOptions {
  inputs: Record<string, string>
  /** Workspace folder; index-file paths are relative to it. */
  workspace: string
  eventName?: string
  event?: unknown
  env?: Record<string, string>
  /** Node binary; defaults to the one running the tests. */
  node?: string
  timeoutMs?: number
}

/** Parses the GITHUB_OUTPUT file format: `name<<DELIM\nvalue\nDELIM` blocks (and `name=value` lines). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delim] = heredoc
      const value: string[] = []
      i++
      while (i < lines.length && lines[i] !== delim) value.push(lines[i++]!)
      out[name!] = value.join('\n')
    } else if (line.includes('=')) {
      const at = line.indexOf('=')
      out[line.slice(0, at)] = line.slice(at + 1)
    }
  }
  return out
}

/** Runs dist/index.js once and collects its outputs. */
export async function runAction(opts: ActionOptions): Promise<ActionRun> {
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'coi-run-'))
  const outputFile = path.join(tempDir, 'output')
  const summaryFile = path.join(tempDir, 'summary')
  const eventFile = path.join(tempDir, 'event.json')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  writeFileSync(eventFile, JSON.stringify(opts.event ?? {}))
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tempDir,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: opts.workspace,
    GITHUB_EVENT_NAME: opts.eventName ?? 'pull_request',
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_REPOSITORY: 'acme/indexes',
    GITHUB_SHA: '1111111111111111111111111111111111111111',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SERVER_URL: 'https://github.com',
    // Nothing listens on port 9: a run that calls GitHub without a stand-in fails at once, never leaves the machine
    // (its retries are spaced by a short GitHub bound, so that "at once" is a fraction of a second).
    GITHUB_API_URL: 'http://127.0.0.1:9',
    ...(opts.env?.GITHUB_API_URL === undefined ? { CUSTOM_OBJECT_INDEX_GITHUB_TIMEOUT_MS: '1000' } : {}),
    RUNNER_TEMP: tempDir,
    ...opts.env
  }
  for (const [name, value] of Object.entries(opts.inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  const child = spawn(opts.node ?? process.execPath, [BUNDLE], { cwd: opts.workspace, env })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const code = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`action did not finish in ${opts.timeoutMs ?? 120_000} ms\n${stdout}\n${stderr}`))
    }, opts.timeoutMs ?? 120_000)
    child.on('close', c => {
      clearTimeout(timer)
      resolve(c ?? 1)
    })
  })
  const outputs = existsSync(outputFile) ? parseOutputFile(readFileSync(outputFile, 'utf8')) : {}
  const summary = existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : ''
  return { code, stdout, stderr, outputs, summary, tempDir }
}
