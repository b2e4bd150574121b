// The bad-input corpus: every case of __tests__/e2e/corpus/cases.json run through the bundled action as GitHub
// runs it, in deploy mode with credentials against a real emulator. Each must fail the step with one clean,
// one-line error naming the file and line (or the input), print no stack trace, leak no secret, and send no
// PUT. Cases run a few at a time (describe.concurrent), each against its own emulator so a PUT is pinned on
// the case that sent it.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { RuleId } from '../../src/model.js'
import { startEmulator } from '../../src/emulator/index.js'
import { BUNDLE, runAction, type ActionRun } from '../helpers/action.js'

const CORPUS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corpus')

/** What a case must produce. */
interface Expectation {
  /** The rule of the error annotation (file cases). */
  rule?: RuleId
  /** The annotation's `file=` (workspace-relative). */
  file?: string
  /** The annotation's `line=`; null: the annotation has no line; absent: not checked. */
  line?: number | null
  /** Text the error message must contain. */
  messageIncludes?: string
  /** How many error annotations (with `file=`) the run prints: a count or an inclusive range; default 1. */
  errors?: number | [number, number]
  /** Other files an annotation may name besides `file` (cases with several files). */
  alsoFiles?: string[]
  /** Input cases: the input the one `::error::` line must name. */
  input?: string
  /** Why the expected line is what it is, when not obvious. */
  note?: string
}

interface CorpusCase {
  name: string
  about: string
  /** Files of the case folder, copied into the workspace under the same names. */
  files: string[]
  /** Generated in the test instead of committed (too large or too deep to keep as a file). */
  generate?: 'huge' | 'deep-lists' | 'deep-json' | 'deep-maps'
  /** Inputs on top of the deploy defaults (an empty value unsets a default). */
  inputs?: Record<string, string>
  expect: Expectation
}

interface Manifest {
  customObjectId: string
  cases: CorpusCase[]
}

const manifest = JSON.parse(readFileSync(path.join(CORPUS, 'cases.json'), 'utf8')) as Manifest
const T = manifest.customObjectId
const SECRET = 'emulator-secret'

/** A line of a stack trace, as Node prints them. */
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m

function generate(kind: NonNullable<CorpusCase['generate']>): string {
  const head = `customObjectId: ${T}\n`
  switch (kind) {
    case 'huge': {
      // A well-formed file, just too large: refused before it is parsed.
      const parts = [head, 'indexes:\n']
      let size = 0
      for (let i = 0; size < 1.2 * 1024 * 1024; i++) {
        const entry = `  - name: idx_${i}\n    fields: [status, priority]\n    order: [asc, desc]\n`
        parts.push(entry)
        size += entry.length
      }
      return parts.join('')
    }
    case 'deep-lists':
      return `${head}indexes: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`
    case 'deep-json':
      return `{"customObjectId": "${T}", "indexes": ${'['.repeat(10_000)}${']'.repeat(10_000)}}\n`
    case 'deep-maps': {
      const lines = [head, 'indexes:\n  - name: idx_a\n    fields: [status]\n    unique:\n']
      for (let i = 0; i < 1000; i++) lines.push(`${' '.repeat(5 + i)}k${i}:\n`)
      return lines.join('')
    }
  }
}

function workspaceFor(c: CorpusCase): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coi-corpus-'))
  if (c.generate) {
    writeFileSync(path.join(dir, c.files[0]!), generate(c.generate))
  } else {
    cpSync(path.join(CORPUS, c.name), dir, { recursive: true })
  }
  return dir
}

interface Command {
  command: string
  properties: Record<string, string>
  message: string
  raw: string
}

/** The `::command props::message` lines of a run (workflow commands, unescaped). */
function commands(stdout: string, name: string): Command[] {
  const out: Command[] = []
  for (const raw of stdout.split(/\r?\n/)) {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(raw)
    if (!m || m[1] !== name) continue
    const properties: Record<string, string> = {}
    for (const pair of (m[2] ?? '').split(',').filter(p => p !== '')) {
      const at = pair.indexOf('=')
      properties[pair.slice(0, at)] = unescapeProperty(pair.slice(at + 1))
    }
    out.push({ command: m[1], properties, message: unescapeData(m[3] ?? ''), raw })
  }
  return out
}

function unescapeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

function unescapeProperty(s: string): string {
  return unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',')
}

function explain(c: CorpusCase, run: ActionRun): string {
  return `case ${c.name} (${c.about})\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`
}

