import { isSecretName, REDACTED } from '../../core/redact.js'
import { redactBareSecrets } from '../../core/redact-text.js'
import { redactSqlParams } from './secret-params.js'
import { setOwn } from '../../core/span-model.js'

/** How much of a query the panel's list shows; the whole text is one click away. */
export const DISPLAY_LIMITS = { sqlChars: 2000, paramItems: 100, paramChars: 200, depth: 4 }

/**
 * `sql` cut to `max` characters for the list, and whether it was cut, with the secrets its
 * shape gives away (a token in a literal: `VALUES ('ghp_...')`) redacted (`redactBareSecrets`);
 * the rest is shown as the app ran it. Redacted before it is cut, so that no part of a token
 * is left.
 *
 * @example
 * ```ts
 * displaySql('SELECT 1', 2000) // { sql: 'SELECT 1', truncated: false }
 * ```
 */
export function displaySql(sql: string, max = DISPLAY_LIMITS.sqlChars): { sql: string; truncated: boolean } {
  const shown = redactBareSecrets(sql)
  return shown.length > max ? { sql: `${shown.slice(0, max)}…`, truncated: true } : { sql: shown, truncated: false }
}

interface Limits {
  items: number
  chars: number
  depth: number
}

/**
 * Query params as JSON the API can send and the browser can show: bigints and dates as
 * text, bytes as their length, named params whose name looks secret redacted, tokens that
 * their shape gives away redacted in strings (`redactBareSecrets`), and (for
 * the list) long strings and long arrays cut, with `truncated` set. Given the query's
 * `sql`, the params bound to a secret-named column (`SET password = ?`) are redacted too.
 *
 * @example
 * ```ts
 * displayParams([1n, { password: 'x' }]) // { params: ['1', { password: '********' }], truncated: false }
 * displayParams(['hunter2', 7], { sql: 'UPDATE users SET password = ? WHERE id = ?' }) // { params: ['********', 7], ... }
 * displayParams(ids, { full: true })     // every value, nothing cut
 * ```
 */
export function displayParams(params: unknown[], options: { full?: boolean; sql?: string } = {}): { params: unknown[]; truncated: boolean } {
  const limits: Limits = options.full
    ? { items: Infinity, chars: Infinity, depth: 16 }
    : { items: DISPLAY_LIMITS.paramItems, chars: DISPLAY_LIMITS.paramChars, depth: DISPLAY_LIMITS.depth }
  const state = { truncated: false }
  const shown = toJson(options.sql === undefined ? params : redactSqlParams(options.sql, params), limits, 0, state) as unknown[]
  return { params: shown, truncated: state.truncated }
}

function toJson(value: unknown, limits: Limits, depth: number, state: { truncated: boolean }): unknown {
  switch (typeof value) {
    case 'string': {
      // A token with no name around it (`ghp_...` in a note); before the cut, which could leave half of one.
      const shown = redactBareSecrets(value)
      if (shown.length <= limits.chars) return shown
      state.truncated = true
      return `${shown.slice(0, limits.chars)}…`
    }
    case 'number':
      return Number.isFinite(value) ? value : String(value)
    case 'boolean':
      return value
    case 'bigint':
      return String(value)
    case 'undefined':
      return null
    case 'object':
      break
    default:
      return String(value)
  }
  if (value === null) return null
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `<${value.byteLength} bytes>`
  if (depth >= limits.depth) {
    state.truncated = true
    return Array.isArray(value) ? '[…]' : '{…}'
  }
  if (Array.isArray(value)) {
    const shown = value.slice(0, limits.items).map((item) => toJson(item, limits, depth + 1, state))
    if (value.length > limits.items) {
      state.truncated = true
      shown.push(`… ${value.length - limits.items} more`)
    }
    return shown
  }
  const out: Record<string, unknown> = {}
  const entries = Object.entries(value)
  for (const [key, item] of entries.slice(0, limits.items)) {
    setOwn(out, key, isSecretName(key) ? REDACTED : toJson(item, limits, depth + 1, state))
  }
  if (entries.length > limits.items) {
    state.truncated = true
    out['…'] = `${entries.length - limits.items} more`
  }
  return out
}

/**
 * A key equal for equal param lists, for finding duplicate queries. Bytes compare by
 * content; a list JSON cannot express (a cycle) never matches another.
 */
export function paramsKey(params: unknown[]): string | undefined {
  try {
    return JSON.stringify(params, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value))
  } catch {
    return undefined
  }
}
