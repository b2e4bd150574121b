// Release helpers for .github/workflows/release.yml. Node builtins only and erasable types only, so the
// release job runs it with plain `node` (Node 24) without installing anything:
//   node scripts/release.ts check <version>   the version is semantic, CHANGELOG.md has its dated section and
//                                             package.json says the same version; exits 1 naming each problem
//   node scripts/release.ts notes <version>   prints that CHANGELOG.md section (the release notes)
//   node scripts/release.ts plan <version>    reads the repository's tags (git tag) and prints, as step outputs,
//                                             `latest=true|false` (whether the release is marked "Latest") and
//                                             `major=vN` (the major tag to move, empty when none)
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Semantic Versioning 2.0.0, without a leading `v`. */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/

export interface ChangelogSection {
  /** The release date of its heading, YYYY-MM-DD. */
  date: string
  /** The section's text without its heading, trimmed. */
  body: string
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * The section of a Keep a Changelog file for one version: the text under `## [version] - YYYY-MM-DD` up to the
 * next `## ` heading, link reference definitions (`[1.0.0]: https://...`) left out. Undefined when absent.
 */
export function changelogSection(changelog: string, version: string): ChangelogSection | undefined {
  const lines = changelog.replace(/\r\n?/g, '\n').split('\n')
  const heading = new RegExp(`^## \\[${escapeRegExp(version)}\\] - (\\d{4}-\\d{2}-\\d{2})\\s*$`)
  const start = lines.findIndex(l => heading.test(l))
  if (start < 0) return undefined
  const date = heading.exec(lines[start]!)![1]!
  const rest = lines.slice(start + 1)
  const end = rest.findIndex(l => l.startsWith('## '))
  const body = (end < 0 ? rest : rest.slice(0, end))
    .filter(l => !/^\[[^\]]+\]: \S+$/.test(l))
    .join('\n')
    .trim()
  return { date, body }
}

/** Everything that stops `version` from being released, as sentences; empty when it can be. */
export function releaseProblems(version: string, changelog: string, packageVersion: string): string[] {
  if (!SEMVER.test(version)) {
    return [
      `${JSON.stringify(version.slice(0, 60))} is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.2.0, without a leading v).`
    ]
  }
  const problems: string[] = []
  const section = changelogSection(changelog, version)
  if (section === undefined) {
    problems.push(
      `CHANGELOG.md has no section '## [${version}] - YYYY-MM-DD': move the Unreleased entries under it.`
    )
  } else if (section.body === '') {
    problems.push(`CHANGELOG.md's section for ${version} is empty.`)
  }
  if (packageVersion !== version) {
    problems.push(
      `package.json says version ${packageVersion}, not ${version}: run 'npm version --no-git-tag-version ${version}'.`
    )
  }
  return problems
}

/** The moving major tag a release updates (`v1` for 1.4.2), or undefined for a pre-release. */
export function majorTag(version: string): string | undefined {
  const m = SEMVER.exec(version)
  if (m === null || m[4] !== undefined) return undefined
  return `v${m[1]!}`
}

/** The released versions among git tag names: the `vX.Y.Z[-pre]` tags, moving major tags (`v1`) left out. */
export function releasedVersions(tags: readonly string[]): string[] {
  return tags
    .map(t => t.trim())
    .filter(t => t.startsWith('v') && SEMVER.test(t.slice(1)))
    .map(t => t.slice(1))
}

