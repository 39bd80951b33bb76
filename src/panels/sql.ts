import type { Context } from 'hono'
import type { ToolbarHost } from '../core/host.js'
import { Panel, type ServerTimingMetric } from '../core/panel.js'
import { formatMs } from '../shapes/format.js'
import type { RequestRecord } from '../core/record.js'
import { redactText } from '../core/redact-text.js'
import { codeLocationOf } from '../core/code-location.js'
import { SERVER_TIMING_PREFIX } from '../core/server-timing.js'
import { SLOTS, type RecordedQuery } from '../shapes/records.js'
import { displayParams, displaySql, paramsKey } from '../recorders/sql/display.js'
import { notExplainable } from '../recorders/sql/explain-target.js'
import { sqlShapes } from '../shapes/sql-shape.js'
import { registerSqlRoutes } from './sql-routes.js'
import { applySqlSettings, DEFAULT_SQL_SETTINGS, explainTargetOf, type SqlSettings } from '../recorders/sql/record-query.js'

/** Options of `new SqlPanel(options)`. */
export interface SqlPanelOptions {
  /** Queries kept per request; more are counted as dropped. Default 1000. */
  maxQueries?: number
  /** A query at least this long (ms) is marked slow. Default 100. */
  slowQueryMs?: number
  /** Capture the app's file:line:column of each query. Default true. */
  captureCaller?: boolean
}

/** One query as the panel shows it. */
export interface SqlQueryStats {
  id: number
  /** The SQL text, shortened when longer than about 2,000 characters (then `truncated`). */
  sql: string
  truncated: boolean
  /** The params as JSON, long lists and strings shortened (then `paramsTruncated`). */
  params: unknown[]
  paramsTruncated: boolean
  dbSystem: string
  /** Milliseconds from the request start. */
  startMs: number
  durationMs: number
  rowCount: number | null
  error: string | null
  /** The app's line that ran the query, as `codeLocation` writes it: `src/routes/users.ts:40:5`. */
  caller: string | null
  inTransaction: boolean
  /** How many queries of this request have the same SQL and params (0 when unique). */
  duplicateCount: number
  /**
   * How many queries have the same shape (the SQL with its values as `?`) and other values,
   * bound or written into the text: the N+1 pattern (0 when none).
   */
  similarCount: number
  /** `durationMs >= slowQueryMs`. */
  slow: boolean
  /** A SELECT/WITH run on a connection the toolbar holds, kept whole: the Explain button works. */
  explainable: boolean
  /** What was too big to keep whole when recorded (see `RecordedQuery.cut`), or null. */
  cut: { sqlChars?: number; params?: true } | null
}

/** Queries that share their SQL and params (duplicates), or their shape (similar). */
export interface SqlQueryGroup {
  /** The SQL of the group's first query, as the list shows it. */
  sql: string
  count: number
  queryIds: number[]
}

export interface SqlStats {
  /** Sum of the recorded queries' durations. */
  totalMs: number
  /** Queries recorded. */
  count: number
  /** Queries over `maxQueries`, counted but not kept. */
  dropped: number
  slowQueryMs: number
  queries: SqlQueryStats[]
  /** Same SQL and same params, run more than once. */
  duplicates: SqlQueryGroup[]
  /** One shape (`sqlShape`) run with other values, bound as params or written into the SQL. */
  similar: SqlQueryGroup[]
}

/**
 * The SQL queries of a request, in the order they started, with their time, rows, caller,
 * duplicates, N+1 patterns and slow ones, and EXPLAIN on demand. Queries come from
 * `instrumentBetterSqlite3(db)`, `instrumentPg(pool)` or `recordQuery(...)`.
 *
 * @example
 * ```ts
 * app.use(debugToolbar({ extraPanels: [new SqlPanel({ slowQueryMs: 50 })] }))
 * ```
 */
