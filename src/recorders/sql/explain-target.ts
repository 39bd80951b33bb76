/** The plan of one query, as the database answered `EXPLAIN`. */
export interface QueryPlan {
  /** The statement that was run, e.g. `EXPLAIN QUERY PLAN SELECT ...`. */
  explainSql: string
  /** The rows of the answer, column name to value. */
  rows: Array<Record<string, unknown>>
}

/**
 * The connection a query ran on, kept by its recorder so the toolbar can EXPLAIN the
 * query later with the same params. `explain` must bypass the recording wrappers, so the
 * EXPLAIN never shows up in any request.
 */
export interface ExplainTarget {
  dbSystem: string
  explain(sql: string, params: unknown[]): Promise<QueryPlan>
}

/**
 * Why `sql` cannot be explained, or undefined when it can: only a statement that starts
 * with SELECT or WITH (after comments and parentheses). EXPLAIN without ANALYZE plans a
 * statement without running it; the recorders also refuse multi-statement text (SQLite's
 * prepare takes one statement, pg uses the extended protocol), so nothing after a `;` can run.
 *
 * @example
 * ```ts
 * notExplainable('SELECT * FROM users') // undefined
 * notExplainable('DELETE FROM users')   // 'only SELECT or WITH statements can be explained, this one starts with DELETE'
 * ```
 */
export function notExplainable(sql: string): string | undefined {
  const keyword = firstKeyword(sql)
  if (keyword === 'SELECT' || keyword === 'WITH') return undefined
  return keyword
    ? `only SELECT or WITH statements can be explained, this one starts with ${keyword}`
    : 'only SELECT or WITH statements can be explained, this one has no statement keyword'
}

/** The first word of `sql` in upper case, skipping whitespace, comments and opening parentheses. */
export function firstKeyword(sql: string): string {
  let i = 0
  while (i < sql.length) {
    const c = sql[i]!
    if (c === '(' || /\s/.test(c)) i++
    else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i)
      i = end < 0 ? sql.length : end + 1
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2)
      i = end < 0 ? sql.length : end + 2
    } else break
  }
  return /^[A-Za-z]+/.exec(sql.slice(i, i + 32))?.[0]?.toUpperCase() ?? ''
}
