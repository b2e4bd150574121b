// Publishing reports (docs/rules.md#publishing-reports), end to end: three matrix jobs validate one index
// file each and leave their report files; a trusted `mode: publish` job under `workflow_run` proves the PR is
// at the reports' commit and posts ONE sticky comment (ending with the review line built from the reports)
// and one job summary. A forged PR, a bad file or reports that disagree refuse the whole set with nothing
// posted; outside text stays inert.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ReportFile } from '../../src/report/file.js'
import { prEvent, PUSH_TO_MAIN, workflowRunEvent, type ActionRun } from '../helpers/action.js'
import { assertOwnHtml, toHtml } from '../helpers/markdown.js'
import { customObjects, errors, objectId, scene, type Scene } from '../helpers/scene.js'
import { useServers } from '../helpers/servers.js'

const PR = 7
const HEAD = '3f2c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a'
const OTHER = '0123456789abcdef0123456789abcdef01234567'
const PUBLISH_MARKER = '<!-- custom-object-index:matrix -->'
const REVIEW_PREFIX = '<!-- custom-object-index-review:'
const JOBS = 3

// Every test starts its own servers; the concurrent tests share the list of closers, so it closes after the file.
const servers = useServers('file')

/** The matrix jobs' report files, made once (by `matrix()` in beforeAll). */
let made: { texts: string[]; reports: ReportFile[] }

beforeAll(async () => {
  made = await matrix(await repository())
})

function indexFile(i: number): string {
  return `customObjectId: ${objectId(i)}\nindexes:\n  - name: idx_n_${i}\n    fields: [n]\n`
}

/** Three objects, their index files, and PR #7 open at `head` (PR #8 at another commit). */
function repository(head = HEAD): Promise<Scene> {
  const files: Record<string, string> = {}
  for (let i = 0; i < JOBS; i++) files[`indexes/o${i}.yaml`] = indexFile(i)
  return scene(servers, {
    files,
    emulator: { data: customObjects(JOBS) },
    github: {
      pullRequests: [
        { number: PR, headSha: head },
        { number: 8, headSha: OTHER }
      ]
    }
  })
}

/** The matrix: one validate job per index file, no comment, each leaving its report file. */
async function matrix(s: Scene): Promise<{ texts: string[]; reports: ReportFile[] }> {
  const texts: string[] = []
  for (let i = 0; i < JOBS; i++) {
    const run = await s.run({
      eventName: 'pull_request',
      event: prEvent(PR, HEAD),
      inputs: {
        mode: 'validate',
        'index-file': `indexes/o${i}.yaml`,
        comment: 'false',
        'comment-key': `job${i}`
      },
      // The jobs of one workflow run: the publish job below runs in it too.
      env: { GITHUB_RUN_ID: '777' }
    })
    expect(run.code, run.stdout).toBe(0)
    texts.push(readFileSync(run.outputs.report!, 'utf8'))
  }
  expect(s.gh.comments()).toEqual([])
  return { texts, reports: texts.map(t => JSON.parse(t) as ReportFile) }
}

/** A repository whose workspace holds the matrix's report files as `reports/o{i}.json` (the artifacts). */
async function withReports(head = HEAD): Promise<{ s: Scene; reports: ReportFile[] }> {
  const s = await repository(head)
  mkdirSync(path.join(s.workspace, 'reports'), { recursive: true })
  made.texts.forEach((t, i) => {
    writeReport(s, `o${i}.json`, t)
  })
  return { s, reports: made.reports }
}

function publish(
  s: Scene,
  inputs: Record<string, string> = {},
  event: unknown = workflowRunEvent(HEAD, [PR])
): Promise<ActionRun> {
  return s.run({
    eventName: 'workflow_run',
    event,
    inputs: { mode: 'publish', 'report-files': 'reports/*.json', 'comment-key': 'matrix', ...inputs },
    env: { GITHUB_RUN_ID: '777', GITHUB_SHA: OTHER },
    offline: true
  })
}

function writes(s: Scene): string[] {
  return s.gh
    .requests()
    .filter(r => r.method !== 'GET' && r.path !== '/graphql')
    .map(r => `${r.method} ${r.path}`)
}

