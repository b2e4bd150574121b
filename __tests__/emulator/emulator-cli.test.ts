// The emulator's command line: one line with its URL, a served API, a clean stop on SIGTERM and SIGINT,
// usage on --help and on a bad flag.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/action.js'
import { useServers } from '../helpers/servers.js'

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx')
const servers = useServers()

interface Run {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<number | null>
}

function run(args: string[]): Run {
  const child = spawn(TSX, ['src/emulator/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  servers.track(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr.on('data', (c: Buffer) => (err += c.toString()))
  const exited = new Promise<number | null>(resolve =>
    child.on('exit', code => {
      resolve(code)
    })
  )
  return { child, stdout: () => out, stderr: () => err, exited }
}

async function listening(r: Run): Promise<string> {
  await expect.poll(() => r.stdout(), { timeout: 15_000, interval: 50 }).toMatch(/\n/)
  return r.stdout()
}

describe('emulator command line', () => {
  it('prints exactly one line with its URL and serves the API there', async () => {
    const r = run(['--port', '0', '--tickets', '200', '--accounts', '20', '--client', 'ci:ci-secret'])
    const out = await listening(r)
    expect(out).toMatch(/^Data Gateway emulator listening on http:\/\/127\.0\.0\.1:\d+\n$/)
    const url = out.trim().split(' ').at(-1)!
    const res = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('ci:ci-secret').toString('base64')}` },
      body: 'grant_type=client_credentials'
    })
    expect(res.status).toBe(200)
    r.child.kill('SIGTERM')
    expect(await r.exited).toBe(0)
    expect(
      r
        .stdout()
        .split('\n')
        .filter(l => l !== '')
    ).toHaveLength(1)
  }, 20_000)

  it('stops cleanly on SIGINT', async () => {
    const r = run(['--tickets', '50', '--accounts', '5'])
    await listening(r)
    r.child.kill('SIGINT')
    expect(await r.exited).toBe(0)
  }, 20_000)

  it('arms a fault given as a flag', async () => {
    const fault = JSON.stringify({ path: '/oauth/token', kind: 'status', status: 503 })
    const r = run(['--tickets', '50', '--accounts', '5', '--fault', fault])
    const url = (await listening(r)).trim().split(' ').at(-1)!
    const res = await fetch(`${url}/oauth/token`, { method: 'POST', body: 'grant_type=client_credentials' })
    expect(res.status).toBe(503)
    r.child.kill('SIGTERM')
    expect(await r.exited).toBe(0)
  }, 20_000)

  it('prints its usage on --help and exits 0', async () => {
    const r = run(['--help'])
    expect(await r.exited).toBe(0)
    expect(r.stdout()).toContain('--rate-limit N')
  }, 20_000)

  it('names a bad flag and exits 2', async () => {
    const r = run(['--port', 'many'])
    expect(await r.exited).toBe(2)
    expect(r.stderr()).toContain('--port expects a number')
  }, 20_000)
})
