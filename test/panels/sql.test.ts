import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import Database from 'better-sqlite3'
import { setTimeout as sleep } from 'node:timers/promises'
import { debugToolbar, instrumentBetterSqlite3, recordQuery, SqlPanel, type SqlStats } from '../../src/index.js'
import { request } from '../support/local.js'
import { heapAfterGc } from '../support/heap.js'
import { h } from 'preact'
import { renderToString } from 'preact-render-to-string'
import { SqlView } from '../../templates/client/panels/sql.js'

const PREFIX = '/_debug_toolbar'

function booksApp(panel = new SqlPanel()) {
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec(`CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT);
           CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES authors(id), title TEXT);
           CREATE INDEX books_author ON books (author_id);`)
  const addAuthor = db.prepare('INSERT INTO authors (name) VALUES (?)')
  const addBook = db.prepare('INSERT INTO books (author_id, title) VALUES (?, ?)')
  for (let a = 1; a <= 3; a++) {
    addAuthor.run(`author ${a}`)
    for (let b = 1; b <= 2; b++) addBook.run(a, `book ${a}.${b}`)
  }
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [panel] }))
  return { app, db }
}

async function sqlPanel(app: Hono, path: string) {
  const res = await request(app, path)
  const id = res.headers.get('x-debug-toolbar-request-id')!
  const detail = (await request(app, `${PREFIX}/api/requests/${id}`)).json()
  return { id, res, detail, sql: detail.panels.sql as SqlStats }
}

