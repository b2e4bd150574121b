// Secrets never leave (docs/rules.md#secrets-never-leave): one Redactor per run holds every secret (client
// secret, the Basic credential, bearer tokens, the GitHub token, the warehouse secret) and replaces each, and
// the forms a server could echo it in, in any text that came from outside before it is logged, stored or
// reported.

/** What a secret is replaced with. */
export const REDACTED = '***'

/** Shorter values are not treated as secrets: replacing them would garble ordinary text. */
export const MIN_SECRET_LENGTH = 4

/** Both members are plain functions: `redactor.redact` can be handed on as is. */
export interface Redactor {
  /** Registers a secret (ignored when empty or shorter than MIN_SECRET_LENGTH). */
  add: (secret: string | undefined) => void
  /** `text` with every registered secret, and each of its encodings, replaced by `***`. */
  redact: (text: string) => string
}

/** The forms a server may echo a secret in: as is, URL-encoded, form-encoded, escaped in a JSON string. */
function encodings(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1)
  ]
}

export function createRedactor(initial: readonly (string | undefined)[] = []): Redactor {
  const secrets = new Set<string>()
  /** Every form of every secret, longest first, so a secret that holds another is replaced whole. */
  let patterns: string[] = []
  const add = (secret: string | undefined): void => {
    if (secret === undefined || secret.length < MIN_SECRET_LENGTH || secrets.has(secret)) return
    secrets.add(secret)
    const all = new Set([...patterns, ...encodings(secret).filter(e => e.length >= MIN_SECRET_LENGTH)])
    patterns = [...all].sort((a, b) => b.length - a.length)
  }
  for (const s of initial) add(s)
  return {
    add,
    redact: (text: string): string => {
      let out = text
      for (const p of patterns) if (out.includes(p)) out = out.split(p).join(REDACTED)
      return out
    }
  }
}

/**
 * A URL as it may be printed: without its user-info part (`user:password@`). A text that does not parse as a
 * URL loses everything up to its last `@` (its scheme kept), so a password never shows either way.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.username === '' && parsed.password === '') return url
    parsed.username = ''
    parsed.password = ''
    return parsed.href
  } catch {
    const at = url.lastIndexOf('@')
    if (at < 0) return url
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? ''
    return `${scheme}${REDACTED}@${url.slice(at + 1)}`
  }
}
