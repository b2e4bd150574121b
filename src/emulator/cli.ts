// `npm run emulator -- --port 8787`: the Data Gateway emulator from the command line. Prints one line with
// its URL; Ctrl-C or SIGTERM stops it cleanly (state written when --state is set).
import { parseFault } from './faults.js'
import { startEmulator, type EmulatorOptions } from './server.js'
import { ALL_SCOPES, type EmulatorClient, type FaultSpec } from './types.js'

const USAGE = `Usage: npm run emulator -- [options]

  --port N            port on 127.0.0.1 (default 0: a free one)
  --seed N            seed of the sample dataset (default 42)
  --data FILE         JSON {"objects":[{"schema":{...},"records":[...]}]} instead of the sample
  --state DIR         keep schemas and records in DIR across restarts
  --tickets N         sample Tickets (default 100000)
  --accounts N        sample Accounts (default 5000)
  --rate-limit N      API requests per minute per token (default 300)
  --rebuild-rate N    records indexed per second during a rebuild (default 50000)
  --token-ttl S       access token lifetime in seconds (default 86399)
  --latency MS        added before every answer (default 0)
  --fault JSON        a fault spec, e.g. '{"method":"PUT","path":"/api/v2/data-gateway/customobjects/schemas/*","kind":"status","status":503,"count":2}' (repeatable)
  --client ID:SECRET[:SCOPE,SCOPE]   an OAuth client (repeatable; default emulator-client:emulator-secret, all scopes)
  --verbose           log each request to stderr
  --help              this text

Control routes live under /__emulator/ (see src/emulator/README.md).`

class UsageError extends Error {}

function number(flag: string, v: string | undefined, min = 0): number {
  const n = Number(v)
  if (v === undefined || v.trim() === '' || !Number.isFinite(n) || n < min) {
    throw new UsageError(
      `${flag} expects a number >= ${min}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`
    )
  }
  return n
}

function client(v: string | undefined): EmulatorClient {
  const m = v === undefined ? null : /^([^:]+):([^:]+)(?::(.*))?$/.exec(v)
  if (!m)
    throw new UsageError(
      `--client expects id:secret[:scope,scope], got ${v === undefined ? 'nothing' : JSON.stringify(v.split(':')[0])}`
    )
  const scopes = m[3] !== undefined ? m[3].split(',').filter(s => s !== '') : ALL_SCOPES
  return { id: m[1]!, secret: m[2]!, scopes }
}

function fault(v: string | undefined): FaultSpec {
  let parsed: unknown
  try {
    parsed = JSON.parse(v ?? '')
  } catch {
    throw new UsageError(`--fault expects a JSON fault spec, got ${JSON.stringify(v ?? '')}`)
  }
  const spec = parseFault(parsed)
  if (typeof spec === 'string') throw new UsageError(`--fault: ${spec}`)
  return spec
}

/** The options `argv` asks for, or 'help'. Throws UsageError on a bad flag. */
export function parseArgs(argv: string[]): EmulatorOptions | 'help' {
  const opts: EmulatorOptions = {}
  const clients: EmulatorClient[] = []
  const faults: FaultSpec[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const eq = arg.indexOf('=')
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg
    const value = (): string | undefined => (arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : argv[++i])
    switch (flag) {
      case '--help':
      case '-h':
        return 'help'
      case '--port':
        opts.port = number(flag, value())
        break
      case '--seed':
        opts.seed = number(flag, value())
        break
      case '--data':
        opts.dataFile = value()
        break
      case '--state':
        opts.stateDir = value()
        break
      case '--tickets':
        opts.ticketCount = number(flag, value())
        break
      case '--accounts':
        opts.accountCount = number(flag, value())
        break
      case '--rate-limit':
        opts.rateLimitPerMinute = number(flag, value(), 1)
        break
      case '--rebuild-rate':
        opts.rebuildRecordsPerSecond = number(flag, value(), 1)
        break
      case '--token-ttl':
        opts.tokenTtlSeconds = number(flag, value())
        break
      case '--latency':
        opts.latencyMs = number(flag, value())
        break
      case '--fault':
        faults.push(fault(value()))
        break
      case '--client':
        clients.push(client(value()))
        break
      case '--verbose':
        opts.log = line => process.stderr.write(`${line}\n`)
        break
      default:
        throw new UsageError(`unknown option ${arg}`)
    }
  }
  if (opts.dataFile === '' || (opts.dataFile === undefined && argv.includes('--data')))
    throw new UsageError('--data expects a file')
  if (clients.length > 0) opts.clients = clients
  if (faults.length > 0) opts.faults = faults
  return opts
}

async function main(): Promise<number> {
  let opts: EmulatorOptions | 'help'
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    process.stderr.write(`emulator: ${e.message}\n\n${USAGE}\n`)
    return 2
  }
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const emulator = await startEmulator(opts)
  process.stdout.write(`Data Gateway emulator listening on ${emulator.url}\n`)
  await new Promise<void>(resolve => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  await emulator.close()
  return 0
}

main().then(
  code => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`emulator: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  }
)
