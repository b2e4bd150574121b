// Findings as workflow annotations, within GitHub's 10 errors and 10 warnings per step
// (docs/rules.md#annotations-fit-githubs-caps).
import { describe, expect, it } from 'vitest'
import type { Finding } from '../../src/model.js'
import { toAnnotations } from '../../src/report/annotations.js'
import { finding } from '../helpers/results.js'

function many(n: number, severity: Finding['severity']): Finding[] {
  return Array.from({ length: n }, (_v, i) => finding({ severity, message: `${severity} ${i}` }))
}

describe('toAnnotations', () => {
  it('maps severity to level, rule to title and keeps message, file and line', () => {
    const [a] = toAnnotations([
      finding({ severity: 'error', rule: 'unknown-field', message: 'no field x', line: 7 })
    ])
    expect(a).toEqual({
      level: 'error',
      title: 'unknown-field',
      message: 'no field x',
      file: 'indexes/ticket.yaml',
      startLine: 7
    })
  })

  it('makes a warning annotation for a warning finding', () => {
    expect(toAnnotations([finding()])[0]!.level).toBe('warning')
  })

  it('leaves file and line out when the finding has no file', () => {
    const [a] = toAnnotations([finding({ file: undefined, line: undefined })])
    expect(a).not.toHaveProperty('file')
    expect(a).not.toHaveProperty('startLine')
  })

  it('emits errors first, then warnings, each in the order found', () => {
    const list = toAnnotations([
      finding({ message: 'w1' }),
      finding({ severity: 'error', message: 'e1' }),
      finding({ message: 'w2' }),
      finding({ severity: 'error', message: 'e2' })
    ])
    expect(list.map(a => a.message)).toEqual(['e1', 'e2', 'w1', 'w2'])
  })

  it('emits no notice when every finding fits', () => {
    const list = toAnnotations([...many(10, 'warning'), ...many(10, 'error')])
    expect(list).toHaveLength(20)
    expect(list.some(a => a.level === 'notice')).toBe(false)
  })

  it('emits at most 10 errors and 10 warnings, then one notice counting the rest and saying where they are', () => {
    const list = toAnnotations([...many(25, 'warning'), ...many(13, 'error')])
    expect(list.filter(a => a.level === 'error').map(a => a.message)).toEqual(
      Array.from({ length: 10 }, (_v, i) => `error ${i}`)
    )
    expect(list.filter(a => a.level === 'warning')).toHaveLength(10)
    expect(list).toHaveLength(21)
    const notice = list.at(-1)!
    expect(notice.level).toBe('notice')
    expect(notice.message).toBe(
      "3 errors and 15 warnings more are not annotated here (GitHub shows 10 of each): see the job summary and the report file (the action's `report` output)."
    )
  })

  it('counts a single hidden finding in the singular', () => {
    const notice = toAnnotations(many(11, 'warning')).at(-1)!
    expect(notice.message).toMatch(/^1 warning more is not annotated here/)
  })
})
