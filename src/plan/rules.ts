// The finding rules (docs/rules.md#finding-rules) made before any deploy (all but probe-full-scan): each
// rule a small named check beside its id and severity in one table, which checkFile and checkMerged walk over
// one context built once per check. Pure functions over plain data.
//
// Decisions (where the finding rules leave room):
// - Field problems (unknown-field, types, join paths, selectivity) are reported for the file's indexes
//   only: a live index the file does not manage is not the repository's to fix.
// - A join path's first segment missing on the object is `unknown-field`; a later hop that is not a
//   reference, an unknown target object or a missing target field is `join-path-invalid`; a reference
//   without `referenceTo` (indexed directly or used as a hop) is `reference-without-target`.
// - Selectivity ranks: an explicit `cardinalityHint` (after fieldOptimizations) wins; a boolean is always
//   low (two values); any other field without a hint counts as medium, since nothing is known about it.
//   The warning fires when the leading field ranks low and a later field ranks higher.
// - `unique-on-low-cardinality` judges a join path by the field it ends on, with that object's hints.
// - `redundant-prefix-index` and `index-limit-exceeded`: checkFile reports what the file alone causes,
//   checkMerged only what the live indexes add, so running both never reports one problem twice. A
//   unique index is never redundant (it enforces uniqueness); the prefix compares field lists only.
// - Probes in the file must name an index of the file and give values for a leading prefix of its
//   fields (leftmost-prefix rule), else the probe could never prove anything: `file-invalid`.
// - `live-index-failed` judges the file's indexes the merge leaves as they are live (not added, not
//   modified): a changed definition is the fix, and its deploy rebuilds the index.
// - Findings come in file order (by line); on one line, in the order the checks run: per index (its
//   fields, then the index), then the rules about the whole file, each group in table order.
import type {
  Finding,
  IndexDiff,
  Limits,
  LoadedIndexFile,
  NodePath,
  ProposedIndex,
  RuleId,
  SchemaDocument,
  SchemaLookup,
  Severity
} from '../model.js'
import { INDEX_NAME_PATTERN_SOURCE } from '../indexfile/schema.js'
import { FieldResolver, indexabilityProblem, isLowCardinality, selectivityRank } from './fields.js'
import type { FieldResolution } from './fields.js'
import { normalisedOrder } from './merge.js'
import { clip, oneLine } from '../report/markdown.js'

/** The index-name rule (docs/rules.md#finding-rules): a letter, then up to 63 letters, digits or underscores. */
const INDEX_NAME_PATTERN = new RegExp(INDEX_NAME_PATTERN_SOURCE)

/** What a check found: its message and where. The table adds the rule's id and severity. */
interface Found {
  message: string
  index?: string
  field?: string
  path: NodePath
}

/** What every rule reads, computed once per check. */
interface Context {
  loaded: LoadedIndexFile
  limits: Limits
  indexes: readonly ProposedIndex[]
  /** The position of the first index of each name, in file order. */
  firstPosition: Map<string, number>
}

/** What the rules of checkFile read besides. */
interface FileContext extends Context {
  /** The position of the first index of each definition (fields and normalised order). */
  firstDefinition: Map<string, number>
}

/** What the rules of checkMerged read besides: the merged document, its diff and its fields. */
interface LiveContext extends Context {
  merged: SchemaDocument
  diff: IndexDiff
  /** Names the merge adds or modifies. */
  changed: Set<string>
  fields: FieldResolver
}

interface IndexAt {
  index: ProposedIndex
  /** Position in the file. */
  i: number
}

/** An index of the file against the merged document: each of its fields resolved. */
interface LiveIndexAt extends IndexAt {
  resolved: FieldResolution[]
}

interface FieldAt extends IndexAt {
  /** The field name or join path, and its position in the index. */
  path: string
  j: number
  /** What is wrong with it: a resolution failure, else why the field cannot be indexed. */
  problem: { rule: RuleId; message: string } | undefined
}

