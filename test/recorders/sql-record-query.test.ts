import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { setTimeout as sleep } from 'node:timers/promises'
import { currentRecord, debugToolbar, recordQuery, SqlPanel, SLOTS, type QueryLog, type SqlStats } from '../../src/index.js'
import { request } from '../support/local.js'
import { otelApp } from '../support/otel-app.js'

async function sqlPanel(app: Hono, path: string) {
  const res = await request(app, path)
  const id = res.headers.get('x-debug-toolbar-request-id')
  const detail = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json()
  return { res, detail, sql: detail.panels.sql as SqlStats }
}

describe('recordQuery', () => {
  it('does nothing outside a request', () => {
    expect(currentRecord()).toBeUndefined()
    expect(recordQuery({ sql: 'SELECT 1', durationMs: 1 })).toBeUndefined()
  })

  it('records a query of any driver at its real start time', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new SqlPanel()] }))
    app.get('/', async (c) => {
      const startTime = performance.now()
      await sleep(15)
      const durationMs = performance.now() - startTime
      recordQuery({ sql: 'SELECT * FROM t WHERE a = ?', params: [1], startTime, durationMs, rowCount: 4, dbSystem: 'mysql' })
      recordQuery({ sql: 'SELECT broken', durationMs: 2, error: new Error('syntax error at "broken"') })
      return c.text('ok')
    })
    const { res, detail, sql } = await sqlPanel(app, '/')
    expect(res.headers.get('server-timing')).toMatch(/(^|, )hdt-sql;dur=[\d.]+;desc="2 queries"/)
    const [timed, failed] = sql.queries
    expect(timed).toMatchObject({ id: 1, sql: 'SELECT * FROM t WHERE a = ?', params: [1], rowCount: 4, dbSystem: 'mysql', error: null })
    expect(timed!.durationMs).toBeGreaterThanOrEqual(14)
    expect(timed!.startMs).toBeGreaterThanOrEqual(0)
    expect(timed!.startMs + timed!.durationMs).toBeLessThanOrEqual(detail.durationMs)
    // Without a startTime the query ends now and started durationMs earlier.
    expect(failed).toMatchObject({ sql: 'SELECT broken', params: [], dbSystem: 'other_sql', error: 'syntax error at "broken"', durationMs: 2 })
    expect(failed!.startMs).toBeGreaterThanOrEqual(timed!.startMs + timed!.durationMs - 2)
    expect(failed!.caller).toContain('sql-record-query.test.ts')
    expect(detail.nav.find((n: { id: string }) => n.id === 'sql').subtitle).toMatch(/^2 queries in \d+\.\d ms$/)
  })

  it('takes a Date.now() start time as the wall-clock time it is', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new SqlPanel()] }))
    app.get('/', async (c) => {
      await sleep(10)
      const startTime = Date.now()
      await sleep(15)
      recordQuery({ sql: 'SELECT 1', startTime, durationMs: Date.now() - startTime })
      return c.text('ok')
    })
    const { detail, sql } = await sqlPanel(app, '/')
    const [query] = sql.queries
    // Date.now() is whole milliseconds: the query starts within 1 ms of when it was read.
    expect(query!.startMs).toBeGreaterThanOrEqual(8)
    expect(query!.startMs + query!.durationMs).toBeLessThanOrEqual(detail.durationMs + 1)
  })

  it('keeps at most maxQueries per request and counts the rest as dropped', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new SqlPanel({ maxQueries: 3 })] }))
    app.get('/:n', (c) => {
      for (let i = 1; i <= Number(c.req.param('n')); i++) recordQuery({ sql: `SELECT ${i}`, startTime: performance.now(), durationMs: 0.5 })
      return c.text('ok')
    })
    const many = await sqlPanel(app, '/10')
    expect(many.sql.queries.map((q) => q.sql)).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3'])
    expect(many.sql.count).toBe(3)
    expect(many.sql.dropped).toBe(7)
    expect(many.res.headers.get('server-timing')).toContain('hdt-sql;dur=1.5;desc="3 queries, 7 dropped"')
    // The limit is per request: the next one starts from zero.
    const few = await sqlPanel(app, '/2')
    expect(few.sql).toMatchObject({ count: 2, dropped: 0 })
  })

  it('records with the default limit of 1000 when no SQL panel is installed, for the trace converter', async () => {
    const app = new Hono()
    let log: QueryLog | undefined
    app.use(debugToolbar({ panels: [] }))
    app.get('/', (c) => {
      for (let i = 0; i < 1005; i++) recordQuery({ sql: 'SELECT ?', params: [i], durationMs: 0 })
      log = currentRecord()!.peek(SLOTS.sql)
      return c.text('ok')
    })
    await request(app, '/')
    expect(log!.queries).toHaveLength(1000)
    expect(log!.dropped).toBe(5)
    expect(log!.queries[0]!.caller).toContain('sql-record-query.test.ts')
  })

  it('skips the caller when captureCaller is off', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new SqlPanel({ captureCaller: false })] }))
    app.get('/', (c) => {
      recordQuery({ sql: 'SELECT 1', durationMs: 1 })
      return c.text('ok')
    })
    const { sql } = await sqlPanel(app, '/')
    expect(sql.queries[0]!.caller).toBeNull()
  })

  it('refuses options that would do nothing sensible', () => {
    expect(() => new SqlPanel({ maxQueries: -1 })).toThrow('maxQueries must be a whole number >= 0, got -1')
    expect(() => new SqlPanel({ slowQueryMs: Number.NaN })).toThrow('slowQueryMs must be a number >= 0')
  })

  it('keeps a row count only when it is a finite, non-negative number, in the SQL panel and the span', async () => {
    const { app, run } = otelApp()
    const counts: unknown[] = [3, 0, 'many', '5', -1, Number.NaN, Number.POSITIVE_INFINITY, null, { rows: 2 }]
    app.get('/', (c) => {
      for (const [i, rowCount] of counts.entries()) recordQuery({ sql: `SELECT * FROM t_${'abcdefghi'[i]}`, durationMs: 1, rowCount: rowCount as number })
      return c.text('ok')
    })
    const { detail, stats } = await run('/')
    const sql = detail.panels.sql as SqlStats
    expect(sql.queries.map((q) => q.rowCount)).toEqual([3, 0, null, null, null, null, null, null, null])
    const returned = (text: string) => stats.spans.find((span) => span.attributes['db.query.text'] === text)!.attributes['db.response.returned_rows']
    expect(counts.map((_, i) => returned(`SELECT * FROM t_${'abcdefghi'[i]}`))).toEqual([3, 0, undefined, undefined, undefined, undefined, undefined, undefined, undefined])
  })
})
