// The SQL panel marks a request's queries as duplicates exactly when the database ran the same
// SQL text with the same values bound to the same parameters, and as similar when queries of
// one shape (their values as `?`) ran with more than one set of values, whatever form the app
// passed its params in: positional arguments, one array or several, a named-parameter object
// with its keys in any order and anywhere among the arguments, or `bind()` before the call.
// Each query is listed once, in the order it ran. The app runs its queries on a real
// better-sqlite3 database; fast-check writes the programs.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import Database from 'better-sqlite3'
import { Hono } from 'hono'
import { debugToolbar, instrumentBetterSqlite3, type SqlStats } from '../../src/index.js'
import { sqlShapes } from '../../src/shapes/sql-shape.js'
import { MAX_PARAM_BYTES } from '../../src/shapes/records.js'
import { request } from '../support/local.js'

/** A SQL text: its `?` params, its named ones (`@name`, `:name`, `$name`), and whether it answers rows. */
interface Text {
  sql: string
  positional: number
  named: string[]
  reads: boolean
}

const text = (sql: string, positional: number, named: string[] = []): Text => ({ sql, positional, named, reads: sql.startsWith('S') || sql.startsWith('s') })

// The same statement written with other whitespace, case or placeholders is another text, of
// the same shape except for case (the shape keeps keywords as written) and `$id` (which the
// shape keeps as a name).
const TEXTS: Text[] = [
  text('SELECT * FROM items WHERE id = ?', 1),
  text('SELECT * FROM items  WHERE id =  ?', 1),
  text('select * from items where id = ?', 1),
  text('SELECT * FROM items WHERE id = @id', 0, ['id']),
  text('SELECT * FROM items WHERE id = :id', 0, ['id']),
  text('SELECT * FROM items WHERE id = $id', 0, ['id']),
  text('SELECT * FROM items WHERE id = 1', 0),
  text('SELECT * FROM items WHERE id = 2', 0),
  text('SELECT * FROM items WHERE name = ?', 1),
  text('SELECT * FROM items WHERE name = @name AND id = ?', 1, ['name']),
  text('SELECT * FROM items WHERE id IN (?, ?)', 2),
  text('SELECT * FROM items WHERE id IN (?, ?, ?)', 3),
  text('SELECT * FROM items WHERE id IN (@a, @b)', 0, ['a', 'b']),
  text('SELECT * FROM items WHERE id IN (1, 2)', 0),
  text('INSERT INTO items (name, price) VALUES (?, ?)', 2),
  text('INSERT INTO items (name, price) VALUES (@name, @price)', 0, ['name', 'price']),
  text('UPDATE items SET name = ? WHERE id = ?', 2),
  text('UPDATE items SET name = :name WHERE id = :id', 0, ['name', 'id']),
]

/** A value the app passes, and what the database receives for it (the model's key). */
interface Value {
  value: unknown
  bound: string
}

/** Bytes past `MAX_PARAM_BYTES`: the query's params are kept only as the panel shows them (`<131073 bytes>`). */
const isBig = (v: Value) => Buffer.isBuffer(v.value) && v.value.length > MAX_PARAM_BYTES

const big = (last: number) => {
  const bytes = Buffer.alloc(MAX_PARAM_BYTES + 1)
  bytes[bytes.length - 1] = last
  return bytes
}

// What better-sqlite3 binds (checked with `SELECT typeof(?), quote(?)`): a JS number is always
// a REAL, so `1` is REAL 1.0 and `1n` INTEGER 1: other values (`typeof` tells them apart), and
// `'1'` is TEXT. `undefined` and `NaN` bind NULL, as null does; `-0` binds as 0.0. Bytes bind as
// a BLOB of their content, whichever view holds them (a Buffer or a Uint8Array).
const VALUES: Value[] = [
  { value: 1, bound: 'real 1' },
  { value: 2, bound: 'real 2' },
  { value: 1.5, bound: 'real 1.5' },
  { value: -0, bound: 'real 0' },
  { value: 0, bound: 'real 0' },
  { value: Infinity, bound: 'real Infinity' },
  { value: NaN, bound: 'null' },
  { value: 1n, bound: 'integer 1' },
  { value: 2n, bound: 'integer 2' },
  { value: '1', bound: 'text 1' },
  { value: '1n', bound: 'text 1n' },
  { value: 'ada', bound: 'text ada' },
  { value: '', bound: 'text ' },
  { value: null, bound: 'null' },
  { value: undefined, bound: 'null' },
  { value: Buffer.from([1]), bound: 'blob 01' },
  { value: new Uint8Array([1]), bound: 'blob 01' },
  { value: Buffer.from('1'), bound: 'blob 31' },
  { value: Buffer.alloc(0), bound: 'blob ' },
  { value: big(0), bound: 'blob big 0' },
  { value: big(1), bound: 'blob big 1' },
]

