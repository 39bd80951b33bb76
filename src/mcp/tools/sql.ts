import { z } from 'zod'
import type { RequestSummary } from '../../core/store.js'
import type { RequestDetail } from '../../core/toolbar.js'
import type { SqlQueryStats, SqlStats } from '../../panels/sql.js'
import { panelStats } from '../data.js'
import { shownParams } from '../redact.js'
import { cursor, limit, numberArg, requestId } from '../schemas.js'
import type { DefineTool, McpContext } from '../server.js'
import { sqlShape } from '../../shapes/sql-shape.js'
import { MAX_PARAM_BYTES, MAX_QUERY_CHARS } from '../../shapes/records.js'
import { fullScanNote, fullScans } from '../../shapes/query-plan.js'
import { counted, fitText, ms, oneLine, pageData, pageNote, paginate, ToolError } from '../result.js'

/**
 * `find_slow_queries`, `find_n_plus_one` and `explain_query`.
 *
 * @example
 * ```ts
 * registerSqlTools(define, ctx)
 * ```
 */
export function registerSqlTools(define: DefineTool, ctx: McpContext): void {
  const { data } = ctx

  /** The SQL stats of one request, or of every recent request (newest first). */
  const sqlOf = async (id: string | undefined): Promise<Array<{ detail: RequestDetail; sql: SqlStats }>> => {
    const details: RequestDetail[] = []
    if (id) details.push(await data.request(id))
    else {
      for (const row of await data.summaries()) {
        const detail = await data.detail(row.id)
        if (detail) details.push(detail)
      }
    }
    return details.flatMap((detail) => {
      const sql = panelStats<SqlStats>(detail, 'sql')
      return sql ? [{ detail, sql }] : []
    })
  }

  const routeOf = (d: RequestSummary) => `${d.method} ${d.route ?? d.path}`

  define('find_slow_queries', {
    title: 'Slow SQL queries',
    description:
      "Queries at least threshold_ms long (default: the SQL panel's slow threshold), slowest first, over every recent request or one request_id, each with its request, query id (for explain_query), duration, rows and the calling file:line.",
    input: {
      request_id: requestId.optional(),
      threshold_ms: numberArg(z.number().min(0), 'a duration in milliseconds, 0 or more').optional().describe("Minimum duration in ms (default: the SQL panel's slowQueryMs)"),
      limit: limit(20, 100),
      cursor: cursor.optional(),
    },
    async run(args) {
      const stats = await sqlOf(args.request_id)
      const rows = stats.flatMap(({ detail, sql }) =>
        sql.queries
          .filter((q) => q.durationMs >= (args.threshold_ms ?? sql.slowQueryMs))
          .map((q) => ({ requestId: detail.id, route: routeOf(detail), thresholdMs: args.threshold_ms ?? sql.slowQueryMs, ...queryData(ctx, q) })),
      )
      rows.sort((a, b) => b.durationMs - a.durationMs)
      const { page, lines } = fitText(
        paginate('find_slow_queries', rows, args.cursor, args.limit),
        (q) => `${ms(q.durationMs)}  request ${q.requestId} (${q.route}) query #${q.queryId}${q.error ? `, failed: ${oneLine(q.error)}` : ''}${q.rowCount !== null ? `, ${counted(q.rowCount, 'row')}` : ''}${q.caller ? `  at ${q.caller}` : ''}\n    ${oneLine(q.sql)}${recordedCut(q.cut)}`,
      )
      const scope = args.request_id ? `request ${args.request_id}` : 'the recent requests'
      const text = rows.length
        ? [...lines, pageNote(page, 'queries')]
            .filter(Boolean)
            .join('\n')
        : [
            args.threshold_ms !== undefined
              ? `No query in ${scope} took at least ${args.threshold_ms} ms.`
              : `No query in ${scope} took at least the SQL panel's slow threshold${stats[0] ? `, ${ms(stats[0].sql.slowQueryMs)}` : ''} (pass threshold_ms to lower it).`,
            slowestText(stats, args.request_id !== undefined),
          ].join(' ')
      return { text, data: { queries: page.items, ...pageData(page) } }
    },
  })

  define('find_n_plus_one', {
    title: 'N+1 query patterns',
    description:
      'The same SQL run again and again with other values (params, or values written into the SQL) inside one request (the N+1 pattern), over every recent request or one request_id, most repeated first, with the calling file:line and the query ids (for explain_query). Over the recent requests, the same loop (route, SQL and callers) is one line: its newest request\'s figures, and the other requests it ran in.',
    input: {
      request_id: requestId.optional(),
      min_count: numberArg(z.number().int().min(2).max(10_000), 'a whole number from 2 to 10000').default(2).describe('Least repetitions to report (default 2)'),
      limit: limit(20, 100),
      cursor: cursor.optional(),
    },
    async run(args) {
      const found = (await sqlOf(args.request_id)).flatMap(({ detail, sql }) => {
        const byId = new Map(sql.queries.map((q) => [q.id, q]))
        return sql.similar
          .filter((g) => g.count >= args.min_count)
          .map((g): NPlusOne => {
            const members = g.queryIds.map((id) => byId.get(id)).filter((q): q is SqlQueryStats => q !== undefined)
            const first = members[0]
            const params = first && shownParams(ctx.settings, first.sql, first.params)
            return {
              requestId: detail.id,
              route: routeOf(detail),
              sql: g.sql,
              shape: sqlShape(g.sql, first?.dbSystem),
              ...(first && { example: { queryId: first.id, sql: first.sql, ...(params?.length ? { params } : {}), ...(first.cut && { cut: first.cut }) } }),
              count: g.count,
              totalMs: members.reduce((sum, q) => sum + q.durationMs, 0),
              callers: [...new Set(members.map((q) => q.caller).filter((c): c is string => c !== null))].slice(0, 5),
              queryIds: g.queryIds.slice(0, 50),
              requests: 1,
              requestIds: [detail.id],
            }
          })
      })
      // The same loop in every request of a route is one pattern to fix: one line, with the
      // requests it ran in, so that other patterns are not pushed pages away by its copies.
      const groups = samePattern(found)
      groups.sort((a, b) => b.count - a.count || b.requests - a.requests)
      const { page, lines } = fitText(paginate('find_n_plus_one', groups, args.cursor, args.limit), patternText)
      const text = groups.length
        ? [...lines, pageNote(page, 'patterns')]
            .filter(Boolean)
            .join('\n')
        : `No N+1 pattern (the same SQL with other values at least ${args.min_count} times) in ${args.request_id ? `request ${args.request_id}` : 'the recent requests'}.`
      return { text, data: { patterns: page.items, ...pageData(page) } }
    },
  })

  define('explain_query', {
    title: 'EXPLAIN a recorded query',
    description:
      'The query plan of a recorded SELECT or WITH query, run by the toolbar on the connection the query used (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL). request_id and query_id come from get_request or find_slow_queries.',
    input: {
      request_id: requestId,
      query_id: numberArg(z.number().int().min(1), 'a query id, a whole number from 1 (#3 -> 3)').describe('The query id within the request (#3 -> 3; also as the string "3")'),
    },
    async run(args) {
      const detail = await data.request(args.request_id)
      const base = `/api/sql/${encodeURIComponent(args.request_id)}/${args.query_id}`
      const query = await data.ownRoute(base)
      if (query.status === 404 && /no toolbar route/.test(String(query.body.error))) throw new ToolError('the SQL panel is not enabled in this toolbar')
      if (query.status !== 200) throw new ToolError(`${String(query.body.error)}${query.status === 404 ? queriesHint(panelStats<SqlStats>(detail, 'sql')) : ''}`)
      const plan = await data.ownRoute(`${base}/explain`)
      if (plan.status !== 200) throw new ToolError(`cannot explain query #${args.query_id}: ${String(plan.body.error)}`)
      const sql = String(query.body.sql)
      const rows = (plan.body.rows as unknown[]) ?? []
      const text = [
        `Query #${args.query_id} of request ${args.request_id} (${String(plan.body.dbSystem)}):`,
        `  ${oneLine(sql)}`,
        `${String(plan.body.explainSql).split(/\s/)[0] ?? 'EXPLAIN'} plan:`,
        ...rows.map((row) => `  ${typeof row === 'object' && row !== null ? Object.entries(row).map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`).join(', ') : String(row)}`),
        fullScanNote(fullScans(rows), sql),
      ].filter((line) => line !== undefined).join('\n')
      return {
        text,
        data: { requestId: args.request_id, queryId: args.query_id, dbSystem: plan.body.dbSystem, sql, params: shownParams(ctx.settings, sql, query.body.params as unknown[]), explainSql: plan.body.explainSql, plan: rows, fullScans: fullScans(rows) },
      }
    },
  })
}

function queryData(ctx: McpContext, q: SqlQueryStats) {
  return {
    queryId: q.id,
    sql: q.sql,
    sqlTruncated: q.truncated,
    ...(q.cut && { cut: q.cut }),
    params: shownParams(ctx.settings, q.sql, q.params),
    durationMs: q.durationMs,
    rowCount: q.rowCount,
    caller: q.caller,
    dbSystem: q.dbSystem,
    error: q.error,
  }
}

/**
 * How long the slowest query took, for an answer that found none over the threshold:
 * `The slowest of its 5 queries took 4.55 ms (#1).`, or over the recent requests
 * `The slowest of 13 queries in 12 requests took 13.5 ms (request <id>, #1).`; that none ran
 * when none did.
 */
function slowestText(stats: Array<{ detail: RequestDetail; sql: SqlStats }>, one: boolean): string {
  let slowest: { requestId: string; query: SqlQueryStats } | undefined
  let count = 0
  for (const { detail, sql } of stats) {
    count += sql.queries.length
    for (const query of sql.queries) if (!slowest || query.durationMs > slowest.query.durationMs) slowest = { requestId: detail.id, query }
  }
  if (!slowest) return one ? 'It ran no query.' : `No query ran in the ${counted(stats.length, 'request')} looked at.`
  if (one) return `The slowest of its ${counted(count, 'query', 'queries')} took ${ms(slowest.query.durationMs)} (#${slowest.query.id}).`
  return `The slowest of ${counted(count, 'query', 'queries')} in ${counted(stats.length, 'request')} took ${ms(slowest.query.durationMs)} (request ${slowest.requestId}, #${slowest.query.id}).`
}

/**
 * What the SQL recorder cut of a query too big to keep whole, said on the query's line:
 * the text a tool prints is the SQL panel's shortened form of what was kept, so the
 * length the app ran is only known from here. Empty for a query kept whole.
 *
 * @example
 * ```ts
 * recordedCut({ sqlChars: 100_052 })  // ' (SQL cut when recorded: 100,052 characters, the first 65,536 kept)'
 * recordedCut({ params: true })       // ' (params over 128 KiB kept shortened when recorded)'
 * recordedCut(null)                   // ''
 * ```
 */
export function recordedCut(cut: SqlQueryStats['cut'] | undefined): string {
  if (!cut) return ''
  const notes = [
    cut.sqlChars !== undefined && `SQL cut when recorded: ${cut.sqlChars.toLocaleString('en')} characters, the first ${MAX_QUERY_CHARS.toLocaleString('en')} kept`,
    cut.params && `params over ${MAX_PARAM_BYTES / 1024} KiB kept shortened when recorded`,
  ].filter(Boolean)
  return notes.length ? ` (${notes.join('; ')})` : ''
}

/** An N+1 pattern: its newest request's figures, and every recent request it ran in. */
interface NPlusOne {
  /** The newest request that ran it; `count`, `totalMs` and `queryIds` are this request's. */
  requestId: string
  route: string
  sql: string
  /** What the repeated queries share (`sqlShape`: their values as `?`), the pattern's name. */
  shape: string
  /** One of the queries as it ran (the newest request's first), with its params when bound. */
  example?: { queryId: number; sql: string; params?: unknown[]; cut?: SqlQueryStats['cut'] }
  count: number
  totalMs: number
  callers: string[]
  queryIds: number[]
  /** How many of the requests looked at ran it. */
  requests: number
  /** Those requests, newest first (at most `PATTERN_REQUEST_IDS`). */
  requestIds: string[]
}

/** Most request ids a pattern lists. */
const PATTERN_REQUEST_IDS = 20
/** Most query ids a pattern's text line lists. */
const PATTERN_QUERY_IDS = 10

/** Patterns of the same route, SQL and callers merged, in the order of their newest request. */
function samePattern(found: NPlusOne[]): NPlusOne[] {
  const byKey = new Map<string, NPlusOne>()
  for (const pattern of found) {
    // By shape: a loop that began with another value in another request is the same loop.
    const key = JSON.stringify([pattern.route, pattern.shape, pattern.callers])
    const seen = byKey.get(key)
    if (!seen) byKey.set(key, pattern)
    else {
      seen.requests++
      if (seen.requestIds.length < PATTERN_REQUEST_IDS) seen.requestIds.push(pattern.requestId)
    }
  }
  return [...byKey.values()]
}

function patternText(g: NPlusOne): string {
  const ids = g.queryIds.slice(0, PATTERN_QUERY_IDS).map((id) => `#${id}`).join(', ')
  const moreIds = g.count > PATTERN_QUERY_IDS ? `, ${g.count - PATTERN_QUERY_IDS} more` : ''
  const others = g.requestIds.slice(1)
  const older = g.requests > 1 ? `\n    also in ${counted(g.requests - 1, 'older request')}: ${others.join(', ')}${g.requests > g.requestIds.length ? ', ...' : ''}` : ''
  // The example only where it says more than the shape: the values written into its SQL, or its params.
  const e = g.example
  const written = e && e.sql !== g.shape ? `: ${oneLine(e.sql)}` : ''
  const example = e && (written || e.params || e.cut) ? `\n    e.g. #${e.queryId}${written}${e.params ? ` params ${oneLine(JSON.stringify(e.params))}` : ''}${recordedCut(e.cut)}` : ''
  return `x${g.count} (${ms(g.totalMs)})  request ${g.requestId} (${g.route}) queries ${ids}${moreIds}${g.callers.length ? `  at ${g.callers.join(', ')}` : ''}\n    ${oneLine(g.shape)}${example}${older}`
}

/** Which query ids a request has, for an explain_query of one it does not: `: it ran 5 queries, #1 to #5 (...)`. */
function queriesHint(sql: SqlStats | undefined): string {
  if (!sql) return ''
  const ids = sql.queries.map((q) => q.id)
  if (ids.length === 0) return ': it ran no query'
  const range = ids.length === 1 ? `#${ids[0]}` : `#${Math.min(...ids)} to #${Math.max(...ids)}`
  return `: it ran ${counted(sql.count, 'query', 'queries')}, ${range}${sql.dropped ? ` (${sql.dropped} not kept)` : ''} (get_request lists them)`
}
