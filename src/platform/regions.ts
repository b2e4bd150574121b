// Region name or domain → the API and login hosts (contract A1), with the `api-url`/`login-url` overrides.

/** Region names of contract A1 and their domains. */
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

/** The domain a region input names. Throws an Error listing the accepted names when it names none. */
export function regionDomain(region: string): string {
  const value = region.trim().toLowerCase()
  if (KNOWN_DOMAINS.has(value)) return value
  const byName = REGION_DOMAINS[value.replace(/_/g, '-')]
  if (byName !== undefined) return byName
  if (value.includes('.') && /^[a-z0-9.-]+$/.test(value)) return value
  throw new Error(
    `Unknown region '${region}': use a Genesys Cloud domain (e.g. mypurecloud.com) or one of the region names ` +
      `${Object.keys(REGION_DOMAINS).join(', ')}.`
  )
}

function trimSlash(url: string): string {
  return url.trim().replace(/\/+$/, '')
}

/** The API and login base URLs for a region, each overridden by its URL input when given. */
export function resolveHosts(opts: HostOptions): PlatformHosts {
  const apiOverride = opts.apiUrl?.trim() ? trimSlash(opts.apiUrl) : undefined
  const loginOverride = opts.loginUrl?.trim() ? trimSlash(opts.loginUrl) : undefined
  if (apiOverride !== undefined && loginOverride !== undefined) {
    return { apiBase: apiOverride, loginBase: loginOverride }
  }
  const domain = regionDomain(opts.region)
  return {
    apiBase: apiOverride ?? `https://api.${domain}`,
    loginBase: loginOverride ?? `https://login.${domain}`
  }
}
