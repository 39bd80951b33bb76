import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import pg from 'pg'
import { setTimeout as sleep } from 'node:timers/promises'
import { debugToolbar, instrumentPg, SqlPanel, type SqlStats } from '../src/index.js'
import { request } from '../test/support/local.js'
import { startPostgres, type PostgresPeer } from './support/pglite.js'
import { relative } from 'node:path'

const PREFIX = '/_debug_toolbar'
const THIS_FILE = new URL(import.meta.url).pathname
/** This file as the SQL panel names a caller in it: relative to the working directory. */
const SHOWN_FILE = relative(process.cwd(), THIS_FILE)

let postgres: PostgresPeer
let pool: pg.Pool

beforeAll(async () => {
  postgres = await startPostgres()
  // Two connections for 20 concurrent requests: most queries wait in the pool's queue.
  pool = instrumentPg(new pg.Pool({ ...postgres.config, max: 2 }))
  await pool.query(`CREATE TABLE accounts (id serial PRIMARY KEY, owner text NOT NULL UNIQUE, balance integer NOT NULL CHECK (balance >= 0))`)
  await pool.query(`CREATE INDEX accounts_balance ON accounts (balance)`)
  await pool.query(`INSERT INTO accounts (owner, balance) SELECT 'owner ' || n, n * 10 FROM generate_series(1, 50) AS n`)
})

afterAll(async () => {
  await pool?.end()
  await postgres?.close()
})

function appWith(routes: (app: Hono) => void) {
  const app = new Hono()
  app.use(debugToolbar({ maxRequests: 100, extraPanels: [new SqlPanel()] }))
  routes(app)
  return app
}

async function sqlPanel(app: Hono, path: string) {
  const res = await request(app, path)
  const id = res.headers.get('x-debug-toolbar-request-id')!
  const detail = (await request(app, `${PREFIX}/api/requests/${id}`)).json()
  return { id, res, detail, sql: detail.panels.sql as SqlStats }
}

describe('instrumentPg over the PostgreSQL wire protocol (PGlite)', () => {
  it('records pool.query in promise and callback forms, once each, with rows, params and caller', async () => {
    const app = appWith((app) => {
      app.get('/', async (c) => {
        const rich = await pool.query('SELECT owner FROM accounts WHERE balance >= $1 ORDER BY id', [480])
        const byConfig = await pool.query({ text: 'SELECT count(*)::int AS n FROM accounts WHERE owner LIKE $1', values: ['owner 1%'] })
        const viaCallback = await new Promise<number>((resolve, reject) =>
          pool.query('UPDATE accounts SET balance = balance + 1 WHERE id = $1', [1], (error, result) => (error ? reject(error) : resolve(result.rowCount ?? -1))),
        )
        return c.json({ rich: rich.rows.map((r) => r.owner), n: byConfig.rows[0].n, updated: viaCallback })
      })
    })
    const { res, detail, sql } = await sqlPanel(app, '/')
    expect(res.json()).toEqual({ rich: ['owner 48', 'owner 49', 'owner 50'], n: 11, updated: 1 })
    expect(sql.queries.map((q) => [q.sql, q.params, q.rowCount, q.dbSystem, q.error])).toEqual([
      ['SELECT owner FROM accounts WHERE balance >= $1 ORDER BY id', [480], 3, 'postgresql', null],
      ['SELECT count(*)::int AS n FROM accounts WHERE owner LIKE $1', ['owner 1%'], 1, 'postgresql', null],
      ['UPDATE accounts SET balance = balance + 1 WHERE id = $1', [1], 1, 'postgresql', null],
    ])
    for (const q of sql.queries) {
      expect(q.caller).toMatch(new RegExp(`^${SHOWN_FILE}:\\d+:\\d+$`))
      expect(q.startMs).toBeGreaterThanOrEqual(0)
      expect(q.startMs + q.durationMs).toBeLessThanOrEqual(detail.durationMs)
      expect(q.inTransaction).toBe(false)
    }
  })

  it('records the queries of a client from pool.connect(), marks its transaction, and a failure with its error', async () => {
    const app = appWith((app) => {
      app.get('/transfer', async (c) => {
        const client = await pool.connect()
        try {
          await client.query('BEGIN')
          await client.query('UPDATE accounts SET balance = balance + $1 WHERE id = $2', [100, 2])
          await client.query('UPDATE accounts SET balance = balance - $1 WHERE id = $2', [100, 3])
          await client.query('COMMIT')
          return c.text('moved')
        } catch (error) {
          await client.query('ROLLBACK')
          return c.text((error as Error).message, 409)
        } finally {
          client.release()
        }
      })
    })
    const { res, sql } = await sqlPanel(app, '/transfer')
    expect(res.status).toBe(409)
    expect(res.text).toBe('new row for relation "accounts" violates check constraint "accounts_balance_check"')
    expect(sql.queries.map((q) => [q.sql, q.params, q.inTransaction, q.error])).toEqual([
      ['BEGIN', [], true, null],
      ['UPDATE accounts SET balance = balance + $1 WHERE id = $2', [100, 2], true, null],
      ['UPDATE accounts SET balance = balance - $1 WHERE id = $2', [100, 3], true, res.text],
      ['ROLLBACK', [], true, null],
    ])
    // The transaction was rolled back for real.
    expect((await pool.query('SELECT balance FROM accounts WHERE id = 2')).rows[0].balance).toBe(20)
  })

  it('records a standalone Client, in the callback form too', async () => {
    const client = instrumentPg(new pg.Client(postgres.config))
    await client.connect()
    try {
      const app = appWith((app) => {
        app.get('/', async (c) => {
          const now = await new Promise<string>((resolve, reject) =>
            client.query('SELECT 42 AS answer', (error, result) => (error ? reject(error) : resolve(String(result.rows[0].answer)))),
          )
          const failure = await client.query('SELECT nope FROM accounts').catch((error: Error) => error.message)
          return c.json({ now, failure })
        })
      })
      const { res, sql } = await sqlPanel(app, '/')
      expect(res.json()).toEqual({ now: '42', failure: 'column "nope" does not exist' })
      expect(sql.queries.map((q) => [q.sql, q.rowCount, q.error])).toEqual([
        ['SELECT 42 AS answer', 1, null],
        ['SELECT nope FROM accounts', null, 'column "nope" does not exist'],
      ])
      // Outside a request the client answers as before and nothing is recorded.
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    } finally {
      await client.end()
    }
  })

  it('keeps 20 concurrent requests apart while their queries queue for 2 connections', async () => {
    const app = appWith((app) => {
      app.get('/account/:id', async (c) => {
        const id = Number(c.req.param('id'))
        const first = await pool.query('SELECT balance FROM accounts WHERE id = $1', [id])
        await sleep(id % 4)
        const second = await pool.query(`SELECT owner FROM accounts WHERE id = $1 /* ${id} */`, [id])
        return c.json({ balance: first.rows[0].balance, owner: second.rows[0].owner })
      })
    })
    const ids = Array.from({ length: 20 }, (_, i) => i + 10)
    const results = await Promise.all(ids.map((id) => sqlPanel(app, `/account/${id}`)))
    results.forEach(({ res, detail, sql }, i) => {
      const id = ids[i]!
      expect(res.json().owner).toBe(`owner ${id}`)
      expect(sql.queries.map((q) => [q.sql, q.params])).toEqual([
        ['SELECT balance FROM accounts WHERE id = $1', [id]],
        [`SELECT owner FROM accounts WHERE id = $1 /* ${id} */`, [id]],
      ])
      for (const q of sql.queries) expect(q.startMs + q.durationMs).toBeLessThanOrEqual(detail.durationMs)
    })
  })
})

