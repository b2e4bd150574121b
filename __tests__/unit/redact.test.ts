import { describe, expect, it } from 'vitest'
import { createRedactor, redactUrl } from '../../src/redact.js'

describe('redactor', () => {
  it('replaces every registered secret, wherever and however often it appears', () => {
    const r = createRedactor(['s3cret-one'])
    r.add('tok_abcdef')
    expect(r.redact('a s3cret-one b tok_abcdef c s3cret-one')).toBe('a *** b *** c ***')
  })

  it('replaces the URL-encoded, form-encoded and JSON-escaped forms of a secret', () => {
    const secret = 'p@ss w/rd"+&='
    const r = createRedactor([secret])
    const text = [
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
      JSON.stringify(secret)
    ].join(' ')
    expect(r.redact(text)).toBe('*** *** "***"')
  })

  it('replaces a longer secret whole when it holds a shorter one', () => {
    const r = createRedactor(['abcd', 'xxabcdxx'])
    expect(r.redact('xxabcdxx')).toBe('***')
  })

  it('ignores empty, missing and very short secrets', () => {
    const r = createRedactor(['', undefined, 'abc'])
    expect(r.redact('abc is plain text')).toBe('abc is plain text')
  })
})

describe('redactUrl', () => {
  it('drops the user-info of a URL', () => {
    expect(redactUrl('https://user:pw@example.com/x?y=1')).toBe('https://example.com/x?y=1')
    expect(redactUrl('https://ghp_token@example.com/')).toBe('https://example.com/')
  })

  it('leaves a URL without user-info as given', () => {
    expect(redactUrl('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787')
  })

  it('drops everything up to the last @ of a text that does not parse as a URL', () => {
    expect(redactUrl('http://u:pa/ss@host:99999/x')).toBe('http://***@host:99999/x')
    expect(redactUrl('http//user:pw@host')).toBe('***@host')
    expect(redactUrl('not a url')).toBe('not a url')
  })
})
