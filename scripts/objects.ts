// `npm run objects`: lists the custom objects of a Genesys Cloud org (id, name, schema version) through
// `GET /api/v2/data-gateway/customobjects/schemas` with client credentials, so users can find the ids their
// index files name; then, for each object (or the one `--object` names), its fields and live indexes
// (`GET .../schemas/{id}`) and an index file to start from. It speaks to the platform through the action's
// own client (src/platform) and writes nothing.
import { fileURLToPath } from 'node:url'
import { errorMessage } from '../src/errors.js'
import { DEFAULT_LIMITS, type LiveField, type Limits, type SchemaDocument } from '../src/model.js'
import { indexabilityProblem, selectivityRank } from '../src/plan/fields.js'
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

/** With more objects than this, fields and skeletons are shown only for the one `--object` names. */
export const DETAIL_LIMIT = 10

export const USAGE = `Usage: npm run objects -- [options]

Lists the custom objects of a Genesys Cloud org: id, name and schema version; then each object's fields (name,
type, maxLength, referenceTo, cardinality hint, whether it can be indexed), its live indexes, and an index file
to start from (up to ${DETAIL_LIMIT} objects; with more, name one with --object).

  --region R        region name (eu-west-1) or domain (mypurecloud.ie); default $${REGION_VARIABLE}, else mypurecloud.com
  --client-id ID    OAuth client id (client credentials grant, scope customobjects:customobject:read);
                    default $${CLIENT_ID_VARIABLE}
  --api-url URL     override of the region's API base URL
  --login-url URL   override of the region's login base URL
  --emulator URL    the project's emulator (npm run emulator) at URL: API and login there, and its default
                    client ${EMULATOR_CLIENT.id} / ${EMULATOR_CLIENT.secret} unless --client-id and $${SECRET_VARIABLE} say otherwise
  --object ID|NAME  only this object (its id, or its name in any case)
  --json            print a JSON array of {id, name, schemaVersion, fields?, indexes?, skeleton?} instead
  --help            this text

The client secret is read from the environment variable ${SECRET_VARIABLE}, never from a flag.
Example: ${SECRET_VARIABLE}=... npm run objects -- --region eu-west-1 --client-id 4f2c...`

