// The README's picture of the PR comment, from the demo's real run: starts the demo's emulator and stand-ins,
// runs pull request #1's validate (the bundled action, as `npm run demo` does), takes the comment body the
// GitHub stand-in received, writes it to .github/readme/comment.md (a test holds it to the demo's comment),
// renders it to HTML with GitHub-like CSS and takes a headless Chromium screenshot into
// .github/readme/comment.png.
//   npm run screenshot   (bundles first; needs Debian's Chromium and an emoji font on the PATH:
//                         apt-get install chromium fonts-noto-color-emoji)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { marked } from 'marked'
import { startDemo, validatePullRequest } from './demo-scenario.js'

const MARKDOWN = fileURLToPath(new URL('../.github/readme/comment.md', import.meta.url))
const OUT = fileURLToPath(new URL('../.github/readme/comment.png', import.meta.url))
const WIDTH = 1000
const HEIGHT = 1190

async function demoComment(): Promise<string> {
  const demo = await startDemo()
  try {
    const { run, comment } = await validatePullRequest(demo)
    if (run.code !== 0 || comment === undefined) {
      throw new Error(
        `the demo's pull-request run exited ${run.code} and posted no comment:\n${run.stdout}\n${run.stderr}`
      )
    }
    return comment
  } finally {
    await demo.close()
  }
}

const markdown = await demoComment()
writeFileSync(MARKDOWN, markdown.endsWith('\n') ? markdown : `${markdown}\n`)

// GitHub renders `> [!CAUTION]` as an alert; marked leaves it a plain blockquote, so style it here.
const body = marked
  .parse(markdown, { gfm: true, async: false })
  .replace(
    /<blockquote>\s*<p>\[!CAUTION\]\s*/g,
    '<blockquote class="caution"><p><strong>⊘ Caution</strong><br>'
  )

const CSS = `
body { margin: 0; background: #f6f8fa; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
.comment { width: ${WIDTH - 80}px; margin: 24px 40px; background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; }
.header { padding: 8px 16px; background: #f6f8fa; border-bottom: 1px solid #d1d9e0; border-radius: 6px 6px 0 0; color: #59636e; }
.header b { color: #1f2328; }
.markdown-body { padding: 16px; }
h2, h3, h4 { margin: 20px 0 12px; font-weight: 600; line-height: 1.25; }
h2 { font-size: 1.5em; padding-bottom: .3em; border-bottom: 1px solid #d1d9e0; margin-top: 0; }
h3 { font-size: 1.25em; } h4 { font-size: 1em; }
p, blockquote, table, details, pre { margin: 0 0 16px; }
a { color: #0969da; text-decoration: none; }
code { font: 85% ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: rgba(129,139,152,.12); padding: .2em .4em; border-radius: 6px; }
pre { background: #f6f8fa; padding: 16px; border-radius: 6px; overflow: auto; }
pre code { background: none; padding: 0; font-size: 85%; }
table { border-collapse: collapse; display: block; width: max-content; max-width: 100%; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
th { font-weight: 600; } tr:nth-child(2n) { background: #f6f8fa; }
blockquote { padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
blockquote.caution { color: #1f2328; border-left-color: #cf222e; }
blockquote.caution strong { color: #d1242f; }
hr { height: .25em; background: #d1d9e0; border: 0; margin: 24px 0; }
summary { cursor: pointer; }
`

const html = `<!doctype html><html><head><meta charset="utf-8"><style>${CSS}</style></head><body>
<div class="comment"><div class="header"><b>github-actions</b> <span>bot</span> commented</div>
<div class="markdown-body">${body}</div></div></body></html>`

const dir = mkdtempSync(path.join(tmpdir(), 'comment-'))
try {
  const page = path.join(dir, 'comment.html')
  writeFileSync(page, html)
  execFileSync('chromium', [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${path.join(dir, 'profile')}`,
    '--hide-scrollbars',
    `--window-size=${WIDTH},${HEIGHT}`,
    `--screenshot=${OUT}`,
    `file://${page}`
  ])
  console.log(`wrote ${MARKDOWN} and ${OUT}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
