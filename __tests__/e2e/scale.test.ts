// Scale with the repository, end to end on the bundled action: a pull request or a push runs only the index
// files it changed (and says which ones left), plan's matrix stays under GitHub's cap, and a comment over
// hundreds of objects keeps its footer while its review continues in review-only comments that a deploy reads.
import { describe, expect, it } from 'vitest'
import {
  commentTooLongBody,
  type ChangedFileSeed,
  type GitHubStandInOptions,
  type SeedCommit
} from '../../src/emulator/github.js'
import { prEvent, type ActionRun } from '../helpers/action.js'
import { customObjects, errors, objectId, scene, type Scene, warnings } from '../helpers/scene.js'
import { useServers } from '../helpers/servers.js'

const PR = 7
const HEAD = '3f2c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a'
const BEFORE = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0'
const MERGE = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00'
const ROOT = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0'
const ZEROS = '0'.repeat(40)
const MARKER = '<!-- custom-object-index:default -->'
const CONTINUATION = '<!-- custom-object-index-review:default:'
const GLOB = 'indexes/*.yaml'

// Every test starts its own servers; the concurrent tests share the list of closers, so it closes after the file.
const servers = useServers('file')

const path = (i: number): string => `indexes/object-${i}.yaml`

/** Object i's index file: its live index, plus `idx_n` when `changed`. */
function file(i: number, changed = false): string {
  return (
    `customObjectId: ${objectId(i)}\nindexes:\n  - name: idx_code\n    fields: [code]\n` +
    (changed ? '  - name: idx_n\n    fields: [n]\n' : '')
  )
}

/** A repository of `n` objects, one index file each; `changed` files add an index. */
function repository(
  n: number,
  opts: { changed?: number[]; github?: GitHubStandInOptions; rate?: number } = {}
): Promise<Scene> {
  const files: Record<string, string> = {}
  for (let i = 0; i < n; i++) files[path(i)] = file(i, opts.changed?.includes(i) ?? false)
  return scene(servers, {
    files,
    emulator: {
      data: customObjects(n, 5),
      ...(opts.rate !== undefined ? { rateLimitPerMinute: opts.rate } : {})
    },
    ...(opts.github ? { github: opts.github } : {})
  })
}

const modified = (i: number): ChangedFileSeed => ({ filename: path(i), status: 'modified' })

/** The main branch: ROOT, then BEFORE, then MERGE (which changed `files`). */
function history(files: ChangedFileSeed[]): SeedCommit[] {
  return [
    { sha: ROOT },
    { sha: BEFORE, parents: [ROOT], files: [modified(0)] },
    { sha: MERGE, parents: [BEFORE], files }
  ]
}

function pushEvent(before: string, after = MERGE): unknown {
  return {
    ref: 'refs/heads/main',
    before,
    after,
    repository: { default_branch: 'main', full_name: 'acme/indexes' }
  }
}

function validate(s: Scene, inputs: Record<string, string> = {}): Promise<ActionRun> {
  return s.run({
    eventName: 'pull_request',
    event: prEvent(PR, HEAD),
    inputs: { 'index-file': GLOB, mode: 'validate', probe: 'false', ...inputs },
    env: { GITHUB_SHA: 'd00dfeedd00dfeedd00dfeedd00dfeedd00dfeed', GITHUB_RUN_ID: '9001' }
  })
}

function deploy(s: Scene, before: string, inputs: Record<string, string> = {}): Promise<ActionRun> {
  return s.run({
    eventName: 'push',
    event: pushEvent(before),
    inputs: { 'index-file': GLOB, mode: 'deploy', probe: 'false', 'require-review': 'off', ...inputs },
    env: { GITHUB_SHA: MERGE, GITHUB_RUN_ID: '9002' }
  })
}

/** The custom object ids whose schema the run read or wrote. */
function touched(s: Scene): string[] {
  const ids = s.emu
    .requests()
    .map(r => /\/customobjects\/schemas\/([^/?]+)/.exec(r.path)?.[1])
    .filter((id): id is string => id !== undefined)
  return [...new Set(ids)].sort()
}

function notices(run: ActionRun): string[] {
  return run.stdout
    .split('\n')
    .filter(l => l.startsWith('::notice'))
    .map(l => l.slice(l.indexOf('::', 2) + 2))
}

function githubCalls(s: Scene, pattern: RegExp): number {
  return s.gh.requests().filter(r => pattern.test(r.path)).length
}

