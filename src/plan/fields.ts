// Index fields (docs/rules.md#the-schema-document): resolving a field name or join path to the field it
// names, and what that field allows (indexable or not, how selective). Pure.
import type { CardinalityHint, LiveField, Limits, RuleId, SchemaDocument, SchemaLookup } from '../model.js'

/** A string without maxLength counts as this long (docs/rules.md#the-schema-document). */
export const DEFAULT_STRING_LENGTH = 255

const INDEXABLE_TYPES = new Set(['string', 'number', 'boolean', 'date', 'reference'])

const RANK: Record<CardinalityHint, number> = { low: 0, medium: 1, high: 2 }

/** The field an index field finally names, or why it names none (`unknownObject`: a target not in the lookup). */
export type FieldResolution =
  | { ok: true; field: LiveField; objectId: string }
  | { ok: false; rule: RuleId; message: string; unknownObject?: string }

/**
 * Resolves the index fields of `doc` (`field` or `ref.ref.field`) through reference fields and `lookup`
 * (`doc` itself included, for references to the same object); each document's fields are mapped once.
 * Bounded by `maxJoinDepth` hops, so reference cycles cannot loop.
 */
export class FieldResolver {
  private readonly maps = new Map<SchemaDocument, Map<string, LiveField>>()

  constructor(
    readonly doc: SchemaDocument,
    private readonly lookup: SchemaLookup,
    private readonly limits: Limits
  ) {}

  /** The fields of a document by name (the first of a name). */
  fieldsOf(doc: SchemaDocument): Map<string, LiveField> {
    let map = this.maps.get(doc)
    if (!map) {
      map = new Map()
      for (const field of doc.fields) if (!map.has(field.name)) map.set(field.name, field)
      this.maps.set(doc, map)
    }
    return map
  }

  resolve(path: string): FieldResolution {
    const parts = path.split('.')
    const hops = parts.length - 1
    if (parts.some(part => part === '')) {
      return fail('join-path-invalid', `Join path ${path} has an empty segment: write it as ref.field.`)
    }
    if (hops > this.limits.maxJoinDepth) {
      return fail(
        'join-path-invalid',
        `Join path ${path} has ${hops} hops, deeper than the limit of ${this.limits.maxJoinDepth}: index a closer field.`
      )
    }
    let current = this.doc
    for (let h = 0; h <= hops; h++) {
      const name = parts[h]!
      const field = this.fieldsOf(current).get(name)
      if (!field) {
        return h === 0
          ? fail(
              'unknown-field',
              `Object ${this.doc.id} has no field ${name}: check the spelling or add the field to the object first.`
            )
          : fail(
              'join-path-invalid',
              `Join path ${path}: object ${current.id} (${current.name}) has no field ${name}: name a field of that object.`
            )
      }
      if (h === hops) return { ok: true, field, objectId: current.id }
      if (field.type !== 'reference') {
        return fail(
          'join-path-invalid',
          `Join path ${path}: ${name} is a ${field.type} field, not a reference: only reference fields can be walked.`
        )
      }
      if (field.referenceTo === undefined || field.referenceTo === '') {
        return fail(
          'reference-without-target',
          `Join path ${path}: reference field ${name} has no referenceTo: set its target object first.`
        )
      }
      const target = field.referenceTo === this.doc.id ? this.doc : this.lookup(field.referenceTo)
      if (!target) {
        return fail(
          'join-path-invalid',
          `Join path ${path}: the target object ${field.referenceTo} of ${name} is unknown or unreadable: check the reference and the client's read scope.`,
          field.referenceTo
        )
      }
      current = target
    }
    /* c8 ignore next */
    return fail('join-path-invalid', `Join path ${path} cannot be resolved.`)
  }
}

function fail(rule: RuleId, message: string, unknownObject?: string): FieldResolution {
  return unknownObject === undefined
    ? { ok: false, rule, message }
    : { ok: false, rule, message, unknownObject }
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

/** Whether a field holds few distinct values: a boolean, or `cardinalityHint: low`. */
export function isLowCardinality(field: LiveField): boolean {
  return selectivityRank(field) === RANK.low
}
