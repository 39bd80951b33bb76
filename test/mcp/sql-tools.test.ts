import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar, recordQuery } from '../../src/index.js'
import { loopbackServers } from '../support/loopback-service.js'
import { formatMs } from '../../src/shapes/format.js'
import { fullScans } from '../../src/shapes/query-plan.js'
import { call, connect, useShop } from './app.js'

describe('find_n_plus_one over the recent requests: one line per pattern, not per request', () => {
  const session = useShop({ first: '/users', second: '/users', third: '/users', slow: '/slow' })
  const { ids } = session

  it('lists the loop of GET /users once, with the requests it ran in and the query ids to explain', async () => {
    const { text, data } = await call(session.client, 'find_n_plus_one')
    expect(data.patterns).toHaveLength(1)
    expect(data.patterns[0]).toMatchObject({
      requestId: ids.third,
      route: 'GET /users',
      sql: 'SELECT total FROM orders WHERE user_id = ?',
      count: 4,
      queryIds: [2, 3, 4, 5],
      requests: 3,
      requestIds: [ids.third, ids.second, ids.first],
    })
    expect(data.total).toBe(1)
    expect(text).toMatch(new RegExp(`^x4 \\(.+\\)  request ${ids.third} \\(GET /users\\) queries #2, #3, #4, #5  at .+app\\.ts:\\d+`, 'm'))
    expect(text).toMatch(new RegExp(`^ {4}also in 2 older requests: ${ids.second}, ${ids.first}$`, 'm'))
    expect(text.match(/SELECT total FROM orders/g)).toHaveLength(1)
    // Its params are bound: the example gives the values, not the SQL again.
    expect(text).toMatch(/^ {4}SELECT total FROM orders WHERE user_id = \?\n {4}e\.g\. #2 params \[1\]$/m)
  })

  it('keeps one request to itself when request_id is given', async () => {
    const { text, data } = await call(session.client, 'find_n_plus_one', { request_id: ids.first })
    expect(data.patterns).toHaveLength(1)
    expect(data.patterns[0]).toMatchObject({ requestId: ids.first, requests: 1, requestIds: [ids.first], queryIds: [2, 3, 4, 5] })
    expect(text).not.toMatch(/also in/)
  })
})

describe('find_slow_queries says what a query did wrong and which threshold it used', () => {
  const session = useShop({ broken: '/orders/broken', users: '/users' })
  const { ids } = session

  it('writes the error of a query that failed on its line', async () => {
    const { text, data } = await call(session.client, 'find_slow_queries', { request_id: ids.broken, threshold_ms: 0 })
    expect(data.queries[0]).toMatchObject({ queryId: 1, error: 'no such table: order_lines' })
    expect(text).toMatch(new RegExp(`^\\S+ (µs|ms|s)  request ${ids.broken} \\(GET /orders/broken\\) query #1, failed: no such table: order_lines  at `, 'm'))
  })

  it('names the SQL panel\'s threshold when no query reached it, and how long the slowest took', async () => {
    const detail = await (await fetch(`${session.shop.base}/_debug_toolbar/api/requests/${ids.users}`)).json()
    const queries = detail.panels.sql.queries as Array<{ id: number; durationMs: number }>
    const slowest = queries.reduce((a, b) => (b.durationMs > a.durationMs ? b : a))
    const { text } = await call(session.client, 'find_slow_queries', { request_id: ids.users })
    expect(text).toBe(
      `No query in request ${ids.users} took at least the SQL panel's slow threshold, 100 ms (pass threshold_ms to lower it). The slowest of its ${queries.length} queries took ${formatMs(slowest.durationMs)} (#${slowest.id}).`,
    )
    const all = await call(session.client, 'find_slow_queries', { threshold_ms: 1e6 })
    expect(all.text).toMatch(new RegExp(`^No query in the recent requests took at least 1000000 ms\\. The slowest of ${queries.length + 1} queries in 2 requests took \\S+ (µs|ms|s) \\(request \\S+, #\\d+\\)\\.$`))
  })
})

describe('explain_query with a query id the request does not have says which it has', () => {
  const session = useShop({ users: '/users', reset: '/reset/abcdefghijkl' })
  const { ids } = session

  it('names the range of query ids, or that the request ran none', async () => {
    const missing = await call(session.client, 'explain_query', { request_id: ids.users, query_id: 99 })
    expect(missing.isError).toBe(true)
    expect(missing.text).toBe(`request "${ids.users}" has no query with id "99": it ran 5 queries, #1 to #5 (get_request lists them)`)
    const none = await call(session.client, 'explain_query', { request_id: ids.reset, query_id: 1 })
    expect(none.text).toBe(`request "${ids.reset}" has no query with id "1": it ran no query`)
  })
})

describe('explain_query says when the plan reads a whole table without an index', () => {
  const session = useShop({ users: '/users' })
  const { ids } = session

  it('names the table under the plan, with what an index would change when the query picks rows', async () => {
    // #2 is `SELECT total FROM orders WHERE user_id = ?`, and orders has no index on user_id.
    const picked = await call(session.client, 'explain_query', { request_id: ids.users, query_id: 2 })
    expect(picked.data.fullScans).toEqual(['orders'])
    expect(picked.text.split('\n').at(-1)).toBe(
      'No index used: every row of orders is read. An index on the columns its WHERE or JOIN compares would let it read only the rows it needs (on a small table the database may scan anyway).',
    )
    // #1 reads every user on purpose (`SELECT id, name FROM users ORDER BY id`): no advice.
    const all = await call(session.client, 'explain_query', { request_id: ids.users, query_id: 1 })
    expect(all.text.split('\n').at(-1)).toBe('No index used: every row of users is read.')
  })

  it('reads PostgreSQL plans and SQLite scans through an index apart', () => {
    expect(fullScans([{ 'QUERY PLAN': 'Hash Join  (cost=1.09..2.21 rows=4 width=8)' }, { 'QUERY PLAN': '  ->  Seq Scan on orders o  (cost=0.00..1.04 rows=4 width=12)' }, { 'QUERY PLAN': '  ->  Parallel Seq Scan on "Order Lines"  (cost=0.00..1.04 rows=4 width=12)' }])).toEqual(['orders', 'Order Lines'])
    expect(fullScans([{ detail: 'SEARCH orders USING INDEX orders_user (user_id=?)' }, { detail: 'SCAN users USING COVERING INDEX users_name' }, { detail: 'SCAN CONSTANT ROW' }, { detail: 'SCAN (subquery-1)' }])).toEqual([])
  })
})

describe('find_n_plus_one shows the shape a loop repeats, not its first query', () => {
  const start = loopbackServers()

  it('prints the shape with its count and one example, and one pattern for requests that began with other values', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/orders/:from', (c) => {
      const from = Number(c.req.param('from'))
      // Values written into the SQL text: each query differs from the others.
      for (let id = from; id < from + 3; id++) recordQuery({ sql: `SELECT * FROM orders WHERE user_id = ${id}`, startTime: performance.now(), durationMs: 1, rowCount: 1 })
      return c.text('orders')
    })
    const base = await start(app)
    for (const from of [7, 20]) await (await fetch(`${base}/orders/${from}`)).text()
    const client = await connect(base)
    try {
      const { text, data } = await call(client, 'find_n_plus_one')
      expect(data.patterns).toHaveLength(1)
      expect(data.patterns[0]).toMatchObject({ shape: 'SELECT * FROM orders WHERE user_id = ?', example: { queryId: 1, sql: 'SELECT * FROM orders WHERE user_id = 20' }, count: 3, requests: 2 })
      expect(text).toMatch(/^ {4}SELECT \* FROM orders WHERE user_id = \?\n {4}e\.g\. #1: SELECT \* FROM orders WHERE user_id = 20$/m)
      expect(text).not.toMatch(/^ {4}SELECT \* FROM orders WHERE user_id = 7$/m)
    } finally {
      await client.close()
    }
  })
})