export class SqlPanel extends Panel<SqlStats> {
  readonly id = 'sql'
  readonly title = 'SQL'
  readonly slowQueryMs: number
  private readonly settings: Readonly<SqlSettings>
  /** Handed to each request (one function per panel, nothing made per request). */
  private readonly settingsOf = () => this.settings

  constructor(options: SqlPanelOptions = {}) {
    super()
    const { maxQueries, slowQueryMs, captureCaller } = { ...DEFAULT_SQL_SETTINGS, slowQueryMs: 100, ...options }
    if (!Number.isInteger(maxQueries) || maxQueries < 0) throw new TypeError(`maxQueries must be a whole number >= 0, got ${maxQueries}`)
    if (!(slowQueryMs >= 0)) throw new TypeError(`slowQueryMs must be a number >= 0, got ${slowQueryMs}`)
    this.slowQueryMs = slowQueryMs
    // Read-only settings handed to each request; the recorders read them from the request.
    this.settings = Object.freeze({ maxQueries, captureCaller })
  }

  /**
   * Registers the panel's routes once: a query's full SQL and params, and EXPLAIN on demand.
   *
   * @example
   * ```ts
   * app.use(debugToolbar({ panels: [new SqlPanel()] })) // the toolbar calls setup(host) once
   * // then: GET /_debug_toolbar/api/sql/<requestId>/<queryId>/explain answers the query's plan
   * ```
   */
  setup(host: ToolbarHost): void {
    registerSqlRoutes(host)
  }

  /**
   * Hands the request its bounds (`maxQueries`, `captureCaller`), which the SQL recorders read.
   *
   * @example
   * ```ts
   * const panel = new SqlPanel({ maxQueries: 100 })
   * panel.onRequest(record, c) // the toolbar, before the handler: queries past the 100th are only counted
   * ```
   */
  onRequest(record: RequestRecord, _c: Context): void {
    applySqlSettings(record, this.settingsOf)
  }

  /**
   * The request's queries with duplicates, similar (N+1) groups and slow ones marked.
   *
   * @example
   * ```ts
   * const stats = new SqlPanel({ slowQueryMs: 50 }).generateStats(record)
   * stats.count // 12
   * stats.similar[0] // { sql: 'SELECT * FROM users WHERE id = ?', count: 10, queryIds: [...] }
   * stats.queries.filter((q) => q.slow).map((q) => q.sql)
   * ```
   */
  generateStats(record: RequestRecord): SqlStats {
    const log = record.peek(SLOTS.sql) ?? { queries: [], dropped: 0 }
    const queries = log.queries
    // One key per query (params can be long lists): same SQL and params = duplicate. Params cut
    // when recorded are only their display form (two blobs of one length look alike): no key.
    // SQLite's named params are one object, bound by name wherever it is among the arguments.
    const paramKeys = new Map(queries.map((q) => [q, q.cut?.params ? undefined : paramsKey(q.params, { named: q.dbSystem === 'sqlite' })]))
    const exactKey = (q: RecordedQuery) => {
      const key = paramKeys.get(q)
      return key === undefined ? undefined : `${q.sql}\u0000${key}`
    }
    const exact = groupBy(queries, exactKey)
    // Similar: one shape (the SQL with its values as `?`, as the waterfall groups query spans),
    // run with other values, bound or written into the text. One shape per distinct text (and
    // database: MySQL's `"ada"` is a value, PostgreSQL's `"userId"` a name).
    const shapes = sqlShapes()
    const shapeOf = (q: RecordedQuery) => shapes(q.sql, q.dbSystem)
    const byShape = groupBy(queries, shapeOf)
    const similarShapes = new Set(
      [...byShape].filter(([, group]) => new Set(group.map((q) => exactKey(q) ?? q.id)).size > 1).map(([shape]) => shape),
    )

    const shown = queries.map((q): SqlQueryStats => {
      const sql = displaySql(q.sql)
      const params = displayParams(q.params, { sql: q.sql })
      const key = exactKey(q)
      const duplicates = key === undefined ? 0 : (exact.get(key)?.length ?? 0)
      return {
        id: q.id,
        sql: sql.sql,
        truncated: sql.truncated,
        params: params.params,
        paramsTruncated: params.truncated,
        dbSystem: q.dbSystem,
        startMs: q.startMs,
        durationMs: q.durationMs,
        rowCount: q.rowCount ?? null,
        // A driver's message may quote the value it refused.
        error: q.error === undefined ? null : redactText(q.error),
        caller: q.caller === undefined ? null : codeLocationOf(q.caller),
        inTransaction: q.inTransaction,
        duplicateCount: duplicates > 1 ? duplicates : 0,
        similarCount: similarShapes.has(shapeOf(q)) ? byShape.get(shapeOf(q))!.length : 0,
        slow: q.durationMs >= this.slowQueryMs,
        explainable: !q.cut && notExplainable(q.sql) === undefined && explainTargetOf(record, q.id) !== undefined,
        cut: q.cut ?? null,
      }
    })
    const group = (sql: string, members: RecordedQuery[]): SqlQueryGroup => ({
      sql: displaySql(sql).sql,
      count: members.length,
      queryIds: members.map((q) => q.id),
    })
    return {
      totalMs: queries.reduce((sum, q) => sum + q.durationMs, 0),
      count: queries.length,
      dropped: log.dropped,
      slowQueryMs: this.slowQueryMs,
      queries: shown,
      duplicates: [...exact.values()].filter((g) => g.length > 1).map((g) => group(g[0]!.sql, g)).sort((a, b) => b.count - a.count),
      similar: [...similarShapes].map((shape) => group(byShape.get(shape)![0]!.sql, byShape.get(shape)!)).sort((a, b) => b.count - a.count),
    }
  }

