import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { Hono } from 'hono'
import { debugToolbar, instrumentBetterSqlite3, recordLog } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { loopbackServers } from '../support/loopback-service.js'
import { afterResponse } from '../../src/mcp/result.js'
import { call, connect } from './app.js'

describe('work a request left running after its response reads as such, as the panels mark it', () => {
  const start = loopbackServers()

  it('get_request marks late queries and log lines, get_trace says the trace includes work after the response', async () => {
    const db = instrumentBetterSqlite3(new Database(':memory:'))
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)')
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
    let mailed!: () => void
    const sent = new Promise<void>((resolve) => (mailed = resolve))
    app.post('/signup', (c) => {
      db.prepare('INSERT INTO users (email) VALUES (?)').run('ada@example.com')
      // Sent after the answer, as apps send mail.
      setTimeout(() => {
        db.prepare('SELECT email FROM users WHERE id = ?').get(1)
        recordLog('info', 'welcome email sent')
        mailed()
      }, 150)
      return c.text('created', 201)
    })
    const base = await start(app)
    const res = await fetch(`${base}/signup`, { method: 'POST' })
    await res.text()
    const id = res.headers.get('x-debug-toolbar-request-id')!
    await sent
    const client = await connect(base)
    try {
      // The late lines reach the stored request once its late work is done: ask until they are there.
      let brief = await call(client, 'get_request', { request_id: id })
      for (let i = 0; i < 50 && !/welcome email sent/.test(brief.text); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        brief = await call(client, 'get_request', { request_id: id })
      }
      expect(brief.text).toMatch(/^ {2}#1 \S+ (µs|ms) INSERT INTO users \(email\) VALUES \(\?\)  at /m)
      expect(brief.text).toMatch(/^ {2}#2 \S+ (µs|ms) SELECT email FROM users WHERE id = \?, after the response  at /m)
      expect(brief.text).toMatch(/^ {2}\+\S+ (ms|s) INFO welcome email sent, after the response$/m)
      expect(brief.data.sql.slowest.find((q: { id: number }) => q.id === 2).afterResponse).toBe(true)
      expect(brief.data.sql.slowest.find((q: { id: number }) => q.id === 1).afterResponse).toBeUndefined()
      expect(brief.data.logs.lines[0].afterResponse).toBe(true)

      const responseMs = brief.data.request.durationMs as number
      for (const args of [{ request_id: id }, { trace_id: brief.data.request.traceId }]) {
        const tree = await call(client, 'get_trace', args)
        expect(tree.data.durationMs).toBeGreaterThan(responseMs)
        expect(tree.data.responseMs).toBe(responseMs)
        expect(tree.text).toMatch(/^Trace [0-9a-f]{32}: \d+ spans from shop, \S+ ms \(includes work after the \S+ (µs|ms) response\);/)
      }
    } finally {
      await client.close()
      db.close()
    }
  })
})

describe('list_traces: a trace longer than its response', () => {
  const start = loopbackServers()

  it('says the trace includes work after the response, as get_trace does', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
    app.post('/form', (c) => {
      // Sent after the answer, as apps send mail.
      setTimeout(() => recordLog('info', 'welcome email sent'), 120)
      return c.text('saved')
    })
    const base = await start(app)
    const res = await fetch(`${base}/form`, { method: 'POST' })
    await res.text()
    await new Promise((resolve) => setTimeout(resolve, 300))
    const client = await connect(base)
    try {
      const { text, data } = await call(client, 'list_traces')
      const trace = await call(client, 'get_trace', { request_id: res.headers.get('x-debug-toolbar-request-id')! })
      const after = /\(includes work after the (\S+ (?:µs|ms|s)) response\)/.exec(trace.text)![1]
      expect(text).toMatch(new RegExp(`^[0-9a-f]{32} {2}POST /form {2}\\[shop\\] {2}\\d+ spans {2}\\S+ (µs|ms|s) \\(includes work after the ${after} response\\) {2}`, 'm'))
      expect(data.traces[0].responseMs).toBe(trace.data.responseMs)
    } finally {
      await client.close()
    }
  })
})

describe("the tools' note of work after the response", () => {
  it('is not written for a trace of the request\'s own span alone (4.67 ms against a 4.66 ms response), as in the panels', () => {
    expect(afterResponse(4.67, 4.66, 1)).toBe('')
    expect(afterResponse(208, 14.4, 4)).toBe(' (includes work after the 14.4 ms response)')
  })
})
