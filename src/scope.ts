// What one run of the action works with, passed as one value (`RunScope`): the settings, what the runner tells
// (`runner`: the event, the repository, the run's identity), the exits everything leaves through, the
// redactor, and GitHub (loaded on first use). One name per context: `runner` is always the runner's
// `RunContext`; `ctx` is always a pipeline's `PipelineContext`.
import { loadUndici } from './bundle/undici.js'
import type { RunContext } from './event.js'
import type { Exits } from './exits.js'
import type { GitHub } from './github/index.js'
import type { ReviewLine } from './github/reviewline.js'
import type { Redactor } from './redact.js'
import type { ReportOptions } from './report/render.js'
import type { Settings } from './settings.js'

export interface RunScope {
  settings: Settings
  runner: RunContext
  exits: Exits
  redactor: Redactor
  /** GitHub, or undefined without a token or a repository. Octokit is loaded on the first call only. */
  github(): Promise<GitHub | undefined>
}

/** What a run knows besides its results: the pull request and commit they belong to. */
export interface RunFacts {
  pullRequest: number | null
  headSha: string
  /** What the comment's review line records (validate, publish). */
  review?: ReviewLine
}

/** GitHub, loaded on first use: Octokit is most of the bundle, and runs that never call GitHub start faster. */
export function lazyGitHub(settings: Settings, runner: RunContext): () => Promise<GitHub | undefined> {
  let session: Promise<GitHub> | undefined
  return async () => {
    if (!settings.githubToken || !runner.repository) return undefined
    const token = settings.githubToken
    // undici (Octokit's fetch and proxy agent) is a chunk of its own, loaded first: @actions/github makes
    // its proxy agent when it is imported.
    session ??= loadUndici()
      .then(() => import('./github/index.js'))
      .then(m => m.createGitHub({ token, baseUrl: runner.apiUrl }))
    return session
  }
}

/** `owner/name`, or '' outside a repository (a local run). */
export function repositoryName(runner: RunContext): string {
  return runner.repository ? `${runner.repository.owner}/${runner.repository.repo}` : ''
}

/** What every rendering of this run's report is told about GitHub. */
export function reportOptions(run: RunScope, facts: Pick<RunFacts, 'headSha'>): ReportOptions {
  const repository = repositoryName(run.runner)
  return {
    mode: run.settings.mode,
    serverUrl: run.runner.serverUrl,
    ...(repository ? { repository } : {}),
    headSha: facts.headSha,
    runId: run.runner.source.runId,
    time: new Date()
  }
}
