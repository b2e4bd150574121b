// The rules page is the one place a rule is defined: code, tests and docs cite it by heading anchor
// (docs/rules.md#every-deploy-attempt-is-audited), never by a section letter that nothing in the repository
// defines, and every anchor they cite exists.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/action.js'

const RULES = readFileSync(path.join(ROOT, 'docs', 'rules.md'), 'utf8')

/** GitHub's heading anchor: lowercase, punctuation other than `-` and `_` removed, each space a `-`. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

/** The headings of a Markdown text (outside fenced code), with their level. */
function headings(markdown: string): { level: number; text: string }[] {
  let fenced = false
  const out: { level: number; text: string }[] = []
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced
    const m = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line)
    if (!fenced && m) out.push({ level: m[1]!.length, text: m[2]! })
  }
  return out
}

const HEADINGS = headings(RULES)
const ANCHORS = new Set(HEADINGS.map(h => slug(h.text)))

/** The sub-headings of one `##` section. */
function rulesOf(section: string): string[] {
  const start = HEADINGS.findIndex(h => h.level === 2 && h.text === section)
  const after = HEADINGS.slice(start + 1)
  const end = after.findIndex(h => h.level <= 2)
  return (end === -1 ? after : after.slice(0, end)).filter(h => h.level === 3).map(h => h.text)
}

const SCANNED_DIRS = ['src', '__tests__', 'scripts', 'bench', '.github']
const SCANNED_FILES = ['README.md', 'ARCHITECTURE.md', 'action.yml']
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', 'coverage'])
const TEXT = /\.(ts|mts|cts|js|mjs|cjs|md|ya?ml|json|txt)$/

function walk(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED_DIRS.has(entry.name)) continue
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) walk(full, out)
    else if (TEXT.test(entry.name) || !entry.name.includes('.')) out.push(full)
  }
  return out
}

const FILES = [
  ...SCANNED_DIRS.flatMap(d => walk(path.join(ROOT, d), [])),
  ...SCANNED_FILES.map(f => path.join(ROOT, f))
].filter(f => statSync(f).size < 2_000_000)

/**
 * What a section letter looks like: the word "contract" or "Part" and a capital A to M (with a number or
 * not), a parenthesis holding only such codes ("(" capital-letter number ")", or a list of them), or a
 * capital A to M with a one- or two-digit number standing as a word.
 */
const LETTER =
  /\b(contract|Part) [A-M][0-9]*\b|\(([A-M][0-9]{0,2}(, ?[A-M]?[0-9]{1,2})*)\)|\b[A-M][0-9]{1,2}\b/g

/**
 * Look-alikes that are not citations: a line anchor in a GitHub link (`…/ticket.yaml#L4`, where `#L` and a
 * number name a line of a file, not a rule). Nothing else is allowed.
 */
function allowed(line: string, index: number, match: string): boolean {
  return /^L[0-9]+$/.test(match) && line[index - 1] === '#'
}

describe('the rules page', () => {
  it('gives every rule a heading of its own, with no two anchors alike', () => {
    expect(HEADINGS.map(h => slug(h.text)).filter((s, i, all) => all.indexOf(s) !== i)).toEqual([])
    expect(rulesOf('Results under faults')).toHaveLength(14)
    expect(rulesOf('Correct across runs and jobs')).toHaveLength(9)
    expect(rulesOf('Scale with the repository')).toHaveLength(4)
  })

  it('covers every part of the interface, from the platform API to the check run', () => {
    expect(HEADINGS.filter(h => h.level === 2).map(h => h.text)).toEqual([
      'The platform API',
      'The index file and merging',
      'Inputs and outputs',
      'Finding rules',
      'What leaves the action',
      'Emulator defaults',
      'Results under faults',
      'Deploy what was reviewed',
      'Publishing reports',
      'Drift detection',
      'Correct across runs and jobs',
      'Scale with the repository',
      'One check run for the whole set'
    ])
  })

  it("links only to its own headings and to the README's", () => {
    const own = [...RULES.matchAll(/\]\(#([^)\s]+)\)/g)].map(m => m[1]!)
    expect(own.filter(a => !ANCHORS.has(a))).toEqual([])
    const readme = new Set(
      headings(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).map(h => slug(h.text))
    )
    const toReadme = [...RULES.matchAll(/\]\(\.\.\/README\.md#([^)\s]+)\)/g)].map(m => m[1]!)
    expect(toReadme.filter(a => !readme.has(a))).toEqual([])
  })
})

describe('citations of the rules', () => {
  it('leaves no section letter that nothing in the repository defines', () => {
    const found: string[] = []
    for (const file of FILES) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const m of line.matchAll(LETTER)) {
            if (!allowed(line, m.index, m[0])) found.push(`${path.relative(ROOT, file)}:${i + 1}: ${m[0]}`)
          }
        })
    }
    expect(found).toEqual([])
  })

  it('cites only anchors that are headings of docs/rules.md', () => {
    const cited = new Map<string, string>()
    for (const file of FILES) {
      for (const m of readFileSync(file, 'utf8').matchAll(/docs\/rules\.md#([\w-]+)/g)) {
        cited.set(m[1]!, path.relative(ROOT, file))
      }
    }
    expect(cited.size).toBeGreaterThan(0)
    expect([...cited].filter(([anchor]) => !ANCHORS.has(anchor))).toEqual([])
  })
})
