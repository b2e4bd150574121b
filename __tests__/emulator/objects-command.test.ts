// `npm run objects`: lists an org's custom objects through the platform client, against the emulator, with each
// object's fields and an index file to start from; the secret comes from the environment only and never shows
// in what is printed.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { SAMPLE_IDS, type RunningEmulator } from '../../src/emulator/index.js'
import { parseIndexFile } from '../../src/indexfile/parse.js'
import { DEFAULT_LIMITS, type LiveField, type SchemaDocument } from '../../src/model.js'
import { mergeIndexFile } from '../../src/plan/merge.js'
import { checkFile, checkMerged } from '../../src/plan/rules.js'
import { LIMITS_PATH, SCHEMAS_PATH } from '../../src/platform/gateway.js'
import {
  DETAIL_LIMIT,
  fieldsTable,
  indexFileSkeleton,
  listObjects,
  objectsTable,
  SECRET_VARIABLE,
  suggestIndex
} from '../../scripts/objects.js'
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
  it("lists the emulator's objects with its default client, then each one's fields, read-only", async () => {
    emu.resetRequests()
    const r = await run(['--emulator', emu.url])
    expect(r).toMatchObject({ code: 0, err: '' })
    const lines = r.out.split('\n')
    expect(lines[0]).toMatch(/^ID\s+NAME\s+SCHEMA VERSION$/)
    expect(lines.slice(1, 3)).toEqual([
      expect.stringMatching(new RegExp(`^${SAMPLE_IDS.account}\\s+Account\\s+1$`)),
      expect.stringMatching(new RegExp(`^${SAMPLE_IDS.ticket}\\s+Ticket\\s+1$`))
    ])
    expect(r.out).toContain(`== Ticket (${SAMPLE_IDS.ticket}), schema version 1`)
    expect(r.out).toContain('save it as indexes/ticket.yaml')
    expect(emu.requests().map(q => `${q.method} ${q.path} ${q.status}`)).toEqual([
      'POST /oauth/token 200',
      `GET ${SCHEMAS_PATH} 200`,
      `GET ${LIMITS_PATH} 200`,
      `GET ${SCHEMAS_PATH}/${SAMPLE_IDS.account} 200`,
      `GET ${SCHEMAS_PATH}/${SAMPLE_IDS.ticket} 200`
    ])
  })

  it('shows each field: name, type, maxLength, referenceTo, cardinality, whether it can be indexed, its live indexes', async () => {
    const r = await run(['--emulator', emu.url, '--object', 'ticket'])
    expect(r.code).toBe(0)
    const row = (field: string): string[] =>
      r.out
        .split('\n')
        .find(l => l.startsWith(`${field} `))!
        .split(/\s{2,}/)
    expect(r.out).toMatch(
      /^FIELD\s+TYPE\s+MAX LENGTH\s+REFERENCE TO\s+CARDINALITY\s+INDEXABLE\s+LIVE INDEXES$/m
    )
    expect(row('status')).toEqual(['status', 'string', '20', 'low', 'yes', 'idx_status'])
    expect(row('account')).toEqual(['account', 'reference', SAMPLE_IDS.account, '-', 'yes'])
    expect(row('description')).toEqual(['description', 'longtext', '-', 'no (longtext)'])
    expect(row('notes')).toEqual(['notes', 'string', '4000', '-', 'no (maxLength over 1000)'])
    expect(row('escalated')).toEqual(['escalated', 'boolean', 'low (boolean)', 'yes'])
    expect(row('legacyLink')).toEqual(['legacyLink', 'reference', '-', 'no (no referenceTo)'])
    expect(r.out).not.toContain('== Account')
  })

  it('prints an index file to start from that parses and, merged into the live schema, has no error', async () => {
    const r = await run(['--emulator', emu.url, '--json'])
    const list = JSON.parse(r.out) as { id: string; skeleton: string }[]
    expect(list.map(o => o.id).sort()).toEqual([SAMPLE_IDS.account, SAMPLE_IDS.ticket].sort())
    for (const { id, skeleton } of list) {
      const { loaded, findings } = parseIndexFile(`indexes/${id}.yaml`, skeleton)
      expect(findings).toEqual([])
      expect(loaded!.file.customObjectId).toBe(id)
      expect(loaded!.file.indexes).toHaveLength(1)
      const live = emu.getSchema(id)!
      const { document: merged, diff } = mergeIndexFile(live, loaded!.file)
      expect(diff.added).toEqual([loaded!.file.indexes[0]!.name])
      const lookup = (other: string): SchemaDocument | undefined => emu.getSchema(other)
      const errors = [
        ...checkFile(loaded!, id, DEFAULT_LIMITS),
        ...checkMerged({
          loaded: loaded!,
          customObjectId: id,
          live,
          merged,
          diff,
          limits: DEFAULT_LIMITS,
          lookup
        })
      ].filter(f => f.severity === 'error')
      expect(errors).toEqual([])
    }
    expect(list.find(o => o.id === SAMPLE_IDS.ticket)!.skeleton).toContain('fields: [amount]')
  })

  it('names an object it does not find, and shows only the list beyond ten objects', async () => {
    const missing = await run(['--emulator', emu.url, '--object', 'Invoice'])
    expect(missing).toMatchObject({ code: 1, out: '' })
    expect(missing.err).toContain('no object has the id or name "Invoice"')

    const objects = Array.from({ length: DETAIL_LIMIT + 1 }, (_, i) => ({
      schema: {
        id: `obj-${String(i).padStart(2, '0')}`,
        name: `Object ${i}`,
        schemaVersion: 1,
        fields: [{ name: 'code', type: 'string', maxLength: 20 }],
        indexes: []
      },
      records: []
    }))
    const many = await servers.emulator({ data: { objects } })
    many.resetRequests()
    const r = await run(['--emulator', many.url])
    expect(r.code).toBe(0)
    expect(r.out).toContain(`${DETAIL_LIMIT + 1} objects: name one for its fields`)
    expect(r.out).not.toContain('FIELD')
    expect(many.requests().map(q => q.path)).toEqual(['/oauth/token', SCHEMAS_PATH])
  })

  it('prints JSON with --json, fields and live indexes included', async () => {
    const r = await run(['--emulator', emu.url, '--json'])
    expect(r.code).toBe(0)
    const ticket = (JSON.parse(r.out) as Record<string, unknown>[]).find(o => o.id === SAMPLE_IDS.ticket)!
    expect(ticket).toMatchObject({ id: SAMPLE_IDS.ticket, name: 'Ticket', schemaVersion: 1 })
    expect(ticket.fields).toContainEqual({
      name: 'status',
      type: 'string',
      maxLength: 20,
      cardinalityHint: 'low'
    })
    expect(ticket.fields).toContainEqual({
      name: 'account',
      type: 'reference',
      referenceTo: SAMPLE_IDS.account
    })
    expect(ticket.indexes).toContainEqual({ name: 'idx_status', fields: ['status'] })
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

  it('prints field names and types from the server without control characters', () => {
    const doc: SchemaDocument = {
      id: 'a',
      name: 'Evil\u001b[2J',
      schemaVersion: 1,
      fields: [{ name: 'x\u001b]0;pwned\u0007', type: 'string\r\nboom', maxLength: 5 }],
      indexes: []
    }
    const text = fieldsTable(doc) + indexFileSkeleton(doc)
    expect(
      Array.from(text.replaceAll('\n', ''), c => c.charCodeAt(0)).filter(c => c < 0x20 || c === 0x7f)
    ).toEqual([])
  })

  describe('the index a skeleton suggests', () => {
    const field = (name: string, type: string, extra: Partial<LiveField> = {}): LiveField => ({
      name,
      type,
      ...extra
    })
    const doc = (fields: LiveField[], indexes: SchemaDocument['indexes'] = []): SchemaDocument => ({
      id: 'o',
      name: 'O',
      schemaVersion: 1,
      fields,
      indexes
    })
    const cases: [string, SchemaDocument, string][] = [
      [
        'the most selective indexable field, first in field order among equals',
        doc([
          field('flag', 'boolean'),
          field('code', 'string', { maxLength: 20 }),
          field('ref', 'string', { cardinalityHint: 'high' }),
          field('sku', 'number', { cardinalityHint: 'high' })
        ]),
        'ref'
      ],
      [
        'never a field that already leads a live index',
        doc(
          [field('ref', 'string', { cardinalityHint: 'high' }), field('code', 'number')],
          [{ name: 'idx_ref', fields: ['ref'] }]
        ),
        'code'
      ],
      [
        'never a longtext, a long string or a reference without a target',
        doc([
          field('body', 'longtext'),
          field('notes', 'string', { maxLength: 5000 }),
          field('link', 'reference'),
          field('day', 'date')
        ]),
        'day'
      ],
      [
        'none when every indexable field leads an index',
        doc([field('body', 'longtext'), field('code', 'number')], [{ name: 'idx_code', fields: ['code'] }]),
        'no indexable field is free of a live index'
      ],
      [
        'none at the index limit',
        doc(
          [field('code', 'number')],
          Array.from({ length: DEFAULT_LIMITS.maxIndexesPerObject }, (_, i) => ({
            name: `i${i}`,
            fields: ['other']
          }))
        ),
        `the object has ${DEFAULT_LIMITS.maxIndexesPerObject} of its ${DEFAULT_LIMITS.maxIndexesPerObject} indexes`
      ]
    ]
    it.each(cases)('%s', (_, d, expected) => {
      const s = suggestIndex(d)
      if ('field' in s) expect(s.field.name).toBe(expected)
      else expect(s.none).toContain(expected)
      const { findings } = parseIndexFile('indexes/o.yaml', indexFileSkeleton(d))
      expect(findings).toEqual([])
    })
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
