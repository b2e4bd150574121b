// Test helpers for the platform client: a gateway wired to a running emulator, and index files from text.
import { DEFAULT_CLIENT } from '../../src/emulator/types.js'
import { parseIndexFile } from '../../src/indexfile/parse.js'
import type { LoadedIndexFile } from '../../src/model.js'
import { silentLogger, type Logger } from '../../src/log.js'
import { createAuthorizedClient, createTokenSource, type TokenSource } from '../../src/platform/auth.js'
import { createGatewayClient, type GatewayClient } from '../../src/platform/gateway.js'
import { createHttpClient, type HttpClientOptions, type PlatformHttpClient } from '../../src/platform/http.js'
import { createRateLimiter, type RateLimiter } from '../../src/platform/ratelimit.js'

/** The emulator's default OAuth client. */
export const CLIENT_ID = DEFAULT_CLIENT.id
export const CLIENT_SECRET = DEFAULT_CLIENT.secret

export interface Connected {
  gateway: GatewayClient
  http: PlatformHttpClient
  tokens: TokenSource
  limiter: RateLimiter
  secrets: string[]
}

/** A gateway client against `url` (login and API share it), as main wires it. */
export function connect(
  url: string,
  opts: { clientId?: string; clientSecret?: string; http?: HttpClientOptions; maxConcurrent?: number } = {}
): Connected {
  const limiter = createRateLimiter({ maxConcurrent: opts.maxConcurrent ?? 4 })
  const http = createHttpClient({ limiter, ...opts.http })
  const secrets: string[] = []
  const tokens = createTokenSource({
    http,
    loginBase: url,
    clientId: opts.clientId ?? CLIENT_ID,
    clientSecret: opts.clientSecret ?? CLIENT_SECRET,
    onSecret: s => secrets.push(s)
  })
  const gateway = createGatewayClient({ api: createAuthorizedClient(http, tokens), apiBase: url })
  return { gateway, http, tokens, limiter, secrets }
}

/** An index file from YAML text; throws with the findings when it does not parse. */
export function indexFile(text: string, path = 'indexes/ticket.yaml'): LoadedIndexFile {
  const parsed = parseIndexFile(path, text)
  if (!parsed.loaded) throw new Error(`test index file invalid: ${JSON.stringify(parsed.findings)}`)
  return parsed.loaded
}

/** A logger that keeps its lines, for asserting on what the user reads. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    info: m => lines.push(`info: ${m}`),
    warning: m => lines.push(`warning: ${m}`),
    debug: () => undefined
  }
}

export { silentLogger }
