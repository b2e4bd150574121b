// The README's picture of the PR comment is the demo's real comment: `npm run screenshot` photographs the
// markdown it writes to .github/readme/comment.md, and that markdown is what the GitHub stand-in receives
// from the demo's pull-request run of the bundled action (timings aside: the run's time and the probes'
// milliseconds differ from run to run).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../src/emulator/runner.js'
import { startDemo, validatePullRequest } from '../../scripts/demo-scenario.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers()

const read = (file: string): string => readFileSync(`${ROOT}/${file}`, 'utf8')

/** The comment with what changes from run to run masked: the time of the run, the probes' milliseconds. */
function timeless(markdown: string): string {
  return markdown
    .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/g, 'TIME UTC')
    .replace(/\d[\d,.]* ms\b/g, 'N ms')
    .replace(/\n*$/, '\n')
}

describe('the README screenshot', () => {
  it("is made from the demo's real comment: comment.md is what the demo's pull-request run posts", async () => {
    const demo = await startDemo()
    servers.track(() => demo.close())
    const { run, comment } = await validatePullRequest(demo)
    expect(run.code).toBe(0)
    expect(comment).toBeDefined()
    expect(timeless(read('.github/readme/comment.md'))).toBe(timeless(comment!))
  })

  it("shows what the comment can say: a modified index, a finding, probe plans, the run's line", () => {
    const markdown = read('.github/readme/comment.md')
    expect(markdown).toContain('✏️ order changed')
    expect(markdown).toContain('#### Findings')
    expect(markdown).toContain('#### Probe plans')
    expect(markdown).toMatch(/^Commit \[`2222222`\].* · \[run \d+\]/m)
  })

  it('is taken by a script that renders no fixture of its own: it runs the demo and writes comment.md', () => {
    const script = read('scripts/screenshot-comment.ts')
    expect(script).toContain("from './demo-scenario.js'")
    expect(script).toContain('validatePullRequest(')
    expect(script).toContain('.github/readme/comment.md')
    expect(script).not.toMatch(/renderComment|ObjectResult|from '\.\.\/src\/report/)
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> }
    expect(pkg.scripts.screenshot).toContain('scripts/screenshot-comment.ts')
  })
})
