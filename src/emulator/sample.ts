// The default dataset: Accounts and Tickets generated deterministically from a seed (mulberry32), with the
// unknown keys a real server adds on documents, fields and indexes.
import type { SchemaDocument } from '../model.js'
import type { EmulatorData, EmulatorRecord } from './types.js'

export const SAMPLE_IDS = {
  ticket: '0b4f0ac2-8f0e-4e2a-9d3c-6d1b1f6e2a11',
  account: '6f1c2a9e-0b1d-4c3e-9a57-2d8e4f6a1b01'
} as const

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function uuid(random: () => number): string {
  let hex = ''
  for (let i = 0; i < 4; i++)
    hex += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}

/** Picks by weight: `weights[i]` is the share of `items[i]`. */
function weighted<T>(random: () => number, items: readonly T[], weights: readonly number[]): T {
  let r = random() * weights.reduce((s, w) => s + w, 0)
  for (let i = 0; i < items.length; i++) {
    r -= weights[i]!
    if (r < 0) return items[i]!
  }
  return items[items.length - 1]!
}

const EPOCH = Date.UTC(2022, 0, 1)
const SPAN_MS = 3 * 365 * 24 * 3600 * 1000

function isoDate(random: () => number): string {
  return new Date(EPOCH + Math.floor(random() * SPAN_MS)).toISOString()
}

const COMPANY_WORDS = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Hooli',
  'Vandelay',
  'Soylent',
  'Tyrell',
  'Cyberdyne',
  'Wonka',
  'Oscorp',
  'Aperture',
  'Massive',
  'Dynamic'
]
const COMPANY_KINDS = ['Ltd', 'Inc', 'GmbH', 'SA', 'BV', 'AB', 'Oy', 'LLC', 'Pty', 'KK']
const REGIONS = [
  'north-america',
  'south-america',
  'western-europe',
  'central-europe',
  'nordics',
  'uk-ireland',
  'middle-east',
  'africa',
  'india',
  'south-east-asia',
  'japan',
  'oceania'
]
const TIERS = ['gold', 'silver', 'bronze'] as const
const STATUSES = ['open', 'pending', 'closed', 'resolved'] as const
const FIRST = [
  'Ana',
  'Ben',
  'Chen',
  'Dara',
  'Eli',
  'Fatima',
  'Goran',
  'Hana',
  'Ivan',
  'Jun',
  'Kofi',
  'Lea',
  'Mateo',
  'Nia',
  'Omar',
  'Pia',
  'Quinn',
  'Ravi',
  'Sara',
  'Tomas'
]
const LAST = [
  'Silva',
  'Novak',
  'Okafor',
  'Tanaka',
  'Berg',
  'Rossi',
  'Khan',
  'Dubois',
  'Meyer',
  'Costa',
  'Larsen',
  'Nguyen',
  'Walsh',
  'Haddad',
  'Moreau',
  'Ivanova',
  'Kim',
  'Lopez',
  'Patel',
  'Weber',
  'Ortiz',
  'Sato',
  'Berger',
  'Young',
  'Fischer'
]
const SUBJECTS = [
  'Cannot log in',
  'Invoice is wrong',
  'Refund request',
  'Order not delivered',
  'Password reset',
  'App crashes on start',
  'Change of address',
  'Upgrade plan',
  'Cancel subscription',
  'Data export',
  'Slow dashboard',
  'Missing feature',
  'Duplicate charge',
  'API rate limited',
  'Certificate expired'
]
const SENTENCES = [
  'The customer called twice about this.',
  'Escalated after the second reply went unanswered.',
  'Logs attached from the agent desktop.',
  'Waiting on the billing team to confirm the amount.',
  'Customer prefers email over phone.',
  'Reproduced on the staging tenant with the same settings.',
  'Related to last week’s outage in the region.',
  'Workaround sent; the customer will confirm tomorrow.'
]

function paragraphPool(random: () => number, count: number, sentences: number): string[] {
  const pool: string[] = []
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(random() * sentences)
    const parts: string[] = []
    for (let s = 0; s < n; s++) parts.push(pick(random, SENTENCES))
    pool.push(parts.join(' '))
  }
  return pool
}

export function accountSchema(): SchemaDocument {
  return {
    id: SAMPLE_IDS.account,
    name: 'Account',
    description: 'Customer accounts (emulator sample data)',
    schemaVersion: 1,
    fields: [
      {
        name: 'name',
        type: 'string',
        maxLength: 200,
        cardinalityHint: 'high',
        required: true,
        'x-pii': false
      },
      { name: 'tier', type: 'string', maxLength: 20, cardinalityHint: 'low', 'x-pii': false },
      { name: 'region', type: 'string', maxLength: 40, cardinalityHint: 'medium', 'x-pii': false },
      { name: 'active', type: 'boolean', 'x-pii': false },
      { name: 'createdAt', type: 'date', 'x-pii': false },
      { name: 'parent', type: 'reference', referenceTo: SAMPLE_IDS.account, 'x-pii': false }
    ],
    indexes: [{ name: 'idx_account_name', fields: ['name'], status: 'active', 'x-origin': 'console' }],
    retention: { days: 365 },
    customFields: { owner: 'crm-platform', tags: ['sample', 'emulator'] }
  }
}

