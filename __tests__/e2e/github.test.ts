// The PR comment under GitHub faults, end to end: the bundled action validates a PR against the emulator and
// posts its comment to the GitHub stand-in, which fails in every way GitHub can (5xx, 422, 401, resets, no
// answer, the secondary rate limit), holds other users' marked comments, races, and pages. Whatever happens to
// the comment, the summary, the outputs and the report file are there, the exit code is the findings', and a
// failure is one warning that says what failed and why.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { SAMPLE_IDS, type RunningEmulator } from '../../src/emulator/index.js'
import { type GitHubFault, type GitHubStandIn } from '../../src/emulator/github.js'
import { BUNDLE, platformInputs, runAction, type ActionRun } from '../helpers/action.js'
import { useServers } from '../helpers/servers.js'

const PR = 7
const COMMENTS = `/repos/acme/indexes/issues/${PR}/comments`
const MARKER = '<!-- custom-object-index:default -->'
const WHERE = 'The results are in the job summary, the annotations and the report file.'
const VALID = `customObjectId: ${SAMPLE_IDS.ticket}
indexes:
  - name: idx_assignee
    fields: [assignee]
`
const INVALID = `customObjectId: ${SAMPLE_IDS.ticket}
indexes:
  - name: idx_nothing
    fields: [noSuchField]
`

const servers = useServers('file')
let emu: RunningEmulator
let ws: { dir: string; cleanup(): void }

beforeAll(async () => {
  emu = await servers.emulator({
    ticketCount: 500,
    accountCount: 50,
    rebuildRecordsPerSecond: 1_000_000
  })
  ws = servers.workspace({ 'indexes/ticket.yaml': VALID, 'indexes/broken.yaml': INVALID })
})

const PR_EVENT = {
  number: PR,
  pull_request: {
    number: PR,
    head: { sha: 'f'.repeat(40), repo: { full_name: 'acme/indexes' } },
    base: { repo: { full_name: 'acme/indexes' } }
  },
  repository: { default_branch: 'main', full_name: 'acme/indexes' }
}

/**
 * A validate run of the PR; the GitHub bounds set through the one tuning knob: 10 s a call (30 s the step) by
 * default, a safety bound that a busy machine never reaches; the cases about the bounds set their own.
 */
function validate(gh: GitHubStandIn, opts: { file?: string; timeoutMs?: number } = {}): Promise<ActionRun> {
  return runAction({
    workspace: ws.dir,
    eventName: 'pull_request',
    event: PR_EVENT,
    inputs: {
      ...platformInputs(emu.url, 'emulator-client', 'emulator-secret'),
      'index-file': opts.file ?? 'indexes/ticket.yaml',
      'github-token': 'ghs_e2e_github_token'
    },
    env: {
      GITHUB_API_URL: gh.url,
      CUSTOM_OBJECT_INDEX_GITHUB_TIMEOUT_MS: String(opts.timeoutMs ?? 10_000)
    }
  })
}

/** Nothing is lost: the summary, the outputs and the report file are there, and the exit code is the findings'. */
function expectResultsKept(run: ActionRun, valid = true): void {
  expect(run.code, run.stdout + run.stderr).toBe(valid ? 0 : 1)
  expect(run.outputs.mode).toBe('validate')
  expect(run.outputs.valid).toBe(String(valid))
  expect(run.outputs['error-count']).toBe(valid ? '0' : '1')
  expect(run.summary).toContain(valid ? 'idx_assignee' : 'idx_nothing')
  const report = run.outputs.report!
  expect(existsSync(report)).toBe(true)
  const parsed = JSON.parse(readFileSync(report, 'utf8')) as { objects: { customObjectId: string }[] }
  expect(parsed.objects.map(o => o.customObjectId)).toEqual([SAMPLE_IDS.ticket])
}

/** The warnings the run printed (workflow commands on stdout). */
function warnings(run: ActionRun): string[] {
  return run.stdout
    .split('\n')
    .filter(l => l.startsWith('::warning::') && l.includes('PR comment'))
    .map(l => l.slice('::warning::'.length))
}

function ours(gh: GitHubStandIn): { id: number; body: string; html_url: string }[] {
  return gh.comments(PR).filter(c => c.body.startsWith(MARKER) && c.user.login === 'github-actions[bot]')
}

function statuses(gh: GitHubStandIn, method: string, pathPrefix: string): number[] {
  return gh
    .requests()
    .filter(r => r.method === method && r.path.startsWith(pathPrefix))
    .map(r => r.status)
}

