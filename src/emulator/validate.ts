// Server-side validation of a PUT schema document (docs/rules.md#the-schema-document), as the platform would
// do it: every broken rule becomes one ErrorBody detail whose fieldName points into the body
// (`indexes[2].fields[0]`).
import { CARDINALITY_HINTS, FIELD_TYPES, SORT_ORDERS, type Limits, type SchemaDocument } from '../model.js'

export interface ErrorDetail {
  errorCode: string
  fieldName?: string
  entityId?: string
  entityName?: string
}

/** A detail with the sentence a user reads; the sentence goes into the ErrorBody message. */
export interface Problem extends ErrorDetail {
  text: string
}

const INDEX_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/
const INDEXABLE = new Set(['string', 'number', 'boolean', 'date', 'reference'])
const DEFAULT_STRING_LENGTH = 255

type Doc = Record<string, unknown>

function isObject(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function fieldsOf(doc: Doc): Doc[] {
  return Array.isArray(doc.fields) ? doc.fields.filter(isObject) : []
}

function findField(doc: Doc, name: string): Doc | undefined {
  return fieldsOf(doc).find(f => f.name === name)
}

/**
 * Checks one index field (a name or a join path) against `self` (the body) and the other objects.
 * Returns the problem, or undefined when the field can be indexed.
 */
export function checkIndexField(
  path: string,
  self: Doc,
  selfId: string,
  lookup: (id: string) => SchemaDocument | undefined,
  limits: Limits
): { errorCode: string; text: string } | undefined {
  const hops = path.split('.')
  if (hops.some(h => h === ''))
    return { errorCode: 'join.path.invalid', text: `'${path}' is not a field name or a join path` }
  if (hops.length - 1 > limits.maxJoinDepth) {
    return {
      errorCode: 'join.path.too.deep',
      text: `join path '${path}' has ${hops.length - 1} hops; at most ${limits.maxJoinDepth} are allowed`
    }
  }
  let doc: Doc = self
  let docName = typeof self.name === 'string' ? self.name : selfId
  for (let i = 0; i < hops.length; i++) {
    const hop = hops[i]!
    const field = findField(doc, hop)
    const last = i === hops.length - 1
    if (!field) {
      return i === 0
        ? { errorCode: 'unknown.field', text: `field '${hop}' does not exist on ${docName}` }
        : {
            errorCode: 'join.path.invalid',
            text: `join path '${path}': field '${hop}' does not exist on ${docName}`
          }
    }
    if (last) {
      const type = String(field.type)
      if (type === 'reference' && typeof field.referenceTo !== 'string') {
        return {
          errorCode: 'reference.without.target',
          text: `reference field '${path}' has no referenceTo and cannot be indexed`
        }
      }
      if (!INDEXABLE.has(type)) {
        return {
          errorCode: 'not.indexable.type',
          text: `field '${path}' is of type ${type}, which cannot be indexed`
        }
      }
      if (type === 'string') {
        const max = typeof field.maxLength === 'number' ? field.maxLength : DEFAULT_STRING_LENGTH
        if (max > limits.maxIndexableStringLength) {
          return {
            errorCode: 'free.text.field',
            text: `field '${path}' is a free-text string (maxLength ${max} > ${limits.maxIndexableStringLength}) and cannot be indexed`
          }
        }
      }
      return undefined
    }
    if (field.type !== 'reference') {
      return {
        errorCode: 'join.path.invalid',
        text: `join path '${path}': '${hop}' is a ${String(field.type)}, not a reference`
      }
    }
    if (typeof field.referenceTo !== 'string') {
      return {
        errorCode: 'join.path.invalid',
        text: `join path '${path}': reference '${hop}' has no referenceTo`
      }
    }
    const target = field.referenceTo === selfId ? self : lookup(field.referenceTo)
    if (!target) {
      return {
        errorCode: 'join.path.invalid',
        text: `join path '${path}': object ${field.referenceTo} does not exist`
      }
    }
    doc = target
    docName = typeof target.name === 'string' ? target.name : field.referenceTo
  }
  return undefined
}

/** Every rule the body breaks, in body order; empty when the document may be stored. */
export function validateDocument(
  body: Doc,
  selfId: string,
  lookup: (id: string) => SchemaDocument | undefined,
  limits: Limits
): Problem[] {
  const problems: Problem[] = []
  const add = (p: Problem): void => {
    problems.push({ entityId: selfId, ...p })
  }
  if (typeof body.name !== 'string' || body.name.trim() === '') {
    add({ errorCode: 'required.field', fieldName: 'name', text: 'name must be a non-empty string' })
  }
  if ('description' in body && body.description !== undefined && typeof body.description !== 'string') {
    add({ errorCode: 'invalid.value', fieldName: 'description', text: 'description must be a string' })
  }
  if (!Array.isArray(body.fields)) {
    add({ errorCode: 'required.field', fieldName: 'fields', text: 'fields must be an array' })
  } else {
    const seen = new Set<string>()
    body.fields.forEach((f: unknown, i) => {
      const at = `fields[${i}]`
      if (!isObject(f)) {
        add({ errorCode: 'invalid.value', fieldName: at, text: `${at} must be an object` })
        return
      }
      if (typeof f.name !== 'string' || f.name === '') {
        add({
          errorCode: 'required.field',
          fieldName: `${at}.name`,
          text: `${at}.name must be a non-empty string`
        })
      } else if (seen.has(f.name)) {
        add({
          errorCode: 'duplicate.field.name',
          fieldName: `${at}.name`,
          entityName: f.name,
          text: `field '${f.name}' is defined twice`
        })
      } else seen.add(f.name)
      if (!(FIELD_TYPES as readonly unknown[]).includes(f.type)) {
        add({
          errorCode: 'invalid.value',
          fieldName: `${at}.type`,
          text: `${at}.type must be one of ${FIELD_TYPES.join(', ')}`
        })
      }
      if (f.maxLength !== undefined && !(Number.isInteger(f.maxLength) && (f.maxLength as number) > 0)) {
        add({
          errorCode: 'invalid.value',
          fieldName: `${at}.maxLength`,
          text: `${at}.maxLength must be a positive integer`
        })
      }
      if (f.referenceTo !== undefined && typeof f.referenceTo !== 'string') {
        add({
          errorCode: 'invalid.value',
          fieldName: `${at}.referenceTo`,
          text: `${at}.referenceTo must be an object id`
        })
      }
      if (
        f.cardinalityHint !== undefined &&
        !(CARDINALITY_HINTS as readonly unknown[]).includes(f.cardinalityHint)
      ) {
        add({
          errorCode: 'invalid.value',
          fieldName: `${at}.cardinalityHint`,
          text: `${at}.cardinalityHint must be one of ${CARDINALITY_HINTS.join(', ')}`
        })
      }
      if (f.required !== undefined && typeof f.required !== 'boolean') {
        add({
          errorCode: 'invalid.value',
          fieldName: `${at}.required`,
          text: `${at}.required must be true or false`
        })
      }
    })
  }
  if (!Array.isArray(body.indexes)) {
    add({ errorCode: 'required.field', fieldName: 'indexes', text: 'indexes must be an array' })
    return problems
  }
  if (body.indexes.length > limits.maxIndexesPerObject) {
    add({
      errorCode: 'too.many.indexes',
      fieldName: 'indexes',
      text: `${body.indexes.length} indexes; an object may have at most ${limits.maxIndexesPerObject}`
    })
  }
  const names = new Set<string>()
  body.indexes.forEach((ix: unknown, i) => {
    const at = `indexes[${i}]`
    if (!isObject(ix)) {
      add({ errorCode: 'invalid.value', fieldName: at, text: `${at} must be an object` })
      return
    }
    const name = typeof ix.name === 'string' ? ix.name : undefined
    const entity = name !== undefined ? { entityName: name } : {}
    if (name === undefined || !INDEX_NAME.test(name)) {
      add({
        errorCode: 'invalid.index.name',
        fieldName: `${at}.name`,
        ...entity,
        text: `${at}.name must match ${INDEX_NAME.source}`
      })
    } else if (names.has(name)) {
      add({
        errorCode: 'duplicate.index.name',
        fieldName: `${at}.name`,
        entityName: name,
        text: `index '${name}' is defined twice`
      })
    } else names.add(name)
    if (!Array.isArray(ix.fields) || ix.fields.length === 0 || !ix.fields.every(f => typeof f === 'string')) {
      add({
        errorCode: 'invalid.value',
        fieldName: `${at}.fields`,
        ...entity,
        text: `${at}.fields must be a non-empty array of field names`
      })
      return
    }
    const fields = ix.fields
    if (fields.length > limits.maxFieldsPerIndex) {
      add({
        errorCode: 'too.many.fields',
        fieldName: `${at}.fields`,
        ...entity,
        text: `index '${name ?? i}' has ${fields.length} fields; at most ${limits.maxFieldsPerIndex} are allowed`
      })
    }
    if (ix.order !== undefined) {
      if (!Array.isArray(ix.order) || !ix.order.every(o => (SORT_ORDERS as readonly unknown[]).includes(o))) {
        add({
          errorCode: 'invalid.value',
          fieldName: `${at}.order`,
          ...entity,
          text: `${at}.order must be an array of asc/desc`
        })
      } else if (ix.order.length !== fields.length) {
        add({
          errorCode: 'order.length.mismatch',
          fieldName: `${at}.order`,
          ...entity,
          text: `index '${name ?? i}' has ${ix.order.length} order entries for ${fields.length} fields`
        })
      }
    }
    if (ix.unique !== undefined && typeof ix.unique !== 'boolean') {
      add({
        errorCode: 'invalid.value',
        fieldName: `${at}.unique`,
        ...entity,
        text: `${at}.unique must be true or false`
      })
    }
    fields.forEach((field, j) => {
      const problem = checkIndexField(field, body, selfId, lookup, limits)
      if (problem)
        add({
          ...problem,
          fieldName: `${at}.fields[${j}]`,
          ...entity,
          text: `index '${name ?? i}': ${problem.text}`
        })
    })
  })
  return problems
}
