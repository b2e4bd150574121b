// End-to-end scenes for the run-level modes (review, publish, drift): an emulator, the GitHub stand-in, a
// warehouse and a workspace, started together and closed by `closeScenes()` (call it in afterEach).
import {
  startEmulator,
  type EmulatorData,
  type EmulatorOptions,
  type RunningEmulator
} from '../../src/emulator/index.js'
import {
  startGitHubStandIn,
  type GitHubStandIn,
  type GitHubStandInOptions
} from '../../src/emulator/github.js'
import { startWarehouse, type Warehouse } from '../../src/emulator/warehouse.js'
import type { SchemaDocument } from '../../src/model.js'
import { makeWorkspace, platformInputs, runAction, type ActionOptions, type ActionRun } from './action.js'

export const TOKEN = 'ghs_e2e_modes_token'
/** GitHub bounds kept short, so a test of a failure never waits long. */
const GITHUB_TIMEOUT_MS = '5000'

export interface Scene {
  emu: RunningEmulator
  gh: GitHubStandIn
  wh: Warehouse
  workspace: string
  /** Runs the bundle in the scene: the platform, GitHub and warehouse inputs set; `inputs` add or override. */
  run(opts: {
    inputs: Record<string, string>
    eventName: string
    event: unknown
    env?: Record<string, string>
    /** No client credentials (a fork PR). */
    offline?: boolean
  }): Promise<ActionRun>
}

const open: (() => Promise<void>)[] = []

export async function scene(
  opts: {
    files?: Record<string, string>
    emulator?: EmulatorOptions
    github?: GitHubStandInOptions
  } = {}
): Promise<Scene> {
  const emu = await startEmulator({
    ticketCount: 400,
    accountCount: 40,
    rebuildRecordsPerSecond: 1_000_000,
    ...opts.emulator
  })
  const gh = await startGitHubStandIn(opts.github)
  const wh = await startWarehouse()
  const ws = makeWorkspace(opts.files ?? {})
  open.push(async () => {
    ws.cleanup()
    await Promise.all([emu.close(), gh.close(), wh.close()])
  })
  return {
    emu,
    gh,
    wh,
    workspace: ws.dir,
    run: r => {
      const action: ActionOptions = {
        workspace: ws.dir,
        eventName: r.eventName,
        event: r.event,
        inputs: {
          ...(r.offline ? {} : platformInputs(emu.url, 'emulator-client', 'emulator-secret')),
          'warehouse-url': `${wh.url}/audit`,
          'github-token': TOKEN,
          ...r.inputs
        },
        env: { GITHUB_API_URL: gh.url, CUSTOM_OBJECT_INDEX_GITHUB_TIMEOUT_MS: GITHUB_TIMEOUT_MS, ...r.env }
      }
      return runAction(action)
    }
  }
}

export async function closeScenes(): Promise<void> {
  await Promise.all(open.splice(0).map(c => c()))
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

/** A push to main (GITHUB_SHA goes in `env`). */
export const PUSH_EVENT = { ref: 'refs/heads/main', repository: { default_branch: 'main' } }

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

/** The warnings the run logged (workflow commands without properties: not the findings' annotations). */
export function warnings(run: ActionRun): string[] {
  return run.stdout
    .split('\n')
    .filter(l => l.startsWith('::warning::'))
    .map(l => l.slice('::warning::'.length))
}

/** The error the step failed with (`::error::` lines). */
export function errors(run: ActionRun): string[] {
  return run.stdout
    .split('\n')
    .filter(l => l.startsWith('::error::'))
    .map(l => l.slice('::error::'.length))
}

/** The id of custom object `i` of `customObjects()`. */
export function objectId(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
}

/**
 * `n` small custom objects (the emulator's `data`): fields `code` (string, high cardinality), `n` (number) and
 * `flag` (boolean), `records` records each, one active index `idx_code`.
 */
export function customObjects(n: number, records = 20): EmulatorData {
  return {
    objects: Array.from({ length: n }, (_, i) => {
      const id = objectId(i)
      const schema: SchemaDocument = {
        id,
        name: `Object${i}`,
        schemaVersion: 1,
        lastUpdated: new Date(0).toISOString(),
        selfUri: `/api/v2/data-gateway/customobjects/schemas/${id}`,
        fields: [
          { name: 'code', type: 'string', maxLength: 20, cardinalityHint: 'high' },
          { name: 'n', type: 'number' },
          { name: 'flag', type: 'boolean' }
        ],
        indexes: [{ name: 'idx_code', fields: ['code'], status: 'active' }]
      }
      const rows = Array.from({ length: records }, (_, r) => ({
        id: `${i}-${r}`,
        code: `c${r}`,
        n: r % 3,
        flag: r % 2 === 0
      }))
      return { schema, records: rows }
    })
  }
}
