// npm run demo: the whole job against the embedded emulator, with nothing else to set up.
// Starts the emulator and the GitHub and warehouse stand-ins, runs the bundled action for a pull request
// (prints the comment as posted), then for a push to main (prints the deploy's results), and stops them all.
import { readFileSync } from 'node:fs'
import { SAMPLE_IDS } from '../src/emulator/index.js'
import { ROOT, runAction, type ActionRun } from '../src/emulator/runner.js'
import type { ObjectResult, ProbeResult } from '../src/model.js'
import { INDEX_FILE, MERGE_SHA, startDemo, validatePullRequest } from './demo-scenario.js'

function say(line = ''): void {
  process.stdout.write(line + '\n')
}

function fail(what: string, run: ActionRun): never {
  say(run.stdout)
  say(run.stderr)
  throw new Error(`${what} exited ${run.code}`)
}

function probeLine(p: ProbeResult | undefined): string {
  if (!p) return 'not probed'
  const plan = p.indexUsed ? `index ${p.indexName ?? p.index}` : 'full scan'
  return `${plan}, ${p.recordsExamined.toLocaleString('en-US')} records examined, ${p.latencyMs} ms`
}

async function main(): Promise<void> {
  const started = Date.now()
  say('Starting the Data Gateway emulator (sample data: 100,000 tickets referencing 5,000 accounts)...')
  const demo = await startDemo()
  const { emulator, github, warehouse } = demo
  say(`  emulator  ${emulator.url}  (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`)
  say(`  GitHub    ${github.url}`)
  say(`  warehouse ${warehouse.url}`)
  try {
    say()
    say(`== Pull request #1: validate ${INDEX_FILE} against the live schema ==`)
    const { run: pr } = await validatePullRequest(demo)
    if (pr.code !== 0) fail('the pull-request run', pr)
    const comments = github.comments(1)
    say(
      `valid=${pr.outputs.valid} errors=${pr.outputs['error-count']} warnings=${pr.outputs['warning-count']} ` +
        `changed=${pr.outputs.changed} comments on the PR: ${comments.length}`
    )
    say(`The comment as posted (${pr.outputs['comment-url']}):`)
    say('-'.repeat(100))
    say(comments[0]?.body ?? '(no comment was posted)')
    say('-'.repeat(100))

    say()
    say('== Push to main: deploy ==')
    const before = emulator.getSchema(SAMPLE_IDS.ticket)
    const push = await runAction({
      workspace: ROOT,
      inputs: { ...demo.inputs, mode: 'auto' },
      eventName: 'push',
      event: { ref: 'refs/heads/main', repository: { default_branch: 'main', full_name: 'acme/indexes' } },
      env: { ...demo.env, GITHUB_REF: 'refs/heads/main', GITHUB_SHA: MERGE_SHA }
    })
    if (push.code !== 0) fail('the deploy run', push)
    const o = push.outputs
    const report = JSON.parse(readFileSync(o.report!, 'utf8')) as { objects: ObjectResult[] }
    const ticket = report.objects[0]!
    say(`schema version:   ${before?.schemaVersion ?? '?'} -> ${o['schema-version']}`)
    say(`changed:          ${o.changed}  diff: ${o.diff}`)
    say(`reviewed:         ${o.reviewed} (the document sent is the one reviewed on PR #1)`)
    say(`rebuild:          ${o['rebuild-status']} after ${o['rebuild-seconds']} s`)
    say(`index used:       ${o['index-used']}`)
    for (const p of ticket.probes) {
      const was = ticket.baselineProbes.find(b => b.index === p.index)
      say(`probe ${p.index}:`)
      say(`  before: ${probeLine(was)}`)
      say(`  after:  ${probeLine(p)}`)
    }
    const delivered = warehouse.deliveries()
    say(
      `audit delivered:  ${o['audit-delivered']} (warehouse holds ${delivered.length} record(s); ` +
        `signature valid: ${delivered.map(d => String(d.signatureValid)).join(', ') || 'n/a'})`
    )
    say(`payload hash:     ${o['payload-hash']}`)
    say()
    say(`Demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
  } finally {
    await demo.close()
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
)