type Rule = { id: RuleId; severity: Severity } & (
  | { on: 'file index'; check: (c: FileContext, at: IndexAt) => Found | undefined }
  | { on: 'file'; check: (c: FileContext) => Found[] }
  | { on: 'field'; check: (c: LiveContext, at: FieldAt, id: RuleId) => Found | undefined }
  | { on: 'index'; check: (c: LiveContext, at: LiveIndexAt) => Found | undefined }
  | { on: 'merged'; check: (c: LiveContext) => Found[] }
)

// ---------------------------------------------------------------------------------------------------------
// The rules of one index of the file

function invalidIndexName(_c: FileContext, { index, i }: IndexAt): Found | undefined {
  if (INDEX_NAME_PATTERN.test(index.name)) return undefined
  return {
    message: `Index name ${JSON.stringify(index.name)} is not allowed: use a letter, then letters, digits or underscores (at most 64 characters).`,
    index: index.name,
    path: ['indexes', i, 'name']
  }
}

function duplicateIndexName(c: FileContext, { index, i }: IndexAt): Found | undefined {
  const first = c.firstPosition.get(index.name)!
  if (first === i) return undefined
  return {
    message: `Index ${index.name} is listed twice (first at line ${c.loaded.lineOf(['indexes', first, 'name']) ?? '?'}): rename or remove one.`,
    index: index.name,
    path: ['indexes', i, 'name']
  }
}

const definitionOf = (index: ProposedIndex): string =>
  `${index.fields.join('\u0000')}|${normalisedOrder(index).join(',')}`

function duplicateIndexDefinition(c: FileContext, { index, i }: IndexAt): Found | undefined {
  const first = c.firstDefinition.get(definitionOf(index))!
  if (first === i) return undefined
  return {
    message: `Index ${index.name} has the same fields and order as ${c.indexes[first]!.name}: remove one of them.`,
    index: index.name,
    path: ['indexes', i, 'fields']
  }
}

function orderLengthMismatch(_c: FileContext, { index, i }: IndexAt): Found | undefined {
  if (!index.order || index.order.length === index.fields.length) return undefined
  return {
    message: `Index ${index.name} has ${index.fields.length} field(s) but ${index.order.length} order value(s): give one order per field, or leave order out for all ascending.`,
    index: index.name,
    path: ['indexes', i, 'order']
  }
}

function fieldsPerIndexExceeded(c: FileContext, { index, i }: IndexAt): Found | undefined {
  const max = c.limits.maxFieldsPerIndex
  if (index.fields.length <= max) return undefined
  return {
    message: `Index ${index.name} has ${index.fields.length} fields, over the limit of ${max}: drop the least selective fields.`,
    index: index.name,
    path: ['indexes', i, 'fields', max]
  }
}

// ---------------------------------------------------------------------------------------------------------
// The rules of the whole file

function fileIndexLimit(c: FileContext): Found[] {
  const count = c.firstPosition.size
  const max = c.limits.maxIndexesPerObject
  if (count <= max) return []
  return [
    {
      message: `The file proposes ${count} indexes, over the limit of ${max}: remove or combine indexes.`,
      path: ['indexes']
    }
  ]
}

function fileRedundantPrefixes(c: FileContext): Found[] {
  const positions = [...c.firstPosition.values()]
  return redundantPrefixes(positions.map(position => c.indexes[position]!)).map(pair => {
    const position = positions[pair.shorter]!
    const name = c.indexes[position]!.name
    return {
      message: redundantMessage(name, pair.longerName),
      index: name,
      path: ['indexes', position, 'name']
    }
  })
}

function redundantMessage(shorter: string, longer: string): string {
  return `Index ${shorter} is a leading prefix of ${longer}, which serves the same queries: drop ${shorter} unless it must stay.`
}

interface PrefixPair {
  /** Position of the shorter index in the list given. */
  shorter: number
  longerName: string
}

/**
 * Pairs where one index's fields are a proper leading prefix of another's. Linear in the total number of
 * fields: every proper prefix of every index goes into a map once.
 */
