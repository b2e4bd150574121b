// The rig of the deploy fault matrix: one emulator, one warehouse stand-in, one trap server and one workspace
// per test, started on the test file's `Servers` (which close them), the bundled action run against them, and
// the checks every case shares (expectOutcome): the exit code, the outputs, the one audit record the warehouse
// received, and that no secret reached any text the run left behind (docs/rules.md#secrets-never-leave).
import { existsSync, readFileSync } from 'node:fs'
import type { ExpectStatic } from 'vitest'
import {
  SAMPLE_IDS,
  type EmulatorOptions,
  type RunningEmulator,
  type Warehouse
} from '../../src/emulator/index.js'
import type { AuditRecord } from '../../src/audit/record.js'
import type { LiveIndex, ObjectResult, SchemaDocument } from '../../src/model.js'
import {
  GITHUB_TOKEN,
  platformInputs,
  PUSH_TO_MAIN,
  runAction,
  type ActionOptions,
  type ActionRun
} from './action.js'
import type { Servers } from './servers.js'

export const TICKET = SAMPLE_IDS.ticket
export const CLIENT = 'fault-matrix-client'
export const SECRET = 'fault-matrix-client-secret-5d1e'
/** The Basic credential the token request carries. */
export const BASIC = Buffer.from(`${CLIENT}:${SECRET}`).toString('base64')
export const WAREHOUSE_SECRET = 'fault-matrix-warehouse-secret-a7c4'
export const SCHEMA_PATH = `/api/v2/data-gateway/customobjects/schemas/${TICKET}`
export const SCHEMA_GLOB = '/api/v2/data-gateway/customobjects/schemas/*'
export const QUERIES_PATH = '/api/v2/data-gateway/customobjects/queries'

/** One new index, proved by a probe with a real-looking value. */
export const ADD_ASSIGNEE = `customObjectId: ${TICKET}
indexes:
  - name: idx_assignee
    fields: [assignee]
probes:
  - index: idx_assignee
    values: { assignee: probe-user }
`

/** A server that must never be reached: it records what reaches it and answers 200. */
export interface Trap {
  url: string
  hits(): { method: string; url: string; authorization?: string }[]
}

export interface Rig {
  emu: RunningEmulator
  wh: Warehouse
  trap: Trap
  dir: string
  /** The ticket schema before the run. */
  before: SchemaDocument
  /** Runs the bundled action as a push to main (deploy), with the rig's platform, warehouse and GitHub token. */
  run(inputs?: Record<string, string>, extra?: Partial<ActionOptions>): Promise<ActionRun>
}

async function startTrap(servers: Servers): Promise<Trap> {
  const hits: { method: string; url: string; authorization?: string }[] = []
  const { url } = await servers.serve((req, res) => {
    hits.push({
      method: req.method ?? '',
      url: req.url ?? '',
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {})
    })
    req.resume()
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"access_token":"trap-token","expires_in":3600,"accepted":true}')
  })
  return { url, hits: () => [...hits] }
}

/** A rig started on `servers`, closed with the rest of what they started. */
export async function rig(
  servers: Servers,
  opts: EmulatorOptions = {},
  indexFile = ADD_ASSIGNEE
): Promise<Rig> {
  const [emu, wh, trap] = await Promise.all([
    servers.emulator({
      ticketCount: 800,
      accountCount: 80,
      rebuildRecordsPerSecond: 1_000_000,
      clients: [{ id: CLIENT, secret: SECRET }],
      ...opts
    }),
    servers.warehouse({ secret: WAREHOUSE_SECRET }),
    startTrap(servers)
  ])
  const ws = servers.workspace({ 'indexes/ticket.yaml': indexFile })
  return {
    emu,
    wh,
    trap,
    dir: ws.dir,
    before: emu.getSchema(TICKET)!,
    run: (inputs = {}, extra = {}) =>
      runAction({
        workspace: ws.dir,
        inputs: {
          'index-file': 'indexes/ticket.yaml',
          ...platformInputs(emu.url, CLIENT, SECRET),
          'github-token': GITHUB_TOKEN,
          'require-review': 'off',
          'warehouse-url': `${wh.url}/audit`,
          'warehouse-secret': WAREHOUSE_SECRET,
          'rebuild-timeout-seconds': '20',
          ...inputs
        },
        ...PUSH_TO_MAIN,
        timeoutMs: 45_000,
        ...extra
      })
  }
}

