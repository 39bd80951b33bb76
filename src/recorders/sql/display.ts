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
 * A key equal for param lists the database receives as the same values, for finding duplicate
 * queries. Bytes compare by content, whichever view holds them; a list JSON cannot express (a
 * cycle) never matches another. With `named` (SQLite), a plain object is the named params:
 * better-sqlite3 takes it anywhere among the positional ones, and its key order binds nothing.
 *
 * @example
 * ```ts
 * paramsKey([1n]) === paramsKey(['1n'])                                // false: INTEGER 1 and TEXT '1n'
 * paramsKey([{ a: 1, b: 2 }], { named: true }) === paramsKey([{ b: 2, a: 1 }], { named: true }) // true
 * ```
 */
export function paramsKey(params: unknown[], options: { named?: boolean } = {}): string | undefined {
  try {
    return JSON.stringify(options.named ? namedLast(params) : params, keyValue)
  } catch {
    return undefined
  }
}

/**
 * Each value as JSON that no value of another kind writes: without the tags, bigint `1n` and
 * the string `'1n'`, or `Infinity` and `null`, were one key (a false duplicate). Read from the
 * holder, before `toJSON`: a Buffer and a Uint8Array of the same bytes are one BLOB. `undefined`
 * binds NULL, as in a list, also as a named param (JSON would leave the name out).
 */
function keyValue(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key]
  switch (typeof raw) {
    case 'string':
      return `s${raw}`
    case 'bigint':
      return `n${raw}`
    case 'number':
      // NaN binds NULL, as JSON writes it; ±Infinity are values.
      return Number.isFinite(raw) || Number.isNaN(raw) ? raw : `d${raw}`
    case 'undefined':
      return null
  }
  if (ArrayBuffer.isView(raw)) return `b${Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64')}`
  if (raw instanceof ArrayBuffer) return `b${Buffer.from(raw).toString('base64')}`
  // What a `toJSON` (a Date's) answers.
  return typeof value === 'string' ? `j${value}` : value
}

/** The positional params in order, then the named ones (a plain object) by name. */
function namedLast(params: unknown[]): unknown[] {
  if (!params.some(isPlainObject)) return params
  const positional: unknown[] = []
  const named: Array<[string, unknown]> = []
  for (const param of params) {
    if (isPlainObject(param)) named.push(...Object.entries(param))
    else positional.push(param)
  }
  named.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  // An array of entries, which no positional param is (better-sqlite3 binds no nested array).
  return [...positional, named]
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}