function redundantPrefixes(
  indexes: readonly { name: string; fields: readonly string[]; unique?: boolean }[],
  include: (shorter: number, longer: number) => boolean = () => true
): PrefixPair[] {
  const longerByPrefix = new Map<string, number[]>()
  indexes.forEach((index, position) => {
    let key = ''
    for (let k = 0; k < index.fields.length - 1; k++) {
      key = k === 0 ? index.fields[0]! : `${key}\u0000${index.fields[k]!}`
      const list = longerByPrefix.get(key)
      if (list) list.push(position)
      else longerByPrefix.set(key, [position])
    }
  })
  const pairs: PrefixPair[] = []
  indexes.forEach((index, position) => {
    if (index.unique === true || index.fields.length === 0) return
    const longer = longerByPrefix.get(index.fields.join('\u0000'))
    const match = longer?.find(other => include(position, other))
    if (match !== undefined) pairs.push({ shorter: position, longerName: indexes[match]!.name })
  })
  return pairs
}

/** Probes that name no index of the file, or give no leading prefix of its fields (`file-invalid`). */
function invalidProbes(c: FileContext): Found[] {
  const found: Found[] = []
  c.loaded.file.probes?.forEach((probe, p) => {
    const position = c.firstPosition.get(probe.index)
    if (position === undefined) {
      found.push({
        message: `probes[${p}].index: ${JSON.stringify(probe.index)} is not an index of this file: name one of its indexes.`,
        index: probe.index,
        path: ['probes', p, 'index']
      })
      return
    }
    const index = c.indexes[position]!
    const keys = Object.keys(probe.values)
    if (keys.length === 0) {
      found.push({
        message: `probes[${p}].values: give a value for at least the first field of ${index.name} (${index.fields[0] ?? '?'}).`,
        index: index.name,
        path: ['probes', p, 'values']
      })
      return
    }
    const fieldPosition = new Map(index.fields.map((field, i) => [field, i]))
    const strangers = keys.filter(key => !fieldPosition.has(key))
    for (const key of strangers) {
      found.push({
        message: `probes[${p}].values.${key}: not a field of index ${index.name} (fields: ${index.fields.join(', ')}): use its fields only.`,
        index: index.name,
        field: key,
        path: ['probes', p, 'values', key]
      })
    }
    if (strangers.length > 0) return
    const covered = new Set(keys.map(key => fieldPosition.get(key)!))
    for (let i = 0; i < covered.size; i++) {
      if (covered.has(i)) continue
      found.push({
        message: `probes[${p}].values: a query uses ${index.name} only with values for a leading prefix of its fields: add ${index.fields[i]!}.`,
        index: index.name,
        field: index.fields[i]!,
        path: ['probes', p, 'values']
      })
      break
    }
  })
  return found
}

// ---------------------------------------------------------------------------------------------------------
// The rules of one field of an index of the file, against the merged document

/** The field's problem when it is rule `id`. */
function fieldProblem(
  _c: LiveContext,
  { index, i, path, j, problem }: FieldAt,
  id: RuleId
): Found | undefined {
  if (problem?.rule !== id) return undefined
  return {
    message: `Index ${index.name}: ${problem.message}`,
    index: index.name,
    field: path,
    path: ['indexes', i, 'fields', j]
  }
}

// ---------------------------------------------------------------------------------------------------------
// The rules of one index of the file, against the merged document

function lowSelectivityLead(_c: LiveContext, { index, i, resolved }: LiveIndexAt): Found | undefined {
  const leading = resolved[0]
  if (!leading?.ok || resolved.length < 2) return undefined
  const leadingRank = selectivityRank(leading.field)
  const better = resolved.findIndex((r, j) => j > 0 && r.ok && selectivityRank(r.field) > leadingRank)
  if (!isLowCardinality(leading.field) || better < 0) return undefined
  return {
    message: `Index ${index.name} leads with ${index.fields[0]!}, which has few distinct values, while ${index.fields[better]!} is more selective: put the most selective field first.`,
    index: index.name,
    field: index.fields[0]!,
    path: ['indexes', i, 'fields', 0]
  }
}