/** Refused: the step failed with `message`, and nothing was posted anywhere. */
function expectRefused(s: Scene, run: ActionRun, message: string | RegExp): void {
  expect(run.code).toBe(1)
  const error = errors(run).join('\n')
  if (typeof message === 'string') expect(error).toContain(message)
  else expect(error).toMatch(message)
  expect(error).toContain('Nothing was published')
  expect(writes(s)).toEqual([])
  expect(s.gh.comments()).toEqual([])
}

function writeReport(s: Scene, name: string, text: string): void {
  writeFileSync(path.join(s.workspace, 'reports', name), text)
}

describe.concurrent('publishing a matrix', () => {
  it('posts ONE comment and one summary for every object of every report, ending with the review line', async () => {
    const { s, reports } = await withReports()
    const run = await publish(s)
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.mode).toBe('publish')

    const comments = s.gh.comments(PR)
    expect(comments).toHaveLength(1)
    const body = comments[0]!.body
    expect(body.split('\n')[0]).toBe(PUBLISH_MARKER)
    expect(run.outputs['comment-url']).toBe(comments[0]!.html_url)
    expect(body).toContain('Custom-object index check: ✅ pass — 3 objects')
    for (let i = 0; i < JOBS; i++) {
      expect(body).toContain(`Object${i}`)
      expect(body).toContain(`idx_n_${i}`)
    }

    const objects: Record<string, { payloadHash: string; basedOnVersion: number }> = {}
    for (const r of reports) {
      const o = r.objects[0]!
      objects[o.customObjectId] = { payloadHash: o.payloadHash!, basedOnVersion: o.basedOnVersion! }
    }
    const last = body.trimEnd().split('\n').at(-1)!
    expect(last.startsWith(REVIEW_PREFIX)).toBe(true)
    expect(JSON.parse(last.slice(REVIEW_PREFIX.length, -' -->'.length))).toEqual({
      v: 1,
      headSha: HEAD,
      runId: '777',
      objects
    })
    // The footer names the reports' commit and the publish run.
    expect(body).toContain(`(https://github.com/acme/indexes/commit/${HEAD})`)
    expect(body).toContain('(https://github.com/acme/indexes/actions/runs/777)')

    expect(run.summary.match(/^## /gm)).toHaveLength(1)
    expect(run.summary).toContain('## Custom-object index check: ✅ pass — 3 objects')
    for (let i = 0; i < JOBS; i++) expect(run.summary).toContain(`Object${i}`)
    // The PR was proven at the reports' commit before anything was written.
    expect(s.gh.requests().map(r => `${r.method} ${r.path.split('?')[0]}`)).toContain(
      `GET /repos/acme/indexes/pulls/${PR}`
    )
  })

  it('edits its one comment in place when the set is published again', async () => {
    const { s } = await withReports()
    expect((await publish(s)).code).toBe(0)
    expect((await publish(s)).code).toBe(0)
    expect(s.gh.comments(PR)).toHaveLength(1)
    expect(writes(s).filter(w => w.startsWith('POST') && w.includes('/comments'))).toHaveLength(1)
  })

  it('publishes under mode: auto on a workflow_run event', async () => {
    const { s } = await withReports()
    const run = await s.run({
      eventName: 'workflow_run',
      event: workflowRunEvent(HEAD, [PR]),
      inputs: { 'report-files': 'reports/*.json', 'comment-key': 'matrix' },
      env: { GITHUB_RUN_ID: '777' },
      offline: true
    })
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.mode).toBe('publish')
    expect(run.stdout).toContain("Mode: publish (auto, event 'workflow_run')")
    expect(s.gh.comments(PR)).toHaveLength(1)
  })
})

describe.concurrent('the published review', () => {
  it('is what the merge commit deploy checks against, for every object of the set', async () => {
    const MERGE = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00'
    const files: Record<string, string> = {}
    for (let i = 0; i < JOBS; i++) files[`indexes/o${i}.yaml`] = indexFile(i)
    const s = await scene(servers, {
      files,
      emulator: { data: customObjects(JOBS) },
      github: { pullRequests: [{ number: PR, headSha: HEAD, merged: true, mergeCommitSha: MERGE }] }
    })
    mkdirSync(path.join(s.workspace, 'reports'))
    made.texts.forEach((t, i) => {
      writeReport(s, `o${i}.json`, t)
    })
    expect((await publish(s)).code).toBe(0)
    const run = await s.run({
      ...PUSH_TO_MAIN,
      inputs: {
        mode: 'deploy',
        'index-file': 'indexes/*.yaml',
        'comment-key': 'matrix',
        'require-review': 'fail'
      },
      env: { GITHUB_SHA: MERGE }
    })
    expect(run.code, run.stdout).toBe(0)
    expect(run.outputs.reviewed).toBe('true')
    const audits = s.wh.deliveries().map(d => d.body as { customObjectId: string; review: unknown })
    expect(audits.map(a => a.customObjectId).sort()).toEqual([0, 1, 2].map(objectId))
    for (const a of audits) {
      const o = made.reports.flatMap(r => r.objects).find(x => x.customObjectId === a.customObjectId)!
      expect(a.review).toEqual({ payloadHash: o.payloadHash, matched: true, pullRequest: PR })
    }
  })
})

