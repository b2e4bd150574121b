// Reads an index file (YAML or JSON) into a validated IndexFile with a line lookup.
// Pure: takes the text, returns the file or `file-invalid` findings; never touches the filesystem.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml'
import type { Document, Node as YamlNode } from 'yaml'
import type { z } from 'zod'
import type { Finding, IndexFile, LoadedIndexFile, NodePath } from '../model.js'
import { findJsonSyntaxError } from './json-syntax.js'
import { indexFileSchema } from './schema.js'
import { errorMessage } from '../errors.js'

export interface ParseOutcome {
  /** The validated file, when it parsed and met the file's rules (docs/rules.md#what-the-file-holds). */
  loaded?: LoadedIndexFile
  /** `file-invalid` findings, each with file and line where known. Empty when `loaded` is set. */
  findings: Finding[]
}

/** Index files larger than this are refused: before they are read (workspace.ts) and before parsing. */
export const MAX_INDEX_FILE_BYTES = 1024 * 1024

/** Alias expansions allowed (guards against "billion laughs" files). */
const MAX_ALIAS_COUNT = 100

const SCHEMA_HINT = 'see schema/index-file.schema.json'

/**
 * Nesting allowed before parsing (an index file needs about five levels). Deeper text is refused by this
 * count, the same on every run, before the parser could run out of stack at a depth that depends on what the
 * process did before.
 */
export const MAX_NESTING = 64

/**
 * The first line where the text nests deeper than `limit`, counting open flow brackets (`[`, `{`, outside
 * quotes and comments), block indentation levels and `- ` sequence entries opened on one line. A bound, not a
 * parse: it may count a block scalar's indentation too, which no index file needs 64 levels of.
 */
export function nestingOver(text: string, limit = MAX_NESTING): { line: number; depth: number } | undefined {
  const indents: number[] = []
  let flow = 0
  const lines = text.split('\n')
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!
    const body = line.trimStart()
    if (body === '' || body.startsWith('#')) continue
    let dashes = 0
    if (flow === 0) {
      const indent = line.length - body.length
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop()
      indents.push(indent)
      for (let i = 0; body.startsWith('- ', i) || body.slice(i) === '-'; i += 2) dashes++
    }
    let quote: string | undefined
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!
      if (quote !== undefined) {
        if (c === '\\' && quote === '"') i++
        else if (c === quote) quote = undefined
      } else if (c === '"' || c === "'") quote = c
      else if (c === '#' && (i === 0 || /\s/.test(body[i - 1]!))) break
      else if (c === '[' || c === '{') {
        flow++
        if (indents.length + dashes + flow > limit)
          return { line: n + 1, depth: indents.length + dashes + flow }
      } else if ((c === ']' || c === '}') && flow > 0) flow--
    }
    if (indents.length + dashes > limit) return { line: n + 1, depth: indents.length + dashes }
  }
  return undefined
}

type Format = 'json' | 'yaml'

/** `.json` → JSON, `.yml`/`.yaml` → YAML, otherwise JSON when the text starts with `{`. */
export function detectFormat(path: string, text: string): Format {
  const lower = path.toLowerCase()
  if (lower.endsWith('.json')) return 'json'
  if (lower.endsWith('.yml') || lower.endsWith('.yaml')) return 'yaml'
  return text.trimStart().startsWith('{') ? 'json' : 'yaml'
}

