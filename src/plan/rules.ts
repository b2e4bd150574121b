// The finding rules of contract D (all but probe-full-scan). Pure functions over plain data.
//
// Decisions (where contract D leaves room):
// - Field problems (unknown-field, types, join paths, selectivity) are reported for the file's indexes
//   only: a live index the file does not manage is not the repository's to fix.
// - A join path's first segment missing on the object is `unknown-field`; a later hop that is not a
//   reference, an unknown target object or a missing target field is `join-path-invalid`; a reference
//   without `referenceTo` (indexed directly or used as a hop) is `reference-without-target`.
// - Selectivity ranks: an explicit `cardinalityHint` (after fieldOptimizations) wins; a boolean is always
//   low (two values); any other field without a hint counts as medium, since nothing is known about it.
//   The warning fires when the leading field ranks low and a later field ranks higher.
// - `redundant-prefix-index` and `index-limit-exceeded`: checkFile reports what the file alone causes,
//   checkMerged only what the live indexes add, so running both never reports one problem twice. A
//   unique index is never redundant (it enforces uniqueness); the prefix compares field lists only.
// - Probes in the file must name an index of the file and give values for a leading prefix of its
//   fields (leftmost-prefix rule), else the probe could never prove anything: `file-invalid`.
import type {
  CardinalityHint,
  Finding,
  IndexDiff,
  LiveField,
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
import { normalisedOrder } from './merge.js'

/** Contract D: a letter, then up to 63 letters, digits or underscores. */
export const INDEX_NAME_PATTERN = new RegExp(INDEX_NAME_PATTERN_SOURCE)

/** A string without maxLength counts as this long (contract A4). */
export const DEFAULT_STRING_LENGTH = 255

const INDEXABLE_TYPES = new Set(['string', 'number', 'boolean', 'date', 'reference'])

const RANK: Record<CardinalityHint, number> = { low: 0, medium: 1, high: 2 }

interface Location {
  index?: string
  field?: string
  path?: NodePath
}

function makeFinder(loaded: LoadedIndexFile, customObjectId: string) {
  return (severity: Severity, rule: RuleId, message: string, where: Location = {}): Finding => {
    const finding: Finding = { severity, rule, customObjectId, message }
    if (where.index !== undefined) finding.index = where.index
    if (where.field !== undefined) finding.field = where.field
    finding.file = loaded.path
    const line = loaded.lineOf(where.path ?? [])
    if (line !== undefined) finding.line = line
    return finding
  }
}

const keyOf = (fields: readonly string[]): string => fields.join('\u0000')

/** Checks that need only the file (run with and without credentials). */
export function checkFile(loaded: LoadedIndexFile, customObjectId: string, limits: Limits): Finding[] {
  const find = makeFinder(loaded, customObjectId)
  const findings: Finding[] = []
  const indexes = loaded.file.indexes
  const firstByName = new Map<string, number>()
  const firstByDefinition = new Map<string, number>()

  indexes.forEach((index, i) => {
    const at = (...rest: (string | number)[]): NodePath => ['indexes', i, ...rest]
    const where = { index: index.name, path: at('name') }
    if (!INDEX_NAME_PATTERN.test(index.name)) {
      findings.push(
        find(
          'error',
          'invalid-index-name',
          `Index name ${JSON.stringify(index.name)} is not allowed: use a letter, then letters, digits or underscores (at most 64 characters).`,
          where
        )
      )
    }
    const sameName = firstByName.get(index.name)
    if (sameName === undefined) firstByName.set(index.name, i)
    else {
      findings.push(
        find(
          'error',
          'duplicate-index-name',
          `Index ${index.name} is listed twice (first at line ${lineText(loaded, ['indexes', sameName, 'name'])}): rename or remove one.`,
          where
        )
      )
    }
    const definition = `${keyOf(index.fields)}|${normalisedOrder(index).join(',')}`
    const sameDefinition = firstByDefinition.get(definition)
    if (sameDefinition === undefined) firstByDefinition.set(definition, i)
    else {
      const other = indexes[sameDefinition]!.name
      findings.push(
        find(
          'error',
          'duplicate-index-definition',
          `Index ${index.name} has the same fields and order as ${other}: remove one of them.`,
          { index: index.name, path: at('fields') }
        )
      )
    }
    if (index.order && index.order.length !== index.fields.length) {
      findings.push(
        find(
          'error',
          'order-length-mismatch',
          `Index ${index.name} has ${index.fields.length} field(s) but ${index.order.length} order value(s): give one order per field, or leave order out for all ascending.`,
          { index: index.name, path: at('order') }
        )
      )
    }
    if (index.fields.length > limits.maxFieldsPerIndex) {
      findings.push(
        find(
          'error',
          'fields-per-index-exceeded',
          `Index ${index.name} has ${index.fields.length} fields, over the limit of ${limits.maxFieldsPerIndex}: drop the least selective fields.`,
          { index: index.name, path: at('fields', limits.maxFieldsPerIndex) }
        )
      )
    }
  })

  if (firstByName.size > limits.maxIndexesPerObject) {
    findings.push(
      find(
        'error',
        'index-limit-exceeded',
        `The file proposes ${firstByName.size} indexes, over the limit of ${limits.maxIndexesPerObject}: remove or combine indexes.`,
        { path: ['indexes'] }
      )
    )
  }

  const fileIndexes = uniqueIndexes(indexes)
  for (const pair of redundantPrefixes(fileIndexes.map(({ index }) => index))) {
    const shorter = fileIndexes[pair.shorter]!
    findings.push(
      find('warning', 'redundant-prefix-index', redundantMessage(shorter.index.name, pair.longerName), {
        index: shorter.index.name,
        path: ['indexes', shorter.position, 'name']
      })
    )
  }

  findings.push(...checkProbes(loaded, find))
  return inFileOrder(findings)
}

/** Findings sorted by line (stable: same line keeps rule order); findings without a line go last. */
function inFileOrder(findings: Finding[]): Finding[] {
  return findings
    .map((finding, position) => ({ finding, position }))
    .sort(
      (p, q) =>
        (p.finding.line ?? Number.MAX_SAFE_INTEGER) - (q.finding.line ?? Number.MAX_SAFE_INTEGER) ||
        p.position - q.position
    )
    .map(({ finding }) => finding)
}

function lineText(loaded: LoadedIndexFile, path: NodePath): string {
  const line = loaded.lineOf(path)
  return line === undefined ? '?' : String(line)
}

/** The first entry of each name, with its position in the file. */
function uniqueIndexes(indexes: readonly ProposedIndex[]): { index: ProposedIndex; position: number }[] {
  const seen = new Set<string>()
  const out: { index: ProposedIndex; position: number }[] = []
  indexes.forEach((index, position) => {
    if (seen.has(index.name)) return
    seen.add(index.name)
    out.push({ index, position })
  })
  return out
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
    const longer = longerByPrefix.get(keyOf(index.fields))
    const match = longer?.find(other => include(position, other))
    if (match !== undefined) pairs.push({ shorter: position, longerName: indexes[match]!.name })
  })
  return pairs
}