describe('EXPLAIN on PostgreSQL', () => {
  it('explains a stored SELECT with its params through the pool, without recording the EXPLAIN', async () => {
    const app = appWith((app) => {
      app.get('/', async (c) => c.json((await pool.query('SELECT owner FROM accounts WHERE balance = $1', [250])).rows))
    })
    const { id, sql } = await sqlPanel(app, '/')
    expect(sql.queries[0]!.explainable).toBe(true)
    const explain = await request(app, `${PREFIX}/api/sql/${id}/1/explain`)
    expect(explain.status).toBe(200)
    const plan = explain.json()
    expect(plan.dbSystem).toBe('postgresql')
    expect(plan.explainSql).toBe('EXPLAIN SELECT owner FROM accounts WHERE balance = $1')
    expect(plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')).toMatch(/Scan .*accounts/)
    expect((await request(app, `${PREFIX}/api/requests/${id}`)).json().panels.sql.count).toBe(1)
  })

  it('redacts a secret param in the list and in the plan, where PostgreSQL writes it as a literal', async () => {
    await pool.query('CREATE TABLE IF NOT EXISTS logins (id serial PRIMARY KEY, name text, password text)')
    const app = appWith((app) => {
      app.get('/', async (c) => c.json((await pool.query('SELECT id FROM logins WHERE name = $1 AND password = $2', ['ada', 'hunter2'])).rows))
    })
    const { id, sql } = await sqlPanel(app, '/')
    expect(sql.queries[0]!.params).toEqual(['ada', '********'])
    const plan = (await request(app, `${PREFIX}/api/sql/${id}/1/explain`)).json()
    const text = plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')
    expect(text).toContain("'ada'")
    expect(text).toContain("password = '********'")
    expect(text).not.toContain('hunter2')
  })

  it('answers 400 for writes and 422 when the text holds more than one statement, never running the rest', async () => {
    const app = appWith((app) => {
      app.get('/', async (c) => {
        await pool.query(`INSERT INTO accounts (owner, balance) VALUES ('temp', 1)`)
        // Simple protocol: the app itself runs both statements once.
        await pool.query(`SELECT 1; DELETE FROM accounts WHERE owner = 'temp'`)
        await pool.query(`INSERT INTO accounts (owner, balance) VALUES ('temp', 1)`)
        return c.text('ok')
      })
    })
    const { id } = await sqlPanel(app, '/')
    const write = await request(app, `${PREFIX}/api/sql/${id}/1/explain`)
    expect(write.status).toBe(400)
    expect(write.json().error).toContain('starts with INSERT')
    const multi = await request(app, `${PREFIX}/api/sql/${id}/2/explain`)
    expect(multi.status).toBe(422)
    expect(multi.json().error).toMatch(/^EXPLAIN failed: /)
    // The DELETE after the `;` did not run again: the second 'temp' row is still there.
    expect((await pool.query(`SELECT count(*)::int AS n FROM accounts WHERE owner = 'temp'`)).rows[0].n).toBe(1)
  })
})
