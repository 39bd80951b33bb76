import type { Context } from 'hono'
import type { ToolbarHost } from '../core/host.js'
import type { RequestRecord } from '../core/record.js'
import { MAX_PARAM_BYTES, MAX_QUERY_CHARS, SLOTS, type RecordedQuery } from '../shapes/records.js'
import { displayParams } from '../recorders/sql/display.js'
import { redactBareSecrets, redactText } from '../core/redact-text.js'
import { notExplainable } from '../recorders/sql/explain-target.js'
import { explainTargetOf } from '../recorders/sql/record-query.js'

/**
 * The SQL panel's routes under the toolbar's prefix:
 *
 * - `GET /api/sql/:requestId/:queryId`: the whole SQL text and params of a stored query
 *   (the panel's list shortens long ones).
 * - `GET /api/sql/:requestId/:queryId/explain`: the query's plan, from `EXPLAIN QUERY PLAN`
 *   (SQLite) or `EXPLAIN` (PostgreSQL) run with the stored params on the connection the
 *   query ran on. The browser names a stored query; it never sends SQL.
 *
 * @example
 * ```ts
 * class SqlPanel extends Panel<SqlStats> {
 *   setup(host: ToolbarHost) { registerSqlRoutes(host) }
 * }
 * ```
 */
export function registerSqlRoutes(host: ToolbarHost): void {
  host.routes.get('/api/sql/:requestId/:queryId', (c) => {
    const found = findQuery(host, c)
    if ('error' in found) return c.json({ error: found.error }, 404)
    const { query, record } = found
    return c.json({
      requestId: record.id,
      id: query.id,
      dbSystem: query.dbSystem,
      sql: redactBareSecrets(query.sql),
      params: displayParams(query.params, { full: true, sql: query.sql }).params,
      ...(query.cut && { cut: query.cut }),
    })
  })

  host.routes.get('/api/sql/:requestId/:queryId/explain', async (c) => {
    const found = findQuery(host, c)
    if ('error' in found) return c.json({ error: found.error }, 404)
    const { query, record } = found
    const refused = notExplainable(query.sql) ?? cutReason(query)
    if (refused) return c.json({ error: refused }, 400)
    const target = explainTargetOf(record, query.id)
    if (!target) {
      return c.json({ error: 'this query was recorded with recordQuery(): the toolbar holds no connection to explain it on' }, 400)
    }
    try {
      const plan = await target.explain(query.sql, query.params)
      return c.json({
        requestId: record.id,
        id: query.id,
        dbSystem: target.dbSystem,
        explainSql: redactBareSecrets(plan.explainSql),
        rows: displayParams(plan.rows, { full: true }).params.map(redactPlanRow),
      })
    } catch (error) {
      // The database refused (closed connection, table dropped since...): the user's problem to see, not a crash.
      return c.json({ error: `EXPLAIN failed: ${error instanceof Error ? error.message : String(error)}` }, 422)
    }
  })
}

/**
 * A plan row with the secrets of its text redacted: PostgreSQL writes a param into the plan
 * as a literal (`Filter: (password = 'hunter2'::text)`).
 */
function redactPlanRow(row: unknown): unknown {
  if (row === null || typeof row !== 'object') return row
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'string' ? redactText(value) : value]))
}

/** Why a query kept cut cannot be explained: EXPLAIN needs its SQL and params whole. */
function cutReason(query: RecordedQuery): string | undefined {
  if (!query.cut) return undefined
  const what = [
    query.cut.sqlChars !== undefined && `its SQL (${query.cut.sqlChars} characters) was kept cut at ${MAX_QUERY_CHARS}`,
    query.cut.params && `its params (over ${MAX_PARAM_BYTES / 1024} KiB) were kept shortened`,
  ].filter(Boolean)
  return `this query was too big to keep whole (${what.join(' and ')}), so it cannot be explained`
}

function findQuery(host: ToolbarHost, c: Context): { record: RequestRecord; query: RecordedQuery } | { error: string } {
  const requestId = c.req.param('requestId') ?? ''
  const queryId = c.req.param('queryId') ?? ''
  const record = host.getRecord(requestId)
  if (!record) return { error: `no request with id "${requestId}" is held (the toolbar keeps the most recent ones)` }
  const id = /^\d+$/.test(queryId) ? Number(queryId) : NaN
  const query = record.peek(SLOTS.sql)?.queries.find((q) => q.id === id)
  if (!query) return { error: `request "${requestId}" has no query with id "${queryId}"` }
  return { record, query }
}
