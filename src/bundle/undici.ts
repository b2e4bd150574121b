// undici, in a chunk of its own loaded on first use. The bundle maps the bare specifier 'undici' here
// (tsconfig.json `paths`, which the bundler follows): @actions/core imports @actions/http-client, which imports
// undici's ProxyAgent at its top, so every run would parse and evaluate all of undici (and load zlib, http2,
// worker_threads...) at start, although only Octokit uses it: its fetch, and a ProxyAgent behind a proxy.
// Tests and scripts (vitest, tsx) import the real undici: only the bundle goes through this file.
import type * as Undici from 'undici/index.js'

let loaded: typeof Undici | undefined

/** Loads undici; awaited before Octokit is made (its constructor may make a ProxyAgent synchronously). */
export async function loadUndici(): Promise<void> {
  loaded ??= await import('undici/index.js')
}

function undici(): typeof Undici {
  if (!loaded) throw new Error('undici is used before it is loaded: await loadUndici() first.')
  return loaded
}

export type ProxyAgent = Undici.ProxyAgent
export const ProxyAgent = function ProxyAgent(...args: ConstructorParameters<typeof Undici.ProxyAgent>) {
  return new (undici().ProxyAgent)(...args)
} as unknown as typeof Undici.ProxyAgent

export const fetch: typeof Undici.fetch = async (...args) => {
  await loadUndici()
  return undici().fetch(...args)
}
