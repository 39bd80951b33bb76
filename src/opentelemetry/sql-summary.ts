/**
 * `db.query.summary` for SQL, as database-spans.md ("Generating a summary of the query")
 * describes it: the operations and their targets in the order the query names them,
 * `{operation1} {target1} {operation2} {target2} {target3} ...`, as written (no case
 * normalization), at most 255 characters and never cut inside an operation or a target.
 *
 * Best effort, not a parser: a JOIN or a comma list names every table, a subquery adds its
 * own operation, several statements (an `exec` of a script) each add theirs.
 */
import { tokenizeSql, type SqlToken } from '../shapes/sql-lexer.js'

const MAX_SUMMARY = 255
/** Operations that can appear anywhere (subqueries, INSERT ... SELECT, UNION). */
const NESTED_OPERATIONS = new Set(['select', 'insert', 'update', 'delete', 'merge'])
/** Operations only read at the start of a statement. */
const STATEMENT_OPERATIONS = new Set(['create', 'drop', 'alter', 'truncate', 'call', 'exec', 'execute', 'replace', 'upsert', 'pragma', 'vacuum', 'analyze', 'begin', 'commit', 'rollback', 'savepoint', 'release', 'explain', 'copy', 'grant', 'revoke', 'lock', 'set', 'show', 'use', 'attach', 'detach', 'reindex'])
/** Statement operations whose next name is their target (`DROP TABLE users`, `CALL refresh`). */
const NAMED_STATEMENTS = new Set(['create', 'drop', 'alter', 'truncate', 'call', 'exec', 'execute', 'pragma', 'copy', 'reindex'])
/** Words that make a following UPDATE / DELETE a clause, not an operation (ON CONFLICT DO UPDATE, FOR UPDATE, ON DELETE CASCADE). */
const CLAUSE_PREFIXES = new Set(['do', 'for', 'on'])
/** Words after which the next name is a target. */
const TARGET_KEYWORDS = new Set(['from', 'join', 'into', 'update', 'table', 'using'])
/** Words that end a FROM list. */
const CLAUSE_ENDS = new Set(['where', 'group', 'order', 'having', 'limit', 'offset', 'union', 'intersect', 'except', 'window', 'returning', 'set', 'values', 'on', 'fetch', 'for'])
/** Object kinds of CREATE / DROP / ALTER, and the modifiers that may precede them. */
const DDL_MODIFIERS = new Set(['or', 'replace', 'temp', 'temporary', 'unique', 'virtual', 'materialized', 'global', 'local', 'unlogged'])
const DDL_OBJECTS = new Set(['table', 'index', 'view', 'trigger', 'schema', 'database', 'sequence', 'function', 'procedure', 'type', 'extension'])
const IF_EXISTS = new Set(['if', 'not', 'exists'])
/** Words that are never a table name where one is expected. */
const NOT_A_NAME = new Set(['select', 'lateral', 'only', 'distinct', 'all', 'into', 'table', 'cascade', 'restrict', 'no', ...CLAUSE_ENDS])

interface Depth {
  /** A SELECT or DELETE at this parenthesis depth: its FROM lists tables. */
  hasQuery: boolean
  /** Inside a FROM list at this depth: a comma introduces another table. */
  inFromList: boolean
}

/**
 * The summary of a SQL text, or undefined when it names no operation. `dbSystem` says how the
 * text reads (`tokenizeSql`: MySQL's double quotes are strings).
 *
 * @example
 * ```ts
 * sqlQuerySummary('SELECT * FROM users u JOIN orders o ON o.user_id = u.id') // 'SELECT users orders'
 * sqlQuerySummary('INSERT INTO shipping_details (order_id) SELECT id FROM orders') // 'INSERT shipping_details SELECT orders'
 * sqlQuerySummary('SELECT * FROM "ada"', 'mysql') // 'SELECT': MySQL's "ada" is a string, not a table
 * ```
 */
