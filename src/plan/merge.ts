// Merging an index file into the live document (docs/rules.md#merging-into-the-live-document). Pure: inputs are
// never mutated.
//
// Decisions (the merging rules leave them open: docs/rules.md#merging-into-the-live-document):
// - An index of the same name whose `fields`, `order` and `unique` equal the live ones, compared
//   normalised (no `order` = all `asc`, no `unique` = false), is not a modification: the live index is
//   kept exactly as it is, so `order: [asc]` against a live index without `order` changes nothing.
// - A modified index takes the file's three keys as authoritative: a key absent in the file is absent in
//   the merged index. Its other keys are kept, except the read-only `status`/`statusReason`, which the
//   server sets again after the PUT.
// - A name listed twice in the file is merged once, from its first entry (the rules report the duplicate).
// - `fieldOptimizations` for a field the object lacks are left out here; `checkMerged` reports them.
// - The result shares unchanged sub-objects with `live`: treat both as read-only.
import type {
  IndexDiff,
  IndexFile,
  LiveField,
  LiveIndex,
  ProposedIndex,
  SchemaDocument,
  SortOrder
} from '../model.js'
import { INDEX_READ_ONLY } from './schema-doc.js'

export interface MergeResult {
  document: SchemaDocument
  diff: IndexDiff
}

/** The normalised sort order of an index: `order`, or all `asc` when absent. */
export function normalisedOrder(index: {
  fields: readonly string[]
  order?: readonly SortOrder[]
}): SortOrder[] {
  return index.order ? [...index.order] : index.fields.map(() => 'asc')
}

/** Whether the file's index differs from the live one in `fields`, `order` or `unique` (normalised). */
export function indexDefinitionDiffers(live: LiveIndex, proposed: ProposedIndex): boolean {
  return (
    !sameList(live.fields, proposed.fields) ||
    !sameList(normalisedOrder(live), normalisedOrder(proposed)) ||
    (live.unique ?? false) !== (proposed.unique ?? false)
  )
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i])
}

/** The live index with the file's `fields`, `order` and `unique`; other keys kept, read-only ones dropped. */
function modifiedIndex(live: LiveIndex, proposed: ProposedIndex): LiveIndex {
  const replaced = new Set<string>(['name', 'fields', 'order', 'unique', ...INDEX_READ_ONLY])
  // Object.fromEntries defines own properties, so even a key named `__proto__` is kept.
  const out: LiveIndex = {
    name: live.name,
    fields: [...proposed.fields],
    ...Object.fromEntries(Object.entries(live).filter(([key]) => !replaced.has(key)))
  }
  if (proposed.order) out.order = [...proposed.order]
  if (proposed.unique !== undefined) out.unique = proposed.unique
  return out
}

function newIndex(proposed: ProposedIndex): LiveIndex {
  const out: LiveIndex = { name: proposed.name, fields: [...proposed.fields] }
  if (proposed.order) out.order = [...proposed.order]
  if (proposed.unique !== undefined) out.unique = proposed.unique
  return out
}

export function mergeIndexFile(live: SchemaDocument, file: IndexFile): MergeResult {
  const proposedByName = new Map<string, ProposedIndex>()
  for (const proposed of file.indexes) {
    if (!proposedByName.has(proposed.name)) proposedByName.set(proposed.name, proposed)
  }

  const diff: IndexDiff = { added: [], modified: [], removed: [], unmanaged: [] }
  const liveNames = new Set<string>()
  const modified = new Set<string>()
  const indexes: LiveIndex[] = []
  for (const index of live.indexes) {
    liveNames.add(index.name)
    const proposed = proposedByName.get(index.name)
    if (proposed === undefined) {
      if (file.prune === true) diff.removed.push(index.name)
      else {
        diff.unmanaged.push(index.name)
        indexes.push(index)
      }
    } else if (indexDefinitionDiffers(index, proposed)) {
      modified.add(index.name)
      indexes.push(modifiedIndex(index, proposed))
    } else {
      indexes.push(index)
    }
  }
  for (const [name, proposed] of proposedByName) {
    if (modified.has(name)) diff.modified.push(name)
    if (!liveNames.has(name)) {
      diff.added.push(name)
      indexes.push(newIndex(proposed))
    }
  }

  const fields = applyFieldOptimizations(live.fields, file.fieldOptimizations)
  const document: SchemaDocument = { ...live, fields, indexes }
  return { document, diff }
}

function applyFieldOptimizations(
  fields: LiveField[],
  optimizations: IndexFile['fieldOptimizations']
): LiveField[] {
  if (!optimizations) return fields
  return fields.map(field => {
    if (!Object.hasOwn(optimizations, field.name)) return field
    const optimization = optimizations[field.name]
    if (!optimization) return field
    let out: LiveField | undefined
    for (const [key, value] of Object.entries(optimization)) {
      if (value === undefined || field[key] === value) continue
      out ??= { ...field }
      out[key] = value
    }
    return out ?? field
  })
}