describe('SQL panel', () => {
  it('finds duplicates (same SQL and params), similar queries (the N+1 pattern) and slow ones', async () => {
    const { app, db } = booksApp(new SqlPanel({ slowQueryMs: 50 }))
    app.get('/authors', async (c) => {
      const authors = db.prepare('SELECT id, name FROM authors').all() as Array<{ id: number }>
      // The N+1 pattern: one query per author.
      const books = authors.map((a) => db.prepare('SELECT title FROM books WHERE author_id = ?').all(a.id))
      // The same query twice.
      db.prepare('SELECT count(*) FROM books').get()
      db.prepare('SELECT count(*) FROM books').get()
      const startTime = performance.now()
      await sleep(60)
      recordQuery({ sql: 'SELECT pg_sleep(0.06)', startTime, durationMs: performance.now() - startTime, dbSystem: 'postgresql' })
      return c.json(books.flat().length)
    })
    const { res, sql } = await sqlPanel(app, '/authors')
    expect(res.json()).toBe(6)
    const flags = sql.queries.map((q) => [q.sql, q.duplicateCount, q.similarCount])
    expect(flags).toEqual([
      ['SELECT id, name FROM authors', 0, 0],
      ['SELECT title FROM books WHERE author_id = ?', 0, 3],
      ['SELECT title FROM books WHERE author_id = ?', 0, 3],
      ['SELECT title FROM books WHERE author_id = ?', 0, 3],
      ['SELECT count(*) FROM books', 2, 0],
      ['SELECT count(*) FROM books', 2, 0],
      ['SELECT pg_sleep(0.06)', 0, 0],
    ])
    for (const q of sql.queries) expect(q.slow).toBe(q.durationMs >= 50)
    expect(sql.queries.at(-1)!.slow).toBe(true)
    expect(sql.similar).toEqual([{ sql: 'SELECT title FROM books WHERE author_id = ?', count: 3, queryIds: [2, 3, 4] }])
    expect(sql.duplicates).toEqual([{ sql: 'SELECT count(*) FROM books', count: 2, queryIds: [5, 6] }])
    expect(sql.slowQueryMs).toBe(50)
  })

  it('counts repeated identical N+1 calls as duplicates and similar at once', async () => {
    const { app, db } = booksApp()
    app.get('/', (c) => {
      for (const id of [1, 1, 2]) db.prepare('SELECT title FROM books WHERE author_id = ?').all(id)
      return c.text('ok')
    })
    const { sql } = await sqlPanel(app, '/')
    expect(sql.queries.map((q) => [q.duplicateCount, q.similarCount])).toEqual([
      [2, 3],
      [2, 3],
      [0, 3],
    ])
  })

  it('counts queries that differ only in the values written into their SQL as similar, and identical ones as duplicates', async () => {
    const { app, db } = booksApp()
    app.get('/', (c) => {
      // The values written into the text, as a loop without bound params does.
      for (const id of [1, 2, 3]) db.prepare(`SELECT title FROM books WHERE author_id = ${id}`).all()
      // Quoted strings, and IN lists of other lengths.
      for (const title of ['book 1.1', "book 2.1''s"]) db.prepare(`SELECT id FROM books WHERE title = '${title}'`).all()
      db.prepare('SELECT title FROM books WHERE id IN (1, 2)').all()
      db.prepare('SELECT title FROM books WHERE id IN (3, 4, 5)').all()
      // The same text twice: duplicated, and of no other shape.
      db.prepare('SELECT name FROM authors WHERE id = 1').get()
      db.prepare('SELECT name FROM authors WHERE id = 1').get()
      return c.text('ok')
    })
    const { sql } = await sqlPanel(app, '/')
    expect(sql.queries.map((q) => [q.id, q.duplicateCount, q.similarCount])).toEqual([
      [1, 0, 3],
      [2, 0, 3],
      [3, 0, 3],
      [4, 0, 2],
      [5, 0, 2],
      [6, 0, 2],
      [7, 0, 2],
      [8, 2, 0],
      [9, 2, 0],
    ])
    expect(sql.similar.map((g) => [g.count, g.queryIds])).toEqual([
      [3, [1, 2, 3]],
      [2, [4, 5]],
      [2, [6, 7]],
    ])
    // Duplicated still means the same text and the same params.
    expect(sql.duplicates).toEqual([{ sql: 'SELECT name FROM authors WHERE id = 1', count: 2, queryIds: [8, 9] }])
  })

  it('says nothing in Server-Timing and "No queries" in the nav when the request ran no SQL', async () => {
    const { app } = booksApp()
    app.get('/', (c) => c.text('no sql'))
    const { res, detail, sql } = await sqlPanel(app, '/')
    expect(res.headers.get('server-timing') ?? '').not.toContain('hdt-sql;')
    expect(sql).toMatchObject({ count: 0, dropped: 0, totalMs: 0, queries: [], duplicates: [], similar: [] })
    expect(detail.nav.find((n: { id: string }) => n.id === 'sql')).toEqual({ id: 'sql', title: 'SQL', subtitle: 'No queries' })
  })

  it('shortens a query with a 10,000-element IN list in the list, and serves it whole on demand', async () => {
    const { app, db } = booksApp()
    const ids = Array.from({ length: 10_000 }, (_, i) => i + 1)
    const text = `SELECT title FROM books WHERE id IN (${ids.map(() => '?').join(', ')})`
    app.get('/', (c) => c.json(db.prepare(text).all(...ids).length))
    const { id, res, sql } = await sqlPanel(app, '/')
    expect(res.json()).toBe(6)
    const [query] = sql.queries
    expect(query!.truncated).toBe(true)
    expect(query!.sql.length).toBeLessThanOrEqual(2001)
    expect(text.startsWith(query!.sql.slice(0, -1))).toBe(true)
    expect(query!.paramsTruncated).toBe(true)
    expect(query!.params).toHaveLength(101)
    expect(query!.params.at(-1)).toBe('… 9900 more')
    expect(query!.rowCount).toBe(6)

    const full = (await request(app, `${PREFIX}/api/sql/${id}/${query!.id}`)).json()
    expect(full.sql).toBe(text)
    expect(full.params).toEqual(ids)
  })

  it('shows params as JSON: bigints and dates as text, bytes by size, secret named params redacted', async () => {
    const { app } = booksApp()
    app.get('/', (c) => {
      const params = [12n, new Date('2024-01-02T03:04:05Z'), Buffer.from('abc'), { user: 'ada', password: 'hunter2' }, 'x'.repeat(300)]
      recordQuery({ sql: 'SELECT ?', params, durationMs: 1 })
      return c.text('ok')
    })
    const { id, sql } = await sqlPanel(app, '/')
    expect(sql.queries[0]!.params).toEqual(['12', '2024-01-02T03:04:05.000Z', '<3 bytes>', { user: 'ada', password: '********' }, `${'x'.repeat(200)}…`])
    const full = (await request(app, `${PREFIX}/api/sql/${id}/1`)).json()
    expect(full.params[4]).toBe('x'.repeat(300))
    expect(full.params[3]).toEqual({ user: 'ada', password: '********' })
  })

  it('redacts positional params bound to a secret column, in the list and the full view; others stay readable', async () => {
    const { app, db } = booksApp()
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, password TEXT, api_key TEXT)')
    const cases: Array<[string, unknown[], unknown[]]> = [
      ['UPDATE users SET password = ? WHERE id = ?', ['hunter2', 7], ['********', 7]],
      ['UPDATE users SET password = $1 WHERE id = $2', ['hunter2', 7], ['********', 7]],
      ['SELECT * FROM users WHERE id = ?2 AND api_key = ?1', ['k-123', 7], ['********', 7]],
      ["SELECT * FROM users WHERE name = 'why?' AND password = ?", ['hunter2'], ['********']],
      ['INSERT INTO users (name, password) VALUES (?, ?), (?, ?)', ['ada', 'hunter2', 'bob', 'pw2'], ['ada', '********', 'bob', '********']],
      ['SELECT * FROM users WHERE name = ? AND id > ?', ['ada', 7], ['ada', 7]],
    ]
    app.get('/', (c) => {
      for (const [sql, params] of cases) recordQuery({ sql, params, durationMs: 1 })
      // And through the better-sqlite3 recorder.
      db.prepare('INSERT INTO users (name, api_key) VALUES (?, ?)').run('eve', 'k-456')
      return c.text('ok')
    })
    const { id, sql } = await sqlPanel(app, '/')
    expect(sql.queries.map((q) => q.params)).toEqual([...cases.map(([, , shown]) => shown), ['eve', '********']])
    for (const q of sql.queries) {
      const full = (await request(app, `${PREFIX}/api/sql/${id}/${q.id}`)).json()
      expect(full.params).toEqual(q.params)
    }
    const detail = JSON.stringify((await request(app, `${PREFIX}/api/requests/${id}`)).json())
    for (const secret of ['hunter2', 'pw2', 'k-123', 'k-456']) expect(detail).not.toContain(secret)
  })
})

