// What the runner tells about the run: the event, the pull request, the repository, the run's identity.
import { readFileSync } from 'node:fs'
import { auditSourceFromEnv, type AuditSource } from './audit/record.js'
import type { EventInfo } from './settings.js'

export interface RunContext {
  event: EventInfo
  /** owner/name */
  repository?: { owner: string; repo: string }
  /** The pull request number, on pull_request and pull_request_target events. */
  pullRequest?: number
  /** Whether the PR comes from a fork (its token is read-only). */
  fromFork: boolean
  /**
   * The commit under review: the PR's head (`pull_request.head.sha`) on PR events, the run's head on
   * `workflow_run`, the queue's head (`merge_group.head_sha`) on `merge_group`, else GITHUB_SHA.
   */
  headSha: string
  /** `push` events: the branch's commit before and after the push (`before` is zeros for a new branch). */
  push?: { before: string; after: string }
  /**
   * `workflow_run` events: the triggering run's id, head SHA, the PR numbers it names, and the repository its
   * head came from (`owner/name`; a fork's when it differs from `repository`, '' when the event names none).
   */
  workflowRun?: { id: string; headSha: string; pullRequests: number[]; headRepository: string }
  apiUrl: string
  serverUrl: string
  runUrl?: string
  /** The run's identity, as the audit record carries it. */
  source: AuditSource
}

interface EventPayload {
  pull_request?: {
    number?: number
    head?: { sha?: string; repo?: { full_name?: string } }
    base?: { repo?: { full_name?: string } }
  }
  workflow_run?: {
    id?: number | string
    head_sha?: string
    pull_requests?: { number?: number }[]
    head_repository?: { full_name?: string }
  }
  merge_group?: { head_sha?: string }
  number?: number
  before?: string
  after?: string
  repository?: { default_branch?: string; full_name?: string }
}

function readPayload(path: string | undefined): EventPayload {
  if (!path) return {}
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'))
    return typeof parsed === 'object' && parsed !== null ? parsed : {}
  } catch {
    return {}
  }
}

/** Reads GITHUB_* variables and the event payload file. Missing values stay empty: the action runs locally too. */
export function readRunContext(env: NodeJS.ProcessEnv): RunContext {
  const payload = readPayload(env.GITHUB_EVENT_PATH)
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/')
  const pr = payload.pull_request
  const pullRequest = pr?.number ?? (pr ? payload.number : undefined)
  const head = pr?.head?.repo?.full_name
  const base = pr?.base?.repo?.full_name
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '')
  const runId = env.GITHUB_RUN_ID ?? ''
  const sha = (value: unknown): string | undefined =>
    typeof value === 'string' && /^[0-9a-f]{40,64}$/i.test(value) ? value.toLowerCase() : undefined
  const run = payload.workflow_run
  const workflowRun =
    env.GITHUB_EVENT_NAME === 'workflow_run' && run
      ? {
          id: /^[0-9]{1,20}$/.test(String(run.id ?? '')) ? String(run.id) : '',
          headSha: sha(run.head_sha) ?? '',
          pullRequests: (Array.isArray(run.pull_requests) ? run.pull_requests : [])
            .map(p => p.number)
            .filter((n): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0),
          headRepository:
            typeof run.head_repository?.full_name === 'string' ? run.head_repository.full_name : ''
        }
      : undefined
  const before = sha(payload.before)
  const after = sha(payload.after)
  const push = env.GITHUB_EVENT_NAME === 'push' && before && after ? { before, after } : undefined
  const mergeGroupSha =
    env.GITHUB_EVENT_NAME === 'merge_group' ? sha(payload.merge_group?.head_sha) : undefined
  return {
    event: {
      name: env.GITHUB_EVENT_NAME ?? '',
      ref: env.GITHUB_REF ?? '',
      defaultBranch: payload.repository?.default_branch
    },
    repository: owner && repo ? { owner, repo } : undefined,
    pullRequest: typeof pullRequest === 'number' ? pullRequest : undefined,
    fromFork: head !== undefined && base !== undefined && head !== base,
    headSha: sha(pr?.head?.sha) ?? workflowRun?.headSha ?? mergeGroupSha ?? sha(env.GITHUB_SHA) ?? '',
    ...(push ? { push } : {}),
    ...(workflowRun ? { workflowRun } : {}),
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl,
    runUrl: owner && repo && runId ? `${serverUrl}/${owner}/${repo}/actions/runs/${runId}` : undefined,
    source: auditSourceFromEnv(env)
  }
}