function checkProbes(loaded: LoadedIndexFile, find: ReturnType<typeof makeFinder>): Finding[] {
  const probes = loaded.file.probes
  if (!probes) return []
  const byName = new Map<string, ProposedIndex>()
  for (const index of loaded.file.indexes) if (!byName.has(index.name)) byName.set(index.name, index)
  const findings: Finding[] = []
  probes.forEach((probe, p) => {
    const index = byName.get(probe.index)
    if (!index) {
      findings.push(
        find(
          'error',
          'file-invalid',
          `probes[${p}].index: ${JSON.stringify(probe.index)} is not an index of this file: name one of its indexes.`,
          { index: probe.index, path: ['probes', p, 'index'] }
        )
      )
      return
    }
    const keys = Object.keys(probe.values)
    if (keys.length === 0) {
      findings.push(
        find(
          'error',
          'file-invalid',
          `probes[${p}].values: give a value for at least the first field of ${index.name} (${index.fields[0] ?? '?'}).`,
          { index: index.name, path: ['probes', p, 'values'] }
        )
      )
      return
    }
    const position = new Map(index.fields.map((field, i) => [field, i]))
    let bad = false
    for (const key of keys) {
      if (!position.has(key)) {
        bad = true
        findings.push(
          find(
            'error',
            'file-invalid',
            `probes[${p}].values.${key}: not a field of index ${index.name} (fields: ${index.fields.join(', ')}): use its fields only.`,
            { index: index.name, field: key, path: ['probes', p, 'values', key] }
          )
        )
      }
    }
    if (bad) return
    const covered = new Set(keys.map(key => position.get(key)!))
    for (let i = 0; i < covered.size; i++) {
      if (!covered.has(i)) {
        findings.push(
          find(
            'error',
            'file-invalid',
            `probes[${p}].values: a query uses ${index.name} only with values for a leading prefix of its fields: add ${index.fields[i]!}.`,
            { index: index.name, field: index.fields[i]!, path: ['probes', p, 'values'] }
          )
        )
        break
      }
    }
  })
  return findings
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

/** Resolution of an index field (a name or a join path) to the field it finally names. */
export type FieldResolution =
  { ok: true; field: LiveField; objectId: string } | { ok: false; rule: RuleId; message: string }

/** Field maps per document, built once per call. */
export class FieldIndex {
  private readonly cache = new WeakMap<SchemaDocument, Map<string, LiveField>>()

  fieldsOf(doc: SchemaDocument): Map<string, LiveField> {
    let map = this.cache.get(doc)
    if (!map) {
      map = new Map()
      for (const field of doc.fields) if (!map.has(field.name)) map.set(field.name, field)
      this.cache.set(doc, map)
    }
    return map
  }
}

/**
 * Walks `path` (`field` or `ref.ref.field`) from `doc` through reference fields and `lookup`. Bounded by
 * `maxJoinDepth` hops, so reference cycles cannot loop.
 */
export function resolveFieldPath(
  path: string,
  doc: SchemaDocument,
  lookup: SchemaLookup,
  limits: Limits,
  fields: FieldIndex = new FieldIndex()
): FieldResolution {
  const parts = path.split('.')
  const hops = parts.length - 1
  if (parts.some(part => part === '')) {
    return {
      ok: false,
      rule: 'join-path-invalid',
      message: `Join path ${path} has an empty segment: write it as ref.field.`
    }
  }
  if (hops > limits.maxJoinDepth) {
    return {
      ok: false,
      rule: 'join-path-invalid',
      message: `Join path ${path} has ${hops} hops, deeper than the limit of ${limits.maxJoinDepth}: index a closer field.`
    }
  }
  let current = doc
  for (let h = 0; h <= hops; h++) {
    const name = parts[h]!
    const field = fields.fieldsOf(current).get(name)
    if (!field) {
      if (h === 0) {
        return {
          ok: false,
          rule: 'unknown-field',
          message: `Object ${doc.id} has no field ${name}: check the spelling or add the field to the object first.`
        }
      }
      return {
        ok: false,
        rule: 'join-path-invalid',
        message: `Join path ${path}: object ${current.id} (${current.name}) has no field ${name}: name a field of that object.`
      }
    }
    if (h === hops) return { ok: true, field, objectId: current.id }
    if (field.type !== 'reference') {
      return {
        ok: false,
        rule: 'join-path-invalid',
        message: `Join path ${path}: ${name} is a ${field.type} field, not a reference: only reference fields can be walked.`
      }
    }
    if (field.referenceTo === undefined || field.referenceTo === '') {
      return {
        ok: false,
        rule: 'reference-without-target',
        message: `Join path ${path}: reference field ${name} has no referenceTo: set its target object first.`
      }
    }
    const target = lookup(field.referenceTo)
    if (!target) {
      return {
        ok: false,
        rule: 'join-path-invalid',
        message: `Join path ${path}: the target object ${field.referenceTo} of ${name} is unknown or unreadable: check the reference and the client's read scope.`
      }
    }
    current = target
  }
  /* c8 ignore next */
  return { ok: false, rule: 'join-path-invalid', message: `Join path ${path} cannot be resolved.` }
}

/** Why a field cannot be indexed, or undefined when it can. */
export function indexabilityProblem(
  field: LiveField,
  path: string,
  limits: Limits
): { rule: RuleId; message: string } | undefined {
  if (!INDEXABLE_TYPES.has(field.type)) {
    return {
      rule: 'not-indexable-type',
      message: `Field ${path} is a ${field.type} field, which cannot be indexed: index a string, number, boolean, date or reference field instead.`
    }
  }
  if (field.type === 'string') {
    const length = field.maxLength ?? DEFAULT_STRING_LENGTH
    if (length > limits.maxIndexableStringLength) {
      return {
        rule: 'free-text-field',
        message: `Field ${path} is a free-text string (maxLength ${length}, over ${limits.maxIndexableStringLength}): index a shorter, structured field instead.`
      }
    }
  }
  if (field.type === 'reference' && (field.referenceTo === undefined || field.referenceTo === '')) {
    return {
      rule: 'reference-without-target',
      message: `Reference field ${path} has no referenceTo: set its target object before indexing it.`
    }
  }
  return undefined
}

/** Selectivity rank: explicit hint first; a boolean is low; anything else without a hint is medium. */
export function selectivityRank(field: LiveField): number {
  if (field.type === 'boolean') return RANK.low
  return field.cardinalityHint ? RANK[field.cardinalityHint] : RANK.medium
}

/** Checks against the live schema: fields, types, join paths, selectivity, limits, diff warnings. */
export function checkMerged(input: LiveCheckInput): Finding[] {
  const { loaded, merged, diff, limits, lookup } = input
  const find = makeFinder(loaded, input.customObjectId)
  const findings: Finding[] = []
  const fieldIndex = new FieldIndex()
  const lookupWithSelf: SchemaLookup = id => (id === merged.id ? merged : lookup(id))

  loaded.file.indexes.forEach((index, i) => {
    const resolved: (LiveField | undefined)[] = []
    index.fields.forEach((path, j) => {
      const where = { index: index.name, field: path, path: ['indexes', i, 'fields', j] }
      const resolution = resolveFieldPath(path, merged, lookupWithSelf, limits, fieldIndex)
      if (!resolution.ok) {
        findings.push(find('error', resolution.rule, `Index ${index.name}: ${resolution.message}`, where))
        resolved.push(undefined)
        return
      }
      const problem = indexabilityProblem(resolution.field, path, limits)
      if (problem)
        findings.push(find('error', problem.rule, `Index ${index.name}: ${problem.message}`, where))
      resolved.push(resolution.field)
    })
    const leading = resolved[0]
    if (leading && resolved.length > 1) {
      const leadingRank = selectivityRank(leading)
      const better = resolved.findIndex(
        (field, j) => j > 0 && field !== undefined && selectivityRank(field) > leadingRank
      )
      if (leadingRank === RANK.low && better > 0) {
        findings.push(
          find(
            'warning',
            'low-selectivity-leading-field',
            `Index ${index.name} leads with ${index.fields[0]!}, which has few distinct values, while ${index.fields[better]!} is more selective: put the most selective field first.`,
            { index: index.name, field: index.fields[0]!, path: ['indexes', i, 'fields', 0] }
          )
        )
      }
    }
  })

  const optimizations = loaded.file.fieldOptimizations
  if (optimizations) {
    const fields = fieldIndex.fieldsOf(merged)
    for (const name of Object.keys(optimizations)) {
      if (!fields.has(name)) {
        findings.push(
          find(
            'error',
            'unknown-field',
            `fieldOptimizations names ${name}, which object ${merged.id} lacks: fix the name or remove the entry.`,
            { field: name, path: ['fieldOptimizations', name] }
          )
        )
      }
    }
  }

  const fileNames = new Map<string, number>()
  loaded.file.indexes.forEach((index, i) => {
    if (!fileNames.has(index.name)) fileNames.set(index.name, i)
  })
  const fileCount = fileNames.size
  if (merged.indexes.length > limits.maxIndexesPerObject && fileCount <= limits.maxIndexesPerObject) {
    const kept = merged.indexes.length - fileCount
    findings.push(
      find(
        'error',
        'index-limit-exceeded',
        `Object ${merged.id} would have ${merged.indexes.length} indexes (${kept} kept from the live schema), over the limit of ${limits.maxIndexesPerObject}: set prune: true or list fewer indexes.`,
        { path: ['indexes'] }
      )
    )
  }

  // Prefix pairs the file alone does not explain (checkFile reports those): at least one side is a live
  // index the file does not manage, and at least one side is the file's.
  const managed = (position: number): boolean => fileNames.has(merged.indexes[position]!.name)
  const pairs = redundantPrefixes(merged.indexes, (shorter, longer) => managed(shorter) !== managed(longer))
  for (const pair of pairs) {
    const shorter = merged.indexes[pair.shorter]!
    const filePosition = fileNames.get(shorter.name) ?? fileNames.get(pair.longerName)
    findings.push(
      find('warning', 'redundant-prefix-index', redundantMessage(shorter.name, pair.longerName), {
        index: shorter.name,
        path: filePosition === undefined ? ['indexes'] : ['indexes', filePosition, 'name']
      })
    )
  }

  for (const name of diff.modified) {
    const position = fileNames.get(name)
    findings.push(
      find(
        'warning',
        'index-modified',
        `Index ${name} changes: it rebuilds and queries cannot use it until it is active again; deploy at a quiet time.`,
        { index: name, path: position === undefined ? ['indexes'] : ['indexes', position] }
      )
    )
  }
  for (const name of diff.removed) {
    findings.push(
      find(
        'warning',
        'index-dropped',
        `Live index ${name} is not in the file and prune: true drops it: add it to the file to keep it.`,
        { index: name, path: ['prune'] }
      )
    )
  }
  for (const name of diff.unmanaged) {
    findings.push(
      find(
        'warning',
        'unmanaged-index',
        `Live index ${name} is not in the file and is kept: add it to the file to manage it, or set prune: true to drop it.`,
        { index: name, path: ['indexes'] }
      )
    )
  }
  return inFileOrder(findings)
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
  const fieldIndex = new FieldIndex()
  const missing = new Set<string>()
  const seenPaths = new Set<string>()
  const resolve: SchemaLookup = id => (id === doc.id ? doc : lookup(id))
  for (const index of doc.indexes) {
    if (wanted && !wanted.has(index.name)) continue
    for (const path of index.fields) {
      if (!path.includes('.') || seenPaths.has(path)) continue
      seenPaths.add(path)
      const parts = path.split('.')
      const hops = Math.min(parts.length - 1, limits.maxJoinDepth)
      let current = doc
      for (let h = 0; h < hops; h++) {
        const field = fieldIndex.fieldsOf(current).get(parts[h]!)
        if (!field || field.type !== 'reference' || !field.referenceTo) break
        const target = resolve(field.referenceTo)
        if (!target) {
          missing.add(field.referenceTo)
          break
        }
        current = target
      }
    }
  }
  return [...missing]
}