const value = fc.constantFrom(...VALUES)

/** A value made anew for each use, as an app's values are (no two queries share a Buffer). */
const fresh = (v: Value): Value => ({ value: Buffer.isBuffer(v.value) ? Buffer.from(v.value) : v.value instanceof Uint8Array ? new Uint8Array(v.value) : v.value, bound: v.bound })

/** One query of the program: a text, its values, and how the app passes them. */
interface Query {
  text: Text
  positional: Value[]
  named: Array<[string, Value]>
  /** How the positional values are passed: one by one, in one array, or the first alone and the rest in an array. */
  form: 'spread' | 'array' | 'split'
  /** Where the named object goes among the arguments (better-sqlite3 takes it anywhere). */
  objectAt: number
  bind: boolean
  call: 'run' | 'get' | 'all' | 'iterate'
}

/** A value as the app's code would write it, for counterexamples (a big Buffer by its size). */
function show(v: unknown): string {
  if (Buffer.isBuffer(v)) return v.length > 8 ? `<Buffer of ${v.length} bytes ending ${v.at(-1)}>` : `Buffer.from([${[...v]}])`
  if (v instanceof Uint8Array) return `Uint8Array.of(${[...v]})`
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`
  if (v && typeof v === 'object') return `{ ${Object.entries(v).map(([k, item]) => `${k}: ${show(item)}`).join(', ')} }`
  return fc.stringify(v)
}

/** `q` as the app's code runs it. */
function codeOf(q: Query): string {
  const args = argsOf(q).map(show).join(', ')
  return `db.prepare(${JSON.stringify(q.text.sql)})${q.bind ? `.bind(${args}).${q.call}()` : `.${q.call}(${args})`}`
}

/** A text and its values, which a program may run more than once, passed in other forms. */
const statement = fc.constantFrom(...TEXTS).chain((text) =>
  fc.record({
    text: fc.constant(text),
    positional: fc.array(value, { minLength: text.positional, maxLength: text.positional }),
    named: fc.array(value, { minLength: text.named.length, maxLength: text.named.length }).map((values) => text.named.map((n, i): [string, Value] => [n, values[i]!])),
  }),
)

/** How the app passes a statement's values, and which call it makes. */
const passing = fc.record({
  form: fc.constantFrom('spread' as const, 'array' as const, 'split' as const),
  objectAt: fc.nat(3),
  bind: fc.boolean(),
  call: fc.nat(2),
  // The named object's keys in any order.
  keyOrder: fc.array(fc.integer(), { minLength: 2, maxLength: 2 }),
})

/** A program: each step runs one of a few statements, so that the same values come again. */
const program: fc.Arbitrary<Query[]> = fc
  .tuple(fc.array(statement, { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.nat(), passing), { minLength: 1, maxLength: 8 }))
  .map(([statements, steps]) =>
    steps.map(([which, how]) => {
      const { text, positional, named } = statements[which % statements.length]!
      const order = (i: number) => how.keyOrder[i] ?? 0
      const q: Query = {
        text,
        positional: positional.map(fresh),
        named: named.map((entry, i) => [entry, order(i)] as const).sort((a, b) => a[1] - b[1]).map(([[n, v]]): [string, Value] => [n, fresh(v)]),
        form: how.form,
        objectAt: Math.min(how.objectAt, text.positional),
        bind: how.bind,
        call: text.reads ? (['get', 'all', 'iterate'] as const)[how.call]! : 'run',
      }
      return Object.assign(q, { [fc.toStringMethod]: () => codeOf(q) })
    }),
  )

/** The arguments the app passes for `q`. */
function argsOf(q: Query): unknown[] {
  const values = q.positional.map((v) => v.value)
  let args: unknown[]
  if (q.form === 'array') args = [values]
  else if (q.form === 'split' && values.length > 0) args = [values[0], values.slice(1)]
  else args = [...values]
  if (q.text.named.length > 0) {
    const object: Record<string, unknown> = {}
    for (const [n, v] of q.named) object[n] = v.value
    args.splice(Math.min(q.objectAt, args.length), 0, object)
  }
  return args
}

/** Runs `q` as an app would, on `db`. */
function runQuery(db: Database.Database, q: Query): void {
  const args = argsOf(q)
  let statement = db.prepare(q.text.sql)
  if (q.bind) statement = statement.bind(...args)
  const callArgs = q.bind ? [] : args
  if (q.call === 'iterate') for (const _row of statement.iterate(...callArgs));
  else (statement[q.call] as (...a: unknown[]) => unknown)(...callArgs)
}

/**
 * What the database received for `q`: its text and the values bound to each parameter, in the
 * order of the positional ones and by name for the named ones (whatever the object's key order).
 * Params too big to keep whole were kept as their display form, which cannot tell two blobs of
 * one length apart: such a query is its own binding (never a duplicate, similar to its shape).
 */
function bindingOf(q: Query, id: number): string {
  if ([...q.positional, ...q.named.map(([, v]) => v)].some(isBig)) return `cut #${id}`
  const named = q.named.map(([n, v]) => [n, v.bound]).sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0))
  return JSON.stringify([q.text.sql, q.positional.map((v) => v.bound), named])
}

