// The bundle run as GitHub runs it against the emulator and the GitHub and warehouse stand-ins, over real
// sockets: a PR run creates the sticky comment and a second run edits it; a main run deploys and sets every
// output; a fork PR without secrets runs file-only; plan prints the matrix.
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  SAMPLE_IDS,
  type GitHubStandIn,
  type RunningEmulator,
  type Warehouse
} from '../../src/emulator/index.js'
import type { ObjectResult } from '../../src/model.js'
import { OUTPUT_NAMES } from '../../src/outputs.js'
import { runAction, type ActionOptions } from '../helpers/action.js'
import { useServers } from '../helpers/servers.js'

const SECRET = 'e2e-client-secret-value'
const WH_SECRET = 'e2e-warehouse-secret-value'
const PROPOSAL = `customObjectId: ${SAMPLE_IDS.ticket}
indexes:
  - name: idx_status_priority
    fields: [status, priority]
  - name: idx_account_tier
    fields: [account.tier]
`
const ACCOUNT_PROPOSAL = `customObjectId: ${SAMPLE_IDS.account}
indexes:
  - name: idx_account_region
    fields: [region]
`

/** The emulator, stand-ins and workspace every test shares; a test that needs its own starts it per test. */
const shared = useServers('file')
const servers = useServers()
let emulator: RunningEmulator
let github: GitHubStandIn
let warehouse: Warehouse
let ws: { dir: string; cleanup(): void }

beforeAll(async () => {
  emulator = await shared.emulator({
    ticketCount: 3000,
    accountCount: 300,
    rebuildRecordsPerSecond: 20_000,
    clients: [
      { id: 'e2e-client', secret: SECRET },
      {
        id: 'reader',
        secret: 'reader-secret',
        scopes: ['customobjects:customobject:read', 'customobjects:customobject:query']
      }
    ]
  })
  github = await shared.github()
  warehouse = await shared.warehouse({ secret: WH_SECRET })
  ws = shared.workspace({ 'indexes/ticket.yaml': PROPOSAL, 'indexes/account.yaml': ACCOUNT_PROPOSAL })
})

function prEvent(n: number, fork = false) {
  return {
    number: n,
    pull_request: {
      number: n,
      head: { repo: { full_name: fork ? 'someone/indexes' : 'acme/indexes' } },
      base: { repo: { full_name: 'acme/indexes' } }
    },
    repository: { default_branch: 'main', full_name: 'acme/indexes' }
  }
}

function live(
  inputs: Record<string, string>,
  extra: Partial<ActionOptions> = {}
): Promise<Awaited<ReturnType<typeof runAction>>> {
  return runAction({
    workspace: ws.dir,
    inputs: {
      'api-url': emulator.url,
      'login-url': emulator.url,
      'client-id': 'e2e-client',
      'client-secret': SECRET,
      'github-token': 'ghs_e2e_token',
      ...inputs
    },
    env: { GITHUB_API_URL: github.url },
    ...extra
  })
}