  /**
   * The line under "SQL" in the panel list.
   *
   * @example
   * ```ts
   * panel.navSubtitle(panel.generateStats(record)) // '3 queries in 4.10 ms', '1 query in 568 µs', 'No queries'
   * // over maxQueries: '1000 queries in 50.0 ms, 500 more not kept'
   * ```
   */
  navSubtitle(stats: SqlStats): string {
    if (!stats || typeof stats.count !== 'number') return ''
    // As django-debug-toolbar: nothing ran, so there is no time to give ("0 queries in 0 ms" reads as a measurement).
    if (stats.count === 0 && !stats.dropped) return 'No queries'
    // The count and time are of the kept queries; the ones over maxQueries ran too, and the panel's summary says so in the same words.
    const notKept = stats.dropped ? `, ${stats.dropped} more not kept` : ''
    return `${stats.count} ${stats.count === 1 ? 'query' : 'queries'} in ${formatMs(stats.totalMs)}${notKept}`
  }

  /**
   * The `hdt-sql` entry of the response's `Server-Timing` header, when the request ran queries.
   *
   * @example
   * ```ts
   * panel.serverTiming(record) // [{ name: 'hdt-sql', dur: 4.1, desc: '3 queries' }]
   * // Server-Timing: hdt-sql;dur=4.1;desc="3 queries"
   * ```
   */
  serverTiming(record: RequestRecord): ServerTimingMetric[] {
    const log = record.peek(SLOTS.sql)
    if (!log || (log.queries.length === 0 && log.dropped === 0)) return []
    const count = log.queries.length
    const desc = `${count} ${count === 1 ? 'query' : 'queries'}${log.dropped ? `, ${log.dropped} dropped` : ''}`
    return [{ name: `${SERVER_TIMING_PREFIX}sql`, dur: log.queries.reduce((sum, q) => sum + q.durationMs, 0), desc }]
  }
}

/** Groups items by key, in first-seen order; items without a key are left out. */
function groupBy<T>(items: T[], keyOf: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const key = keyOf(item)
    if (key === undefined) continue
    const group = groups.get(key)
    if (group) group.push(item)
    else groups.set(key, [item])
  }
  return groups
}
