// Whole-document safety, end to end: PUT replaces the whole schema document, so every key the platform sent
// that the action does not know — on the document, its fields and its indexes, nested objects and arrays,
// unicode, nulls, keys named like Object.prototype members — must come back untouched after a deploy of the
// bundled action. Each test compares the stored document before and after, with the read-only keys and the
// intended change set aside; `customFields` is compared as is.
import { describe, expect, it } from 'vitest'
import { SAMPLE_IDS, type RunningEmulator } from '../../src/emulator/index.js'
import type { LiveField, LiveIndex, SchemaDocument } from '../../src/model.js'
import { payloadHash } from '../../src/plan/hash.js'
import { runAction, type ActionRun, platformInputs, PUSH_TO_MAIN } from '../helpers/action.js'
import { useServers } from '../helpers/servers.js'

const TICKET = SAMPLE_IDS.ticket
const CLIENT = 'safety-client'
const SECRET = 'safety-client-secret'

const servers = useServers()

/** JSON with own `__proto__` and `constructor` keys, as a server could send them (kept in opaque customFields). */
const PROTO_KEYS = JSON.parse(
  '{"__proto__": {"isAdmin": true}, "constructor": {"prototype": "kept"}}'
) as Record<string, unknown>

/** The sample Ticket document with unknown keys everywhere the platform may add them. */
function enrich(doc: SchemaDocument): SchemaDocument {
  const fieldExtras: Record<string, Record<string, unknown>> = {
    status: {
      'x-enum': ['open', 'pending', 'closed', 'resolved'],
      'x-doc': { en: 'Status', de: 'Zustand', ja: '状態', ar: 'الحالة' },
      'x-null': null
    },
    assignee: { 'x-pii': { category: 'personal', mask: true, since: '2024-02-29' }, 'x-ÿ': 'ÿ' },
    priority: { 'x-range': [1, 5], 'x-weights': [0.1, 0.25, 1e-7, -0, 1.5e300] }
  }
  const indexExtras: Record<string, Record<string, unknown>> = {
    idx_status: {
      'x-owner': { team: 'платформа', pager: null, contacts: ['ops@example.com', 'søren@example.dk'] },
      'x-history': [{ at: '2024-01-01T00:00:00Z', by: 'Zoë' }, []],
      constructor: { prototype: 'kept' },
      toString: 'not a function',
      hasOwnProperty: false
    },
    idx_created: { 'x-origin': 'console 🖥️', 'x-sla-ms': 250, 'x-flags': { hot: true, cold: false } }
  }
  return {
    ...doc,
    description: 'Tickets — поддержка, サポート, 🎫 (e\u0301 composed)',
    retention: { days: 365, legalHold: false, regions: ['eu-west-1', 'us-east-1'], purge: { after: 'P7Y' } },
    'x-governance': { classification: 'internal', reviewers: [{ name: '李雷', approved: true }], empty: {} },
    'x-ラベル': 'チケット ✓',
    'x-null': null,
    'x-list': [1, 'two', { three: [3] }, [], {}, null, true],
    fields: doc.fields.map((f): LiveField => ({ ...f, ...fieldExtras[f.name] })),
    indexes: doc.indexes.map((i): LiveIndex => ({ ...i, ...indexExtras[i.name] })),
    customFields: {
      ...(doc.customFields as Record<string, unknown>),
      nested: { a: [1, { b: 'ß', c: [{ d: null }] }] },
      'emoji 🔑': '🗝️',
      'astral 𝄞': '\u{1F600}',
      empty: {},
      ...PROTO_KEYS
    }
  }
}

async function emulatorWithUnknownKeys(): Promise<{ emu: RunningEmulator; before: SchemaDocument }> {
  const emu = await servers.emulator({
    ticketCount: 1500,
    accountCount: 150,
    rebuildRecordsPerSecond: 1_000_000,
    clients: [{ id: CLIENT, secret: SECRET }]
  })
  emu.putSchemaDirect(enrich(emu.getSchema(TICKET)!))
  return { emu, before: emu.getSchema(TICKET)! }
}

function deploy(emu: RunningEmulator, indexFile: string): Promise<ActionRun> {
  const ws = servers.workspace({ 'indexes/ticket.yaml': indexFile })
  return runAction({
    workspace: ws.dir,
    inputs: {
      'index-file': 'indexes/ticket.yaml',
      ...platformInputs(emu.url, CLIENT, SECRET),
      mode: 'deploy'
    },
    ...PUSH_TO_MAIN
  })
}

/** A deep copy with the read-only keys (docs/rules.md#the-schema-document) set aside. */
function writable(doc: SchemaDocument): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown> & { indexes: LiveIndex[] }
  delete copy.schemaVersion
  delete copy.lastUpdated
  delete copy.selfUri
  for (const i of copy.indexes) {
    delete i.status
    delete i.statusReason
  }
  return copy
}

function expectDeployed(run: ActionRun, before: SchemaDocument, after: SchemaDocument): void {
  expect(run.code, run.stdout + run.stderr).toBe(0)
  expect(run.outputs['rebuild-status']).toBe('active')
  expect(after.schemaVersion).toBe(before.schemaVersion + 1)
  // What was sent is what is stored: the payload hash of the PUT is the hash of the stored document.
  expect(run.outputs['payload-hash']).toBe(payloadHash(after))
  expect(JSON.stringify(after.customFields)).toBe(JSON.stringify(before.customFields))
}

