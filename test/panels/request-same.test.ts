/**
 * The Request panel shows the request the app received: for any request a client sends over
 * HTTP, the panel's query table, cookies and body line agree with what the app itself reads
 * with Hono's helpers (`c.req.queries()`, `getCookie(c)`, `c.req.parseBody({ all: true })`,
 * `c.req.json()`), as far as the documented redaction allows:
 *
 * - Query: the same names, each with the same values in the same order, as `c.req.queries()`
 *   answers them (repeated names, empty values, `+`, valid and malformed percent escapes,
 *   Unicode, `&&`, `__proto__`), each value passed through the toolbar's one query rule,
 *   `redactQueryParameter` (`********` for a secret name such as `api_key` or `pin`, or for
 *   a token the value's shape gives away). A name Hono skips (an empty one, `?=x`) is not
 *   shown: the app never sees it.
 * - Cookies: the panel lists names only, every value `********` (README: "cookies (values
 *   redacted)"). Every cookie `getCookie(c)` gives the app is listed; so is, as documented,
 *   every `name=value` pair the header carried that a strict parser refuses (a quoted name,
 *   `préférence`), each name as written (spaces and tabs around it dropped, as Hono drops
 *   them; the header read as UTF-8 when its bytes are UTF-8, as every header is shown), once.
 *   A piece without `=` is no cookie, for Hono and for the panel.
 * - Body: the panel shows no body content, only its size and type; the size is the number of
 *   bytes the app read (or "sent chunked" when the client sent no length), the type the
 *   `Content-Type` the app read. And the app still reads the body the client sent, urlencoded,
 *   multipart (text fields, small files, repeated names) or JSON: the toolbar takes nothing
 *   from it.
 *
 * fast-check writes the requests; they go over a real socket (@hono/node-server), as a
 * browser's do, so that `Content-Length` and the header bytes are what a server receives.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Hono } from 'hono'
import { getCookie } from 'hono/cookie'
import { debugToolbar, type RequestStats } from '../../src/index.js'
import { redactQueryParameter } from '../../src/core/redact.js'
import { startLoopbackService } from '../support/loopback-service.js'

// ---------------------------------------------------------------------------------------------
// Query strings

// Pieces of query names and values as clients write them, with the spellings parsers disagree
// on: `+`, escapes valid and malformed (`%zz`, a cut one, UTF-8 cut short or invalid), object
// members, secret names, a URL with a token in it, raw Unicode and spaces (the client encodes those).
const queryPiece = fc.oneof(
  fc.constantFrom('a', 'b', 'q', 'page', 'x', '1', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty'),
  fc.constantFrom('+', '%20', '%2B', '%3D', '%26', '%25', '%', '%2', '%zz', '%00', '%41', '%C3%A9', '%E2%82%AC', '%F0%9F%98%80'),
  fc.constantFrom('%E0%A4', '%E0%A4%A', '%C3', '%FF', '%C3%A9%FF', '%ED%A0%80', '%F0%9F%98', '%C0%AF'),
  fc.constantFrom('=', 'é', '日本', '😀', ' ', '~', '*', "'", '"', '<', '/', '?', '@', ';', ','),
  fc.constantFrom('api_key', 'password', 'token', 'pin', 'sig', 'code', 'next'),
  fc.constantFrom('https%3A%2F%2Fapi.example%2Fcb%3Ftoken%3Dabc', '%2Fcb%3Fsid%3D1', 'e72e16c7e42f292c6912', 'Bearer+abcd1234efgh'),
  fc.string({ unit: 'grapheme', maxLength: 3 }).map(encodeURIComponent),
)
const queryWord = fc.array(queryPiece, { maxLength: 3 }).map((parts) => parts.join('').replace(/[#&]/g, ''))
// `name=value`, a bare `name`, or nothing between two `&`.
const queryPart = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(queryWord, queryWord).map(([name, value]) => `${name}=${value}`) },
  { weight: 1, arbitrary: queryWord },
  { weight: 1, arbitrary: fc.constant('') },
)
const queryString = fc.array(queryPart, { maxLength: 6 }).map((parts) => parts.join('&'))

// ---------------------------------------------------------------------------------------------
// Cookie headers

/** Text as a client writes it into a header: its UTF-8 bytes, one character each. */
const utf8Bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1')