describe.concurrent('a forged pull request is refused, nothing posted', () => {
  it('when the pull-request input names a PR whose head is another commit', async () => {
    const { s, reports } = await withReports()
    // The reports are rewritten to name #8 too, so only the proof can catch it.
    for (let i = 0; i < JOBS; i++)
      writeReport(s, `o${i}.json`, JSON.stringify({ ...reports[i], pullRequest: 8 }))
    const run = await publish(s, { 'pull-request': '8' })
    expectRefused(s, run, `Pull request #8 is at commit ${OTHER.slice(0, 12)}`)
  })

  it('when the reports name another PR than the pull-request input', async () => {
    const { s } = await withReports()
    const run = await publish(s, { 'pull-request': '8' })
    expectRefused(s, run, 'The reports are for pull request #7 but the pull-request input says #8')
  })

  it("when the triggering run's head is not the reports' commit", async () => {
    const { s } = await withReports()
    const run = await publish(s, {}, workflowRunEvent(OTHER, [PR]))
    expectRefused(s, run, `the triggering run on ${OTHER.slice(0, 12)}`)
  })

  it('when the PR moved on since the reports were made', async () => {
    const { s } = await withReports(OTHER)
    const run = await publish(s)
    expectRefused(
      s,
      run,
      `Pull request #${PR} is at commit ${OTHER.slice(0, 12)}, but the reports were made on ${HEAD.slice(0, 12)}`
    )
  })
})

describe.concurrent('outside workflow_run', () => {
  it("refuses reports of another PR than a pull_request event's own", async () => {
    const { s } = await withReports()
    const run = await s.run({
      eventName: 'pull_request',
      event: prEvent(8, OTHER),
      inputs: { mode: 'publish', 'report-files': 'reports/*.json', 'comment-key': 'matrix' },
      env: { GITHUB_RUN_ID: '777' },
      offline: true
    })
    expectRefused(s, run, 'This pull_request event is for pull request #8, but the reports are for #7')
  })

  it("refuses reports made on another commit than a pull_request event's head", async () => {
    const { s } = await withReports()
    const run = await s.run({
      eventName: 'pull_request',
      event: prEvent(PR, OTHER),
      inputs: { mode: 'publish', 'report-files': 'reports/*.json', 'comment-key': 'matrix' },
      env: { GITHUB_RUN_ID: '777' },
      offline: true
    })
    expectRefused(
      s,
      run,
      `This pull_request event is for commit ${OTHER.slice(0, 12)} of pull request #${PR}, but the reports were made on ${HEAD.slice(0, 12)}`
    )
  })

  it("publishes under a pull_request event of the reports' own PR and head", async () => {
    const { s } = await withReports()
    const run = await s.run({
      eventName: 'pull_request',
      event: prEvent(PR, HEAD),
      inputs: { mode: 'publish', 'report-files': 'reports/*.json', 'comment-key': 'matrix' },
      env: { GITHUB_RUN_ID: '777' },
      offline: true
    })
    expect(run.code, run.stdout).toBe(0)
    expect(s.gh.comments(PR)).toHaveLength(1)
  })
})

