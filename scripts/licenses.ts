// Writes dist/licenses.txt: every third-party package bundled into dist/ (index.js and the chunks it loads on
// demand), each with its version, declared licence and the full text of its licence file(s), passed on
// verbatim. Run by `npm run bundle` after ncc, from the module list ncc writes with `--stats-out`:
//   tsx scripts/licenses.ts <stats.json> <out-file>
// It also writes `<stats.json>.dist-sha256`, the hashes of the bundle files that stats file describes.
// The output is sorted and holds no path or date, so a fresh build reproduces it byte for byte.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** One bundled package and what must be passed on with it. */
export interface BundledPackage {
  name: string
  version: string
  /** The SPDX expression of its package.json (`license`, or the old `licenses` list). */
  license: string
  /** Its licence and notice files, by file name, in name order. */
  files: { name: string; text: string }[]
}

interface StatsModule {
  identifier?: unknown
  nameForCondition?: unknown
  modules?: unknown
}

/**
 * The source file of every module in a webpack stats document (ncc `--stats-out`), the modules of every chunk,
 * lazy ones included, and the modules inside concatenated modules. Forward slashes.
 */
export function moduleResources(stats: unknown): string[] {
  const out = new Set<string>()
  const walk = (modules: unknown): void => {
    if (!Array.isArray(modules)) return
    for (const m of modules as StatsModule[]) {
      walk(m.modules)
      let resource = typeof m.nameForCondition === 'string' ? m.nameForCondition : undefined
      if (resource === undefined && typeof m.identifier === 'string') {
        // `loader!loader!/abs/path/file.js|hash`: the resource is after the last '!'.
        const last = m.identifier.split('!').at(-1)!.split('|')[0]!
        if (path.isAbsolute(last) || /^[A-Za-z]:[\\/]/.test(last)) resource = last
      }
      if (resource !== undefined) out.add(resource.replace(/\\/g, '/'))
    }
  }
  const root = (typeof stats === 'object' && stats !== null ? stats : {}) as {
    modules?: unknown
    chunks?: unknown
    children?: unknown
  }
  walk(root.modules)
  if (Array.isArray(root.chunks)) for (const c of root.chunks as { modules?: unknown }[]) walk(c.modules)
  if (Array.isArray(root.children))
    for (const child of root.children) for (const r of moduleResources(child)) out.add(r)
  return [...out].sort()
}

/**
 * The folder of the package a module file belongs to: the path up to the package's name under the last
 * `node_modules/` (two segments for a scoped package). Undefined for a file outside node_modules.
 */
export function packageDirOf(resource: string): string | undefined {
  const file = resource.replace(/\\/g, '/')
  const at = file.lastIndexOf('/node_modules/')
  if (at < 0) return undefined
  const base = at + '/node_modules/'.length
  const segments = file.slice(base).split('/')
  const scoped = segments[0]?.startsWith('@') === true
  const name = scoped ? segments.slice(0, 2) : segments.slice(0, 1)
  if (name.length < (scoped ? 2 : 1) || name.some(s => s === '')) return undefined
  return file.slice(0, base) + name.join('/')
}

const LICENCE_FILE = /^(licen[cs]e|copying)([.-].*)?$/i
const NOTICE_FILE = /^notice([.-].*)?$/i

function declaredLicense(pkg: Record<string, unknown>): string {
  const one = (l: unknown): string | undefined =>
    typeof l === 'string'
      ? l
      : typeof l === 'object' && l !== null && typeof (l as { type?: unknown }).type === 'string'
        ? (l as { type: string }).type
        : undefined
  const direct = one(pkg.license)
  if (direct !== undefined) return direct
  if (Array.isArray(pkg.licenses)) {
    const all = pkg.licenses.map(one).filter((l): l is string => l !== undefined)
    if (all.length > 0) return all.length === 1 ? all[0]! : `(${all.join(' OR ')})`
  }
  return 'not declared in package.json'
}

/** A licence text as passed on: the file's own text, with line endings made LF and no trailing blank lines. */
function normalise(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .trimEnd()
}