/** `['indexes', 1, 'fields']` → `indexes[1].fields`; the root is `(file)`. */
export function formatPath(path: NodePath): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`
    else out += `[${JSON.stringify(segment)}]`
  }
  return out === '' ? '(file)' : out
}

/**
 * Parses one index file. `path` is the workspace-relative path used in findings; `text` its content.
 * `fallbackObjectId` names the object in findings when the file has no readable `customObjectId`.
 */
export function parseIndexFile(path: string, text: string, fallbackObjectId = ''): ParseOutcome {
  const invalid = (message: string, line?: number, objectId = fallbackObjectId): Finding => {
    const finding: Finding = {
      severity: 'error',
      rule: 'file-invalid',
      customObjectId: objectId,
      message: oneLine(message),
      file: path
    }
    if (line !== undefined) finding.line = line
    return finding
  }

  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > MAX_INDEX_FILE_BYTES) {
    return {
      findings: [
        invalid(
          `the file is ${bytes} bytes, over the ${MAX_INDEX_FILE_BYTES}-byte limit: split it or remove what is not an index definition`
        )
      ]
    }
  }
  if (text.trim() === '') {
    return {
      findings: [invalid('the file is empty: it needs at least `indexes:` (an empty list is allowed)', 1)]
    }
  }

  const deep = nestingOver(text)
  if (deep) {
    return {
      findings: [
        invalid(
          `the file nests more than ${MAX_NESTING} levels deep (lists, mappings, brackets): an index file needs about five; flatten it`,
          deep.line
        )
      ]
    }
  }

  const format = detectFormat(path, text)
  const lineCounter = new LineCounter()
  let doc: Document.Parsed
  let value: unknown
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false })
    // Even a broken file usually shows its object id: name the object in syntax findings when it does.
    const partialId: unknown = isMap(doc.contents) ? doc.contents.get('customObjectId') : undefined
    const syntaxId = typeof partialId === 'string' && partialId !== '' ? partialId : fallbackObjectId
    const syntax: Finding[] = []
    if (format === 'json') {
      const jsonError = jsonSyntaxError(text)
      if (jsonError) {
        syntax.push(
          invalid(`JSON syntax error: ${jsonError.message}; fix the JSON`, jsonError.line, syntaxId)
        )
      }
    }
    if (syntax.length === 0) {
      for (const error of doc.errors) {
        const line = clampLine(text, lineCounter.linePos(error.pos[0]).line)
        syntax.push(invalid(describeYamlError(error.code, error.message, format), line, syntaxId))
      }
    }
    // An alias to an anchor that does not exist only fails when converted: find it first, with its line.
    // Without a `*` in the text there is no alias to check (the walk costs milliseconds on big files).
    if (syntax.length === 0 && text.includes('*')) {
      visit(doc, {
        Alias(_, node) {
          if (!node.resolve(doc)) {
            const line = node.range ? lineCounter.linePos(node.range[0]).line : undefined
            syntax.push(
              invalid(
                `alias *${node.source} names no anchor: define &${node.source} before it, or write the value`,
                line,
                syntaxId
              )
            )
          }
        }
      })
    }
    if (syntax.length > 0) return { findings: dedupe(syntax) }
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (error) {
    // Deep nesting (stack overflow) or alias bombs: refuse cleanly.
    const reason = errorMessage(error)
    const what = /call stack/i.test(reason) ? 'it nests too deeply' : reason
    return { findings: [invalid(`the file cannot be read (${what}): simplify it`)] }
  }

  const lineOf = (nodePath: NodePath): number | undefined => lineOfPath(doc, lineCounter, nodePath)

  if (!isMap(doc.contents) || value === null || typeof value !== 'object' || Array.isArray(value)) {
    const found = value === null ? 'nothing' : Array.isArray(value) ? 'a list' : `a ${typeof value}`
    return {
      findings: [
        invalid(
          `the file must be a mapping with an \`indexes:\` key, found ${found}: start the file with \`indexes:\``,
          lineOf([]) ?? 1
        )
      ]
    }
  }

  const record = value as Record<string, unknown>
  const rawId = Object.hasOwn(record, 'customObjectId') ? record.customObjectId : undefined
  const objectId = typeof rawId === 'string' && rawId !== '' ? rawId : fallbackObjectId

  const result = indexFileSchema.safeParse(value)
  // zod drops a `__proto__` key of a free-form mapping silently; the file should hear about it.
  const protoFindings = protoKeyPaths(record).map(keyPath =>
    invalid(`${formatPath(keyPath)}: the key __proto__ is not allowed: remove it`, lineOf(keyPath), objectId)
  )
  if (!result.success || protoFindings.length > 0) {
    const findings = result.success
      ? []
      : result.error.issues.flatMap(issue => issueFindings(issue, value, lineOf, invalid, objectId))
    return { findings: [...findings, ...protoFindings] }
  }

  const file: IndexFile = result.data
  return { loaded: { path, file, lineOf }, findings: [] }
}

/** Paths of `__proto__` keys in the file's free-form mappings (fieldOptimizations, probe values). */
function protoKeyPaths(root: Record<string, unknown>): NodePath[] {
  const paths: NodePath[] = []
  const check = (mapping: unknown, path: NodePath): void => {
    if (mapping !== null && typeof mapping === 'object' && Object.hasOwn(mapping, '__proto__')) {
      paths.push([...path, '__proto__'])
    }
  }
  check(root.fieldOptimizations, ['fieldOptimizations'])
  if (Array.isArray(root.probes)) {
    root.probes.forEach((probe: unknown, i) => {
      if (probe !== null && typeof probe === 'object')
        check((probe as { values?: unknown }).values, ['probes', i, 'values'])
    })
  }
  return paths
}

type MakeFinding = (message: string, line?: number, objectId?: string) => Finding