// Names: tokens Hono accepts, object members, secret-looking ones, and names a strict parser
// refuses (a space, a quote, a backslash, `préférence` in UTF-8, a Latin-1 `é`, a no-break space).
const cookieName = fc.oneof(
  fc.constantFrom('a', 'b', 'theme', 'lang', 'sid', 'session', 'csrf_token', '__Host-id', '$Version', '__proto__', 'constructor', 'toString'),
  fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,6}$/),
  fc.constantFrom('a b', '"a"', 'a\\b', 'x,y', utf8Bytes('préférence'), 'caf\u00e9', utf8Bytes('\u00a0a'), utf8Bytes('a\u3000'), '\u00a0b'),
)
// Values: empty, `=` inside, quoted, spaces, escapes (some malformed), bytes a strict parser refuses.
const cookieValue = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9%=._~-]{0,8}$/),
  fc.constantFrom('', 'a=b', '==', 'hello world', '"quoted"', '"', '"a', '%41', '%zz', '%E0%A4', 'a,b', 'a\\b', 'caf\u00e9', utf8Bytes('日本')),
)
const space = fc.constantFrom('', '', ' ', '  ', '\t')
// A `name=value` pair with spaces around its parts, or a piece with no `=` at all.
const cookieItem = fc.oneof(
  { weight: 5, arbitrary: fc.record({ before: space, name: cookieName, around: space, after: space, value: cookieValue, end: space }) },
  { weight: 1, arbitrary: fc.constantFrom('junk', '', ' ', 'a', '"x"').map((junk) => ({ junk })) },
)
type CookieItem = { junk: string } | { before: string; name: string; around: string; after: string; value: string; end: string }
const cookieHeader = fc.tuple(fc.array(cookieItem, { maxLength: 6 }), fc.constantFrom(';', '; ')).map(([items, separator]) => ({
  items: items as CookieItem[],
  header: (items as CookieItem[]).map((item) => ('junk' in item ? item.junk : `${item.before}${item.name}${item.around}=${item.after}${item.value}${item.end}`)).join(separator),
}))

const UTF8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The cookie names the header carried, as the panel shows them: the name of every pair, spaces
 * and tabs around it dropped, once each; read as UTF-8 when the whole header's bytes are UTF-8
 * (how a header value is shown), else one character a byte.
 */
function carriedCookieNames(items: CookieItem[], header: string): Set<string> {
  let utf8 = false
  try {
    UTF8.decode(Buffer.from(header, 'latin1'))
    utf8 = true
  } catch {}
  const names = new Set<string>()
  for (const item of items) {
    if ('junk' in item) continue
    const name = item.name.replace(/^[ \t]+|[ \t]+$/g, '')
    if (name) names.add(utf8 ? Buffer.from(name, 'latin1').toString('utf8') : name)
  }
  return names
}

// ---------------------------------------------------------------------------------------------
// Bodies

const fieldName = fc.constantFrom('a', 'b', 'tags[]', 'title', '__proto__', 'constructor', 'é', 'password', 'a b')
// Text field values without line breaks (a form's line breaks are sent as CRLF, which is no
// difference the toolbar could make).
const fieldValue = fc.oneof(fc.constantFrom('', 'x', 'a=b&c', 'hello world', '%zz', '日本', '+'), fc.string({ maxLength: 8 }).map((s) => s.replace(/[\r\n]/g, '')))
type Field = { name: string; value: string } | { name: string; file: { filename: string; text: string; type: string } }
const textField = fc.record({ name: fieldName, value: fieldValue })
const fileField = fc.record({
  name: fieldName,
  file: fc.record({ filename: fc.constantFrom('a.txt', 'photo.png', 'été.csv'), text: fc.string({ maxLength: 40 }), type: fc.constantFrom('text/plain', 'image/png', 'text/csv') }),
})
const body = fc.oneof(
  queryString.map((text) => ({ kind: 'urlencoded' as const, text })),
  fc.array(fc.oneof({ weight: 3, arbitrary: textField }, { weight: 1, arbitrary: fileField }), { maxLength: 5 }).map((fields) => ({ kind: 'multipart' as const, fields: fields as Field[] })),
  fc.json({ maxDepth: 2 }).map((text) => ({ kind: 'json' as const, text })),
)
type Body = typeof body extends fc.Arbitrary<infer T> ? T : never

/** What `parseBody({ all: true })` makes of fields: a name once, its values an array when repeated or named `x[]`. */
function formOf(fields: Array<[string, unknown]>): Record<string, unknown> {
  const values = new Map<string, unknown[]>()
  for (const [name, value] of fields) values.set(name, [...(values.get(name) ?? []), value])
  const form: Record<string, unknown> = {}
  for (const [name, list] of values) Object.defineProperty(form, name, { value: list.length > 1 || name.endsWith('[]') ? list : list[0], enumerable: true })
  return form
}

/** What the app reads from the body the client sent, as the app below answers it. */
function bodyAsRead(sent: Body): unknown {
  if (sent.kind === 'json') return JSON.parse(sent.text)
  if (sent.kind === 'urlencoded') return formOf([...new URLSearchParams(sent.text)])
  return formOf(sent.fields.map((field) => [field.name, 'value' in field ? field.value : { file: field.file.filename, type: field.file.type, size: Buffer.byteLength(field.file.text) }]))
}

function requestBody(sent: Body, streamed: boolean): { headers: Record<string, string>; body: BodyInit } {
  if (sent.kind === 'multipart') {
    const form = new FormData()
    for (const field of sent.fields) {
      if ('value' in field) form.append(field.name, field.value)
      else form.append(field.name, new Blob([field.file.text], { type: field.file.type }), field.file.filename)
    }
    return { headers: {}, body: form }
  }
  const type = sent.kind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded'
  if (!streamed) return { headers: { 'content-type': type }, body: sent.text }
  // Sent without a length (Transfer-Encoding: chunked), as a client streaming its upload does.
  const bytes = new TextEncoder().encode(sent.text)
  return { headers: { 'content-type': type }, body: new ReadableStream({ start: (controller) => (controller.enqueue(bytes), controller.close()) }) }
}

