// The release helper: the CHANGELOG.md section of a version, what stops a release, the major tag it moves; and
// that plain Node 24 can run it (builtins only, erasable type syntax only) as the release job does.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import {
  changelogSection,
  compareVersions,
  isLatest,
  majorTag,
  majorTagToMove,
  releasedVersions,
  releaseProblems
} from '../../scripts/release.js'
import { ROOT } from '../helpers/action.js'

const SAMPLE = `# Changelog

## [Unreleased]

### Added

- something new

## [1.1.0] - 2026-12-01

### Fixed

- a bug

## [1.0.0] - 2026-11-28

### Added

- the first version

[1.1.0]: https://github.com/acme/action/compare/v1.0.0...v1.1.0
[1.0.0]: https://github.com/acme/action/releases/tag/v1.0.0
`

describe('the changelog section of a version', () => {
  it('is the text under its dated heading, up to the next heading', () => {
    expect(changelogSection(SAMPLE, '1.1.0')).toEqual({ date: '2026-12-01', body: '### Fixed\n\n- a bug' })
  })

  it('leaves out the link references at the end of the file', () => {
    expect(changelogSection(SAMPLE, '1.0.0')?.body).toBe('### Added\n\n- the first version')
  })

  it('is absent for a version without a dated heading, Unreleased included', () => {
    expect(changelogSection(SAMPLE, '1.2.0')).toBeUndefined()
    expect(changelogSection(SAMPLE, 'Unreleased')).toBeUndefined()
    expect(changelogSection(SAMPLE, '1.1')).toBeUndefined()
  })
})

describe('what stops a release', () => {
  it('nothing when the version is semantic, dated in the changelog and in package.json', () => {
    expect(releaseProblems('1.1.0', SAMPLE, '1.1.0')).toEqual([])
  })

  it('a version that is not semantic', () => {
    for (const v of ['1.1', 'v1.1.0', '01.1.0', '1.1.0\n::warning::x']) {
      expect(releaseProblems(v, SAMPLE, v)[0]).toContain('is not a semantic version')
    }
  })

  it('a missing or empty changelog section, and a package.json that says another version', () => {
    expect(releaseProblems('1.2.0', SAMPLE, '1.1.0')).toEqual([
      "CHANGELOG.md has no section '## [1.2.0] - YYYY-MM-DD': move the Unreleased entries under it.",
      "package.json says version 1.1.0, not 1.2.0: run 'npm version --no-git-tag-version 1.2.0'."
    ])
    expect(releaseProblems('2.0.0', '## [2.0.0] - 2027-01-01\n\n## [1.0.0] - 2026-01-01\n', '2.0.0')).toEqual(
      ["CHANGELOG.md's section for 2.0.0 is empty."]
    )
  })
})

describe('the major tag', () => {
  it('is v and the major number, and none for a pre-release', () => {
    expect(majorTag('1.4.2')).toBe('v1')
    expect(majorTag('0.1.0')).toBe('v0')
    expect(majorTag('12.0.0+build.5')).toBe('v12')
    expect(majorTag('2.0.0-rc.1')).toBeUndefined()
  })
})

describe('the order of versions', () => {
  it('follows semantic versioning precedence, build metadata ignored', () => {
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.2.0',
      '1.10.0',
      '2.0.0'
    ]
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(compareVersions(ordered[i]!, ordered[i + 1]!), `${ordered[i]} < ${ordered[i + 1]}`).toBe(-1)
      expect(compareVersions(ordered[i + 1]!, ordered[i]!)).toBe(1)
    }
    expect(compareVersions('1.0.0+build.1', '1.0.0')).toBe(0)
  })

  it('reads released versions from tag names, leaving out major tags and other tags', () => {
    expect(
      releasedVersions(['v1', 'v1.0.0', 'v1.1.0-rc.1', '1.2.0', 'v1.2', 'latest', ' v2.0.0 ', ''])
    ).toEqual(['1.0.0', '1.1.0-rc.1', '2.0.0'])
  })
})

describe('which release is marked Latest', () => {
  const cases: [string, string, string[], boolean][] = [
    ['the first release', '1.0.0', [], true],
    ['the first release, its own tag already pushed', '1.0.0', ['v1.0.0'], true],
    ['a later release of the newest line', '1.1.0', ['v1', 'v1.0.0'], true],
    ['a new major version', '2.0.0', ['v1', 'v1.0.0', 'v1.1.0'], true],
    ['a patch of an older line cut after a newer major', '1.1.1', ['v1', 'v1.1.0', 'v2', 'v2.0.0'], false],
    ['an older patch of the same line cut after a newer minor', '1.0.1', ['v1.0.0', 'v1.1.0'], false],
    ['a pre-release, even the highest', '2.0.0-rc.1', ['v1.0.0'], false],
    ['a release above a higher pre-release only', '1.1.0', ['v1.0.0', 'v2.0.0-rc.1'], true]
  ]
  it.each(cases)('%s (%s)', (_, version, tags, latest) => {
    expect(isLatest(version, tags)).toBe(latest)
  })
})

