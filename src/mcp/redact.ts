/**
 * Redaction of everything the MCP server sends, applied once to each tool result and
 * resource just before it leaves, so that no tool can forget it. The panels already
 * redact headers, cookies and secret-named params where they collect them; this adds what
 * an agent could otherwise read in free text (`password=hunter2` in a log line or a SQL
 * literal), in positional SQL params bound to a secret-named column, and in span attributes.
 */
import { isSecretName } from '../core/redact.js'

/** What a redacted value is replaced with. */
export const MCP_REDACTED = 'REDACTED'

/** How the MCP server filters what it sends (from `debugToolbar({ mcp })`). */
export interface RedactionSettings {
  redact: boolean
  hideSqlParams: boolean
  hideBodies: boolean
}

// `name=value`, `name: value`, `"name": "value"`, `name = 'value'`; an auth scheme word
// (`Bearer abc`) is taken with its token. Only pairs whose name is secret are touched.
const PAIR =
  /(["']?)([A-Za-z_][\w.-]*)\1(\s*[:=]\s*)((?:(?:Bearer|Basic|Token|Digest)\s+)?(?:"[^"]*"|'[^']*'|\[[^\]]*\]|[^\s"',;&)}\]]+))/g

/**
 * `text` with the value of every secret-named `name=value` / `name: value` pair replaced,
 * quotes kept.
 *
 * @example
 * ```ts
 * redactText("login password=hunter2 user=ada")     // 'login password=REDACTED user=ada'
 * redactText("UPDATE users SET api_key = 'k-123'") // "UPDATE users SET api_key = 'REDACTED'"
 * ```
 */