export function sqlQuerySummary(sql: string, dbSystem?: string): string | undefined {
  const tokens = tokenizeSql(sql, dbSystem).filter((t) => t.kind !== 'space' && t.kind !== 'comment')
  const parts: string[] = []
  const depths: Depth[] = [{ hasQuery: false, inFromList: false }]
  let statementStart = true
  // 'from': a table in a FROM / JOIN / INTO list (a name followed by '(' is a function there);
  // 'name': the name right after an operation (`CREATE TABLE users (...)`, `CALL p(1)`).
  let expectTarget: false | 'from' | 'name' = false
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    const depth = depths[depths.length - 1]!
    const lower = token.kind === 'word' ? token.text.toLowerCase() : ''
    if (token.kind === 'punct') {
      if (token.text === '(') depths.push({ hasQuery: false, inFromList: false })
      else if (token.text === ')' && depths.length > 1) depths.pop()
      else if (token.text === ';') {
        depths.splice(1)
        depths[0] = { hasQuery: false, inFromList: false }
        statementStart = true
        expectTarget = false
        continue
      } else if (token.text === ',' && depth.inFromList) {
        expectTarget = 'from'
        continue
      }
      expectTarget = false
      statementStart = false
      continue
    }
    if (expectTarget && isName(token) && !NOT_A_NAME.has(lower) && !(expectTarget === 'from' && isCall(tokens, i))) {
      parts.push(token.text)
      expectTarget = false
      statementStart = false
      continue
    }
    expectTarget = false
    if (token.kind !== 'word') {
      statementStart = false
      continue
    }
    const previous = i > 0 && tokens[i - 1]!.kind === 'word' ? tokens[i - 1]!.text.toLowerCase() : ''
    if (NESTED_OPERATIONS.has(lower) && !CLAUSE_PREFIXES.has(previous)) {
      parts.push(token.text)
      depth.hasQuery = true
      depth.inFromList = false
      expectTarget = lower === 'update' ? 'name' : false
    } else if (statementStart && STATEMENT_OPERATIONS.has(lower)) {
      i = statementOperation(tokens, i, parts)
      depth.hasQuery = false
      expectTarget = NAMED_STATEMENTS.has(lower) ? 'name' : false
    } else if (TARGET_KEYWORDS.has(lower)) {
      // FROM inside EXTRACT(YEAR FROM d) or TRIM(x FROM y) names no table.
      const fromList = lower === 'from' || lower === 'join' || lower === 'using'
      if (!fromList || depth.hasQuery) {
        expectTarget = lower === 'update' || lower === 'table' ? 'name' : 'from'
        if (fromList) depth.inFromList = true
      }
    } else if (CLAUSE_ENDS.has(lower)) {
      depth.inFromList = false
    }
    statementStart = false
  }
  return parts.length > 0 ? truncate(parts) : undefined
}

/** Reads `CREATE [modifiers] TABLE [IF NOT EXISTS]` as one operation; answers the last index read. */
function statementOperation(tokens: SqlToken[], start: number, parts: string[]): number {
  const words = [tokens[start]!.text]
  let i = start + 1
  while (i < tokens.length && tokens[i]!.kind === 'word' && DDL_MODIFIERS.has(tokens[i]!.text.toLowerCase())) i++
  const object = tokens[i]
  if (object?.kind === 'word' && DDL_OBJECTS.has(object.text.toLowerCase())) {
    words.push(object.text)
    i++
    while (i < tokens.length && tokens[i]!.kind === 'word' && IF_EXISTS.has(tokens[i]!.text.toLowerCase())) i++
  } else {
    i = start + 1
  }
  parts.push(words.join(' '))
  return i - 1
}

/**
 * A word, a quoted name, or a string that can only be a name there (SQLite reads `FROM 'users'`
 * as the table): one that reads as a name. The summary is the span's name and is never
 * sanitized, so any other string (a value, a quoted name never closed that holds the rest of a
 * refused query) is no target.
 */
function isName(token: SqlToken): boolean {
  return token.kind === 'word' || token.kind === 'quoted' || (token.kind === 'string' && STRING_NAME.test(token.text))
}

/** A single-quoted string holding a plain (possibly dotted) name. */
const STRING_NAME = /^'[A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)*'$/

/** A name followed by `(` is a function (a table-valued one), unless it follows INTO (`INSERT INTO t (a, b)`). */
function isCall(tokens: SqlToken[], i: number): boolean {
  return tokens[i + 1]?.text === '(' && tokens[i - 1]?.text.toLowerCase() !== 'into'
}

function truncate(parts: string[]): string {
  let summary = ''
  for (const part of parts) {
    const next = summary ? `${summary} ${part}` : part
    if (next.length > MAX_SUMMARY) break
    summary = next
  }
  return summary
}