describe('which major tag a release moves', () => {
  const cases: [string, string, string[], string | undefined][] = [
    ['the first release of a major version', '1.0.0', [], 'v1'],
    ['the highest release of its major version', '1.2.0', ['v1', 'v1.0.0', 'v1.1.0', 'v2.0.0'], 'v1'],
    ['an older patch cut after a later minor', '1.0.1', ['v1', 'v1.0.0', 'v1.1.0'], undefined],
    ['a pre-release', '2.0.0-rc.1', ['v1.0.0'], undefined],
    ['a release above a pre-release of its own', '2.0.0', ['v2.0.0-rc.1'], 'v2']
  ]
  it.each(cases)('%s (%s)', (_, version, tags, major) => {
    expect(majorTagToMove(version, tags)).toBe(major)
  })
})

describe("the project's own changelog", () => {
  const changelog = readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8')

  it('keeps an Unreleased section first', () => {
    const headings = changelog.split('\n').filter(l => l.startsWith('## '))
    expect(headings[0]).toBe('## [Unreleased]')
  })

  it("has a dated section for package.json's version", () => {
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
      .version
    expect(releaseProblems(version, changelog, version)).toEqual([])
  })
})

describe('the release helper as the release job runs it', () => {
  it('imports only Node builtins and uses only type syntax Node can strip', () => {
    const file = path.join(ROOT, 'scripts', 'release.ts')
    const imports = [...readFileSync(file, 'utf8').matchAll(/^import .* from '([^']+)'$/gm)].map(m => m[1])
    expect(imports.every(i => i?.startsWith('node:'))).toBe(true)
    // TS1294: "This syntax is not allowed when 'erasableSyntaxOnly' is enabled" (enums, namespaces, parameter
    // properties...). Checked alone, without Node's types, to stay fast: only that diagnostic matters here.
    const program = ts.createProgram([file], {
      erasableSyntaxOnly: true,
      noEmit: true,
      noResolve: true,
      types: [],
      lib: ['lib.es2022.d.ts'],
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext
    })
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter(d => d.code === 1294 || (d.category === ts.DiagnosticCategory.Error && d.code < 1300))
      .map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    expect(problems).toEqual([])
  })
})

describe('the release workflow', () => {
  interface Step {
    name?: string
    uses?: string
    run?: string
    with?: Record<string, unknown>
  }
  interface Job {
    needs?: string
    permissions: Record<string, string>
    steps: Step[]
  }
  const text = readFileSync(path.join(ROOT, '.github', 'workflows', 'release.yml'), 'utf8')
  const workflow = YAML.parse(text) as {
    on: { push: { tags: string[]; branches?: unknown }; workflow_dispatch: unknown }
    permissions: Record<string, string>
    jobs: { check: Job; release: Job }
  }
  const { check, release } = workflow.jobs

  it('starts on version tags only, or by hand, with no permission at the top', () => {
    expect(workflow.on.push).toEqual({ tags: ['v*.*.*'] })
    expect(workflow.on).toHaveProperty('workflow_dispatch')
    expect(workflow.permissions).toEqual({})
  })

  it('releases only a commit of the default branch, and by hand only from it, before anything else', () => {
    const step = check.steps.find(s => s.name === 'The commit is on the default branch')!
    expect(check.steps.indexOf(step)).toBe(1) // right after the checkout
    expect(check.steps[0]!.with).toMatchObject({ 'fetch-depth': 0 })
    expect(step.run).toContain('git merge-base --is-ancestor "$GITHUB_SHA" "origin/$DEFAULT_BRANCH"')
    expect(step.run).toContain('[ "$REF" != "refs/heads/$DEFAULT_BRANCH" ]')
    expect(check.permissions).toEqual({ contents: 'read' })
  })

  it('checks the version, the tests and dist/ before the job that writes', () => {
    expect(check.steps.map(s => s.run ?? '').join('\n')).toContain('node scripts/release.ts check')
    expect(check.steps.map(s => s.run ?? '').join('\n')).toContain('bash .ci/run')
    expect(release.needs).toBe('check')
  })

  it('marks Latest and moves the major tag as scripts/release.ts decides, and attests dist/', () => {
    const runs = release.steps.map(s => s.run ?? '').join('\n')
    expect(runs).toContain('node scripts/release.ts plan "$VERSION" >>"$GITHUB_OUTPUT"')
    expect(runs).toContain('--latest="$LATEST"')
    expect(runs).toContain('git tag --force "$MAJOR"')
    const attest = release.steps.find(s => s.uses?.startsWith('actions/attest-build-provenance@'))!
    expect(attest.uses).toMatch(/@[0-9a-f]{40}$/) // pinned to a commit
    expect(attest.with).toEqual({ 'subject-path': 'dist/**' })
    expect(release.permissions).toEqual({ contents: 'write', 'id-token': 'write', attestations: 'write' })
  })
})