export interface ObjectsOptions {
  hosts: PlatformHosts
  clientId: string
  clientSecret: string
  json: boolean
  /** An object id or name: only that object is shown, with its details. */
  object?: string
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
  let object: string | undefined
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
      case '--object':
        object = value()
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
  return { hosts, clientId, clientSecret, json, ...(object !== undefined ? { object } : {}) }
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

/** A field's cardinality as the finding rules read it: its hint, or `low (boolean)`, or `-` (medium assumed). */
function cardinality(field: LiveField): string {
  if (field.cardinalityHint !== undefined) return field.cardinalityHint
  return field.type === 'boolean' ? 'low (boolean)' : '-'
}

/** Why a field cannot lead an index, in a few words, or 'yes'. */
function indexable(field: LiveField, limits: Limits): string {
  const problem = indexabilityProblem(field, field.name, limits)
  if (problem === undefined) return 'yes'
  return (
    {
      'not-indexable-type': `no (${printable(String(field.type), 20)})`,
      'free-text-field': `no (maxLength over ${limits.maxIndexableStringLength})`,
      'reference-without-target': 'no (no referenceTo)'
    }[problem.rule as string] ?? 'no'
  )
}

/** An object's fields as an aligned table: what an index file's `fields` may name, and the live indexes on each. */
export function fieldsTable(doc: SchemaDocument, limits: Limits = DEFAULT_LIMITS): string {
  const rows = doc.fields.map(f => [
    printable(f.name, 60),
    printable(String(f.type), 20),
    f.maxLength !== undefined ? String(f.maxLength) : '',
    f.referenceTo !== undefined ? printable(f.referenceTo, 60) : '',
    cardinality(f),
    indexable(f, limits),
    doc.indexes
      .filter(i => i.fields.some(p => p === f.name || p.startsWith(`${f.name}.`)))
      .map(i => printable(i.name, 64))
      .join(', ')
  ])
  const all = [
    ['FIELD', 'TYPE', 'MAX LENGTH', 'REFERENCE TO', 'CARDINALITY', 'INDEXABLE', 'LIVE INDEXES'],
    ...rows
  ]
  const width = all[0]!.map((_, c) => Math.max(...all.map(r => r[c]!.length)))
  return `${all
    .map(r =>
      r
        .map((cell, c) => cell.padEnd(width[c]!))
        .join('  ')
        .trimEnd()
    )
    .join('\n')}\n`
}

export type Suggestion = { field: LiveField } | { none: string }

/**
 * The field a first index could sensibly lead with: one that can be indexed and leads no live index, the most
 * selective first (cardinality high, then medium or unknown, then low), in field order among equals. None
 * when the object is at its index limit or no field qualifies.
 */
export function suggestIndex(doc: SchemaDocument, limits: Limits = DEFAULT_LIMITS): Suggestion {
  if (doc.indexes.length >= limits.maxIndexesPerObject) {
    return {
      none: `the object has ${doc.indexes.length} of its ${limits.maxIndexesPerObject} indexes: a new one needs another dropped first (list the ones to keep and set prune: true)`
    }
  }
  const leading = new Set(doc.indexes.map(i => i.fields[0]))
  const candidates = doc.fields
    .filter(f => indexabilityProblem(f, f.name, limits) === undefined && !leading.has(f.name))
    .filter(f => /^[A-Za-z][A-Za-z0-9_]*$/.test(f.name))
  if (candidates.length === 0) return { none: 'no indexable field is free of a live index' }
  const best = candidates.reduce((a, b) => (selectivityRank(b) > selectivityRank(a) ? b : a))
  return { field: best }
}

/** A YAML scalar for the skeleton: plain when YAML reads it back as the same string, else JSON-quoted. */
function yamlString(text: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(text) &&
    !/^(true|false|null|yes|no|on|off|~|[\d.eE+-]+)$/i.test(text)
    ? text
    : JSON.stringify(text)
}

/** A sample probe value for a field of this type, for the commented `probes` hint. */
function sampleValue(field: LiveField): string {
  switch (field.type) {
    case 'number':
      return '100'
    case 'boolean':
      return 'true'
    case 'date':
      return "'2026-01-31T00:00:00Z'"
    default:
      return 'REPLACE-ME'
  }
}

/**
 * A ready-to-edit index file for `doc`: its `customObjectId`, one suggested index (see suggestIndex) and the
 * other keys as commented hints. It parses as an index file and, merged into `doc`, has no error finding.
 */
export function indexFileSkeleton(doc: SchemaDocument, limits: Limits = DEFAULT_LIMITS): string {
  const suggestion = suggestIndex(doc, limits)
  const name = printable(doc.name, 80).replace(/[\r\n]/g, ' ')
  const live = doc.indexes.map(
    i => `${printable(i.name, 64)} [${i.fields.map(f => printable(f, 64)).join(', ')}]`
  )
  const lines = [
    `# Index file for the custom object ${name} (schema version ${doc.schemaVersion} when written).`,
    '# Editors complete and check it with the JSON Schema: see "The index file" in the README.',
    `customObjectId: ${yamlString(doc.id)}`
  ]
  if ('none' in suggestion) {
    lines.push(`# No index suggested: ${suggestion.none}.`, 'indexes: []')
  } else {
    const f = suggestion.field
    const index = `idx_${f.name}`.slice(0, 64)
    const hint = f.cardinalityHint !== undefined ? `, cardinality ${f.cardinalityHint}` : ''
    lines.push(
      'indexes:',
      `  # Suggested: ${f.name} (${printable(String(f.type), 20)}${hint}) can be indexed and leads no live index. Change it to the`,
      '  # fields your queries filter on, most selective first (see npm run objects for the fields).',
      `  - name: ${index}`,
      `    fields: [${f.name}]`,
      '    # order: [asc]        # asc or desc, one per field',
      '    # unique: false       # true: the platform refuses duplicate values (the rebuild fails on existing ones)'
    )
    lines.push(
      '# probes:                # real values for the queries that prove an index is used after a deploy',
      `#   - index: ${index}`,
      `#     values: { ${f.name}: ${sampleValue(f)} }`
    )
  }
  lines.push(
    live.length > 0
      ? `# Live indexes not listed above are kept and reported as unmanaged: ${live.join('; ')}.`
      : '# The object has no live index yet.',
    '# List a live index under its name to manage it; prune: true drops the live indexes not listed, on deploy.',
    '# prune: false',
    '# fieldOptimizations:    # hints merged into the live field definitions',
    '#   someField: { cardinalityHint: low }   # low, medium or high'
  )
  return `${lines.join('\n')}\n`
}

/** A file name for an object: its name in lower case, runs of other characters as one dash. */
function fileName(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'object'
  )
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
    const all = await gateway.listSchemas()
    const wanted = opts.object?.toLowerCase()
    const objects =
      wanted === undefined
        ? all
        : all.filter(o => o.id.toLowerCase() === wanted || o.name.toLowerCase() === wanted)
    if (wanted !== undefined && objects.length === 0) {
      io.err(`objects: no object has the id or name ${JSON.stringify(printable(opts.object ?? '', 100))}.\n`)
      return 1
    }
    const detailed = objects.length > 0 && (wanted !== undefined || objects.length <= DETAIL_LIMIT)
    const limits = detailed ? await gateway.getLimits() : DEFAULT_LIMITS
    const docs = new Map<string, SchemaDocument>()
    if (detailed) for (const o of objects) docs.set(o.id, await gateway.getSchema(o.id))
    if (opts.json) {
      const list = objects.map(o => {
        const doc = docs.get(o.id)
        return {
          id: o.id,
          name: o.name,
          schemaVersion: o.schemaVersion,
          ...(doc
            ? {
                fields: doc.fields.map(f => ({
                  name: f.name,
                  type: f.type,
                  ...(f.maxLength !== undefined ? { maxLength: f.maxLength } : {}),
                  ...(f.referenceTo !== undefined ? { referenceTo: f.referenceTo } : {}),
                  ...(f.cardinalityHint !== undefined ? { cardinalityHint: f.cardinalityHint } : {})
                })),
                indexes: doc.indexes.map(i => ({ name: i.name, fields: i.fields })),
                skeleton: indexFileSkeleton(doc, limits)
              }
            : {})
        }
      })
      io.out(`${JSON.stringify(list, null, 2)}\n`)
    } else if (objects.length === 0) {
      io.out(`No custom objects in this org (${printable(new URL(hosts.apiBase).host)}).\n`)
    } else {
      io.out(objectsTable(objects))
      for (const o of objects) {
        const doc = docs.get(o.id)
        if (doc === undefined) continue
        io.out(`\n== ${printable(doc.name)} (${printable(doc.id)}), schema version ${doc.schemaVersion}\n\n`)
        io.out(fieldsTable(doc, limits))
        io.out(`\nAn index file to start from (save it as indexes/${fileName(doc.name)}.yaml):\n\n`)
        io.out(indexFileSkeleton(doc, limits))
      }
      if (!detailed) {
        io.out(
          `\n${objects.length} objects: name one for its fields and an index file to start from (--object ID or NAME).\n`
        )
      }
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
