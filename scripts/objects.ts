// `npm run objects`: lists the custom objects of a Genesys Cloud org (id, name, schema version) through
// `GET /api/v2/data-gateway/customobjects/schemas` with client credentials, so users can find the ids their
// index files name. It speaks to the platform through the action's own client (src/platform).
import { fileURLToPath } from 'node:url'
import { errorMessage } from '../src/errors.js'
import { createAuthorizedClient, createTokenSource } from '../src/platform/auth.js'
import { createGatewayClient, type SchemaSummary } from '../src/platform/gateway.js'
import { createHttpClient } from '../src/platform/http.js'
import { resolveHosts, type PlatformHosts } from '../src/platform/regions.js'

/** The environment variables read (the names the Genesys Cloud CLI and Terraform provider use). */
export const SECRET_VARIABLE = 'GENESYSCLOUD_OAUTHCLIENT_SECRET'
export const CLIENT_ID_VARIABLE = 'GENESYSCLOUD_OAUTHCLIENT_ID'
export const REGION_VARIABLE = 'GENESYSCLOUD_REGION'

/** The emulator's default OAuth client (docs/rules.md#emulator-defaults). */
const EMULATOR_CLIENT = { id: 'emulator-client', secret: 'emulator-secret' }

export const USAGE = `Usage: npm run objects -- [options]

Lists the custom objects of a Genesys Cloud org: id, name and schema version.

  --region R        region name (eu-west-1) or domain (mypurecloud.ie); default $${REGION_VARIABLE}, else mypurecloud.com
  --client-id ID    OAuth client id (client credentials grant, scope customobjects:customobject:read);
                    default $${CLIENT_ID_VARIABLE}
  --api-url URL     override of the region's API base URL
  --login-url URL   override of the region's login base URL
  --emulator URL    the project's emulator (npm run emulator) at URL: API and login there, and its default
                    client ${EMULATOR_CLIENT.id} / ${EMULATOR_CLIENT.secret} unless --client-id and $${SECRET_VARIABLE} say otherwise
  --json            print a JSON array of {id, name, schemaVersion} instead of a table
  --help            this text

The client secret is read from the environment variable ${SECRET_VARIABLE}, never from a flag.
Example: ${SECRET_VARIABLE}=... npm run objects -- --region eu-west-1 --client-id 4f2c...`

export interface ObjectsOptions {
  hosts: PlatformHosts
  clientId: string
  clientSecret: string
  json: boolean
}

export interface Io {
  out(text: string): void
  err(text: string): void
}

class UsageError extends Error {}

/** The options `argv` and `env` ask for, or 'help'. Throws UsageError on a bad or missing option. */
export function parseObjectsArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>
): ObjectsOptions | 'help' {
  let region = env[REGION_VARIABLE]?.trim() || 'mypurecloud.com'
  let clientId = env[CLIENT_ID_VARIABLE]?.trim() ?? ''
  let apiUrl: string | undefined
  let loginUrl: string | undefined
  let emulator: string | undefined
  let json = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const eq = arg.indexOf('=')
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg
    const value = (): string => {
      const v = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : argv[++i]
      if (v === undefined || v.trim() === '' || (eq < 0 && v.startsWith('--')))
        throw new UsageError(`${flag} expects a value`)
      return v.trim()
    }
    switch (flag) {
      case '--help':
      case '-h':
        return 'help'
      case '--region':
        region = value()
        break
      case '--client-id':
        clientId = value()
        break
      case '--api-url':
        apiUrl = value()
        break
      case '--login-url':
        loginUrl = value()
        break
      case '--emulator':
        emulator = value()
        break
      case '--json':
        json = true
        break
      case '--client-secret':
      case '--secret':
        throw new UsageError(
          `the client secret is never a flag (it would stay in the shell history and the process list): set ${SECRET_VARIABLE}`
        )
      default:
        throw new UsageError(`unknown option ${flag}`)
    }
  }
  let clientSecret = env[SECRET_VARIABLE] ?? ''
  if (emulator !== undefined) {
    apiUrl ??= emulator
    loginUrl ??= emulator
    if (clientId === '') {
      clientId = EMULATOR_CLIENT.id
      if (clientSecret === '') clientSecret = EMULATOR_CLIENT.secret
    }
  }
  for (const [name, url] of [
    ['--api-url', apiUrl],
    ['--login-url', loginUrl]
  ] as const) {
    if (url !== undefined && !/^https?:\/\/[^/@\s]+(\/\S*)?$/.test(url)) {
      throw new UsageError(
        `${name} expects an http(s) URL without credentials, got ${JSON.stringify(url.slice(0, 100))}`
      )
    }
  }
  let hosts: PlatformHosts
  try {
    hosts = resolveHosts({ region, apiUrl, loginUrl })
  } catch (error) {
    throw new UsageError(`--region: ${errorMessage(error)}`)
  }
  if (clientId === '') throw new UsageError(`give --client-id (or set ${CLIENT_ID_VARIABLE})`)
  if (clientSecret === '') throw new UsageError(`set the client secret in ${SECRET_VARIABLE}`)
  return { hosts, clientId, clientSecret, json }
}