// ---------------------------------------------------------------------------------------------

/** An object's own entries in a stable order, `__proto__` included, for comparing. */
const entries = (object: object) => Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

/** What the panel shows of each query value: the app's, through the toolbar's query rule. */
function queryShown(queries: Record<string, string[]>): Array<[string, string[]]> {
  return entries(queries).map(([name, values]) => [name, (values as string[]).map((value) => redactQueryParameter(name, value))])
}

interface AppRead {
  queries: Record<string, string[]>
  cookies: Record<string, string>
  contentType: string | null
  /** Whether the body came with a `Content-Length`, or chunked (`Transfer-Encoding`). */
  length: boolean
  chunked: boolean
  bytes: number
  body: unknown
}

function app(): Hono {
  const app = new Hono()
  app.use(debugToolbar())
  app.all('/read', async (c) => {
    const read: AppRead = { queries: c.req.queries(), cookies: getCookie(c), contentType: c.req.header('content-type') ?? null, length: c.req.header('content-length') !== undefined, chunked: c.req.header('transfer-encoding') !== undefined, bytes: 0, body: null }
    if (c.req.method === 'POST') {
      read.bytes = (await c.req.arrayBuffer()).byteLength
      if (c.req.header('content-type')?.startsWith('application/json')) read.body = await c.req.json()
      else {
        const form = await c.req.parseBody({ all: true })
        const out: Record<string, unknown> = {}
        for (const [name, value] of Object.entries(form)) {
          const shown = (v: unknown) => (v instanceof File ? { file: v.name, type: v.type, size: v.size } : v)
          Object.defineProperty(out, name, { value: Array.isArray(value) ? value.map(shown) : shown(value), enumerable: true })
        }
        read.body = out
      }
    }
    return c.json(read)
  })
  return app
}

describe('the Request panel', () => {
  it('shows the query, cookies and body the app read, as far as redaction allows', async () => {
    const service = await startLoopbackService(app())
    try {
      await fc.assert(
        fc.asyncProperty(queryString, fc.option(cookieHeader, { nil: undefined }), fc.option(fc.tuple(body, fc.boolean()), { nil: undefined }), async (search, cookies, posted) => {
          const headers: Record<string, string> = {}
          // Sent as fetch sends it: spaces and tabs around the whole value dropped.
          const cookie = cookies?.header.replace(/^[ \t]+|[ \t]+$/g, '')
          if (cookie) headers.cookie = cookie
          const init: RequestInit & { duplex?: 'half' } = { headers }
          const streamed = posted !== undefined && posted[0].kind !== 'multipart' && posted[1]
          if (posted) {
            const sent = requestBody(posted[0], streamed)
            Object.assign(init, { method: 'POST', body: sent.body, headers: { ...headers, ...sent.headers }, duplex: 'half' })
          }
          const res = await fetch(`${service.base}/read${search ? `?${search}` : ''}`, init)
          expect(res.status).toBe(200)
          const read = (await res.json()) as AppRead
          const id = res.headers.get('x-debug-toolbar-request-id')
          expect(id).toBeTruthy()
          const detail = await (await fetch(`${service.base}/_debug_toolbar/api/requests/${id}`)).json()
          const shown = detail.panels.request as RequestStats

          // Query: the app's `c.req.queries()`, each value as the toolbar's query rule shows it.
          expect(entries(shown.query)).toEqual(queryShown(read.queries))

          // Cookies: names only, every value redacted; each cookie the app read is there, and
          // the names are those the header carried (also those Hono refuses), each once.
          const names = Object.keys(shown.cookies)
          expect(Object.values(shown.cookies).every((value) => value === '********')).toBe(true)
          for (const name of Object.keys(read.cookies)) expect(names).toContain(name)
          const carried = headers.cookie ? carriedCookieNames(cookies!.items, headers.cookie) : new Set<string>()
          expect(new Set(names)).toEqual(carried)
          expect(names.length).toBe(carried.size)

          // Body: its type and size as the app read them, and the app read what was sent.
          expect(shown.requestContentType ?? null).toBe(read.contentType)
          if (!posted) {
            expect(shown.requestBodyBytes).toBeUndefined()
            expect(shown.requestBodyChunked).toBe(false)
          } else {
            // A client streaming its upload sends it chunked, or, when the stream ended before it
            // wrote the headers, with its length after all: the panel says what the server saw.
            if (!streamed) expect(read.length).toBe(true)
            expect(shown.requestBodyBytes).toBe(read.length ? read.bytes : undefined)
            expect(shown.requestBodyChunked).toBe(read.chunked)
            const expected = bodyAsRead(posted[0])
            if (posted[0].kind === 'json') expect(read.body).toEqual(expected)
            else expect(entries(read.body as object)).toEqual(entries(expected as object))
          }
        }),
        { numRuns: 150 },
      )
    } finally {
      await service.close()
    }
  })
})