describe('unknown keys survive a deploy', () => {
  it('on the document, its fields and its indexes when an index is added', async () => {
    const { emu, before } = await emulatorWithUnknownKeys()
    const run = await deploy(
      emu,
      `customObjectId: ${TICKET}
indexes:
  - name: idx_assignee
    fields: [assignee]
`
    )
    const after = emu.getSchema(TICKET)!
    expectDeployed(run, before, after)
    const expected = writable(before) as unknown as SchemaDocument
    expected.indexes.push({ name: 'idx_assignee', fields: ['assignee'] })
    expect(writable(after)).toEqual(expected)
  })

  it('on an index whose fields are modified: only fields, order and unique change', async () => {
    const { emu, before } = await emulatorWithUnknownKeys()
    const run = await deploy(
      emu,
      `customObjectId: ${TICKET}
indexes:
  - name: idx_status
    fields: [status, priority]
    order: [asc, desc]
`
    )
    const after = emu.getSchema(TICKET)!
    expectDeployed(run, before, after)
    expect(JSON.parse(run.outputs.diff!)).toMatchObject({ added: [], modified: ['idx_status'] })
    const expected = writable(before) as unknown as SchemaDocument
    const idx = expected.indexes.find(i => i.name === 'idx_status')!
    idx.fields = ['status', 'priority']
    idx.order = ['asc', 'desc']
    expect(writable(after)).toEqual(expected)
    const stored = after.indexes.find(i => i.name === 'idx_status')!
    expect(stored).toHaveProperty('toString', 'not a function')
    expect(JSON.stringify(stored['x-owner'])).toBe(
      JSON.stringify({ team: 'платформа', pager: null, contacts: ['ops@example.com', 'søren@example.dk'] })
    )
  })

  it('on a field given fieldOptimizations: only the keys given change', async () => {
    const { emu, before } = await emulatorWithUnknownKeys()
    const run = await deploy(
      emu,
      `customObjectId: ${TICKET}
indexes:
  - name: idx_assignee
    fields: [assignee]
fieldOptimizations:
  assignee: { cardinalityHint: medium }
`
    )
    const after = emu.getSchema(TICKET)!
    expectDeployed(run, before, after)
    const expected = writable(before) as unknown as SchemaDocument
    expected.indexes.push({ name: 'idx_assignee', fields: ['assignee'] })
    expected.fields.find(f => f.name === 'assignee')!.cardinalityHint = 'medium'
    expect(writable(after)).toEqual(expected)
    expect(after.fields.find(f => f.name === 'assignee')).toEqual({
      name: 'assignee',
      type: 'string',
      maxLength: 100,
      cardinalityHint: 'medium',
      'x-pii': { category: 'personal', mask: true, since: '2024-02-29' },
      'x-ÿ': 'ÿ'
    })
  })

  it('on the indexes kept when prune drops another', async () => {
    const { emu, before } = await emulatorWithUnknownKeys()
    const run = await deploy(
      emu,
      `customObjectId: ${TICKET}
prune: true
indexes:
  - name: idx_status
    fields: [status]
`
    )
    const after = emu.getSchema(TICKET)!
    expectDeployed(run, before, after)
    expect(JSON.parse(run.outputs.diff!)).toMatchObject({ removed: ['idx_created'], modified: [] })
    const expected = writable(before) as unknown as SchemaDocument
    expected.indexes = expected.indexes.filter(i => i.name !== 'idx_created')
    expect(writable(after)).toEqual(expected)
  })

  it('from a concurrent writer whose new keys land between the GET and the PUT', async () => {
    const { emu, before } = await emulatorWithUnknownKeys()
    // The PUT is held until the other writer has landed.
    const put = emu.hold({ method: 'PUT', path: '/api/v2/data-gateway/customobjects/schemas/*' })
    const running = deploy(
      emu,
      `customObjectId: ${TICKET}
indexes:
  - name: idx_assignee
    fields: [assignee]
`
    )
    await put.reached
    const theirs = { ...emu.getSchema(TICKET)!, 'x-added-later': { by: 'another tool', at: ['ü', 1] } }
    emu.putSchemaDirect(theirs)
    put.release()
    const run = await running
    expect(run.code, run.stdout).toBe(0)
    expect(run.stdout).toMatch(/re-merging/)
    const after = emu.getSchema(TICKET)!
    expect(after.schemaVersion).toBe(before.schemaVersion + 2)
    const expected = writable(theirs) as unknown as SchemaDocument
    expected.indexes.push({ name: 'idx_assignee', fields: ['assignee'] })
    expect(writable(after)).toEqual(expected)
  })

  // A key named `__proto__` is the hardest to keep: zod drops it and `out[key] = value` cannot create it.
  it('keeps a key named __proto__ on the document, a field and an index', async () => {
    const { emu } = await emulatorWithUnknownKeys()
    const doc = emu.getSchema(TICKET)!
    const own = (value: unknown): Record<string, unknown> =>
      JSON.parse(`{"__proto__": ${JSON.stringify(value)}}`) as Record<string, unknown>
    emu.putSchemaDirect({
      ...doc,
      ...own({ doc: true }),
      fields: doc.fields.map(f => (f.name === 'status' ? { ...f, ...own({ field: true }) } : f)),
      indexes: doc.indexes.map(i => (i.name === 'idx_status' ? { ...i, ...own({ index: true }) } : i))
    })
    const before = emu.getSchema(TICKET)!
    const run = await deploy(
      emu,
      `customObjectId: ${TICKET}
indexes:
  - name: idx_assignee
    fields: [assignee]
`
    )
    expect(run.code, run.stdout).toBe(0)
    const after = emu.getSchema(TICKET)!
    const expected = writable(before) as unknown as SchemaDocument
    expected.indexes.push({ name: 'idx_assignee', fields: ['assignee'] })
    expect(writable(after)).toEqual(expected)
  })
})