export function redactText(text: string): string {
  if (!text.includes('=') && !text.includes(':')) return text
  return text.replace(PAIR, (whole, quote: string, name: string, sep: string, value: string) => {
    const quoted = /^(["'])(.*)\1$/s.exec(value)
    // The value of another name can hold pairs itself (`log.message="... password=x"`,
    // `url=http://host/?token=x`): look inside it. It is shorter than the text, so this ends.
    if (!isSecretKey(name)) {
      return `${quote}${name}${quote}${sep}${quoted ? `${quoted[1]}${redactText(quoted[2]!)}${quoted[1]}` : redactText(value)}`
    }
    // A placeholder (`password = ?`, `= $1`, `= :password`) is no secret: the param is redacted on its own.
    if (/^(\?|\$\d+|[:@$][A-Za-z_]\w*)$/.test(value)) return whole
    const shown = quoted ? `${quoted[1]}${MCP_REDACTED}${quoted[1]}` : value.startsWith('[') ? `[${MCP_REDACTED}]` : MCP_REDACTED
    return `${quote}${name}${quote}${sep}${shown}`
  })
}

/**
 * A copy of `value` (JSON-like) with every string passed through `redactText`, and the
 * value of every object key that looks secret (`password`, `authorization`, ...) replaced.
 * Arrays of two strings are read as `[name, value]` header pairs.
 *
 * @example
 * ```ts
 * redactValue({ attributes: { 'user.password': 'x', q: 'token=abc' } })
 * // { attributes: { 'user.password': 'REDACTED', q: 'token=REDACTED' } }
 * ```
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value)
  if (depth > 32 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) {
    if (value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && isHeaderName(value[0]) && isSecretName(value[0])) {
      return [value[0], MCP_REDACTED]
    }
    return value.map((item) => redactValue(item, depth + 1))
  }
  const copy: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    copy[key] = isSecretKey(key) ? redactAll(item, depth + 1) : redactValue(item, depth + 1)
  }
  return copy
}

/**
 * Positional params of `sql` with the ones bound to a secret-named column redacted:
 * `SET password = ?`, `WHERE token = $2`, and `INSERT INTO t (name, password) VALUES (?, ?)`.
 *
 * @example
 * ```ts
 * redactSqlParams('UPDATE users SET password = ? WHERE id = ?', ['hunter2', 1]) // ['REDACTED', 1]
 * ```
 */
export function redactSqlParams(sql: string, params: unknown[]): unknown[] {
  const secret = secretPlaceholders(sql)
  if (secret.size === 0) return params
  return params.map((param, index) => (secret.has(index) ? MCP_REDACTED : param))
}

/** Zero-based indexes of the positional params bound to secret-named columns. */
function secretPlaceholders(sql: string): Set<number> {
  const secret = new Set<number>()
  // Each `?` in order, or `$n` by its number.
  const placeholders = [...sql.matchAll(/\?|\$(\d+)/g)]
  const indexOf = (match: RegExpMatchArray, order: number) => (match[1] ? Number(match[1]) - 1 : order)
  placeholders.forEach((match, order) => {
    const before = sql.slice(0, match.index)
    const column = /([A-Za-z_][\w]*)["'`\]]?\s*(?:=|<>|!=|LIKE|IN\s*\()\s*$/i.exec(before)?.[1]
    if (column && isSecretName(column)) secret.add(indexOf(match, order))
  })
  // INSERT INTO t (a, b, c) VALUES (?, ?, ?): columns and placeholders pair up by position.
  const insert = /INSERT\s+INTO\s+[^(]+\(([^)]*)\)\s*VALUES\s*\(([^)]*)\)/i.exec(sql)
  if (insert) {
    const columns = insert[1]!.split(',').map((name) => name.trim().replace(/^["'`[]|["'`\]]$/g, ''))
    const values = insert[2]!.split(',').map((value) => value.trim())
    const first = sql.slice(0, insert.index + insert[0].indexOf('VALUES')).match(/\?/g)?.length ?? 0
    let order = first
    values.forEach((value, position) => {
      const dollar = /^\$(\d+)$/.exec(value)
      if (value !== '?' && !dollar) return
      const index = dollar ? Number(dollar[1]) - 1 : order++
      if (columns[position] && isSecretName(columns[position]!)) secret.add(index)
    })
  }
  return secret
}

/** A secret name, or a dotted key ending in one (`http.request.header.authorization`). */
function isSecretKey(key: string): boolean {
  return isSecretName(key) || isSecretName(key.slice(key.lastIndexOf('.') + 1))
}

/** Every string and number under a secret-named key (`token: ['a', 'b']`) replaced. */
function redactAll(value: unknown, depth: number): unknown {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return MCP_REDACTED
  if (depth > 32 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item) => redactAll(item, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactAll(item, depth + 1)]))
}

function isHeaderName(name: string): boolean {
  return /^[A-Za-z0-9-]+$/.test(name)
}

/** Keys that carry a request or response body (hidden with `hideBodies`). */
export function isBodyKey(key: string): boolean {
  return /(^|[._-])body([._-]?content)?$/i.test(key) && !/size|bytes|length/i.test(key)
}

/**
 * The params of a query as the server may send them: none with `hideSqlParams`, and with
 * `redact` the ones bound to secret-named columns replaced.
 *
 * @example
 * ```ts
 * shownParams({ redact: true, hideSqlParams: false, hideBodies: false }, 'SELECT 1 WHERE token = ?', ['t']) // ['REDACTED']
 * ```
 */
export function shownParams(settings: RedactionSettings, sql: string, params: unknown[]): unknown[] | undefined {
  if (settings.hideSqlParams) return undefined
  return settings.redact ? redactSqlParams(sql, params) : params
}

/**
 * Span or log attributes as the server may send them: with `hideBodies`, without the
 * ones that carry a body (`http.request.body.content`, `body`...).
 *
 * @example
 * ```ts
 * shownAttributes({ redact: true, hideSqlParams: false, hideBodies: true }, { body: '{...}', 'http.route': '/' }) // { 'http.route': '/' }
 * ```
 */
export function shownAttributes<T>(settings: RedactionSettings, attributes: Record<string, T>): Record<string, T> {
  if (!settings.hideBodies) return attributes
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => !isBodyKey(key)))
}