describe.concurrent('a bad report file refuses the whole set, naming the file', () => {
  it('refuses a file that is not JSON', async () => {
    const { s } = await withReports()
    writeReport(s, 'o1.json', '{"version": 1, "objects": [')
    expectRefused(s, await publish(s), 'Report file "reports/o1.json" is not JSON.')
  })

  it('refuses a file larger than 10 MiB', async () => {
    const { s } = await withReports()
    writeReport(s, 'o2.json', ' '.repeat(10 * 1024 * 1024 + 1))
    expectRefused(s, await publish(s), /Report file reports\/o2\.json is 10485761 bytes/)
  })

  it('refuses a file with an unknown key', async () => {
    const { s, reports } = await withReports()
    writeReport(s, 'o0.json', JSON.stringify({ ...reports[0], trustMe: true }))
    expectRefused(s, await publish(s), 'Report file "reports/o0.json" is not a valid report')
  })

  it('refuses two reports of one object, naming both files', async () => {
    const { s, reports } = await withReports()
    const [first] = reports[0]!.objects
    const again = { ...first!, payloadHash: 'e'.repeat(64) }
    writeReport(s, 'o2.json', JSON.stringify({ ...reports[2], objects: [again] }))
    expectRefused(
      s,
      await publish(s),
      `Report files reports/o0.json and reports/o2.json both hold object ${objectId(0)}`
    )
  })

  it('refuses more than 256 report files', async () => {
    const { s } = await withReports()
    for (let i = 3; i < 257; i++) writeReport(s, `o${i}.json`, made.texts[0]!)
    expectRefused(s, await publish(s), "Input 'report-files' matched 257 files; at most 256")
  })

  it('refuses a glob that matches no report file', async () => {
    const { s } = await withReports()
    const run = await publish(s, { 'report-files': 'artifacts/*.json' })
    expect(run.code).toBe(1)
    expect(errors(run).join('\n')).toContain("Input 'report-files' matched no file")
    expect(writes(s)).toEqual([])
  })

  it('refuses reports of different pull requests', async () => {
    const { s, reports } = await withReports()
    writeReport(s, 'o1.json', JSON.stringify({ ...reports[1], pullRequest: 8 }))
    expectRefused(
      s,
      await publish(s),
      'Report files reports/o0.json and reports/o1.json name different pull requests (7 and 8)'
    )
  })

  it('refuses reports made on different commits', async () => {
    const { s, reports } = await withReports()
    writeReport(s, 'o2.json', JSON.stringify({ ...reports[2], headSha: OTHER }))
    expectRefused(s, await publish(s), 'name different commits')
  })
})

describe.concurrent('outside text in the reports', () => {
  const HOSTILE = {
    file: 'indexes/<script>alert(1)</script>|`x`.yaml',
    objectName: '</details><details open><!-- hidden',
    index: 'idx_`a`|<b>b</b>',
    message: 'message </details> | `code` <!-- never closed <img src=x onerror=alert(1)>\n::error::forged',
    statusReason: '<!-- --> <script>alert(2)</script> | ``'
  }

  it('is rendered inert in the published comment', async () => {
    const { s, reports } = await withReports()
    const [report] = reports
    const o = report!.objects[0]!
    const hostile: ReportFile = {
      ...report!,
      objects: [
        {
          ...o,
          file: HOSTILE.file,
          objectName: HOSTILE.objectName,
          diff: { ...o.diff, added: [HOSTILE.index] },
          findings: [
            {
              severity: 'warning',
              rule: 'index-modified',
              customObjectId: o.customObjectId,
              index: HOSTILE.index,
              message: HOSTILE.message,
              file: HOSTILE.file,
              line: 3
            }
          ],
          indexesBefore: [
            { name: HOSTILE.index, fields: ['n'], status: 'failed', statusReason: HOSTILE.statusReason }
          ],
          indexesAfter: [{ name: HOSTILE.index, fields: ['n', '<i>x</i>'] }]
        }
      ]
    }
    writeReport(s, 'o0.json', JSON.stringify(hostile))
    const run = await publish(s)
    expect(run.code, run.stdout).toBe(0)
    const [comment] = s.gh.comments(PR)
    const body = comment!.body
    const lines = body.trimEnd().split('\n')
    assertOwnHtml(toHtml(body), [PUBLISH_MARKER, lines.at(-1)!])
    expect(toHtml(body)).not.toMatch(/<script|<img|<b>|<i>/i)
    // The file name, shown as code, still reads as it was written.
    expect(toHtml(body)).toContain('indexes/&lt;script&gt;alert(1)&lt;/script&gt;|`x`.yaml')
    assertOwnHtml(toHtml(run.summary))
    // The finding's annotation cannot start a workflow command of its own.
    expect(run.stdout.split('\n').filter(l => l.includes('forged'))).toEqual([
      expect.stringMatching(/^::warning title=index-modified,.*%0A::error::forged$/)
    ])
    expect(toHtml(run.summary)).not.toMatch(/<script|<img|<b>|<i>/i)
  })
})