describe.concurrent('changed-only: a pull request runs the index files it changed', () => {
  it('validates one changed file of 500 with the platform requests of that one object and one GitHub listing', async () => {
    const s = await repository(500, {
      changed: [3],
      github: {
        pullRequests: [
          {
            number: PR,
            headSha: HEAD,
            files: [modified(3), { filename: 'README.md', status: 'modified' }]
          }
        ]
      }
    })
    const run = await validate(s)
    expect(run.code, run.stdout).toBe(0)
    expect(touched(s)).toEqual([objectId(3)])
    expect(JSON.parse(run.outputs.diff!)).toMatchObject({ added: ['idx_n'] })
    expect(run.stdout).toContain('Changed index files: 1 of the 500 matched')
    // GitHub: the change list is one call (one page); every other call is the comment's or the check run's.
    const comment = /^\/graphql|\/issues\/7\/comments|\/issues\/comments\/|\/check-runs/
    expect(
      s.gh
        .requests()
        .filter(r => !comment.test(r.path))
        .map(r => r.path.replace(/\?.*/, ''))
    ).toEqual(['/repos/acme/indexes/pulls/7/files'])
    // The platform: exactly what a run of that one file costs.
    const requests = s.emu.requests().length
    s.emu.resetRequests()
    const alone = await validate(s, { 'index-file': path(3), comment: 'false' })
    expect(alone.code, alone.stdout).toBe(0)
    expect(requests).toBe(s.emu.requests().length)
  })

  it('reports an index file the pull request removed as no longer managed, writing nothing', async () => {
    const s = await repository(3, {
      github: {
        pullRequests: [
          {
            number: PR,
            headSha: HEAD,
            files: [{ filename: 'indexes/object-9.yaml', status: 'removed' }]
          }
        ]
      }
    })
    const run = await validate(s)
    expect(run.code, run.stdout).toBe(0)
    expect(notices(run)).toContain(
      'indexes/object-9.yaml was removed: no longer managed: its live indexes are kept.'
    )
    expect(run.summary).toContain('no longer managed: its live indexes are kept')
    expect(touched(s)).toEqual([])
    expect(s.emu.requests().filter(r => r.method === 'PUT')).toHaveLength(0)
  })

  it('lists a pull request of more than 100 files page by page', async () => {
    const files = Array.from({ length: 250 }, (_, i) => ({
      filename: `docs/page-${i}.md`,
      status: 'added' as const
    }))
    const s = await repository(3, {
      changed: [2],
      github: { pullRequests: [{ number: PR, headSha: HEAD, files: [...files, modified(2)] }] }
    })
    const run = await validate(s)
    expect(run.code, run.stdout).toBe(0)
    expect(githubCalls(s, /\/pulls\/7\/files/)).toBe(3)
    expect(touched(s)).toEqual([objectId(2)])
  })
})

describe.concurrent("changed-only: GitHub's cap on a pull request's files", () => {
  it('runs every matched file when the list reaches 3,000 files, with a notice saying why', async () => {
    const files = Array.from({ length: 3_001 }, (_, i) => ({
      filename: `docs/page-${i}.md`,
      status: 'added' as const
    }))
    const s = await repository(3, {
      github: { pullRequests: [{ number: PR, headSha: HEAD, files: [modified(1), ...files] }] }
    })
    const run = await validate(s)
    expect(run.code, run.stdout).toBe(0)
    expect(githubCalls(s, /\/pulls\/7\/files/)).toBe(30)
    expect(notices(run)).toContain(
      "changed-only: every matched index file runs: the pull request has 3000 files or more, GitHub's cap on its file list."
    )
    expect(touched(s)).toEqual([objectId(0), objectId(1), objectId(2)].sort())
  })
})

