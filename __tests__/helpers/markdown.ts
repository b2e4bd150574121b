// Structural checks on rendered Markdown for the report renderers' tests: the raw text, and the HTML that a
// GitHub-flavoured renderer makes of it.
import { marked } from 'marked'
import { expect } from 'vitest'

/** Fenced blocks closed, <details> balanced, every table row as wide as its header. */
export function assertValidMarkdown(text: string): void {
  let fence: number | undefined
  let columns: number | undefined
  let opened = 0
  let closed = 0
  for (const line of text.split('\n')) {
    if (fence !== undefined) {
      const close = /^(`+)\s*$/.exec(line)
      if (close && close[1]!.length >= fence) fence = undefined
      continue
    }
    const open = /^(`{3,})[^`]*$/.exec(line)
    if (open) {
      fence = open[1]!.length
      continue
    }
    // An HTML block starts a line; outside text never does (it sits in code spans and escaped text).
    if (line.startsWith('<details>')) opened++
    if (line.startsWith('</details>')) closed++
    if (line.startsWith('|')) {
      // Cells: split on pipes not escaped by a backslash.
      const cells = line.split(/(?<!\\)\|/).length
      if (columns === undefined) columns = cells
      else expect(cells, line).toBe(columns)
    } else {
      columns = undefined
    }
  }
  expect(fence, 'a fenced block is left open').toBeUndefined()
  expect(opened).toBe(closed)
}

/** GitHub-flavoured Markdown to HTML. */
export function toHtml(markdown: string): string {
  return marked.parse(markdown, { gfm: true, async: false })
}

/** The tags the reports write themselves; anything else in the HTML came from outside text. */
const OWN_TAGS = new Set(
  'h1 h2 h3 h4 h5 p a code pre table thead tbody tr th td br hr ul li blockquote details summary strong em'.split(
    ' '
  )
)

/**
 * The HTML holds only our own tags, properly nested (<details> balanced), and no HTML comment but the ones
 * given (the marker, the review line).
 */
export function assertOwnHtml(html: string, comments: readonly string[] = []): void {
  let rest = html
  for (const c of comments) rest = rest.replace(c, '')
  expect(rest, 'an HTML comment from outside text').not.toContain('<!--')
  const stack: string[] = []
  for (const m of rest.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    const [, close, tag, selfClosing] = m
    const name = tag!.toLowerCase()
    expect(OWN_TAGS.has(name), `unexpected <${name}> in ${m[0]}`).toBe(true)
    if (name === 'br' || name === 'hr' || selfClosing) continue
    if (close) expect(stack.pop(), `</${name}> closes another element`).toBe(name)
    else stack.push(name)
  }
  expect(stack, 'elements left open').toEqual([])
}

/** Every link's target, in order. */
export function hrefs(html: string): string[] {
  return [...html.matchAll(/<a href="([^"]*)"/g)].map(m => m[1]!.replace(/&amp;/g, '&'))
}

/** The headings as a reader sees them, each after its `#`s. */
export function headings(markdown: string): string[] {
  return [...toHtml(markdown).matchAll(/<h(\d)[^>]*>([\s\S]*?)<\/h\1>/g)].map(
    m => `${'#'.repeat(Number(m[1]))} ${visibleText(m[2]!)}`
  )
}

/** The tables as a reader sees them: header and rows of cell text (a `<br>` as a line break). */
export function tables(markdown: string): { header: string[]; rows: string[][] }[] {
  const cells = (html: string, tag: string): string[] =>
    [...html.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))].map(m =>
      visibleText(m[1]!)
    )
  return [...toHtml(markdown).matchAll(/<table>([\s\S]*?)<\/table>/g)].map(t => {
    const [head = '', body = ''] = t[1]!.split('</thead>')
    return {
      header: cells(head, 'th'),
      rows: [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(r => cells(r[1]!, 'td'))
    }
  })
}

/** The rows of the table with these columns. */
export function tableOf(markdown: string, header: readonly string[]): string[][] {
  const table = tables(markdown).find(t => t.header.join('|') === header.join('|'))
  expect(table, `a table with columns ${header.join(', ')}`).toBeDefined()
  return table!.rows
}

/** The text of the HTML, tags removed and entities decoded (what a reader sees). */
export function visibleText(html: string): string {
  return html
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
}

/** A workflow written in a Markdown file: its YAML text and the line of the file where that text starts. */
export interface WorkflowBlock {
  text: string
  line: number
}

/** The ```yaml blocks of a Markdown text that are whole workflows (they have `on:` and `jobs:`). */
export function workflowBlocks(markdown: string): WorkflowBlock[] {
  return [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map(m => ({ text: m[1]!, line: markdown.slice(0, m.index).split('\n').length + 1 }))
    .filter(({ text }) => /^jobs:/m.test(text) && /^on:/m.test(text))
}