// The tests share the emulator, the stand-ins and the workspace, so they run in order: the
// plan before the deploy (which changes the live Ticket), the deploy before "already deployed", and the fork
// run, which makes the GitHub stand-in read-only for a while, alone. The two comment tests only read the
// platform and write comments on pull requests of their own, so they run side by side.
describe.concurrent('pull request comments', () => {
  it('creates the sticky comment once and edits it in place on the next run', async () => {
    const first = await live(
      { 'index-file': 'indexes/ticket.yaml' },
      { eventName: 'pull_request', event: prEvent(11) }
    )
    expect(first.code, first.stdout).toBe(0)
    expect(first.outputs.mode).toBe('validate')
    expect(github.comments(11)).toHaveLength(1)
    const body = github.comments(11)[0]!.body
    expect(body.split('\n')[0]).toBe('<!-- custom-object-index:default -->')
    expect(body).toContain('idx_status_priority')
    expect(first.outputs['comment-url']).toMatch(/#issuecomment-\d+$/)

    const second = await live(
      { 'index-file': 'indexes/ticket.yaml' },
      { eventName: 'pull_request', event: prEvent(11) }
    )
    expect(second.code).toBe(0)
    expect(github.comments(11)).toHaveLength(1)
    expect(second.outputs['comment-url']).toBe(first.outputs['comment-url'])
  })

  it('keeps one comment per comment-key', async () => {
    await live(
      { 'index-file': 'indexes/ticket.yaml', 'comment-key': 'ticket' },
      { eventName: 'pull_request', event: prEvent(12) }
    )
    await live(
      { 'index-file': 'indexes/account.yaml', 'comment-key': 'account' },
      { eventName: 'pull_request', event: prEvent(12) }
    )
    await live(
      { 'index-file': 'indexes/ticket.yaml', 'comment-key': 'ticket' },
      { eventName: 'pull_request', event: prEvent(12) }
    )
    const firstLines = github.comments(12).map(c => c.body.split('\n')[0])
    expect(firstLines.sort()).toEqual([
      '<!-- custom-object-index:account -->',
      '<!-- custom-object-index:ticket -->'
    ])
  })
})

describe('pull request', () => {
  it("shows today's plan from read-only probes and changes nothing on the platform", async () => {
    const before = emulator.getSchema(SAMPLE_IDS.ticket)!
    const run = await live(
      { 'index-file': 'indexes/ticket.yaml', comment: 'false' },
      { eventName: 'pull_request', event: prEvent(13) }
    )
    expect(run.code).toBe(0)
    expect(run.outputs['index-used']).toBe('false')
    expect(Number(run.outputs['records-examined'])).toBeGreaterThanOrEqual(3000)
    expect(emulator.getSchema(SAMPLE_IDS.ticket)!.schemaVersion).toBe(before.schemaVersion)
    expect(emulator.requests().filter(r => r.method === 'PUT')).toHaveLength(0)
  })

  it('runs the file-only checks for a fork PR without secrets, reporting through summary and annotations', async () => {
    github.setReadOnly(true)
    try {
      const run = await runAction({
        workspace: ws.dir,
        inputs: { 'index-file': 'indexes/ticket.yaml', 'github-token': 'ghs_readonly' },
        env: { GITHUB_API_URL: github.url },
        eventName: 'pull_request',
        event: prEvent(14, true)
      })
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('Live checks skipped')
      expect(run.stdout).toMatch(/cannot write comments|not allowed to write|cannot post/i)
      expect(run.summary).toContain('idx_status_priority')
      expect(github.comments(14)).toHaveLength(0)
    } finally {
      github.setReadOnly(false)
    }
  })
})

describe('plan', () => {
  it('prints the matrix, one entry per index file, and writes nothing', async () => {
    emulator.resetRequests()
    const run = await live({ 'index-file': 'indexes/*.yaml', mode: 'plan' })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.outputs.matrix!)).toEqual({
      include: [
        { 'index-file': 'indexes/account.yaml', 'custom-object-id': SAMPLE_IDS.account },
        { 'index-file': 'indexes/ticket.yaml', 'custom-object-id': SAMPLE_IDS.ticket }
      ]
    })
    expect((JSON.parse(run.outputs.diff!) as { added: string[] }).added).toEqual([
      'idx_account_region',
      'idx_status_priority',
      'idx_account_tier'
    ])
    expect(JSON.parse(run.outputs['payload-hash']!)).toHaveProperty(SAMPLE_IDS.ticket)
    expect(emulator.requests().filter(r => r.method === 'PUT')).toHaveLength(0)
  })
})

