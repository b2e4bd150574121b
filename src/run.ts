// What one run of the action works with, passed as one value: the settings, the runner's event, the exits
// everything leaves through, the redactor, and GitHub (loaded on first use).
import type { RunContext } from './event.js'
import type { Exits } from './exits.js'
import type { GitHub } from './github/index.js'
import type { ReviewLine } from './github/reviewline.js'
import type { Redactor } from './redact.js'
import type { ReportOptions } from './report/render.js'
import type { Settings } from './settings.js'

export interface Run {
  settings: Settings
  ctx: RunContext
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
export function lazyGitHub(settings: Settings, ctx: RunContext): () => Promise<GitHub | undefined> {
  let session: Promise<GitHub> | undefined
  return async () => {
    if (!settings.githubToken || !ctx.repository) return undefined
    const token = settings.githubToken
    session ??= import('./github/index.js').then(m => m.createGitHub({ token, baseUrl: ctx.apiUrl }))
    return session
  }
}

/** `owner/name`, or '' outside a repository (a local run). */
export function repositoryName(ctx: RunContext): string {
  return ctx.repository ? `${ctx.repository.owner}/${ctx.repository.repo}` : ''
}

/** What every rendering of this run's report is told about GitHub. */
export function reportOptions(run: Run, facts: Pick<RunFacts, 'headSha'>): ReportOptions {
  const repository = repositoryName(run.ctx)
  return {
    mode: run.settings.mode,
    serverUrl: run.ctx.serverUrl,
    ...(repository ? { repository } : {}),
    headSha: facts.headSha,
    runId: run.ctx.source.runId,
    time: new Date()
  }
}
