// G8 end to end: servers that echo every credential they were sent in their error bodies (the token endpoint,
// the API on GET, PUT and query calls, the warehouse). The bundled action still fails or warns with a message
// that names the status and code, and no secret reaches stdout, stderr, an output, the job summary, the report
// file or the audit record.
import { afterAll, describe, it } from 'vitest'
import { startGitHubStandIn, type FaultSpec } from '../../src/emulator/index.js'
import {
  auditOf,
  closeRigs,
  expectNoSecrets,
  GITHUB_TOKEN,
  QUERIES_PATH,
  reported,
  requestsTo,
  rig,
  SCHEMA_GLOB,
  SCHEMA_PATH,
  TICKET,
  type Rig
} from '../helpers/deploy-rig.js'

const standIns: { close(): Promise<void> }[] = []
afterAll(async () => {
  await Promise.all([closeRigs(), ...standIns.splice(0).map(s => s.close())])
})

interface EchoCase {
  name: string
  fault: FaultSpec
  /** The step's exit code: a failed probe only warns. */
  code: number
  /** What the error or warning says: the status and the code the server answered. */
  says: RegExp
}

const API_CASES: EchoCase[] = [
  {
    name: 'the token endpoint answering 400',
    fault: { path: '/oauth/token', kind: 'status', status: 400, echoSecrets: true },
    code: 1,
    says: /POST \/oauth\/token failed: 400 unauthorized_client/
  },
  {
    name: 'the token endpoint answering 401',
    fault: { path: '/oauth/token', kind: 'status', status: 401, echoSecrets: true },
    code: 1,
    says: /refused by 127\.0\.0\.1:\d+: 401 invalid_client/
  },
  {
    name: 'the token endpoint answering 500',
    fault: { path: '/oauth/token', kind: 'status', status: 500, echoSecrets: true },
    code: 1,
    says: /POST \/oauth\/token failed: 500 server_error/
  },
  {
    name: 'the schema GET answering 403',
    fault: { method: 'GET', path: SCHEMA_GLOB, kind: 'status', status: 403, echoSecrets: true, count: 100 },
    code: 1,
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
    code: 1,
    says: /GET \S+ failed: 503 service\.unavailable/
  },
  {
    name: 'the PUT answering 400',
    fault: { method: 'PUT', path: SCHEMA_GLOB, kind: 'status', status: 400, echoSecrets: true, count: 100 },
    code: 1,
    says: /PUT \S+ failed: 400 bad\.request/
  },
  {
    name: 'the PUT answering 500 to every re-send',
    fault: { method: 'PUT', path: SCHEMA_GLOB, kind: 'status', status: 500, echoSecrets: true, count: 100 },
    code: 1,
    says: /PUT was not applied.*PUT \S+ failed: 500 internal\.server\.error/
  },
  {
    name: 'the probe queries answering 400',
    fault: { method: 'POST', path: QUERIES_PATH, kind: 'status', status: 400, echoSecrets: true, count: 100 },
    code: 0,
    says: /probe idx_assignee could not run: POST \S+ failed: 400 bad\.request/
  },
  {
    name: 'the probe queries answering 500',
    fault: { method: 'POST', path: QUERIES_PATH, kind: 'status', status: 500, echoSecrets: true, count: 100 },
    code: 0,
    says: /probe idx_assignee could not run: POST \S+ failed: 500 internal\.server\.error/
  }
]

/** The run's error and warning lines (annotations and the step's failure). */
const problems = (stdout: string): string =>
  stdout
    .split('\n')
    .filter(l => /^::(error|warning)/.test(l))
    .join('\n')

/** The echo really happened: the server's text reached the run, with the credentials in it redacted. */
function echoedRedacted(r: Rig, stdout: string): boolean {
  return /you sent Authorization: (Basic|Bearer) \*\*\*/.test(stdout) || r.emu.requests().length === 0
}

describe.concurrent('a platform echoing the credentials it was sent (G8)', () => {
  it.for(API_CASES)('keeps every secret out when $name', async (c, { expect }) => {
    const r = await rig()
    r.emu.addFault(c.fault)
    const run = await r.run({}, { timeoutMs: 30_000 })
    expect(run.code, run.stdout).toBe(c.code)
    expect(problems(run.stdout)).toMatch(c.says)
    expect(echoedRedacted(r, run.stdout), run.stdout).toBe(true)
    // Every attempt is audited, the failed ones too (G5), and the record is clean.
    const audit = auditOf(expect, r)
    expect(audit.action).toBe(c.code === 0 ? 'INDEX_DEPLOYED' : 'INDEX_DEPLOY_FAILED')
    expect(audit.governanceCompliant).toBe(false)
    if (c.code === 0) {
      // A failed probe keeps its (redacted) reason in the report, the findings and the audit record.
      expect(reported(expect, run).probes[0]!.error).toMatch(/\*\*\*/)
      expect(JSON.stringify(audit.findings)).toMatch(/you sent Authorization: Bearer \*\*\*/)
    }
    if (c.fault.method === 'PUT') {
      expect(requestsTo(r, 'PUT', SCHEMA_PATH).length).toBeGreaterThan(0)
      expect(r.emu.getSchema(TICKET)).toEqual(r.before)
    }
    expectNoSecrets(expect, r, run)
  })
})

describe.concurrent('a warehouse echoing its shared secret (G8)', () => {
  it('keeps the secret out of a final 400, which leaves the record undelivered with a warning', async ({
    expect
  }) => {
    const r = await rig()
    r.wh.failNext(1, 400, { echoSecret: true })
    const run = await r.run()
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs['audit-delivered']).toBe('false')
    expect(problems(run.stdout)).toMatch(
      /::warning::audit record for \S+ not delivered: POST \/audit failed: 400/
    )
    // The echoed text came through, the secret in it redacted.
    expect(run.stdout).toMatch(/the secret is \*\*\*/)
    expect(r.wh.attempts()).toBe(1)
    expect(r.wh.deliveries()).toHaveLength(0)
    expect(r.emu.getSchema(TICKET)!.schemaVersion).toBe(r.before.schemaVersion + 1)
    expectNoSecrets(expect, r, run)
  })

  it('keeps the secret out of a retried 500, and delivers the signed record once', async ({ expect }) => {
    const r = await rig()
    r.wh.failNext(1, 500, { echoSecret: true })
    const run = await r.run()
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs['audit-delivered']).toBe('true')
    expect(r.wh.attempts()).toBe(2)
    expect(auditOf(expect, r)).toMatchObject({ action: 'INDEX_DEPLOYED', governanceCompliant: true })
    expectNoSecrets(expect, r, run)
  })
})

describe.concurrent('GitHub echoing its token (G8)', () => {
  it('keeps the token out of the warning when the review look-up before a deploy fails', async ({
    expect
  }) => {
    const r = await rig()
    const github = await startGitHubStandIn({
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
    standIns.push(github)
    const run = await r.run({ 'require-review': 'warn' }, { env: { GITHUB_API_URL: github.url } })
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.reviewed).toBe('unknown')
    expect(problems(run.stdout)).toMatch(
      /::warning::.*has no review: the review could not be looked up: GitHub answered 422 .*you sent token \*\*\*/
    )
    expect(github.requests().map(q => q.status)).toEqual([422])
    expect(auditOf(expect, r)).toMatchObject({
      action: 'INDEX_DEPLOYED',
      review: { payloadHash: null, matched: null }
    })
    expectNoSecrets(expect, r, run)
  })
})
