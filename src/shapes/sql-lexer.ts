/**
 * A small SQL tokenizer: enough to tell literals, quoted names, words and punctuation
 * apart, so that the query summary, the sanitizer and the shape that groups similar queries
 * (sql-shape.ts) never look inside a string or a comment. It does not parse SQL; it only
 * has to be right about where tokens begin and end. Here, under shapes/, because the SQL
 * panel, the trace analysis and the OpenTelemetry export all read SQL with it.
 */

export type SqlTokenKind =
  /** Keywords and unquoted names, dotted names included (`main.orders`). */
  | 'word'
  /** `"name"`, `` `name` ``, `[name]`, possibly dotted (`"s"."t"`). */
  | 'quoted'
  /** `'text'`, `E'text'`, `N'text'`, `$$text$$`, `$tag$text$tag$`; MySQL's `"text"`; a quoted name never closed. */
  | 'string'
  /** `42`, `3.14`, `1e3`, `0x1F`, `X'1F'`. */
  | 'number'
  /** `?`, `?1`, `$1`, `:name`, `@name`. */
  | 'placeholder'
  /** Any other single character (`(`, `)`, `,`, `;`, `=`...). */
  | 'punct'
  /** `-- ...` and `/* ... *\/`. */
  | 'comment'
  | 'space'

export interface SqlToken {
  kind: SqlTokenKind
  text: string
}

/** A quoted name, closed: `"users"` (`""` inside), `` `users` ``, `[users]` (`${'`'}` writes a backtick inside `String.raw`). */
const QUOTED_NAME = String.raw`"(?:[^"]|"")*"|${'`'}[^${'`'}]*${'`'}|\[[^\]]*\]`
/** The parts of a dotted name after its first: `."t"`, `.t`. */
const NAME_PARTS = String.raw`(?:\.(?:${QUOTED_NAME}|[A-Za-z_][\w$]*))*`

