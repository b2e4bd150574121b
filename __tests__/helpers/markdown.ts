// Structural checks on rendered Markdown for the report renderers' tests.
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
    opened += (line.match(/<details>/g) ?? []).length
    closed += (line.match(/<\/details>/g) ?? []).length
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
