// Region name or domain → the API and login hosts (docs/rules.md#hosts-and-regions), with the
// `api-url`/`login-url` overrides.

/** Region names and their domains (docs/rules.md#hosts-and-regions). */
export const REGION_DOMAINS: Readonly<Record<string, string>> = {
  'us-east-1': 'mypurecloud.com',
  'us-east-2': 'use2.us-gov-pure.cloud',
  'us-west-2': 'usw2.pure.cloud',
  'ca-central-1': 'cac1.pure.cloud',
  'sa-east-1': 'sae1.pure.cloud',
  'eu-west-1': 'mypurecloud.ie',
  'eu-west-2': 'euw2.pure.cloud',
  'eu-central-1': 'mypurecloud.de',
  'eu-central-2': 'euc2.pure.cloud',
  'me-central-1': 'mec1.pure.cloud',
  'ap-south-1': 'aps1.pure.cloud',
  'ap-southeast-1': 'apse1.pure.cloud',
  'ap-southeast-2': 'mypurecloud.com.au',
  'ap-northeast-1': 'mypurecloud.jp',
  'ap-northeast-2': 'apne2.pure.cloud',
  'ap-northeast-3': 'apne3.pure.cloud',
  'mx-central-1': 'mxc1.pure.cloud'
}

export interface PlatformHosts {
  /** e.g. https://api.mypurecloud.com (no trailing slash) */
  apiBase: string
  /** e.g. https://login.mypurecloud.com (no trailing slash) */
  loginBase: string
}

export interface HostOptions {
  /** A domain (`mypurecloud.com`) or a region name (`us-east-1` or `us_east_1`). */
  region: string
  apiUrl?: string
  loginUrl?: string
}

const KNOWN_DOMAINS = new Set(Object.values(REGION_DOMAINS))

/** Levenshtein distance between two short strings. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    row = next
  }
  return row[b.length]!
}

/** The known region name or domain closest to `value` (the first in table order on a tie). */
export function closestRegion(value: string): string {
  const v = value.trim().toLowerCase().replace(/_/g, '-')
  let best = ''
  let bestDistance = Infinity
  for (const [name, domain] of Object.entries(REGION_DOMAINS)) {
    for (const candidate of [name, domain]) {
      const d = editDistance(v, candidate)
      if (d < bestDistance) {
        best = candidate
        bestDistance = d
      }
    }
  }
  return best
}

/** A value as it may be quoted in a message: printable characters only, capped. */
function quoted(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?')
  return printable.length > 64 ? `${printable.slice(0, 64)}…` : printable
}

/**
 * The domain a region input names: one of the 17 region names (`us-east-1` or `us_east_1`) or their domains
 * (docs/rules.md#hosts-and-regions), nothing else (docs/rules.md#regions-are-a-closed-list). Throws an Error
 * naming the closest known region or domain otherwise.
 */
export function regionDomain(region: string): string {
  const value = region.trim().toLowerCase()
  if (KNOWN_DOMAINS.has(value)) return value
  const name = value.replace(/_/g, '-')
  if (Object.hasOwn(REGION_DOMAINS, name)) return REGION_DOMAINS[name]!
  throw new Error(
    `unknown region '${quoted(region.trim())}'. Did you mean '${closestRegion(region)}'? ` +
      'Use a region name or its domain: ' +
      `${Object.entries(REGION_DOMAINS)
        .map(([name, domain]) => `${name} (${domain})`)
        .join(', ')}. Your org's domain is the one in the address of its Genesys Cloud ` +
      'app (https://apps.{domain}). Another host (a proxy, a test server) is reached only through the ' +
      'api-url and login-url inputs.'
  )
}

function trimSlash(url: string): string {
  return url.trim().replace(/\/+$/, '')
}

/**
 * The API and login base URLs for a region, each overridden by its URL input when given. The region is
 * validated even when both URLs are given (then it is unused).
 */
export function resolveHosts(opts: HostOptions): PlatformHosts {
  const apiOverride = opts.apiUrl?.trim() ? trimSlash(opts.apiUrl) : undefined
  const loginOverride = opts.loginUrl?.trim() ? trimSlash(opts.loginUrl) : undefined
  const domain = regionDomain(opts.region)
  return {
    apiBase: apiOverride ?? `https://api.${domain}`,
    loginBase: loginOverride ?? `https://login.${domain}`
  }
}
