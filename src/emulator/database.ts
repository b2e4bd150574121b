// The emulator's store: schema documents, records, the sorted indexes built from them, background rebuilds,
// and the query planner (leftmost prefix over active indexes, else a full scan).
import { createHash } from 'node:crypto'
import { DEFAULT_LIMITS, type LiveIndex, type Limits, type SchemaDocument } from '../model.js'
import {
  buildSortedIndex,
  compareScalar,
  equalRange,
  firstDuplicate,
  toScalar,
  type Scalar,
  type SortedIndex
} from './sortedindex.js'
import type { EmulatorData, EmulatorRecord } from './types.js'
import { API_PREFIX } from './types.js'
import { validateDocument, type Problem } from './validate.js'

const READ_ONLY_DOC_KEYS = ['id', 'schemaVersion', 'lastUpdated', 'selfUri'] as const
const READ_ONLY_INDEX_KEYS = ['status', 'statusReason'] as const

interface BuiltIndex {
  name: string
  fields: string[]
  sorted: SortedIndex
  /** Changes whenever the index is rebuilt, so page tokens over an older build are refused. */
  build: number
}

interface StoredObject {
  doc: SchemaDocument
  records: EmulatorRecord[]
  byId: Map<string, number>
  built: Map<string, BuiltIndex>
  rebuilds: Map<string, { timer: NodeJS.Timeout; build: number; held?: boolean }>
}

/** A rebuild control names an index, on one object or (no id) on any. */
export interface RebuildTarget {
  index: string
  customObjectId?: string
}

/** The rebuild controls armed: held rebuilds, and rebuilds made to fail. */
export interface RebuildControls {
  held: (RebuildTarget & { waiting: boolean })[]
  failing: (RebuildTarget & { statusReason: string; remaining: number })[]
}

export interface Term {
  field: string
  value: Scalar
}

export interface QueryPlan {
  strategy: 'index' | 'fullScan'
  indexName?: string
  recordsExamined: number
}

export interface QueryPage {
  results: EmulatorRecord[]
  nextPageToken?: string
  indexUsed: boolean
  queryPlan: QueryPlan
}

/** A client error the HTTP layer answers as 400 bad.request (or 404 not.found). */
export class RequestError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
    readonly details: Problem[] = []
  ) {
    super(message)
  }
}

export type PutOutcome = { changed: boolean; doc: SchemaDocument }

export interface DatabaseOptions {
  limits?: Limits
  rebuildRecordsPerSecond: () => number
  rebuildMinMs: number
  /** Called after any stored schema changes (PUT, rebuild end). */
  onChange?: () => void
}

function clone<T>(v: T): T {
  return structuredClone(v)
}

/** JSON with sorted object keys, for comparing documents regardless of key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`
  }
  return JSON.stringify(v) ?? 'null'
}

/** The document without its read-only keys: what a PUT can change. */
function writable(doc: Record<string, unknown>): Record<string, unknown> {
  const out = Object.fromEntries(
    Object.entries(doc).filter(([k]) => !(READ_ONLY_DOC_KEYS as readonly string[]).includes(k))
  )
  if (Array.isArray(out.indexes)) {
    out.indexes = out.indexes.map((ix: unknown) => {
      if (typeof ix !== 'object' || ix === null) return ix
      return Object.fromEntries(
        Object.entries(ix).filter(([k]) => !(READ_ONLY_INDEX_KEYS as readonly string[]).includes(k))
      )
    })
  }
  return out
}

/** What decides whether an index must be rebuilt: its fields, their order (absent = asc) and uniqueness. */
function definition(ix: LiveIndex): string {
  return JSON.stringify([ix.fields, ix.fields.map((_, i) => ix.order?.[i] ?? 'asc'), ix.unique === true])
}

export class Database {
  readonly limits: Limits
  private readonly objects = new Map<string, StoredObject>()
  private buildCounter = 0
  private closed = false
  /** Rebuilds that stay `building` until released. */
  private holds: RebuildTarget[] = []
  /** Rebuilds that end `failed` with this reason, whatever the data. */
  private failures: (RebuildTarget & { statusReason: string; remaining: number })[] = []

  constructor(private readonly opts: DatabaseOptions) {
    this.limits = opts.limits ?? DEFAULT_LIMITS
  }

