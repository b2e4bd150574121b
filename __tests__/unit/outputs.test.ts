import { describe, expect, it } from 'vitest'
import type { Finding, ObjectResult } from '../../src/model.js'
import { blankResult } from '../../src/model.js'
import { computeOutputs, failureReason, OUTPUT_NAMES, planMatrix } from '../../src/outputs.js'

function result(id: string, patch: Partial<ObjectResult> = {}): ObjectResult {
  return { ...blankResult(id, `indexes/${id}.yaml`, 'deploy'), ...patch }
}
const warn = (id: string): Finding => ({
  severity: 'warning',
  rule: 'unmanaged-index',
  customObjectId: id,
  message: 'w'
})
const err = (id: string): Finding => ({
  severity: 'error',
  rule: 'unknown-field',
  customObjectId: id,
  message: 'e'
})
const probe = (used: boolean, examined: number, latency: number) => ({
  index: 'i',
  values: {},
  indexUsed: used,
  strategy: used ? ('index' as const) : ('fullScan' as const),
  latencyMs: latency,
  recordsExamined: examined
})

describe('outputs', () => {
  it('sets every output of the contract', () => {
    const out = computeOutputs([result('a')], 'validate', { reportPath: '/tmp/r.json' })
    expect(Object.keys(out).sort()).toEqual([...OUTPUT_NAMES].sort())
  })

  it('adds up counts over several objects and is valid only when all are', () => {
    const out = computeOutputs(
      [result('a', { findings: [warn('a'), err('a')] }), result('b', { findings: [warn('b')] })],
      'deploy',
      { reportPath: 'r' }
    )
    expect(out['error-count']).toBe('1')
    expect(out['warning-count']).toBe('2')
    expect(out.valid).toBe('false')
    expect(JSON.parse(out.findings)).toHaveLength(3)
  })

  it('reports index-used only when every probe used its index, and sums records examined', () => {
    const out = computeOutputs(
      [result('a', { probes: [probe(true, 10, 5)] }), result('b', { probes: [probe(false, 5000, 40)] })],
      'deploy',
      { reportPath: 'r' }
    )
    expect(out['index-used']).toBe('false')
    expect(out['records-examined']).toBe('5010')
    expect(out['probe-latency-ms']).toBe('40')
  })

  it('takes the worst rebuild status and the longest wait', () => {
    const out = computeOutputs(
      [
        result('a', { rebuild: { status: 'active', seconds: 3 } }),
        result('b', { rebuild: { status: 'timeout', seconds: 9 } }),
        result('c', { rebuild: { status: 'skipped', seconds: 0 } })
      ],
      'deploy',
      { reportPath: 'r' }
    )
    expect(out['rebuild-status']).toBe('timeout')
    expect(out['rebuild-seconds']).toBe('9')
  })

  it('gives per-object values as a JSON map by object id when there are several objects', () => {
    const out = computeOutputs(
      [
        result('a', { schemaVersion: 3, payloadHash: 'h1' }),
        result('b', { schemaVersion: 7, payloadHash: 'h2' })
      ],
      'deploy',
      { reportPath: 'r' }
    )
    expect(JSON.parse(out['schema-version'])).toEqual({ a: 3, b: 7 })
    expect(JSON.parse(out['payload-hash'])).toEqual({ a: 'h1', b: 'h2' })
  })

  it('says audit-delivered false when any delivery failed', () => {
    const out = computeOutputs([result('a', { audit: 'true' }), result('b', { audit: 'false' })], 'deploy', {
      reportPath: 'r'
    })
    expect(out['audit-delivered']).toBe('false')
  })

  it('prints the plan matrix in plan mode only', () => {
    const results = [result('a'), result('b')]
    expect(JSON.parse(computeOutputs(results, 'plan', { reportPath: 'r' }).matrix)).toEqual(
      planMatrix(results)
    )
    expect(planMatrix(results).include[1]).toEqual({
      'index-file': 'indexes/b.yaml',
      'custom-object-id': 'b'
    })
    expect(computeOutputs(results, 'validate', { reportPath: 'r' }).matrix).toBe('')
  })
})

describe('failure', () => {
  it('fails on errors with fail-on error, not on warnings', () => {
    expect(failureReason([result('a', { findings: [err('a')] })], 'validate', 'error')).toMatch(
      /1 error finding/
    )
    expect(failureReason([result('a', { findings: [warn('a')] })], 'validate', 'error')).toBeUndefined()
  })

  it('fails on warnings with fail-on warning', () => {
    expect(failureReason([result('a', { findings: [warn('a')] })], 'validate', 'warning')).toMatch(
      /1 warning/
    )
  })

  it('never fails validate on findings with fail-on never', () => {
    expect(failureReason([result('a', { findings: [err('a')] })], 'validate', 'never')).toBeUndefined()
  })

  it('fails a deploy blocked by errors even with fail-on never', () => {
    expect(failureReason([result('a', { findings: [err('a')] })], 'deploy', 'never')).toMatch(
      /blocked the deploy/
    )
  })

  it('fails a deploy whose rebuild failed or timed out, with the reason', () => {
    const failed = result('a', { rebuild: { status: 'failed', seconds: 2, reason: 'duplicate values' } })
    expect(failureReason([failed], 'deploy', 'never')).toBe('a: rebuild failed: duplicate values')
  })

  it('fails when an object hit a fatal error', () => {
    expect(failureReason([result('a', { error: 'PUT failed' })], 'validate', 'never')).toBe('a: PUT failed')
  })

  it('does not name the object twice when its error already does', () => {
    const r = result('a', { error: 'Object a: the deploy failed.' })
    expect(failureReason([r], 'deploy', 'never')).toBe('Object a: the deploy failed.')
  })
})
