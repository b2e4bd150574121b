// The drift scene the drift tests share: the sample Ticket's index file with one index the live schema lacks
// (drift) or as it is live (no drift), a scheduled drift run of the bundle, and the drift issues it keeps.
import { SAMPLE_IDS } from '../../src/emulator/index.js'
import type { GitHubStandInOptions } from '../../src/emulator/github.js'
import type { ActionRun } from './action.js'
import { scene, type Scene } from './scene.js'
import type { Servers } from './servers.js'

export const DRIFT_LABEL = 'custom-object-index-drift'
/** The first line of the drift issue of comment-key `default`. */
export const DRIFT_MARKER = '<!-- custom-object-index-drift:default -->'
/** Where the scene's Ticket file is. */
export const TICKET_PATH = 'indexes/ticket.yaml'

/** The sample Ticket's indexes as they are live: no drift. */
export const TICKET_AS_LIVE = `customObjectId: ${SAMPLE_IDS.ticket}
indexes:
  - name: idx_created
    fields: [createdAt]
  - name: idx_status
    fields: [status]
`
/** The same, and idx_assignee, which is not live: drift (one index missing). */
export const TICKET_MISSING_ASSIGNEE = `${TICKET_AS_LIVE}  - name: idx_assignee
    fields: [assignee]
`

/** A scene whose workspace holds the Ticket file `ticket` (the GitHub stand-in given `github`). */
export function driftScene(servers: Servers, ticket: string, github?: GitHubStandInOptions): Promise<Scene> {
  return scene(servers, { files: { [TICKET_PATH]: ticket }, ...(github ? { github } : {}) })
}

/** A scheduled drift run over `indexes/*.yaml`; `inputs` add or override; `runId` is its GITHUB_RUN_ID. */
export function driftRun(s: Scene, inputs: Record<string, string> = {}, runId?: string): Promise<ActionRun> {
  return s.run({
    eventName: 'schedule',
    event: { schedule: '0 6 * * *', repository: { default_branch: 'main' } },
    inputs: { mode: 'drift', 'index-file': 'indexes/*.yaml', ...inputs },
    ...(runId !== undefined ? { env: { GITHUB_RUN_ID: runId } } : {})
  })
}

/** The scene's issues whose first line is the drift marker (whoever wrote them). */
export function driftIssues(s: Scene): ReturnType<Scene['gh']['issues']> {
  return s.gh.issues().filter(i => i.body.split('\n')[0] === DRIFT_MARKER)
}