  /** Loads a dataset: fills read-only keys, builds active indexes now, starts rebuilds of building ones. */
  load(data: EmulatorData): void {
    const now = new Date().toISOString()
    for (const o of data.objects) {
      const doc = clone(o.schema)
      doc.schemaVersion =
        Number.isInteger(doc.schemaVersion) && doc.schemaVersion >= 1 ? doc.schemaVersion : 1
      doc.lastUpdated ??= now
      doc.selfUri = `${API_PREFIX}/schemas/${doc.id}`
      doc.fields ??= []
      doc.indexes ??= []
      for (const ix of doc.indexes) ix.status ??= 'active'
      const byId = new Map<string, number>()
      o.records.forEach((r, i) => byId.set(r.id, i))
      this.objects.set(doc.id, { doc, records: o.records, byId, built: new Map(), rebuilds: new Map() })
    }
    // Indexes after every object is in: join paths read other objects' records.
    for (const obj of this.objects.values()) {
      for (const ix of obj.doc.indexes) {
        if (ix.status === 'active') this.finishBuild(obj, ix, ++this.buildCounter, false)
        else if (ix.status === 'building') this.startRebuild(obj, ix)
      }
    }
  }

  ids(): string[] {
    return [...this.objects.keys()]
  }

  has(id: string): boolean {
    return this.objects.has(id)
  }

  getSchema(id: string): SchemaDocument | undefined {
    const obj = this.objects.get(id)
    return obj ? clone(obj.doc) : undefined
  }

  recordCount(id: string): number {
    return this.objects.get(id)?.records.length ?? 0
  }

  /** Every object as stored: documents and records (the records are the live arrays; do not change them). */
  dump(): { doc: SchemaDocument; records: EmulatorRecord[] }[] {
    return [...this.objects.values()].map(o => ({ doc: clone(o.doc), records: o.records }))
  }

  /**
   * Stores a new document as PUT does. `expectedVersion` undefined: a concurrent writer (no version check).
   * Throws RequestError 400/404/409. An unknown id is created only when `create` is set.
   */
  put(
    id: string,
    body: Record<string, unknown>,
    expectedVersion: number | undefined,
    create = false
  ): PutOutcome {
    let obj = this.objects.get(id)
    if (!obj && !create) throw new RequestError(404, `custom object ${id} not found`)
    if (obj && expectedVersion !== undefined && expectedVersion !== obj.doc.schemaVersion) {
      throw new RequestError(
        409,
        `schemaVersion ${expectedVersion} is not the current version ${obj.doc.schemaVersion} of ${id}; fetch the schema again and re-apply the change`
      )
    }
    const problems = validateDocument(body, id, other => this.objects.get(other)?.doc, this.limits)
    if (problems.length > 0) {
      const first = problems[0]!
      const more =
        problems.length > 1
          ? ` (and ${problems.length - 1} more: ${problems
              .slice(1)
              .map(p => `${p.fieldName ?? ''}: ${p.text}`)
              .join('; ')})`
          : ''
      throw new RequestError(
        400,
        `The schema document is invalid: ${first.fieldName ?? ''}: ${first.text}${more}`,
        problems
      )
    }
    const next = writable(clone(body))
    if (obj && canonical(next) === canonical(writable(obj.doc)))
      return { changed: false, doc: clone(obj.doc) }

    if (!obj) {
      obj = {
        doc: { id, name: '', schemaVersion: 0, fields: [], indexes: [] },
        records: [],
        byId: new Map(),
        built: new Map(),
        rebuilds: new Map()
      }
      this.objects.set(id, obj)
    }
    const previous = new Map(obj.doc.indexes.map(ix => [ix.name, ix]))
    const doc = {
      ...next,
      id,
      schemaVersion: obj.doc.schemaVersion + 1,
      lastUpdated: new Date().toISOString(),
      selfUri: `${API_PREFIX}/schemas/${id}`
    } as SchemaDocument
    const toBuild: LiveIndex[] = []
    for (const ix of doc.indexes) {
      const old = previous.get(ix.name)
      if (old && definition(old) === definition(ix)) {
        if (old.status !== undefined) ix.status = old.status
        if (old.statusReason !== undefined) ix.statusReason = old.statusReason
      } else {
        ix.status = 'building'
        toBuild.push(ix)
      }
    }
    const kept = new Set(doc.indexes.filter(ix => !toBuild.includes(ix)).map(ix => ix.name))
    for (const name of [...obj.built.keys()]) if (!kept.has(name)) obj.built.delete(name)
    for (const [name, r] of obj.rebuilds) {
      if (!kept.has(name) || toBuild.some(ix => ix.name === name)) {
        clearTimeout(r.timer)
        obj.rebuilds.delete(name)
      }
    }
    obj.doc = doc
    for (const ix of toBuild) this.startRebuild(obj, ix)
    this.opts.onChange?.()
    return { changed: true, doc: clone(doc) }
  }

