// The bad-input corpus: every case of __tests__/e2e/corpus/cases.json run through the bundled action as GitHub
// runs it, in deploy mode with credentials against a real emulator. Each must fail the step with one clean,
// one-line error naming the file and line (or the input), print no stack trace, leak no secret, and send no
// PUT. The one-file cases with the same inputs share one run of the bundle (a folder each, each naming an
// object of its own, so a PUT is pinned on the case that sent it) and are checked on the report file's findings;
// the others run alone. Runs go a few at a time (describe.concurrent), each against its own emulator.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type { ObjectResult, RuleId } from '../../src/model.js'
import { sampleData, startEmulator } from '../../src/emulator/index.js'
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

/** A finding as an annotation shows it, or as the report file holds it. */
interface Found {
  rule?: string
  file?: string
  line?: number
  message: string
}

/**
 * Which run a case joins. The action judges each object on its own, so the one-file cases with the same
 * inputs share one run, each in its own folder and, unless a custom-object-id input names the object, naming
 * an object of its own that the emulator holds as a copy of the Ticket. A settings error stops a whole run, a
 * case of several files is about how they meet, and a generated file tests the reader's limits (how deep it
 * gets depends on what else the process did), so those run alone.
 */
function groupOf(c: CorpusCase): string | undefined {
  if (c.expect.input !== undefined || c.files.length !== 1 || c.generate !== undefined) return undefined
  return JSON.stringify(c.inputs ?? {})
}

/**
 * The object id a grouped case's files name instead of the corpus's one: as long, so every line and column
 * stays where it is, and its own, so two files never name one object and a PUT is pinned on its case.
 */
function idOf(c: CorpusCase): string {
  return `${T.slice(0, -4)}${(manifest.cases.indexOf(c) + 1).toString(16).padStart(4, '0')}`
}

/** `bytes` with every occurrence of the corpus's object id replaced by `id` (of the same length). */
function withId(bytes: Buffer, id: string): Buffer {
  const from = Buffer.from(T)
  for (let at = bytes.indexOf(from); at !== -1; at = bytes.indexOf(from, at + from.length)) {
    Buffer.from(id).copy(bytes, at)
  }
  return bytes
}

interface Run {
  run: ActionRun
  puts: string[]
  /** The findings of each file of the report, by workspace path. */
  findings: Map<string, Found[]>
}

function inputsFor(
  emulatorUrl: string,
  indexFile: string,
  extra: Record<string, string> = {}
): Record<string, string> {
  return {
    'index-file': indexFile,
    mode: 'deploy',
    'api-url': emulatorUrl,
    'login-url': emulatorUrl,
    'client-id': 'emulator-client',
    'client-secret': SECRET,
    'rebuild-timeout-seconds': '30',
    ...extra
  }
}

/** Runs the bundle over `workspace` against a fresh emulator (holding copies of the Ticket under `ids` too). */
async function deployRun(
  workspace: string,
  inputs: (url: string) => Record<string, string>,
  ids: readonly string[] = []
): Promise<Run> {
  const data = sampleData(42, 500, 50)
  const ticket = data.objects.find(o => o.schema.id === T)!
  for (const id of ids)
    data.objects.push({ ...structuredClone(ticket), schema: { ...structuredClone(ticket.schema), id } })
  const emulator = await startEmulator({ data })
  try {
    const run = await runAction({
      workspace,
      inputs: inputs(emulator.url),
      eventName: 'workflow_dispatch',
      timeoutMs: 45_000
    })
    const puts = emulator
      .requests()
      .filter(r => r.method === 'PUT')
      .map(r => r.path)
    const findings = new Map<string, Found[]>()
    const report = run.outputs.report
    if (report !== undefined && report !== '' && existsSync(report)) {
      const objects = (JSON.parse(readFileSync(report, 'utf8')) as { objects: ObjectResult[] }).objects
      for (const f of objects.flatMap(o => o.findings)) {
        if (f.severity !== 'error' || f.file === undefined) continue
        findings.set(f.file, [...(findings.get(f.file) ?? []), f])
      }
    }
    return { run, puts, findings }
  } finally {
    await emulator.close()
  }
}

/** One run of every case of a group, each in its own folder; started by the group's first case. */
const groups = new Map<string, Promise<Run>>()
const workspaces: string[] = []
afterAll(() => {
  for (const dir of workspaces) rmSync(dir, { recursive: true, force: true })
})

