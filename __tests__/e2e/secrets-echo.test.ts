// Secrets never leave (docs/rules.md#secrets-never-leave), end to end: servers that echo every credential
// they were sent in their error bodies (the token endpoint, the API on GET, PUT and query calls, the
// warehouse, GitHub). The bundled action still fails or warns with a message that names the status and code,
// and no secret reaches stdout, stderr, an output, the job summary, the report file or the audit record
// (expectOutcome checks each run for every secret).
import { describe, it } from 'vitest'
import type { FaultSpec } from '../../src/emulator/index.js'
import { GITHUB_TOKEN } from '../helpers/action.js'
import {
  expectOutcome,
  outcomeAt,
  QUERIES_PATH,
  reported,
  requestsTo,
  rig,
  SCHEMA_GLOB,
  SCHEMA_PATH,
  TICKET,
  type Rig,
  type Stage
} from '../helpers/deploy-rig.js'
import { useServers } from '../helpers/servers.js'

// Every test starts its own rig; the concurrent tests share the list of closers, so it closes after the file.
const servers = useServers('file')

interface EchoCase {
  name: string
  fault: FaultSpec
  /** Where the run stops (a failed probe only warns). */
  stage: Stage
  /** What the error or warning says: the status and the code the server answered. */
  says: RegExp
}

const API_CASES: EchoCase[] = [
  {
    name: 'the token endpoint answering 400',
    fault: { path: '/oauth/token', kind: 'status', status: 400, echoSecrets: true },
    stage: 'before-read',
    says: /POST \/oauth\/token failed: 400 unauthorized_client/
  },
  {
    name: 'the token endpoint answering 401',
    fault: { path: '/oauth/token', kind: 'status', status: 401, echoSecrets: true },
    stage: 'before-read',
    says: /refused by 127\.0\.0\.1:\d+: 401 invalid_client/
  },
  {
    name: 'the token endpoint answering 500',
    fault: { path: '/oauth/token', kind: 'status', status: 500, echoSecrets: true },
    stage: 'before-read',
    says: /POST \/oauth\/token failed: 500 server_error/
  },
  {
    name: 'the schema GET answering 403',
    fault: { method: 'GET', path: SCHEMA_GLOB, kind: 'status', status: 403, echoSecrets: true, count: 100 },
    stage: 'before-read',
    says: /GET \S+ failed: 403 missing\.permissions/
  },
  {
    name: 'the schema GET answering 503 with an hour to wait',
    fault: {
      method: 'GET',
      path: SCHEMA_GLOB,
      kind: 'status',
      status: 503,
      retryAfter: 3600,
      echoSecrets: true,
      count: 100
    },
    stage: 'before-read',
    says: /GET \S+ failed: 503 service\.unavailable/
  },
  {
    name: 'the PUT answering 400',
    fault: { method: 'PUT', path: SCHEMA_GLOB, kind: 'status', status: 400, echoSecrets: true, count: 100 },
    stage: 'put',
    says: /PUT \S+ failed: 400 bad\.request/
  },
  {
    name: 'the PUT answering 500 to every re-send',
    fault: { method: 'PUT', path: SCHEMA_GLOB, kind: 'status', status: 500, echoSecrets: true, count: 100 },
    stage: 'put',
    says: /PUT was not applied.*PUT \S+ failed: 500 internal\.server\.error/
  },
  {
    name: 'the probe queries answering 400',
    fault: { method: 'POST', path: QUERIES_PATH, kind: 'status', status: 400, echoSecrets: true, count: 100 },
    stage: 'probe',
    says: /probe idx_assignee could not run: POST \S+ failed: 400 bad\.request/
  },
  {
    name: 'the probe queries answering 500',
    fault: { method: 'POST', path: QUERIES_PATH, kind: 'status', status: 500, echoSecrets: true, count: 100 },
    stage: 'probe',
    says: /probe idx_assignee could not run: POST \S+ failed: 500 internal\.server\.error/
  }
]

