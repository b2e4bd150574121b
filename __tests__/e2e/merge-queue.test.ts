// mode: auto on the events of branch protection: a merge queue's group is validated at the queue's head commit,
// and pull_request_target is refused before any platform or GitHub call.
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { SAMPLE_IDS, type RunningEmulator } from '../../src/emulator/index.js'
import type { GitHubStandIn } from '../../src/emulator/github.js'
import { GITHUB_TOKEN, platformInputs, prEvent, runAction } from '../helpers/action.js'
import { useServers } from '../helpers/servers.js'

const FILE = `customObjectId: ${SAMPLE_IDS.ticket}
indexes:
  - name: idx_assignee
    fields: [assignee]
`
const QUEUE_HEAD = 'a1'.repeat(20)

const servers = useServers('file')
let emu: RunningEmulator
let gh: GitHubStandIn
let ws: { dir: string }

beforeAll(async () => {
  emu = await servers.emulator({ ticketCount: 200, accountCount: 20 })
  gh = await servers.github()
  ws = servers.workspace({ 'indexes/ticket.yaml': FILE })
})

const inputs = (): Record<string, string> => ({
  ...platformInputs(emu.url, 'emulator-client', 'emulator-secret'),
  'index-file': 'indexes/*.yaml',
  'github-token': GITHUB_TOKEN
})

describe('mode auto', () => {
  it("validates a merge queue's group at the queue's head commit, with no comment to post", async () => {
    const run = await runAction({
      workspace: ws.dir,
      eventName: 'merge_group',
      event: {
        merge_group: { head_sha: QUEUE_HEAD, base_ref: 'refs/heads/main', base_sha: 'b2'.repeat(20) },
        repository: { default_branch: 'main', full_name: 'acme/indexes' }
      },
      inputs: inputs(),
      env: {
        GITHUB_API_URL: gh.url,
        GITHUB_SHA: QUEUE_HEAD,
        GITHUB_REF: `refs/heads/gh-readonly-queue/main/pr-5-${'b2'.repeat(20)}`
      }
    })
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(run.outputs).toMatchObject({
      mode: 'validate',
      valid: 'true',
      'schema-version': '1',
      'comment-url': ''
    })
    expect(run.stdout).toContain("auto, event 'merge_group'")
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8')) as { headSha: string }
    expect(report.headSha).toBe(QUEUE_HEAD)
    // No comment (a merge group has no pull request); the one write is the check run on the queue's head,
    // which a merge queue's required check waits for.
    expect(
      gh
        .requests()
        .filter(r => r.method !== 'GET')
        .map(r => r.path)
    ).toEqual(['/repos/acme/indexes/check-runs'])
    expect(gh.checkRuns(QUEUE_HEAD)).toHaveLength(1)
  })

  it('refuses pull_request_target before any call, saying why and what to use instead', async () => {
    emu.resetRequests()
    const before = gh.requests().length
    const run = await runAction({
      workspace: ws.dir,
      eventName: 'pull_request_target',
      event: prEvent(9, 'c3'.repeat(20)),
      inputs: inputs(),
      env: { GITHUB_API_URL: gh.url }
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("::error::Input 'mode' is 'auto' on a 'pull_request_target' event")
    expect(run.stdout).toContain("Trigger the check on 'pull_request'")
    expect(emu.requests()).toEqual([])
    expect(gh.requests().slice(before)).toEqual([])
  })
})
