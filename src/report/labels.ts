// How the reports name things inline: an object, a list of index names, counts of findings and changes.
// Every outside string is clipped and escaped here. Pure.
import type { ObjectResult } from '../model.js'
import { clip, code, escapeText, formatNumber, plural } from './markdown.js'

/** Longest object name, index name, field name or file path shown inline. */
export const MAX_NAME = 120
/** Longest server text shown (status reasons, probe errors). */
export const MAX_REASON = 300
/** Most names listed inline (fields of an index, dropped indexes). */
export const MAX_LISTED = 8

export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id
}

/** A name in code style, clipped. */
export function name(text: string, inTable = false): string {
  return code(clip(text, MAX_NAME), inTable)
}

/** `Ticket (`0b4f0ac2…`)`, or the id alone when the name is unknown. */
export function objectLabel(r: ObjectResult): string {
  const id = name(shortId(r.customObjectId))
  return r.objectName ? `${escapeText(clip(r.objectName, MAX_NAME))} (${id})` : id
}

/** "`a`, `b`, … 3 more" */
export function nameList(names: readonly string[], inTable = false): string {
  const shown = names.slice(0, MAX_LISTED).map(n => name(n, inTable))
  if (names.length > shown.length) shown.push(`… ${formatNumber(names.length - shown.length)} more`)
  return shown.join(', ')
}

/** "2 errors, 1 warning" */
export function counts(errors: number, warnings: number): string {
  return `${plural(errors, 'error', 'errors')}, ${plural(warnings, 'warning', 'warnings')}`
}

/** "1 index added, 2 modified" or "no index changes". */
export function changeSummary(r: ObjectResult): string {
  const parts: string[] = []
  const add = (count: number, verb: string): void => {
    if (count === 0) return
    // The noun goes with the first count only: "1 index added, 2 modified".
    parts.push(`${parts.length === 0 ? plural(count, 'index', 'indexes') : formatNumber(count)} ${verb}`)
  }
  add(r.diff.added.length, 'added')
  add(r.diff.modified.length, 'modified')
  add(r.diff.removed.length, 'dropped')
  return parts.length === 0 ? 'no index changes' : parts.join(', ')
}