  private startRebuild(obj: StoredObject, ix: LiveIndex): void {
    const build = ++this.buildCounter
    const rate = Math.max(1, this.opts.rebuildRecordsPerSecond())
    const ms = this.opts.rebuildMinMs + (obj.records.length / rate) * 1000
    const timer = setTimeout(() => {
      const current = obj.rebuilds.get(ix.name)
      // Held: it stays building (a rebuild that outlives any wait) until released.
      if (current?.build === build && this.holding(obj.doc.id, ix.name)) current.held = true
      else this.endRebuild(obj, ix.name, build)
    }, ms)
    timer.unref()
    obj.rebuilds.set(ix.name, { timer, build })
  }

  /**
   * Ends rebuild `build` of index `name`: the index is built, or fails (duplicates, or a failure armed for it),
   * unless a newer PUT replaced it.
   */
  private endRebuild(obj: StoredObject, name: string, build: number): void {
    if (this.closed) return
    const current = obj.rebuilds.get(name)
    if (current?.build !== build) return
    clearTimeout(current.timer)
    obj.rebuilds.delete(name)
    const live = obj.doc.indexes.find(i => i.name === name)
    if (!live || live.status !== 'building') return
    const failure = this.failures.find(f => targets(f, obj.doc.id, name))
    if (failure) {
      failure.remaining--
      this.failures = this.failures.filter(f => f.remaining > 0)
      live.status = 'failed'
      live.statusReason = failure.statusReason
      obj.built.delete(name)
    } else {
      this.finishBuild(obj, live, build, true)
    }
    this.opts.onChange?.()
  }

  /**
   * Ends every running rebuild now, as if its time had come: tests give rebuilds a time that never comes
   * (`rebuildMinMs` of an hour) and end them when the scenario says, so no outcome depends on the machine's
   * speed. Returns how many ended.
   */
  finishRebuilds(): number {
    let ended = 0
    for (const obj of this.objects.values()) {
      for (const [name, r] of [...obj.rebuilds]) {
        this.endRebuild(obj, name, r.build)
        ended++
      }
    }
    return ended
  }

  private holding(id: string, name: string): boolean {
    return this.holds.some(h => targets(h, id, name))
  }

  /** From now on, rebuilds of `target` stay `building` when they would end, until released. */
  holdRebuilds(target: RebuildTarget): void {
    if (!this.holds.some(h => h.index === target.index && h.customObjectId === target.customObjectId))
      this.holds.push({ ...target })
  }

  /**
   * Lifts the holds on `target` (every hold when absent) and ends at once each rebuild they kept building, as it
   * would have ended. Returns how many rebuilds ended.
   */
  releaseRebuilds(target?: Partial<RebuildTarget>): number {
    this.holds = this.holds.filter(
      h =>
        target !== undefined &&
        ((target.index !== undefined && h.index !== target.index) ||
          (target.customObjectId !== undefined && h.customObjectId !== target.customObjectId))
    )
    let ended = 0
    for (const obj of this.objects.values()) {
      for (const [name, r] of [...obj.rebuilds]) {
        if (!r.held || this.holding(obj.doc.id, name)) continue
        this.endRebuild(obj, name, r.build)
        ended++
      }
    }
    return ended
  }

  /** The next `count` rebuilds of `target` end `failed` with `statusReason`, whatever the records hold. */
  failRebuilds(target: RebuildTarget, statusReason: string, count = 1): void {
    this.failures.push({ ...target, statusReason, remaining: count })
  }

  /** What the rebuild controls hold now. */
  rebuildControls(): RebuildControls {
    const waiting = (h: RebuildTarget): boolean =>
      [...this.objects.values()].some(
        o => (h.customObjectId ?? o.doc.id) === o.doc.id && o.rebuilds.get(h.index)?.held === true
      )
    return {
      held: this.holds.map(h => ({ ...h, waiting: waiting(h) })),
      failing: this.failures.map(f => ({ ...f }))
    }
  }

