// Markdown building blocks for the PR comment and the job summary. Pure: strings in, strings out.
// Everything from outside (index names, field names, messages, file paths, server text, diffs) goes through
// one of these before it reaches Markdown, so it cannot open a table cell, a code span, an HTML tag, a
// comment or a fence.

/**
 * 100000 → "100,000"; 2.34567 → "2.346": what `Intl.NumberFormat('en-US')` writes for the counts, seconds
 * and milliseconds of a report, without its ~30 ms of locale data loading at every cold start.
 */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  const rounded = Math.round(Math.abs(n) * 1000) / 1000
  const [whole = '0', fraction] = String(rounded).split('.')
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const sign = n < 0 && rounded !== 0 ? '-' : ''
  return `${sign}${grouped}${fraction ? `.${fraction}` : ''}`
}

/** "1 index", "2 indexes". */
export function plural(n: number, one: string, many: string): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`
}

/** Cuts an outside string to at most `max` characters (an ellipsis marks the cut; no half surrogate pair). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text
  let end = Math.max(0, max - 1)
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end--
  return text.slice(0, end) + '…'
}

/** One line: line breaks, tabs and other control characters become spaces. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
}

/**
 * Text that renders as itself in Markdown and inline HTML: the punctuation that could start emphasis, a
 * code span, a link or a table cell is backslash-escaped, `<`, `>`, `&` become entities, and a zero-width
 * space after `@`, in `://` and after `www` keeps a name from mentioning (notifying) anyone and a URL from
 * becoming a link.
 */
export function escapeText(text: string): string {
  return oneLine(text)
    .replace(/[\\`*_[\]|~]/g, c => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '@\u200b')
    .replace(/:\/\//g, ':\u200b//')
    .replace(/\bwww\./gi, m => `${m.slice(0, 3)}\u200b.`)
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
  if (body.trim() === '') return '` `'
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

/** A Markdown link (its text already Markdown), or just the text when there is no URL. */
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

/** A table header (column titles are ours, not outside text). */
export function tableHead(titles: readonly string[]): string {
  return row(titles) + row(titles.map(() => '---'))
}

/** Where a report links to on GitHub: each part checked, so outside text cannot shape a URL. */
export interface GitHubLinks {
  /** e.g. `https://github.com` (GITHUB_SERVER_URL). */
  serverUrl?: string
  /** `owner/name`. */
  repository?: string
  /** The commit the files were read at: the PR head SHA in validate. */
  headSha?: string
  runId?: string
}

function repoUrl(l: GitHubLinks): string | undefined {
  const server = l.serverUrl?.replace(/\/+$/, '')
  if (!server || !/^https?:\/\/[^\s()<>"'`]+$/.test(server)) return undefined
  if (!l.repository || !/^[\w.-]+\/[\w.-]+$/.test(l.repository)) return undefined
  return `${server}/${l.repository}`
}

function validSha(sha: string | undefined): sha is string {
  return sha !== undefined && /^[0-9a-f]{7,64}$/i.test(sha)
}

/** `{server}/{repository}/blob/{sha}/{path}#L{line}`, or undefined when a part is missing. */
export function blobUrl(l: GitHubLinks, path: string, line?: number): string | undefined {
  const repo = repoUrl(l)
  if (repo === undefined || !validSha(l.headSha)) return undefined
  const segments = path.split('/').filter(s => s !== '' && s !== '.')
  if (segments.length === 0 || segments.includes('..')) return undefined
  const anchor = line !== undefined && Number.isInteger(line) && line > 0 ? `#L${line}` : ''
  return `${repo}/blob/${l.headSha}/${segments.map(encodeURIComponent).join('/')}${anchor}`
}

/** `{server}/{repository}/commit/{sha}`. */
export function commitUrl(l: GitHubLinks): string | undefined {
  const repo = repoUrl(l)
  return repo !== undefined && validSha(l.headSha) ? `${repo}/commit/${l.headSha}` : undefined
}

/** `{server}/{repository}/actions/runs/{runId}`. */
export function runUrl(l: GitHubLinks): string | undefined {
  const repo = repoUrl(l)
  return repo !== undefined && l.runId !== undefined && /^\d+$/.test(l.runId)
    ? `${repo}/actions/runs/${l.runId}`
    : undefined
}
