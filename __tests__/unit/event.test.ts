import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readRunContext } from '../../src/event.js'

function eventFile(payload: unknown): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'coi-event-')), 'event.json')
  writeFileSync(file, JSON.stringify(payload))
  return file
}

describe('the run context', () => {
  it('reads the pull request number, the repository and the run URL', () => {
    const ctx = readRunContext({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventFile({
        number: 7,
        pull_request: { number: 7 },
        repository: { default_branch: 'main' }
      }),
      GITHUB_REPOSITORY: 'acme/indexes',
      GITHUB_RUN_ID: '99',
      GITHUB_API_URL: 'http://127.0.0.1:1/'
    })
    expect(ctx.pullRequest).toBe(7)
    expect(ctx.repository).toEqual({ owner: 'acme', repo: 'indexes' })
    expect(ctx.event).toEqual({ name: 'pull_request', ref: '', defaultBranch: 'main' })
    expect(ctx.runUrl).toBe('https://github.com/acme/indexes/actions/runs/99')
    expect(ctx.apiUrl).toBe('http://127.0.0.1:1')
  })

  it('tells a fork PR by its head repository', () => {
    const ctx = readRunContext({
      GITHUB_EVENT_PATH: eventFile({
        pull_request: {
          number: 3,
          head: { repo: { full_name: 'someone/indexes' } },
          base: { repo: { full_name: 'acme/indexes' } }
        }
      })
    })
    expect(ctx.fromFork).toBe(true)
  })

  it('carries the run identity for the audit record', () => {
    const ctx = readRunContext({ GITHUB_SHA: 'abc', GITHUB_RUN_ATTEMPT: '2', GITHUB_ACTOR: 'octocat' })
    expect(ctx.source).toMatchObject({ sha: 'abc', runAttempt: '2', actor: 'octocat', repository: '' })
  })

  it("takes a merge queue's head commit from merge_group.head_sha", () => {
    const head = 'a'.repeat(40)
    const ctx = readRunContext({
      GITHUB_EVENT_NAME: 'merge_group',
      GITHUB_REF: 'refs/heads/gh-readonly-queue/main/pr-7-' + 'b'.repeat(40),
      GITHUB_SHA: 'c'.repeat(40),
      GITHUB_EVENT_PATH: eventFile({
        merge_group: { head_sha: head.toUpperCase(), base_ref: 'refs/heads/main' },
        repository: { default_branch: 'main' }
      })
    })
    expect(ctx.headSha).toBe(head)
    expect(ctx.pullRequest).toBeUndefined()
    expect(ctx.event.name).toBe('merge_group')
  })

  it('ignores a merge_group key in the payload of another event', () => {
    const ctx = readRunContext({
      GITHUB_EVENT_NAME: 'push',
      GITHUB_SHA: 'c'.repeat(40),
      GITHUB_EVENT_PATH: eventFile({ merge_group: { head_sha: 'a'.repeat(40) } })
    })
    expect(ctx.headSha).toBe('c'.repeat(40))
  })

  it('runs without an event file or GitHub variables (a local run)', () => {
    const ctx = readRunContext({ GITHUB_EVENT_PATH: '/nonexistent/event.json' })
    expect(ctx.pullRequest).toBeUndefined()
    expect(ctx.repository).toBeUndefined()
    expect(ctx.apiUrl).toBe('https://api.github.com')
  })

  it("reads a push's before and after commits, and only on a push", () => {
    const payload = { before: '0'.repeat(40), after: 'C0FFEE'.padEnd(40, '0') }
    const push = readRunContext({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: eventFile(payload) })
    expect(push.push).toEqual({ before: '0'.repeat(40), after: 'c0ffee'.padEnd(40, '0') })
    const other = readRunContext({
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      GITHUB_EVENT_PATH: eventFile(payload)
    })
    expect(other.push).toBeUndefined()
    const bad = readRunContext({
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: eventFile({ before: 'main', after: 'x' })
    })
    expect(bad.push).toBeUndefined()
  })
})
