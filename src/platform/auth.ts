// OAuth client credentials (docs/rules.md#oauth-client-credentials): one token cached for the run, refreshed
// when it expires or the API says `authentication.required`; the call is then replayed once.
import { createRedactor, type Redactor } from '../redact.js'
import type { HttpRequest, HttpResponse, PlatformHttpClient } from './http.js'
import { PlatformError } from './http.js'

export interface AuthOptions {
  http: PlatformHttpClient
  /** e.g. https://login.mypurecloud.com */
  loginBase: string
  clientId: string
  clientSecret: string
  /** Called with every token obtained, so the runner masks it (main passes `core.setSecret`). */
  onSecret?: (secret: string) => void
  /**
   * The run's redactor (the one the HTTP client redacts with): the client secret, the Basic credential and
   * every token are registered with it. Without one, the token source still keeps them out of its own errors.
   */
  redactor?: Redactor
  now?: () => number
  /** Refresh this long before `expires_in` runs out (default 60 s). */
  refreshMarginMs?: number
}

export interface TokenSource {
  /** The cached token, or a fresh one. */
  token(): Promise<string>
  /** Drops `token` from the cache (when the API refused it); the next token() fetches a new one. */
  invalidate(token: string): void
  /** Tokens fetched so far. */
  fetched(): number
}

/** A bad client id or secret: names the client and the login host, never the secret. */
export class AuthError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AuthError'
  }
}

interface CachedToken {
  value: string
  expiresAt: number
}

function isThrottled(res: HttpResponse): boolean {
  if (res.status !== 400) return false
  try {
    const body = JSON.parse(res.text) as { error?: unknown }
    return body.error === 'invalid_request'
  } catch {
    return false
  }
}

export function createTokenSource(opts: AuthOptions): TokenSource {
  const now = opts.now ?? Date.now
  const margin = opts.refreshMarginMs ?? 60_000
  const loginHost = (() => {
    try {
      return new URL(opts.loginBase).host
    } catch {
      return opts.loginBase
    }
  })()
  let cached: CachedToken | undefined
  let pending: Promise<CachedToken> | undefined
  let count = 0
  const redactor = opts.redactor ?? createRedactor()
  const basic = Buffer.from(`${opts.clientId}:${opts.clientSecret}`).toString('base64')
  redactor.add(opts.clientSecret)
  redactor.add(basic)
  const redact = (text: string): string => redactor.redact(text)

  async function fetchToken(): Promise<CachedToken> {
    opts.onSecret?.(basic)
    let res: HttpResponse
    try {
      res = await opts.http.request({
        method: 'POST',
        url: `${opts.loginBase}/oauth/token`,
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded'
        },
        body: 'grant_type=client_credentials',
        limited: false,
        retryIf: isThrottled
      })
    } catch (error) {
      // The token endpoint's own text may echo what it was sent: never pass the credential on.
      if (error instanceof PlatformError && error.status === 401) {
        throw new AuthError(
          redact(
            `OAuth client '${opts.clientId}' was refused by ${loginHost}: 401 ${error.code ?? 'invalid_client'}` +
              `${error.serverMessage ? ` (${error.serverMessage})` : ''}. Check the client-id and client-secret ` +
              'inputs and that the client is a Client Credentials grant in this region.' +
              (error.correlationId ? ` (correlation id ${error.correlationId})` : '')
          )
        )
      }
      if (error instanceof PlatformError) throw new AuthError(redact(error.message))
      throw error
    }
    let body: { access_token?: unknown; expires_in?: unknown }
    try {
      body = JSON.parse(res.text) as typeof body
    } catch {
      body = {}
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new AuthError(
        `The token endpoint of ${loginHost} answered ${res.status} without an access_token.`
      )
    }
    redactor.add(body.access_token)
    opts.onSecret?.(body.access_token)
    count++
    const ttl =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : 3_600_000
    return { value: body.access_token, expiresAt: now() + Math.max(ttl - margin, ttl / 2) }
  }

  return {
    async token(): Promise<string> {
      if (cached && now() < cached.expiresAt) return cached.value
      pending ??= fetchToken().finally(() => {
        pending = undefined
      })
      cached = await pending
      return cached.value
    },
    invalidate(token: string): void {
      if (cached?.value === token) cached = undefined
    },
    fetched: () => count
  }
}

/** An API caller: adds the bearer token; on 401 `authentication.required` gets a fresh one and replays once. */
export interface AuthorizedClient {
  request(req: HttpRequest): Promise<HttpResponse>
}

export function createAuthorizedClient(http: PlatformHttpClient, tokens: TokenSource): AuthorizedClient {
  const send = async (req: HttpRequest, token: string): Promise<HttpResponse> =>
    http.request({ ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } })
  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      const token = await tokens.token()
      try {
        return await send(req, token)
      } catch (error) {
        if (!(error instanceof PlatformError) || error.status !== 401) throw error
        tokens.invalidate(token)
        return send(req, await tokens.token())
      }
    }
  }
}
