// Finds and reads the index files the `index-file` input names, inside the workspace and nowhere else.
import { lstat, realpath, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { MAX_INDEX_FILE_BYTES } from './indexfile/parse.js'
import { SettingsError } from './settings.js'

export interface WorkspaceFile {
  /** Path relative to the workspace, forward slashes. */
  path: string
  /** The decoded text, or why it could not be read. */
  text?: string
  problem?: string
}

function inside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

/** A character @actions/glob reads as a wildcard, a character set or an escape. */
const GLOB_SPECIAL = /[*?[\\]/

/**
 * The paths the absolute `patterns` match (a `!` first excludes), as @actions/glob matches them without
 * following symbolic links, directories not matched. Lines that are all plain paths (the usual one index
 * file) need no glob: each matches when it exists and is not a directory (lstat, as glob does); glob and
 * its matcher are a chunk of the bundle loaded only for a wildcard or an exclusion.
 */
export async function matchPaths(patterns: readonly string[]): Promise<string[]> {
  if (patterns.some(p => p.startsWith('!') || GLOB_SPECIAL.test(p))) {
    const glob = await import('@actions/glob')
    const globber = await glob.create(patterns.join('\n'), {
      followSymbolicLinks: false,
      matchDirectories: false,
      implicitDescendants: false
    })
    return globber.glob()
  }
  const found: string[] = []
  for (const p of patterns) {
    try {
      if (!(await lstat(p)).isDirectory()) found.push(p)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  return found
}

/**
 * The files matching `patterns` (one per line; `!` excludes), relative to `workspace`, sorted.
 * Throws SettingsError naming the input when a pattern leaves the workspace or nothing matches.
 */
export async function findFiles(
  patterns: string,
  workspace: string,
  input = 'index-file'
): Promise<string[]> {
  const root = await realpath(workspace)
  const lines = patterns
    .split(/\r?\n/)
    .map(l => l.trim())
    .filter(l => l !== '' && !l.startsWith('#'))
  const resolved = lines.map(line => {
    const negate = line.startsWith('!')
    const body = negate ? line.slice(1) : line
    const absolute = path.resolve(root, body)
    if (!inside(root, absolute)) {
      throw new SettingsError(
        `Input '${input}' must stay inside the workspace; '${line}' points outside ${root}.`
      )
    }
    return (negate ? '!' : '') + absolute
  })
  const found = await matchPaths(resolved)
  const files: string[] = []
  for (const file of found) {
    // A symbolic link may point out of the workspace: follow it and check where it lands.
    const real = await realpath(file)
    if (!inside(root, real)) {
      throw new SettingsError(
        `Input '${input}' matched '${path.relative(root, file)}', which links outside the workspace.`
      )
    }
    if ((await stat(real)).isFile()) files.push(path.relative(root, file).split(path.sep).join('/'))
  }
  if (files.length === 0) {
    throw new SettingsError(
      `Input '${input}' matched no file: '${lines.join("', '")}' (relative to the workspace ${root}).`
    )
  }
  return [...new Set(files)].sort()
}

/** Reads one file as strict UTF-8 text; a file too large or not UTF-8 comes back with a `problem`. */
export async function readIndexFile(relative: string, workspace: string): Promise<WorkspaceFile> {
  const absolute = path.resolve(workspace, relative)
  const size = (await stat(absolute)).size
  if (size > MAX_INDEX_FILE_BYTES) {
    return {
      path: relative,
      problem: `the file is ${size} bytes; index files are limited to ${MAX_INDEX_FILE_BYTES} bytes`
    }
  }
  const bytes = await readFile(absolute)
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return { path: relative, text: text.startsWith('\uFEFF') ? text.slice(1) : text }
  } catch {
    return { path: relative, problem: 'the file is not valid UTF-8 text' }
  }
}