function uniqueOnLowCardinality(c: LiveContext, { index, i, resolved }: LiveIndexAt): Found | undefined {
  if (index.unique !== true || c.firstPosition.get(index.name) !== i || !c.changed.has(index.name))
    return undefined
  if (!resolved.every(r => r.ok && isLowCardinality(r.field))) return undefined
  return {
    message: `Index ${index.name} is unique over ${index.fields.join(', ')}, which hold few distinct values (boolean or cardinalityHint: low): its rebuild will fail once the object has more records than distinct values. Drop unique, or add a selective field to the index.`,
    index: index.name,
    path: ['indexes', i]
  }
}

/** The longest piece of a server's `statusReason` a finding quotes. */
const MAX_STATUS_REASON = 300

/**
 * A live index that failed its rebuild while the file keeps its definition: a deploy would send it unchanged,
 * so nothing would rebuild it, and "nothing to deploy" would hide a broken index.
 */
function liveIndexFailed(c: LiveContext, { index, i }: LiveIndexAt): Found | undefined {
  if (c.firstPosition.get(index.name) !== i || c.changed.has(index.name)) return undefined
  const live = c.merged.indexes.find(x => x.name === index.name)
  if (live?.status !== 'failed') return undefined
  const reason = clip(oneLine(live.statusReason ?? 'no reason given').trim(), MAX_STATUS_REASON)
  return {
    message:
      `Live index ${index.name} failed its rebuild (${reason}) and the file keeps its definition, so a deploy ` +
      'would not rebuild it. To rebuild it, change its definition (for instance drop unique), or drop it ' +
      '(remove it from the file with prune: true) and add it back once the data is fixed.',
    index: index.name,
    path: ['indexes', i]
  }
}

// ---------------------------------------------------------------------------------------------------------
// The rules of the whole merged document

function unknownOptimizedFields(c: LiveContext): Found[] {
  const fields = c.fields.fieldsOf(c.merged)
  return Object.keys(c.loaded.file.fieldOptimizations ?? {})
    .filter(name => !fields.has(name))
    .map(name => ({
      message: `fieldOptimizations names ${name}, which object ${c.merged.id} lacks: fix the name or remove the entry.`,
      field: name,
      path: ['fieldOptimizations', name]
    }))
}

function mergedIndexLimit(c: LiveContext): Found[] {
  const count = c.merged.indexes.length
  const fileCount = c.firstPosition.size
  const max = c.limits.maxIndexesPerObject
  if (count <= max || fileCount > max) return []
  return [
    {
      message: `Object ${c.merged.id} would have ${count} indexes (${count - fileCount} kept from the live schema), over the limit of ${max}: set prune: true or list fewer indexes.`,
      path: ['indexes']
    }
  ]
}

/**
 * Prefix pairs the file alone does not explain (checkFile reports those): at least one side is a live
 * index the file does not manage, and at least one side is the file's.
 */
function mergedRedundantPrefixes(c: LiveContext): Found[] {
  const indexes = c.merged.indexes
  const managed = (position: number): boolean => c.firstPosition.has(indexes[position]!.name)
  const pairs = redundantPrefixes(indexes, (shorter, longer) => managed(shorter) !== managed(longer))
  return pairs.map(pair => {
    const shorter = indexes[pair.shorter]!.name
    const position = c.firstPosition.get(shorter) ?? c.firstPosition.get(pair.longerName)
    return {
      message: redundantMessage(shorter, pair.longerName),
      index: shorter,
      path: position === undefined ? ['indexes'] : ['indexes', position, 'name']
    }
  })
}

function modifiedIndexes(c: LiveContext): Found[] {
  return c.diff.modified.map(name => {
    const position = c.firstPosition.get(name)
    return {
      message: `Index ${name} changes: it rebuilds and queries cannot use it until it is active again; deploy at a quiet time.`,
      index: name,
      path: position === undefined ? ['indexes'] : ['indexes', position]
    }
  })
}

function droppedIndexes(c: LiveContext): Found[] {
  return c.diff.removed.map(name => ({
    message: `Live index ${name} is not in the file and prune: true drops it: add it to the file to keep it.`,
    index: name,
    path: ['prune']
  }))
}

