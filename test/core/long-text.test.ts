import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar, recordLog, type LoggingStats } from '../../src/index.js'
import { OpenTelemetryPanel, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { loopbackServers } from '../support/loopback-service.js'

// The redaction rules read every log line, error and span value the toolbar keeps or shows,
// and an error's stack is read for its frames. Text that is long and regular (a body decoded
// in the wrong charset, a stack of blank lines) must cost them time in proportion to its
// length, not to its square: a request that logs it is not held up, and the page of its
// error still comes at once.

const start = loopbackServers()

/** What a Chinese or Japanese reply turns into when decoded as ASCII: runs of `?` with no space. */
const MISDECODED = `${'?'.repeat(8000)}`

describe('long text read by the redaction rules and the stack reader', () => {
  it('does not hold up a request that logs text decoded in the wrong charset', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/sync', (c) => {
      for (let i = 0; i < 20; i++) recordLog('warn', `upstream reply (charset=latin1): ${MISDECODED}`)
      return c.text('ok')
    })
    const base = await start(app)
    const started = performance.now()
    const res = await fetch(`${base}/sync`)
    expect(await res.text()).toBe('ok')
    const tookMs = performance.now() - started
    const detail = await (await fetch(`${base}/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    const logging = detail.panels.logging as LoggingStats
    expect(logging.logs).toHaveLength(20)
    expect(logging.logs[0]!.message).toBe(`upstream reply (charset=latin1): ${MISDECODED}`)
    // About 2 s when each line cost its length squared; a few milliseconds now.
    expect(tookMs).toBeLessThan(1000)
  })

  it('does not hold up a request that logs a statement spread over many blank lines, or many unfinished ones', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    const blank = `INSERT INTO${'\n'.repeat(8000)}`
    const unfinished = 'insert into audit ('.repeat(400)
    app.get('/sync', (c) => {
      for (let i = 0; i < 40; i++) recordLog('info', blank)
      for (let i = 0; i < 10; i++) recordLog('info', unfinished)
      return c.text('ok')
    })
    const base = await start(app)
    const started = performance.now()
    const res = await fetch(`${base}/sync`)
    expect(await res.text()).toBe('ok')
    const tookMs = performance.now() - started
    const detail = await (await fetch(`${base}/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    const messages = (detail.panels.logging as LoggingStats).logs.map((log) => log.message)
    expect(messages).toEqual([...Array(40).fill(blank), ...Array(10).fill(unfinished)])
    // About 2 s when the blank lines after INSERT INTO were tried in every split; a few milliseconds now.
    expect(tookMs).toBeLessThan(1000)
  })

  it("answers a page load at once with the error page of an error whose stack another process wrote, of many blank lines", async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/report', () => {
      // An error passed on from a worker: its stack as the worker printed it, no frame of this process.
      const error = new Error('the report worker failed')
      error.stack = `WorkerError: layout failed${'\n '.repeat(50_000)}`
      throw error
    })
    const base = await start(app)
    const started = performance.now()
    const res = await fetch(`${base}/report`, { headers: { accept: 'text/html' } })
    const html = await res.text()
    const tookMs = performance.now() - started
    expect(res.status).toBe(500)
    expect(html).toContain('the report worker failed')
    // About 3 s when each line break was read on to the stack's end.
    expect(tookMs).toBeLessThan(1000)
  })

  it("shows a received span at once whose values repeat a secret name and '=' many times", async () => {
    const panel = new OpenTelemetryPanel({ exporter: 'none' })
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [panel] }))
    const base = await start(app)
    // A service's attributes, each at the receiver's length bound (16,384 characters).
    const value = 'password = f('.repeat(1260)
    const traceId = 'a1'.repeat(16)
    const now = BigInt(Date.now()) * 1_000_000n
    const span = {
      traceId,
      spanId: 'b2'.repeat(8),
      name: 'generated query',
      kind: 3,
      startTimeUnixNano: String(now),
      endTimeUnixNano: String(now + 5_000_000n),
      attributes: Array.from({ length: 100 }, (_, i) => ({ key: `app.sql.${i}`, value: { stringValue: value } })),
    }
    const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'reports' } }] }, scopeSpans: [{ spans: [span] }] }] }
    const sent = await fetch(`${base}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(sent.status).toBe(200)
    const started = performance.now()
    const trace = (await (await fetch(`${base}/_debug_toolbar/api/traces/${traceId}`)).json()) as { spans: ToolbarSpan[] }
    const tookMs = performance.now() - started
    const shown = Object.values(trace.spans[0]!.attributes) as string[]
    expect(shown).toHaveLength(100)
    for (const text of shown) expect(text.startsWith('password = REDACTED = f(password = REDACTED = f(')).toBe(true)
    // About 2 s when the words after each `password =` were read on to the value's end.
    expect(tookMs).toBeLessThan(1000)
    await panel.shutdown()
  })
})
