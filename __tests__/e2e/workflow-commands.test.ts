// Outside text cannot speak to the runner (docs/rules.md#outside-text-cannot-speak-to-the-runner), end to
// end: text from outside (file names, index and field names in the file, probe values, index names the
// platform returns) cannot start a workflow command in the bundled action's log.
import { describe, expect, it } from 'vitest'
import { SAMPLE_IDS, type RunningEmulator } from '../../src/emulator/index.js'
import { platformInputs, PUSH_TO_MAIN, runAction, type ActionRun } from '../helpers/action.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers('file')

/** Lines the runner would read as a command that the injected text started. */
function injected(run: ActionRun): string[] {
  return (run.stdout + run.stderr)
    .split(/\r\n|\r|\n/)
    .filter(line => /^\s*(::[a-z-]+::INJECTED|##\[)/i.test(line))
}

function emulator(): Promise<RunningEmulator> {
  return servers.emulator({
    ticketCount: 500,
    accountCount: 50,
    rebuildRecordsPerSecond: 1_000_000
  })
}

const HOSTILE = `customObjectId: ${SAMPLE_IDS.ticket}
indexes:
  - name: "bad\\n::error::INJECTED-index-name"
    fields: [status]
  - name: idx_field
    fields: ["nope\\n::add-mask::INJECTED-field"]
`

// docs/rules.md#outside-text-cannot-speak-to-the-runner
describe('outside text cannot speak to the runner', () => {
  it('defuses hostile file, index and field names, offline', async () => {
    const ws = servers.workspace({ 'indexes/evil\n::error::INJECTED-file.yaml': HOSTILE })
    const run = await runAction({
      workspace: ws.dir,
      inputs: { 'index-file': 'indexes/*.yaml', comment: 'false' }
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('INJECTED-file')
    expect(run.stdout).toContain('INJECTED-index-name')
    expect(injected(run)).toEqual([])
  })

  it('defuses hostile probe values, live', async () => {
    const emu = await emulator()
    const ws = servers.workspace({
      'indexes/ticket.yaml': `customObjectId: ${SAMPLE_IDS.ticket}
indexes:
  - name: idx_assignee_status
    fields: [assignee, status]
probes:
  - index: idx_assignee_status
    values: { assignee: "x\\n::warning::INJECTED-probe" }
`
    })
    const run = await runAction({
      workspace: ws.dir,
      inputs: {
        'index-file': 'indexes/ticket.yaml',
        comment: 'false',
        ...platformInputs(emu.url, 'emulator-client', 'emulator-secret')
      },
      ...PUSH_TO_MAIN
    })
    expect(run.code).toBe(0)
    expect(run.summary).toContain('INJECTED-probe')
    expect(injected(run)).toEqual([])
  })
})