describe.concurrent('the PR comment when GitHub fails', () => {
  const seeded = [{ issueNumber: PR, body: `${MARKER}\nan earlier run` }]
  const lasting = (method: string, p: string, status: number): GitHubFault => ({
    method,
    path: p,
    kind: 'status',
    status,
    count: 99
  })
  const ONE = '/repos/acme/indexes/issues/comments/'

  it.each([
    ['500', 'GET', 500, 'Internal Server Error', `listing the comments of acme/indexes#${PR}`],
    ['502', 'GET', 502, 'Bad Gateway', `listing the comments of acme/indexes#${PR}`],
    ['500', 'POST', 500, 'Internal Server Error', `creating the PR comment on acme/indexes#${PR}`],
    ['502', 'POST', 502, 'Bad Gateway', `creating the PR comment on acme/indexes#${PR}`]
  ])('keeps every result and warns when every %s on %s fails', async (_s, method, status, text, doing) => {
    const gh = await servers.github({ faults: [lasting(method, COMMENTS, status)] })
    const run = await validate(gh)
    expectResultsKept(run)
    expect(run.outputs['comment-url']).toBe('')
    expect(warnings(run)).toEqual([
      `The PR comment could not be posted: GitHub answered ${status} ${text} on ${doing} after 4 attempts. ${WHERE}`
    ])
    expect(statuses(gh, method, COMMENTS)).toEqual([status, status, status, status])
    expect(ours(gh)).toEqual([])
  })

  it.each([
    [500, 'Internal Server Error'],
    [502, 'Bad Gateway']
  ])('keeps every result and warns when every update answers %i', async (status, text) => {
    const gh = await servers.github({ seedComments: seeded, faults: [lasting('PATCH', `${ONE}*`, status)] })
    const id = gh.comments(PR)[0]!.id
    const run = await validate(gh)
    expectResultsKept(run)
    expect(warnings(run)).toEqual([
      `The PR comment could not be posted: GitHub answered ${status} ${text} on updating the PR comment ${id} ` +
        `on acme/indexes#${PR} after 4 attempts. ${WHERE}`
    ])
    expect(gh.comments(PR)[0]!.body).toBe(`${MARKER}\nan earlier run`)
  })

  it('retries a 502 on create once and posts the comment', async () => {
    const gh = await servers.github({
      faults: [{ method: 'POST', path: COMMENTS, kind: 'status', status: 502 }]
    })
    const run = await validate(gh)
    expectResultsKept(run)
    expect(warnings(run)).toEqual([])
    expect(statuses(gh, 'POST', COMMENTS)).toEqual([502, 201])
    expect(ours(gh)).toHaveLength(1)
    expect(run.outputs['comment-url']).toBe(ours(gh)[0]!.html_url)
  })

  it('retries a 500 on update once and edits the comment in place', async () => {
    const gh = await servers.github({
      seedComments: seeded,
      faults: [{ method: 'PATCH', path: `${ONE}*`, kind: 'status', status: 500 }]
    })
    const run = await validate(gh)
    expectResultsKept(run)
    expect(warnings(run)).toEqual([])
    expect(ours(gh)).toHaveLength(1)
    expect(ours(gh)[0]!.body).toContain('idx_assignee')
  })

  it('does not retry a 422 on create and repeats what GitHub said', async () => {
    const gh = await servers.github({
      faults: [
        {
          method: 'POST',
          path: COMMENTS,
          kind: 'status',
          status: 422,
          body: { message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest' }
        }
      ]
    })
    const run = await validate(gh)
    expectResultsKept(run)
    expect(warnings(run)).toEqual([
      'The PR comment could not be posted: GitHub answered 422 Unprocessable Entity on creating the PR comment ' +
        `on acme/indexes#${PR}: Validation Failed. ${WHERE}`
    ])
    expect(statuses(gh, 'POST', COMMENTS)).toEqual([422])
  })

  it('retries a connection reset and posts the comment', async () => {
    const gh = await servers.github({ faults: [{ method: 'POST', path: COMMENTS, kind: 'reset' }] })
    const run = await validate(gh)
    expectResultsKept(run)
    expect(warnings(run)).toEqual([])
    expect(statuses(gh, 'POST', COMMENTS)).toEqual([0, 201])
    expect(ours(gh)).toHaveLength(1)
  })

  it('warns that GitHub could not be reached when every connection is reset', async () => {
    const gh = await servers.github({ faults: [{ path: COMMENTS, kind: 'reset', count: 99 }] })
    const run = await validate(gh)
    expectResultsKept(run)
    const [warning] = warnings(run)
    expect(warning).toMatch(
      new RegExp(
        `^The PR comment could not be posted: GitHub could not be reached on listing the comments of acme/indexes#${PR} after 4 attempts \\(.+\\)\\. `
      )
    )
  })

  it('does not hang on a GitHub that never answers: the step bound ends the comment', async () => {
    const gh = await servers.github({ faults: [{ path: COMMENTS, kind: 'hang', count: 99 }] })
    const run = await validate(gh, { timeoutMs: 1_000 })
    expectResultsKept(run)
    expect(warnings(run)).toEqual([
      "The PR comment could not be posted: the GitHub calls did not finish within the step's 3 s bound " +
        `(while listing the comments of acme/indexes#${PR}). ${WHERE}`
    ])
    // Each attempt was abandoned after the 1 s call bound: at most three fit in the step's 3 s.
    const attempts = statuses(gh, 'GET', COMMENTS)
    expect(attempts.length).toBeGreaterThanOrEqual(2)
    expect(attempts.length).toBeLessThanOrEqual(3)
    expect(attempts.every(s => s === 0)).toBe(true)
  })

  it('waits out the secondary rate limit, then posts the comment', async () => {
    const gh = await servers.github({
      faults: [{ method: 'POST', path: COMMENTS, kind: 'secondary-rate-limit', retryAfter: 1 }]
    })
    const run = await validate(gh)
    expectResultsKept(run)
    expect(warnings(run)).toEqual([])
    expect(statuses(gh, 'POST', COMMENTS)).toEqual([403, 201])
    expect(run.outputs['comment-url']).toBe(ours(gh)[0]!.html_url)
  })

  it('warns that the token was refused on a 401, without retrying', async () => {
    const gh = await servers.github({
      faults: [
        { path: '/graphql', kind: 'status', status: 401, body: { message: 'Bad credentials' }, count: 99 }
      ]
    })
    const run = await validate(gh)
    expectResultsKept(run)
    expect(warnings(run)).toEqual([
      "The PR comment could not be posted: GitHub refused the token (401 Unauthorized: Bad credentials) on reading the token's " +
        `identity (GraphQL viewer). Check the token given in 'github-token'. ${WHERE}`
    ])
    expect(statuses(gh, 'POST', '/graphql')).toEqual([401])
    const printed = (run.stdout + run.stderr).split('\n').filter(l => !l.startsWith('::add-mask::'))
    expect(printed.join('\n')).not.toContain('ghs_e2e_github_token')
  })

  it('fails the step for the findings, not for the comment', async () => {
    const gh = await servers.github({ faults: [lasting('POST', COMMENTS, 502)] })
    const run = await validate(gh, { file: 'indexes/broken.yaml' })
    expectResultsKept(run, false)
    expect(run.stdout).toMatch(/^::error::/m)
    expect(warnings(run)).toHaveLength(1)
  })
})

describe.concurrent('the PR comment is ours only', () => {
  it('leaves a marked comment planted by another user untouched and creates ours', async () => {
    const gh = await servers.github({
      seedComments: [{ issueNumber: PR, body: `${MARKER}\nplanted`, login: 'mallory' }]
    })
    const planted = gh.comments(PR)[0]!
    const run = await validate(gh)
    expectResultsKept(run)
    expect(warnings(run)).toEqual([])
    expect(gh.comments(PR).find(c => c.id === planted.id)).toEqual(planted)
    expect(ours(gh)).toHaveLength(1)
    expect(run.outputs['comment-url']).toBe(ours(gh)[0]!.html_url)
    expect(gh.requests().some(r => r.path.endsWith(`/comments/${planted.id}`))).toBe(false)
  })

  it('leaves exactly one comment of ours when two runs race', async () => {
    // Each create is held long enough for the other run to list before it lands.
    const gh = await servers.github({
      faults: [{ method: 'POST', path: COMMENTS, kind: 'delay', delayMs: 4_000, count: 2 }]
    })
    const [a, b] = await Promise.all([validate(gh, { timeoutMs: 8_000 }), validate(gh, { timeoutMs: 8_000 })])
    for (const run of [a, b]) {
      expectResultsKept(run)
      expect(warnings(run)).toEqual([])
    }
    expect(statuses(gh, 'POST', COMMENTS)).toEqual([201, 201])
    expect(ours(gh)).toHaveLength(1)
    expect(a.outputs['comment-url']).toBe(ours(gh)[0]!.html_url)
    expect(b.outputs['comment-url']).toBe(ours(gh)[0]!.html_url)
  })

  it('finds its comment on a later page among more than 100 and edits it in place', async () => {
    const chatter = Array.from({ length: 130 }, (_, i) => ({ issueNumber: PR, body: `chatter ${i}` }))
    const gh = await servers.github({
      seedComments: [...chatter, { issueNumber: PR, body: `${MARKER}\nold` }]
    })
    const mine = gh.comments(PR)[130]!
    const run = await validate(gh)
    expectResultsKept(run)
    expect(gh.comments(PR)).toHaveLength(131)
    expect(ours(gh).map(c => c.id)).toEqual([mine.id])
    expect(ours(gh)[0]!.body).toContain('idx_assignee')
    expect(run.outputs['comment-url']).toBe(mine.html_url)
    expect(statuses(gh, 'POST', COMMENTS)).toEqual([])
    expect(gh.requests().filter(r => r.method === 'GET' && r.path.includes('page=2'))).toHaveLength(1)
  })
})

/** The environment of an offline pull_request run of `ticket.yaml` in `dir` (its event.json beside it). */
function prRunEnv(dir: string): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    GITHUB_WORKSPACE: dir,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: path.join(dir, 'event.json'),
    RUNNER_TEMP: dir,
    'INPUT_INDEX-FILE': 'ticket.yaml'
  }
}

