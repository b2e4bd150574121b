// The per-mode table drives the report: every mode has its view, and no report module asks which mode it is in.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { MODES } from '../../src/model.js'
import { MODE_VIEWS } from '../../src/report/modes.js'
import { ROOT } from '../helpers/action.js'

describe('the per-mode table of the report', () => {
  it('gives every mode a title, its sections with the findings, and a run verdict', () => {
    expect(Object.keys(MODE_VIEWS).sort()).toEqual([...MODES].sort())
    for (const mode of MODES) {
      const view = MODE_VIEWS[mode]
      expect(view.title, mode).toMatch(/^Custom-object index /)
      expect(view.sections, mode).toContain('findings')
      expect(view.run({ objects: 1, errors: 0, warnings: 0, count: () => 0, failing: 1 }), mode).toMatch(
        /^❌ /
      )
    }
  })

  it('is the only place in report/ that knows the modes: no module branches on a mode', () => {
    const dir = path.join(ROOT, 'src/report')
    for (const file of readdirSync(dir).filter(f => f.endsWith('.ts') && f !== 'modes.ts')) {
      const text = readFileSync(path.join(dir, file), 'utf8')
      expect(text, file).not.toMatch(/\bmode\s*[!=]==/)
    }
  })
})
