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
  apiUrl: string
  serverUrl: string
  runUrl?: string
  /** The run's identity, as the audit record carries it. */
  source: AuditSource
}

interface EventPayload {
  pull_request?: {
    number?: number
    head?: { repo?: { full_name?: string } }
    base?: { repo?: { full_name?: string } }
  }
  number?: number
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
  return {
    event: {
      name: env.GITHUB_EVENT_NAME ?? '',
      ref: env.GITHUB_REF ?? '',
      defaultBranch: payload.repository?.default_branch
    },
    repository: owner && repo ? { owner, repo } : undefined,
    pullRequest: typeof pullRequest === 'number' ? pullRequest : undefined,
    fromFork: head !== undefined && base !== undefined && head !== base,
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl,
    runUrl: owner && repo && runId ? `${serverUrl}/${owner}/${repo}/actions/runs/${runId}` : undefined,
    source: auditSourceFromEnv(env)
  }
}
