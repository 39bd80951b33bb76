import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import Database from 'better-sqlite3'
import { setTimeout as sleep } from 'node:timers/promises'
import { debugToolbar, instrumentBetterSqlite3, SqlPanel, type SqlStats } from '../../src/index.js'
import { request } from '../support/local.js'

describe('SQL recording under concurrency', () => {
  it('gives each of 50 concurrent requests exactly its own queries, in order, inside its own time', async () => {
    const db = instrumentBetterSqlite3(new Database(':memory:'))
    db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, owner INTEGER, label TEXT)')
    const app = new Hono()
    app.use(debugToolbar({ maxRequests: 100, extraPanels: [new SqlPanel()] }))
    app.get('/owner/:n', async (c) => {
      const n = Number(c.req.param('n'))
      // Each step yields to the other requests, so their queries interleave on the one connection.
      db.prepare('INSERT INTO items (owner, label) VALUES (?, ?)').run(n, `first of ${n}`)
      await sleep(n % 7)
      db.prepare('INSERT INTO items (owner, label) VALUES (?, ?)').run(n, `second of ${n}`)
      await sleep(n % 3)
      const rows = db.prepare(`SELECT label FROM items WHERE owner = ? /* request ${n} */`).all(n)
      return c.json(rows)
    })

    const responses = await Promise.all(Array.from({ length: 50 }, (_, n) => request(app, `/owner/${n}`)))
    const details = await Promise.all(
      responses.map((r) => request(app, `/_debug_toolbar/api/requests/${r.headers.get('x-debug-toolbar-request-id')}`).then((d) => d.json())),
    )
    details.forEach((detail, n) => {
      expect(responses[n]!.json()).toEqual([{ label: `first of ${n}` }, { label: `second of ${n}` }])
      const sql = detail.panels.sql as SqlStats
      expect(sql.queries.map((q) => [q.id, q.sql, q.params])).toEqual([
        [1, 'INSERT INTO items (owner, label) VALUES (?, ?)', [n, `first of ${n}`]],
        [2, 'INSERT INTO items (owner, label) VALUES (?, ?)', [n, `second of ${n}`]],
        [3, `SELECT label FROM items WHERE owner = ? /* request ${n} */`, [n]],
      ])
      let previousEnd = 0
      for (const q of sql.queries) {
        expect(q.startMs).toBeGreaterThanOrEqual(previousEnd)
        previousEnd = q.startMs + q.durationMs
        expect(previousEnd).toBeLessThanOrEqual(detail.durationMs)
      }
      expect(detail.nav.find((nav: { id: string }) => nav.id === 'sql').subtitle).toMatch(/^3 queries in /)
    })
  })
})
