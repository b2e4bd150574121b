// Secret hygiene, end to end: every mode of the bundled action runs with distinctive secret values (client
// secret, GitHub token, warehouse secret) and the OAuth access tokens the emulator issued are captured by a
// login proxy. None of them, nor their base64 forms (the Basic credential among them), may appear in stdout
// (the runner's own `::add-mask::` commands aside), stderr, the files the action writes in RUNNER_TEMP
// (outputs, summary, report), a PR comment, or an audit record's body and headers (its signature aside).
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  SAMPLE_IDS,
  type GitHubStandIn,
  type RunningEmulator,
  type Warehouse
} from '../../src/emulator/index.js'
import { runAction, type ActionOptions, type ActionRun } from '../helpers/action.js'
import { useServers } from '../helpers/servers.js'

const TICKET = SAMPLE_IDS.ticket
const CLIENT = 'hygiene-client'
const CLIENT_SECRET = 'cs-Zq8WmR4tY7uP2xK9-hygiene'
const WRONG_SECRET = 'cs-Wr0ngAb5Cd6Ef7Gh8-hygiene'
const GITHUB_TOKEN = 'ghs_S3cr3tTok3nForHygieneTests0001'
const WH_SECRET = 'wh-Hk2Lp9Qz5Vn8Jc3B-hygiene'
const PROPOSAL = `customObjectId: ${TICKET}
indexes:
  - name: idx_assignee
    fields: [assignee]
`

const servers = useServers('file')

/** A login host in front of the emulator: records the access tokens it issues, or refuses every client. */
interface LoginProxy {
  url: string
  tokens: string[]
}

type LoginBehaviour = 'forward' | 'refuse' | 'refuse-echoing'

async function startLoginProxy(target: string, behaviour: LoginBehaviour): Promise<LoginProxy> {
  const tokens: string[] = []
  const server = await servers.serve((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const reply = (status: number, text: string): void => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(text)
      }
      if (behaviour !== 'forward') {
        // 'refuse-echoing' is a careless server that repeats the credential it was sent in its error text.
        const said = behaviour === 'refuse-echoing' ? ` for ${req.headers.authorization ?? ''} ${body}` : ''
        const description = `authentication failed${said}`
        reply(401, JSON.stringify({ error: 'invalid_client', description, error_description: description }))
        return
      }
      fetch(`${target}${req.url ?? '/'}`, {
        method: req.method ?? 'POST',
        headers: {
          authorization: req.headers.authorization ?? '',
          'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded'
        },
        body
      })
        .then(async r => {
          const text = await r.text()
          try {
            const parsed = JSON.parse(text) as { access_token?: unknown }
            if (typeof parsed.access_token === 'string') tokens.push(parsed.access_token)
          } catch {
            // not JSON: nothing to record
          }
          reply(r.status, text)
        })
        .catch(() => {
          res.destroy()
        })
    })
  })
  return { url: server.url, tokens }
}

let emulator: RunningEmulator
let github: GitHubStandIn
let warehouse: Warehouse
let login: LoginProxy
let ws: { dir: string; cleanup(): void }

beforeAll(async () => {
  emulator = await servers.emulator({
    ticketCount: 1000,
    accountCount: 100,
    rebuildRecordsPerSecond: 1_000_000,
    clients: [{ id: CLIENT, secret: CLIENT_SECRET }]
  })
  github = await servers.github()
  warehouse = await servers.warehouse({ secret: WH_SECRET })
  login = await startLoginProxy(emulator.url, 'forward')
  ws = servers.workspace({ 'indexes/ticket.yaml': PROPOSAL })
})

const PUSH: Partial<ActionOptions> = {
  eventName: 'push',
  event: { ref: 'refs/heads/main', repository: { default_branch: 'main' } }
}

function pullRequest(n: number): Partial<ActionOptions> {
  return {
    eventName: 'pull_request',
    event: {
      number: n,
      pull_request: {
        number: n,
        head: { repo: { full_name: 'acme/indexes' } },
        base: { repo: { full_name: 'acme/indexes' } }
      },
      repository: { default_branch: 'main', full_name: 'acme/indexes' }
    }
  }
}

/** Inputs carrying every secret; `credentials: false` leaves the OAuth client out (a fork PR). */
function inputs(over: Record<string, string> = {}, credentials = true): Record<string, string> {
  return {
    'index-file': 'indexes/ticket.yaml',
    'api-url': emulator.url,
    'login-url': login.url,
    ...(credentials ? { 'client-id': CLIENT, 'client-secret': CLIENT_SECRET } : {}),
    'github-token': GITHUB_TOKEN,
    'warehouse-url': `${warehouse.url}/audit`,
    'warehouse-secret': WH_SECRET,
    ...over
  }
}

function run(
  over: Record<string, string>,
  extra: Partial<ActionOptions>,
  credentials = true
): Promise<ActionRun> {
  return runAction({
    workspace: ws.dir,
    inputs: inputs(over, credentials),
    env: { GITHUB_API_URL: github.url },
    ...extra
  })
}

const b64 = (s: string): string => Buffer.from(s).toString('base64')
const b64url = (s: string): string => Buffer.from(s).toString('base64url')

