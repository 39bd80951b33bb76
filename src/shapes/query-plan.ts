/**
 * What a query plan says about the tables a query reads in full, for the answers that show a
 * plan. Shared by the server and the browser: a shape of data, no database access.
 */

/** A SQLite plan step that reads a table row by row (`SCAN orders`, `SCAN o`), not an index or a subquery. */
const SQLITE_FULL_SCAN = /^SCAN (?!CONSTANT ROW\b|SUBQUERY\b|\()("[^"]+"|\S+)$/
/** A PostgreSQL plan node that reads a table row by row (`Seq Scan on orders  (cost=...)`, `Parallel Seq Scan on orders o`). */
const POSTGRES_FULL_SCAN = /\bSeq Scan on ("[^"]+"|\S+)/

/**
 * The tables (or their aliases, as the plan names them) that a plan reads row by row without
 * an index: SQLite's `EXPLAIN QUERY PLAN` rows (`detail: 'SCAN orders'`; a scan `USING INDEX`
 * or `USING COVERING INDEX` is not one) and PostgreSQL's `EXPLAIN` lines (`Seq Scan on
 * orders`). Each table once, in plan order.
 *
 * @example
 * ```ts
 * fullScans([{ id: 2, parent: 0, notused: 0, detail: 'SCAN orders' }]) // ['orders']
 * fullScans([{ 'QUERY PLAN': 'Seq Scan on orders  (cost=0.00..35.50 rows=10 width=8)' }]) // ['orders']
 * fullScans([{ detail: 'SEARCH orders USING INDEX orders_user (user_id=?)' }]) // []
 * ```
 */
export function fullScans(rows: readonly unknown[]): string[] {
  const tables: string[] = []
  for (const row of rows) {
    if (typeof row !== 'object' || row === null) continue
    const fields = row as Record<string, unknown>
    const sqlite = typeof fields.detail === 'string' ? SQLITE_FULL_SCAN.exec(fields.detail.trim()) : null
    const postgres = typeof fields['QUERY PLAN'] === 'string' ? POSTGRES_FULL_SCAN.exec(fields['QUERY PLAN']) : null
    const table = (sqlite ?? postgres)?.[1]?.replace(/^"|"$/g, '')
    if (table !== undefined && !tables.includes(table)) tables.push(table)
  }
  return tables
}

/**
 * The sentence said under a plan that reads tables row by row, the same in the SQL panel and
 * in explain_query: the tables read in full and, when the query picks rows (a WHERE or a
 * JOIN), what an index would change. Undefined when the plan reads no table in full.
 *
 * @example
 * ```ts
 * fullScanNote(['orders'], 'SELECT total FROM orders WHERE user_id = ?')
 * // 'No index used: every row of orders is read. An index on the columns its WHERE or JOIN compares would let it read only the rows it needs (on a small table the database may scan anyway).'
 * fullScanNote(['users', 'orders'], 'SELECT * FROM users, orders') // 'No index used: every row of users and orders is read.'
 * fullScanNote([], 'SELECT 1') // undefined
 * ```
 */
export function fullScanNote(tables: readonly string[], sql: string): string | undefined {
  if (tables.length === 0) return undefined
  const named = tables.length === 1 ? tables[0] : `${tables.slice(0, -1).join(', ')} and ${tables.at(-1)}`
  const picks = /\b(WHERE|JOIN)\b/i.test(sql)
  return `No index used: every row of ${named} is read.${picks ? ' An index on the columns its WHERE or JOIN compares would let it read only the rows it needs (on a small table the database may scan anyway).' : ''}`
}
