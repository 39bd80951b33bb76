import { describe, expect, it } from 'vitest'
import { recordQuery, type SqlStats } from '../../src/index.js'
import { pickKeyOfSql } from '../../templates/client/panels/sql-filter.js'
import { otelApp } from '../support/otel-app.js'

describe("the SQL panel opened from a waterfall's query group", () => {
  it("finds a MySQL group whose values are double-quoted strings in the SQL, from the span's exported text", async () => {
    const { app, run } = otelApp()
    app.get('/', (c) => {
      recordQuery({ sql: 'SELECT 1 FROM orders WHERE id = 1', durationMs: 1, dbSystem: 'mysql' })
      for (const email of ['ada@example.com', 'grace@example.com']) recordQuery({ sql: `SELECT id FROM users WHERE email = "${email}"`, durationMs: 1, dbSystem: 'mysql' })
      return c.text('ok')
    })
    const { detail, stats } = await run('/')
    const sql = detail.panels.sql as SqlStats
    // The span's text has its strings as `?`; the panel's group has them as the app wrote them.
    const text = stats.spans.find((s) => s.name === 'SELECT users')!.attributes['db.query.text'] as string
    expect(text).toBe('SELECT id FROM users WHERE email = ?')
    expect(pickKeyOfSql(sql, text)).toBe(`similar:${sql.queries[1]!.id}`)
  })
})
