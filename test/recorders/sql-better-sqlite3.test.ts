import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import Database from 'better-sqlite3'
import { debugToolbar, instrumentBetterSqlite3, SqlPanel, type SqlStats } from '../../src/index.js'
import { request } from '../support/local.js'
import { relative } from 'node:path'

const THIS_FILE = new URL(import.meta.url).pathname
/** This file as the SQL panel names a caller in it: relative to the working directory. */
const SHOWN_FILE = relative(process.cwd(), THIS_FILE)

function usersDb() {
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, team TEXT)')
  const insert = db.prepare('INSERT INTO users (name, team) VALUES (?, ?)')
  for (const [name, team] of [['ada', 'core'], ['grace', 'core'], ['linus', 'kernel']]) insert.run(name, team)
  return db
}

function appWith(db: Database.Database, routes: (app: Hono, db: Database.Database) => void) {
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [new SqlPanel()] }))
  routes(app, db)
  return app
}

/** Makes a request, then reads what the SQL panel shows for it. */
async function sqlPanel(app: Hono, path: string) {
  const res = await request(app, path)
  const id = res.headers.get('x-debug-toolbar-request-id')
  const detail = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json()
  return { res, detail, sql: detail.panels.sql as SqlStats }
}

describe('instrumentBetterSqlite3', () => {
  it('records prepared statements with params, rows, changes, start offsets and the calling line', async () => {
    const app = appWith(usersDb(), (app, db) => {
      app.get('/users', (c) => {
        const one = db.prepare('SELECT * FROM users WHERE id = ?').get(2)
        const core = db.prepare('SELECT name FROM users WHERE team = ?').all('core')
        const moved = db.prepare('UPDATE users SET team = ? WHERE team = ?').run('platform', 'core')
        return c.json({ one, core, changes: moved.changes })
      })
    })
    const { res, detail, sql } = await sqlPanel(app, '/users')
    expect(res.json()).toEqual({ one: { id: 2, name: 'grace', team: 'core' }, core: [{ name: 'ada' }, { name: 'grace' }], changes: 2 })
    expect(sql.queries.map((q) => [q.sql, q.params, q.rowCount])).toEqual([
      ['SELECT * FROM users WHERE id = ?', [2], 1],
      ['SELECT name FROM users WHERE team = ?', ['core'], 2],
      ['UPDATE users SET team = ? WHERE team = ?', ['platform', 'core'], 2],
    ])
    expect(sql.count).toBe(3)
    expect(sql.queries.map((q) => q.id)).toEqual([1, 2, 3])
    for (const q of sql.queries) {
      expect(q.dbSystem).toBe('sqlite')
      expect(q.error).toBeNull()
      expect(q.inTransaction).toBe(false)
      expect(q.startMs).toBeGreaterThanOrEqual(0)
      expect(q.startMs + q.durationMs).toBeLessThanOrEqual(detail.durationMs)
      expect(q.caller).toMatch(new RegExp(`^${SHOWN_FILE}:\\d+:\\d+$`))
    }
    // The offsets follow the order the queries ran in.
    expect(sql.queries[0]!.startMs).toBeLessThanOrEqual(sql.queries[1]!.startMs)
    expect(sql.queries[1]!.startMs).toBeLessThanOrEqual(sql.queries[2]!.startMs)
    // The first query's caller is the line of `.get(2)` above.
    const source = (await import('node:fs')).readFileSync(THIS_FILE, 'utf8').split('\n')
    const [, line] = /:(\d+):\d+$/.exec(sql.queries[0]!.caller!)!
    expect(source[Number(line) - 1]).toContain("db.prepare('SELECT * FROM users WHERE id = ?').get(2)")
    expect(sql.totalMs).toBeCloseTo(sql.queries.reduce((sum, q) => sum + q.durationMs, 0), 6)
  })

  it('records named params, bound params and iterate() until the iterator is done', async () => {
    const app = appWith(usersDb(), (app, db) => {
      app.get('/', (c) => {
        const named = db.prepare('SELECT name FROM users WHERE team = @team AND id > :min').all({ team: 'core', min: 0 })
        const bound = db.prepare('SELECT count(*) AS n FROM users WHERE team = ?').bind('kernel')
        const count = bound.get() as { n: number }
        const names: string[] = []
        for (const row of db.prepare('SELECT name FROM users ORDER BY id').iterate() as Iterable<{ name: string }>) {
          names.push(row.name)
        }
        const first: string[] = []
        for (const row of db.prepare('SELECT name FROM users ORDER BY id DESC').iterate() as Iterable<{ name: string }>) {
          first.push(row.name)
          break
        }
        return c.json({ named, count: count.n, names, first })
      })
    })
    const { res, sql } = await sqlPanel(app, '/')
    expect(res.json()).toEqual({ named: [{ name: 'ada' }, { name: 'grace' }], count: 1, names: ['ada', 'grace', 'linus'], first: ['linus'] })
    expect(sql.queries.map((q) => [q.sql, q.params, q.rowCount])).toEqual([
      ['SELECT name FROM users WHERE team = @team AND id > :min', [{ team: 'core', min: 0 }], 2],
      ['SELECT count(*) AS n FROM users WHERE team = ?', ['kernel'], 1],
      ['SELECT name FROM users ORDER BY id', [], 3],
      // Left early by `break`: the rows it yielded.
      ['SELECT name FROM users ORDER BY id DESC', [], 1],
    ])
  })

  it('records params passed as arrays (as query builders pass them) as better-sqlite3 binds them', async () => {
    const app = appWith(usersDb(), (app, db) => {
      app.get('/', (c) => {
        const one = db.prepare('SELECT name FROM users WHERE team = ? AND id > ?').all(['core', 1])
        const split = db.prepare('SELECT name FROM users WHERE team = ? AND id > ?').all(['core'], 0)
        const bound = db.prepare('SELECT count(*) AS n FROM users WHERE team = ?').bind(['kernel'])
        return c.json({ one, split, count: (bound.get() as { n: number }).n })
      })
    })
    const { res, sql } = await sqlPanel(app, '/')
    expect(res.json()).toEqual({ one: [{ name: 'grace' }], split: [{ name: 'ada' }, { name: 'grace' }], count: 1 })
    expect(sql.queries.map((q) => q.params)).toEqual([['core', 1], ['core', 0], ['kernel']])
  })

  it('shows each query with the values it ran with when the app reuses one params object or array', async () => {
    const app = appWith(usersDb(), (app, db) => {
      app.get('/teams', (c) => {
        const byId = db.prepare('SELECT name FROM users WHERE id = @id')
        const params = { id: 0 }
        const list = [0]
        const byTeam = db.prepare('SELECT name FROM users WHERE id = ?')
        for (const id of [1, 2, 3]) {
          params.id = id
          byId.get(params)
          list[0] = id
          byTeam.get(list)
        }
        return c.text('ok')
      })
    })
    const { sql } = await sqlPanel(app, '/teams')
    expect(sql.queries.map((q) => q.params)).toEqual([{ id: 1 }, [1], { id: 2 }, [2], { id: 3 }, [3]].map((p) => (Array.isArray(p) ? p : [p])))
    expect(sql.duplicates).toEqual([])
    // `@id` and `?` are one shape: the six are one similar group.
    expect(sql.similar.map((g) => g.count)).toEqual([6])
  })

  it('records exec() and pragma()', async () => {
    const app = appWith(usersDb(), (app, db) => {
      app.get('/', (c) => {
        db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)')
        const version = db.pragma('user_version', { simple: true })
        const columns = db.pragma('table_info(notes)') as unknown[]
        return c.json({ version, columns: columns.length })
      })
    })
    const { res, sql } = await sqlPanel(app, '/')
    expect(res.json()).toEqual({ version: 0, columns: 2 })
    expect(sql.queries.map((q) => [q.sql, q.rowCount])).toEqual([
      ['CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)', null],
      ['PRAGMA user_version', 1],
      ['PRAGMA table_info(notes)', 2],
    ])
  })

  it('records a failing query with its error and rethrows it to the app', async () => {
    const app = appWith(usersDb(), (app, db) => {
      app.get('/', (c) => {
        const errors: string[] = []
        try {
          db.prepare('INSERT INTO users (name) VALUES (?)').run('ada')
        } catch (error) {
          errors.push((error as Error).message)
        }
        try {
          db.prepare('SELECT * FROM no_such_table').all()
        } catch (error) {
          errors.push((error as Error).message)
        }
        return c.json(errors)
      })
    })
    const { res, sql } = await sqlPanel(app, '/')
    expect(res.json()).toEqual(['UNIQUE constraint failed: users.name', 'no such table: no_such_table'])
    expect(sql.queries.map((q) => [q.sql, q.params, q.error])).toEqual([
      ['INSERT INTO users (name) VALUES (?)', ['ada'], 'UNIQUE constraint failed: users.name'],
      ['SELECT * FROM no_such_table', [], 'no such table: no_such_table'],
    ])
    expect(sql.queries[1]!.caller).toContain(SHOWN_FILE)
  })

  it('records transactions with BEGIN/COMMIT, and a failed one with its error and ROLLBACK', async () => {
    const db = usersDb()
    const app = appWith(db, (app, db) => {
      const addTeam = db.transaction((team: string, names: string[]) => {
        for (const name of names) db.prepare('INSERT INTO users (name, team) VALUES (?, ?)').run(name, team)
        return names.length
      })
      app.get('/ok', (c) => c.json({ added: addTeam('web', ['tim', 'marc']) }))
      app.get('/fails', (c) => {
        try {
          addTeam.immediate('web', ['ken', 'ada'])
          return c.text('no error')
        } catch (error) {
          return c.text((error as Error).message, 409)
        }
      })
    })
    const ok = await sqlPanel(app, '/ok')
    expect(ok.res.json()).toEqual({ added: 2 })
    expect(ok.sql.queries.map((q) => [q.sql, q.inTransaction, q.error])).toEqual([
      ['BEGIN', true, null],
      ['INSERT INTO users (name, team) VALUES (?, ?)', true, null],
      ['INSERT INTO users (name, team) VALUES (?, ?)', true, null],
      ['COMMIT', true, null],
    ])

    const failed = await sqlPanel(app, '/fails')
    expect(failed.res.status).toBe(409)
    expect(failed.res.text).toBe('UNIQUE constraint failed: users.name')
    expect(failed.sql.queries.map((q) => [q.sql, q.params, q.inTransaction, q.error])).toEqual([
      ['BEGIN IMMEDIATE', [], true, null],
      ['INSERT INTO users (name, team) VALUES (?, ?)', ['ken', 'web'], true, null],
      ['INSERT INTO users (name, team) VALUES (?, ?)', ['ada', 'web'], true, 'UNIQUE constraint failed: users.name'],
      ['ROLLBACK', [], true, null],
    ])
    // Rolled back for real: ken was not kept.
    expect(db.prepare('SELECT count(*) AS n FROM users WHERE name = ?').get('ken')).toEqual({ n: 0 })
    expect(db.inTransaction).toBe(false)
  })

  it('nests transactions with savepoints, as better-sqlite3 does', async () => {
    const app = appWith(usersDb(), (app, db) => {
      const inner = db.transaction(() => db.prepare('DELETE FROM users WHERE team = ?').run('kernel').changes)
      const outer = db.transaction(() => inner() + db.prepare('DELETE FROM users WHERE name = ?').run('ada').changes)
      app.get('/', (c) => c.json({ deleted: outer(), left: db.prepare('SELECT count(*) AS n FROM users').pluck().get() }))
    })
    const { res, sql } = await sqlPanel(app, '/')
    expect(res.json()).toEqual({ deleted: 2, left: 1 })
    expect(sql.queries.map((q) => q.sql)).toEqual([
      'BEGIN',
      'SAVEPOINT `\t_bs3.\t`',
      'DELETE FROM users WHERE team = ?',
      'RELEASE `\t_bs3.\t`',
      'DELETE FROM users WHERE name = ?',
      'COMMIT',
      'SELECT count(*) AS n FROM users',
    ])
    expect(sql.queries.at(-1)).toMatchObject({ inTransaction: false, rowCount: 1 })
  })

  it('records a statement that fails to prepare', async () => {
    const app = appWith(usersDb(), (app, db) => {
      app.get('/', (c) => {
        try {
          db.prepare('SELEC name FROM users')
        } catch (error) {
          return c.text((error as Error).message, 500)
        }
        return c.text('prepared')
      })
    })
    const { res, sql } = await sqlPanel(app, '/')
    expect(res.text).toBe('near "SELEC": syntax error')
    expect(sql.queries).toHaveLength(1)
    expect(sql.queries[0]).toMatchObject({ sql: 'SELEC name FROM users', error: 'near "SELEC": syntax error' })
  })

  it('behaves exactly as before outside a request, and leaves other databases alone', () => {
    const plain = new Database(':memory:')
    const db = usersDb()
    expect(instrumentBetterSqlite3(db)).toBe(db)
    expect(Object.getPrototypeOf(db)).toBe(Database.prototype)
    expect(plain.prepare).toBe(Database.prototype.prepare)
    expect(plain.transaction).toBe(Database.prototype.transaction)
    expect(db.prepare('SELECT name FROM users ORDER BY id').pluck().all()).toEqual(['ada', 'grace', 'linus'])
    expect(db.prepare('SELECT name FROM users WHERE id = ?').raw().get(3)).toEqual(['linus'])
    expect([...db.prepare('SELECT id FROM users').pluck().iterate()]).toEqual([1, 2, 3])
    expect(db.exec('SELECT 1')).toBe(db)
    const tx = db.transaction((n: number) => n * 2)
    expect(tx(21)).toBe(42)
    expect(tx.deferred(1)).toBe(2)
    expect(tx.database).toBe(db)
    expect(() => db.transaction(async () => 1)()).toThrow('Transaction function cannot return a promise')
    expect(() => db.transaction('nope' as never)).toThrow(TypeError)
    expect(() => db.prepare('INSERT INTO users (name) VALUES (?)').run('ada')).toThrow('UNIQUE constraint failed')
  })
})
