import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import * as glob from '@actions/glob'
import path from 'node:path'
import { stat } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { MAX_INDEX_FILE_BYTES } from '../../src/indexfile/parse.js'
import { findFiles, readIndexFile } from '../../src/workspace.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers()
function ws(files: Record<string, string>): string {
  return servers.workspace(files).dir
}

describe('finding index files', () => {
  it('matches a glob relative to the workspace, sorted', async () => {
    const dir = ws({ 'idx/b.yaml': 'x', 'idx/a.yaml': 'x', 'idx/c.txt': 'x' })
    expect(await findFiles('idx/*.yaml', dir)).toEqual(['idx/a.yaml', 'idx/b.yaml'])
  })

  it('takes several patterns, one per line, with exclusions', async () => {
    const dir = ws({ 'a/x.yaml': 'x', 'b/y.json': 'x', 'a/skip.yaml': 'x' })
    expect(await findFiles('a/*.yaml\nb/*.json\n!a/skip.yaml', dir)).toEqual(['a/x.yaml', 'b/y.json'])
  })

  it('names the input when nothing matches', async () => {
    const dir = ws({ 'a.yaml': 'x' })
    await expect(findFiles('nope/*.yaml', dir)).rejects.toThrow(
      /Input 'index-file' matched no file: 'nope\/\*.yaml'/
    )
  })

  it('refuses a path that escapes the workspace', async () => {
    const dir = ws({ 'a.yaml': 'x' })
    await expect(findFiles('../../etc/passwd', dir)).rejects.toThrow(/must stay inside the workspace/)
    await expect(findFiles('/etc/passwd', dir)).rejects.toThrow(/must stay inside the workspace/)
  })

  it('refuses a symbolic link that points out of the workspace', async () => {
    const dir = ws({ 'a.yaml': 'x' })
    const outside = ws({ 'secret.yaml': 'x' })
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(dir, 'link.yaml'))
    await expect(findFiles('*.yaml', dir)).rejects.toThrow(/links outside the workspace/)
  })
})

describe('matching plain paths as @actions/glob does', () => {
  /** What @actions/glob gives for the same lines, with the options the action once used, files only. */
  async function globbed(lines: string[], dir: string): Promise<string[]> {
    const globber = await glob.create(lines.map(l => path.join(dir, l)).join('\n'), {
      followSymbolicLinks: false,
      matchDirectories: false,
      implicitDescendants: false
    })
    const files: string[] = []
    for (const f of await globber.glob()) {
      if ((await stat(f).catch(() => undefined))?.isFile()) files.push(path.relative(dir, f))
    }
    return [...new Set(files)].sort()
  }

  /** What findFiles finds, none when it says nothing matched. */
  async function found(lines: string[], dir: string): Promise<string[]> {
    return findFiles(lines.join('\n'), dir).catch((error: unknown) => {
      if (/matched no file/.test(String(error))) return []
      throw error
    })
  }

  const cases: [string, string[]][] = [
    ['a file', ['a.yaml']],
    ['a missing file', ['missing.yaml']],
    ['a directory', ['dir']],
    ['a file in a directory', ['dir/b.yaml']],
    ['a hidden file', ['.hidden.yaml']],
    ['a link to a file', ['link-file.yaml']],
    ['a link to a directory', ['link-dir']],
    ['a broken link', ['broken.yaml']],
    ['characters glob leaves alone', ['odd {a,b} (1) #2 !3 +@.yaml']],
    ['several lines, one missing', ['a.yaml', 'missing.yaml', 'dir/b.yaml']],
    ['the same path twice', ['a.yaml', 'a.yaml']]
  ]

  it.each(cases)('matches %s as @actions/glob does', async (_name, relative) => {
    const dir = ws({
      'a.yaml': 'x',
      'dir/b.yaml': 'x',
      '.hidden.yaml': 'x',
      'odd {a,b} (1) #2 !3 +@.yaml': 'x'
    })
    mkdirSync(path.join(dir, 'empty'))
    symlinkSync(path.join(dir, 'a.yaml'), path.join(dir, 'link-file.yaml'))
    symlinkSync(path.join(dir, 'dir'), path.join(dir, 'link-dir'))
    symlinkSync(path.join(dir, 'gone.yaml'), path.join(dir, 'broken.yaml'))
    expect(await found(relative, dir)).toEqual(await globbed(relative, dir))
  })
})

describe('reading an index file', () => {
  it('reads UTF-8 text and drops a byte-order mark', async () => {
    const dir = ws({ 'a.yaml': '\uFEFFindexes: []\n' })
    expect(await readIndexFile('a.yaml', dir)).toEqual({ path: 'a.yaml', text: 'indexes: []\n' })
  })

  it('reports invalid UTF-8 instead of guessing', async () => {
    const dir = ws({})
    writeFileSync(path.join(dir, 'bad.yaml'), Buffer.from([0x69, 0x6e, 0xff, 0xfe, 0x0a]))
    expect((await readIndexFile('bad.yaml', dir)).problem).toBe('the file is not valid UTF-8 text')
  })

  it('refuses a file over the size limit without reading it', async () => {
    const dir = ws({ 'big.yaml': 'a'.repeat(MAX_INDEX_FILE_BYTES + 1) })
    expect((await readIndexFile('big.yaml', dir)).problem).toMatch(/index files are limited to 1048576 bytes/)
  })
})