describe('params bound to a secret column through a function call or a row value', () => {
  it('are redacted in the list and the full view; a param beside them, or after a look-alike column, stays readable', async () => {
    const { app } = booksApp()
    const cases: Array<[string, unknown[], unknown[]]> = [
      ["UPDATE users SET password = crypt(?, gen_salt('bf')) WHERE id = ?", ['hunter2', 7], ['********', 7]],
      ["INSERT INTO users (name, password) VALUES (?, crypt(?, 'x')), ($3, lower(trim($4)))", ['ada', 'hunter2', 'bob', 'pw2'], ['ada', '********', 'bob', '********']],
      ['SELECT id FROM users WHERE (email, password) = (?, ?) AND id > ?', ['ada@example.com', 'pw3', 7], ['ada@example.com', '********', 7]],
      ['UPDATE users SET (name, "password") = ($1, crypt($2, $3)) WHERE id = $4', ['ada', 'pw4', 'salt', 7], ['ada', '********', '********', 7]],
      ['UPDATE users SET password_hash = lower(?) WHERE id = ?', ['pw5', 7], ['********', 7]],
      ['SELECT id FROM users WHERE token = ANY($1) AND api_key IN (upper(?2), ?3)', [['t1'], 'k1', 'k2'], ['********', '********', '********']],
      ['UPDATE users SET password_changed_at = now() WHERE id = ?', [7], [7]],
      ['SELECT id FROM users WHERE password IS NOT NULL AND coalesce(name, ?) = ? AND id IN (SELECT user_id FROM orders WHERE total > ?)', ['n', 'ada', 10], ['n', 'ada', 10]],
    ]
    app.get('/', (c) => {
      for (const [sql, params] of cases) recordQuery({ sql, params, durationMs: 1 })
      return c.text('ok')
    })
    const { id, sql } = await sqlPanel(app, '/')
    expect(sql.queries.map((q) => q.params)).toEqual(cases.map(([, , shown]) => shown))
    for (const q of sql.queries) {
      const full = (await request(app, `${PREFIX}/api/sql/${id}/${q.id}`)).json()
      expect(full.params).toEqual(q.params)
    }
    const detail = JSON.stringify((await request(app, `${PREFIX}/api/requests/${id}`)).json())
    for (const secret of ['hunter2', 'pw2', 'pw3', 'pw4', 'pw5', 't1', 'k1', 'k2']) expect(detail).not.toContain(secret)
  })
})

