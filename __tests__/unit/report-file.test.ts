// The report file (docs/rules.md#publishing-reports): written by every run, read back by `mode: publish` as
// untrusted input.
import { describe, expect, it } from 'vitest'
import type { ObjectResult } from '../../src/model.js'
import {
  buildReportFile,
  MAX_REPORT_FILE_BYTES,
  parseReportFile,
  type ReportMeta
} from '../../src/report/file.js'
import {
  changesResult,
  deployResult,
  driftResult,
  finding,
  HEAD_SHA,
  probe,
  result
} from '../helpers/results.js'

const META: ReportMeta = {
  mode: 'validate',
  commentKey: 'default',
  repository: 'acme/indexes',
  pullRequest: 12,
  headSha: HEAD_SHA,
  runId: '4242'
}

/** Every optional field of ObjectResult set once. */
function fullResult(): ObjectResult {
  return deployResult({
    objectName: 'Ticket',
    error: 'rebuild failed',
    outcome: 'rolled-back',
    auditAction: 'INDEX_ROLLED_BACK',
    rolledBack: [{ index: 'idx_status_priority', statusReason: 'duplicate values' }],
    review: { payloadHash: 'c'.repeat(64), matched: false, pullRequest: 12 },
    rebuildEstimate: { records: 100_000, indexes: 1 },
    drift: { missing: [], changed: [], failed: [], unmanaged: [] },
    drifted: false,
    rebuild: { status: 'failed', seconds: 3, reason: 'duplicate values' },
    baselineProbes: [
      probe({ placeholder: true, predicted: { strategy: 'index', indexName: 'idx_status_priority' } }),
      probe({ values: { n: 2, b: true }, error: 'timeout' })
    ],
    indexesAfter: [
      {
        name: 'idx_status_priority',
        fields: ['status'],
        order: ['desc'],
        unique: true,
        status: 'failed',
        statusReason: 'x'
      }
    ],
    findings: [finding({ severity: 'error', rule: 'unique-on-low-cardinality' })]
  })
}

function text(over: Record<string, unknown>): string {
  return JSON.stringify({ version: 1, ...META, objects: [], ...over })
}

describe('buildReportFile and parseReportFile', () => {
  it('writes version 1 with the run, and reads back every field of every object', () => {
    const objects = [fullResult(), changesResult(), driftResult(), result({ live: false })]
    const written = buildReportFile(META, objects)
    expect(written.endsWith('}\n')).toBe(true)
    expect(JSON.parse(written)).toMatchObject({ version: 1, ...META })
    expect(parseReportFile(written, 'report.json')).toEqual({ version: 1, ...META, objects })
  })

  it('takes a null pull request (deploy, drift)', () => {
    const written = buildReportFile({ ...META, mode: 'deploy', pullRequest: null }, [deployResult()])
    expect(parseReportFile(written, 'r.json').pullRequest).toBeNull()
  })

  it('refuses a file of another version, naming the file', () => {
    expect(() => parseReportFile(text({ version: 2 }), 'artifacts/a/report.json')).toThrow(
      'Report file "artifacts/a/report.json" has format version 2; this action reads version 1.'
    )
    expect(() => parseReportFile('[]', 'r.json')).toThrow('has format version none')
  })

  it('refuses a file that is not JSON', () => {
    expect(() => parseReportFile('{"version": 1,', 'r.json')).toThrow('Report file "r.json" is not JSON.')
  })

  it('refuses a file larger than 10 MiB before parsing it', () => {
    const big = text({ pad: 'x'.repeat(MAX_REPORT_FILE_BYTES) })
    expect(() => parseReportFile(big, 'big.json')).toThrow('Report file "big.json" is larger than 10 MiB')
  })

  it('refuses unknown keys, at the top and in an object, one line per issue', () => {
    const object = { ...result(), extra: 1 }
    let message = ''
    try {
      parseReportFile(text({ objects: [object], evil: '<script>' }), 'r.json')
    } catch (error) {
      message = (error as Error).message
    }
    expect(message.split('\n')).toEqual([
      'Report file "r.json" is not a valid report:',
      '✖ Unrecognized key: "evil"',
      '✖ Unrecognized key: "extra" → at objects[0]'
    ])
  })

  it('refuses wrong types, oversized strings and bad hashes, naming where', () => {
    const bad = [{ ...result(), payloadHash: 'not-a-hash', live: 'yes', objectName: 'n'.repeat(2_000) }]
    expect(() => parseReportFile(text({ objects: bad }), 'r.json')).toThrow(
      /at objects\[0\]\.objectName\n.*at objects\[0\]\.live\n.*at objects\[0\]\.payloadHash/
    )
  })

  it('caps the issues it lists', () => {
    const objects = Array.from({ length: 50 }, () => ({ customObjectId: 1 }))
    let message = ''
    try {
      parseReportFile(text({ objects }), 'r.json')
    } catch (error) {
      message = (error as Error).message
    }
    const lines = message.split('\n')
    expect(lines).toHaveLength(22)
    expect(lines.at(-1)).toMatch(/^… \d+ more issues$/)
  })

  it('puts a hostile file name on one quoted line', () => {
    expect(() => parseReportFile('x', 'a\n::error::b.json')).toThrow(
      'Report file "a ::error::b.json" is not JSON.'
    )
  })
})