function unmanagedIndexes(c: LiveContext): Found[] {
  return c.diff.unmanaged.map(name => ({
    message: `Live index ${name} is not in the file and is kept: add it to the file to manage it, or set prune: true to drop it.`,
    index: name,
    path: ['indexes']
  }))
}

// ---------------------------------------------------------------------------------------------------------
// The table, and the two checks that walk it

/** Every rule, in the order its findings are made within its group (`on`). */
export const RULE_TABLE: readonly Rule[] = [
  { id: 'invalid-index-name', severity: 'error', on: 'file index', check: invalidIndexName },
  { id: 'duplicate-index-name', severity: 'error', on: 'file index', check: duplicateIndexName },
  { id: 'duplicate-index-definition', severity: 'error', on: 'file index', check: duplicateIndexDefinition },
  { id: 'order-length-mismatch', severity: 'error', on: 'file index', check: orderLengthMismatch },
  { id: 'fields-per-index-exceeded', severity: 'error', on: 'file index', check: fieldsPerIndexExceeded },
  { id: 'index-limit-exceeded', severity: 'error', on: 'file', check: fileIndexLimit },
  { id: 'redundant-prefix-index', severity: 'warning', on: 'file', check: fileRedundantPrefixes },
  { id: 'file-invalid', severity: 'error', on: 'file', check: invalidProbes },
  { id: 'unknown-field', severity: 'error', on: 'field', check: fieldProblem },
  { id: 'join-path-invalid', severity: 'error', on: 'field', check: fieldProblem },
  { id: 'reference-without-target', severity: 'error', on: 'field', check: fieldProblem },
  { id: 'not-indexable-type', severity: 'error', on: 'field', check: fieldProblem },
  { id: 'free-text-field', severity: 'error', on: 'field', check: fieldProblem },
  {
    id: 'low-selectivity-leading-field',
    severity: 'warning',
    on: 'index',
    check: lowSelectivityLead
  },
  { id: 'unique-on-low-cardinality', severity: 'warning', on: 'index', check: uniqueOnLowCardinality },
  { id: 'live-index-failed', severity: 'error', on: 'index', check: liveIndexFailed },
  { id: 'unknown-field', severity: 'error', on: 'merged', check: unknownOptimizedFields },
  { id: 'index-limit-exceeded', severity: 'error', on: 'merged', check: mergedIndexLimit },
  { id: 'redundant-prefix-index', severity: 'warning', on: 'merged', check: mergedRedundantPrefixes },
  { id: 'index-modified', severity: 'warning', on: 'merged', check: modifiedIndexes },
  { id: 'index-dropped', severity: 'warning', on: 'merged', check: droppedIndexes },
  { id: 'unmanaged-index', severity: 'warning', on: 'merged', check: unmanagedIndexes }
]

type RuleOn<K extends Rule['on']> = Extract<Rule, { on: K }>
const rulesOn = <K extends Rule['on']>(on: K): RuleOn<K>[] =>
  RULE_TABLE.filter((rule): rule is RuleOn<K> => rule.on === on)
const FILE_INDEX_RULES = rulesOn('file index')
const FILE_RULES = rulesOn('file')
const FIELD_RULES = rulesOn('field')
const INDEX_RULES = rulesOn('index')
const MERGED_RULES = rulesOn('merged')

/** The position of the first index of each key (name, definition) in the file. */
function firstPositions(
  indexes: readonly ProposedIndex[],
  key: (index: ProposedIndex) => string
): Map<string, number> {
  const first = new Map<string, number>()
  indexes.forEach((index, i) => {
    const k = key(index)
    if (!first.has(k)) first.set(k, i)
  })
  return first
}

function context(loaded: LoadedIndexFile, limits: Limits): Context {
  const indexes = loaded.file.indexes
  return { loaded, limits, indexes, firstPosition: firstPositions(indexes, index => index.name) }
}

