/**
 * Which params of a query are bound to a secret-named column. A param carries no name of
 * its own when it is positional (`SET password = ?`, `WHERE token = $2`, `?1` in SQLite),
 * so its column is read from the SQL around its placeholder. The SQL panel (list and full
 * view) and the MCP server both redact by this; the work is done when a query is shown,
 * and while a request runs only for a query whose params are cut as they are recorded
 * (over `MAX_PARAM_BYTES`), where the whole SQL is still at hand.
 */
import { isSecretName, mayNameSecret, REDACTED } from '../../core/redact.js'
import { secretColumnIn, SQL_OPERATOR } from '../../core/redact-text.js'

/** The params bound to secret-named columns: positional ones by zero-based index, named ones by name. */
export interface SecretParams {
  positions: Set<number>
  names: Set<string>
}

// The column a placeholder (or the call or parenthesis around it) is compared with or
// assigned to: `password = ?`, `token IS NOT $2`, `password = crypt(`. Looked for in the few
// characters before it, so that a query of thousands of placeholders costs one pass.
const BOUND_COLUMN = new RegExp(`([A-Za-z_]\\w*)["'\`\\]]?\\s*(?:==?|${SQL_OPERATOR})\\s*$`, 'i')
const BOUND_WINDOW = 160
// Before a parenthesis: `api_key IN (` (every item of the list is bound to the column), a
// row compared or assigned with a row (`(email, password) = (`), a function's name or a
// keyword (`crypt(`, `ANY(`: the call is the value, climbed through to what it is bound to).
const IN_LIST = /([A-Za-z_]\w*)["'`\]]?\s+(?:NOT\s+)?IN\s*$/i
// A row compared with a row, written `(...)` or `ROW(...)`: `(email, password) = ROW(`.
const ROW_COMPARED = new RegExp(`\\)\\s*(?:==?|${SQL_OPERATOR})\\s*(?:ROW\\s*)?$`, 'i')
// A call (or a parenthesis) on the compared side, a secret column inside it: `lower(password) = ?`,
// `upper(token) = $1`, `lower(token) IN (`.
const CALL_COMPARED = new RegExp(`\\)["'\`\\]]?\\s*(?:==?|${SQL_OPERATOR})\\s*$`, 'i')
const CALL_IN = /\)["'`\]]?\s*(?:NOT\s+)?IN\s*$/i
const CALLED = /[A-Za-z_][\w.]*\s*$/
const VALUES_ROW = /(?:\bVALUES|\))\s*,?\s*$/i
// Placeholders, `?` (numbered after the largest number so far, as SQLite does), `?NNN` and
// `$NNN` by number, `:name` / `@name` / `$name` by name (not PostgreSQL's `::text` cast);
// parentheses and commas; quoted literals and names, skipped whole (`'why?'` holds no placeholder).
const TOKEN = /'(?:[^']|'')*'|"[^"]*"|`[^`]*`|\?(\d+)?|\$(\d+)|(?<!:)[:@$]([A-Za-z_]\w*)|[(),]/g
// `INSERT INTO t (a, b) VALUES`: the column list, where the rows start.
const INSERT = /INSERT\s+(?:OR\s+\w+\s+)?INTO\s+[^(]+\(([^)]*)\)\s*VALUES\b/i
const NO_SECRETS: SecretParams = { positions: new Set(), names: new Set() }

/** A parenthesis: where it opens, its enclosing one, and which item of that one it is in. */
interface Paren {
  open: number
  close: number
  parent: Paren | undefined
  item: number
  commas: number
  /** What the text before it says of its items, read once for all of them (`binding`). */
  binding?: Binding
  /**
   * For a call or parenthesis that is itself a value: the column it is bound to, climbed
   * to once for all the placeholders inside it (each climbed through every level around
   * it, which cost depth times placeholders).
   */
  outer?: { column: string | undefined }
}

/**
 * Its items are all bound to `column` (an IN list), each to its column of `columns` (a row
 * compared with a row of columns, an INSERT's row), or to what the parenthesis (or the call
 * it belongs to, from `at`) is bound to.
 */
type Binding = { column: string } | { columns: string[] } | { at: number }

/**
 * The placeholders of `sql` bound to a secret-named column (by `isSecretName`): assigned
 * (`SET password = ?`), compared (`token = $2`, `api_key IN (?, ?)`, `secret LIKE ?1`),
 * inserted (`INSERT INTO users (name, password) VALUES (?, ?)`, every row), also through
 * the function calls and parentheses around it (`SET password = crypt(?, gen_salt('bf'))`,
 * `password_hash = lower(?)`, `token = ANY($1)`) and as the item of a row value matching a
 * secret column's place (`(email, password) = (?, ?)`, `SET (a, password) = ($1, $2)`).
 *
 * @example
 * ```ts
 * secretParams('UPDATE users SET password = ? WHERE id = ?') // { positions: Set {0}, names: Set {} }
 * secretParams('SELECT * FROM t WHERE token = :t')           // { positions: Set {}, names: Set {'t'} }
 * secretParams("SET password = crypt(?, 'x') WHERE id = ?")  // { positions: Set {0}, names: Set {} }
 * ```
 */