export function ticketSchema(): SchemaDocument {
  return {
    id: SAMPLE_IDS.ticket,
    name: 'Ticket',
    description: 'Support tickets (emulator sample data)',
    schemaVersion: 1,
    fields: [
      { name: 'subject', type: 'string', maxLength: 200, 'x-pii': false },
      { name: 'description', type: 'longtext', 'x-pii': true },
      { name: 'notes', type: 'string', maxLength: 4000, 'x-pii': true },
      {
        name: 'status',
        type: 'string',
        maxLength: 20,
        cardinalityHint: 'low',
        required: true,
        'x-pii': false
      },
      { name: 'priority', type: 'number', cardinalityHint: 'medium', 'x-pii': false },
      { name: 'escalated', type: 'boolean', 'x-pii': false },
      { name: 'createdAt', type: 'date', required: true, 'x-pii': false },
      { name: 'amount', type: 'number', cardinalityHint: 'high', 'x-pii': false },
      { name: 'assignee', type: 'string', maxLength: 100, cardinalityHint: 'high', 'x-pii': true },
      { name: 'externalRef', type: 'string', maxLength: 64, cardinalityHint: 'high', 'x-pii': false },
      { name: 'account', type: 'reference', referenceTo: SAMPLE_IDS.account, 'x-pii': false },
      { name: 'legacyLink', type: 'reference', 'x-pii': false }
    ],
    indexes: [
      { name: 'idx_created', fields: ['createdAt'], status: 'active', 'x-origin': 'console' },
      { name: 'idx_status', fields: ['status'], status: 'active', 'x-origin': 'console' }
    ],
    retention: { days: 365 },
    customFields: { owner: 'support-platform', costCenter: 'CS-104', labels: { tier: 'critical' } }
  }
}

/** The sample dataset: `accountCount` Accounts and `ticketCount` Tickets, the same for the same seed. */
export function sampleData(seed: number, ticketCount: number, accountCount: number): EmulatorData {
  const random = createRandom(seed)
  const accounts: EmulatorRecord[] = []
  for (let i = 0; i < accountCount; i++) {
    const parent = i > 0 && random() < 0.3 ? accounts[Math.floor(random() * i)]!.id : null
    accounts.push({
      id: uuid(random),
      name: `${pick(random, COMPANY_WORDS)} ${pick(random, COMPANY_WORDS)} ${String(i + 1).padStart(5, '0')} ${pick(random, COMPANY_KINDS)}`,
      tier: weighted(random, TIERS, [1, 3, 6]),
      region: pick(random, REGIONS),
      active: random() < 0.85,
      createdAt: isoDate(random),
      parent
    })
  }
  // A few parent cycles (a → b → a) so that cycle and depth behaviour can be shown.
  for (let i = 0; i + 1 < Math.min(accounts.length, 6); i += 2) {
    accounts[i]!.parent = accounts[i + 1]!.id
    accounts[i + 1]!.parent = accounts[i]!.id
  }

  const assignees: string[] = []
  for (const f of FIRST) for (const l of LAST) assignees.push(`${f} ${l}`)
  const descriptions = paragraphPool(random, 200, 12)
  const notes = paragraphPool(random, 100, 40)
  const tickets: EmulatorRecord[] = []
  for (let i = 0; i < ticketCount; i++) {
    const account = accounts.length > 0 ? pick(random, accounts).id : null
    tickets.push({
      id: uuid(random),
      subject: `${pick(random, SUBJECTS)} #${i + 1}`,
      description: pick(random, descriptions),
      notes: random() < 0.4 ? pick(random, notes) : null,
      status: weighted(random, STATUSES, [2, 1, 4, 3]),
      priority: 1 + Math.floor(random() * 5),
      escalated: random() < 0.1,
      createdAt: isoDate(random),
      amount: Math.round(random() * 1_000_000) / 100,
      assignee: pick(random, assignees),
      externalRef: `EXT-${String(i + 1).padStart(8, '0')}`,
      account,
      legacyLink: random() < 0.05 ? `LEG-${Math.floor(random() * 1e6)}` : null
    })
  }
  return {
    objects: [
      { schema: accountSchema(), records: accounts },
      { schema: ticketSchema(), records: tickets }
    ]
  }
}
