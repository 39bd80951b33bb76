/**
 * What the MCP server tells a coding agent about the recorded requests is what the HTTP API
 * (and so the browser's History, SQL, Logging and waterfall views) shows of the same
 * requests: for any sequence of requests to an app with a real SQLite database (routes with
 * params, several methods, answers 200, 404 and 500, thrown errors and HTTPExceptions, N+1
 * query loops, slow queries, log lines of every level through recordLog and the console,
 * handlers that fetch() other routes of the app, whose requests join their caller's trace),
 * list_requests lists the same requests in the same order with the same totals, under every
 * filter it offers, as GET /api/requests does (with the same filter where the API has it,
 * else with that filter applied to the API's rows); get_request gives each request's status,
 * route, duration, query count, log counts and thrown error as GET /api/requests/:id does;
 * list_traces and get_trace give the traces, their spans, names and parent structure as
 * GET /api/traces and GET /api/traces/:id do; find_n_plus_one the SQL panel's `similar`
 * groups; find_slow_queries the SQL panel's queries over the threshold; search_logs the
 * Logging panel's lines. fast-check writes the requests; each run is a fresh app.
 *
 * "The same", pair by pair:
 * - Durations in structuredContent are the API's numbers exactly (both read one store); in
 *   text they are written by `formatMs`, as every panel writes them.
 * - A route is the API's `route` (absent when no route answered); list_requests' `route`
 *   filter keeps the requests whose route pattern or path is the one asked for (the API's
 *   `path` filter is a substring match and is not the same filter, so the API's rows are
 *   filtered here instead); `GET /users/:id` also names the method.
 * - list_requests' `has_error` is true when the browser shows something failed: a 5xx, an
 *   error or fatal log line, a failed query, a thrown error that is not the app's 4xx answer
 *   (`throw new HTTPException(404)` is how an app answers), or a span that failed.
 * - A request's spans (list_requests' `spans`, get_trace with request_id) are its SERVER span
 *   and everything under it: a request another one fetched has only its part of the
 *   caller's trace. Wherever its trace's size is said (get_request, get_trace), that part is
 *   said as a part (`3 of its 7 spans`), never as the whole trace the waterfall draws.
 * - get_trace folds repeated siblings into one line: its lines' span ids (and the spans
 *   folded under them) are every span of GET /api/traces/:id once, a single span's line
 *   has its name, and each line's spans have their parent on the line above them in the tree;
 *   a SERVER span's line names the request it began, as the History lists it. The whole
 *   trace's duration is the trace list's (as the waterfall draws it), and work after the
 *   response is said by the waterfall's rule (only when the two durations read apart).
 * - A secret the Logging panel redacted (`password=********`) may read `password=REDACTED`
 *   over MCP: both say the value is hidden (the server's instructions name both placeholders).
 * - search_logs lists lines newest request first, each request's lines in order, as the
 *   Logging panel of each request in the API's order does; its `atMs` is the line's `startMs`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import Database from 'better-sqlite3'
import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { debugToolbar, instrumentBetterSqlite3, recordLog, LOG_LEVELS, type LogLevel } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { formatMs } from '../../src/shapes/format.js'
import { clientEnv, request } from '../support/local.js'
import { consoleSink } from '../support/console-sink.js'
import { call } from './app.js'

const SERVICE = 'checkout'
const API = '/_debug_toolbar/api'

/** What a request's handler does, written by fast-check. */
interface Plan {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** `/users/:id`, `/orders` or a path no route answers. */
  target: 'user' | 'orders' | 'nowhere'
  userId: number
  /** User ids whose orders are read one query at a time (the N+1 loop). */
  loop: number[]
  /** Rows of a recursive CTE (a slow query when large), or none. */
  slowRows: number | undefined
  /** A query of a table that does not exist (it fails; the handler goes on). */
  failingQuery: boolean
  logs: Array<{ via: 'recordLog' | 'console'; level: LogLevel; word: string; n: number }>
  outcome: 'ok' | 'notFound' | 'answer500' | 'throw' | 'throw404' | 'throw503'
  /** Requests the handler makes to the app itself with fetch() before it answers: they join its trace. */
  calls: Plan[]
}

