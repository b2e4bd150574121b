// How a published comment shows what publish could not vouch for: an expected object without a report, and a
// fork's object checked by the pull request's own run (file checks only).
import { describe, expect, it } from 'vitest'
import { blankResult, type ObjectResult } from '../../src/model.js'
import { NO_REPORT } from '../../src/pipeline/publish.js'
import { renderComment } from '../../src/report/comment.js'

const OPTIONS = {
  mode: 'publish' as const,
  serverUrl: 'https://github.com',
  repository: 'acme/indexes',
  headSha: 'a'.repeat(40),
  runId: '777',
  commentKey: 'default'
}

const noReport: ObjectResult = {
  ...blankResult('o2', '', 'validate'),
  error: NO_REPORT,
  attested: 'no-report'
}
const forked: ObjectResult = {
  ...blankResult('o1', 'indexes/o1.yaml', 'validate'),
  attested: 'file-checks-only'
}

describe('the published comment', () => {
  it('shows an expected object without a report as blocking, with no file to name', () => {
    const body = renderComment([noReport], OPTIONS)
    expect(body).toContain('## Custom-object index check: ❌ blocked — 1 of 1 object')
    expect(body).toContain('### ❌ `o2` — no report (its job failed or was cancelled)')
    expect(body).toContain('Object `o2`\n')
    expect(body).not.toContain('· file')
  })

  it("shows a fork's object as checked by the pull request's own run, file checks only", () => {
    const body = renderComment([forked], OPTIONS)
    expect(body).toContain("### ⚠️ `o1` — checked by the pull request's own run: file checks only\n")
    expect(body).toContain(
      'its claims about the live schema are not trusted and it is left out of the review line'
    )
    expect(body).not.toContain('✅ pass')
  })
})
