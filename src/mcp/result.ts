/**
 * What a tool returns before the server wraps it: text for the agent to read and the same
 * facts as `structuredContent`. Lists are capped and paged with an opaque cursor; every
 * cut is said in both forms.
 */
import { formatMs } from '../shapes/format.js'

/** A tool's answer: text an agent reads, and the same data as JSON. */
export interface ToolOutput {
  text: string
  data: Record<string, unknown>
}

/** A problem with the call (a malformed or unknown id, a bad cursor): an error result with this message. */
export class ToolError extends Error {}

/** Longest text a tool sends; longer text is cut and says so. */
export const MAX_TEXT_CHARS = 24_000

/** One page of a list, and the cursor of the next page when there is one. */
export interface Page<T> {
  /** The tool whose cursors these are. */
  tool: string
  items: T[]
  offset: number
  total: number
  nextCursor: string | undefined
}

/**
 * The page of `items` that `cursor` (from the previous page of the same tool) points at.
 *
 * @example
 * ```ts
 * const page = paginate('list_requests', rows, args.cursor, args.limit ?? 20)
 * // page.nextCursor is passed back as `cursor` for the next page
 * ```
 */
export function paginate<T>(tool: string, items: readonly T[], cursor: string | undefined, limit: number): Page<T> {
  const offset = cursor === undefined ? 0 : readCursor(tool, cursor)
  // The list shrank since (history cleared or rolled over), or the cursor was made by hand.
  if (offset > 0 && offset >= items.length) throw new ToolError(`the cursor is past the end: there are ${items.length} now; ask again without a cursor`)
  const slice = items.slice(offset, offset + limit)
  const next = offset + slice.length
  return { tool, items: slice, offset, total: items.length, nextCursor: next < items.length ? writeCursor(tool, next) : undefined }
}

/**
 * The page's items as text lines, the page cut after the last item that still fits under
 * `MAX_TEXT_CHARS` (`reserve` is kept for the header and notes) and its cursor moved to
 * the first item left out. Without this, a long page would lose its end, and the cursor
 * its note carries, to the text cap: the agent could not ask for the rest.
 *
 * @example
 * ```ts
 * const { page: shown, lines } = fitText(page, (row) => `${row.id} ${row.path}`)
 * ```
 */
export function fitText<T>(page: Page<T>, render: (item: T) => string, reserve = 1_000): { page: Page<T>; lines: string[] } {
  const lines: string[] = []
  let used = reserve
  for (const item of page.items) {
    const line = render(item)
    // The first item is always shown (capText cuts it if it alone is too long).
    if (lines.length > 0 && used + line.length + 1 > MAX_TEXT_CHARS) break
    lines.push(line)
    used += line.length + 1
  }
  if (lines.length === page.items.length) return { page, lines }
  return { page: { ...page, items: page.items.slice(0, lines.length), nextCursor: writeCursor(page.tool, page.offset + lines.length) }, lines }
}

function writeCursor(tool: string, offset: number): string {
  return Buffer.from(JSON.stringify({ t: tool, o: offset })).toString('base64url')
}

function readCursor(tool: string, cursor: string): number {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    parsed = undefined
  }
  const { t, o } = (parsed ?? {}) as { t?: unknown; o?: unknown }
  if (t !== tool || typeof o !== 'number' || !Number.isInteger(o) || o < 0) {
    throw new ToolError(`cursor "${cursor.slice(0, 40)}" is not a cursor ${tool} returned: pass the nextCursor of its previous answer, or no cursor for the first page`)
  }
  return o
}

/** The line that says what a page left out, or '' when it shows everything. */
export function pageNote(page: Page<unknown>, noun: string): string {
  if (page.total === 0) return ''
  const shown = `${noun} ${page.offset + 1}-${page.offset + page.items.length} of ${page.total}`
  return page.nextCursor ? `Showing ${shown}; more with cursor "${page.nextCursor}".` : page.offset > 0 || page.items.length < page.total ? `Showing ${shown}.` : ''
}

/** The page's fields for structuredContent. */
export function pageData(page: Page<unknown>): { total: number; offset: number; nextCursor?: string; truncated: boolean } {
  return { total: page.total, offset: page.offset, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}), truncated: page.nextCursor !== undefined }
}

/** `text` cut to `MAX_TEXT_CHARS`, saying so. */
export function capText(text: string): string {
  if (text.length <= MAX_TEXT_CHARS) return text
  return `${text.slice(0, MAX_TEXT_CHARS)}\n… (text truncated: ${text.length - MAX_TEXT_CHARS} more characters; ask for fewer items, or read structuredContent)`
}

/**
 * `count` with its noun for text: `1 span`, `3 spans`, `1 query`, `2 queries`.
 *
 * @example
 * ```ts
 * counted(1, 'query', 'queries') // '1 query'
 * ```
 */