  /** Lifts every hold (ending what they kept building) and disarms every failure. */
  clearRebuildControls(): void {
    this.failures = []
    this.releaseRebuilds()
  }

  /** Builds the sorted index now; a unique index over duplicate values fails with the reason. */
  private finishBuild(obj: StoredObject, ix: LiveIndex, build: number, setStatus: boolean): void {
    const directions = ix.fields.map((_, i) => (ix.order?.[i] === 'desc' ? -1 : 1))
    const getters = ix.fields.map(f => this.resolver(obj, f))
    const sorted = buildSortedIndex(obj.records.length, p => getters.map(g => g(obj.records[p]!)), directions)
    if (ix.unique === true) {
      const dup = firstDuplicate(sorted)
      if (dup) {
        ix.status = 'failed'
        ix.statusReason = `unique index '${ix.name}' cannot be built: records ${obj.records[dup.a]!.id} and ${obj.records[dup.b]!.id} share the value ${JSON.stringify(dup.key.length === 1 ? dup.key[0] : dup.key)} for [${ix.fields.join(', ')}]`
        obj.built.delete(ix.name)
        return
      }
    }
    if (setStatus) {
      ix.status = 'active'
      delete ix.statusReason
    }
    obj.built.set(ix.name, { name: ix.name, fields: [...ix.fields], sorted, build })
  }

  /** A function reading `path` (a field or a join path) from a record of `obj`. */
  private resolver(obj: StoredObject, path: string): (r: EmulatorRecord) => Scalar {
    const hops = path.split('.')
    if (hops.length === 1) return r => toScalar(r[path])
    const targets: (StoredObject | undefined)[] = []
    let doc = obj.doc
    for (const hop of hops.slice(0, -1)) {
      const field = doc.fields.find(f => f.name === hop)
      const target = typeof field?.referenceTo === 'string' ? this.objects.get(field.referenceTo) : undefined
      targets.push(target)
      if (!target) break
      doc = target.doc
    }
    return r => {
      let rec: EmulatorRecord | undefined = r
      for (let i = 0; i < hops.length - 1; i++) {
        const ref = rec[hops[i]!]
        const target = targets[i]
        if (typeof ref !== 'string' || !target) return null
        const at = target.byId.get(ref)
        rec = at === undefined ? undefined : target.records[at]
        if (!rec) return null
      }
      return toScalar(rec[hops[hops.length - 1]!])
    }
  }

  /** The field definition a path ends on, or the reason it does not resolve. */
  private fieldAt(obj: StoredObject, path: string): { type: string } | string {
    const hops = path.split('.')
    let doc = obj.doc
    for (let i = 0; i < hops.length; i++) {
      const field = doc.fields.find(f => f.name === hops[i])
      if (!field) return `field '${hops[i]!}' does not exist on ${doc.name}`
      if (i === hops.length - 1) return { type: String(field.type) }
      const target =
        field.type === 'reference' && typeof field.referenceTo === 'string'
          ? this.objects.get(field.referenceTo)
          : undefined
      if (!target) return `'${hops[i]!}' on ${doc.name} is not a reference to a known object`
      doc = target.doc
    }
    return `'${path}' is not a field`
  }