describe('the bad-input corpus', () => {
  it('holds at least 60 cases, each with its folder or generator, and no stray folder', () => {
    expect(manifest.cases.length).toBeGreaterThanOrEqual(60)
    const names = manifest.cases.map(c => c.name)
    expect(new Set(names).size).toBe(names.length)
    for (const c of manifest.cases) {
      if (c.generate) continue
      for (const f of c.files) expect(existsSync(path.join(CORPUS, c.name, f)), `${c.name}/${f}`).toBe(true)
    }
    const folders = readdirSync(CORPUS, { withFileTypes: true })
      .filter(d => d.isDirectory())
      .map(d => d.name)
    expect(folders.sort()).toEqual(
      manifest.cases
        .filter(c => !c.generate)
        .map(c => c.name)
        .sort()
    )
  })

  it('has the bundled action to run (npm run bundle builds dist/index.js)', () => {
    expect(existsSync(BUNDLE), `${BUNDLE} is missing: run npm run bundle`).toBe(true)
  })
})

describe.concurrent('each bad input fails the deploy cleanly, with no PUT', () => {
  for (const c of manifest.cases) {
    it(`${c.name}: ${c.about}`, async () => {
      const emulator = await startEmulator({ ticketCount: 500, accountCount: 50 })
      const workspace = workspaceFor(c)
      try {
        const inputs: Record<string, string> = {
          'index-file': c.files.length === 1 ? c.files[0]! : '**/*',
          mode: 'deploy',
          'api-url': emulator.url,
          'login-url': emulator.url,
          'client-id': 'emulator-client',
          'client-secret': SECRET,
          'rebuild-timeout-seconds': '30',
          ...c.inputs
        }
        const run = await runAction({ workspace, inputs, eventName: 'workflow_dispatch', timeoutMs: 45_000 })
        const why = explain(c, run)

        expect(run.code, why).toBe(1)
        const puts = emulator.requests().filter(r => r.method === 'PUT')
        expect(puts, `a PUT reached the emulator\n${why}`).toEqual([])
        expect(run.stdout, why).not.toMatch(STACK_LINE)
        expect(run.stderr, why).not.toMatch(STACK_LINE)
        // The secret may appear only in the command that asks the runner to mask it.
        const unmasked = (run.stdout + run.stderr).replace(/^::add-mask::.*$/gm, '')
        expect(unmasked, why).not.toContain(SECRET)

        const errors = commands(run.stdout, 'error')
        for (const e of errors) expect(e.message, why).not.toContain('\n')
        const annotations = errors.filter(e => e.properties.file !== undefined)
        const plain = errors.filter(e => Object.keys(e.properties).length === 0)
        const x = c.expect

        if (x.input !== undefined) {
          // An input error: the one error line names the input, and nothing was read or sent.
          expect(errors, why).toHaveLength(1)
          expect(plain, why).toHaveLength(1)
          expect(plain[0]!.message, why).toMatch(new RegExp(`\\b${x.input}\\b`))
          if (x.messageIncludes === undefined) expect(plain[0]!.message, why).toContain(`Input '${x.input}'`)
          else expect(plain[0]!.message, why).toContain(x.messageIncludes)
        } else {
          // A file error: one annotation on file (and line), plus the one line that fails the step.
          const [least, most] = Array.isArray(x.errors) ? x.errors : [x.errors ?? 1, x.errors ?? 1]
          expect(annotations.length, why).toBeGreaterThanOrEqual(least)
          expect(annotations.length, why).toBeLessThanOrEqual(most)
          for (const a of annotations)
            expect([x.file, ...(x.alsoFiles ?? [])], why).toContain(a.properties.file)
          const match = annotations.filter(
            a =>
              a.properties.title === x.rule &&
              (x.line === undefined ||
                (x.line === null ? a.properties.line === undefined : a.properties.line === String(x.line)))
          )
          expect(
            match.length,
            `no ${x.rule} annotation on ${x.file}:${String(x.line)}\n${why}`
          ).toBeGreaterThan(0)
          if (x.messageIncludes !== undefined) {
            expect(
              annotations.some(a => a.message.includes(x.messageIncludes!)),
              why
            ).toBe(true)
          }
          expect(plain, why).toHaveLength(1)
          // The outputs say so too: not valid, and nothing rebuilt.
          expect(run.outputs.valid, why).toBe('false')
          expect(run.outputs['rebuild-status'], why).toBe('skipped')
        }
      } finally {
        rmSync(workspace, { recursive: true, force: true })
        await emulator.close()
      }
    })
  }
})
