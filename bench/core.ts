// Bench of the pure core: parse (index file, schema document) + merge + checks (checkFile and
// checkMerged) + payload hash + text diff at 1×, 10× and 100× scale of
// (fields × indexes × referenced objects), from 50 fields, 10 indexes and 1 referenced object. Each step's
// median over several runs, and its ratio to the previous scale (≈10 means linear).
// Run alone: `npx tsx bench/core.ts`.
import { fileURLToPath } from 'node:url'
import { parseIndexFile } from '../src/indexfile/parse.js'
import { DEFAULT_LIMITS } from '../src/model.js'
import type { LiveField, LiveIndex, Limits, SchemaDocument, SchemaLookup } from '../src/model.js'
import { textDiff } from '../src/plan/diff.js'
import { parseSchemaDocument } from '../src/plan/document.js'
import { payloadHash } from '../src/plan/hash.js'
import { mergeIndexFile } from '../src/plan/merge.js'
import { checkFile, checkMerged } from '../src/plan/rules.js'
import type { BenchRow } from './types.js'

const BASE = { fields: 50, indexes: 10, objects: 1 }
const SCALES = [1, 10, 100]
const STEPS = ['file', 'schema', 'merge', 'checks', 'hash', 'diff'] as const
type Step = (typeof STEPS)[number]

export interface Scenario {
  live: SchemaDocument
  /** The live document as the server's JSON would arrive (for parseSchemaDocument). */
  liveJson: unknown
  text: string
  lookup: SchemaLookup
  limits: Limits
}

/** A live object with `fields` fields (a tenth of them references), half the proposed indexes live. */
export function benchScenario(fields: number, indexes: number, objects: number): Scenario {
  const targets: SchemaDocument[] = Array.from({ length: objects }, (_, o) => ({
    id: `target-${o}`,
    name: `Target ${o}`,
    schemaVersion: 1,
    fields: Array.from({ length: 10 }, (_, f) => ({ name: `t${f}`, type: 'string', maxLength: 64 })),
    indexes: []
  }))
  const byId = new Map(targets.map(doc => [doc.id, doc]))
  const types = ['string', 'number', 'date', 'boolean'] as const
  const liveFields: LiveField[] = Array.from({ length: fields }, (_, f): LiveField => {
    if (f % 10 === 9) return { name: `f${f}`, type: 'reference', referenceTo: `target-${f % objects}` }
    const type = types[f % types.length]!
    return type === 'string' ? { name: `f${f}`, type, maxLength: 128 } : { name: `f${f}`, type }
  })
  const proposed = Array.from({ length: indexes }, (_, i) => {
    const a = (i * 7) % fields
    const b = (i * 13 + 1) % fields
    const ref = Math.floor(((i * 10) % fields) / 10) * 10 + 9
    const join = ref < fields ? [`f${ref}.t${i % 10}`] : []
    return {
      name: `idx_${i}`,
      fields: [`f${a}`, `f${b}`, ...join],
      order: i % 3 === 0 ? ['desc'] : undefined
    }
  })
  const liveIndexes: LiveIndex[] = proposed
    .filter((_, i) => i % 2 === 0)
    .map((index, k) => ({
      name: index.name,
      fields: k % 4 === 0 ? index.fields.slice(0, 2) : index.fields,
      status: 'active' as const,
      shard: k
    }))
  const live: SchemaDocument = {
    id: 'bench-object',
    name: 'Bench',
    schemaVersion: 4,
    lastUpdated: '2026-01-01T00:00:00.000Z',
    selfUri: '/api/v2/data-gateway/customobjects/schemas/bench-object',
    fields: liveFields,
    indexes: liveIndexes
  }
  const lines = ['customObjectId: bench-object', 'indexes:']
  for (const index of proposed) {
    lines.push(`  - name: ${index.name}`, `    fields: [${index.fields.join(', ')}]`)
    if (index.order) lines.push(`    order: [desc${', asc'.repeat(index.fields.length - 1)}]`)
  }
  lines.push('fieldOptimizations:', '  f0: { cardinalityHint: low }', '  f1: { cardinalityHint: high }')
  const limits: Limits = { ...DEFAULT_LIMITS, maxIndexesPerObject: indexes * 2 }
  return {
    live,
    liveJson: JSON.parse(JSON.stringify(live)),
    text: `${lines.join('\n')}\n`,
    lookup: id => byId.get(id),
    limits
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Runs every step once; returns each step's milliseconds. */
function runOnce(s: Scenario): Record<Step, number> {
  const times = {} as Record<Step, number>
  let t = performance.now()
  const { loaded } = parseIndexFile('bench.yaml', s.text)
  if (!loaded) throw new Error('bench index file did not parse')
  times.file = performance.now() - t

  t = performance.now()
  const live = parseSchemaDocument(s.liveJson)
  times.schema = performance.now() - t

  t = performance.now()
  const { document, diff } = mergeIndexFile(live, loaded.file)
  times.merge = performance.now() - t

  t = performance.now()
  const findings = [
    ...checkFile(loaded, 'bench-object', s.limits),
    ...checkMerged({
      loaded,
      customObjectId: 'bench-object',
      live,
      merged: document,
      diff,
      limits: s.limits,
      lookup: s.lookup
    })
  ]
  times.checks = performance.now() - t
  if (findings.some(f => f.severity === 'error')) {
    throw new Error(
      `bench scenario has errors: ${JSON.stringify(findings.find(f => f.severity === 'error'))}`
    )
  }

  t = performance.now()
  payloadHash(document)
  times.hash = performance.now() - t

  t = performance.now()
  textDiff(live, document)
  times.diff = performance.now() - t
  return times
}

export async function benchCore(runs = 7): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  let previous: Record<Step | 'total', number> | undefined
  for (const scale of SCALES) {
    const fields = BASE.fields * scale
    const indexes = BASE.indexes * scale
    const objects = BASE.objects * scale
    const s = benchScenario(fields, indexes, objects)
    runOnce(s) // warm-up
    const samples: Record<Step, number>[] = []
    for (let r = 0; r < runs; r++) {
      samples.push(runOnce(s))
      await new Promise(resolve => setImmediate(resolve))
    }
    const current = {} as Record<Step | 'total', number>
    for (const step of STEPS) current[step] = median(samples.map(sample => sample[step]))
    current.total = median(samples.map(sample => STEPS.reduce((sum, step) => sum + sample[step], 0)))
    for (const step of [...STEPS, 'total'] as const) {
      const ratio = previous ? current[step] / Math.max(previous[step], 1e-3) : undefined
      rows.push({
        name: `core ${step} ${scale}x (${fields} fields, ${indexes} indexes, ${objects} objects)`,
        value: Number(current[step].toFixed(3)),
        unit: 'ms',
        note:
          ratio === undefined
            ? `median of ${runs}`
            : `median of ${runs}; ${ratio.toFixed(1)}x the previous scale`
      })
    }
    previous = current
  }
  return rows
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await benchCore()
  const width = Math.max(...rows.map(row => row.name.length))
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(width)}  ${row.value.toFixed(2).padStart(9)} ${row.unit}  ${row.note ?? ''}`
    )
  }
}