describe('a query too big to keep whole', () => {
  it('keeps a bulk text cut and a blob param by its size, says so, and refuses to explain it', async () => {
    const { app, db } = booksApp()
    const cover = Buffer.alloc(1024 * 1024, 7)
    const comment = 'x'.repeat(100_000)
    app.post('/covers', (c) => {
      db.prepare('CREATE TABLE IF NOT EXISTS covers (book_id INTEGER, image BLOB)').run()
      db.prepare('INSERT INTO covers (book_id, image) VALUES (?, ?)').run(1, cover)
      db.prepare(`SELECT count(*) FROM covers /* ${comment} */ WHERE book_id = ?`).get(1)
      return c.text('stored')
    })
    const res = await request(app, '/covers', { method: 'POST' })
    const id = res.headers.get('x-debug-toolbar-request-id')!
    const sql = (await request(app, `${PREFIX}/api/requests/${id}`)).json().panels.sql as SqlStats
    const [create, insert, select] = sql.queries
    expect(create!.cut).toBeNull()
    // The blob stays in the app's hands: the record keeps its size, as the panel shows it.
    expect(insert!.params).toEqual([1, '<1048576 bytes>'])
    expect(insert!.cut).toEqual({ params: true })
    expect(select!.cut).toEqual({ sqlChars: 100_052 })
    expect(select!.explainable).toBe(false)
    const full = (await request(app, `${PREFIX}/api/sql/${id}/${select!.id}`)).json()
    expect(full.sql).toHaveLength(65_537)
    expect(full.cut).toEqual({ sqlChars: 100_052 })
    expect((await request(app, `${PREFIX}/api/sql/${id}/${insert!.id}`)).json().params).toEqual([1, '<1048576 bytes>'])
    const explain = await request(app, `${PREFIX}/api/sql/${id}/${select!.id}/explain`)
    expect(explain.status).toBe(400)
    expect(explain.json().error).toBe('this query was too big to keep whole (its SQL (100052 characters) was kept cut at 65536), so it cannot be explained')
    const html = renderToString(h(SqlView, { stats: sql, request: { id } as never, prefix: PREFIX, openRequest: () => undefined }))
    expect(html).toContain('Too big to keep whole: the SQL was 100,052 characters; the first 65,536 are kept.')
    expect(html).toContain('Too big to keep whole: the params were over 128 KiB and are kept shortened.')
  })
})

