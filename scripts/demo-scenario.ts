// The demo's scenario, shared by `npm run demo`, `npm run screenshot` (the README's picture of the PR
// comment) and the test that holds the picture to the demo's real comment: the emulator and the GitHub and
// warehouse stand-ins, and pull request #1's validate run of the bundled action against them.
import { startEmulator } from '../src/emulator/index.js'
import { startGitHubStandIn } from '../src/emulator/github.js'
import { startWarehouse } from '../src/emulator/warehouse.js'
import { ROOT, runAction, type ActionRun } from '../src/emulator/runner.js'

export const INDEX_FILE = '.github/indexes/ticket.yaml'
export const WAREHOUSE_SECRET = 'demo-warehouse-secret'
export const REPO = { owner: 'acme', repo: 'indexes' }
export const HEAD_SHA = '2222222222222222222222222222222222222222'
export const MERGE_SHA = '3333333333333333333333333333333333333333'

export type Emulator = Awaited<ReturnType<typeof startEmulator>>
export type GitHub = Awaited<ReturnType<typeof startGitHubStandIn>>
export type Warehouse = Awaited<ReturnType<typeof startWarehouse>>

export interface Demo {
  emulator: Emulator
  github: GitHub
  warehouse: Warehouse
  /** The inputs every run of the demo shares. */
  inputs: Record<string, string>
  /** The runner's environment every run of the demo shares. */
  env: Record<string, string>
  close: () => Promise<void>
}

/** Starts the emulator (its sample data) and the stand-ins, each on a free port of 127.0.0.1. */
export async function startDemo(): Promise<Demo> {
  const emulator = await startEmulator({ port: 0 })
  // PR #1: its head commit, and the merge commit the push to main brings (the deploy finds the PR by it).
  const github = await startGitHubStandIn({
    port: 0,
    pullRequests: [
      { number: 1, headSha: HEAD_SHA, state: 'closed', merged: true, mergeCommitSha: MERGE_SHA }
    ],
    // The merge commit is main's head: the deploy is of the newest commit.
    branches: { main: MERGE_SHA }
  })
  const warehouse = await startWarehouse({ port: 0, secret: WAREHOUSE_SECRET })
  return {
    emulator,
    github,
    warehouse,
    inputs: {
      'index-file': INDEX_FILE,
      'api-url': emulator.url,
      'login-url': emulator.url,
      'client-id': 'emulator-client',
      'client-secret': 'emulator-secret',
      'github-token': 'demo-github-token',
      'warehouse-url': `${warehouse.url}/audit`,
      'warehouse-secret': WAREHOUSE_SECRET,
      'rebuild-timeout-seconds': '120'
    },
    env: { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: `${REPO.owner}/${REPO.repo}` },
    close: async () => {
      await Promise.all([emulator.close(), github.close(), warehouse.close()])
    }
  }
}

/** Pull request #1's run (validate under `mode: auto`), and the body of the comment the stand-in received. */
export async function validatePullRequest(
  demo: Demo
): Promise<{ run: ActionRun; comment: string | undefined }> {
  const run = await runAction({
    workspace: ROOT,
    inputs: { ...demo.inputs, mode: 'auto' },
    eventName: 'pull_request',
    event: {
      number: 1,
      pull_request: {
        number: 1,
        head: { sha: HEAD_SHA, repo: { full_name: 'acme/indexes' } },
        base: { repo: { full_name: 'acme/indexes' } }
      },
      repository: { default_branch: 'main', full_name: 'acme/indexes' }
    },
    env: { ...demo.env, GITHUB_REF: 'refs/pull/1/merge' }
  })
  return { run, comment: demo.github.comments(1)[0]?.body }
}
