/**
 * Where the trace analysis reads SQL: a database span's text, and its shape (the one the SQL
 * panel groups by too, src/shapes/sql-shape.ts), by which repeated queries are grouped.
 */
import type { ToolbarSpan } from '../span-model.js'

export { sqlShape, sqlShapes } from '../../shapes/sql-shape.js'

/**
 * The SQL text of a database span (`db.query.text`, or the older `db.statement`), if any.
 *
 * @example
 * ```ts
 * sqlTextOf(span) // 'SELECT author, text FROM comments WHERE post_id = ?'
 * ```
 */
export function sqlTextOf(span: ToolbarSpan): string | undefined {
  const text = span.attributes['db.query.text'] ?? span.attributes['db.statement']
  return typeof text === 'string' && text !== '' ? text : undefined
}

/**
 * The database a span's query ran on (`db.system.name`, or the older `db.system`), which
 * says how its SQL reads (`sqlShape`: MySQL's `"ada"` is a value).
 *
 * @example
 * ```ts
 * sqlShape(sqlTextOf(span)!, dbSystemOf(span)) // 'SELECT * FROM users WHERE name = ?'
 * ```
 */
export function dbSystemOf(span: ToolbarSpan): string | undefined {
  const system = span.attributes['db.system.name'] ?? span.attributes['db.system']
  return typeof system === 'string' ? system : undefined
}
