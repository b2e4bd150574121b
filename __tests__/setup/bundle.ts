// The e2e project's global set-up: rebuilds dist/ unless it was built from the sources as they are now, so
// end-to-end tests (which run dist/index.js as GitHub does) never run a stale bundle. "Built from" is a
// content hash, not a file time: a stamp in node_modules/.cache records the hash of the sources and of the
// bundle each build produced, so a checkout or a touch that changes no byte rebuilds nothing, and a bundle
// built by anything else (or edited) is rebuilt once. Run directly (`npx tsx __tests__/setup/bundle.ts`), it
// builds and stamps: `.ci/run` builds that way, so its test step finds the bundle fresh.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const BUNDLE = path.join(ROOT, 'dist', 'index.js')
const STAMP = path.join(ROOT, 'node_modules', '.cache', 'custom-object-index', 'bundle-stamp.json')
/** What the bundle is built from, besides src/. */
const INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json', 'scripts/licenses.ts']

interface Stamp {
  sources: string
  bundle: string
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? files(full) : [full]
  })
}

/** One hash of every input's path and content. */
export function sourcesHash(): string {
  const hash = createHash('sha256')
  const all = [...files(path.join(ROOT, 'src')), ...INPUTS.map(f => path.join(ROOT, f))]
  for (const file of all.filter(existsSync).sort()) {
    hash.update(path.relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0')
  }
  return hash.digest('hex')
}

function bundleHash(): string | undefined {
  return existsSync(BUNDLE) ? createHash('sha256').update(readFileSync(BUNDLE)).digest('hex') : undefined
}

function readStamp(): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8')) as Stamp
  } catch {
    return undefined
  }
}

/** Whether dist/index.js is the bundle a build of today's sources produced. */
export function bundleIsFresh(): boolean {
  const stamp = readStamp()
  return stamp !== undefined && stamp.bundle === bundleHash() && stamp.sources === sourcesHash()
}

/** `npm run bundle`, then the stamp that says what it was built from. */
export function buildBundle(): void {
  const sources = sourcesHash()
  execFileSync('npm', ['run', '-s', 'bundle'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
  const bundle = bundleHash()
  if (bundle === undefined) throw new Error('npm run bundle wrote no dist/index.js')
  mkdirSync(path.dirname(STAMP), { recursive: true })
  writeFileSync(STAMP, `${JSON.stringify({ sources, bundle } satisfies Stamp)}\n`)
}

export default function setup(): void {
  if (bundleIsFresh()) return
  process.stdout.write('dist/ was not built from the sources as they are: rebuilding it (npm run bundle)\n')
  buildBundle()
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildBundle()
}