describe('lazy loading', () => {
  /** Runs a copy of dist/ (`dir`) as an offline validate of one file, commenting or not. */
  const runCopy = (copy: string, comment: string): { status: number | null; out: string } => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coi-lazy-'))
    writeFileSync(path.join(dir, 'ticket.yaml'), VALID)
    writeFileSync(path.join(dir, 'event.json'), JSON.stringify(PR_EVENT))
    const r = spawnSync(process.execPath, [path.join(copy, 'index.js')], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...prRunEnv(dir),
        GITHUB_REPOSITORY: 'acme/indexes',
        GITHUB_API_URL: 'http://127.0.0.1:9',
        'INPUT_GITHUB-TOKEN': 'ghs_lazy',
        INPUT_COMMENT: comment,
        // The check run is a GitHub call too: off here, so only the comment decides.
        'INPUT_CHECK-RUN': 'false'
      }
    })
    rmSync(dir, { recursive: true, force: true })
    return { status: r.status, out: r.stdout + r.stderr }
  }

  /** A copy of dist/ without the chunks `drop` picks; removed after `use`. */
  const withoutChunks = (
    drop: (text: string) => boolean,
    use: (copy: string, dropped: string[]) => void
  ): void => {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'coi-dist-'))
    try {
      cpSync(path.dirname(BUNDLE), copy, { recursive: true })
      const chunks = readdirSync(copy).filter(
        f => f !== 'index.js' && f.endsWith('.js') && drop(readFileSync(path.join(copy, f), 'utf8'))
      )
      for (const c of chunks) rmSync(path.join(copy, c))
      use(copy, chunks)
    } finally {
      rmSync(copy, { recursive: true, force: true })
    }
  }

  it('runs an offline validate without ever loading the Octokit chunk', () => {
    withoutChunks(
      text => text.includes('octokit'),
      (copy, dropped) => {
        expect(dropped.length).toBeGreaterThan(0)
        const offline = runCopy(copy, 'false')
        expect(offline.status, offline.out).toBe(0)
        // The same bundle does need the chunk as soon as a comment is to be posted.
        const commenting = runCopy(copy, 'true')
        expect(commenting.status).toBe(1)
        expect(commenting.out).toMatch(/Cannot find module|ERR_MODULE_NOT_FOUND|ENOENT/)
      }
    )
  })

  it('runs an offline validate of one named file with every lazy chunk deleted (Octokit, the GitHub calls, undici)', () => {
    withoutChunks(
      () => true,
      (copy, dropped) => {
        // undici's chunk is among them: it no longer sits in index.js.
        expect(dropped.length).toBeGreaterThanOrEqual(3)
        const entry = readFileSync(path.join(copy, 'index.js'), 'utf8')
        expect(entry).not.toContain('EnvHttpProxyAgent')
        expect(entry).not.toContain('globGenerator')
        const offline = runCopy(copy, 'false')
        expect(offline.status, offline.out).toBe(0)
      }
    )
  })

  it('runs an offline validate without evaluating undici (no zlib, http2 or worker_threads loaded)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coi-undici-'))
    try {
      writeFileSync(path.join(dir, 'ticket.yaml'), VALID)
      writeFileSync(path.join(dir, 'event.json'), JSON.stringify(PR_EVENT))
      // Node's own list of the built-in modules it loaded, written when the process ends.
      const loaded = path.join(dir, 'loaded.json')
      writeFileSync(
        path.join(dir, 'preload.cjs'),
        `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loaded)}, JSON.stringify(process.moduleLoadList)))\n`
      )
      const r = spawnSync(process.execPath, ['--require', path.join(dir, 'preload.cjs'), BUNDLE], {
        cwd: dir,
        encoding: 'utf8',
        env: {
          ...prRunEnv(dir),
          INPUT_COMMENT: 'false'
        }
      })
      expect(r.status, r.stdout + r.stderr).toBe(0)
      const modules = JSON.parse(readFileSync(loaded, 'utf8')) as string[]
      // @actions/http-client's own imports are there: the list is the run's.
      expect(modules).toContain('NativeModule https')
      for (const m of ['zlib', 'http2', 'worker_threads']) expect(modules).not.toContain(`NativeModule ${m}`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
