// The Markdown building blocks every renderer escapes user text with.
import { describe, expect, it } from 'vitest'
import { code, escapeHtml, escapeText, fencedBlock, link } from '../src/report/markdown.js'

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
