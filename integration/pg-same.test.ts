/**
 * A pg Pool the toolbar records answers as the same pool unrecorded, against a real
 * PostgreSQL server: whatever an app runs on it (text and values, query configs with
 * `rowMode: 'array'` or a statement name, the callback form, a client checked out for a
 * transaction committed or rolled back, statements that fail), every result and error is the
 * same, inside a recorded request. fast-check writes the programs; each pool works in a
 * schema of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import pg from 'pg'
import { isDeepStrictEqual } from 'node:util'
import { Hono } from 'hono'
import { debugToolbar, instrumentPg, SqlPanel } from '../src/index.js'
import { request } from '../test/support/local.js'
import { testPostgres, uniqueSchema, type TestPostgres } from './support/postgres-server.js'

type Step =
  | { kind: 'query'; text: string; values?: unknown[]; form: 'promise' | 'callback' | 'config' | 'array' | 'named' }
  | { kind: 'transaction'; steps: Step[]; commit: boolean }

const SETUP = 'DROP TABLE IF EXISTS items; CREATE TABLE items (id serial PRIMARY KEY, name text UNIQUE, price numeric); INSERT INTO items (name, price) VALUES (\'seed 1\', 1), (\'seed 2\', 2.5)'
const name = fc.constantFrom('ada', 'grace', "o'hara", '', 'seed 1')

const query = fc.oneof(
  fc.tuple(name, fc.oneof(fc.integer({ min: -5, max: 100 }), fc.constant(null))).map(([n, p]) => ({ text: 'INSERT INTO items (name, price) VALUES ($1, $2) RETURNING id, name', values: [n, p] })),
  name.map((n) => ({ text: 'SELECT id, name, price FROM items WHERE name = $1', values: [n] })),
  fc.constant({ text: 'SELECT id, name, price FROM items ORDER BY id' }),
  fc.constant({ text: 'UPDATE items SET price = price * 2 WHERE price IS NOT NULL' }),
  fc.constant({ text: 'SELEC 1' }),
  fc.constant({ text: 'SELECT $1::int AS n', values: [1, 2] }),
  fc.constant({ text: 'SELECT $1::int AS n', values: ['not a number'] }),
).chain((q) => fc.constantFrom('promise' as const, 'callback' as const, 'config' as const, 'array' as const, 'named' as const).map((form): Step => ({ kind: 'query', ...q, form })))
const step: fc.Arbitrary<Step> = fc.oneof(
  query, query, query,
  fc.record({ steps: fc.array(query, { maxLength: 4 }), commit: fc.boolean() }).map((t): Step => ({ kind: 'transaction', ...t })),
)

type Queryable = pg.Pool | pg.PoolClient

/** What an app sees of a query: rows, count, command and column names, or the error's code and message. */
// A statement name stands for one text on every connection (pg refuses a name prepared with another text).
const names = new Map<string, string>()
const nameOf = (text: string) => names.get(text) ?? (names.set(text, `stmt_${names.size}`), names.get(text)!)

async function ask(on: Queryable, s: Extract<Step, { kind: 'query' }>): Promise<unknown> {
  try {
    let result: pg.QueryResult
    if (s.form === 'promise') result = await on.query(s.text, s.values)
    else if (s.form === 'callback') {
      result = await new Promise((resolve, reject) => (on as pg.Pool).query(s.text, s.values ?? [], (error: Error | undefined, r: pg.QueryResult) => (error ? reject(error) : resolve(r))))
    } else if (s.form === 'config') result = await on.query({ text: s.text, values: s.values })
    else if (s.form === 'array') result = await on.query({ text: s.text, values: s.values, rowMode: 'array' })
    else result = await on.query({ name: nameOf(s.text), text: s.text, values: s.values })
    return { rows: result.rows, rowCount: result.rowCount, command: result.command, fields: result.fields.map((f) => f.name) }
  } catch (error) {
    const e = error as Error & { code?: string }
    return { error: `${e.code ?? ''} ${e.message}` }
  }
}

async function play(pool: pg.Pool, steps: Step[]): Promise<unknown[]> {
  const out: unknown[] = []
  for (const s of steps) {
    if (s.kind === 'query') {
      out.push(await ask(pool, s))
      continue
    }
    const client = await pool.connect()
    try {
      out.push(await ask(client, { kind: 'query', text: 'BEGIN', form: 'promise' }))
      for (const inner of s.steps) out.push(await ask(client, inner))
      out.push(await ask(client, { kind: 'query', text: s.commit ? 'COMMIT' : 'ROLLBACK', form: 'promise' }))
    } finally {
      client.release()
    }
  }
  out.push(await ask(pool, { kind: 'query', text: 'SELECT name, price FROM items ORDER BY id', form: 'promise' }))
  return out
}

let server: TestPostgres
let plain: pg.Pool
let recorded: pg.Pool
beforeAll(async () => {
  server = await testPostgres()
  if (!server.available) {
    console.log(`pg recorded as unrecorded: skipped: ${server.reason}`)
    return
  }
  const poolIn = (schema: string) => new pg.Pool({ connectionString: server.available ? server.url : '', max: 2, options: `-c search_path=${schema}` })
  const [a, b] = [uniqueSchema('pg_plain'), uniqueSchema('pg_recorded')]
  const admin = new pg.Client({ connectionString: server.url })
  await admin.connect()
  await admin.query(`CREATE SCHEMA ${a}; CREATE SCHEMA ${b}`)
  await admin.end()
  plain = poolIn(a)
  recorded = instrumentPg(poolIn(b))
})
afterAll(async () => {
  await plain?.end()
  await recorded?.end()
  if (server?.available) server.close()
})

describe('a recorded pg Pool', () => {
  it('answers every program as the same pool unrecorded, inside a recorded request', async (context) => {
    if (!server.available) return context.skip()
    const app = new Hono()
    app.use(debugToolbar({ panels: [new SqlPanel()] }))
    let program: Step[] = []
    let answers: unknown[] = []
    app.get('/run', async (c) => {
      answers = await play(recorded, program)
      return c.text('ok')
    })
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        program = steps
        await plain.query(SETUP)
        await recorded.query(SETUP)
        const expected = await play(plain, steps)
        const res = await request(app, '/run')
        return res.status === 200 && isDeepStrictEqual(answers, expected)
      }),
      { numRuns: 60 },
    )
    expect(answers.length).toBeGreaterThan(0)
  })
})
