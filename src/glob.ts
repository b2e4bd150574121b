// The `index-file` globs, read one way everywhere: to find the files on disk (a walk of only the directories a
// pattern can reach, types from the directory listing, no stat of each file) and to tell whether a path from a
// pull request's list of changed files is one of them. The syntax: `*` and `?` within one path segment, `**`
// as a whole segment for any number of segments, `[...]` a class, a line starting `!` excludes, `#` a comment;
// `*` matches names starting with a dot; letters match case-insensitively on Windows only; a pattern ending in
// `/` names a directory, and directories are never index files.
import { readdir, realpath } from 'node:fs/promises'
import path from 'node:path'

const NOCASE = process.platform === 'win32'

/** The meaningful lines of the input: trimmed, no blank line, no comment. */
export function patternLines(patterns: string): string[] {
  return patterns
    .split(/\r?\n/)
    .map(l => l.trim())
    .filter(l => l !== '' && !l.startsWith('#'))
}

const MAGIC = /[*?[]/

/** One pattern segment as a regular expression (`**` handled by the caller). */
function segmentSource(segment: string): string {
  let re = ''
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!
    if (c === '*') {
      while (segment[i + 1] === '*') i++
      re += '[^/]*'
    } else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2)
      if (end === -1) re += '\\['
      else {
        const inner = segment
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')
        re += `[${inner}]`
        i = end
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return re
}

interface Compiled {
  negate: boolean
  re: RegExp
  /** The segments before the first one with a wildcard: where a walk for this pattern starts. */
  literal: string[]
  /** How many segments below `literal` a match can lie (Infinity with `**`). */
  depth: number
}

function compile(line: string): Compiled {
  const negate = line.startsWith('!')
  const body = (negate ? line.slice(1) : line).replace(/^(\.\/)+/, '')
  // A trailing slash names a directory: it can match no file.
  const dirOnly = body.endsWith('/')
  const segments = body.split('/').filter(s => s !== '')
  let re = ''
  segments.forEach((s, i) => {
    const last = i === segments.length - 1
    if (s === '**') re += last ? '.*' : '(?:[^/]*/)*'
    else re += segmentSource(s) + (last ? '' : '/')
  })
  const firstMagic = segments.findIndex(s => MAGIC.test(s))
  const literal = firstMagic === -1 ? segments.slice(0, -1) : segments.slice(0, firstMagic)
  const rest = segments.slice(literal.length)
  return {
    negate,
    re: dirOnly ? /(?!)/ : new RegExp(`^${re}$`, NOCASE ? 'i' : ''),
    literal,
    depth: rest.includes('**') ? Infinity : rest.length
  }
}

/** A matcher for workspace-relative paths (forward slashes) from the `index-file` lines. */
export function globMatcher(patterns: string): (path: string) => boolean {
  const compiled = patternLines(patterns).map(compile)
  return p => matchAll(compiled, p)
}

function matchAll(compiled: readonly Compiled[], p: string): boolean {
  let matched = false
  for (const c of compiled) if (c.re.test(p)) matched = !c.negate
  return matched
}

export interface Found {
  /** Workspace-relative, forward slashes. */
  path: string
  /** A symbolic link: where it points is the caller's to check. */
  link: boolean
}

/**
 * The entries under `root` the patterns (workspace-relative, forward slashes) match: regular files and
 * symbolic links (not followed into directories). Only the directories a pattern can reach are listed. `root`
 * is a real path (no link in it).
 */
export async function globFiles(root: string, patterns: readonly string[]): Promise<Found[]> {
  const compiled = patterns.map(compile)
  const found = new Map<string, Found>()
  // The deepest walk each start directory needs.
  const starts = new Map<string, number>()
  for (const c of compiled) {
    if (c.negate) continue
    const start = c.literal.join('/')
    starts.set(start, Math.max(starts.get(start) ?? 0, c.depth))
  }
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries
    try {
      entries = await readdir(path.join(root, dir), { withFileTypes: true })
    } catch {
      return // not there, or not a directory: nothing matches below it
    }
    const below: Promise<void>[] = []
    for (const e of entries) {
      const rel = dir === '' ? e.name : `${dir}/${e.name}`
      if (e.isDirectory()) {
        if (depth > 1) below.push(walk(rel, depth - 1))
      } else if ((e.isFile() || e.isSymbolicLink()) && matchAll(compiled, rel)) {
        found.set(rel, { path: rel, link: e.isSymbolicLink() })
      }
    }
    await Promise.all(below)
  }
  await Promise.all(
    [...starts].map(async ([start, depth]) => {
      // Links are not followed into directories: a start reached through one has nothing to walk.
      if (start !== '' && (await realpath(path.join(root, start)).catch(() => '')) !== path.join(root, start))
        return
      await walk(start, depth)
    })
  )
  return [...found.values()]
}