/** The panel's marks for `program`, as the model has them. */
function expectedOf(program: Query[]) {
  const ids = program.map((_, i) => i + 1)
  const byBinding = groupBy(ids, (id) => bindingOf(program[id - 1]!, id))
  const shapes = sqlShapes()
  const byShape = groupBy(ids, (id) => shapes(program[id - 1]!.text.sql, 'sqlite'))
  const similar = [...byShape.values()].filter((g) => new Set(g.map((id) => bindingOf(program[id - 1]!, id))).size > 1)
  const duplicates = [...byBinding.values()].filter((g) => g.length > 1)
  const groupOf = (groups: number[][], id: number) => groups.find((g) => g.includes(id))?.length ?? 0
  const byCount = (a: number[], b: number[]) => b.length - a.length
  return {
    queries: ids.map((id) => ({ id, sql: program[id - 1]!.text.sql, duplicateCount: groupOf(duplicates, id), similarCount: groupOf(similar, id) })),
    duplicates: duplicates.sort(byCount).map((g) => ({ sql: program[g[0]! - 1]!.text.sql, count: g.length, queryIds: g })),
    similar: similar.sort(byCount).map((g) => ({ sql: program[g[0]! - 1]!.text.sql, count: g.length, queryIds: g })),
  }
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const key = keyOf(item)
    const group = groups.get(key)
    if (group) group.push(item)
    else groups.set(key, [item])
  }
  return groups
}

describe('the SQL panel', () => {
  it('marks duplicates and similar queries as the database ran them, whatever form the params took', async () => {
    const db = new Database(':memory:')
    db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price REAL)')
    db.exec("INSERT INTO items (name, price) VALUES ('ada', 1), ('grace', 2), ('1', 3)")
    instrumentBetterSqlite3(db)
    const app = new Hono()
    app.use(debugToolbar())
    let running: Query[] = []
    app.get('/run', (c) => {
      for (const q of running) runQuery(db, q)
      return c.text('ok')
    })
    await fc.assert(
      fc.asyncProperty(program, async (queries) => {
        running = queries
        const res = await request(app, '/run')
        expect(res.status).toBe(200)
        const id = res.headers.get('x-debug-toolbar-request-id')!
        const sql = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json().panels.sql as SqlStats
        const expected = expectedOf(queries)
        const shown = {
          queries: sql.queries.map((q) => ({ id: q.id, sql: q.sql, duplicateCount: q.duplicateCount, similarCount: q.similarCount })),
          duplicates: sql.duplicates,
          similar: sql.similar,
        }
        expect(shown).toEqual(expected)
        expect(sql.count).toBe(queries.length)
        expect(sql.dropped).toBe(0)
        expect(sql.totalMs).toBeCloseTo(sql.queries.reduce((sum, q) => sum + q.durationMs, 0), 9)
      }),
      { numRuns: 300 },
    )
  })
})
