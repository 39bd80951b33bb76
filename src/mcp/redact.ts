/**
 * Redaction of everything the MCP server sends, applied once to each tool result and
 * resource just before it leaves, so that no tool can forget it. The panels already
 * redact headers, cookies and secret-named params where they collect them; this adds what
 * an agent could otherwise read in free text (`password=hunter2` in a log line, a SQL
 * literal, a URL's credentials or query), in SQL params bound to a secret-named column,
 * and in span attributes.
 */
import { decodeQueryName, isSecretHeaderName, isSecretName } from '../core/redact.js'
import { isSecretAttributeKey, redactAttributeText, redactText as redactTextWith } from '../core/redact-text.js'
import { redactSqlParams as redactSqlParamsWith } from '../recorders/sql/secret-params.js'
import { SPAN_REDACTED } from '../core/redact-span.js'
import { setOwn, type ToolbarSpan } from '../core/span-model.js'

/** What a redacted value is replaced with: `REDACTED`, as in the spans the toolbar shows. */
export const MCP_REDACTED = SPAN_REDACTED

/** How the MCP server filters what it sends (from `debugToolbar({ mcp })`). */
export interface RedactionSettings {
  redact: boolean
  hideSqlParams: boolean
  hideBodies: boolean
}

/**
 * `text` with the value of every secret-named `name=value` / `name: value` pair replaced,
 * quotes kept; the same for a URL's user info and secret query parameters (also with an
 * encoded name, and the HTTP conventions' signature keys), and for SQL literals compared
 * with a secret column, and for tokens known by their shape with no name around them (a
 * JWT, `Bearer ...`, `ghp_...`) (src/core/redact-text.ts, with `REDACTED` as the placeholder).
 *
 * @example
 * ```ts
 * redactText("login password=hunter2 user=ada")     // 'login password=REDACTED user=ada'
 * redactText("UPDATE users SET api_key = 'k-123'") // "UPDATE users SET api_key = 'REDACTED'"
 * redactText('postgres://admin:pw@db/app')         // 'postgres://REDACTED:REDACTED@db/app'
 * ```
 */
export function redactText(text: string): string {
  return redactTextWith(text, MCP_REDACTED)
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
    if (value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && isHeaderName(value[0]) && isSecretHeaderName(value[0])) {
      return [value[0], MCP_REDACTED]
    }
    return value.map((item) => redactValue(item, depth + 1))
  }
  const copy: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    setOwn(copy, key, isSecretAttributeKey(key) ? redactAll(item, depth + 1) : typeof item === 'string' ? redactAttributeText(key, item, MCP_REDACTED) : redactValue(item, depth + 1))
  }
  return copy
}

/**
 * Params of `sql` with the ones bound to a secret-named column redacted: positional
 * (`SET password = ?`, `WHERE token = $2`, `INSERT INTO t (name, password) VALUES (?, ?)`)
 * and named, in the object better-sqlite3 takes (`SET password = @pw` with `{ pw }`).
 *
 * @example
 * ```ts
 * redactSqlParams('UPDATE users SET password = ? WHERE id = ?', ['hunter2', 1]) // ['REDACTED', 1]
 * redactSqlParams('UPDATE users SET password = @pw', [{ pw: 'hunter2' }])      // [{ pw: 'REDACTED' }]
 * ```
 */
export function redactSqlParams(sql: string, params: unknown[]): unknown[] {
  return redactSqlParamsWith(sql, params, MCP_REDACTED)
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

/**
 * The values of the secret-named params of a route (`/reset/:token` matched by
 * `/reset/abc` gives `abc`), as the path has them and decoded. The panels show route
 * params as they are; the MCP server redacts them by value, wherever they are written.
 *
 * @example
 * ```ts
 * routeSecrets('/reset/:token', '/reset/abc%2B1def') // ['abc%2B1def', 'abc+1def']
 * routeSecrets('/users/:id', '/users/2')             // []
 * ```
 */
export function routeSecrets(route: string | undefined, path: string | undefined): string[] {
  if (!route || !path || !route.includes('/:')) return []
  const names = route.split('/')
  const parts = path.split('/')
  // A param whose pattern spans several segments (`:path{.+}`) cannot be matched up here.
  if (names.length !== parts.length) return []
  const secrets: string[] = []
  names.forEach((name, at) => {
    const param = /^:([^{?]+)/.exec(name)?.[1]
    const value = parts[at]!
    // It is replaced wherever it is written: a short value or a number (`/sessions/:sessionId`
    // with `42`) would blot out unrelated text and timestamps, and is no secret anyway.
    if (!param || !isSecretName(param) || value.length < 8 || /^\d+$/.test(value)) return
    secrets.push(value, decodeQueryName(value))
  })
  return [...new Set(secrets)]
}

/**
 * A copy of `value` with every occurrence of each of `secrets` in its strings replaced by
 * `REDACTED`.
 *
 * @example
 * ```ts
 * scrubValues({ path: '/reset/abc12345' }, ['abc12345']) // { path: '/reset/REDACTED' }
 * ```
 */
export function scrubValues<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value
  const scrub = (text: string) => secrets.reduce((out, secret) => out.split(secret).join(MCP_REDACTED), text)
  const walk = (item: unknown, depth: number): unknown => {
    if (typeof item === 'string') return scrub(item)
    if (depth > 32 || item === null || typeof item !== 'object') return item
    if (Array.isArray(item)) return item.map((x) => walk(x, depth + 1))
    return Object.fromEntries(Object.entries(item).map(([key, x]) => [key, walk(x, depth + 1)]))
  }
  return walk(value, 0) as T
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

/**
 * A span as the server may send it: `shownAttributes` applied to its attributes and to
 * those of its events and links.
 *
 * @example
 * ```ts
 * shownSpan({ redact: true, hideSqlParams: false, hideBodies: true }, span).events[0].attributes // no body
 * ```
 */
export function shownSpan(settings: RedactionSettings, span: ToolbarSpan): ToolbarSpan {
  if (!settings.hideBodies) return span
  return {
    ...span,
    attributes: shownAttributes(settings, span.attributes),
    events: span.events.map((event) => ({ ...event, attributes: shownAttributes(settings, event.attributes) })),
    links: span.links.map((link) => ({ ...link, attributes: shownAttributes(settings, link.attributes) })),
  }
}
