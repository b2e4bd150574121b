// dist/licenses.txt covers every package the bundler put into dist/ (the entry and its lazy chunks), each with
// its licence text passed on verbatim, and is exactly what a fresh build writes.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  bundleFingerprint,
  bundledPackages,
  fingerprintFile,
  moduleResources,
  packageDirOf,
  readPackage,
  renderLicenses
} from '../../scripts/licenses.js'
import { ROOT } from '../helpers/action.js'
import { useServers } from '../helpers/servers.js'

const temp = useServers('file')
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coi-licenses-'))
  temp.track(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

function fakePackage(dir: string, pkg: Record<string, unknown>, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg))
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text)
}

describe('mapping a module file to its package', () => {
  it('takes the package folder under the last node_modules, scoped packages with their scope', () => {
    expect(packageDirOf('/r/node_modules/yaml/dist/index.js')).toBe('/r/node_modules/yaml')
    expect(packageDirOf('/r/node_modules/@actions/core/lib/core.js')).toBe('/r/node_modules/@actions/core')
    expect(packageDirOf('/r/node_modules/@actions/glob/node_modules/minimatch/dist/esm/index.js')).toBe(
      '/r/node_modules/@actions/glob/node_modules/minimatch'
    )
    expect(packageDirOf('/r/node_modules/a/node_modules/@s/b/x.js')).toBe(
      '/r/node_modules/a/node_modules/@s/b'
    )
    expect(packageDirOf('C:\\r\\node_modules\\zod\\index.js')).toBe('C:/r/node_modules/zod')
  })

  it('leaves out project files and incomplete paths', () => {
    expect(packageDirOf('/r/src/main.ts')).toBeUndefined()
    expect(packageDirOf('/r/node_modules/@scope')).toBeUndefined()
  })

  it('lists the modules inside concatenated modules and in every chunk', () => {
    const stats = {
      modules: [
        {
          nameForCondition: '/r/src/main.ts',
          modules: [{ nameForCondition: '/r/node_modules/yaml/dist/a.js' }]
        },
        { identifier: 'external node-commonjs "fs"' },
        { identifier: '/r/node_modules/x/loader.js!/r/node_modules/zod/index.js|abc' }
      ],
      chunks: [{ modules: [{ nameForCondition: '/r/node_modules/@octokit/core/dist/index.js' }] }]
    }
    expect(moduleResources(stats)).toEqual([
      '/r/node_modules/@octokit/core/dist/index.js',
      '/r/node_modules/yaml/dist/a.js',
      '/r/node_modules/zod/index.js',
      '/r/src/main.ts'
    ])
  })
})

describe('the licence file', () => {
  it('passes each licence text on verbatim, one entry per name and version, sorted', () => {
    const root = tempDir()
    const nm = path.join(root, 'node_modules')
    const blueOak =
      '# Blue Oak Model License\n\nVersion 1.0.0\n\n## Purpose\n\nThis license gives everyone…\n'
    fakePackage(
      path.join(nm, 'zeta'),
      { name: 'zeta', version: '1.0.0', license: 'MIT' },
      { LICENSE: 'MIT zeta\r\n' }
    )
    fakePackage(
      path.join(nm, '@s', 'glob', 'node_modules', 'minimatch'),
      { name: 'minimatch', version: '10.2.6', license: 'BlueOak-1.0.0' },
      { 'LICENSE.md': blueOak }
    )
    fakePackage(
      path.join(nm, 'minimatch'),
      { name: 'minimatch', version: '9.0.5', license: 'ISC' },
      { LICENCE: 'ISC\r\ntext\r\n\r\n', NOTICE: 'a notice' }
    )
    fakePackage(
      path.join(nm, 'other', 'node_modules', 'zeta'),
      { name: 'zeta', version: '1.0.0', license: 'MIT' },
      { COPYING: 'the same package twice' }
    )
    fakePackage(
      path.join(nm, 'old'),
      { name: 'old', version: '2.0.0', licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }] },
      { 'LICENSE-MIT': 'mit', 'LICENSE-APACHE': 'apache' }
    )
    const resources = [
      `${nm}/zeta/index.js`,
      `${nm}/@s/glob/node_modules/minimatch/dist/esm/index.js`,
      `${nm}/minimatch/index.js`,
      `${nm}/other/node_modules/zeta/index.js`,
      `${nm}/old/lib/a.js`,
      `${root}/src/main.ts`
    ]
    const stats = { modules: resources.map(r => ({ nameForCondition: r })) }
    const packages = bundledPackages(stats)
    expect(packages.map(p => `${p.name}@${p.version}`)).toEqual([
      'minimatch@9.0.5',
      'minimatch@10.2.6',
      'old@2.0.0',
      'zeta@1.0.0'
    ])
    const text = renderLicenses(packages)
    expect(text).toContain(blueOak.trimEnd())
    expect(text).toContain('License: BlueOak-1.0.0')
    expect(text).toContain('License: (MIT OR Apache-2.0)')
    expect(text).toContain('NOTICE:\n\na notice')
    expect(text).toContain('LICENCE:\n\nISC\ntext\n')
    expect(text.match(/^zeta 1\.0\.0$/gm)).toHaveLength(1)
    expect(text).not.toContain('\r')
    expect(text).not.toContain(root)
    // Deterministic: the same text whatever order the bundler listed the modules in.
    expect(renderLicenses(bundledPackages({ modules: [...stats.modules].reverse() }))).toBe(text)
  })

  it('refuses a bundled package that ships no licence file, naming it', () => {
    const dir = path.join(tempDir(), 'node_modules', 'bare')
    fakePackage(dir, { name: 'bare', version: '1.2.3', license: 'MIT' }, { 'README.md': 'hi' })
    expect(() => readPackage(dir)).toThrow(/bare@1\.2\.3 is bundled into dist\/ but ships no LICENSE/)
  })
})