/** Words of the log lines: plain ones, and ones with a secret in them, which the Logging panel and the MCP server both redact. */
const WORDS = ['cart', 'Stock', 'payment retry', 'cache miss', 'quota', 'token: abc123 for', 'login password=hunter2 user=ada', 'postgres://admin:pw@db/app', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig']
/** The console method of each level (the console has no fatal: recordLog writes those). */
const CONSOLE: Partial<Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'>> = { debug: 'debug', info: 'info', warn: 'warn', error: 'error' }

const ownPlan: fc.Arbitrary<Omit<Plan, 'calls'>> = fc.record({
  method: fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'DELETE'),
  target: fc.constantFrom('user', 'user', 'orders', 'nowhere'),
  userId: fc.integer({ min: 1, max: 6 }),
  loop: fc.oneof(fc.constant<number[]>([]), fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 6 })),
  slowRows: fc.option(fc.constantFrom(10, 20_000, 60_000), { freq: 3, nil: undefined }),
  failingQuery: fc.integer({ min: 0, max: 4 }).map((n) => n === 4),
  logs: fc.array(
    fc.record({ via: fc.constantFrom('recordLog', 'console'), level: fc.constantFrom(...LOG_LEVELS), word: fc.constantFrom(...WORDS), n: fc.nat(9) }).map((l) => (l.via === 'console' && !CONSOLE[l.level] ? { ...l, via: 'recordLog' as const } : l)),
    { maxLength: 4 },
  ),
  outcome: fc.constantFrom('ok', 'ok', 'ok', 'notFound', 'answer500', 'throw', 'throw404', 'throw503'),
})
const plan: fc.Arbitrary<Plan> = fc.record({
  own: ownPlan,
  calls: fc.oneof({ arbitrary: fc.constant<Plan[]>([]), weight: 3 }, { arbitrary: fc.array(ownPlan.map((p): Plan => ({ ...p, calls: [] })), { minLength: 1, maxLength: 2 }), weight: 1 }),
}).map(({ own, calls }) => ({ ...own, calls }))

/** Where a plan's request goes. */
function pathOf(p: Plan): string {
  return p.target === 'user' ? `/users/${p.userId}` : p.target === 'orders' ? '/orders' : `/nowhere/${p.userId}`
}

/** The app of the run: a handler's fetch() of `http://shop.internal/...` is answered by it, in process. */
let current: Hono | undefined
const INTERNAL = 'shop.internal'

/** An app with a toolbar, its OpenTelemetry panel, a real SQLite database and the routes the plans use. */
function shop() {
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total REAL);')
  for (let u = 1; u <= 4; u++) {
    db.prepare('INSERT INTO users (name) VALUES (?)').run(`user${u}`)
    for (let o = 1; o <= 2; o++) db.prepare('INSERT INTO orders (user_id, total) VALUES (?, ?)').run(u, o * 10)
  }
  const otel = new OpenTelemetryPanel({ exporter: 'none', serviceName: SERVICE })
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [otel] }))
  const plans: Plan[] = []
  const handle = async (c: Context) => {
    const p = plans[Number(c.req.header('x-plan'))]!
    const user = p.target === 'user' ? db.prepare('SELECT id, name FROM users WHERE id = ?').get(p.userId) : undefined
    for (const id of p.loop) db.prepare('SELECT total FROM orders WHERE user_id = ?').all(id)
    if (p.slowRows !== undefined) db.prepare('WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?) SELECT SUM(x) AS s FROM n').get(p.slowRows)
    if (p.failingQuery) {
      try {
        db.prepare('SELECT * FROM order_lines').all()
      } catch {
        // The handler goes on without the lines.
      }
    }
    for (const l of p.logs) {
      const message = `${l.word} ${l.n}`
      if (l.via === 'recordLog') recordLog(l.level, message, { n: l.n })
      else console[CONSOLE[l.level]!](message)
    }
    for (const call of p.calls) {
      plans.push(call)
      await (await fetch(`http://${INTERNAL}${pathOf(call)}`, { method: call.method, headers: { 'x-plan': String(plans.length - 1) } })).text()
    }
    if (p.outcome === 'throw') throw new Error(`checkout failed ${p.userId}`)
    if (p.outcome === 'throw404') throw new HTTPException(404, { message: 'no such user' })
    if (p.outcome === 'throw503') throw new HTTPException(503)
    if (p.outcome === 'answer500') return c.json({ error: 'unavailable' }, 500)
    if (p.outcome === 'notFound' || (p.target === 'user' && !user)) return c.json({ error: 'not found' }, 404)
    return c.json({ ok: true })
  }
  app.on(['GET', 'POST', 'PUT', 'DELETE'], '/users/:id', handle)
  app.on(['GET', 'POST', 'PUT', 'DELETE'], '/orders', handle)
  // No route answers /nowhere: the not-found handler runs the plan, as an app's own notFound would.
  app.notFound(handle)

  const send = async (p: Plan) => {
    plans.push(p)
    const res = await request(app, pathOf(p), { method: p.method, headers: { 'x-plan': String(plans.length - 1) } })
    return res.headers.get('x-debug-toolbar-request-id')!
  }
  const api = async (path: string) => {
    const res = await request(app, `${API}${path}`)
    if (res.status !== 200) throw new Error(`GET ${API}${path}: ${res.status} ${res.text}`)
    return res.json()
  }
  const agent = async () => {
    const client = new Client({ name: 'test-agent', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL('http://127.0.0.1/_debug_toolbar/mcp'), { fetch: async (url, init) => app.request(String(url), init, clientEnv()) }))
    return client
  }
  const close = async () => {
    await otel.shutdown()
    db.close()
  }
  current = app
  return { send, api, agent, close }
}

