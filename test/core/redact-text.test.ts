import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { redactText } from '../../src/core/redact-text.js'

describe('a secret written after its name in free text', () => {
  it('is hidden whatever punctuation it holds and whatever surrounds it', () => {
    const SECRET = 'hunter2XYZ'
    const name = fc.constantFrom('password', 'passwd', 'token', 'api_key', 'apiKey', 'secret', 'client_secret', 'access_token', 'Authorization', 'PASSWORD', 'db_password')
    const separator = fc.constantFrom('=', ': ', ' = ', ':', '=>', ' => ', '==')
    const quote = fc.constantFrom('', '"', "'")
    const around = fc
      .array(fc.constantFrom('user', 'login', 'failed', 'for', 'with', ',', ';', '{', '}', ')', '[', ']', ' (', '(x)', ' ', '\n', '\t', 'ok', '&', '?', 'x=1', 'a:b', '-', '--', '.'), { maxLength: 6 })
      .map((parts) => parts.join(''))
    const punctuation = fc.string({ unit: fc.constantFrom('a', '1', '!', '@', '#', '$', '%', '^', '*', '+', '-', '_', '=', '/', ':', '.', '~', '?', '|', '<', '>', '(', ')'), maxLength: 5 })
    // What the rules read otherwise by design is left out: a value that starts as a placeholder
    // (`:name`, `@p`, `$1`, `?`) or a sentence (`a ...`), and a call of SQL (`fn(`, then a
    // literal, a placeholder, `)` or another call: `password = crypt(?)`).
    const before = punctuation.map((text) => text.replace(/\((?![A-Za-z0-9])/g, '')).map((text) => (/^[:@$?a<>=]/.test(text) ? `1${text}` : text))
    const after = punctuation.map((text) => text.replaceAll('(', ''))
    const pair = fc.tuple(quote, name, separator, quote, before, after).map(([nameQuote, key, sep, valueQuote, head, tail]) => `${nameQuote}${key}${nameQuote}${sep}${valueQuote}${head}${SECRET}${tail}${valueQuote}`)
    fc.assert(
      fc.property(around, pair, around, (start, written, end) => !redactText(`${start} ${written}${end}`).includes(SECRET)),
      { numRuns: 20000 },
    )
  })
})
