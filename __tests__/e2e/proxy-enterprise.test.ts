// Behind a corporate proxy, and against GitHub Enterprise Server, end to end. The bundled action is given host
// names that only the test's forward proxy resolves (`platform.test` → the emulator, `github.test` → a GitHub
// Enterprise Server front of the GitHub stand-in): a run that succeeds made every platform and GitHub call
// through the proxy, since a direct connection could not even resolve the name. NO_PROXY sends a host's calls
// around the proxy. The GitHub front serves REST under /api/v3 and GraphQL at /api/graphql, as GHES does.
import http from 'node:http'
import { beforeAll, describe, expect, it } from 'vitest'
import { SAMPLE_IDS, type RunningEmulator } from '../../src/emulator/index.js'
import type { GitHubStandIn } from '../../src/emulator/github.js'
import { platformInputs, prEvent, runAction, type ActionRun } from '../helpers/action.js'
import { startForwardProxy, type ForwardProxy } from '../helpers/proxy.js'
import { useServers } from '../helpers/servers.js'

const PLATFORM = 'http://platform.test'
const GHES_API = 'http://github.test/api/v3'
const FILE = `customObjectId: ${SAMPLE_IDS.ticket}
indexes:
  - name: idx_assignee
    fields: [assignee]
`

const servers = useServers('file')
let emu: RunningEmulator
let gh: GitHubStandIn
let ghes: { port: number }
let ghesPaths: string[]
let proxy: ForwardProxy
let ws: { dir: string }

beforeAll(async () => {
  emu = await servers.emulator({ ticketCount: 200, accountCount: 20 })
  gh = await servers.github()
  // GitHub Enterprise Server's layout in front of the stand-in: /api/v3/X is the REST route X, /api/graphql is
  // GraphQL; anything else is a 404, so a client that got the GraphQL URL wrong fails.
  ghesPaths = []
  ghes = await servers.serve((req, res) => {
    const url = req.url ?? ''
    ghesPaths.push(`${req.method ?? ''} ${url.split('?')[0] ?? ''}`)
    const path = url.startsWith('/api/v3/')
      ? url.slice('/api/v3'.length)
      : url === '/api/graphql'
        ? '/graphql'
        : undefined
    if (path === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}')
      return
    }
    const upstream = http.request(
      `${gh.url}${path}`,
      { method: req.method, headers: req.headers },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  proxy = await startForwardProxy({ 'platform.test:80': emu.port, 'github.test:80': ghes.port })
  servers.track(() => proxy.close())
  ws = servers.workspace({ 'indexes/ticket.yaml': FILE })
})

function validate(pr: number, env: Record<string, string>): Promise<ActionRun> {
  return runAction({
    workspace: ws.dir,
    eventName: 'pull_request',
    event: prEvent(pr, 'e'.repeat(40)),
    inputs: {
      ...platformInputs(PLATFORM, 'emulator-client', 'emulator-secret'),
      'index-file': 'indexes/ticket.yaml',
      'github-token': 'ghs_proxy_test_token'
    },
    env: { GITHUB_API_URL: GHES_API, GITHUB_SERVER_URL: 'http://github.test', ...env }
  })
}

describe('behind a proxy, against GitHub Enterprise Server', () => {
  it('sends every platform and GitHub call through HTTP_PROXY, REST under /api/v3 and GraphQL at /api/graphql', async () => {
    emu.resetRequests()
    const before = proxy.seen().length
    const run = await validate(11, { HTTP_PROXY: proxy.url })
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(run.outputs.valid).toBe('true')
    expect(run.outputs['schema-version']).toBe('1') // checked against the live schema, through the proxy
    expect(run.outputs['comment-url']).not.toBe('')
    expect(gh.comments(11)).toHaveLength(1)
    expect(emu.requests().map(r => r.path)).toContain('/oauth/token')
    const seen = new Set(proxy.seen().slice(before))
    expect(seen).toEqual(new Set(['platform.test:80', 'github.test:80']))
    expect(ghesPaths).toContain('POST /api/v3/repos/acme/indexes/issues/11/comments')
    expect(ghesPaths).toContain('POST /api/graphql') // the token's login, for the comment's ownership
    expect(
      ghesPaths.every(p => / \/api\/(v3\/|graphql$)/.test(p)),
      ghesPaths.join('\n')
    ).toBe(true)
  })

  it('honours the lower-case http_proxy too', async () => {
    const run = await validate(12, { http_proxy: proxy.url })
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(gh.comments(12)).toHaveLength(1)
  })

  it('goes around the proxy for the hosts NO_PROXY names, and only for those', async () => {
    emu.resetRequests()
    const before = proxy.seen().length
    const run = await validate(13, { HTTP_PROXY: proxy.url, NO_PROXY: 'platform.test' })
    // platform.test resolves nowhere but in the proxy: the direct attempt fails and says so.
    expect(run.code).toBe(1)
    expect(run.stdout + run.stderr).toMatch(/platform\.test/)
    expect(emu.requests()).toEqual([])
    expect(proxy.seen().slice(before)).not.toContain('platform.test:80')
    // GitHub is still reached through the proxy: the results are posted.
    expect(proxy.seen().slice(before)).toContain('github.test:80')
    expect(gh.comments(13)).toHaveLength(1)
  })

  it('goes around the proxy for GitHub too when NO_PROXY names it', async () => {
    emu.resetRequests()
    const before = proxy.seen().length
    const run = await validate(14, {
      HTTP_PROXY: proxy.url,
      NO_PROXY: 'localhost,.example.com,github.test',
      CUSTOM_OBJECT_INDEX_GITHUB_TIMEOUT_MS: '2000'
    })
    // The check itself went through the proxy and passed; the comment could not be posted directly.
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(run.outputs['comment-url']).toBe('')
    expect(run.stdout).toMatch(/::warning::The PR comment could not be posted/)
    expect(proxy.seen().slice(before)).toContain('platform.test:80')
    expect(proxy.seen().slice(before)).not.toContain('github.test:80')
    expect(gh.comments(14)).toEqual([])
  })
})
