// Markdown building blocks for the PR comment and the job summary. Pure: strings in, strings out.
// Everything a user controls (index names, field names, messages, file paths, diffs) goes through one of
// these before it reaches Markdown, so it cannot open a table cell, a code span, an HTML tag or a fence.

const NUMBER = new Intl.NumberFormat('en-US')

/** 100000 → "100,000". */
export function formatNumber(n: number): string {
  return NUMBER.format(n)
}

/** "1 index", "2 indexes". */
export function plural(n: number, one: string, many: string): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`
}

/** Cuts a user-controlled string to at most `max` characters (an ellipsis marks the cut). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text
  return text.slice(0, Math.max(0, max - 1)) + '…'
}

/** One line: newlines and tabs become spaces. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ')
}

/**
 * Text that renders as itself in Markdown and inline HTML: the punctuation that could start emphasis, a
 * code span, a link or a table cell is backslash-escaped, `<`, `>`, `&` become entities, and `@` gets a
 * zero-width space so a name in a message cannot mention (notify) anyone.
 */
export function escapeText(text: string): string {
  return oneLine(text)
    .replace(/[\\`*_[\]|~]/g, c => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '@\u200b')
}

/** Text for inside an HTML element such as `<summary>`: entities only (Markdown there is not parsed). */
export function escapeHtml(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

/** The longest run of backticks in `text`. */
function longestBacktickRun(text: string): number {
  let best = 0
  for (const m of text.matchAll(/`+/g)) if (m[0].length > best) best = m[0].length
  return best
}

/**
 * An inline code span that holds `text` whatever it contains: the backtick fence is longer than any run
 * of backticks inside. In a table cell (`inTable`) pipes are escaped, which GFM undoes inside code spans.
 */
export function code(text: string, inTable = false): string {
  let body = oneLine(text)
  if (body === '') return '` `'
  if (inTable) body = body.replace(/\|/g, '\\|')
  const fence = '`'.repeat(longestBacktickRun(body) + 1)
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${body}${pad}${fence}`
}

/** A fenced code block that `text` cannot close early: the fence is longer than any backtick run inside. */
export function fencedBlock(text: string, lang: string): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1))
  const body = text.endsWith('\n') ? text : `${text}\n`
  return `${fence}${lang}\n${body}${fence}\n`
}

/** One table cell of user text. */
export function cell(text: string | undefined): string {
  return text === undefined || text === '' ? ' ' : escapeText(text)
}

/** A Markdown link, or just the text when there is no URL. */
export function link(text: string, url: string | undefined): string {
  if (!url) return text
  const safe = url.replace(
    /[()\s<>]/g,
    c => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`
  )
  return `[${text}](${safe})`
}

/** A table row from already-escaped cells. */
export function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |\n`
}

/** A table header (column titles are ours, not user text). */
export function tableHead(titles: readonly string[]): string {
  return row(titles) + row(titles.map(() => '---'))
}
