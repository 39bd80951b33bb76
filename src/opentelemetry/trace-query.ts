/**
 * The query parameters of the trace list (`GET {prefix}/api/traces`) and of a trace's span
 * pages (`GET {prefix}/api/traces/:traceId/spans`), checked one by one: a bad value is a
 * message naming the parameter, which the route answers with a 400.
 */
import { SPAN_SOURCES, type SpanSource, type TraceFilter } from '../core/span-model.js'

/** Most traces in one answer of the list. */
export const MAX_TRACE_LIMIT = 200
/** Most spans in one page of a trace. */
export const MAX_SPAN_LIMIT = 500

type Query = (name: string) => string | undefined

/**
 * The trace list's filter from the query string, or a message naming the bad parameter.
 *
 * @example
 * ```ts
 * const filter = parseTraceFilter((name) => c.req.query(name))
 * if (typeof filter === 'string') return c.json({ error: filter }, 400)
 * ```
 */
export function parseTraceFilter(query: Query): TraceFilter | string {
  const page = parsePage(query, 50, MAX_TRACE_LIMIT)
  if (typeof page === 'string') return page
  const filter: TraceFilter = { ...page }
  const service = query('service')
  if (service !== undefined && service !== '') filter.service = service
  const source = query('source')
  if (source !== undefined && source !== '') {
    if (!SPAN_SOURCES.includes(source as SpanSource)) return `source must be one of ${SPAN_SOURCES.join(', ')}, got "${shown(source)}"`
    filter.source = source as SpanSource
  }
  for (const name of ['since', 'until'] as const) {
    const raw = query(name)
    if (raw === undefined || raw === '') continue
    const time = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw)
    if (!Number.isFinite(time)) return `${name} must be epoch milliseconds or an ISO 8601 time, got "${shown(raw)}"`
    filter[name] = time
  }
  const minDuration = query('minDurationMs')
  if (minDuration !== undefined && minDuration !== '') {
    const value = Number(minDuration)
    // A decimal number as JSON writes it (`250`, `0.5`, `1e3`): no sign, no hex, no blanks.
    if (!/^\d+(\.\d+)?([eE][+-]?\d+)?$/.test(minDuration) || !Number.isFinite(value)) return `minDurationMs must be a non-negative number, got "${shown(minDuration)}"`
    filter.minDurationMs = value
  }
  return filter
}

/**
 * `limit` and `offset` of a page, or a message naming the bad one.
 *
 * @example
 * ```ts
 * parsePage((name) => c.req.query(name), 100, 500) // { limit: 100, offset: 0 }
 * ```
 */
export function parsePage(query: Query, defaultLimit: number, maxLimit: number): { limit: number; offset: number } | string {
  const limit = count(query('limit'), defaultLimit, 'limit')
  if (typeof limit === 'string') return limit
  if (limit < 1 || limit > maxLimit) return `limit must be between 1 and ${maxLimit}, got ${limit}`
  const offset = count(query('offset'), 0, 'offset')
  if (typeof offset === 'string') return offset
  return { limit, offset }
}

function count(raw: string | undefined, fallback: number, name: string): number | string {
  if (raw === undefined || raw === '') return fallback
  if (!/^\d{1,15}$/.test(raw)) return `${name} must be a whole number, got "${shown(raw)}"`
  return Number(raw)
}

/** A bad value as the answer quotes it: the start of it, so the answer does not grow with the query string. */
function shown(raw: string): string {
  return raw.length > 40 ? `${raw.slice(0, 40)}…` : raw
}