export function secretParams(sql: string): SecretParams {
  // Most queries name no secret column at all: one scan of the text, and nothing more.
  if (!mayNameSecret(sql)) return NO_SECRETS
  const positions = new Set<number>()
  const names = new Set<string>()
  const insert = INSERT.exec(sql)
  const bound = boundColumn(sql, insert && { columns: insert[1]!.split(','), from: insert.index + insert[0].length })
  let largest = 0
  let paren: Paren | undefined
  const closed = new Map<number, Paren>()
  for (const match of sql.matchAll(TOKEN)) {
    const token = match[0]
    if (token === '(') paren = { open: match.index, close: -1, parent: paren, item: paren?.commas ?? 0, commas: 0 }
    else if (token === ')') {
      if (paren) closed.set((paren.close = match.index), paren)
      paren = paren?.parent
    } else if (token === ',') {
      if (paren) paren.commas++
    } else if (token[0] !== "'" && token[0] !== '"' && token[0] !== '`') {
      const number = match[1] ?? match[2]
      const slot: Slot = match[3] ?? (number ? Number(number) - 1 : largest)
      if (typeof slot === 'number') largest = Math.max(largest, slot + 1)
      const column = bound(match.index, paren, paren?.commas ?? 0, closed)
      if (column !== undefined && isSecretName(column)) {
        if (typeof slot === 'number') positions.add(slot)
        else names.add(slot)
      }
    }
  }
  return { positions, names }
}

/**
 * `bound(at, paren, item, closed)`: the column what starts at `at` (item `item` of `paren`)
 * is bound to, climbing out through the calls and parentheses around it, or undefined.
 */
function boundColumn(sql: string, insert: { columns: string[]; from: number } | null) {
  function climb(at: number, paren: Paren | undefined, item: number, closed: Map<number, Paren>, through: Paren[]): string | undefined {
    for (;;) {
      const window = sql.slice(Math.max(0, at - BOUND_WINDOW, paren ? paren.open + 1 : 0), at)
      const direct = BOUND_COLUMN.exec(window)
      if (direct) return direct[1]
      const called = CALL_COMPARED.exec(window)
      const left = called && closed.get(at - window.length + called.index)
      if (left) return secretColumnIn(sql.slice(left.open + 1, left.close))
      if (!paren) return undefined
      const binding = (paren.binding ??= bindingOf(sql, paren, insert, closed))
      if ('column' in binding) return binding.column
      if ('columns' in binding) return columnName(binding.columns[item])
      // A call or a parenthesis is itself the value: look at what it is bound to, unless
      // an earlier placeholder inside it did. (The parentheses before it that it reads
      // closed before it opened: what it is bound to does not change as the scan goes on.)
      if (paren.outer) return paren.outer.column
      through.push(paren)
      at = binding.at
      item = paren.item
      paren = paren.parent
    }
  }
  return function bound(at: number, paren: Paren | undefined, item: number, closed: Map<number, Paren>): string | undefined {
    const through: Paren[] = []
    const column = climb(at, paren, item, closed, through)
    for (const climbed of through) climbed.outer = { column }
    return column
  }
}

function bindingOf(sql: string, paren: Paren, insert: { columns: string[]; from: number } | null, closed: Map<number, Paren>): Binding {
  const before = sql.slice(Math.max(0, paren.open - BOUND_WINDOW), paren.open)
  if (insert && !paren.parent && paren.open >= insert.from && VALUES_ROW.test(before)) return { columns: insert.columns }
  const list = IN_LIST.exec(before)
  if (list) return { column: list[1]! }
  const calledList = CALL_IN.exec(before)
  const called = calledList && closed.get(paren.open - before.length + calledList.index)
  // Every item of the list is bound to the call's secret column, or to none ('').
  if (called) return { column: secretColumnIn(sql.slice(called.open + 1, called.close)) ?? '' }
  const row = ROW_COMPARED.exec(before)
  const left = row && closed.get(paren.open - before.length + row.index)
  if (row) return { columns: left ? itemsOf(sql, left) : [] }
  return { at: paren.open - (CALLED.exec(before)?.[0].length ?? 0) }
}

/** The items of a parenthesised list, split at its own commas (not those of a call inside it). */
function itemsOf(sql: string, paren: Paren): string[] {
  const items: string[] = []
  let depth = 0
  let start = paren.open + 1
  for (const match of sql.slice(start, paren.close).matchAll(/'(?:[^']|'')*'|"[^"]*"|[(),]/g)) {
    if (match[0] === '(') depth++
    else if (match[0] === ')') depth--
    else if (match[0] === ',' && depth === 0) {
      items.push(sql.slice(start, paren.open + 1 + match.index))
      start = paren.open + 2 + match.index
    }
  }
  items.push(sql.slice(start, paren.close))
  return items
}

/** A column as a list names it: `password`, `"password"`, `u.password`; undefined for an expression. */
function columnName(item: string | undefined): string | undefined {
  return item?.trim().match(/^(?:[\w"`[\]]+\.)?["'`[]?([A-Za-z_]\w*)["'`\]]?$/)?.[1]
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