  /** Runs one page of a query (docs/rules.md#queries). Throws RequestError on a bad query. */
  query(
    id: string,
    terms: Term[],
    limit: number,
    pageToken: string | undefined,
    fieldNames: string[]
  ): QueryPage {
    const obj = this.objects.get(id)
    if (!obj) throw new RequestError(404, `custom object ${id} not found`)
    const problems: Problem[] = []
    const typed = terms.map((t, i) => {
      const at = this.fieldAt(obj, t.field)
      if (typeof at === 'string') {
        problems.push({ errorCode: 'unknown.field', fieldName: fieldNames[i]!, entityId: id, text: at })
        return t
      }
      return { field: t.field, value: coerce(t.value, at.type) }
    })
    if (problems.length > 0) {
      throw new RequestError(
        400,
        `The query is invalid: ${problems.map(p => `${p.fieldName ?? ''}: ${p.text}`).join('; ')}`,
        problems
      )
    }
    const getters = typed.map(t => ({ get: this.resolver(obj, t.field), value: t.value }))
    const matches = (r: EmulatorRecord): boolean => getters.every(g => compareScalar(g.get(r), g.value) === 0)
    const queryHash = createHash('sha256')
      .update(canonical({ id, terms: typed }))
      .digest('hex')
      .slice(0, 16)

    let cursor = 0
    let chosen: { index: BuiltIndex; prefix: number } | undefined
    if (pageToken !== undefined) {
      const token = decodeToken(pageToken)
      if (token?.q !== queryHash) {
        throw new RequestError(
          400,
          'pageToken does not belong to this query; send the same query the token came from, or leave pageToken out to start again'
        )
      }
      if (token.i !== undefined) {
        const index = obj.built.get(token.i)
        if (!index || index.build !== token.b) {
          throw new RequestError(
            400,
            `pageToken expired: index '${token.i}' changed since the first page; leave pageToken out to start again`
          )
        }
        chosen = { index, prefix: token.p ?? 1 }
      }
      cursor = token.c
    } else {
      chosen = this.plan(obj, typed)
    }

    const results: EmulatorRecord[] = []
    let examined = 0
    let next: number | undefined
    if (chosen) {
      const values = new Map(typed.map(t => [t.field, t.value]))
      const prefix = chosen.index.fields.slice(0, chosen.prefix).map(f => values.get(f) ?? null)
      const { lo, hi } = equalRange(chosen.index.sorted, prefix)
      for (let i = lo + cursor; i < hi; i++) {
        examined++
        const rec = obj.records[chosen.index.sorted.positions[i]!]!
        if (!matches(rec)) continue
        if (results.length === limit) {
          next = i - lo
          break
        }
        results.push(rec)
      }
    } else {
      const all: EmulatorRecord[] = []
      for (const rec of obj.records) if (matches(rec)) all.push(rec)
      examined = obj.records.length
      results.push(...all.slice(cursor, cursor + limit))
      if (cursor + limit < all.length) next = cursor + limit
    }
    const page: QueryPage = {
      results: results.map(r => ({ ...r })),
      indexUsed: chosen !== undefined,
      queryPlan: chosen
        ? { strategy: 'index', indexName: chosen.index.name, recordsExamined: examined }
        : { strategy: 'fullScan', recordsExamined: examined }
    }
    if (next !== undefined) {
      page.nextPageToken = encodeToken(
        chosen
          ? { q: queryHash, c: next, i: chosen.index.name, b: chosen.index.build, p: chosen.prefix }
          : { q: queryHash, c: next }
      )
    }
    return page
  }

  /** Leftmost prefix over ACTIVE indexes: the longest covered prefix wins; a tie goes to fewer fields. */
  private plan(obj: StoredObject, terms: Term[]): { index: BuiltIndex; prefix: number } | undefined {
    const termFields = new Set(terms.map(t => t.field))
    let best: { index: BuiltIndex; prefix: number } | undefined
    for (const ix of obj.doc.indexes) {
      if (ix.status !== 'active') continue
      const index = obj.built.get(ix.name)
      if (!index) continue
      let prefix = 0
      while (prefix < index.fields.length && termFields.has(index.fields[prefix]!)) prefix++
      if (prefix === 0) continue
      if (
        !best ||
        prefix > best.prefix ||
        (prefix === best.prefix && index.fields.length < best.index.fields.length)
      ) {
        best = { index, prefix }
      }
    }
    return best
  }

  /** Stops every rebuild timer. */
  close(): void {
    this.closed = true
    for (const obj of this.objects.values()) {
      for (const r of obj.rebuilds.values()) clearTimeout(r.timer)
    }
  }
}

/** Whether a rebuild control names index `name` of object `id`. */
function targets(t: RebuildTarget, id: string, name: string): boolean {
  return t.index === name && (t.customObjectId === undefined || t.customObjectId === id)
}

/** A term value as the field's type stores it: '3' for a number field is 3, 'true' for a boolean is true. */
function coerce(value: Scalar, type: string): Scalar {
  if (type === 'number' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value)
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true'
  if (
    (type === 'string' || type === 'date' || type === 'reference' || type === 'longtext') &&
    typeof value !== 'string' &&
    value !== null
  ) {
    return String(value)
  }
  return value
}

interface PageToken {
  q: string
  c: number
  i?: string
  b?: number
  p?: number
}

function encodeToken(t: PageToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url')
}

function decodeToken(s: string): PageToken | undefined {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Partial<PageToken>
    if (typeof t.q !== 'string' || !Number.isInteger(t.c) || (t.c ?? -1) < 0) return undefined
    return t as PageToken
  } catch {
    return undefined
  }
}