function groupRun(key: string): Promise<Run> {
  let started = groups.get(key)
  if (started === undefined) {
    const workspace = mkdtempSync(path.join(os.tmpdir(), 'coi-corpus-'))
    workspaces.push(workspace)
    const members = manifest.cases.filter(c => groupOf(c) === key)
    const named = members[0]!.inputs?.['custom-object-id'] !== undefined
    for (const c of members) {
      const dir = path.join(workspace, c.name)
      mkdirSync(dir)
      const file = c.files[0]!
      const bytes = readFileSync(path.join(CORPUS, c.name, file))
      // Under a custom-object-id input the files name no id of their own (or must keep the one they name).
      writeFileSync(path.join(dir, file), named ? bytes : withId(bytes, idOf(c)))
    }
    started = deployRun(
      workspace,
      url => inputsFor(url, '**/*', members[0]!.inputs),
      named ? [] : members.map(idOf)
    )
    groups.set(key, started)
  }
  return started
}

/** A case run alone, as GitHub would run it. */
async function aloneRun(c: CorpusCase): Promise<Run> {
  const workspace = workspaceFor(c)
  try {
    const indexFile = c.files.length === 1 ? c.files[0]! : '**/*'
    return await deployRun(workspace, url => inputsFor(url, indexFile, c.inputs))
  } finally {
    rmSync(workspace, { recursive: true, force: true })
  }
}

/** A case's file findings against its expectation: on its file (and line), the rule, the count, the message. */
function expectFindings(c: CorpusCase, found: readonly Found[], why: string): void {
  const x = c.expect
  const [least, most] = Array.isArray(x.errors) ? x.errors : [x.errors ?? 1, x.errors ?? 1]
  expect(found.length, why).toBeGreaterThanOrEqual(least)
  expect(found.length, why).toBeLessThanOrEqual(most)
  for (const f of found) {
    expect([x.file, ...(x.alsoFiles ?? [])], why).toContain(f.file)
    expect(f.message, why).not.toContain('\n')
  }
  const match = found.filter(
    f =>
      f.rule === x.rule &&
      (x.line === undefined || (x.line === null ? f.line === undefined : f.line === x.line))
  )
  expect(match.length, `no ${x.rule} finding on ${x.file}:${String(x.line)}\n${why}`).toBeGreaterThan(0)
  if (x.messageIncludes !== undefined) {
    expect(
      found.some(f => f.message.includes(x.messageIncludes!)),
      why
    ).toBe(true)
  }
}

const asFound = (a: Command): Found => ({
  rule: a.properties.title,
  file: a.properties.file,
  ...(a.properties.line !== undefined ? { line: Number(a.properties.line) } : {}),
  message: a.message
})

describe.concurrent('each bad input fails the deploy cleanly, with no PUT', () => {
  for (const c of manifest.cases) {
    it(`${c.name}: ${c.about}`, async () => {
      const group = groupOf(c)
      const { run, puts, findings } = group !== undefined ? await groupRun(group) : await aloneRun(c)
      const why = explain(c, run)
      // In a shared run the case's files are in its own folder.
      const folder = group !== undefined ? `${c.name}/` : ''

      expect(run.code, why).toBe(1)
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
        return
      }
      // A file error: the findings on file (and line), plus the one line that fails the step.
      if (group === undefined) {
        expectFindings(c, annotations.map(asFound), why)
      } else {
        // A shared run annotates the first 10 of its errors: those of this case are its findings, as the report
        // file has them all.
        const own = (file: string | undefined): boolean => file?.startsWith(folder) === true
        const found = [...findings.entries()]
          .filter(([file]) => own(file))
          .flatMap(([, list]) => list.map(f => ({ ...f, file: f.file!.slice(folder.length) })))
        expectFindings(c, found, why)
        for (const a of annotations.filter(a => own(a.properties.file))) {
          expect(findings.get(a.properties.file!), why).toContainEqual(
            expect.objectContaining({ ...asFound(a) }) as unknown
          )
        }
      }
      expect(plain, why).toHaveLength(1)
      // The outputs say so too: not valid, and nothing rebuilt.
      expect(run.outputs.valid, why).toBe('false')
      expect(run.outputs['rebuild-status'], why).toBe('skipped')
    })
  }
})
