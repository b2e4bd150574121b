import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { indexFileJsonSchema } from '../src/indexfile/schema.js'
import { SCHEMA_FILE, schemaFileText } from '../scripts/write-schema.js'

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