describe.concurrent('changed-only: a push deploys the index files its compare changed', () => {
  it('deploys only the object whose file the push changed', async () => {
    const s = await repository(5, { changed: [1, 2], github: { commits: history([modified(1)]) } })
    const run = await deploy(s, BEFORE)
    expect(run.code, run.stdout).toBe(0)
    const puts = s.emu.requests().filter(r => r.method === 'PUT')
    expect(puts.map(r => r.path)).toEqual([`/api/v2/data-gateway/customobjects/schemas/${objectId(1)}`])
    expect(githubCalls(s, /\/compare\//)).toBe(1)
  })

  it.each([
    [
      'a new branch (before is zeros)',
      ZEROS,
      'push',
      'the push created the branch: there is no earlier commit to compare with'
    ],
    [
      'a force push (the compare is diverged)',
      'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0',
      'push',
      "is 'diverged' (a force push rewrote the branch)"
    ],
    ['another event', BEFORE, 'workflow_dispatch', "a 'workflow_dispatch' event has no list of changed files"]
  ])(
    'falls back to every matched file after %s, with a notice saying why',
    async (_what, before, event, why) => {
      const commits = [
        ...history([modified(1)]),
        { sha: 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0', parents: [ROOT] }
      ]
      const s = await repository(3, { changed: [0, 1, 2], github: { commits } })
      const run = await s.run({
        eventName: event,
        event: pushEvent(before),
        inputs: { 'index-file': GLOB, mode: 'deploy', probe: 'false', 'require-review': 'off' },
        env: { GITHUB_SHA: MERGE, GITHUB_RUN_ID: '9002' }
      })
      expect(run.code, run.stdout).toBe(0)
      expect(
        notices(run).some(
          n => n.startsWith('changed-only: every matched index file runs:') && n.includes(why)
        )
      ).toBe(true)
      expect(s.emu.requests().filter(r => r.method === 'PUT')).toHaveLength(3)
    }
  )

  it('fails the step under changed-only: true when there is no list, writing nothing', async () => {
    const s = await repository(3, { changed: [0], github: { commits: history([modified(0)]) } })
    const run = await deploy(s, ZEROS, { 'changed-only': 'true' })
    expect(run.code).not.toBe(0)
    expect(errors(run).join('\n')).toContain(
      "Input 'changed-only' is 'true' but the changed files cannot be had"
    )
    expect(s.emu.requests().filter(r => r.method === 'PUT')).toHaveLength(0)
  })

  it('processes every matched file under changed-only: false, without asking GitHub', async () => {
    const s = await repository(3, { changed: [0, 1, 2], github: { commits: history([modified(1)]) } })
    const run = await deploy(s, BEFORE, { 'changed-only': 'false' })
    expect(run.code, run.stdout).toBe(0)
    expect(s.emu.requests().filter(r => r.method === 'PUT')).toHaveLength(3)
    expect(githubCalls(s, /\/compare\//)).toBe(0)
  })
})

describe.concurrent("plan's matrix fits GitHub's cap", () => {
  it('groups 300 objects into at most 256 entries that validate accepts as they are', async () => {
    const s = await repository(300)
    const plan = await s.run({
      eventName: 'workflow_dispatch',
      event: {},
      inputs: { 'index-file': GLOB, mode: 'plan', 'changed-only': 'false' },
      offline: true
    })
    expect(plan.code, plan.stdout).toBe(0)
    const matrix = JSON.parse(plan.outputs.matrix!) as {
      include: { 'index-file': string; 'custom-object-id': string }[]
    }
    expect(matrix.include.length).toBeLessThanOrEqual(256)
    expect(matrix.include).toHaveLength(150)
    expect(notices(plan).some(n => n.startsWith('The matrix groups 300 objects into 150 entries'))).toBe(true)
    const entry = matrix.include[0]!
    expect(entry['index-file'].split('\n')).toHaveLength(2)
    const job = await s.run({
      eventName: 'pull_request',
      event: prEvent(PR, HEAD),
      inputs: { ...entry, mode: 'validate', comment: 'false', 'changed-only': 'false' },
      offline: true
    })
    expect(job.code, job.stdout).toBe(0)
    // Two objects: the per-object outputs are maps by object id.
    expect(Object.keys(JSON.parse(job.outputs['payload-hash']!) as object)).toEqual([
      objectId(0),
      objectId(1)
    ])
    expect(job.stdout).toContain(`Index files: ${entry['index-file'].split('\n').join(', ')}`)
  })
})

describe.concurrent('the comment fits at any size', () => {
  it('continues the review of 500 objects in a review-only comment that a deploy reads', async () => {
    const last = 499
    const s = await repository(500, {
      changed: [last],
      rate: 100_000,
      github: {
        pullRequests: [
          { number: PR, headSha: HEAD, merged: true, mergeCommitSha: MERGE, files: [modified(last)] }
        ],
        commits: history([modified(last)])
      }
    })
    const run = await validate(s, { 'changed-only': 'false' })
    expect(run.code, run.stdout).toBe(0)
    const comments = s.gh.comments(PR)
    const main = comments.find(c => c.body.startsWith(MARKER))!
    expect(main.body.length).toBeLessThan(65_536)
    expect(main.body).toContain('Commit [`3f2c1a9`]')
    const parts = comments.filter(c => c.body.startsWith(CONTINUATION))
    expect(parts.length).toBeGreaterThanOrEqual(1)
    expect(parts.every(c => c.body.length < 65_536)).toBe(true)
    // The last object's review is in a continuation, not in the comment's own line.
    expect(main.body.split('\n').at(-1)).not.toContain(objectId(last))

    const deployed = await deploy(s, BEFORE, { 'require-review': 'fail' })
    expect(deployed.code, deployed.stdout).toBe(0)
    expect(deployed.outputs.reviewed).toBe('true')

    // A later, shorter run deletes the continuation it no longer needs.
    const again = await validate(s)
    expect(again.code, again.stdout).toBe(0)
    expect(s.gh.comments(PR).filter(c => c.body.startsWith(CONTINUATION))).toHaveLength(0)
  })

  it("names GitHub's real cause when it refuses the comment", async () => {
    const s = await repository(1, {
      github: {
        pullRequests: [{ number: PR, headSha: HEAD, files: [modified(0)] }],
        faults: [
          {
            method: 'POST',
            path: '/repos/acme/indexes/issues/7/comments',
            kind: 'status',
            status: 422,
            body: commentTooLongBody()
          }
        ]
      }
    })
    const run = await validate(s)
    expect(warnings(run).join('\n')).toContain(
      'Validation Failed: body is too long (maximum is 65536 characters)'
    )
  })
})
