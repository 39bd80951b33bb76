/**
 * The shape of a SQL statement: what "similar" queries share. The SQL panel groups a
 * request's queries by it and the waterfall groups its query spans by it (the N+1 pattern),
 * so `WHERE id = 7` and `WHERE id = 8` are one group on both sides, as django-debug-toolbar's
 * "similar" queries are the same statement with other values.
 *
 * Read with the SQL lexer, so a quote inside a comment, a `$$...$$` body or an `X'1F'` are
 * what they are. A query's exported text (`db.query.text`, its literals already `?`) has the
 * shape of the query itself: that is how the waterfall's group finds the panel's.
 */
import { tokenizeSql, type SqlToken } from './sql-lexer.js'

/** A list of values, `(?, ?, ?)`, and a run of rows, `(?), (?)`: one of each whatever the count. */
const LISTS = /\(\s*\?(?:\s*,\s*\?)+\s*\)/g
const ROWS = /(\(\?\))(?:\s*,\s*\(\?\))+/g
const KEYWORD_VALUES = /^(?:true|false|null)$/i

/**
 * A statement's shape: every literal (string, number, `true`/`false`/`null`, a sign written
 * before one) and placeholder (`?`, `$1`, `:name`, `@name`) becomes `?`, a list of them and a
 * run of rows of them fold to one, comments go and whitespace collapses. Keywords, names and
 * casts (`::date`) stay as written.
 *
 * @example
 * ```ts
 * sqlShape("SELECT * FROM t WHERE id IN (1, 2, 3) AND name = 'x'") // 'SELECT * FROM t WHERE id IN (?) AND name = ?'
 * sqlShape('SELECT * FROM users WHERE id = $1') === sqlShape('SELECT * FROM users WHERE id = 7') // true
 * sqlShape('SELECT * FROM users WHERE name = "ada"', 'mysql') // 'SELECT * FROM users WHERE name = ?'
 * ```
 */
export function sqlShape(sql: string, dbSystem?: string): string {
  let out = ''
  let spaced = false
  // The last two tokens written (spaces and comments aside), and where the last one starts in `out`.
  let last: SqlToken | undefined
  let beforeLast: SqlToken | undefined
  let lastAt = 0
  for (const token of tokenizeSql(sql, dbSystem)) {
    if (token.kind === 'space' || token.kind === 'comment') {
      spaced = out !== ''
      continue
    }
    let text = token.text
    if (isValue(token, last, spaced)) {
      text = '?'
      // `= -3`: the sign is part of the value; `a - 3` and `f(x) - 3` subtract.
      if (last?.text === '-' && !spaced && (beforeLast === undefined || (beforeLast.kind === 'punct' && beforeLast.text !== ')'))) {
        out = out.slice(0, lastAt)
        spaced = out.endsWith(' ')
        if (spaced) out = out.slice(0, -1)
      }
    }
    if (spaced) out += ' '
    spaced = false
    lastAt = out.length
    out += text
    beforeLast = last
    last = token
  }
  return out.replace(LISTS, '(?)').replace(ROWS, '$1')
}

/** A literal or a placeholder; `:name` right after `:` is a cast's type (`x::text`), not a name. */
function isValue(token: SqlToken, last: SqlToken | undefined, spaced: boolean): boolean {
  switch (token.kind) {
    case 'string':
    case 'number':
      return true
    case 'placeholder':
      return !(token.text.startsWith(':') && last?.text === ':' && !spaced)
    case 'word':
      return KEYWORD_VALUES.test(token.text)
    default:
      return false
  }
}

/**
 * `sqlShape` remembered for one batch of texts (a request's queries, a trace's spans): each
 * distinct text is shaped once for each database it ran on.
 *
 * @example
 * ```ts
 * const shapeOf = sqlShapes()
 * shapeOf('SELECT * FROM t WHERE id = 7', 'sqlite') // 'SELECT * FROM t WHERE id = ?'
 * shapeOf('SELECT * FROM t WHERE id = 7', 'sqlite') // the same, not shaped again
 * ```
 */
export function sqlShapes(): (sql: string, dbSystem?: string) => string {
  const bySystem = new Map<string | undefined, Map<string, string>>()
  return (sql, dbSystem) => {
    let shapes = bySystem.get(dbSystem)
    if (!shapes) bySystem.set(dbSystem, (shapes = new Map()))
    let shape = shapes.get(sql)
    if (shape === undefined) shapes.set(sql, (shape = sqlShape(sql, dbSystem)))
    return shape
  }
}