describe('bounds', () => {
  it('holds on to no more of a bulk text than it keeps, while the request is in the history', async () => {
    const { app } = booksApp()
    let n = 0
    app.post('/import', (c) => {
      recordQuery({ sql: `INSERT INTO books (title) VALUES ('${n++}${'x'.repeat(1_000_000)}')`, durationMs: 1 })
      return c.text('imported')
    })
    await request(app, '/import', { method: 'POST' })
    const before = heapAfterGc()
    const ids: string[] = []
    for (let i = 0; i < 40; i++) ids.push((await request(app, '/import', { method: 'POST' })).headers.get('x-debug-toolbar-request-id')!)
    // 40 statements of a megabyte each, if the history held them; 40 x 64 KiB is what it keeps.
    expect(heapAfterGc() - before).toBeLessThan(10_000_000)
    const full = (await request(app, `${PREFIX}/api/sql/${ids.at(-1)}/1`)).json()
    const statement = `INSERT INTO books (title) VALUES ('40${'x'.repeat(1_000_000)}')`
    expect(full.sql).toBe(`${statement.slice(0, 65_536)}…`)
    expect(full.cut).toEqual({ sqlChars: statement.length })
  })

  it('cuts a very long error message and records any thrown value', async () => {
    const { app } = booksApp()
    app.get('/', (c) => {
      recordQuery({ sql: 'SELECT 1', durationMs: 1, error: new Error('e'.repeat(1_000_000)) })
      recordQuery({ sql: 'SELECT 2', durationMs: 1, error: Object.create(null) })
      return c.text('ok')
    })
    const { res, sql } = await sqlPanel(app, '/')
    expect(res.text).toBe('ok')
    expect(sql.queries.map((q) => q.error)).toEqual([`${'e'.repeat(8192)}… (991808 more characters)`, '[object Object]'])
  })
})

describe('EXPLAIN on SQLite', () => {
  it('explains a stored SELECT with its params on its connection, without recording the EXPLAIN', async () => {
    const { app, db } = booksApp()
    app.get('/books/:author', (c) => c.json(db.prepare('SELECT title FROM books WHERE author_id = ?').all(Number(c.req.param('author')))))
    const { id, sql } = await sqlPanel(app, '/books/2')
    expect(sql.queries[0]!.explainable).toBe(true)
    const explain = await request(app, `${PREFIX}/api/sql/${id}/1/explain`)
    expect(explain.status).toBe(200)
    const plan = explain.json()
    expect(plan.dbSystem).toBe('sqlite')
    expect(plan.explainSql).toBe('EXPLAIN QUERY PLAN SELECT title FROM books WHERE author_id = ?')
    expect(plan.rows.map((r: { detail: string }) => r.detail).join('\n')).toContain('USING INDEX books_author')
    // The request still holds its one query, and no other request was recorded.
    const after = (await request(app, `${PREFIX}/api/requests/${id}`)).json()
    expect(after.panels.sql.count).toBe(1)
    expect((await request(app, `${PREFIX}/api/requests`)).json().total).toBe(1)
  })

  it('answers 400 for statements that are not SELECT/WITH, and for queries it has no connection for', async () => {
    const { app, db } = booksApp()
    app.get('/', (c) => {
      db.prepare('UPDATE books SET title = upper(title) WHERE id = ?').run(1)
      db.prepare('/* report */ WITH t AS (SELECT 1 AS x) SELECT x FROM t').get()
      recordQuery({ sql: 'SELECT 1', startTime: performance.now(), durationMs: 0 })
      return c.text('ok')
    })
    const { id, sql } = await sqlPanel(app, '/')
    expect(sql.queries.map((q) => q.explainable)).toEqual([false, true, false])
    const update = await request(app, `${PREFIX}/api/sql/${id}/1/explain`)
    expect(update.status).toBe(400)
    expect(update.json().error).toBe('only SELECT or WITH statements can be explained, this one starts with UPDATE')
    expect((await request(app, `${PREFIX}/api/sql/${id}/2/explain`)).status).toBe(200)
    const manual = await request(app, `${PREFIX}/api/sql/${id}/3/explain`)
    expect(manual.status).toBe(400)
    expect(manual.json().error).toContain('recordQuery()')
    // The UPDATE ran once, in the request; explaining never ran it again.
    expect(db.prepare('SELECT title FROM books WHERE id = 1').pluck().get()).toBe('BOOK 1.1')
  })

  it('answers 404 for unknown requests and query ids', async () => {
    const { app, db } = booksApp()
    app.get('/', (c) => c.json(db.prepare('SELECT 1 AS one').get()))
    const { id } = await sqlPanel(app, '/')
    for (const path of [`/api/sql/nope/1/explain`, `/api/sql/${id}/2/explain`, `/api/sql/${id}/x/explain`, `/api/sql/nope/1`, `/api/sql/${id}/9`]) {
      const res = await request(app, `${PREFIX}${path}`)
      expect(res.status, path).toBe(404)
      expect(res.json().error).toMatch(/no (request|query)/)
    }
  })

  it('answers 422 with the database error when EXPLAIN cannot run any more', async () => {
    const { app, db } = booksApp()
    app.get('/', (c) => c.json(db.prepare('SELECT title FROM books').all().length))
    const { id } = await sqlPanel(app, '/')
    db.close()
    const res = await request(app, `${PREFIX}/api/sql/${id}/1/explain`)
    expect(res.status).toBe(422)
    expect(res.json().error).toBe('EXPLAIN failed: The database connection is not open')
  })

  it('keeps the EXPLAIN routes behind the access rule', async () => {
    const { app, db } = booksApp()
    app.get('/', (c) => c.json(db.prepare('SELECT 1 AS one').get()))
    const { id } = await sqlPanel(app, '/')
    const outsider = await request(app, `${PREFIX}/api/sql/${id}/1/explain`, {}, '203.0.113.9')
    expect(outsider.status).toBe(404)
    expect(outsider.text).not.toContain('EXPLAIN')
  })
})

