/**
 * The shape of a SQL statement: its text with every literal and placeholder replaced by `?`,
 * lists of them folded to one, and whitespace collapsed. `WHERE id = 1` and `WHERE id = 2`
 * have one shape, so queries run once per row of an earlier query (the N+1 pattern) fall
 * into one group even when the app inlines its values.
 *
 * Written here rather than taken from a SQL parser: grouping needs only a tolerant
 * tokenizer of literals (any dialect, partial statements), and a parser per dialect would
 * reject what it cannot parse and cost far more per span.
 */
import type { ToolbarSpan } from '../span-model.js'

const LITERALS =
  /'(?:[^']|'')*'|\$\d+|\$[A-Za-z_]\w*|(?<![\w$.])[:@][A-Za-z_]\w*|(?<![\w$."`\]])-?\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b|\b(?:true|false|null)\b/gi
const LISTS = /\(\s*\?(?:\s*,\s*\?)+\s*\)/g
const ROWS = /(\(\?\))(?:\s*,\s*\(\?\))+/g

/**
 * A statement's shape (see the module comment).
 *
 * @example
 * ```ts
 * sqlShape("SELECT * FROM t WHERE id IN (1, 2, 3) AND name = 'x'") // 'SELECT * FROM t WHERE id IN (?) AND name = ?'
 * ```
 */
export function sqlShape(sql: string): string {
  return sql.replace(LITERALS, '?').replace(LISTS, '(?)').replace(ROWS, '$1').replace(/\s+/g, ' ').trim()
}

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
