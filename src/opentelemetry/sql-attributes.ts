/**
 * OpenTelemetry database attributes of a recorded query (stable semantic conventions,
 * database-spans.md and sql.md): `db.system.name`, `db.query.text` (sanitized unless the
 * query was parameterized), `db.query.summary` (the span name), `db.operation.name` and
 * `db.collection.name` only when the caller gave them ("SHOULD NOT be extracted from
 * `db.query.text`"), `db.response.returned_rows`, and the calling line in the source the
 * developer wrote as the code conventions place it (`code.file.path`, `code.line.number`,
 * `code.column.number`). Parameters are never exported: they are user data.
 */
import type { Attributes } from '@opentelemetry/api'
import { sourcePositionOf } from '../core/code-location.js'
import type { RecordedQuery } from '../shapes/records.js'
import { sanitizeSql } from '../shapes/sql-lexer.js'
import { sqlQuerySummary } from './sql-summary.js'

export { sanitizeSql } from '../shapes/sql-lexer.js'
export { sqlQuerySummary } from './sql-summary.js'

type QueryFields = Pick<RecordedQuery, 'sql' | 'dbSystem'> & Partial<Pick<RecordedQuery, 'operation' | 'collection'>>

/**
 * The span name the conventions ask for: `{db.query.summary}`, else
 * `{db.operation.name} {db.collection.name}` (or the operation alone), else `{db.system.name}`.
 *
 * @example
 * ```ts
 * sqlSpanName({ sql: 'SELECT * FROM users JOIN orders ON orders.user_id = users.id', dbSystem: 'sqlite' }) // 'SELECT users orders'
 * ```
 */
export function sqlSpanName(query: QueryFields): string {
  const summary = sqlQuerySummary(query.sql, query.dbSystem)
  if (summary) return summary
  if (query.operation) return query.collection ? `${query.operation} ${query.collection}` : query.operation
  return query.collection ?? query.dbSystem
}

/** How the query text and its caller are exported. */
export interface SqlAttributeOptions {
  /**
   * Default true: literals of a query run without parameters become `?` ("The
   * `db.query.text` SHOULD be collected by default only if there is sanitization that
   * excludes sensitive information"). A parameterized query is exported as written
   * ("Parameterized query text SHOULD NOT be sanitized"). False exports every text raw.
   */
  sanitize?: boolean
  /**
   * For a batch of queries (a request's, as they become spans): the files whose source map
   * was already checked in this batch, so that each file is looked at once (see
   * `sourcePositionOf`). Without it, each caller's file is looked at.
   */
  checked?: Set<string>
}

/**
 * The span attributes of one query.
 *
 * @example
 * ```ts
 * sqlAttributes(query) // { 'db.system.name': 'sqlite', 'db.query.text': 'SELECT * FROM users WHERE name = ?', 'db.query.summary': 'SELECT users', ... }
 * sqlAttributes(query, { sanitize: false }) // 'db.query.text' as the app ran it
 * ```
 */
export function sqlAttributes(query: RecordedQuery, options: SqlAttributeOptions = {}): Attributes {
  const parameterized = query.params.length > 0
  const text = options.sanitize === false || parameterized ? query.sql : sanitizeSql(query.sql, query.dbSystem)
  const attributes: Attributes = { 'db.system.name': query.dbSystem, 'db.query.text': text }
  const summary = sqlQuerySummary(query.sql, query.dbSystem)
  if (summary) attributes['db.query.summary'] = summary
  if (query.operation) attributes['db.operation.name'] = query.operation
  if (query.collection) attributes['db.collection.name'] = query.collection
  if (query.rowCount !== undefined) attributes['db.response.returned_rows'] = query.rowCount
  // The caller in the source the developer wrote, as the SQL panel shows it (absolute here, for Jaeger and Zipkin).
  if (query.caller) {
    const at = sourcePositionOf(query.caller, options.checked)
    if (at) {
      attributes['code.file.path'] = at.path
      attributes['code.line.number'] = at.line
      attributes['code.column.number'] = at.column
    } else {
      // Not a file's position (code from `eval`, `<anonymous>`): kept as V8 wrote it.
      attributes['code.stacktrace'] = query.caller
    }
  }
  if (query.error) attributes['error.type'] = 'DatabaseError'
  return attributes
}
