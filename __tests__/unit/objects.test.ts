import { describe, expect, it } from 'vitest'
import { planObjects } from '../../src/objects.js'

const file = (id?: string) =>
  `${id ? `customObjectId: ${id}\n` : ''}indexes:\n  - name: idx_a\n    fields: [a]\n`

describe('planning objects from files', () => {
  it('takes the object id from the file, else from the input', () => {
    expect(
      planObjects([{ path: 'a.yaml', text: file('obj-a') }], undefined, 'validate').jobs[0]!.customObjectId
    ).toBe('obj-a')
    expect(planObjects([{ path: 'b.yaml', text: file() }], 'obj-b', 'validate').jobs[0]!.customObjectId).toBe(
      'obj-b'
    )
    expect(planObjects([{ path: 'c.yaml', text: file('obj-c') }], 'obj-c', 'validate').rejected).toEqual([])
  })

  it('reports object-id-mismatch on the customObjectId line when input and file disagree', () => {
    const { jobs, rejected } = planObjects([{ path: 'a.yaml', text: file('obj-a') }], 'obj-z', 'deploy')
    expect(jobs).toEqual([])
    expect(rejected[0]!.findings[0]).toMatchObject({
      rule: 'object-id-mismatch',
      file: 'a.yaml',
      line: 1,
      severity: 'error'
    })
  })

  it('reports a file with no object id anywhere', () => {
    const { rejected } = planObjects([{ path: 'a.yaml', text: file() }], undefined, 'validate')
    expect(rejected[0]!.findings[0]).toMatchObject({ rule: 'file-invalid', file: 'a.yaml' })
    expect(rejected[0]!.findings[0]!.message).toMatch(
      /No customObjectId in the file and no custom-object-id input/
    )
  })

  it('runs neither of two files that manage one object, and names both', () => {
    const { jobs, rejected } = planObjects(
      [
        { path: 'a.yaml', text: file('obj') },
        { path: 'b.yaml', text: file('obj') }
      ],
      undefined,
      'deploy'
    )
    expect(jobs).toEqual([])
    expect(rejected.map(r => r.file)).toEqual(['a.yaml', 'b.yaml'])
    expect(rejected[1]!.findings[0]!.message).toContain('managed by 2 files (a.yaml, b.yaml)')
  })

  it('turns a file that could not be read into a file-invalid finding', () => {
    const { rejected } = planObjects(
      [{ path: 'a.yaml', problem: 'the file is not valid UTF-8 text' }],
      'obj',
      'validate'
    )
    expect(rejected[0]!.findings[0]).toMatchObject({
      rule: 'file-invalid',
      message: 'a.yaml: the file is not valid UTF-8 text'
    })
  })
})
