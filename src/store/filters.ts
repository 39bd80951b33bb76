/**
 * The WHERE clauses of the history and trace list filters, for both engines. They filter
 * exactly as the in-memory stores do (`requestMatcher`): exact method in any case, status
 * codes and classes (any of them), a case-sensitive substring of the path.
 */
import type { RequestFilter } from '../core/store.js'
import { statusRanges } from '../core/status-filter.js'
import type { TraceFilter } from '../core/span-model.js'

/** What differs between SQLite and PostgreSQL in these clauses. */
export interface SqlDialect {
  /** The placeholder of the n-th parameter (1-based): `?` or `$n`. */
  param(n: number): string
  /** `column` contains `param` as a substring, case-sensitively. */
  includes(column: string, param: string): string
  /** The JSON array in `column` has the string `param` as an element. */
  hasElement(column: string, param: string): string
}

export interface Where {
  sql: string
  params: unknown[]
}

export function requestWhere(filter: RequestFilter, dialect: SqlDialect): Where {
  const clauses: string[] = []
  const params: unknown[] = []
  const next = (value: unknown) => (params.push(value), dialect.param(params.length))
  if (filter.method) clauses.push(`upper(method) = ${next(filter.method.toUpperCase())}`)
  if (filter.path) clauses.push(dialect.includes('path', next(filter.path)))
  if (filter.status) {
    const ranges = statusRanges(filter.status).map((r) => `(status >= ${next(r.low)} AND status < ${next(r.high)})`)
    // An empty list ("," or spaces) filters nothing, as in memory.
    if (ranges.length) clauses.push(`(${ranges.join(' OR ')})`)
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params }
}

export function traceWhere(filter: TraceFilter, dialect: SqlDialect): Where {
  const clauses: string[] = []
  const params: unknown[] = []
  const next = (value: unknown) => (params.push(value), dialect.param(params.length))
  if (filter.service) clauses.push(dialect.hasElement('services', next(filter.service)))
  if (filter.source) clauses.push(dialect.hasElement('sources', next(filter.source)))
  // The start and duration the list shows (after the clock-skew adjustment), not as received.
  if (filter.since !== undefined) clauses.push(`listed_started_ms >= ${next(filter.since)}`)
  if (filter.until !== undefined) clauses.push(`listed_started_ms < ${next(filter.until)}`)
  if (filter.minDurationMs !== undefined) clauses.push(`listed_duration_ms >= ${next(filter.minDurationMs)}`)
  if (filter.excludeTraceIds?.length) clauses.push(`trace_id NOT IN (${filter.excludeTraceIds.map(next).join(', ')})`)
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params }
}
