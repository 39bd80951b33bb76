/**
 * OpenTelemetry database attributes of a recorded query (stable semantic conventions:
 * `db.system.name`, `db.query.text`, `db.operation.name`, `db.collection.name`,
 * `db.response.returned_rows`). Parameters are never exported: they are user data.
 */
import type { Attributes } from '@opentelemetry/api'
import type { RecordedQuery } from '../recorders/records.js'

/**
 * The operation of a statement: its first keyword, upper-cased (`WITH` stays `WITH`).
 *
 * @example
 * ```ts
 * sqlOperation('  select * from users') // 'SELECT'
 * ```
 */
export function sqlOperation(sql: string): string | undefined {
  const match = /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*([a-z]+)/i.exec(sql)
  return match?.[1]?.toUpperCase()
}

/**
 * The table a statement works on, read from `FROM`, `INTO`, `UPDATE` or `TABLE`, best effort
 * (the first one; quotes and a schema prefix are kept as written, minus the quotes).
 *
 * @example
 * ```ts
 * sqlCollection('SELECT id FROM "users" WHERE id = ?') // 'users'
 * sqlCollection('INSERT INTO main.orders (id) VALUES (1)') // 'main.orders'
 * ```
 */
export function sqlCollection(sql: string): string | undefined {
  const match = /\b(?:from|into|update|table(?:\s+if\s+(?:not\s+)?exists)?)\s+((?:[`"[]?[\w$]+[`"\]]?\.)?[`"[]?[\w$]+[`"\]]?)/i.exec(sql)
  return match?.[1]?.replace(/[`"[\]]/g, '')
}

/**
 * The span name the conventions ask for: `{operation} {collection}`, else the operation,
 * else the database system.
 *
 * @example
 * ```ts
 * sqlSpanName({ sql: 'SELECT * FROM users', dbSystem: 'sqlite' } as RecordedQuery) // 'SELECT users'
 * ```
 */
export function sqlSpanName(query: Pick<RecordedQuery, 'sql' | 'dbSystem'>): string {
  const operation = sqlOperation(query.sql)
  const collection = sqlCollection(query.sql)
  if (operation && collection) return `${operation} ${collection}`
  return operation ?? query.dbSystem
}

/**
 * The span attributes of one query.
 *
 * @example
 * ```ts
 * sqlAttributes(query) // { 'db.system.name': 'sqlite', 'db.query.text': 'SELECT ...', ... }
 * ```
 */
export function sqlAttributes(query: RecordedQuery): Attributes {
  const attributes: Attributes = { 'db.system.name': query.dbSystem, 'db.query.text': query.sql }
  const operation = sqlOperation(query.sql)
  if (operation) attributes['db.operation.name'] = operation
  const collection = sqlCollection(query.sql)
  if (collection) attributes['db.collection.name'] = collection
  if (query.rowCount !== undefined) attributes['db.response.returned_rows'] = query.rowCount
  if (query.caller) attributes['code.stacktrace'] = query.caller
  if (query.error) attributes['error.type'] = 'DatabaseError'
  return attributes
}
