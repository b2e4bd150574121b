// Findings as workflow annotations.
import { describe, expect, it } from 'vitest'
import { toAnnotations } from '../src/report/annotations.js'
import { finding } from './helpers/results.js'

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

  it('makes one annotation per finding, in order', () => {
    const list = toAnnotations([
      finding({ message: 'a' }),
      finding({ message: 'b' }),
      finding({ message: 'c' })
    ])
    expect(list.map(a => a.message)).toEqual(['a', 'b', 'c'])
  })
})