/**
 * Every secret of the run: the client secret, the Basic credential, each bearer token the emulator issued, the
 * GitHub token and the warehouse secret.
 */
export function secretsOf(r: Rig): string[] {
  return [SECRET, BASIC, GITHUB_TOKEN, WAREHOUSE_SECRET, ...r.emu.issuedTokens()]
}

/** Every text the run left behind, by where it went. */
export function leftBehind(r: Rig, run: ActionRun): { where: string; text: string }[] {
  const texts = [
    { where: 'stdout', text: run.stdout },
    { where: 'stderr', text: run.stderr },
    { where: 'job summary', text: run.summary },
    ...Object.entries(run.outputs).map(([name, text]) => ({ where: `output ${name}`, text }))
  ]
  const report = run.outputs.report
  if (report && existsSync(report)) texts.push({ where: 'report file', text: readFileSync(report, 'utf8') })
  r.wh.deliveries().forEach((d, i) => texts.push({ where: `audit record ${i}`, text: d.raw }))
  return texts
}

/**
 * No secret in any text the run left behind (docs/rules.md#secrets-never-leave), in any of the forms a server
 * may echo it in. The runner's own `::add-mask::<secret>` lines are how the action asks the runner to mask a
 * value: they are set aside. A `Bearer`/`Basic` credential that is not `***` fails too, whatever its value.
 */
export function expectNoSecrets(expect: ExpectStatic, r: Rig, run: ActionRun): void {
  const secrets = secretsOf(r)
  const masks = new Set(secrets.map(s => `::add-mask::${s}`))
  for (const { where, text } of leftBehind(r, run)) {
    const kept =
      where === 'stdout'
        ? text
            .split('\n')
            .filter(line => !masks.has(line))
            .join('\n')
        : text
    for (const secret of secrets) {
      for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
        expect(kept.includes(form), `a secret (${secret.slice(0, 6)}…) in ${where}`).toBe(false)
      }
    }
    expect(kept, `a credential in ${where}`).not.toMatch(/\b(?:Bearer|Basic)\s+(?!\*\*\*)[\w+/=.~-]{8,}/i)
  }
}

/** What a case expects of a run: the exit code, the outputs, and the audit record that agrees with them. */
export interface Outcome {
  code: number
  valid: boolean
  changed: boolean
  /**
   * The `schema-version` output and the audit record's `schemaVersion`; undefined when no schema was ever read
   * (the output empty, the record without it, no payload hash).
   */
  version: number | undefined
  /** The audit record's `previousSchemaVersion` when a schema was read (default: the version before the run). */
  basedOn?: number
  rebuild: 'active' | 'failed' | 'timeout' | 'skipped'
  indexUsed: 'true' | 'false' | ''
  /** The one audit record the warehouse stored; absent: none (then `auditDelivered` says why). */
  audit?: {
    action: AuditRecord['action']
    compliant: boolean
    /** Each probe's index and whether it used it (default: none ran). */
    probes?: [string, boolean][]
    /** INDEX_ROLLED_BACK: the indexes dropped again. */
    rolledBack?: string[]
  }
  /** Default: 'true' with an audit record. */
  auditDelivered?: 'true' | 'false' | 'skipped'
}

/** Where a run of ADD_ASSIGNEE stopped, and the outcome that goes with it. */
export type Stage =
  /** Before any schema was read (token endpoint, first GET): nothing known, nothing written. */
  | 'before-read'
  /** At the PUT, nothing committed: the version read, rebuild skipped. */
  | 'put'
  /** After a committed PUT, the rebuild wait timed out. */
  | 'rebuild-timeout'
  /** Deployed, but the probe after it failed: index-used false, not compliant, the step passes. */
  | 'probe'
  /** Deployed and proved. */
  | 'deployed'

export function outcomeAt(stage: Stage, r: Rig): Outcome {
  const v = r.before.schemaVersion
  const failed = { action: 'INDEX_DEPLOY_FAILED', compliant: false } as const
  switch (stage) {
    case 'before-read':
      return {
        code: 1,
        valid: false,
        changed: false,
        version: undefined,
        rebuild: 'skipped',
        indexUsed: '',
        audit: failed
      }
    case 'put':
      return {
        code: 1,
        valid: false,
        changed: true,
        version: v,
        rebuild: 'skipped',
        indexUsed: '',
        audit: failed
      }
    case 'rebuild-timeout':
      return {
        code: 1,
        valid: false,
        changed: true,
        version: v + 1,
        rebuild: 'timeout',
        indexUsed: '',
        audit: failed
      }
    case 'probe':
      return {
        code: 0,
        valid: true,
        changed: true,
        version: v + 1,
        rebuild: 'active',
        indexUsed: 'false',
        audit: { action: 'INDEX_DEPLOYED', compliant: false, probes: [['idx_assignee', false]] }
      }
    case 'deployed':
      return {
        code: 0,
        valid: true,
        changed: true,
        version: v + 1,
        rebuild: 'active',
        indexUsed: 'true',
        audit: { action: 'INDEX_DEPLOYED', compliant: true, probes: [['idx_assignee', true]] }
      }
  }
}