function issueFindings(
  issue: z.core.$ZodIssue,
  root: unknown,
  lineOf: (path: NodePath) => number | undefined,
  invalid: MakeFinding,
  objectId: string
): Finding[] {
  const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol')
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(path)
      return issue.keys.map(key => {
        const keyPath = [...path, key]
        const hint = allowed ? ` (allowed: ${allowed.join(', ')})` : ''
        return invalid(
          `${formatPath(keyPath)}: unknown key${hint}: remove or rename it`,
          lineOf(keyPath),
          objectId
        )
      })
    }
    case 'invalid_type': {
      const present = valueAt(root, path)
      const where = formatPath(path)
      if (present === undefined) {
        return [invalid(`${where}: required key missing: add it (${SCHEMA_HINT})`, lineOf(path), objectId)]
      }
      return [
        invalid(
          `${where}: expected ${expectedType(path, issue.expected)}, found ${describeValue(present)}`,
          lineOf(path),
          objectId
        )
      ]
    }
    case 'invalid_value': {
      const options = issue.values.map(v => String(v)).join(', ')
      return [
        invalid(
          `${formatPath(path)}: expected one of ${options}, found ${describeValue(valueAt(root, path))}`,
          lineOf(path),
          objectId
        )
      ]
    }
    case 'too_small': {
      const what =
        issue.origin === 'array'
          ? `must list at least ${String(issue.minimum)} item(s)`
          : issue.origin === 'string'
            ? 'must not be empty'
            : `must be at least ${String(issue.minimum)}`
      return [invalid(`${formatPath(path)}: ${what}`, lineOf(path), objectId)]
    }
    case 'invalid_union':
      return [
        invalid(
          `${formatPath(path)}: expected a string, number or boolean, found ${describeValue(valueAt(root, path))}`,
          lineOf(path),
          objectId
        )
      ]
    default:
      return [invalid(`${formatPath(path)}: ${issue.message} (${SCHEMA_HINT})`, lineOf(path), objectId)]
  }
}

/** Human name of the type zod expected at `path`, refined for string arrays. */
function expectedType(path: NodePath, expected: string): string {
  const last = path[path.length - 1]
  if (expected === 'array' && (last === 'fields' || last === 'order')) return 'a list of strings'
  if (expected === 'array') return 'a list'
  if (expected === 'object' || expected === 'record') return 'a mapping'
  return `a ${expected}`
}

function allowedKeys(path: NodePath): string[] | undefined {
  const shape = path.map(s => (typeof s === 'number' ? '#' : s))
  const key = shape.join('/')
  if (key === '') return ['customObjectId', 'indexes', 'fieldOptimizations', 'prune', 'probes']
  if (key === 'indexes/#') return ['name', 'fields', 'order', 'unique']
  if (shape.length === 2 && shape[0] === 'fieldOptimizations') return ['cardinalityHint']
  if (key === 'probes/#') return ['index', 'values']
  return undefined
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value
    return `the string ${JSON.stringify(shown)}`
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`
  return `a ${typeof value}`
}

function valueAt(root: unknown, path: NodePath): unknown {
  let current = root
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined
    if (!Object.hasOwn(current, segment)) return undefined
    current = (current as Record<string | number, unknown>)[segment]
  }
  return current
}

/** One finding per distinct message and line (a parser can repeat itself on deeply nested input). */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>()
  return findings.filter(f => {
    const key = `${String(f.line)}\u0000${f.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim()
}

function describeYamlError(code: string, message: string, format: Format): string {
  const kind = format === 'json' ? 'JSON' : 'YAML'
  if (code === 'DUPLICATE_KEY') return `${kind}: duplicate key in a mapping: keep only one of them`
  if (/call stack/i.test(message)) return `${kind}: the file nests too deeply to read: flatten it`
  const text = oneLine(message).replace(/:$/, '')
  return `${kind} syntax error: ${text}; fix the ${kind}`
}

/** The first JSON syntax error with a 1-based line, or undefined when the text is valid JSON. */
function jsonSyntaxError(text: string): { message: string; line: number } | undefined {
  try {
    JSON.parse(text)
    return undefined
  } catch (error) {
    const located = findJsonSyntaxError(text)
    if (located)
      return { message: located.message, line: clampLine(text, lineAtOffset(text, located.offset)) }
    // The scanner and JSON.parse disagree (should not happen): keep JSON.parse's words.
    const message = errorMessage(error)
    return { message: oneLine(message), line: clampLine(text, Number.MAX_SAFE_INTEGER) }
  }
}

/**
 * A line past the last line with content (an error "at the end of the input") becomes that last line,
 * where an editor shows the file ending.
 */
function clampLine(text: string, line: number): number {
  const trimmed = text.trimEnd()
  const last = lineAtOffset(trimmed, trimmed.length)
  return Math.max(1, Math.min(line, last))
}

function lineAtOffset(text: string, offset: number): number {
  let line = 1
  const end = Math.min(offset, text.length)
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

/**
 * The 1-based line of the node at `path`, or of its nearest ancestor that has one. For a mapping key the
 * line of the key itself (so `fields:` points at the key even when its list starts on the next line).
 */
function lineOfPath(doc: Document.Parsed, counter: LineCounter, path: NodePath): number | undefined {
  const line = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : counter.linePos(offset).line
  let node: unknown = doc.contents
  let best = line(rangeStart(node))
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(item => isPair(item) && scalarKey(item.key) === String(segment))
      if (!pair) break
      best = line(rangeStart(pair.key)) ?? best
      node = pair.value
      const valueLine = line(rangeStart(node))
      // Scalars and flow collections sit on the key's line; block values below it keep the key's line.
      if (valueLine !== undefined && isScalar(node)) best = valueLine
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment]
      if (item === undefined) break
      node = item
      best = line(rangeStart(node)) ?? best
    } else {
      break
    }
  }
  return best
}

function scalarKey(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined
  const value = key.value
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined
}

function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object') return undefined
  const range = (node as YamlNode).range
  return range ? range[0] : undefined
}
