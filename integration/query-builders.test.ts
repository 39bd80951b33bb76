// Query builders on the instrumented drivers, as README's SQL section tells users to set
// them up: Kysely and Drizzle handed `instrumentBetterSqlite3(db)` or `instrumentPg(pool)`
// record their real SQL, params, rows and EXPLAIN with no code of the app's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import Database from 'better-sqlite3'
import pg from 'pg'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import { eq, gt } from 'drizzle-orm'
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { integer as pgInteger, pgTable, serial, text as pgText } from 'drizzle-orm/pg-core'
import { debugToolbar, instrumentBetterSqlite3, instrumentPg, SqlPanel, type SqlStats } from '../src/index.js'
import { request } from '../test/support/local.js'
import { startPostgres, type PostgresPeer } from './support/pglite.js'
import { relative } from 'node:path'

const PREFIX = '/_debug_toolbar'
const THIS_FILE = new URL(import.meta.url).pathname
/** This file as the SQL panel names a caller in it: relative to the working directory. */
const SHOWN_FILE = relative(process.cwd(), THIS_FILE)

interface Pets {
  pets: { id: number; name: string; age: number }
}

function appWith(routes: (app: Hono) => void) {
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [new SqlPanel()] }))
  routes(app)
  return app
}

/** Makes a request, then reads what the SQL panel shows for it and the plan of its first query. */
async function sqlPanel(app: Hono, path: string) {
  const res = await request(app, path)
  const id = res.headers.get('x-debug-toolbar-request-id')!
  const sql = (await request(app, `${PREFIX}/api/requests/${id}`)).json().panels.sql as SqlStats
  const explain = await request(app, `${PREFIX}/api/sql/${id}/1/explain`)
  return { res, sql, explain }
}

function sqlitePets() {
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec("CREATE TABLE pets (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER NOT NULL); INSERT INTO pets (name, age) VALUES ('rex', 3), ('tom', 7), ('kit', 1)")
  return db
}

describe('query builders on instrumentBetterSqlite3', () => {
  it('Kysely: its SQL, its params as bound, the rows, the line of the app that ran it, and EXPLAIN', async () => {
    const kysely = new Kysely<Pets>({ dialect: new SqliteDialect({ database: sqlitePets() }) })
    const app = appWith((app) =>
      app.get('/pets', async (c) => {
        const older = await kysely.selectFrom('pets').select('name').where('age', '>', 2).where('name', '!=', 'tom').execute()
        await kysely.selectFrom('missing' as 'pets').selectAll().execute().catch(() => undefined)
        return c.json(older.map((pet) => pet.name))
      }),
    )
    const { res, sql, explain } = await sqlPanel(app, '/pets')
    expect(res.json()).toEqual(['rex'])
    expect(sql.queries.map((q) => [q.sql, q.params, q.rowCount, q.error])).toEqual([
      ['select "name" from "pets" where "age" > ? and "name" != ?', [2, 'tom'], 1, null],
      ['select * from "missing"', [], null, 'no such table: missing'],
    ])
    for (const q of sql.queries) expect(q.caller).toMatch(new RegExp(`^${SHOWN_FILE}:\\d+:\\d+$`))
    expect(explain.status).toBe(200)
    expect(JSON.stringify(explain.json().rows)).toContain('SCAN pets')
  })

  it('Drizzle: its SQL and params, awaited or run by .all(); the calling line when the stack reaches the app', async () => {
    const pets = sqliteTable('pets', { id: integer('id').primaryKey(), name: text('name').notNull(), age: integer('age').notNull() })
    const db = drizzleSqlite(sqlitePets())
    const app = appWith((app) =>
      app.get('/pets/:id', async (c) => {
        const awaited = await db.select().from(pets).where(eq(pets.id, Number(c.req.param('id'))))
        const older = db.select({ name: pets.name }).from(pets).where(gt(pets.age, 2)).all()
        return c.json({ awaited, older })
      }),
    )
    const { res, sql, explain } = await sqlPanel(app, '/pets/2')
    expect(res.json()).toEqual({ awaited: [{ id: 2, name: 'tom', age: 7 }], older: [{ name: 'rex' }, { name: 'tom' }] })
    expect(sql.queries.map((q) => [q.sql, q.params, q.rowCount])).toEqual([
      ['select "id", "name", "age" from "pets" where "pets"."id" = ?', [2], 1],
      ['select "name" from "pets" where "pets"."age" > ?', [2], 2],
    ])
    // `await query` runs it from a promise job of Drizzle's, whose stack no longer reaches
    // the handler: no line is better than Drizzle's own (README says so).
    expect(sql.queries[0]!.caller).toBeNull()
    expect(sql.queries[1]!.caller).toMatch(new RegExp(`^${SHOWN_FILE}:\\d+:\\d+$`))
    expect(explain.status).toBe(200)
  })
})

describe('query builders on instrumentPg (PGlite over the wire protocol)', () => {
  let postgres: PostgresPeer
  let pool: pg.Pool

  beforeAll(async () => {
    postgres = await startPostgres()
    pool = instrumentPg(new pg.Pool({ ...postgres.config, max: 2 }))
    await pool.query("CREATE TABLE pets (id serial PRIMARY KEY, name text NOT NULL, age integer NOT NULL); INSERT INTO pets (name, age) VALUES ('rex', 3), ('tom', 7), ('kit', 1)")
  })

  afterAll(async () => {
    await pool?.end()
    await postgres?.close()
  })

  it('Kysely and Drizzle: their SQL with $n placeholders, params, rows and EXPLAIN', async () => {
    const kysely = new Kysely<Pets>({ dialect: new PostgresDialect({ pool }) })
    const pets = pgTable('pets', { id: serial('id').primaryKey(), name: pgText('name').notNull(), age: pgInteger('age').notNull() })
    const db = drizzlePg(pool)
    const app = appWith((app) =>
      app.get('/pets', async (c) => {
        const young = await kysely.selectFrom('pets').select('name').where('age', '<', 5).orderBy('id').execute()
        const tom = await db.select({ age: pets.age }).from(pets).where(eq(pets.name, 'tom'))
        return c.json({ young: young.map((pet) => pet.name), tom })
      }),
    )
    const { res, sql, explain } = await sqlPanel(app, '/pets')
    expect(res.json()).toEqual({ young: ['rex', 'kit'], tom: [{ age: 7 }] })
    expect(sql.queries.map((q) => [q.sql, q.params, q.rowCount, q.dbSystem])).toEqual([
      ['select "name" from "pets" where "age" < $1 order by "id"', [5], 2, 'postgresql'],
      ['select "age" from "pets" where "pets"."name" = $1', ['tom'], 1, 'postgresql'],
    ])
    expect(sql.queries[0]!.caller).toMatch(new RegExp(`^${SHOWN_FILE}:\\d+:\\d+$`))
    expect(explain.status).toBe(200)
    expect(JSON.stringify(explain.json())).toContain('Seq Scan on pets')
  })
})
