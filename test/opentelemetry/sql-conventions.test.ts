/**
 * SQL spans against the database semantic conventions (semantic-conventions
 * docs/db/database-spans.md and sql.md), with real better-sqlite3 and recordQuery().
 */
import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { instrumentBetterSqlite3, recordQuery, type SqlStats } from '../../src/index.js'
import { sanitizeSql, sqlQuerySummary, type OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { otelApp } from '../support/otel-app.js'


function makeApp(options: ConstructorParameters<typeof OpenTelemetryPanel>[0] = {}) {
  const { app, run: request } = otelApp(options)
  const run = async (path: string) => {
    const { detail, stats } = await request(path)
    return { sql: detail.panels.sql as SqlStats, db: stats.spans.filter((s) => s.attributes['db.system.name'] !== undefined) }
  }
  return { app, run }
}

describe('db.query.summary', () => {
  // "Generating a summary of the query": the examples of database-spans.md, as they are written there.
  it.each([
    ['SELECT *\nFROM   wuser_table\nWHERE  username = ?', 'SELECT wuser_table'],
    ['INSERT INTO shipping_details\n (order_id, address)\nSELECT order_id, address\nFROM   orders\nWHERE  order_id = ?', 'INSERT shipping_details SELECT orders'],
    ['SELECT *\nFROM   songs,\n       artists\nWHERE  songs.artist_id == artists.id', 'SELECT songs artists'],
    ['SELECT order_date\nFROM   (SELECT *\n        FROM   orders o\n               JOIN customers c\n                 ON o.customer_id = c.customer_id)', 'SELECT SELECT orders customers'],
    [`SELECT *\nFROM   "song list",\n       'artists'`, `SELECT "song list" 'artists'`],
  ])('%j -> %j', (sql, summary) => {
    expect(sqlQuerySummary(sql)).toBe(summary)
  })

  it('names every statement of a script, and no column of EXTRACT(... FROM ...)', () => {
    expect(sqlQuerySummary("CREATE TABLE IF NOT EXISTS notes (id INTEGER); INSERT INTO notes (id) VALUES (1); DROP TABLE old_notes")).toBe(
      'CREATE TABLE notes INSERT notes DROP TABLE old_notes',
    )
    expect(sqlQuerySummary('SELECT EXTRACT(YEAR FROM created_at) FROM orders')).toBe('SELECT orders')
    expect(sqlQuerySummary("INSERT INTO t (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET id = excluded.id")).toBe('INSERT t')
    expect(sqlQuerySummary('-- nothing')).toBeUndefined()
  })

  it('names no target with a value: the summary is the span name, and is not sanitized', () => {
    // A quoted name never closed, in a query the database refused, holds the rest of the text.
    expect(sqlQuerySummary(`SELECT * FROM "users WHERE password = 'hunter2'`)).toBe('SELECT')
    expect(sqlQuerySummary("SELECT * FROM [users WHERE password = 'hunter2'")).toBe('SELECT')
    // A string where a table goes is one only when it reads as a name (SQLite's `FROM 'artists'`).
    expect(sqlQuerySummary("SELECT * FROM 'main.artists'")).toBe("SELECT 'main.artists'")
    expect(sqlQuerySummary("INSERT INTO 'hunter2 is the password' VALUES (1)")).toBe('INSERT')
  })

  it('keeps at most 255 characters, never cutting a name', () => {
    const tables = Array.from({ length: 40 }, (_, i) => `table_number_${i}`)
    const summary = sqlQuerySummary(`SELECT * FROM ${tables.join(', ')}`)!
    expect(summary.length).toBeLessThanOrEqual(255)
    expect(summary.split(' ').slice(1).every((name) => tables.includes(name))).toBe(true)
  })
})

describe('sanitizeSql', () => {
  it('replaces string, numeric, hex and boolean literals by ? and keeps names and placeholders', () => {
    // "Sanitization SHOULD replace all literals with a placeholder value ... The placeholder value SHOULD be ?"
    expect(sanitizeSql(`SELECT * FROM t1 WHERE name = 'O''Brien' AND age > 30 AND x = 1.5e3 AND h = 0x1F AND b = true AND "col 2" = $1 AND c = :c`)).toBe(
      'SELECT * FROM t1 WHERE name = ? AND age > ? AND x = ? AND h = ? AND b = ? AND "col 2" = $1 AND c = :c',
    )
    expect(sanitizeSql("SELECT $$secret$$, E'it\\'s', X'AB'")).toBe('SELECT ?, ?, ?')
  })

  it('reads numbers next to dots, letters and other numbers as it always has', () => {
    expect(sanitizeSql("SELECT .5.5, 1.5.5, 12.34a, 1e5, 1e5x, 2., 3.e2, 10..20, 7_000, 0x1Fz, x'1f' FROM t1")).toBe('SELECT ??, ??, ?.34a, ?, 1e5x, ?, ?, ??, 7_000, ?z, ? FROM t1')
    expect(sanitizeSql("SELECT * FROM t WHERE ref = 2024a1 AND code = 'it''s' AND path = 'C:\\\\dir'")).toBe('SELECT * FROM t WHERE ref = 2024a1 AND code = ? AND path = ?')
  })

  it('hides a string cut after a backslash to the end of the text', () => {
    expect(sanitizeSql("SELECT * FROM t WHERE note = 'see C:\\temp and \\")).toBe('SELECT * FROM t WHERE note = ?')
    expect(sanitizeSql("SELECT * FROM t WHERE a = 'x' AND note = 'it''s \\")).toBe('SELECT * FROM t WHERE a = ? AND note = ?')
  })

  it('hides a quoted name never closed, which would hold the literals after it', () => {
    // A query the database refused is recorded as written: `"users` runs to the end of the text.
    expect(sanitizeSql(`SELECT * FROM "users WHERE password = 'hunter2'`)).toBe('SELECT * FROM ?')
    expect(sanitizeSql("SELECT * FROM `users WHERE password = 'hunter2'")).toBe('SELECT * FROM ?')
    expect(sanitizeSql("SELECT * FROM [users WHERE password = 'hunter2'")).toBe('SELECT * FROM ?')
    expect(sanitizeSql(`SELECT "a""" FROM "s"."t" WHERE "x" = 'y'`)).toBe(`SELECT "a""" FROM "s"."t" WHERE "x" = ?`)
    expect(sanitizeSql(`SELECT "a"" FROM t WHERE pw = 'x'`)).toBe('SELECT ?')
  })

  it("reads MySQL's and MariaDB's double quotes as strings, and other databases' as names", () => {
    expect(sanitizeSql('SELECT * FROM users WHERE email = "ada@example.com" AND note = "say \\"hi\\""', 'mysql')).toBe('SELECT * FROM users WHERE email = ? AND note = ?')
    expect(sanitizeSql('SELECT * FROM users WHERE email = "ada@example.com"', 'mariadb')).toBe('SELECT * FROM users WHERE email = ?')
    expect(sanitizeSql('SELECT "userId" FROM users WHERE id = 7', 'postgresql')).toBe('SELECT "userId" FROM users WHERE id = ?')
    // MySQL's names are in backticks.
    expect(sanitizeSql("SELECT `user id` FROM users WHERE name = 'ada'", 'mysql')).toBe('SELECT `user id` FROM users WHERE name = ?')
  })

  it('leaves no literal in the exported text or the span name of any text made of names, words, placeholders and literals', () => {
    // Not a name: a string that reads as one where a table goes is the table (SQLite's `FROM 'artists'`).
    const SECRET = 'S3CR3T!'
    // Comments are kept as written, and a closed quoted name is a name: the parts below make neither.
    const part = fc.oneof(
      fc.constantFrom('SELECT', 'FROM', 'FROM', 'JOIN', 'INTO', 'INSERT', 'UPDATE', 'TABLE', 'CREATE', 'CALL', 'users', 'WHERE', 'name', 'main.t', 'e', 'E', 'N', 'b', 'x', 'X', '=', '(', ')', ',', ';', '.', '||', '*', '?', '?1', '$1', ':name', '@p', '1', '.5', '1e3', '0x1F', '\\', '\n', ' ', '"col"', '`col`', '[col]'),
      fc.string({ unit: fc.constantFrom('a', '1', ' ', '.', 'e', 'x', '\\'), maxLength: 4 }),
    )
    // A literal's text holds no character that closes a quoted name: after a quote that never
    // closes, the database would read one there too, and the literal would not be one.
    const body = (dialect: string | undefined) => fc.string({ unit: fc.constantFrom('a', ' ', "'", '\\', '$', '-', '*', '/', '\n', ...(dialect === 'mysql' ? ['"'] : [])), maxLength: 8 })
    const literal = (dialect: string | undefined) =>
      fc.tuple(fc.constantFrom(...(dialect === 'mysql' ? ["'", "E'", "N'", '"'] : ["'", "E'", "N'", '$$', '$q$'])), body(dialect)).map(([open, text]) => {
        if (open.endsWith('$')) return `${open}${text.replaceAll('$', '')}${SECRET}${open}`
        const quote = open.at(-1)!
        return `${open}${text.replaceAll('\\', '\\\\').replaceAll(quote, quote + quote)}${SECRET}${quote}`
      })
    // At most one quote that never closes, anywhere.
    const opener = fc.option(fc.constantFrom('"', '`', '['), { nil: undefined })
    const CLOSES: Record<string, string> = { '"': '"', '`': '`', '[': ']' }
    for (const dialect of [undefined, 'postgresql', 'mysql']) {
      fc.assert(
        fc.property(fc.array(fc.oneof(part, literal(dialect)), { maxLength: 12 }), opener, fc.nat(), (parts, open, at) => {
          // Nothing after it closes it (a database would end the name there too).
          const kept = open === undefined ? parts : parts.filter((p) => !p.includes(CLOSES[open]))
          const all = open === undefined ? kept : kept.toSpliced(at % (kept.length + 1), 0, open)
          const sql = all.join(' ')
          // Neither the exported text nor the span's name (the summary, never sanitized).
          return !sanitizeSql(sql, dialect).includes(SECRET) && !(sqlQuerySummary(sql, dialect) ?? '').includes(SECRET)
        }),
        { numRuns: 3000 },
      )
    }
  })
})

describe('SQL spans', () => {
  it('names a JOIN after all its tables and sets db.query.summary; no operation or table read from the text', async () => {
    // "The span name SHOULD be {db.query.summary} if a summary is available."
    // "The collection name SHOULD NOT be extracted from db.query.text" (nor the operation name).
    const db = instrumentBetterSqlite3(new Database(':memory:'))
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE orders (id INTEGER, user_id INTEGER)')
    const { app, run } = makeApp()
    app.get('/', (c) => c.json(db.prepare('SELECT u.name FROM users u JOIN orders o ON o.user_id = u.id WHERE o.id = ?').all(1)))
    const { db: spans } = await run('/')
    expect(spans).toHaveLength(1)
    expect(spans[0]!.name).toBe('SELECT users orders')
    expect(spans[0]!.attributes['db.query.summary']).toBe('SELECT users orders')
    expect(spans[0]!.attributes['db.operation.name']).toBeUndefined()
    expect(spans[0]!.attributes['db.collection.name']).toBeUndefined()
  })

  it('names a multi-statement exec after every statement', async () => {
    const db = instrumentBetterSqlite3(new Database(':memory:'))
    const { app, run } = makeApp()
    app.get('/', (c) => {
      db.exec("CREATE TABLE notes (id INTEGER, body TEXT); INSERT INTO notes VALUES (1, 'secret note')")
      return c.text('ok')
    })
    const { db: spans } = await run('/')
    expect(spans.map((s) => s.name)).toEqual(['CREATE TABLE notes INSERT notes'])
  })

  it('keeps db.operation.name and db.collection.name the caller passed to recordQuery', async () => {
    const { app, run } = makeApp()
    let stored: ReturnType<typeof recordQuery>
    app.get('/', (c) => {
      stored = recordQuery({ sql: 'SELECT * FROM accounts WHERE id = ?', params: [1], durationMs: 1, dbSystem: 'mysql', operation: 'SELECT', collection: 'accounts' })
      recordQuery({ sql: 'db.users.find()', durationMs: 1, dbSystem: 'mongodb', operation: 'find', collection: 'users' })
      return c.text('ok')
    })
    const { db: spans } = await run('/')
    expect(spans[0]!.attributes).toMatchObject({ 'db.operation.name': 'SELECT', 'db.collection.name': 'accounts', 'db.query.summary': 'SELECT accounts' })
    // No summary in a text that is not SQL: "{db.operation.name} {target}".
    expect(spans[1]!.name).toBe('find users')
    expect(stored).toMatchObject({ operation: 'SELECT', collection: 'accounts' })
  })

  it('exports the text of a query run without parameters sanitized, and the SQL panel shows it as run', async () => {
    // "Non-parameterized query text SHOULD NOT be collected by default unless there is sanitization"
    // "Parameterized query text SHOULD NOT be sanitized."
    const db = instrumentBetterSqlite3(new Database(':memory:'))
    db.exec("CREATE TABLE users (id INTEGER, email TEXT, kind TEXT); INSERT INTO users VALUES (1, 'ada@example.com', 'x')")
    const { app, run } = makeApp()
    app.get('/', (c) => {
      db.prepare("SELECT id FROM users WHERE email = 'ada@example.com' AND id > 0").all()
      db.prepare("SELECT id FROM users WHERE email = ? AND kind = 'x'").all('ada@example.com')
      return c.text('ok')
    })
    const { db: spans, sql } = await run('/')
    expect(spans.map((s) => s.attributes['db.query.text'])).toEqual([
      'SELECT id FROM users WHERE email = ? AND id > ?',
      "SELECT id FROM users WHERE email = ? AND kind = 'x'",
    ])
    expect(JSON.stringify(spans)).not.toContain('ada@example.com')
    expect(sql.queries[0]!.sql).toBe("SELECT id FROM users WHERE email = 'ada@example.com' AND id > 0")
  })

  it("exports a MySQL query's double-quoted strings as ?, and the SQL panel groups the queries that differ only in them", async () => {
    const { app, run } = makeApp()
    app.get('/', (c) => {
      for (const email of ['ada@example.com', 'grace@example.com']) recordQuery({ sql: `SELECT id FROM users WHERE email = "${email}"`, durationMs: 1, dbSystem: 'mysql' })
      return c.text('ok')
    })
    const { db: spans, sql } = await run('/')
    expect(spans.map((s) => s.attributes['db.query.text'])).toEqual(['SELECT id FROM users WHERE email = ?', 'SELECT id FROM users WHERE email = ?'])
    expect(JSON.stringify(spans)).not.toContain('example.com')
    // One statement run with two values: django-debug-toolbar's "similar" queries.
    expect(sql.similar).toEqual([expect.objectContaining({ count: 2 })])
    expect(sql.queries.map((q) => q.similarCount)).toEqual([2, 2])
  })

  it('exports the text raw with sanitizeQueries: false', async () => {
    const { app, run } = makeApp({ sanitizeQueries: false })
    app.get('/', (c) => {
      recordQuery({ sql: "SELECT 1 FROM users WHERE name = 'ada'", durationMs: 1, dbSystem: 'sqlite' })
      return c.text('ok')
    })
    const { db: spans } = await run('/')
    expect(spans[0]!.attributes['db.query.text']).toBe("SELECT 1 FROM users WHERE name = 'ada'")
  })
})