export function counted(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`
}

/**
 * Milliseconds for text, by the rule of every panel and the waterfall (`formatMs`): `440 µs`,
 * `12.3 ms`, `1.23 s`; a difference below zero with its sign (`-3.20 ms`); `?` when unknown.
 *
 * @example
 * ```ts
 * ms(0.44) // '440 µs'
 * ms(1234.5) // '1.23 s'
 * ```
 */
export function ms(value: number | undefined): string {
  if (value === undefined) return '?'
  return value < 0 ? `-${formatMs(-value)}` : formatMs(value)
}

/**
 * What a request without a duration is doing: before its handler returned it has no status
 * and sends nothing yet; after, it is sending its body (a stream).
 *
 * @example
 * ```ts
 * stillRunning(undefined) // 'still running: its handler has not returned'
 * stillRunning(200) // 'still sending its body'
 * ```
 */
export function stillRunning(status: number | undefined): string {
  return status === undefined ? 'still running: its handler has not returned' : 'still sending its body'
}

/**
 * ` (includes work after the 19.1 ms response)` when a request's trace reads longer than its
 * response (work it left running, an email sent after the answer), as the waterfall's header
 * says it; '' otherwise, when the two read the same, and for a trace of one span
 * (`spanCount`), the request's own: its end and the response's are one moment on two clocks.
 *
 * @example
 * ```ts
 * afterResponse(225, 19.1, 4) // ' (includes work after the 19.1 ms response)'
 * afterResponse(19.1, 19.1, 4) // ''
 * afterResponse(4.67, 4.66, 1) // ''
 * ```
 */
export function afterResponse(traceMs: number | undefined, responseMs: number | undefined, spanCount: number): string {
  if (traceMs === undefined || responseMs === undefined || traceMs <= responseMs || spanCount < 2 || ms(traceMs) === ms(responseMs)) return ''
  return ` (includes work after the ${ms(responseMs)} response)`
}

/** Most characters (as JSON) of the spans that get_span and the trace resource send in one answer. */
export const MAX_DATA_CHARS = 200_000

/** Longest string inside structuredContent; longer ones are cut and say how much is missing. */
export const MAX_VALUE_CHARS = 8_000

/**
 * A copy of `value` with every string longer than `MAX_VALUE_CHARS` cut (a huge SQL text or
 * attribute must not blow up an answer).
 *
 * @example
 * ```ts
 * capStrings({ sql: 'x'.repeat(9000) }) // { sql: 'xxx…… (1000 more characters)' }
 * ```
 */
export function capStrings(value: unknown, most = MAX_VALUE_CHARS, depth = 0): unknown {
  if (typeof value === 'string') return value.length <= most ? value : `${value.slice(0, most)}… (${value.length - most} more characters)`
  if (depth > 32 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item) => capStrings(item, most, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, capStrings(item, most, depth + 1)]))
}

/**
 * The items (spans) that fit together in `budget` characters of JSON, in order, and how
 * many did not. Each item's strings are first cut shorter (1,000 characters, then 200,
 * then 50) until it takes at most a quarter of the budget, so that one span full of
 * payloads neither fills an answer alone nor makes it huge.
 *
 * @example
 * ```ts
 * const { shown, left } = fitData(spans) // ask again for spans.slice(shown.length)
 * ```
 */
export function fitData<T>(items: readonly T[], budget = MAX_DATA_CHARS): { shown: T[]; left: number } {
  const shown: T[] = []
  let used = 0
  for (const item of items) {
    let fitted = item
    let size = JSON.stringify(item).length
    for (const most of [1_000, 200, 50]) {
      if (size <= budget / 4) break
      fitted = capStrings(item, most) as T
      size = JSON.stringify(fitted).length
    }
    if (shown.length > 0 && used + size > budget) break
    shown.push(fitted)
    used += size
  }
  return { shown, left: items.length - shown.length }
}

/**
 * A SQL text or message on one line, at most 300 characters.
 *
 * @example
 * ```ts
 * oneLine('SELECT *\n  FROM users') // 'SELECT * FROM users'
 * ```
 */
export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat
}

/**
 * A request as every answer names it: method and route, with the path beside a route
 * pattern (`GET /users/:id (/users/2)`), so that two requests of one route read apart.
 *
 * @example
 * ```ts
 * requestName({ method: 'GET', route: '/users/:id', path: '/users/2' }) // 'GET /users/:id (/users/2)'
 * requestName({ method: 'GET', route: null, path: '/nope' }) // 'GET /nope'
 * ```
 */
export function requestName(r: { method: string; route?: string | null; path: string }): string {
  return `${r.method} ${r.route ?? r.path}${r.route && r.route !== r.path ? ` (${r.path})` : ''}`
}
