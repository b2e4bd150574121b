// The repository's workflows: their shape (Node 24, pinned actions, least permissions, the checks they run), and
// the `test-action` job of ci.yml run here step by step as a runner would: its shell steps in bash, its
// `uses: ./` steps as the bundled action with the same inputs, against the emulator the job starts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { startGitHubStandIn } from '../../src/emulator/index.js'
import { ROOT, runAction, type ActionRun } from '../helpers/action.js'
import {
  actionStepInputs,
  bash,
  readRepoFile,
  readWorkflow,
  type Workflow,
  type WorkflowStep
} from '../helpers/workflow.js'

const ci = readWorkflow('.github/workflows/ci.yml')
const release = readWorkflow('.github/workflows/release.yml')

const steps = (w: Workflow): WorkflowStep[] => Object.values(w.jobs).flatMap(j => j.steps)

describe('the workflows', () => {
  it('pin every action to a full commit SHA with its version in a comment', () => {
    for (const file of ['.github/workflows/ci.yml', '.github/workflows/release.yml']) {
      const uses = readRepoFile(file)
        .split('\n')
        .filter(l => /^\s*(- )?uses:/.test(l))
      expect(uses.length, file).toBeGreaterThan(0)
      for (const line of uses) {
        if (line.trim().endsWith('uses: ./')) continue
        expect(line, file).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/)
      }
    }
  })

  it('set up Node 24, the version the action runs on', () => {
    const runtime = (YAML.parse(readRepoFile('action.yml')) as { runs: { using: string } }).runs.using
    expect(runtime).toBe('node24')
    const setups = [...steps(ci), ...steps(release)].filter(s => s.uses?.startsWith('actions/setup-node@'))
    expect(setups.length).toBeGreaterThanOrEqual(3)
    for (const s of setups) expect(s.with?.['node-version']).toBe(24)
    // The tools and tests need Node 20 or later (the development floor); the action itself runs on node24.
    const engines = (JSON.parse(readRepoFile('package.json')) as { engines: { node: string } }).engines.node
    expect(engines).toBe('>=20')
  })

  it('give the CI read-only contents and run the clean-clone script', () => {
    expect(ci.permissions).toEqual({ contents: 'read' })
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push'])
    expect(ci.jobs.ci!.steps.map(s => s.run).filter(Boolean)).toEqual(['bash .ci/run'])
  })

  it('run the action on itself against the emulator in validate and deploy mode, checking the outputs', () => {
    const job = ci.jobs['test-action']!
    const start = job.steps.find(s => s.run?.includes('npm run -s emulator -- --port'))
    expect(start?.id).toBe('emulator')
    const local = job.steps.filter(s => s.uses === './')
    const mode = (m: string): WorkflowStep =>
      local.find(s => s.with?.mode === m && s.with['api-url'] !== undefined)!
    for (const m of ['validate', 'deploy']) {
      const step = mode(m)
      expect(step.with?.['api-url']).toBe('${{ steps.emulator.outputs.url }}')
      const check = job.steps[job.steps.indexOf(step) + 1]!
      for (const output of ['valid', 'changed', 'rebuild-status', 'index-used', 'schema-version']) {
        const variable = Object.entries(check.env ?? {}).find(
          ([, v]) => v === `\${{ steps.${step.id!}.outputs.${output} }}`
        )?.[0]
        expect(variable, `${m} ${output}`).toBeDefined()
        expect(check.run).toMatch(new RegExp(`^test "\\$${variable!}" = \\S+`, 'm'))
      }
    }
  })

  it('release on a pushed version tag or by hand with a version, with least permissions per job', () => {
    expect((release.on.push as { tags: string[] }).tags).toEqual(['v*.*.*'])
    const dispatch = release.on.workflow_dispatch as { inputs: Record<string, { required: boolean }> }
    expect(dispatch.inputs.version?.required).toBe(true)
    expect(release.permissions).toEqual({})
    for (const [name, job] of Object.entries(release.jobs)) expect(job.permissions, name).toBeDefined()
    const writers = Object.entries(release.jobs).filter(([, j]) => j.permissions?.contents === 'write')
    expect(writers.map(([n]) => n)).toEqual(['release'])
    expect(release.jobs.release!.needs).toBe('check')
    const check = release.jobs.check!.steps.map(s => s.run ?? '').join('\n')
    expect(check).toContain('bash .ci/run') // tests, and dist/ in sync with a fresh build
    expect(check).toContain('scripts/release.ts check')
    const publish = release.jobs.release!.steps.map(s => s.run ?? '').join('\n')
    expect(publish).toContain('gh release create')
    expect(publish).toMatch(/git push --force origin "refs\/tags\/\$MAJOR"/)
  })

  it('have dependabot update npm and the actions weekly, grouped', () => {
    const config = YAML.parse(readRepoFile('.github/dependabot.yml')) as {
      version: number
      updates: { 'package-ecosystem': string; schedule: { interval: string }; groups?: object }[]
    }
    expect(config.version).toBe(2)
    expect(config.updates.map(u => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm'])
    for (const u of config.updates) {
      expect(u.schedule.interval).toBe('weekly')
      expect(Object.keys(u.groups ?? {}).length).toBeGreaterThan(0)
    }
  })
})

describe('the test-action job, run here', () => {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'coi-ci-'))
  const groups: number[] = []
  afterAll(() => {
    // The emulator the job started in the background, if its own stop step did not run.
    try {
      groups.push(Number(readFileSync(path.join(temp, 'emulator.pid'), 'utf8')))
    } catch {
      // The job never started it.
    }
    for (const pgid of groups) {
      try {
        process.kill(-pgid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    rmSync(temp, { recursive: true, force: true })
  })

  /** Runs a `run:` step as the runner does, in its own process group (the emulator it starts outlives it). */
  const shell = (step: WorkflowStep, env: Record<string, string>): ReturnType<typeof bash> =>
    bash(
      step.run!,
      ROOT,
      { CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: ROOT, RUNNER_TEMP: temp, ...env },
      group => groups.push(group)
    )

  it('passes every step: offline, validate and deploy against the emulator, outputs checked', async () => {
    const github = await startGitHubStandIn()
    const outputs: Record<string, Record<string, string>> = {}
    const expand = (text: string): string =>
      text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
        const step = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr)
        if (step) return outputs[step[1]!]?.[step[2]!] ?? ''
        if (expr === 'github.token') return 'ghs_local_token'
        throw new Error(`the local run does not know \${{ ${expr} }}: teach it`)
      })
    const ran: string[] = []
    try {
      for (const step of ci.jobs['test-action']!.steps) {
        const label = step.name ?? step.id ?? step.uses ?? '?'
        if (step.if !== undefined && step.if !== 'always()') throw new Error(`unsupported if: ${step.if}`)
        if (step.uses?.startsWith('actions/') || step.run?.startsWith('npm ci')) continue // done here already
        if (step.uses === './') {
          const withs = Object.entries(step.with ?? {}).map(([name, value]) => [name, expand(String(value))])
          const inputs = actionStepInputs(Object.fromEntries(withs) as Record<string, string>, expand)
          const run: ActionRun = await runAction({
            inputs,
            workspace: ROOT,
            eventName: 'pull_request',
            event: {
              number: 7,
              pull_request: { number: 7, head: { sha: '2'.repeat(40), repo: { full_name: 'acme/indexes' } } },
              repository: { default_branch: 'main', full_name: 'acme/indexes' }
            },
            env: { GITHUB_API_URL: github.url },
            timeoutMs: 60_000
          })
          expect(run.code, `${label}\n${run.stdout}\n${run.stderr}`).toBe(0)
          outputs[step.id!] = run.outputs
        } else {
          const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v)]))
          const result = await shell(step, env)
          expect(result.code, `${label}\n${result.log}\n${JSON.stringify(env)}`).toBe(0)
          if (step.id !== undefined) outputs[step.id] = result.outputs
        }
        ran.push(label)
      }
    } finally {
      await github.close()
    }
    expect(ran).toContain('Test Local Action (validate)')
    expect(ran).toContain('Check the deploy outputs')
    expect(ran.at(-1)).toBe('Stop the emulator')
    expect(outputs.emulator?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    // The last step stopped the emulator.
    await expect
      .poll(
        () =>
          fetch(`${outputs.emulator!.url}/__emulator/state`).then(
            () => 'up',
            () => 'down'
          ),
        { timeout: 5_000 }
      )
      .toBe('down')
    expect(outputs.deploy).toMatchObject({ mode: 'deploy', 'rebuild-status': 'active', 'index-used': 'true' })
  }, 120_000)
})
