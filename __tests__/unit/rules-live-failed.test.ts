// live-index-failed: a managed index that is live `failed` while the file keeps its definition is an error,
// so "nothing to deploy" never hides a broken index; a changed definition (the fix) is not.
import { describe, expect, it } from 'vitest'
import type { Finding, LiveIndex, SchemaDocument } from '../../src/model.js'
import { checkLive, TICKET_ID, ticketDoc } from '../fixtures/core/docs.js'

const REASON = "unique index 'idx_no' cannot be built: records t1 and t2 share the value 7 for [ticketNo]"

/** The ticket document with `idx_no` (unique over ticketNo) live in the given state. */
function liveWith(index: Partial<LiveIndex>): SchemaDocument {
  const doc = ticketDoc()
  doc.indexes.push({ name: 'idx_no', fields: ['ticketNo'], unique: true, ...index })
  return doc
}

const FILE = `indexes:
  - name: idx_status
    fields: [status]
  - name: idx_no
    fields: [ticketNo]
    unique: true
`

function failedFindings(yaml: string, live: SchemaDocument): Finding[] {
  return checkLive(yaml, { live }).filter(f => f.rule === 'live-index-failed')
}

describe('live-index-failed', () => {
  it('reports a kept index that is live failed, with its status reason, what to change, file and line', () => {
    expect(failedFindings(FILE, liveWith({ status: 'failed', statusReason: REASON }))).toEqual([
      {
        severity: 'error',
        rule: 'live-index-failed',
        customObjectId: TICKET_ID,
        index: 'idx_no',
        message: expect.stringMatching(
          /^Live index idx_no failed its rebuild \(unique index 'idx_no' cannot be built: .*share the value 7 for \[ticketNo\]\) and the file keeps its definition.*drop unique.*prune: true/
        ) as string,
        file: 'indexes/ticket.yaml',
        line: 4
      }
    ])
  })

  it.each([
    ['active', { status: 'active' as const }],
    ['building', { status: 'building' as const }],
    ['without a status', {}]
  ])('says nothing of a kept index that is live %s', (_, state) => {
    expect(failedFindings(FILE, liveWith(state))).toEqual([])
  })

  it('says nothing when the file changes the failed index: that deploy rebuilds it', () => {
    const dropUnique = FILE.replace('    unique: true\n', '')
    expect(failedFindings(dropUnique, liveWith({ status: 'failed', statusReason: REASON }))).toEqual([])
  })

  it('says nothing of a failed live index the file does not manage', () => {
    const onlyStatus = 'indexes:\n  - name: idx_status\n    fields: [status]\n'
    expect(failedFindings(onlyStatus, liveWith({ status: 'failed', statusReason: REASON }))).toEqual([])
  })

  it('quotes the status reason on one line, clipped, and says when the server gave none', () => {
    const long = `bad\r\n::error::injected ${'x'.repeat(1000)}`
    const [clipped] = failedFindings(FILE, liveWith({ status: 'failed', statusReason: long }))
    expect(clipped!.message).not.toMatch(/[\r\n]/)
    expect(clipped!.message).toContain('(bad ::error::injected xxx')
    expect(clipped!.message.length).toBeLessThan(600)
    expect(clipped!.message).toContain('…)')
    const [bare] = failedFindings(FILE, liveWith({ status: 'failed' }))
    expect(bare!.message).toContain('failed its rebuild (no reason given)')
  })
})