/**
 * The checks every case makes: exit code, outputs, the one audit record (agreeing with the outputs,
 * docs/rules.md#outputs-agree-with-each-other-and-the-audit-record and
 * docs/rules.md#every-deploy-attempt-is-audited) and no secret anywhere (docs/rules.md#secrets-never-leave).
 * Returns the audit record for the case's own checks.
 */
export function expectOutcome(
  expect: ExpectStatic,
  r: Rig,
  run: ActionRun,
  want: Outcome
): AuditRecord | undefined {
  const where = `${run.stdout}\n${run.stderr}`
  expect(run.code, where).toBe(want.code)
  expect(run.outputs, where).toMatchObject({
    mode: 'deploy',
    valid: String(want.valid),
    changed: String(want.changed),
    'schema-version': want.version === undefined ? '' : String(want.version),
    'rebuild-status': want.rebuild,
    'index-used': want.indexUsed,
    'audit-delivered': want.auditDelivered ?? (want.audit ? 'true' : 'skipped')
  })
  const hash = run.outputs['payload-hash']
  if (want.version === undefined) expect(hash).toBe('')
  else expect(hash).toMatch(/^[0-9a-f]{64}$/)
  let audit: AuditRecord | undefined
  if (want.audit) {
    audit = auditOf(expect, r)
    expect(audit).toMatchObject({
      customObjectId: TICKET,
      action: want.audit.action,
      payloadHash: hash,
      governanceCompliant: want.audit.compliant,
      rebuild: { status: want.rebuild }
    })
    if (want.version === undefined) {
      expect(audit).not.toHaveProperty('schemaVersion')
      expect(audit).not.toHaveProperty('previousSchemaVersion')
    } else {
      expect(audit.schemaVersion).toBe(want.version)
      expect(audit.previousSchemaVersion).toBe(want.basedOn ?? r.before.schemaVersion)
    }
    expect(audit.probes.map(p => [p.index, p.indexUsed])).toEqual(want.audit.probes ?? [])
    if (want.audit.rolledBack) {
      expect(audit.rolledBack?.map(d => d.index)).toEqual(want.audit.rolledBack)
    } else {
      expect(audit).not.toHaveProperty('rolledBack')
    }
  } else {
    expect(r.wh.deliveries()).toHaveLength(0)
  }
  expectNoSecrets(expect, r, run)
  return audit
}

/** The one audit record of the run: every deploy attempt is audited, once (docs/rules.md#every-deploy-attempt-is-audited). */
export function auditOf(expect: ExpectStatic, r: Rig): AuditRecord {
  const deliveries = r.wh.deliveries()
  expect(deliveries, 'one audit record').toHaveLength(1)
  expect(deliveries[0]!.signatureValid).toBe(true)
  return deliveries[0]!.body as AuditRecord
}

/** The report file's one object. */
export function reported(expect: ExpectStatic, run: ActionRun): ObjectResult {
  const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8')) as { objects: ObjectResult[] }
  expect(report.objects).toHaveLength(1)
  return report.objects[0]!
}

/** The lines of stdout that are error annotations (`::error::`), the step's failure message among them. */
export function errorLines(run: ActionRun): string[] {
  return run.stdout.split('\n').filter(l => l.startsWith('::error'))
}

export const requestsTo = (r: Rig, method: string, path: string): { status: number; at: number }[] =>
  r.emu.requests().filter(q => q.method === method && q.path === path)

/** An index as the action manages it: read-only keys set aside. */
export function definition(i: LiveIndex): LiveIndex {
  const { status: _status, statusReason: _reason, ...rest } = i
  return rest
}

/** Name and status of each live index, in order. */
export function statuses(doc: SchemaDocument): [string, string | undefined][] {
  return doc.indexes.map(i => [i.name, i.status])
}

export async function until(what: string, test: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}
