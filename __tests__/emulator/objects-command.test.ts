// `npm run objects`: lists an org's custom objects through the platform client, against the emulator; the secret
// comes from the environment only and never shows in what is printed.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { SAMPLE_IDS, type RunningEmulator } from '../../src/emulator/index.js'
import { SCHEMAS_PATH } from '../../src/platform/gateway.js'
import { listObjects, objectsTable, SECRET_VARIABLE } from '../../scripts/objects.js'
import { ROOT } from '../helpers/action.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers('file')
let emu: RunningEmulator
beforeAll(async () => {
  emu = await servers.emulator({
    ticketCount: 20,
    accountCount: 5,
    clients: [
      { id: 'emulator-client', secret: 'emulator-secret' },
      { id: 'reader', secret: 'reader-secret-123', scopes: ['customobjects:customobject:read'] },
      { id: 'writer', secret: 'writer-secret', scopes: ['customobjects:customobject:write'] }
    ]
  })
})

async function run(
  argv: string[],
  env: Record<string, string> = {}
): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await listObjects(argv, env, { out: t => (out += t), err: t => (err += t) })
  return { code, out, err }
}

describe('npm run objects', () => {
  it("lists the emulator's objects with its default client, in one token and one list call", async () => {
    emu.resetRequests()
    const r = await run(['--emulator', emu.url])
    expect(r).toMatchObject({ code: 0, err: '' })
    const lines = r.out.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ID\s+NAME\s+SCHEMA VERSION$/)
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^${SAMPLE_IDS.account}\\s+Account\\s+1$`)),
      expect.stringMatching(new RegExp(`^${SAMPLE_IDS.ticket}\\s+Ticket\\s+1$`))
    ])
    expect(emu.requests().map(q => `${q.method} ${q.path} ${q.status}`)).toEqual([
      'POST /oauth/token 200',
      `GET ${SCHEMAS_PATH} 200`
    ])
  })

  it('prints JSON with --json', async () => {
    const r = await run(['--emulator', emu.url, '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toEqual(
      expect.arrayContaining([
        { id: SAMPLE_IDS.ticket, name: 'Ticket', schemaVersion: 1 },
        { id: SAMPLE_IDS.account, name: 'Account', schemaVersion: 1 }
      ])
    )
  })

  it('reads the secret from the environment for a client given by --client-id, with explicit hosts', async () => {
    const r = await run(['--api-url', emu.url, '--login-url', emu.url, '--client-id', 'reader'], {
      [SECRET_VARIABLE]: 'reader-secret-123'
    })
    expect(r.code).toBe(0)
    expect(r.out).toContain(SAMPLE_IDS.ticket)
    expect(r.out + r.err).not.toContain('reader-secret-123')
  })

  it('refuses a secret given as a flag, before any request', async () => {
    emu.resetRequests()
    const r = await run(['--emulator', emu.url, '--client-secret', 'emulator-secret'])
    expect(r.code).toBe(2)
    expect(r.err).toContain(`set ${SECRET_VARIABLE}`)
    expect(emu.requests()).toHaveLength(0)
  })

  it('names a refused client without printing its secret', async () => {
    const r = await run(['--emulator', emu.url, '--client-id', 'reader'], {
      [SECRET_VARIABLE]: 'not-the-secret'
    })
    expect(r.code).toBe(1)
    expect(r.err).toContain("OAuth client 'reader' was refused")
    expect(r.err).not.toContain('not-the-secret')
  })

  it('names the scope a client lacks', async () => {
    const r = await run(['--emulator', emu.url, '--client-id', 'writer'], {
      [SECRET_VARIABLE]: 'writer-secret'
    })
    expect(r.code).toBe(1)
    expect(r.err).toContain('customobjects:customobject:read')
  })

  it('asks for a client id and a secret against a real region, and rejects an unknown region', async () => {
    expect((await run(['--region', 'eu-west-1'])).err).toContain('--client-id')
    expect((await run(['--region', 'eu-west-1', '--client-id', 'x'])).err).toContain(SECRET_VARIABLE)
    const bad = await run(['--region', 'mars-1', '--client-id', 'x'], { [SECRET_VARIABLE]: 's' })
    expect(bad.code).toBe(2)
    expect(bad.err).toContain("unknown region 'mars-1'")
  })

  it('prints names from the server without control characters', () => {
    const table = objectsTable([{ id: 'a', name: 'Evil\u001b]0;pwned\u0007\nName', schemaVersion: 3 }])
    const controls = Array.from(table.replaceAll('\n', ''), c => c.charCodeAt(0)).filter(
      c => c < 0x20 || (c >= 0x7f && c <= 0x9f)
    )
    expect(controls).toEqual([])
    expect(table.split('\n')).toHaveLength(3)
  })

  it('runs as an npm script', async () => {
    const { stdout } = await promisify(execFile)(
      'npm',
      ['run', '-s', 'objects', '--', '--emulator', emu.url],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }
      }
    )
    expect(stdout).toContain(SAMPLE_IDS.ticket)
  }, 30_000)
})