describe('SQL panel view', () => {
  it('shows each query on the time line with its badges, escaping the SQL and params', async () => {
    const { app, db } = booksApp()
    app.get('/', (c) => {
      for (const id of [1, 2]) db.prepare("SELECT title FROM books WHERE author_id = ? AND title <> '<script>alert(1)</script>'").all(id)
      try {
        db.prepare('SELECT * FROM missing WHERE x = ?').get('<img src=x onerror=alert(1)>')
      } catch {
        // shown in the panel
      }
      return c.text('ok')
    })
    const { detail, sql } = await sqlPanel(app, '/')
    const html = renderToString(h(SqlView, { stats: sql, request: detail, prefix: PREFIX, openRequest: () => {} }))
    expect(html).toContain('3 queries</strong>')
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;script>alert(1)&lt;/script>')
    expect(html).toContain('similar ×2')
    expect(html).toContain('no such table: missing')
    expect(html.match(/class="hdt-bar"/g)).toHaveLength(3)
    expect(html.match(/>Explain</g)).toHaveLength(3)
    expect(html).toContain('<span class="hdt-sql-kw">SELECT</span>')
    expect(html).toContain('sql.test.ts:')
  })
})

describe('work a request leaves running', () => {
  it('shows a query run after the response, however early the panel was first read', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new SqlPanel()] }))
    const db = instrumentBetterSqlite3(new Database(':memory:'))
    db.exec('CREATE TABLE audit (event TEXT)')
    let answered!: () => void
    const later = new Promise<void>((resolve) => (answered = resolve))
    let audited!: Promise<void>
    app.post('/signup', (c) => {
      db.prepare('SELECT 1').get()
      // Written after the answer, as apps do with audit rows and queues.
      audited = later.then(() => void db.prepare('INSERT INTO audit (event) VALUES (?)').run('signup'))
      return c.text('ok')
    })
    const res = await request(app, '/signup', { method: 'POST' })
    const detailPath = `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`
    const early = (await request(app, detailPath)).json()
    expect((early.panels.sql as SqlStats).queries.map((q) => q.sql)).toEqual(['SELECT 1'])
    answered()
    await audited
    const detail = (await request(app, detailPath)).json()
    const sql = detail.panels.sql as SqlStats
    expect(sql.queries.map((q) => q.sql)).toEqual(['SELECT 1', 'INSERT INTO audit (event) VALUES (?)'])
    expect(sql.queries[1]!.startMs).toBeGreaterThanOrEqual(detail.durationMs)
    expect(detail.nav.find((n: { id: string }) => n.id === 'sql').subtitle).toMatch(/^2 queries/)
  })
})
