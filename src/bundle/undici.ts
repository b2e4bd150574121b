// undici, evaluated on first use. The bundle maps the bare specifier 'undici' here (tsconfig.json `paths`,
// which the bundler follows): @actions/core imports @actions/http-client, which imports undici's ProxyAgent
// at its top, so every run would evaluate all of undici (and load zlib, http2, worker_threads...) at start,
// although only a request through a proxy (ProxyAgent) or a call to GitHub (Octokit's fetch) ever uses it.
// undici stays in the bundle; `require` makes the bundler keep it there but run it only when called.
// Tests and scripts (vitest, tsx) import the real undici: only the bundle goes through this file.
import type * as Undici from 'undici/index.js'

let loaded: typeof Undici | undefined

function undici(): typeof Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous, deferred load is the point
  loaded ??= require('undici/index.js') as typeof Undici
  return loaded
}

export type ProxyAgent = Undici.ProxyAgent
export const ProxyAgent = function ProxyAgent(...args: ConstructorParameters<typeof Undici.ProxyAgent>) {
  return new (undici().ProxyAgent)(...args)
} as unknown as typeof Undici.ProxyAgent

export const fetch: typeof Undici.fetch = (...args) => undici().fetch(...args)
