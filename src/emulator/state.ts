// Persistence for `--state DIR`: one `{id}.schema.json` and one `{id}.records.json` per object, written
// atomically (temp file, then rename). Records are written when missing and on close; schemas on every change.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { SchemaDocument } from '../model.js'
import type { EmulatorData, EmulatorRecord } from './types.js'

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, text)
  renameSync(tmp, file)
}

/** The dataset kept in `dir`, or undefined when it holds none yet. */
export function loadState(dir: string): EmulatorData | undefined {
  if (!existsSync(dir)) return undefined
  const schemas = readdirSync(dir).filter(f => f.endsWith('.schema.json'))
  if (schemas.length === 0) return undefined
  return {
    objects: schemas.sort().map(f => {
      const schema = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as SchemaDocument
      const recordsFile = path.join(dir, f.replace(/\.schema\.json$/, '.records.json'))
      const records = existsSync(recordsFile)
        ? (JSON.parse(readFileSync(recordsFile, 'utf8')) as EmulatorRecord[])
        : []
      return { schema, records }
    })
  }
}

/** Writes every schema, and the records of objects whose records file is missing (or all when `records`). */
export function saveState(
  dir: string,
  objects: { doc: SchemaDocument; records: EmulatorRecord[] }[],
  records: boolean
): void {
  mkdirSync(dir, { recursive: true })
  for (const o of objects) {
    const base = path.join(dir, o.doc.id)
    writeAtomic(`${base}.schema.json`, `${JSON.stringify(o.doc, null, 2)}\n`)
    if (records || !existsSync(`${base}.records.json`))
      writeAtomic(`${base}.records.json`, JSON.stringify(o.records))
  }
}