interface ApiRow {
  id: string
  method: string
  path: string
  route?: string
  status?: number
  durationMs?: number
  traceId?: string
}

interface ApiSpan {
  spanId: string
  parentSpanId?: string
  name: string
  status: { code: string }
  events: Array<{ name: string }>
}

/** Every recorded request as the browser reads it: the list row and its detail. */
async function browserView(api: (path: string) => Promise<any>) {
  const page = await api('/requests?limit=200')
  const rows = page.requests as ApiRow[]
  const details = new Map<string, any>()
  const traces = new Map<string, ApiSpan[]>()
  for (const row of rows) {
    const detail = await api(`/requests/${row.id}`)
    details.set(row.id, detail)
    if (detail.traceId) traces.set(detail.traceId, (await api(`/traces/${detail.traceId}`)).spans)
  }
  /**
   * The spans of a request: its SERVER span (the OpenTelemetry panel's `rootSpanId`) and
   * everything under it. A request another one fetched shares that one's trace; the
   * caller's spans are not its own.
   */
  const spansOf = (row: ApiRow): ApiSpan[] => {
    const all = (row.traceId && traces.get(row.traceId)) || []
    const root = details.get(row.id).panels.opentelemetry?.rootSpanId as string | undefined
    if (!root || !all.some((s) => s.spanId === root)) return all
    const kept = new Set([root])
    for (let grew = true; grew; ) {
      grew = false
      for (const s of all) if (!kept.has(s.spanId) && s.parentSpanId && kept.has(s.parentSpanId)) (kept.add(s.spanId), (grew = true))
    }
    return all.filter((s) => kept.has(s.spanId))
  }
  /** The request each SERVER span began. */
  const requestOfSpan = new Map(rows.map((row) => [details.get(row.id).panels.opentelemetry?.rootSpanId as string, row.id]))
  /** True when the browser shows something of the request failed. */
  const failed = (row: ApiRow) => {
    const d = details.get(row.id)
    const logs = d.panels.logging.counts
    const sql = d.panels.sql.queries as Array<{ error: string | null }>
    // A 4xx HTTPException is how the app answered, not a failure.
    const thrown = d.panels.request.error !== undefined && !(d.panels.request.httpExceptionStatus < 500)
    const spans = spansOf(row)
    return (row.status ?? 0) >= 500 || logs.error + logs.fatal > 0 || sql.some((q) => q.error) || thrown || spans.some((s) => s.status.code === 'ERROR' || s.events.some((e) => e.name === 'exception'))
  }
  const traceList = await api('/traces?limit=200')
  return { page, rows, details, traces, traceList, failed, spansOf, requestOfSpan }
}

const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id)

/** Every row of a list tool, page after page. */
async function allPages(client: Client, tool: string, args: Record<string, unknown>, key: string) {
  const items: any[] = []
  let cursor: string | undefined
  let total: number | undefined
  do {
    const answer = await call(client, tool, { ...args, ...(cursor ? { cursor } : {}) })
    if (answer.isError) throw new Error(`${tool} ${JSON.stringify(args)}: ${answer.text}`)
    items.push(...answer.data[key])
    total ??= answer.data.total
    expect(answer.data.total, `${tool} ${JSON.stringify(args)}: the total of every page`).toBe(total)
    cursor = answer.data.nextCursor
  } while (cursor)
  return { items, total: total! }
}