/** Text from the server made safe for a terminal: no control characters, at most `max` characters. */
function printable(text: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '\uFFFD')
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean
}

/** The objects as an aligned table, by name then id. */
export function objectsTable(objects: readonly SchemaSummary[]): string {
  const rows = [...objects]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(o => [printable(o.id), printable(o.name), String(o.schemaVersion)])
  const all = [['ID', 'NAME', 'SCHEMA VERSION'], ...rows]
  const width = [0, 1].map(c => Math.max(...all.map(r => r[c]!.length)))
  return `${all.map(r => `${r[0]!.padEnd(width[0]!)}  ${r[1]!.padEnd(width[1]!)}  ${r[2]!}`.trimEnd()).join('\n')}\n`
}

/** Runs the command: lists the objects on `io.out`, problems on `io.err`. Returns the exit code. */
export async function listObjects(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: Io
): Promise<number> {
  let opts: ObjectsOptions | 'help'
  try {
    opts = parseObjectsArgs(argv, env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.err(`objects: ${error.message}\n(npm run objects -- --help for the options)\n`)
    return 2
  }
  if (opts === 'help') {
    io.out(`${USAGE}\n`)
    return 0
  }
  const { hosts } = opts
  const secrets = [opts.clientSecret, Buffer.from(`${opts.clientId}:${opts.clientSecret}`).toString('base64')]
  const redact = (text: string): string =>
    secrets.reduce((t, s) => (s === '' ? t : t.replaceAll(s, '***')), text)
  try {
    const http = createHttpClient({ deadlineMs: 60_000, userAgent: 'custom-object-index-action (objects)' })
    const tokens = createTokenSource({
      http,
      loginBase: hosts.loginBase,
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      onSecret: s => secrets.push(s)
    })
    const gateway = createGatewayClient({ api: createAuthorizedClient(http, tokens), apiBase: hosts.apiBase })
    const objects = await gateway.listSchemas()
    if (opts.json) {
      const list = objects.map(o => ({ id: o.id, name: o.name, schemaVersion: o.schemaVersion }))
      io.out(`${JSON.stringify(list, null, 2)}\n`)
    } else if (objects.length === 0) {
      io.out(`No custom objects in this org (${printable(new URL(hosts.apiBase).host)}).\n`)
    } else {
      io.out(objectsTable(objects))
    }
    return 0
  } catch (error) {
    io.err(`objects: ${printable(redact(errorMessage(error)), 2000)}\n`)
    return 1
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const io: Io = { out: t => process.stdout.write(t), err: t => process.stderr.write(t) }
  listObjects(process.argv.slice(2), process.env, io).then(
    code => {
      process.exitCode = code
    },
    (error: unknown) => {
      process.stderr.write(`objects: ${errorMessage(error)}\n`)
      process.exitCode = 1
    }
  )
}
