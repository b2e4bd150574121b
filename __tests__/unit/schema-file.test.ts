import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { indexFileJsonSchema } from '../../src/indexfile/schema.js'
import { reportFileJsonSchema } from '../../src/report/file.js'
import {
  REPORT_SCHEMA_FILE,
  reportSchemaFileText,
  SCHEMA_FILE,
  schemaFileText
} from '../../scripts/write-schema.js'

describe('the committed JSON Schema', () => {
  it('matches a fresh generation from the validator', () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8')
    if (committed !== schemaFileText()) {
      throw new Error('schema/index-file.schema.json is stale: run `npm run schema` and commit the result.')
    }
  })

  it('has a title and description and no external $id', () => {
    const schema = indexFileJsonSchema()
    expect(schema.title).toBe('Custom-object index file')
    expect(typeof schema.description).toBe('string')
    expect(schema).not.toHaveProperty('$id')
    expect(schema.additionalProperties).toBe(false)
    expect(schema.required).toEqual(['indexes'])
  })

  it('gives editors the index-name pattern while the action reports names as a rule', () => {
    const text = JSON.stringify(indexFileJsonSchema())
    expect(text).toContain('"pattern":"^[A-Za-z][A-Za-z0-9_]{0,63}$"')
  })

  it('describes every property for editors', () => {
    const undescribed: string[] = []
    const visit = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object') return
      const record = node as Record<string, unknown>
      const properties = record.properties as Record<string, Record<string, unknown>> | undefined
      for (const [key, child] of Object.entries(properties ?? {})) {
        if (typeof child.description !== 'string') undescribed.push(`${path}.${key}`)
        visit(child, `${path}.${key}`)
      }
      if (record.items) visit(record.items, `${path}[]`)
      if (record.additionalProperties) visit(record.additionalProperties, `${path}{}`)
    }
    visit(indexFileJsonSchema(), '$')
    expect(undescribed).toEqual([])
  })
})

describe('the committed report JSON Schema', () => {
  it('matches a fresh generation from the validator that reads report files', () => {
    const committed = readFileSync(REPORT_SCHEMA_FILE, 'utf8')
    if (committed !== reportSchemaFileText()) {
      throw new Error('schema/report.schema.json is stale: run `npm run schema` and commit the result.')
    }
  })

  it('is strict: version 1, every object closed to unknown keys, strings and lists capped', () => {
    const schema = reportFileJsonSchema()
    expect(schema.title).toBe('Custom-object index report')
    expect(schema).not.toHaveProperty('$id')
    const properties = schema.properties as Record<string, Record<string, unknown>>
    expect(properties.version).toMatchObject({ const: 1 })
    const open: string[] = []
    const uncapped: string[] = []
    const visit = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object') return
      const record = node as Record<string, unknown>
      if (record.type === 'object' && record.properties && record.additionalProperties !== false)
        open.push(path)
      const capped =
        record.maxLength !== undefined || record.pattern !== undefined || record.enum !== undefined
      if (record.type === 'string' && !capped) uncapped.push(path)
      if (record.type === 'array' && record.maxItems === undefined) uncapped.push(path)
      for (const [key, child] of Object.entries(record)) visit(child, `${path}.${key}`)
    }
    visit(schema, '$')
    expect(open).toEqual([])
    expect(uncapped).toEqual([])
  })
})
