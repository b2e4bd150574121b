import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { realpath, stat } from 'node:fs/promises'
import * as glob from '@actions/glob'
import { describe, expect, it } from 'vitest'
import { globMatcher } from '../../src/glob.js'
import { findFiles } from '../../src/workspace.js'
import { useServers } from '../helpers/servers.js'

const servers = useServers()

/** What `@actions/glob` finds (the reading the project's own glob must keep): files, links to files. */
async function reference(patterns: string, root: string): Promise<string[]> {
  const lines = patterns
    .split('\n')
    .map(l => l.trim())
    .filter(l => l !== '' && !l.startsWith('#'))
    .map(
      l =>
        (l.startsWith('!') ? '!' : '') +
        path.resolve(root, l.replace(/^!/, '')) +
        (l.endsWith('/') ? '/' : '')
    )
  const globber = await glob.create(lines.join('\n'), {
    followSymbolicLinks: false,
    matchDirectories: false,
    implicitDescendants: false
  })
  const out: string[] = []
  for (const f of await globber.glob()) {
    const real = await realpath(f).catch(() => undefined)
    if (real !== undefined && (await stat(real)).isFile()) out.push(path.relative(root, f))
  }
  return [...new Set(out)].sort()
}

function tree(): string {
  const dir = realpathSync(
    servers.workspace({
      'indexes/a.yaml': 'x',
      'indexes/b.yml': 'x',
      'indexes/.hidden.yaml': 'x',
      'indexes/sub/c.yaml': 'x',
      'indexes/sub/deeper/d.yaml': 'x',
      'indexes/.git/e.yaml': 'x',
      'indexes/skip/f.yaml': 'x',
      'indexes/[x].yaml': 'x',
      'indexes/Upper.YAML': 'x',
      'other/g.yaml': 'x',
      'top.yaml': 'x',
      'notes.txt': 'x'
    }).dir
  )
  mkdirSync(path.join(dir, 'empty'))
  symlinkSync(path.join(dir, 'indexes/a.yaml'), path.join(dir, 'indexes/link-to-a.yaml'))
  symlinkSync(path.join(dir, 'indexes/sub'), path.join(dir, 'indexes/link-to-sub'))
  symlinkSync(path.join(dir, 'nowhere.yaml'), path.join(dir, 'indexes/broken.yaml'))
  writeFileSync(path.join(dir, 'indexes/sub/c.json'), 'x')
  return dir
}

describe('the index-file glob', () => {
  it.each([
    'indexes/*.yaml',
    'indexes/*.y?ml',
    'indexes/**/*.yaml',
    'indexes/**',
    '**/*.yaml',
    '**',
    '*.yaml',
    'indexes/a.yaml',
    './indexes/a.yaml',
    'indexes/sub/../b.yml',
    'indexes/[ab].y*',
    'indexes/[!a]*.yaml',
    'indexes/**/*.yaml\n!indexes/skip/*.yaml',
    'indexes/**/*.yaml\n!indexes/**/d.yaml\nindexes/sub/deeper/*.yaml',
    'indexes/*\n# a comment\n\n  other/*  ',
    'indexes/sub/',
    'indexes/sub',
    'indexes/s*b/*.yaml',
    'indexes/**/deeper/*',
    'indexes/link-to-sub/*.yaml',
    'ind**/*.yaml',
    'empty/*'
  ])('finds what @actions/glob finds for %j', async patterns => {
    const dir = tree()
    const expected = await reference(patterns, dir)
    if (expected.length === 0) {
      await expect(findFiles(patterns, dir)).rejects.toThrow(/matched no file/)
    } else {
      expect(await findFiles(patterns, dir)).toEqual(expected)
    }
  })

  it('reads a changed path as the walk does', () => {
    const matches = globMatcher('indexes/**/*.yaml\n!indexes/skip/*.yaml')
    expect(['indexes/a.yaml', 'indexes/sub/deeper/d.yaml', 'indexes/.hidden.yaml'].map(matches)).toEqual([
      true,
      true,
      true
    ])
    expect(['indexes/skip/f.yaml', 'indexes/a.json', 'other/a.yaml', 'indexes/sub/'].map(matches)).toEqual([
      false,
      false,
      false,
      false
    ])
  })
})