/** The run's error and warning lines (annotations and the step's failure). */
const problems = (stdout: string): string =>
  stdout
    .split('\n')
    .filter(l => /^::(error|warning)/.test(l))
    .join('\n')

// docs/rules.md#secrets-never-leave
describe.concurrent('a platform echoing the credentials it was sent', () => {
  it.for(API_CASES)('keeps every secret out when $name', async (c, { expect }) => {
    const r: Rig = await rig(servers)
    r.emu.addFault(c.fault)
    const run = await r.run({}, { timeoutMs: 30_000 })
    const audit = expectOutcome(expect, r, run, outcomeAt(c.stage, r))!
    expect(problems(run.stdout)).toMatch(c.says)
    // The echo did happen: the server's text reached the run, the credentials in it redacted.
    expect(run.stdout).toMatch(/you sent Authorization: (Basic|Bearer) \*\*\*/)
    if (c.stage === 'probe') {
      // A failed probe keeps its (redacted) reason in the report, the findings and the audit record.
      expect(reported(expect, run).probes[0]!.error).toMatch(/access token \*\*\*/)
      expect(JSON.stringify(audit.findings)).toMatch(/you sent Authorization: Bearer \*\*\*/)
    }
    if (c.stage === 'put') {
      expect(requestsTo(r, 'PUT', SCHEMA_PATH).length).toBeGreaterThan(0)
      expect(r.emu.getSchema(TICKET)).toEqual(r.before)
    }
  })
})

// docs/rules.md#secrets-never-leave
describe.concurrent('a warehouse echoing its shared secret', () => {
  it('keeps the secret out of a final 400, which leaves the record undelivered with a warning', async ({
    expect
  }) => {
    const r = await rig(servers)
    r.wh.failNext(1, 400, { echoSecret: true })
    const run = await r.run()
    expectOutcome(expect, r, run, { ...outcomeAt('deployed', r), audit: undefined, auditDelivered: 'false' })
    expect(problems(run.stdout)).toMatch(
      /::warning::audit record for \S+ not delivered: POST \/audit failed: 400/
    )
    // The echoed text came through, the secret in it redacted.
    expect(run.stdout).toMatch(/the secret is \*\*\*/)
    expect(r.wh.attempts()).toBe(1)
    expect(r.emu.getSchema(TICKET)!.schemaVersion).toBe(r.before.schemaVersion + 1)
  })

  it('keeps the secret out of a retried 500, and delivers the signed record once', async ({ expect }) => {
    const r = await rig(servers)
    r.wh.failNext(1, 500, { echoSecret: true })
    const run = await r.run()
    expectOutcome(expect, r, run, outcomeAt('deployed', r))
    expect(r.wh.attempts()).toBe(2)
  })
})

// docs/rules.md#secrets-never-leave
describe.concurrent('GitHub echoing its token', () => {
  it('keeps the token out of the warning when the review look-up before a deploy fails', async ({
    expect
  }) => {
    const r = await rig(servers)
    const github = await servers.github({
      faults: [
        {
          path: '/repos/acme/indexes/commits/',
          kind: 'status',
          status: 422,
          count: 100,
          body: { message: `Bad credentials: you sent token ${GITHUB_TOKEN}` }
        }
      ]
    })
    const run = await r.run({ 'require-review': 'warn' }, { env: { GITHUB_API_URL: github.url } })
    const audit = expectOutcome(expect, r, run, outcomeAt('deployed', r))!
    expect(run.outputs.reviewed).toBe('unknown')
    expect(problems(run.stdout)).toMatch(
      /::warning::.*has no review: the review could not be looked up: GitHub answered 422 .*you sent token \*\*\*/
    )
    // The review look-up's one call (the branch head read before it answers 422 too, and is not retried).
    expect(
      github
        .requests()
        .filter(q => q.path.includes('/pulls'))
        .map(q => q.status)
    ).toEqual([422])
    expect(audit.review).toMatchObject({ payloadHash: null, matched: null })
  })
})
