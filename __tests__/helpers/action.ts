// Test helpers for end-to-end runs: the runner stand-in, the events and the inputs a run is given.
import type { ActionOptions } from '../../src/emulator/runner.js'

export {
  BUNDLE,
  ROOT,
  parseOutputFile,
  runAction,
  type ActionOptions,
  type ActionRun
} from '../../src/emulator/runner.js'

/** The GitHub token the runs are given (any token is the Actions bot to the GitHub stand-in). */
export const GITHUB_TOKEN = 'ghs_faultMatrixGitHubToken0123456789'

/** The event of a push to the default branch: `mode: auto` deploys (GITHUB_SHA goes in `env`). */
export const PUSH_TO_MAIN: Required<Pick<ActionOptions, 'eventName' | 'event'>> = {
  eventName: 'push',
  event: { ref: 'refs/heads/main', repository: { default_branch: 'main' } }
}

/** A pull_request event for PR `n` of acme/indexes at head `headSha`. */
export function prEvent(n: number, headSha: string): unknown {
  return {
    number: n,
    pull_request: {
      number: n,
      head: { sha: headSha, repo: { full_name: 'acme/indexes' } },
      base: { repo: { full_name: 'acme/indexes' } }
    },
    repository: { default_branch: 'main', full_name: 'acme/indexes' }
  }
}

/** A workflow_run event: the triggering run's head SHA and the PRs it names. */
export function workflowRunEvent(headSha: string, pulls: number[]): unknown {
  return {
    workflow_run: {
      head_sha: headSha,
      pull_requests: pulls.map(number => ({ number, head: { sha: headSha } }))
    },
    repository: { default_branch: 'main', full_name: 'acme/indexes' }
  }
}

/** The inputs that point the action at a platform base URL (the emulator's) with an OAuth client. */
export function platformInputs(url: string, clientId: string, clientSecret: string): Record<string, string> {
  return { 'api-url': url, 'login-url': url, 'client-id': clientId, 'client-secret': clientSecret }
}
