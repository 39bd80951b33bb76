// A better-sqlite3 database the toolbar records answers as the same database unrecorded:
// whatever an app runs on it (statements with positional or named parameters, bound ones,
// pluck, raw and expand modes, iterators read whole or left early, exec, pragma, transactions
// nested, failed or of each kind, statements that fail), every result, error and transaction
// state is the same, inside a recorded request. fast-check writes the programs.
import { describe, it } from 'vitest'
import fc from 'fast-check'
import Database from 'better-sqlite3'
import { isDeepStrictEqual } from 'node:util'
import { Hono } from 'hono'
import { debugToolbar, instrumentBetterSqlite3, SqlPanel } from '../../src/index.js'
import { request } from '../support/local.js'

type Db = Database.Database

type Op =
  | { kind: 'statement'; sql: string; call: 'run' | 'get' | 'all' | 'iterate'; params: unknown[]; mode?: 'pluck' | 'raw' | 'expand'; bind: boolean; take?: number }
  | { kind: 'exec'; sql: string }
  | { kind: 'pragma'; sql: string; simple: boolean }
  | { kind: 'transaction'; variant: 'default' | 'deferred' | 'immediate' | 'exclusive'; body: Op[]; fail: boolean }

const SCHEMA = 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE, price REAL)'
const name = fc.constantFrom('ada', 'grace', 'linus', "o'hara", '', 'ada')
const price = fc.oneof(fc.integer({ min: -5, max: 100 }), fc.constantFrom(1.5, null))

const statement: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(name, price).map(([n, p]) => ({ sql: 'INSERT INTO items (name, price) VALUES (?, ?)', params: [n, p], call: 'run' as const })),
  fc.tuple(name, price).map(([n, p]) => ({ sql: 'INSERT INTO items (name, price) VALUES (@name, @price)', params: [{ name: n, price: p }], call: 'run' as const })),
  name.map((n) => ({ sql: 'SELECT * FROM items WHERE name = ?', params: [n], call: 'get' as const })),
  fc.constant({ sql: 'SELECT id, name FROM items ORDER BY id', params: [], call: 'all' as const }),
  fc.constant({ sql: 'SELECT name, price FROM items ORDER BY id', params: [], call: 'iterate' as const }),
  fc.integer({ min: 0, max: 5 }).map((id) => ({ sql: 'DELETE FROM items WHERE id = ?', params: [id], call: 'run' as const })),
  fc.constant({ sql: 'SELECT * FROM missing_table', params: [], call: 'all' as const }),
  fc.constant({ sql: 'SELECT count(*) AS n FROM items', params: [1], call: 'get' as const }),
  fc.constant({ sql: 'UPDATE items SET price = price * 2', params: [], call: 'run' as const }),
).chain((base) =>
  fc.record({
    mode: fc.option(fc.constantFrom('pluck' as const, 'raw' as const, 'expand' as const), { nil: undefined }),
    bind: fc.boolean(),
    take: fc.option(fc.nat(3), { nil: undefined }),
  }).map((extra): Op => ({ kind: 'statement', ...base, ...extra })),
)
const exec = fc.constantFrom('DELETE FROM items WHERE price < 0', 'INSERT INTO items (name) VALUES (\'x\'); INSERT INTO items (name) VALUES (\'x\')', 'SELEC 1').map((sql): Op => ({ kind: 'exec', sql }))
const pragma = fc.tuple(fc.constantFrom('user_version', 'table_info(items)', 'user_version = 3', 'no_such_pragma'), fc.boolean()).map(([sql, simple]): Op => ({ kind: 'pragma', sql, simple }))
const op: fc.Arbitrary<Op> = fc.letrec<{ op: Op }>((tie) => ({
  op: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    statement, statement, exec, pragma,
    fc.record({ variant: fc.constantFrom('default' as const, 'deferred' as const, 'immediate' as const, 'exclusive' as const), body: fc.array(tie('op'), { maxLength: 3 }), fail: fc.boolean() })
      .map((t): Op => ({ kind: 'transaction', ...t })),
  ),
})).op

/** Runs one op, answering what an app would see: the value, or the error's kind and message, and the transaction state. */
function run(db: Db, o: Op): unknown {
  try {
    return { value: perform(db, o), inTransaction: db.inTransaction }
  } catch (error) {
    const e = error as Error & { code?: string }
    return { error: `${e.constructor.name} ${e.code ?? ''} ${e.message}`, inTransaction: db.inTransaction }
  }
}

function perform(db: Db, o: Op): unknown {
  if (o.kind === 'exec') return db.exec(o.sql) === db
  if (o.kind === 'pragma') return db.pragma(o.sql, { simple: o.simple })
  if (o.kind === 'transaction') {
    const fn = db.transaction(() => {
      const results = o.body.map((inner) => run(db, inner))
      if (o.fail) throw new Error('rolled back')
      return results
    })
    return o.variant === 'default' ? fn() : fn[o.variant]()
  }
  let prepared = db.prepare(o.sql)
  if (o.mode === 'pluck') prepared = prepared.pluck()
  if (o.mode === 'raw') prepared = prepared.raw()
  if (o.mode === 'expand') prepared = prepared.expand()
  if (o.bind) prepared = prepared.bind(...o.params)
  const params = o.bind ? [] : o.params
  if (o.call !== 'iterate') return (prepared[o.call] as (...args: unknown[]) => unknown)(...params)
  const rows: unknown[] = []
  for (const row of prepared.iterate(...params)) {
    if (o.take !== undefined && rows.length === o.take) break
    rows.push(row)
  }
  return rows
}

function fresh(): Db {
  const db = new Database(':memory:')
  db.exec(SCHEMA)
  db.exec("INSERT INTO items (name, price) VALUES ('seed 1', 1), ('seed 2', 2), ('seed 3', 3)")
  return db
}

describe('a recorded better-sqlite3 database', () => {
  it('answers every program as the same database unrecorded, inside a recorded request', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new SqlPanel()] }))
    let program: Op[] = []
    let recordedResults: unknown[] = []
    app.get('/run', (c) => {
      const db = instrumentBetterSqlite3(fresh())
      recordedResults = program.map((o) => run(db, o))
      db.close()
      return c.text('ok')
    })
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        program = ops
        const plain = fresh()
        const expected = ops.map((o) => run(plain, o))
        plain.close()
        const res = await request(app, '/run')
        return res.status === 200 && isDeepStrictEqual(recordedResults, expected)
      }),
      { numRuns: 400 },
    )
  })
})
