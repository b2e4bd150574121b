// The Markdown building blocks every renderer escapes user text with.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  blobUrl,
  clip,
  code,
  commitUrl,
  escapeHtml,
  escapeText,
  fencedBlock,
  formatNumber,
  link,
  oneLine,
  runUrl
} from '../../src/report/markdown.js'

describe('markdown helpers', () => {
  it('escapes table pipes, emphasis, code and link punctuation in text', () => {
    expect(escapeText('a|b *c* _d_ `e` [f](g) ~h~')).toBe('a\\|b \\*c\\* \\_d\\_ \\`e\\` \\[f\\](g) \\~h\\~')
  })

  it('turns <, > and & in text into entities', () => {
    expect(escapeText('<img src=x> & co')).toBe('&lt;img src=x&gt; &amp; co')
  })

  it('keeps a name in text from mentioning anyone', () => {
    expect(escapeText('ask @octocat')).toBe('ask @\u200boctocat')
  })

  it('puts text on one line', () => {
    expect(escapeText('one\ntwo\r\nthree')).toBe('one two three')
  })

  it('wraps a code span in a fence longer than any backtick run inside', () => {
    expect(code('a``b')).toBe('```a``b```')
    expect(code('`x`')).toBe('`` `x` ``')
    expect(code('plain')).toBe('`plain`')
  })

  it('escapes pipes of a code span in a table cell', () => {
    expect(code('a|b', true)).toBe('`a\\|b`')
  })

  it('fences a block with more backticks than the longest run inside', () => {
    expect(fencedBlock('x\n````\ny', 'diff')).toBe('`````diff\nx\n````\ny\n`````\n')
    expect(fencedBlock('plain', 'diff')).toBe('```diff\nplain\n```\n')
  })

  it('escapes HTML for a summary element', () => {
    expect(escapeHtml('</summary><script>"')).toBe('&lt;/summary&gt;&lt;script&gt;&quot;')
  })

  it('links only when there is a URL', () => {
    expect(link('the job summary', undefined)).toBe('the job summary')
    expect(link('the job summary', 'https://x.test/a (b)')).toBe(
      '[the job summary](https://x.test/a%20%28b%29)'
    )
  })
})

describe('outside text', () => {
  it('keeps a URL in text from becoming a link', () => {
    expect(escapeText('see https://evil.test and www.evil.test')).toBe(
      'see https:\u200b//evil.test and www\u200b.evil.test'
    )
  })

  it('clips without splitting a surrogate pair', () => {
    expect(clip('ab😀cd', 4)).toBe('ab…')
    expect(clip('abcdef', 4)).toBe('abc…')
    expect(clip('abc', 4)).toBe('abc')
  })

  it('puts control characters and line separators on one line', () => {
    expect(oneLine('a\u0000b\u2028c\u001bd')).toBe('a b c d')
  })
})

describe('GitHub links', () => {
  const links = {
    serverUrl: 'https://github.com/',
    repository: 'acme/indexes',
    headSha: 'ab12cd3',
    runId: '42'
  }

  it('links a file at the head commit, line included, each path segment encoded', () => {
    expect(blobUrl(links, 'indexes/my file#1.yaml', 4)).toBe(
      'https://github.com/acme/indexes/blob/ab12cd3/indexes/my%20file%231.yaml#L4'
    )
    expect(blobUrl(links, './indexes/a.yaml')).toBe(
      'https://github.com/acme/indexes/blob/ab12cd3/indexes/a.yaml'
    )
  })

  it('links the commit and the run', () => {
    expect(commitUrl(links)).toBe('https://github.com/acme/indexes/commit/ab12cd3')
    expect(runUrl(links)).toBe('https://github.com/acme/indexes/actions/runs/42')
  })

  it('gives no link when a part is missing or is not what it claims', () => {
    expect(blobUrl({ ...links, headSha: undefined }, 'a.yaml')).toBeUndefined()
    expect(blobUrl(links, '../secrets.yaml')).toBeUndefined()
    expect(commitUrl({ ...links, headSha: 'main' })).toBeUndefined()
    expect(runUrl({ ...links, runId: '42) [x](y' })).toBeUndefined()
    expect(runUrl({ ...links, serverUrl: 'javascript:alert(1)' })).toBeUndefined()
    expect(runUrl({ ...links, repository: 'acme/indexes/../x' })).toBeUndefined()
  })
})

describe('formatNumber', () => {
  it('writes what Intl.NumberFormat en-US writes, for counts, seconds and milliseconds', () => {
    const intl = new Intl.NumberFormat('en-US')
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -1e12, max: 1e12 }),
          fc.double({ min: 0, max: 1e12, noNaN: true }),
          fc.double({ min: -1e9, max: -0.001, noNaN: true })
        ),
        n => {
          expect(formatNumber(n)).toBe(intl.format(n))
        }
      ),
      { numRuns: 5_000 }
    )
    expect(formatNumber(100_000)).toBe('100,000')
    expect(formatNumber(2.34567)).toBe('2.346')
  })
})
