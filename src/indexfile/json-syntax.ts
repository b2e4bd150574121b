// Where a JSON text first breaks the grammar (RFC 8259), for a syntax finding with a line number.
// JSON.parse says whether the text is valid; its messages do not always give a position, so this small
// scanner finds one. Iterative: any nesting depth is fine.

export interface JsonSyntaxError {
  /** Offset of the first character that breaks the grammar (text.length at an early end). */
  offset: number
  message: string
}

type Expect = 'value' | 'valueOrEnd' | 'keyOrEnd' | 'key' | 'colon' | 'afterValue'

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const stack: ('object' | 'array')[] = []
  let i = 0
  let expect: Expect = 'value'
  const fail = (message: string, at = i): JsonSyntaxError => ({ offset: at, message })
  const describe = (at: number): string =>
    at >= text.length ? 'the input ends early' : `unexpected ${JSON.stringify(text[at])}`

  for (;;) {
    while (i < text.length && WHITESPACE.has(text[i]!)) i++
    if (i >= text.length) {
      if (expect === 'afterValue' && stack.length === 0) return undefined
      return fail('unexpected end of input: a bracket, brace or value is missing')
    }
    const c = text[i]!
    switch (expect) {
      case 'value':
      case 'valueOrEnd': {
        if (c === ']' && expect === 'valueOrEnd') {
          stack.pop()
          i++
          expect = 'afterValue'
          break
        }
        if (c === '{') {
          stack.push('object')
          i++
          expect = 'keyOrEnd'
        } else if (c === '[') {
          stack.push('array')
          i++
          expect = 'valueOrEnd'
        } else {
          const end = scanScalar(text, i)
          if (end < 0 && c === '"') return fail('invalid string: check its escapes and control characters')
          if (end < 0) {
            const what =
              c === ']' || c === '}'
                ? `unexpected ${JSON.stringify(c)} where a value belongs (a trailing comma?)`
                : `${describe(i)}: expected a value`
            return fail(what)
          }
          if (end > text.length) return fail('a string is never closed: add its closing quote')
          i = end
          expect = 'afterValue'
        }
        break
      }
      case 'keyOrEnd':
      case 'key': {
        if (c === '}' && expect === 'keyOrEnd') {
          stack.pop()
          i++
          expect = 'afterValue'
          break
        }
        if (c !== '"') {
          return fail(
            c === '}'
              ? 'unexpected "}" after a comma (a trailing comma?)'
              : `${describe(i)}: expected a double-quoted key`
          )
        }
        const end = scanString(text, i)
        if (end < 0) return fail('invalid string: check its escapes and control characters')
        if (end > text.length) return fail('a string is never closed: add its closing quote')
        i = end
        expect = 'colon'
        break
      }
      case 'colon':
        if (c !== ':') return fail(`${describe(i)}: expected ":" after the key`)
        i++
        expect = 'value'
        break
      case 'afterValue': {
        const top = stack[stack.length - 1]
        if (top === undefined) return fail(`${describe(i)}: text after the end of the JSON value`)
        if (c === ',') {
          i++
          expect = top === 'object' ? 'key' : 'value'
        } else if ((c === '}' && top === 'object') || (c === ']' && top === 'array')) {
          stack.pop()
          i++
        } else {
          return fail(`${describe(i)}: expected "," or "${top === 'object' ? '}' : ']'}"`)
        }
        break
      }
    }
  }
}

/** End offset of the string, number or literal at `i`; -1 when none starts there; > length if unterminated. */
function scanScalar(text: string, i: number): number {
  const c = text[i]!
  if (c === '"') return scanString(text, i)
  for (const literal of ['true', 'false', 'null']) if (text.startsWith(literal, i)) return i + literal.length
  const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
  return number && number[0] !== '' && number[0] !== '-' ? i + number[0].length : -1
}

/** End offset (after the closing quote) of the string at `i`; -1 if invalid; length + 1 if unterminated. */
function scanString(text: string, i: number): number {
  let j = i + 1
  while (j < text.length) {
    const code = text.charCodeAt(j)
    if (code === 0x22) return j + 1
    if (code < 0x20) return code === 0x0a ? text.length + 1 : -1
    if (code === 0x5c) {
      const next = text[j + 1]
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) return -1
        j += 6
        continue
      }
      if (next === undefined || !'"\\/bfnrt'.includes(next)) return -1
      j += 2
      continue
    }
    j++
  }
  return text.length + 1
}
