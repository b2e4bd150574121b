// Servers are outside text and other addresses, end to end on the deploy path of the bundled action: a
// server's message cannot start a workflow command (docs/rules.md#outside-text-cannot-speak-to-the-runner); a
// redirect is never followed, so no credential (nor the signed audit record) reaches another origin
// (docs/rules.md#credentials-never-follow-a-redirect); an unknown region fails before any request
// (docs/rules.md#regions-are-a-closed-list). Every case also checks that no secret got out
// (docs/rules.md#secrets-never-leave).
import { describe, it } from 'vitest'
import type { FaultSpec } from '../../src/emulator/index.js'
import {
  errorLines,
  expectNoSecrets,
  expectOutcome,
  outcomeAt,
  QUERIES_PATH,
  requestsTo,
  rig,
  SCHEMA_GLOB,
  SCHEMA_PATH,
  TICKET,
  type Stage
} from '../helpers/deploy-rig.js'
import { useServers } from '../helpers/servers.js'

// Every test starts its own rig; the concurrent tests share the list of closers, so it closes after the file.
const servers = useServers('file')

/** A server message that tries every way to start a command: LF, CRLF, CR, indentation, the old `##[` form. */
const HOSTILE =
  'boom\n::error::INJECTED-error\r\n::add-mask::INJECTED-mask\r##[error]INJECTED-old\n  ::warning::INJECTED-indented'