describe('dist/licenses.txt against the bundle', () => {
  let stats: unknown
  let chunks: string[]
  beforeAll(() => {
    // The module list of the build that wrote dist/: the one `npm run bundle` left in node_modules when its
    // fingerprint matches dist/ as it is, else a fresh build into a temp folder with the bundle script's own
    // ncc command.
    const script = (
      JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts.bundle!
    const ncc = script.split('&&')[0]!.trim().split(/\s+/)
    expect(ncc.slice(0, 2)).toEqual(['ncc', 'build'])
    const lastStats = path.join(ROOT, ncc[ncc.indexOf('--stats-out') + 1]!)
    const dist = path.join(ROOT, 'dist')
    let fromLastBuild = false
    try {
      fromLastBuild = readFileSync(fingerprintFile(lastStats), 'utf8') === bundleFingerprint(dist)
    } catch {
      // No build left its module list here (a fresh clone): build.
    }
    if (fromLastBuild) {
      stats = JSON.parse(readFileSync(lastStats, 'utf8')) as unknown
      chunks = readdirSync(dist).filter(f => f.endsWith('.js'))
      return
    }
    const built = tempDir()
    const statsFile = path.join(built, 'stats.json')
    const args = ncc
      .slice(1)
      .map((a, i, all) =>
        all[i - 1] === '-o' ? path.join(built, 'dist') : all[i - 1] === '--stats-out' ? statsFile : a
      )
    expect(args).toContain(statsFile)
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'ncc'), [...args, '--quiet'], {
      cwd: ROOT,
      stdio: 'ignore'
    })
    stats = JSON.parse(readFileSync(statsFile, 'utf8')) as unknown
    chunks = readdirSync(path.join(built, 'dist')).filter(f => f.endsWith('.js'))
  }, 120_000)

  it('lists exactly the packages of the modules the bundler put into the entry and its lazy chunks', () => {
    // Read independently of the generator: every module's display name, nested modules included.
    const names = new Set<string>()
    const walk = (modules: unknown): void => {
      for (const m of (modules ?? []) as { name?: string; modules?: unknown }[]) {
        walk(m.modules)
        const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m.name ?? '')
        if (match) names.add(match[1]!)
      }
    }
    walk((stats as { modules: unknown }).modules)
    expect(chunks.length).toBeGreaterThan(1) // the entry and at least one lazy chunk
    expect(names).toContain('@octokit/core') // only in the lazy chunk
    expect(names).toContain('@actions/core')
    const listed = new Set(
      readFileSync(path.join(ROOT, 'dist', 'licenses.txt'), 'utf8')
        .split('\n')
        .filter(l => /^ {2}\S+ \S+ \(.+\)$/.test(l))
        .map(l => l.trim().split(' ')[0]!)
    )
    expect([...listed].sort()).toEqual([...names].sort())
  })

  it('is byte for byte what the generator writes from the bundle module list', () => {
    expect(readFileSync(path.join(ROOT, 'dist', 'licenses.txt'), 'utf8')).toBe(
      renderLicenses(bundledPackages(stats))
    )
  })

  it('passes on the Apache licence of before-after-hook verbatim', () => {
    const dir = packageDirOf(
      moduleResources(stats).find(r => r.includes('/node_modules/before-after-hook/'))!
    )!
    const original = readFileSync(path.join(dir, 'LICENSE'), 'utf8').trimEnd()
    expect(original).toContain('Apache License')
    expect(readFileSync(path.join(ROOT, 'dist', 'licenses.txt'), 'utf8')).toContain(original)
  })
})