describe('deploy on main', () => {
  it('deploys, waits for the rebuild, proves the index is used, audits, and sets every output', async () => {
    const before = emulator.getSchema(SAMPLE_IDS.ticket)!
    const run = await live(
      {
        'index-file': 'indexes/ticket.yaml',
        'warehouse-url': `${warehouse.url}/audit`,
        'warehouse-secret': WH_SECRET
      },
      { eventName: 'push', event: { ref: 'refs/heads/main', repository: { default_branch: 'main' } } }
    )
    expect(run.code, run.stdout).toBe(0)
    for (const name of OUTPUT_NAMES) expect(run.outputs).toHaveProperty(name)
    const o = run.outputs
    expect(o.mode).toBe('deploy')
    expect(o.valid).toBe('true')
    expect(o.changed).toBe('true')
    expect(JSON.parse(o.diff!)).toEqual({
      added: ['idx_status_priority', 'idx_account_tier'],
      modified: [],
      removed: [],
      unmanaged: ['idx_created', 'idx_status']
    })
    expect(o['schema-version']).toBe(String(before.schemaVersion + 1))
    expect(o['rebuild-status']).toBe('active')
    expect(o['index-used']).toBe('true')
    expect(o['audit-delivered']).toBe('true')
    expect(o['payload-hash']).toMatch(/^[0-9a-f]{64}$/)
    const after = emulator.getSchema(SAMPLE_IDS.ticket)!
    expect(after.indexes.map(i => [i.name, i.status])).toEqual([
      ['idx_created', 'active'],
      ['idx_status', 'active'],
      ['idx_status_priority', 'active'],
      ['idx_account_tier', 'active']
    ])
    const report = JSON.parse(readFileSync(o.report!, 'utf8')) as { objects: ObjectResult[] }
    expect(report.objects).toHaveLength(1)
    expect(report.objects[0]!.probes.every(p => p.indexUsed)).toBe(true)
    const delivery = warehouse.deliveries().at(-1)!
    expect(delivery.signatureValid).toBe(true)
    expect(delivery.body).toMatchObject({
      action: 'INDEX_DEPLOYED',
      customObjectId: SAMPLE_IDS.ticket,
      payloadHash: o['payload-hash']
    })
    // The runner's own `::add-mask::` commands carry the values to mask; nothing else may.
    const stdout = run.stdout
      .split('\n')
      .filter(l => !l.startsWith('::add-mask::'))
      .join('\n')
    for (const text of [stdout, run.stderr, run.summary, JSON.stringify(run.outputs), delivery.raw]) {
      expect(text).not.toContain(SECRET)
      expect(text).not.toContain(WH_SECRET)
    }
  })

  it('skips the PUT when the file is already deployed', async () => {
    emulator.resetRequests()
    const run = await live({ 'index-file': 'indexes/ticket.yaml', mode: 'deploy' })
    expect(run.code).toBe(0)
    expect(run.outputs.changed).toBe('false')
    expect(run.outputs['rebuild-status']).toBe('skipped')
    expect(emulator.requests().filter(r => r.method === 'PUT')).toHaveLength(0)
  })
})

describe('many files', () => {
  it('deploys every object of a glob in one run: the report holds each, the outputs add up, logs stay grouped', async () => {
    const own = await servers.emulator({
      ticketCount: 2000,
      accountCount: 200,
      rebuildRecordsPerSecond: 50_000
    })
    const files = servers.workspace({
      'indexes/ticket.yaml': PROPOSAL,
      'indexes/account.yaml': ACCOUNT_PROPOSAL
    })
    const run = await runAction({
      workspace: files.dir,
      inputs: {
        'index-file': 'indexes/*.yaml',
        mode: 'deploy',
        'api-url': own.url,
        'login-url': own.url,
        'client-id': 'emulator-client',
        'client-secret': 'emulator-secret'
      }
    })
    expect(run.code, run.stdout).toBe(0)
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8')) as { objects: ObjectResult[] }
    expect(report.objects.map(o => o.customObjectId).sort()).toEqual(
      [SAMPLE_IDS.account, SAMPLE_IDS.ticket].sort()
    )
    expect(JSON.parse(run.outputs['schema-version']!)).toEqual({
      [SAMPLE_IDS.account]: 2,
      [SAMPLE_IDS.ticket]: 2
    })
    expect(JSON.parse(run.outputs.diff!)).toMatchObject({
      added: expect.arrayContaining([
        'idx_account_region',
        'idx_status_priority',
        'idx_account_tier'
      ]) as unknown
    })
    expect(run.outputs['rebuild-status']).toBe('active')
    expect(run.outputs['index-used']).toBe('true')
    const probes = report.objects.flatMap(o => o.probes)
    expect(run.outputs['records-examined']).toBe(String(probes.reduce((n, p) => n + p.recordsExamined, 0)))
    expect(own.requests().filter(r => r.method === 'PUT')).toHaveLength(2)
    expect(own.requests().filter(r => r.status === 429)).toHaveLength(0)
    // Each object's lines form one group: no group opens inside another.
    let depth = 0
    for (const line of run.stdout.split('\n')) {
      if (line.startsWith('::group::')) depth++
      if (line.startsWith('::endgroup::')) depth--
      expect(depth).toBeLessThanOrEqual(1)
    }
  })
})