const PATTERNS: Array<[SqlTokenKind, RegExp]> = [
  ['space', /\s+/y],
  ['comment', /--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/y],
  // Each pattern reads a stretch of text once. A number's digits are split one way only
  // (`\d+\.?\d*` tried every split of a run of digits), and none starts after a digit: a run
  // that is no number (`1111a`) is so from each of its digits, and was read again from each.
  // A prefixed string (E'..', N'..', X'..' is a hex literal, read as a number below).
  ['number', /[xX]'[0-9a-fA-F]*'|0[xX][0-9a-fA-F]+|(?:(?<!\d)\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![\w$])/y],
  // A backslash is read as an escape even where the dialect does not (MySQL does, standard
  // SQL does not): misreading errs towards hiding more of the text, never less. A string
  // cut after a backslash runs to the text's end too (from each `'` of `'\'\'\...\` it was
  // read to the end and refused).
  ['string', /[eEnNbB]?'(?:[^'\\]|''|\\[\s\S])*(?:'|\\?$)/y],
  ['string', /\$([A-Za-z_]\w*)?\$[\s\S]*?(?:\$\1\$|$)/y],
  ['placeholder', /\?\d*|\$\d+|[:@][A-Za-z_]\w*/y],
  // A quoted name's first part may run to the text's end unclosed; the parts after a dot are whole.
  ['quoted', new RegExp(String.raw`(?:"(?:[^"]|"")*(?:"|$)|${'`'}[^${'`'}]*(?:${'`'}|$)|\[[^\]]*(?:\]|$))${NAME_PARTS}`, 'y')],
  ['word', new RegExp(String.raw`[A-Za-z_][\w$]*(?:\.(?:[A-Za-z_][\w$]*|${QUOTED_NAME}|\*))*`, 'y')],
]

/**
 * The characters each pattern can start with (a superset), in PATTERNS' order: at each
 * position only the patterns that can start there are tried, in the same order, so the
 * tokens are the same and most take one `exec`, not up to nine. The lexer shapes every
 * distinct query text of a trace for the waterfall's groups (sql-shape.ts), 100,000 of them
 * in a large trace.
 */
const FIRST_CHARS = [/\s/, /[-/]/, /[xX0-9.]/, /[eEnNbB']/, /\$/, /[?$:@]/, /["`[]/, /[A-Za-z_]/]

/** For each ASCII code, the patterns that can start with it, in `patterns`' order. */
function candidates(patterns: Array<[SqlTokenKind, RegExp]>, firstChars: RegExp[]): Array<Array<[SqlTokenKind, RegExp]>> {
  return Array.from({ length: 128 }, (_, code) => patterns.filter((_, i) => firstChars[i]!.test(String.fromCharCode(code))))
}
const ASCII_CANDIDATES = candidates(PATTERNS, FIRST_CHARS)

/**
 * MySQL and MariaDB read `"text"` as a string, as `'text'` (unless the server runs with
 * `ANSI_QUOTES`), with the same escapes: a double-quoted string is tried before a quoted name.
 */
const MYSQL_STRING: [SqlTokenKind, RegExp] = ['string', /"(?:[^"\\]|""|\\[\s\S])*(?:"|\\?$)/y]
const MYSQL_PATTERNS: Array<[SqlTokenKind, RegExp]> = [...PATTERNS.slice(0, 5), MYSQL_STRING, ...PATTERNS.slice(5)]
const MYSQL_CANDIDATES = candidates(MYSQL_PATTERNS, [...FIRST_CHARS.slice(0, 5), /"/, ...FIRST_CHARS.slice(5)])

/** Whether the database `dbSystem` (OpenTelemetry's `db.system.name`) reads a double-quoted token as a string rather than a name. */
function doubleQuotesString(dbSystem: string | undefined): boolean {
  return dbSystem === 'mysql' || dbSystem === 'mariadb'
}

/** A quoted token read whole and closed: only its first part can run to the text's end unclosed (PATTERNS). */
const CLOSED_QUOTED = new RegExp(String.raw`^(?:${QUOTED_NAME})${NAME_PARTS}$`)

/**
 * Splits `sql` into tokens; joining their texts gives `sql` back. `dbSystem` (OpenTelemetry's
 * `db.system.name`) says how double quotes read: a name (`"userId"`) unless it is MySQL or
 * MariaDB, where they are a string (`"ada"`).
 *
 * @example
 * ```ts
 * tokenizeSql("SELECT 'a'").map((t) => t.kind)           // ['word', 'space', 'string']
 * tokenizeSql('SELECT "a"', 'mysql').map((t) => t.kind)  // ['word', 'space', 'string']
 * ```
 */
export function tokenizeSql(sql: string, dbSystem?: string): SqlToken[] {
  const mysql = doubleQuotesString(dbSystem)
  const ascii = mysql ? MYSQL_CANDIDATES : ASCII_CANDIDATES
  const other = mysql ? MYSQL_PATTERNS : PATTERNS
  const tokens: SqlToken[] = []
  let at = 0
  outer: while (at < sql.length) {
    const code = sql.charCodeAt(at)
    for (const [kind, pattern] of code < 128 ? ascii[code]! : other) {
      pattern.lastIndex = at
      const match = pattern.exec(sql)
      if (match && match[0].length > 0) {
        // A quoted name never closed (`"users WHERE pw = 'x'`, a query the database refused)
        // holds the rest of the text, literals included: it is read as a string, to be hidden.
        const open = kind === 'quoted' && at + match[0].length === sql.length && !CLOSED_QUOTED.test(match[0])
        tokens.push({ kind: open ? 'string' : kind, text: match[0] })
        at += match[0].length
        continue outer
      }
    }
    tokens.push({ kind: 'punct', text: sql[at]! })
    at++
  }
  return tokens
}

/**
 * `sql` with its string, numeric, hexadecimal and boolean literals replaced by `?`
 * ("Sanitization SHOULD replace all literals with a placeholder value", database-spans.md).
 * Quoted names, comments, placeholders and keywords are kept as written. In MySQL and
 * MariaDB (`dbSystem` `mysql`, `mariadb`) a double-quoted token is a string
 * (`WHERE email = "ada@example.com"`), not a name as in standard SQL. A quoted name that is
 * never closed (`"users WHERE pw = 'x'`, a query the database refused) is hidden too: it
 * holds the rest of the text, literals included.
 *
 * @example
 * ```ts
 * sanitizeSql("SELECT * FROM users WHERE name = 'ada' AND age > 30") // 'SELECT * FROM users WHERE name = ? AND age > ?'
 * sanitizeSql('SELECT * FROM users WHERE name = "ada"', 'mysql')      // 'SELECT * FROM users WHERE name = ?'
 * ```
 */
export function sanitizeSql(sql: string, dbSystem?: string): string {
  let out = ''
  for (const token of tokenizeSql(sql, dbSystem)) {
    const literal =
      token.kind === 'string' ||
      token.kind === 'number' ||
      (token.kind === 'word' && /^(?:true|false)$/i.test(token.text))
    out += literal ? '?' : token.text
  }
  return out
}