describe('what the MCP server tells an agent', () => {
  consoleSink()
  // A handler's fetch() of the app itself is answered in process (the toolbar's fetch
  // wrapper, installed on the first request, wraps this one and adds the trace context).
  const realFetch = globalThis.fetch
  beforeAll(() => {
    globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input))
      if (url.host !== INTERNAL) return realFetch(input, init)
      return Promise.resolve(current!.request(input instanceof Request ? input : url.href, init, clientEnv()))
    }
  })
  afterAll(() => {
    globalThis.fetch = realFetch
  })

  it('is what the HTTP API shows of the same recorded requests', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(plan, { minLength: 1, maxLength: 6 }),
        fc.record({
          method: fc.constantFrom('GET', 'post', 'Put'),
          status: fc.constantFrom('200', '404', '5xx', '2xx 404', '4xx,5xx', '500'),
          route: fc.constantFrom('/users/:id', 'GET /users/:id', '/orders', 'POST /orders', '/users/2', '/nowhere/1'),
          pageSize: fc.integer({ min: 1, max: 4 }),
          threshold: fc.constantFrom(0, 0.01, 1, 5, 1000),
          logLevel: fc.constantFrom(...LOG_LEVELS),
          logText: fc.constantFrom('stock', 'PAYMENT', 'miss 3', 'n":2', 'nothing'),
          minCount: fc.constantFrom(2, 3, 5),
        }),
        async (plans, ask) => {
          const app = shop()
          const client = await app.agent()
          try {
            // Every OpenTelemetry panel of a process keeps its spans in one store: the traces of
            // the runs before are forgotten, so that each run lists its own.
            await call(client, 'clear_history')
            for (const p of plans) await app.send(p)
            const seen = await browserView(app.api)
            const { rows, details, traces, failed } = seen

            // list_requests, unfiltered and page by page: the API's rows in its order, and its total.
            const listed = await allPages(client, 'list_requests', { limit: 100 }, 'requests')
            expect(ids(listed.items), 'list_requests ids').toEqual(ids(rows))
            expect(listed.total).toBe(seen.page.total)
            // Its text: one line per request, named and timed as the History shows it.
            const listText = (await call(client, 'list_requests', { limit: 100 })).text.split('\n')
            for (const [i, row] of rows.entries()) {
              const r = listed.items[i]
              expect(listText[i], `list_requests text of ${row.id}`).toBe(
                `${row.id}  ${requestName(row)}  ${row.status}  ${formatMs(row.durationMs!)}  trace ${row.traceId}  spans ${r.spans}, queries ${r.queries}, logs ${r.logs}, errors ${r.errors}${failed(row) ? '  [error]' : ''}`,
              )
            }
            const paged = await allPages(client, 'list_requests', { limit: ask.pageSize }, 'requests')
            expect(ids(paged.items), `list_requests in pages of ${ask.pageSize}`).toEqual(ids(rows))
            for (const [i, r] of listed.items.entries()) {
              const row = rows[i]!
              const detail = details.get(row.id)
              expect({ method: r.method, path: r.path, route: r.route, status: r.status, durationMs: r.durationMs, traceId: r.traceId }, `list_requests row ${r.id}`).toEqual({
                method: row.method,
                path: row.path,
                route: row.route,
                status: row.status,
                durationMs: row.durationMs,
                traceId: row.traceId,
              })
              const counts = detail.panels.logging.counts as Record<string, number>
              expect({ queries: r.queries, logs: r.logs, spans: r.spans, hasError: r.hasError }, `list_requests counts of ${r.id} (${row.method} ${row.path} ${row.status})`).toEqual({
                queries: detail.panels.sql.count,
                logs: Object.values(counts).reduce((a, b) => a + b, 0),
                spans: seen.spansOf(row).length,
                hasError: failed(row),
              })
            }

            // The filters the API has too: the same rows, the same total.
            for (const filter of [{ method: ask.method }, { status: ask.status }, { method: ask.method, status: ask.status }] as Array<Record<string, string>>) {
              const query = new URLSearchParams({ limit: '200', ...filter })
              const fromApi = await app.api(`/requests?${query}`)
              const fromMcp = await allPages(client, 'list_requests', { ...filter, limit: 100 }, 'requests')
              expect(ids(fromMcp.items), `list_requests ${JSON.stringify(filter)}`).toEqual(ids(fromApi.requests))
              expect(fromMcp.total, `list_requests ${JSON.stringify(filter)} total`).toBe(fromApi.total)
            }
            // The filters only list_requests has: the API's rows filtered as the filter says.
            const [routeMethod, routePath] = ask.route.includes(' ') ? ask.route.split(' ') : [undefined, ask.route]
            const durations = rows.map((r) => r.durationMs!).sort((a, b) => a - b)
            const least = durations[Math.floor(durations.length / 2)]!
            const only: Array<[Record<string, unknown>, (row: ApiRow) => boolean]> = [
              [{ route: ask.route }, (row) => (!routeMethod || row.method === routeMethod) && (row.route === routePath || row.path === routePath)],
              [{ min_duration_ms: least }, (row) => row.durationMs! >= least],
              [{ has_error: true }, (row) => failed(row)],
              [{ has_error: false }, (row) => !failed(row)],
              [{ service: SERVICE }, (row) => row.traceId !== undefined],
              [{ has_error: true, method: ask.method, status: ask.status }, (row) => failed(row) && row.method === ask.method.toUpperCase() && statusIn(row.status, ask.status)],
            ]
            for (const [filter, keep] of only) {
              const fromMcp = await allPages(client, 'list_requests', { ...filter, limit: 100 }, 'requests')
              const expected = rows.filter(keep)
              expect(ids(fromMcp.items), `list_requests ${JSON.stringify(filter)}`).toEqual(ids(expected))
              expect(fromMcp.total).toBe(expected.length)
            }

            for (const row of rows) {
              const detail = details.get(row.id)
              // get_request: the request's status, route, duration, queries, log lines and thrown error.
              const brief = await call(client, 'get_request', { request_id: row.id })
              expect(brief.isError, brief.text).toBe(false)
              const r = brief.data.request
              expect({ status: r.status, route: r.route, durationMs: r.durationMs, traceId: r.traceId, thrown: r.thrown }, `get_request ${row.id}`).toEqual({
                status: detail.status,
                route: detail.route,
                durationMs: detail.durationMs,
                traceId: detail.traceId,
                thrown: detail.panels.request.error,
              })
              expect(brief.data.sql.count, `get_request ${row.id} queries`).toBe(detail.panels.sql.count)
              // Its slowest queries, duplicates and N+1 groups: the SQL panel's, the first five of each.
              const byDuration = [...(detail.panels.sql.queries as Array<{ id: number; durationMs: number }>)].sort((a, b) => b.durationMs - a.durationMs)
              expect(brief.data.sql.slowest.map((q: any) => [q.id, q.durationMs]), `get_request ${row.id} slowest queries`).toEqual(byDuration.slice(0, 5).map((q) => [q.id, q.durationMs]))
              const groupsOf = (groups: Array<{ sql: string; count: number; queryIds: number[] }>) => groups.slice(0, 5).map((g) => [g.sql, g.count, g.queryIds])
              expect(groupsOf(brief.data.sql.duplicates), `get_request ${row.id} duplicates`).toEqual(groupsOf(detail.panels.sql.duplicates))
              expect(groupsOf(brief.data.sql.nPlusOne), `get_request ${row.id} N+1 groups`).toEqual(groupsOf(detail.panels.sql.similar))
              expect(brief.data.logs.counts, `get_request ${row.id} log counts`).toEqual(detail.panels.logging.counts)
              expect(brief.data.logs.lines.map((l: any) => [l.level, redacted(l.message), l.atMs])).toEqual(detail.panels.logging.logs.slice(0, 20).map((l: any) => [l.level, redacted(l.message), l.startMs]))
              // Its text: the first line as the History names the request, the time as the panels write it.
              expect(brief.text.split('\n')[0]).toBe(`Request ${row.id}: ${requestName(row)} -> ${row.status} in ${formatMs(row.durationMs!)}`)
              const sqlCount = detail.panels.sql.count as number
              expect(brief.text).toContain(`SQL: ${sqlCount} ${sqlCount === 1 ? 'query' : 'queries'} in ${formatMs(detail.panels.sql.totalMs)}`)
              expect(brief.text).toContain(`Errors: ${brief.data.errors.length ? brief.data.errors.length : 'none'}`)
              expect(brief.data.errors.length > 0 || (row.status ?? 0) >= 500 || detail.panels.logging.counts.error + detail.panels.logging.counts.fatal > 0, `get_request ${row.id} errors against has_error`).toBe(failed(row))

              // Its errors: as many as list_requests counts and get_trace_errors lists.
              const listedRow = listed.items.find((item: any) => item.id === row.id)
              const traceErrors = await allPages(client, 'get_trace_errors', { request_id: row.id, limit: 50 }, 'errors')
              expect(traceErrors.total, `get_trace_errors ${row.id}`).toBe(listedRow.errors)
              expect(brief.data.errors.length, `get_request ${row.id} errors`).toBe(Math.min(10, listedRow.errors))
              // Its trace's size: the trace the waterfall draws (GET /api/traces/:id), or, for a
              // request another one fetched, its part of it said as such, as get_trace says it.
              if (row.traceId) {
                const own = seen.spansOf(row).length
                const all = traces.get(row.traceId)!.length
                const traceLine = brief.text.split('\n').find((line) => line.startsWith('Trace '))!
                const said = own < all ? `Trace ${row.traceId}: ${own} of its ${all} spans` : `Trace ${row.traceId}: ${all} ${all === 1 ? 'span' : 'spans'}`
                expect(traceLine, `get_request ${row.id}: the size of its trace`).toMatch(new RegExp(`^${escape(said)}\\b`))
                expect([brief.data.trace.spans, brief.data.trace.traceSpanCount ?? brief.data.trace.spans], `get_request ${row.id}: its spans and its trace's`).toEqual([own, all])
              }
              const counts = Object.entries(detail.panels.logging.counts as Record<string, number>).filter(([, n]) => n > 0).map(([level, n]) => `${n} ${level}`).join(', ')
              expect(brief.text).toContain(`\nLogs: ${counts || 'none'}\n`)

              // find_n_plus_one of the request: the SQL panel's similar groups of 2 or more.
              const nPlusOne = await call(client, 'find_n_plus_one', { request_id: row.id, min_count: ask.minCount, limit: 100 })
              const similar = (detail.panels.sql.similar as Array<{ sql: string; count: number; queryIds: number[] }>).filter((g) => g.count >= ask.minCount)
              expect(nPlusOne.data.patterns.map((p: any) => [p.sql, p.count, p.queryIds]), `find_n_plus_one ${row.id}`).toEqual(similar.map((g) => [g.sql, g.count, g.queryIds.slice(0, 50)]))
              const queryMs = new Map((detail.panels.sql.queries as Array<{ id: number; durationMs: number }>).map((q) => [q.id, q.durationMs]))
              const groupMs = (g: { queryIds: number[] }) => g.queryIds.reduce((sum, id) => sum + queryMs.get(id)!, 0)
              expect(nPlusOne.data.patterns.map((p: any) => p.totalMs), `find_n_plus_one ${row.id} times`).toEqual(similar.map(groupMs))
              const patternLines = nPlusOne.text.split('\n').filter((line) => line.startsWith('x'))
              expect(patternLines, `find_n_plus_one ${row.id} text`).toEqual(similar.map((g) => expect.stringMatching(new RegExp(`^x${g.count} \\(${escape(formatMs(groupMs(g)))}\\)  request ${row.id} \\(${escape(`${row.method} ${row.route ?? row.path}`)}\\) queries ${g.queryIds.slice(0, 10).map((id) => `#${id}`).join(', ')}`))))

              // find_slow_queries of the request: its queries at least the threshold long, slowest first.
              const slow = await allPages(client, 'find_slow_queries', { request_id: row.id, threshold_ms: ask.threshold, limit: 100 }, 'queries')
              const over = (detail.panels.sql.queries as Array<{ id: number; durationMs: number }>).filter((q) => q.durationMs >= ask.threshold).sort((a, b) => b.durationMs - a.durationMs)
              expect(slow.items.map((q: any) => [q.queryId, q.durationMs, q.route]), `find_slow_queries ${row.id} >= ${ask.threshold}`).toEqual(over.map((q) => [q.id, q.durationMs, `${row.method} ${row.route ?? row.path}`]))

              // get_trace: every span of the API's trace (or of the request's part of it) once,
              // named as there, under its parent.
              if (!row.traceId) continue
              const whole = traces.get(row.traceId)!
              const listedTrace = seen.traceList.traces.find((t: any) => t.traceId === row.traceId)
              for (const args of [{ trace_id: row.traceId }, { request_id: row.id }]) {
                const spans = 'trace_id' in args ? whole : seen.spansOf(row)
                const byId = new Map(spans.map((s) => [s.spanId, s]))
                const trace = await call(client, 'get_trace', { ...args, max_spans: 1000 })
                expect(trace.isError, trace.text).toBe(false)
                // Page by page, the same lines in the same order.
                const paged = 'trace_id' in args ? await allPages(client, 'get_trace', { ...args, max_spans: ask.pageSize }, 'lines') : { items: trace.data.lines }
                expect(paged.items.map((l: any) => l.spanIds), `get_trace ${JSON.stringify(args)} in pages of ${ask.pageSize}`).toEqual(trace.data.lines.map((l: any) => l.spanIds))
                expect(trace.data.spanCount, `get_trace ${JSON.stringify(args)} span count`).toBe(spans.length)
                const lines = trace.data.lines as Array<{ depth: number; spanIds: string[]; name: string; kind: string; count: number; hiddenDescendants: number; requestId?: string }>
                const shown = lines.flatMap((l) => l.spanIds)
                expect(new Set(shown).size, 'each span once').toBe(shown.length)
                expect(lines.reduce((sum, l) => sum + l.count + l.hiddenDescendants, 0), `get_trace ${JSON.stringify(args)}: lines and folded spans`).toBe(spans.length)
                const above: string[][] = []
                for (const line of lines) {
                  above[line.depth] = line.spanIds
                  above.length = line.depth + 1
                  for (const id of line.spanIds) {
                    const span = byId.get(id)
                    expect(span, `get_trace span ${id} is in the API's trace`).toBeDefined()
                    if (line.count === 1) expect(line.name).toBe(span!.name)
                    const parent = span!.parentSpanId && byId.has(span!.parentSpanId) ? span!.parentSpanId : undefined
                    if (line.depth === 0) expect(parent, `span ${id} "${span!.name}" at the top has no parent in the trace`).toBeUndefined()
                    else expect(above[line.depth - 1], `span ${id} "${span!.name}" is under its parent`).toContain(parent)
                  }
                  // A SERVER span names the request it began, as the History lists it.
                  if (line.count === 1 && line.kind === 'SERVER') expect(line.requestId, `get_trace ${JSON.stringify(args)}: the request of SERVER span ${line.spanIds[0]}`).toBe(seen.requestOfSpan.get(line.spanIds[0]!))
                }
                const part = spans.length < whole.length
                const header = part ? `Request ${row.id}'s spans in trace ${row.traceId}: ${spans.length} of its ${whole.length} spans` : `Trace ${row.traceId}: ${spans.length} ${spans.length === 1 ? 'span' : 'spans'}`
                expect(trace.text.split('\n')[0], `get_trace ${JSON.stringify(args)} header`).toContain(`${header} from ${SERVICE}, `)
                if (part) continue
                // The whole trace's duration is the trace list's, as the waterfall draws it, and
                // the response time beside it is that of the request that began the trace.
                expect(trace.data.durationMs, `get_trace ${JSON.stringify(args)} duration`).toBe(listedTrace.durationMs)
                expect(trace.data.responseMs).toBe(rows.find((r) => r.id === listedTrace.requestId)!.durationMs)
                // Work after the response is said as the waterfall's header says it: when the two read apart.
                const responseMs = trace.data.responseMs as number
                const after = listedTrace.durationMs > responseMs && whole.length > 1 && formatMs(listedTrace.durationMs) !== formatMs(responseMs) ? ` (includes work after the ${formatMs(responseMs)} response)` : ''
                expect(trace.text.split('\n')[0]).toContain(`${header} from ${SERVICE}, ${formatMs(listedTrace.durationMs)}${after};`)
              }
            }

            // list_traces: the API's trace list in its order, each trace's figures as listed there.
            const traceList = seen.traceList
            const listedTraces = await allPages(client, 'list_traces', { limit: 100 }, 'traces')
            const pagedTraces = await allPages(client, 'list_traces', { limit: ask.pageSize }, 'traces')
            expect(pagedTraces.items.map((t: any) => t.traceId), `list_traces in pages of ${ask.pageSize}`).toEqual(listedTraces.items.map((t: any) => t.traceId))
            expect(listedTraces.items.map((t: any) => t.traceId), 'list_traces ids').toEqual(traceList.traces.map((t: any) => t.traceId))
            expect(listedTraces.total).toBe(traceList.total)
            for (const [i, t] of listedTraces.items.entries()) {
              const a = traceList.traces[i]
              expect(t.responseMs, `list_traces ${t.traceId}: the response time of its request`).toBe(rows.find((r) => r.id === a.requestId)?.durationMs)
              expect({ rootName: t.rootName, rootPath: t.rootPath, services: t.services, spanCount: t.spanCount, durationMs: t.durationMs, error: t.error, requestId: t.requestId }, `list_traces ${t.traceId}`).toEqual({
                rootName: a.rootName,
                rootPath: a.rootPath,
                services: a.services,
                spanCount: a.spanCount,
                durationMs: a.durationMs,
                error: a.error,
                requestId: a.requestId,
              })
            }
            const traceText = (await call(client, 'list_traces', { limit: 100 })).text.split('\n')
            for (const [i, t] of traceList.traces.entries()) {
              expect(traceText[i], `list_traces text of ${t.traceId}`).toMatch(
                new RegExp(`^${t.traceId}  ${escape(`${t.rootName}${t.rootPath === undefined ? '' : ` ${t.rootPath}`}  [${t.services.join(', ')}]  ${t.spanCount} ${t.spanCount === 1 ? 'span' : 'spans'}  ${formatMs(t.durationMs)}`)}`),
              )
            }
            const longest = traceList.traces.map((t: any) => t.durationMs).sort((a: number, b: number) => a - b)[Math.floor(traceList.traces.length / 2)]
            for (const [filter, query, keep] of [
              [{ has_error: true }, '', (t: any) => t.error === true],
              [{ has_error: false }, '', (t: any) => t.error !== true],
              [{ min_duration_ms: longest }, `&minDurationMs=${longest}`, () => true],
              [{ service: 'nobody' }, '&service=nobody', () => true],
            ] as Array<[Record<string, unknown>, string, (t: any) => boolean]>) {
              const fromApi = (await app.api(`/traces?limit=200${query}`)).traces.filter(keep)
              const fromMcp = await allPages(client, 'list_traces', { ...filter, limit: 100 }, 'traces')
              expect(fromMcp.items.map((t: any) => t.traceId), `list_traces ${JSON.stringify(filter)}`).toEqual(fromApi.map((t: any) => t.traceId))
            }

            // search_logs: the Logging panel's lines, newest request first, with each filter.
            const lines = rows.flatMap((row) => (details.get(row.id).panels.logging.logs as any[]).map((l) => ({ requestId: row.id, traceId: row.traceId, level: l.level, message: redacted(l.message), atMs: l.startMs, attributes: l.attributes })))
            const needle = ask.logText.toLowerCase()
            const logFilters: Array<[Record<string, unknown>, (l: (typeof lines)[number]) => boolean]> = [
              [{}, () => true],
              [{ level: ask.logLevel }, (l) => l.level === ask.logLevel],
              [{ level: [ask.logLevel, 'error'] }, (l) => l.level === ask.logLevel || l.level === 'error'],
              [{ text: ask.logText }, (l) => l.message.toLowerCase().includes(needle) || JSON.stringify(l.attributes).toLowerCase().includes(needle)],
              [{ request_id: rows[0]!.id }, (l) => l.requestId === rows[0]!.id],
              ...(rows[0]!.traceId ? [[{ trace_id: rows[0]!.traceId }, (l: (typeof lines)[number]) => l.traceId === rows[0]!.traceId] as [Record<string, unknown>, (l: (typeof lines)[number]) => boolean]] : []),
            ]
            for (const [filter, keep] of logFilters) {
              const found = await allPages(client, 'search_logs', { ...filter, limit: 200 }, 'logs')
              expect(found.items.map((l: any) => [l.requestId, l.level, redacted(l.message), l.atMs]), `search_logs ${JSON.stringify(filter)}`).toEqual(lines.filter(keep).map((l) => [l.requestId, l.level, l.message, l.atMs]))
              const text = (await call(client, 'search_logs', { ...filter, limit: 200 })).text
              if (found.items.length) {
                expect(redacted(text).split('\n').filter((line) => !line.startsWith(' ')), `search_logs ${JSON.stringify(filter)} text`).toEqual(
                  lines.filter(keep).map((l) => {
                    const row = rows.find((r) => r.id === l.requestId)!
                    return expect.stringMatching(new RegExp(`^${escape(`${l.requestId} (${row.method} ${row.route ?? row.path}) +${formatMs(l.atMs)} ${l.level.toUpperCase()} ${l.message.trim().split('\n', 1)[0]}`)}`))
                  }),
                )
              }
            }

            // find_slow_queries over every request: their queries over the threshold, slowest
            // first, newest request first among queries as long.
            const everySlow = await allPages(client, 'find_slow_queries', { threshold_ms: ask.threshold, limit: 100 }, 'queries')
            const everyOver = rows
              .flatMap((row) => (details.get(row.id).panels.sql.queries as Array<{ id: number; durationMs: number }>).filter((q) => q.durationMs >= ask.threshold).map((q) => [row.id, q.id, q.durationMs] as const))
              .sort((a, b) => b[2] - a[2])
            expect(everySlow.items.map((q: any) => [q.requestId, q.queryId, q.durationMs]), `find_slow_queries >= ${ask.threshold}`).toEqual(everyOver)

            // find_n_plus_one over every request: each request's groups counted once, in the request it ran in.
            const patterns = await allPages(client, 'find_n_plus_one', { limit: 100 }, 'patterns')
            const groups = rows.flatMap((row) => (details.get(row.id).panels.sql.similar as Array<{ count: number }>).filter((g) => g.count >= 2).map(() => row.id))
            expect(patterns.items.reduce((sum: number, p: any) => sum + p.requests, 0), 'find_n_plus_one: requests of every pattern').toBe(groups.length)
            expect(patterns.items.flatMap((p: any) => p.requestIds).sort(), 'find_n_plus_one: the requests that ran a loop').toEqual([...groups].sort())
            for (const p of patterns.items) {
              // A pattern's figures are its newest request's; its requests are listed newest first.
              expect(p.requestIds[0]).toBe(p.requestId)
              const at = p.requestIds.map((id: string) => ids(rows).indexOf(id))
              expect(at, `find_n_plus_one pattern ${p.shape}: its requests newest first`).toEqual([...at].sort((a, b) => a - b))
              const group = (details.get(p.requestId).panels.sql.similar as Array<{ sql: string; count: number; queryIds: number[] }>).find((g) => g.sql === p.sql)
              expect(group && [group.count, group.queryIds], `find_n_plus_one pattern ${p.shape} in ${p.requestId}`).toEqual([p.count, p.queryIds])
            }
          } finally {
            await client.close()
            await app.close()
          }
        },
      ),
      { numRuns: Number(process.env.MCP_SAME_AS_API_RUNS ?? 30) },
    )
  }, 300_000)
})

/** A line with its redacted secrets as one placeholder: the Logging panel writes `********`, the MCP server `REDACTED` or `********`. */
function redacted(text: string): string {
  return text.replaceAll('REDACTED', '********')
}

/** A request as the History names it: method and route, the path beside a route pattern. */
function requestName(row: ApiRow): string {
  return `${row.method} ${row.route ?? row.path}${row.route && row.route !== row.path ? ` (${row.path})` : ''}`
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Whether a status is in a status list as the History panel takes it (`404`, `5xx`, separated by commas or spaces). */
function statusIn(status: number | undefined, list: string): boolean {
  if (status === undefined) return false
  return list.split(/[\s,]+/).filter(Boolean).some((item) => (/xx$/i.test(item) ? Math.floor(status / 100) === Number(item[0]) : status === Number(item)))
}
