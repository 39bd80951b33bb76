/**
 * Where the trace analysis reads SQL: a database span's text, and its shape (the one the SQL
 * panel groups by too, src/shapes/sql-shape.ts), by which repeated queries are grouped.
 */
import type { ToolbarSpan } from '../span-model.js'

export { sqlShape } from '../../shapes/sql-shape.js'

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
