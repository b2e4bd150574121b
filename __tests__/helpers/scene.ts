// End-to-end scenes for the run-level modes (review, publish, drift): an emulator, the GitHub stand-in, a
// warehouse and a workspace, started on the test file's `Servers` (which close them).
import type { EmulatorData, EmulatorOptions, RunningEmulator } from '../../src/emulator/index.js'
import type { GitHubStandIn, GitHubStandInOptions } from '../../src/emulator/github.js'
import type { Warehouse } from '../../src/emulator/warehouse.js'
import type { SchemaDocument } from '../../src/model.js'
import { GITHUB_TOKEN, platformInputs, runAction, type ActionRun } from './action.js'
import { CLIENT_ID, CLIENT_SECRET } from './platform.js'
import type { Servers } from './servers.js'

/** GitHub bounds: 10 s a call, 30 s the step, a safety bound a busy machine never reaches (no scene waits for it). */
const GITHUB_TIMEOUT_MS = '10000'

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

/** A scene started on `servers`, closed with the rest of what they started. */
export async function scene(
  servers: Servers,
  opts: {
    files?: Record<string, string>
    emulator?: EmulatorOptions
    github?: GitHubStandInOptions
  } = {}
): Promise<Scene> {
  const emu = await servers.emulator({
    ticketCount: 400,
    accountCount: 40,
    rebuildRecordsPerSecond: 1_000_000,
    ...opts.emulator
  })
  const gh = await servers.github(opts.github)
  const wh = await servers.warehouse()
  const ws = servers.workspace(opts.files ?? {})
  return {
    emu,
    gh,
    wh,
    workspace: ws.dir,
    run: r =>
      runAction({
        workspace: ws.dir,
        eventName: r.eventName,
        event: r.event,
        inputs: {
          ...(r.offline ? {} : platformInputs(emu.url, CLIENT_ID, CLIENT_SECRET)),
          'warehouse-url': `${wh.url}/audit`,
          'github-token': GITHUB_TOKEN,
          ...r.inputs
        },
        env: { GITHUB_API_URL: gh.url, CUSTOM_OBJECT_INDEX_GITHUB_TIMEOUT_MS: GITHUB_TIMEOUT_MS, ...r.env }
      })
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