/** Collects findings in the order they are made; `sorted()` puts them in file order. */
function collector(loaded: LoadedIndexFile, customObjectId: string) {
  const findings: Finding[] = []
  return {
    add(rule: Rule, found: Found | undefined): void {
      if (!found) return
      const finding: Finding = {
        severity: rule.severity,
        rule: rule.id,
        customObjectId,
        message: found.message
      }
      if (found.index !== undefined) finding.index = found.index
      if (found.field !== undefined) finding.field = found.field
      finding.file = loaded.path
      const line = loaded.lineOf(found.path)
      if (line !== undefined) finding.line = line
      findings.push(finding)
    },
    /** By line (stable: one line keeps the order of making); findings without a line last. */
    sorted(): Finding[] {
      const last = Number.MAX_SAFE_INTEGER
      return findings
        .map((finding, position) => ({ finding, position }))
        .sort((p, q) => (p.finding.line ?? last) - (q.finding.line ?? last) || p.position - q.position)
        .map(({ finding }) => finding)
    }
  }
}

/** Checks that need only the file (run with and without credentials). */
export function checkFile(loaded: LoadedIndexFile, customObjectId: string, limits: Limits): Finding[] {
  const base = context(loaded, limits)
  const c: FileContext = { ...base, firstDefinition: firstPositions(base.indexes, definitionOf) }
  const out = collector(loaded, customObjectId)
  c.indexes.forEach((index, i) => {
    for (const rule of FILE_INDEX_RULES) out.add(rule, rule.check(c, { index, i }))
  })
  for (const rule of FILE_RULES) for (const found of rule.check(c)) out.add(rule, found)
  return out.sorted()
}

export interface LiveCheckInput {
  loaded: LoadedIndexFile
  customObjectId: string
  live: SchemaDocument
  merged: SchemaDocument
  diff: IndexDiff
  /** The platform's limits, `maxIndexesPerObject` already lowered by the `max-indexes` input. */
  limits: Limits
  /** Other objects' schemas, for join paths. */
  lookup: SchemaLookup
}

/** Checks against the live schema: fields, types, join paths, selectivity, limits, diff warnings. */
export function checkMerged(input: LiveCheckInput): Finding[] {
  const { loaded, merged, diff, limits } = input
  const c: LiveContext = {
    ...context(loaded, limits),
    merged,
    diff,
    changed: new Set([...diff.added, ...diff.modified]),
    fields: new FieldResolver(merged, input.lookup, limits)
  }
  const out = collector(loaded, input.customObjectId)
  c.indexes.forEach((index, i) => {
    const resolved = index.fields.map(path => c.fields.resolve(path))
    resolved.forEach((resolution, j) => {
      const path = index.fields[j]!
      const problem = resolution.ok ? indexabilityProblem(resolution.field, path, limits) : resolution
      const at = { index, i, path, j, problem }
      for (const rule of FIELD_RULES) out.add(rule, rule.check(c, at, rule.id))
    })
    const at = { index, i, resolved }
    for (const rule of INDEX_RULES) out.add(rule, rule.check(c, at))
  })
  for (const rule of MERGED_RULES) for (const found of rule.check(c)) out.add(rule, found)
  return out.sorted()
}

/**
 * The object ids whose schemas the join paths of `doc`'s indexes need and `lookup` lacks. The caller
 * fetches them and calls again until the list is empty (each hop can reveal the next object).
 * `indexNames`, when given, limits the walk to those indexes (e.g. the file's).
 */
export function missingSchemas(
  doc: SchemaDocument,
  lookup: SchemaLookup,
  limits: Limits,
  indexNames?: readonly string[]
): string[] {
  const wanted = indexNames ? new Set(indexNames) : undefined
  const fields = new FieldResolver(doc, lookup, limits)
  const missing = new Set<string>()
  for (const index of doc.indexes) {
    if (wanted && !wanted.has(index.name)) continue
    for (const path of index.fields) {
      const resolution = fields.resolve(path)
      if (!resolution.ok && resolution.unknownObject !== undefined) missing.add(resolution.unknownObject)
    }
  }
  return [...missing]
}
