// The workflows README.md gives adopters, checked as far as a machine without GitHub allows: each parses, names
// only inputs and outputs action.yml declares, says which permissions its jobs need, and the three set-ups of
// publish and drift (fork-safe, matrix, nightly) are all there. The fork-safe and matrix workflows run as
// written in e2e/readme-workflows-run.test.ts; publish and drift are simulated in e2e/publish.test.ts and
// e2e/drift.test.ts.
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { MODE_INPUTS } from '../../src/settings.js'
import { readmeWorkflows, readRepoFile, type Workflow, type WorkflowStep } from '../helpers/workflow.js'

const action = YAML.parse(readRepoFile('action.yml')) as {
  inputs: Record<string, unknown>
  outputs: Record<string, unknown>
}
const OURS = 'your-org/custom-object-index-action@'

const workflows = readmeWorkflows()

const ourSteps = (w: Workflow): WorkflowStep[] =>
  Object.values(w.jobs).flatMap(j => j.steps.filter(s => s.uses?.startsWith(OURS)))

describe('the workflows of README.md', () => {
  it('are there: PR checks, fork-safe checks (two files), a matrix, deploy, nightly drift, an always-reporting required check and a drift check that can be run by hand', () => {
    expect(workflows.map(w => w.name)).toEqual([
      'indexes',
      'indexes-pr',
      'indexes-publish',
      'indexes',
      'deploy indexes',
      'index drift',
      'indexes',
      'index drift'
    ])
  })

  it('give the action only inputs action.yml declares, and modes it accepts', () => {
    for (const w of workflows) {
      for (const step of ourSteps(w)) {
        for (const input of Object.keys(step.with ?? {}))
          expect(Object.keys(action.inputs), w.name).toContain(input)
        const mode = step.with?.mode
        if (mode !== undefined) expect(MODE_INPUTS as readonly unknown[]).toContain(mode)
      }
    }
  })

  it('read only outputs action.yml declares', () => {
    for (const w of workflows) {
      const ids = new Set(
        ourSteps(w)
          .map(s => s.id)
          .filter(Boolean)
      )
      const text = YAML.stringify(w)
      for (const [, id, output] of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        if (ids.has(id)) expect(Object.keys(action.outputs), `${w.name}: ${id}.${output}`).toContain(output)
      }
    }
  })

  it('name the permissions of every job, at the top or on the job', () => {
    for (const w of workflows) {
      for (const [name, job] of Object.entries(w.jobs)) {
        expect(w.permissions ?? job.permissions, `${w.name} / ${name}`).toBeDefined()
      }
    }
  })

  it('check fork PRs without secrets, then live from workflow_run, publishing with the PR number proven', () => {
    const pr = workflows.find(w => w.name === 'indexes-pr')!
    expect(Object.keys(pr.on)).toEqual(['pull_request'])
    expect(JSON.stringify(pr)).not.toContain('secrets.')
    expect(pr.jobs['file-checks']!.steps.some(s => s.uses?.startsWith('actions/upload-artifact@'))).toBe(true)

    const publish = workflows.find(w => w.name === 'indexes-publish')!
    expect(Object.keys(publish.on)).toEqual(['workflow_run'])
    expect(publish.permissions).toMatchObject({ 'pull-requests': 'write', actions: 'read' })
    const modes = ourSteps(publish).map(s => s.with?.mode)
    expect(modes).toEqual(['validate', 'publish'])
    expect(ourSteps(publish)[1]!.with?.['pull-request']).toBeDefined()
  })

  it('fan out over index files from plan mode, each job uploading its report, one publish at the end', () => {
    const matrix = workflows.filter(w => w.name === 'indexes')[1]!
    expect(ourSteps(matrix).map(s => s.with?.mode)).toEqual(['plan', 'validate', 'publish'])
    expect(matrix.jobs.validate!.strategy?.matrix).toContain('needs.plan.outputs.matrix')
    expect(matrix.jobs.validate!.steps.some(s => s.uses?.startsWith('actions/upload-artifact@'))).toBe(true)
    expect(matrix.jobs.publish!.steps.some(s => s.uses?.startsWith('actions/download-artifact@'))).toBe(true)
    expect(matrix.jobs.publish!.permissions).toEqual({ 'pull-requests': 'write', checks: 'write' })
  })

  it('run drift nightly with the drift issue, which needs issues: write', () => {
    const drift = workflows.find(w => w.name === 'index drift')!
    expect(Object.keys(drift.on)).toEqual(['schedule'])
    expect(drift.permissions).toMatchObject({ issues: 'write' })
    expect(ourSteps(drift)[0]!.with?.['drift-issue']).toBe(true)
  })

  it('deploy only from main, with the review required and the read permission it needs', () => {
    const deploy = workflows.find(w => w.name === 'deploy indexes')!
    expect(deploy.on).toEqual({ push: { branches: ['main'], paths: ['indexes/**'] } })
    expect(deploy.permissions).toMatchObject({ 'pull-requests': 'read' })
    expect(ourSteps(deploy)[0]!.with?.['require-review']).toBe('fail')
  })
})