/** Reads a package folder: name, version, declared licence, licence and notice files. Throws when it has no licence file. */
export function readPackage(dir: string): BundledPackage {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>
  const name = typeof pkg.name === 'string' ? pkg.name : path.basename(dir)
  const version = typeof pkg.version === 'string' ? pkg.version : '0.0.0'
  const entries = readdirSync(dir, { withFileTypes: true })
    .filter(e => e.isFile() && (LICENCE_FILE.test(e.name) || NOTICE_FILE.test(e.name)))
    .map(e => e.name)
    .sort(byCodePoint)
  if (!entries.some(n => LICENCE_FILE.test(n))) {
    throw new Error(
      `${name}@${version} is bundled into dist/ but ships no LICENSE, LICENCE or COPYING file, so its licence ` +
        `text cannot be passed on. Find its text (its repository) before bundling it, or drop the dependency.`
    )
  }
  return {
    name,
    version,
    license: declaredLicense(pkg),
    files: entries.map(n => ({ name: n, text: normalise(readFileSync(path.join(dir, n), 'utf8')) }))
  }
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Versions compared part by part, numerically where both parts are numbers. */
function byVersion(a: string, b: string): number {
  const pa = a.split(/[.+-]/)
  const pb = b.split(/[.+-]/)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? ''
    const y = pb[i] ?? ''
    if (x === y) continue
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y)
    return byCodePoint(x, y)
  }
  return 0
}

/** The bundled packages of a stats document: one per name and version, sorted by name, then version. */
export function bundledPackages(stats: unknown): BundledPackage[] {
  const dirs = new Set<string>()
  for (const resource of moduleResources(stats)) {
    const dir = packageDirOf(resource)
    if (dir !== undefined) dirs.add(dir)
  }
  const byId = new Map<string, BundledPackage>()
  for (const dir of [...dirs].sort(byCodePoint)) {
    const p = readPackage(dir)
    const id = `${p.name}@${p.version}`
    if (!byId.has(id)) byId.set(id, p)
  }
  return [...byId.values()].sort((a, b) => byCodePoint(a.name, b.name) || byVersion(a.version, b.version))
}

const RULE = '='.repeat(80)
const THIN = '-'.repeat(80)

/** The text of dist/licenses.txt. */
export function renderLicenses(packages: readonly BundledPackage[]): string {
  const lines = [
    'Third-party software bundled in dist/ (dist/index.js and the chunks it loads on demand).',
    'custom-object-index-action itself is under the MIT licence: see LICENSE at the root of its repository.',
    "Generated at build time by scripts/licenses.ts from the bundler's module list; do not edit by hand.",
    '',
    `${packages.length} packages:`,
    ...packages.map(p => `  ${p.name} ${p.version} (${p.license})`)
  ]
  for (const p of packages) {
    lines.push('', RULE, `${p.name} ${p.version}`, `License: ${p.license}`)
    for (const f of p.files) lines.push(THIN, `${f.name}:`, '', f.text)
  }
  return `${lines.join('\n')}\n`
}

/**
 * The SHA-256 of each bundle file (`*.js`) in a dist folder, one `hash  name` line each, by name. Written beside
 * the stats file by the build, so a test can tell that a stats file describes the dist/ it sees.
 */
export function bundleFingerprint(distDir: string): string {
  return readdirSync(distDir)
    .filter(f => f.endsWith('.js'))
    .sort(byCodePoint)
    .map(
      f =>
        `${createHash('sha256')
          .update(readFileSync(path.join(distDir, f)))
          .digest('hex')}  ${f}\n`
    )
    .join('')
}

/** Where the build leaves the fingerprint of the dist/ a stats file was written with. */
export const fingerprintFile = (statsFile: string): string => `${statsFile}.dist-sha256`

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [statsFile, outFile] = process.argv.slice(2)
  if (statsFile === undefined || outFile === undefined) {
    process.stderr.write('Usage: tsx scripts/licenses.ts <ncc stats.json> <out-file>\n')
    process.exit(2)
  }
  const packages = bundledPackages(JSON.parse(readFileSync(statsFile, 'utf8')) as unknown)
  writeFileSync(outFile, renderLicenses(packages))
  writeFileSync(fingerprintFile(statsFile), bundleFingerprint(path.dirname(outFile)))
  process.stdout.write(`${outFile}: ${packages.length} bundled packages with their licence texts\n`)
}