/** Lines the runner would read as a command that the injected text started. */
function injectedCommands(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .filter(line => /^\s*::[a-z-]+(\s[^:]*)?::INJECTED/i.test(line) || /^\s*##\[/.test(line))
}

interface CommandCase {
  name: string
  faults: FaultSpec[]
  inputs?: Record<string, string>
  stage: Stage
}

const COMMAND_CASES: CommandCase[] = [
  {
    name: 'the token endpoint refusing the client',
    faults: [{ path: '/oauth/token', kind: 'status', status: 401, message: HOSTILE }],
    stage: 'before-read'
  },
  {
    name: 'the schema GET failing',
    faults: [{ method: 'GET', path: SCHEMA_GLOB, kind: 'status', status: 500, message: HOSTILE, count: 100 }],
    stage: 'before-read'
  },
  {
    name: 'the PUT refused',
    faults: [{ method: 'PUT', path: SCHEMA_GLOB, kind: 'status', status: 400, message: HOSTILE }],
    stage: 'put'
  },
  {
    name: 'the probe queries failing (a warning, a finding and a summary row)',
    faults: [
      { method: 'POST', path: QUERIES_PATH, kind: 'status', status: 500, message: HOSTILE, count: 100 }
    ],
    stage: 'probe'
  },
  {
    name: 'every rebuild poll failing until the timeout',
    faults: [
      {
        method: 'GET',
        path: SCHEMA_GLOB,
        kind: 'status',
        status: 500,
        message: HOSTILE,
        count: 1000,
        after: 'PUT'
      }
    ],
    inputs: { 'rebuild-timeout-seconds': '1' },
    stage: 'rebuild-timeout'
  }
]

// docs/rules.md#outside-text-cannot-speak-to-the-runner
describe.concurrent("a server's message cannot speak to the runner", () => {
  it.for(COMMAND_CASES)('defuses the commands in $name', async (c, { expect }) => {
    const r = await rig(servers, { rebuildMinMs: 300 })
    for (const f of c.faults) r.emu.addFault(f)
    const run = await r.run(c.inputs)
    expectOutcome(expect, r, run, outcomeAt(c.stage, r))
    // The message reached the log (so it was defused, not dropped)...
    expect(run.stdout).toContain('INJECTED-error')
    expect(run.stdout).toContain('INJECTED-old')
    // ...and no line of it starts a command.
    expect(injectedCommands(run.stdout)).toEqual([])
    expect(injectedCommands(run.stderr)).toEqual([])
  })
})

// docs/rules.md#outside-text-cannot-speak-to-the-runner
describe.concurrent("a server's message in an info line", () => {
  it('defuses the commands in a lost PUT answer that the log quotes', async ({ expect }) => {
    const r = await rig(servers)
    // The PUT is held, then answered 500; meanwhile another writer lands the very document the action sends,
    // so the action reads back its own payload hash and logs (as info) that the answer was lost.
    const put = r.emu.hold({ method: 'PUT', path: SCHEMA_GLOB })
    r.emu.addFault({ method: 'PUT', path: SCHEMA_GLOB, kind: 'status', status: 500, message: HOSTILE })
    const running = r.run()
    await put.reached
    r.emu.putSchemaDirect({
      ...r.before,
      indexes: [...r.before.indexes, { name: 'idx_assignee', fields: ['assignee'] }]
    })
    put.release()
    const run = await running
    expectOutcome(expect, r, run, outcomeAt('deployed', r))
    const lost = run.stdout.split('\n').filter(l => l.includes("the PUT's answer was lost"))
    expect(lost).toHaveLength(1)
    expect(lost[0]).toMatch(/^[^:]/)
    expect(run.stdout).toContain('INJECTED-error')
    expect(injectedCommands(run.stdout)).toEqual([])
    expect(requestsTo(r, 'PUT', SCHEMA_PATH).map(q => q.status)).toEqual([500])
  })
})

// docs/rules.md#credentials-never-follow-a-redirect
describe.concurrent('credentials never follow a redirect', () => {
  const cases: { name: string; fault: (trap: string) => FaultSpec; path: string; stage: Stage }[] = [
    {
      name: 'the token endpoint',
      fault: trap => ({ path: '/oauth/token', kind: 'redirect', status: 307, location: trap }),
      path: '/oauth/token',
      stage: 'before-read'
    },
    {
      name: 'the schema GET',
      fault: trap => ({ method: 'GET', path: SCHEMA_GLOB, kind: 'redirect', status: 302, location: trap }),
      path: SCHEMA_PATH,
      stage: 'before-read'
    },
    {
      name: 'the PUT',
      fault: trap => ({ method: 'PUT', path: SCHEMA_GLOB, kind: 'redirect', status: 308, location: trap }),
      path: SCHEMA_PATH,
      stage: 'put'
    }
  ]

  it.for(cases)(
    'fails on a redirect from $name, naming its Location, and the trap sees nothing',
    async (c, { expect }) => {
      const r = await rig(servers)
      const port = new URL(r.trap.url).port
      // The Location carries user-info: it is never printed with it.
      r.emu.addFault(c.fault(`http://someone:hunter2-location@127.0.0.1:${port}/collect`))
      const run = await r.run()
      expectOutcome(expect, r, run, outcomeAt(c.stage, r))
      const failure = errorLines(run).join('\n')
      expect(failure).toMatch(
        new RegExp(
          `failed: 30\\d redirect to http://127\\.0\\.0\\.1:${port}/collect: redirects are not followed`
        )
      )
      expect(run.stdout + run.stderr + run.summary).not.toContain('hunter2-location')
      expect(r.trap.hits()).toEqual([])
      expect(
        r.emu.requests().filter(q => q.path === c.path && q.status >= 300 && q.status < 400)
      ).toHaveLength(1)
      expect(r.emu.getSchema(TICKET)).toEqual(r.before)
    }
  )

  it('leaves the audit record undelivered on a warehouse redirect, with a warning naming the Location', async ({
    expect
  }) => {
    const r = await rig(servers)
    r.wh.redirectNext(1, `${r.trap.url}/collect`)
    const run = await r.run()
    expectOutcome(expect, r, run, { ...outcomeAt('deployed', r), audit: undefined, auditDelivered: 'false' })
    expect(run.stdout).toMatch(
      new RegExp(
        `^::warning::audit record for \\S+ not delivered: POST /audit failed: 302 redirect to ${r.trap.url}/collect`,
        'm'
      )
    )
    expect(r.trap.hits()).toEqual([])
    expect(r.wh.attempts()).toBe(1)
    // The deploy itself stands.
    expect(r.emu.getSchema(TICKET)!.schemaVersion).toBe(r.before.schemaVersion + 1)
  })
})

// docs/rules.md#regions-are-a-closed-list
describe.concurrent('regions are a closed list', () => {
  it('fails on region mypurecloud.con before any request, suggesting mypurecloud.com', async ({ expect }) => {
    const r = await rig(servers)
    const run = await r.run({ region: 'mypurecloud.con', 'login-url': r.trap.url })
    expect(run.code, run.stdout).toBe(1)
    expect(errorLines(run).join('\n')).toMatch(/region.*mypurecloud\.con.*mypurecloud\.com/)
    expect(r.emu.requests()).toEqual([])
    expect(r.trap.hits()).toEqual([])
    expect(r.wh.attempts()).toBe(0)
    expect(requestsTo(r, 'PUT', SCHEMA_PATH)).toEqual([])
    expectNoSecrets(expect, r, run)
  })
})
