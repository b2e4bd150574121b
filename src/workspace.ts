// Finds and reads the index files the `index-file` input names, inside the workspace and nowhere else.
import { realpath, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { globFiles, patternLines } from './glob.js'
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
  const lines = patternLines(patterns)
  const relative = lines.map(line => {
    const negate = line.startsWith('!')
    const body = negate ? line.slice(1) : line
    const absolute = path.resolve(root, body)
    if (!inside(root, absolute)) {
      throw new SettingsError(
        `Input '${input}' must stay inside the workspace; '${line}' points outside ${root}.`
      )
    }
    const rel = path.relative(root, absolute).split(path.sep).join('/')
    // path.resolve drops a trailing slash, which says "a directory": keep it.
    return (negate ? '!' : '') + rel + (/[\\/]$/.test(body) && rel !== '' ? '/' : '')
  })
  const files: string[] = []
  for (const found of await globFiles(root, relative)) {
    if (!found.link) {
      files.push(found.path)
      continue
    }
    // A symbolic link may point out of the workspace: follow it and check where it lands.
    const real = await realpath(path.join(root, found.path)).catch(() => undefined)
    if (real === undefined) continue // a broken link names no file
    if (!inside(root, real)) {
      throw new SettingsError(`Input '${input}' matched '${found.path}', which links outside the workspace.`)
    }
    if ((await stat(real)).isFile()) files.push(found.path)
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
