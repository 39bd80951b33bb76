import { afterAll, describe, expect, it } from 'vitest'
import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Hono } from 'hono'
import { trace } from '@opentelemetry/api'
import { currentRecord, debugToolbar, LoggingPanel, recordLog, recordQuery, type LoggingStats, type RequestRecord } from '../../src/index.js'
import { OpenTelemetryPanel, type OpenTelemetryStats, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import { clientEnv, request } from '../support/local.js'
import { sampleRequest } from './samples.js'

const dir = mkdtempSync(join(tmpdir(), 'hdt-late-writes-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const messagesOf = (detail: { panels: { logging: LoggingStats } }) => detail.panels.logging.logs.map((line) => line.message)

/** An app with the OpenTelemetry panel on the SQLite file `file`, and a mail server the test answers for. */
function tracedApp(file: string, options: { maxQueued?: number } = {}) {
  const path = join(dir, file)
  const store = new SqliteStore({ path, ...options })
  const otel = new OpenTelemetryPanel({ exporter: 'none' })
  const app = new Hono()
  app.use(debugToolbar({ store, extraPanels: [otel] }))
  let answer!: () => void
  const smtp = new Promise<void>((resolve) => (answer = resolve))
  return { path, store, otel, app, smtp, smtpAnswers: () => answer() }
}

/** `app` answers POST /signup at once and sends the welcome email in `send email`, an app span that ends when `smtp` answers. */
function sendsEmailLater(app: Hono, smtp: Promise<void>): () => Promise<void> {
  let emailSent!: Promise<void>
  app.post('/signup', (c) => {
    // The app's own instrumentation around work it does not await.
    emailSent = trace.getTracer('mailer').startActiveSpan('send welcome email', (span) => smtp.then(() => span.end()))
    return c.text('ok')
  })
  return () => emailSent
}

/** POST /signup on `app` answers at once; its welcome email fails (a line logged) once the test calls `smtpAnswers()`. */
function failsEmailLater(app: Hono) {
  let answer!: () => void
  const smtp = new Promise<void>((resolve) => (answer = resolve))
  let emailSent!: Promise<void>
  app.post('/signup', (c) => {
    emailSent = smtp.then(() => recordLog('error', 'welcome email failed: SMTP 421'))
    return c.text('ok')
  })
  return { smtpAnswers: () => answer(), emailSent: () => emailSent }
}

describe('a durable history and work a request leaves running', () => {
  it('keeps the lines logged after the response, for the app after a restart as for the app that logged them', async () => {
    const path = join(dir, 'history.db')
    const store = new SqliteStore({ path })
    const app = new Hono()
    app.use(debugToolbar({ store, panels: [new LoggingPanel()] }))
    let smtpAnswers!: () => void
    const smtp = new Promise<void>((resolve) => (smtpAnswers = resolve))
    let emailSent!: Promise<void>
    app.post('/signup', (c) => {
      recordLog('info', 'account created')
      // Sent after the answer, as apps do with mail and webhooks.
      emailSent = smtp.then(() => recordLog('error', 'welcome email failed: SMTP 421'))
      return c.text('ok')
    })
    const id = (await request(app, '/signup', { method: 'POST' })).headers.get('x-debug-toolbar-request-id')!
    const detailPath = `/_debug_toolbar/api/requests/${id}`
    expect(messagesOf((await request(app, detailPath)).json())).toEqual(['account created'])
    smtpAnswers()
    await emailSent
    // The copy is written again a moment later, then the process stops (its queue is written on close).
    await sleep(400)
    await store.close()

    const restarted = new Hono()
    restarted.use(debugToolbar({ store: new SqliteStore({ path }), panels: [new LoggingPanel()] }))
    const detail = (await request(restarted, detailPath)).json()
    expect(messagesOf(detail)).toEqual(['account created', 'welcome email failed: SMTP 421'])
    expect(detail.panels.logging.logs[1].startMs).toBeGreaterThanOrEqual(detail.durationMs)
    // Written over its first copy, not beside it.
    expect((await request(restarted, '/_debug_toolbar/api/requests')).json().total).toBe(1)
  })

  it('keeps a line logged after the response when busier requests push the request out of the in-memory history before its copy was due', async () => {
    const path = join(dir, 'pushed-out.db')
    const store = new SqliteStore({ path })
    const app = new Hono()
    app.use(debugToolbar({ store, maxRequests: 2, panels: [new LoggingPanel()] }))
    const { smtpAnswers, emailSent } = failsEmailLater(app)
    app.get('/other', (c) => c.text('other'))
    const id = (await request(app, '/signup', { method: 'POST' })).headers.get('x-debug-toolbar-request-id')!
    smtpAnswers()
    await emailSent()
    // A load script's requests: the history of two lets go of /signup within its copy's 250 ms.
    for (let i = 0; i < 3; i++) await request(app, '/other')
    await sleep(400)
    await store.close()

    const restarted = new Hono()
    restarted.use(debugToolbar({ store: new SqliteStore({ path }), panels: [new LoggingPanel()] }))
    expect(messagesOf((await request(restarted, `/_debug_toolbar/api/requests/${id}`)).json())).toEqual(['welcome email failed: SMTP 421'])
  })

  it('keeps the spans made of what was logged and queried after the response, for the app after a restart', async () => {
    const { path, store, app, smtp, smtpAnswers } = tracedApp('traces.db')
    let emailSent!: Promise<void>
    app.post('/signup', (c) => {
      emailSent = smtp.then(() => {
        recordLog('error', 'welcome email failed: SMTP 421')
        recordQuery({ sql: 'INSERT INTO outbox (kind) VALUES (?)', params: ['welcome'], durationMs: 1.5, dbSystem: 'sqlite' })
      })
      return c.text('ok')
    })
    const id = (await request(app, '/signup', { method: 'POST' })).headers.get('x-debug-toolbar-request-id')!
    const stats: OpenTelemetryStats = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json().panels.opentelemetry
    smtpAnswers()
    await emailSent
    const names = async (on: Hono) => ((await request(on, `/_debug_toolbar/api/traces/${stats.traceId}`)).json().spans as ToolbarSpan[]).map((span) => span.name).sort()
    expect(await names(app)).toEqual(['INSERT outbox', 'POST /signup', 'log error'])
    await sleep(400)
    await store.close()

    // What the app after a restart, or another instance, reads (this process still holds the trace in memory).
    const reopened = new SqliteStore({ path })
    expect((await reopened.get(id))?.panels.opentelemetry).toMatchObject({ convert: { sql: { converted: 1 }, logging: { converted: 1 } } })
    expect(((await reopened.getTrace(stats.traceId)) ?? []).map((span) => span.name).sort()).toEqual(['INSERT outbox', 'POST /signup', 'log error'])
    await reopened.close()
  })

  it("keeps the app's own span that ended after the response, for the app after a restart", async () => {
    const { path, store, app, smtp, smtpAnswers } = tracedApp('background-span.db')
    const emailSent = sendsEmailLater(app, smtp)
    const id = (await request(app, '/signup', { method: 'POST' })).headers.get('x-debug-toolbar-request-id')!
    const { traceId } = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json() as { traceId: string }
    smtpAnswers()
    await emailSent()
    await sleep(400)
    await store.close()

    const reopened = new SqliteStore({ path })
    const spans = (await reopened.getTrace(traceId)) ?? []
    expect(spans.map((span) => span.name).sort()).toEqual(['POST /signup', 'send welcome email'])
    expect(spans.find((span) => span.name === 'send welcome email')!.parentSpanId).toBe(spans.find((span) => span.name === 'POST /signup')!.spanId)
    await reopened.close()
  })

  it('costs a stored request no closure to watch for late writes: its record holds no function, and a late line is written again', async () => {
    const path = join(dir, 'no-closure.db')
    const store = new SqliteStore({ path })
    const app = new Hono()
    app.use(debugToolbar({ store, panels: [new LoggingPanel()], extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
    let record!: RequestRecord
    let smtpAnswers!: () => void
    const smtp = new Promise<void>((resolve) => (smtpAnswers = resolve))
    let emailSent!: Promise<void>
    app.post('/signup', (c) => {
      record = currentRecord()!
      emailSent = smtp.then(() => recordLog('error', 'welcome email failed: SMTP 421'))
      return c.text('ok')
    })
    const id = (await request(app, '/signup', { method: 'POST' })).headers.get('x-debug-toolbar-request-id')!
    // Read once: the toolbar has stored its first copy by then.
    expect(messagesOf((await request(app, `/_debug_toolbar/api/requests/${id}`)).json())).toEqual([])
    expect(Object.entries(record).filter(([, value]) => typeof value === 'function').map(([name]) => name)).toEqual([])
    smtpAnswers()
    await emailSent
    await sleep(400)
    await store.close()
    const reopened = new SqliteStore({ path })
    expect((await reopened.get(id))?.panels.logging).toMatchObject({ logs: [{ message: 'welcome email failed: SMTP 421' }] })
    await reopened.close()
  })

  it("writes a line logged after the response, span and Logging panel, when Vite's dev server closes before the line's write was due", async () => {
    const path = join(dir, 'vite-close.db')
    // What @hono/vite-dev-server puts in c.env: the dev server, whose HTTP server closing retires the toolbar and closes its store.
    const httpServer = new EventEmitter()
    const env = { ...clientEnv(), vite: { httpServer } }
    const app = new Hono()
    app.use(debugToolbar({ store: new SqliteStore({ path }), panels: [new LoggingPanel()], extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
    const { smtpAnswers, emailSent } = failsEmailLater(app)
    const res = await app.request('/signup', { method: 'POST' }, env)
    await res.text()
    const id = res.headers.get('x-debug-toolbar-request-id')!
    const { traceId } = (await (await app.request(`/_debug_toolbar/api/requests/${id}`, {}, env)).json()) as { traceId: string }
    smtpAnswers()
    await emailSent()
    // Closed at once: the line's copy and its span would have been written 250 ms later.
    httpServer.emit('close')
    await sleep(100)

    const reopened = new SqliteStore({ path })
    expect((await reopened.get(id))?.panels.logging).toMatchObject({ logs: [{ message: 'welcome email failed: SMTP 421' }] })
    expect(((await reopened.getTrace(traceId)) ?? []).map((span) => span.name).sort()).toEqual(['POST /signup', 'log error'])
    await reopened.close()
  })

  it('counts the late spans a full write queue could not take in the writes lost, as it counts requests', async () => {
    const { store, app, smtp, smtpAnswers } = tracedApp('full-queue.db', { maxQueued: 3 })
    const emailSent = sendsEmailLater(app, smtp)
    await request(app, '/signup', { method: 'POST' })
    expect((await request(app, '/_debug_toolbar/api/store')).json()).toMatchObject({ available: true, dropped: 0 })
    smtpAnswers()
    await emailSent()
    // The span's write is due 250 ms after it ended; just before, a burst fills the queue
    // (its batch waits 25 ms), so the span finds it full.
    await sleep(230)
    for (let i = 1; i <= 3; i++) store.save(sampleRequest(i))
    await sleep(60)
    // What the History panel's store line shows: "1 write lost".
    expect((await request(app, '/_debug_toolbar/api/store')).json()).toMatchObject({ available: true, queued: 0, dropped: 1 })
    await store.close()
  })

  it("writes the late spans still waiting for their write when the app calls the panel's shutdown()", async () => {
    const { path, store, otel, app, smtp, smtpAnswers } = tracedApp('panel-shutdown.db')
    const emailSent = sendsEmailLater(app, smtp)
    const id = (await request(app, '/signup', { method: 'POST' })).headers.get('x-debug-toolbar-request-id')!
    const { traceId } = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json() as { traceId: string }
    smtpAnswers()
    await emailSent()
    await store.flush()
    // As in `process.on('beforeExit', () => otel.shutdown())`: the span's write was due 250 ms later.
    const stopping = otel.shutdown()
    expect(store.queued).toBe(1)
    await stopping
    await store.close()

    const reopened = new SqliteStore({ path })
    expect(((await reopened.getTrace(traceId)) ?? []).map((span) => span.name).sort()).toEqual(['POST /signup', 'send welcome email'])
    await reopened.close()
  })
})