/** Semantic Versioning precedence: negative when a comes before b, 0 when equal (build metadata ignored). */
export function compareVersions(a: string, b: string): number {
  const pa = SEMVER.exec(a)
  const pb = SEMVER.exec(b)
  if (pa === null || pb === null) throw new Error(`Not a semantic version: ${pa === null ? a : b}`)
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i])
    if (d !== 0) return Math.sign(d)
  }
  const preA = pa[4]?.split('.')
  const preB = pb[4]?.split('.')
  if (preA === undefined || preB === undefined) {
    // A release comes after its pre-releases.
    return preA === undefined ? (preB === undefined ? 0 : 1) : -1
  }
  for (let i = 0; i < Math.max(preA.length, preB.length); i++) {
    const x = preA[i]
    const y = preB[i]
    if (x === undefined) return -1
    if (y === undefined) return 1
    const nx = /^\d+$/.test(x)
    const ny = /^\d+$/.test(y)
    if (nx && ny) {
      const d = Number(x) - Number(y)
      if (d !== 0) return Math.sign(d)
    } else if (nx !== ny) {
      return nx ? -1 : 1
    } else if (x !== y) {
      return x < y ? -1 : 1
    }
  }
  return 0
}

function isStable(version: string): boolean {
  return SEMVER.exec(version)?.[4] === undefined
}

/**
 * Whether the GitHub release of `version` is marked "Latest": a stable version at least as high as every
 * stable version tagged so far. A patch of an older line (1.4.3 after 2.0.0) and a pre-release never are, so
 * the repository's "Latest" never goes back.
 */
export function isLatest(version: string, tags: readonly string[]): boolean {
  if (!SEMVER.test(version) || !isStable(version)) return false
  return releasedVersions(tags)
    .filter(isStable)
    .every(v => compareVersions(version, v) >= 0)
}

/**
 * The major tag a release moves (`v1` for 1.4.2), or undefined: for a pre-release, and when a later release of
 * the same major version is already tagged (`v1` stays on 1.5.0 when 1.4.3 is released after it).
 */
export function majorTagToMove(version: string, tags: readonly string[]): string | undefined {
  const major = majorTag(version)
  if (major === undefined) return undefined
  const later = releasedVersions(tags).some(
    v => isStable(v) && majorTag(v) === major && compareVersions(v, version) > 0
  )
  return later ? undefined : major
}

/** A message as a workflow command's text: `%`, CR and LF escaped so it cannot start another command. */
function commandText(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')
}

function main(argv: string[]): number {
  const [command, raw] = argv
  const version = (raw ?? '').replace(/^v/, '')
  const changelog = readFileSync(new URL('../CHANGELOG.md', import.meta.url), 'utf8')
  if (command === 'check') {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string
    }
    const problems = releaseProblems(version, changelog, pkg.version ?? '')
    for (const p of problems) process.stderr.write(`::error::${commandText(p)}\n`)
    if (problems.length === 0) {
      process.stdout.write(
        `${version} can be released; its major tag: ${majorTag(version) ?? 'none (pre-release)'}\n`
      )
    }
    return problems.length === 0 ? 0 : 1
  }
  if (command === 'notes') {
    const section = changelogSection(changelog, version)
    if (section === undefined || section.body === '') {
      process.stderr.write(
        `::error::CHANGELOG.md has no notes for ${commandText(JSON.stringify(version.slice(0, 60)))}.\n`
      )
      return 1
    }
    process.stdout.write(`${section.body}\n`)
    return 0
  }
  if (command === 'plan') {
    if (!SEMVER.test(version)) {
      process.stderr.write(
        `::error::${commandText(JSON.stringify(version.slice(0, 60)))} is not a semantic version.\n`
      )
      return 1
    }
    const tags = execFileSync('git', ['tag', '--list', 'v*'], { encoding: 'utf8' }).split('\n')
    const latest = isLatest(version, tags)
    const major = majorTagToMove(version, tags)
    process.stdout.write(`latest=${String(latest)}\nmajor=${major ?? ''}\n`)
    process.stderr.write(
      `v${version}: ${latest ? 'marked Latest' : 'not marked Latest (a later release exists, or a pre-release)'}; ` +
        `${major ? `moves ${major}` : 'moves no major tag'}.\n`
    )
    return 0
  }
  process.stderr.write('Usage: node scripts/release.ts check|notes|plan <version>\n')
  return 2
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2))
}
