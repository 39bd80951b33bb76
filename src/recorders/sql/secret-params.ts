/**
 * Which params of a query are bound to a secret-named column. A param carries no name of
 * its own when it is positional (`SET password = ?`, `WHERE token = $2`, `?1` in SQLite),
 * so its column is read from the SQL around its placeholder. The SQL panel (list and full
 * view) and the MCP server both redact by this; the work is done when a query is shown,
 * never while a request runs.
 */
import { isSecretName, mayNameSecret, REDACTED } from '../../core/redact.js'
import { SQL_OPERATOR } from '../../core/redact-text.js'

/** The params bound to secret-named columns: positional ones by zero-based index, named ones by name. */
export interface SecretParams {
  positions: Set<number>
  names: Set<string>
}

// The column a placeholder is compared with or assigned to: `password = ?`, `token IS NOT $2`.
// Looked for in the few characters before the placeholder, so that a query of thousands of
// placeholders costs one pass.
const BOUND_COLUMN = new RegExp(`([A-Za-z_]\\w*)["'\`\\]]?\\s*(?:==?|${SQL_OPERATOR})\\s*$`, 'i')
const BOUND_WINDOW = 160
// `api_key IN (?, ?, ...)`: every placeholder of the list.
const IN_LIST = /\b([A-Za-z_]\w*)["'`\]]?\s+(?:NOT\s+)?IN\s*\(([^()]*)\)/gi
// Each placeholder: `?` (numbered after the largest number so far, as SQLite does), `?NNN`
// and `$NNN` by number, `:name` / `@name` / `$name` by name (not PostgreSQL's `::text` cast).
const PLACEHOLDER = /'(?:[^']|'')*'|"[^"]*"|\?(\d+)?|\$(\d+)|(?<!:)[:@$]([A-Za-z_]\w*)/g
// `INSERT INTO t (a, b) VALUES (...), (...)`: the column list, then the rows.
const INSERT = /INSERT\s+(?:OR\s+\w+\s+)?INTO\s+[^(]+\(([^)]*)\)\s*VALUES\s*((?:\([^()]*\)\s*,?\s*)+)/i
const NO_SECRETS: SecretParams = { positions: new Set(), names: new Set() }

/**
 * The placeholders of `sql` bound to a secret-named column (by `isSecretName`): assigned
 * (`SET password = ?`), compared (`token = $2`, `api_key IN (?, ?)`, `secret LIKE ?1`) or
 * inserted (`INSERT INTO users (name, password) VALUES (?, ?)`, every row).
 *
 * @example
 * ```ts
 * secretParams('UPDATE users SET password = ? WHERE id = ?') // { positions: Set {0}, names: Set {} }
 * secretParams('SELECT * FROM t WHERE token = :t')           // { positions: Set {}, names: Set {'t'} }
 * ```
 */
export function secretParams(sql: string): SecretParams {
  // Most queries name no secret column at all: one scan of the text, and nothing more.
  if (!mayNameSecret(sql)) return NO_SECRETS
  const positions = new Set<number>()
  const names = new Set<string>()
  const add = (slot: Slot) => (typeof slot === 'number' ? positions.add(slot) : names.add(slot))
  const slots = new Map<number, Slot>()
  let largest = 0
  for (const match of sql.matchAll(PLACEHOLDER)) {
    // A quoted literal or name is skipped whole: `'why?'` holds no placeholder.
    if (match[0][0] === "'" || match[0][0] === '"') continue
    const number = match[1] ?? match[2]
    const slot: Slot = match[3] ?? (number ? Number(number) - 1 : largest)
    if (typeof slot === 'number') largest = Math.max(largest, slot + 1)
    slots.set(match.index, slot)
    const column = BOUND_COLUMN.exec(sql.slice(Math.max(0, match.index - BOUND_WINDOW), match.index))?.[1]
    if (column && isSecretName(column)) add(slot)
  }
  for (const list of sql.matchAll(IN_LIST)) {
    if (!isSecretName(list[1]!)) continue
    const from = list.index + list[0].length - list[2]!.length - 1
    for (const [at, slot] of slots) if (at >= from && at < list.index + list[0].length) add(slot)
  }
  const insert = INSERT.exec(sql)
  if (insert) {
    const columns = insert[1]!.split(',').map((name) => isSecretName(name.trim().replace(/^["'`[]|["'`\]]$/g, '')))
    const rowsAt = insert.index + insert[0].length - insert[2]!.length
    for (const row of columns.includes(true) ? insert[2]!.matchAll(/\(([^()]*)\)/g) : []) {
      // The placeholders of this row by column: commas inside a literal do not count.
      let column = 0
      for (const item of row[1]!.matchAll(/,|'(?:[^']|'')*'|\?\d*|\$\d+|(?<!:)[:@$][A-Za-z_]\w*/g)) {
        if (item[0] === ',') column++
        const slot = columns[column] ? slots.get(rowsAt + row.index + 1 + item.index) : undefined
        if (slot !== undefined) add(slot)
      }
    }
  }
  return { positions, names }
}

type Slot = number | string

/**
 * `params` with the ones `secretParams(sql)` finds replaced by `placeholder`: positional
 * ones in the list, named ones inside the object better-sqlite3 takes (`{ pw }` for `@pw`).
 *
 * @example
 * ```ts
 * redactSqlParams('UPDATE users SET password = ? WHERE id = ?', ['hunter2', 7]) // ['********', 7]
 * redactSqlParams('UPDATE users SET password = @pw', [{ pw: 'hunter2' }], 'REDACTED') // [{ pw: 'REDACTED' }]
 * ```
 */
export function redactSqlParams(sql: string, params: unknown[], placeholder: string = REDACTED): unknown[] {
  if (params.length === 0) return params
  const { positions, names } = secretParams(sql)
  if (positions.size === 0 && names.size === 0) return params
  return params.map((param, index) => {
    if (positions.has(index)) return placeholder
    if (names.size === 0 || param === null || typeof param !== 'object' || Array.isArray(param)) return param
    return Object.fromEntries(Object.entries(param).map(([name, value]) => [name, names.has(name) ? placeholder : value]))
  })
}