/** Each secret and the encodings it could leak in: plain, base64, base64url, and the Basic credential. */
function secretForms(): { label: string; value: string }[] {
  const secrets: Record<string, string> = {
    'client secret': CLIENT_SECRET,
    'wrong client secret': WRONG_SECRET,
    'github token': GITHUB_TOKEN,
    'warehouse secret': WH_SECRET
  }
  login.tokens.forEach((t, i) => (secrets[`access token ${i + 1}`] = t))
  const forms: { label: string; value: string }[] = []
  for (const [label, value] of Object.entries(secrets)) {
    forms.push({ label, value }, { label: `${label} (base64)`, value: b64(value) })
    forms.push({ label: `${label} (base64url)`, value: b64url(value) })
  }
  for (const secret of [CLIENT_SECRET, WRONG_SECRET]) {
    const basic = b64(`${CLIENT}:${secret}`)
    forms.push({
      label: `Basic credential of ${secret === CLIENT_SECRET ? 'the' : 'the wrong'} secret`,
      value: basic
    })
  }
  return forms
}

/** Everything the run left where a user or a system could read it. */
function artifacts(r: ActionRun): Record<string, string> {
  const texts: Record<string, string> = {
    stdout: r.stdout
      .split('\n')
      .filter(l => !l.startsWith('::add-mask::'))
      .join('\n'),
    stderr: r.stderr
  }
  for (const name of readdirSync(r.tempDir)) {
    texts[`RUNNER_TEMP/${name}`] = readFileSync(path.join(r.tempDir, name), 'utf8')
  }
  if (r.outputs.report) texts.report = readFileSync(r.outputs.report, 'utf8')
  for (const c of github.comments()) texts[`comment ${c.id}`] = c.body
  for (const q of github.requests()) {
    if (q.body !== undefined) texts[`GitHub ${q.method} ${q.path} body`] = JSON.stringify(q.body)
  }
  warehouse.deliveries().forEach((d, i) => {
    const { 'x-signature-256': _signature, ...headers } = d.headers
    texts[`audit ${i} headers`] = JSON.stringify(headers)
    texts[`audit ${i} body`] = d.raw
  })
  return texts
}

function expectNoSecrets(r: ActionRun): void {
  const texts = artifacts(r)
  const leaks: string[] = []
  for (const { label, value } of secretForms()) {
    for (const [where, text] of Object.entries(texts))
      if (text.includes(value)) leaks.push(`${label} in ${where}`)
  }
  expect(leaks).toEqual([])
}

/** The values the run asked the runner to mask. */
function masked(r: ActionRun): string[] {
  return r.stdout
    .split('\n')
    .filter(l => l.startsWith('::add-mask::'))
    .map(l => l.slice('::add-mask::'.length))
}

describe('no secret leaves the action', () => {
  it('in validate mode with a PR comment', async () => {
    const r = await run({}, pullRequest(31))
    expect(r.code, r.stdout).toBe(0)
    expect(r.outputs.mode).toBe('validate')
    expect(github.comments(31)).toHaveLength(1)
    expect(login.tokens.length).toBeGreaterThan(0)
    expectNoSecrets(r)
  })

  it('in plan mode', async () => {
    const r = await run({ mode: 'plan' }, PUSH)
    expect(r.code, r.stdout).toBe(0)
    expect(r.outputs.matrix).toContain(TICKET)
    expectNoSecrets(r)
  })

  it('in deploy mode with a signed audit record, every secret and token registered for masking', async () => {
    const issued = login.tokens.length
    const r = await run({}, PUSH)
    expect(r.code, r.stdout).toBe(0)
    expect(r.outputs['rebuild-status']).toBe('active')
    expect(r.outputs['audit-delivered']).toBe('true')
    expect(warehouse.deliveries()).toHaveLength(1)
    expect(warehouse.deliveries()[0]!.signatureValid).toBe(true)
    const tokens = login.tokens.slice(issued)
    expect(tokens).toHaveLength(1)
    expect(masked(r)).toEqual(
      expect.arrayContaining([
        CLIENT_SECRET,
        GITHUB_TOKEN,
        WH_SECRET,
        b64(`${CLIENT}:${CLIENT_SECRET}`),
        ...tokens
      ])
    )
    expectNoSecrets(r)
  })

  it('in offline validate mode, without the OAuth client', async () => {
    const r = await run({}, pullRequest(32), false)
    expect(r.code, r.stdout).toBe(0)
    expect(r.stdout).toContain('Live checks skipped')
    expect(github.comments(32)).toHaveLength(1)
    expectNoSecrets(r)
  })

  it('in a run refused for a wrong client secret', async () => {
    const r = await run({ 'client-secret': WRONG_SECRET, mode: 'deploy' }, PUSH)
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(new RegExp(`^::error::.*${CLIENT}`, 'm'))
    expectNoSecrets(r)
  })

  it('in a run whose token endpoint answers 401', async () => {
    const refusing = await startLoginProxy(emulator.url, 'refuse')
    const r = await run({ 'login-url': refusing.url, mode: 'deploy' }, PUSH)
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^::error::.*invalid_client/m)
    expectNoSecrets(r)
  })

  it('in a run whose token endpoint answers 401 repeating the credential it was sent', async () => {
    const echoing = await startLoginProxy(emulator.url, 'refuse-echoing')
    const r = await run({ 'login-url': echoing.url, mode: 'deploy' }, PUSH)
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^::error::.*invalid_client/m)
    expectNoSecrets(r)
  })
})