describe('a query whose SQL the recorder cut (over 65,536 characters) says so on its line in every tool', () => {
  const start = loopbackServers()

  it('get_request, find_slow_queries and find_n_plus_one name the length before the cut; explain_query refuses with it', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    const long = (n: number) => `SELECT * FROM orders WHERE id IN (${Array.from({ length: 20_000 }, (_, i) => 10_000 + i + n).join(', ')})`
    app.get('/bulk', (c) => {
      // Values written into the text: three queries of the same shape, an N+1 pattern.
      for (const n of [1, 2, 3]) recordQuery({ sql: long(n), startTime: performance.now(), durationMs: 200, rowCount: 1 })
      return c.text('bulk')
    })
    const base = await start(app)
    await (await fetch(`${base}/bulk`)).text()
    const chars = long(1).length.toLocaleString('en')
    const note = `(SQL cut when recorded: ${chars} characters, the first 65,536 kept)`
    const client = await connect(base)
    try {
      const { data: list } = await call(client, 'list_requests')
      const id = (list.requests as Array<{ id: string }>)[0]!.id
      const brief = await call(client, 'get_request', { request_id: id })
      expect(brief.text).toMatch(new RegExp(`^  #1 .+ SELECT \\* FROM orders .+ ${note.replace(/[()]/g, '\\$&')}`, 'm'))
      const slow = await call(client, 'find_slow_queries', { request_id: id, threshold_ms: 0 })
      expect(slow.text).toMatch(new RegExp(`^ {4}SELECT \\* FROM orders .+ ${note.replace(/[()]/g, '\\$&')}$`, 'm'))
      const loop = await call(client, 'find_n_plus_one', { request_id: id })
      expect(loop.text).toContain(note)
      const explain = await call(client, 'explain_query', { request_id: id, query_id: 1 })
      expect(explain.text).toContain(`was kept cut at 65536`)
    } finally {
      await client.close()
    }
  })
})
