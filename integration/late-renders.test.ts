import { afterAll, describe, expect, it } from 'vitest'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import Database from 'better-sqlite3'
import { debugToolbar, instrumentBetterSqlite3, renderTemplate, uninstallConsoleCapture } from '../src/index.js'
import { OpenTelemetryPanel, type ToolbarSpan } from '../src/opentelemetry/index.js'
import { startOtlpHttpPeer } from './peers/index.js'

afterAll(() => uninstallConsoleCapture())

// Long enough for the receipt to log and query before the window closes, on a busy machine too.
const GRACE_MS = 600
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A shop over a real server: each order's receipt email is rendered by work the handler
 * leaves running, which logs and reads the products from SQLite inside the render.
 */
function shop(panel: OpenTelemetryPanel) {
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec('CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT)')
  db.prepare('INSERT INTO products (name) VALUES (?)').run('teapot')
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let refuse!: (error: Error) => void
  const refused = new Promise((_resolve, reject) => (refuse = reject))
  let send!: () => void
  const sent = new Promise<void>((resolve) => (send = resolve))
  const receipt = (until: Promise<unknown>) => renderTemplate('receipt email', async () => {
    await released
    console.info('rendering the receipt')
    const products = db.prepare('SELECT name FROM products').all() as Array<{ name: string }>
    await until
    return products.map((p) => p.name).join()
  })
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [panel] }))
  // A mail queue that never answers: the render outlives the late window.
  app.post('/orders', (c) => {
    void released.then(() => receipt(new Promise(() => {})))
    return c.text('ordered')
  })
  // Started by the handler, awaited by no one: still running when the response is sent.
  app.post('/invoices', (c) => {
    void receipt(Promise.resolve())
    return c.text('invoiced')
  })
  // The mail server refuses the refund's receipt when the test says so.
  app.post('/refunds', (c) => {
    void released.then(() => receipt(refused)).catch(() => undefined)
    return c.text('refunded')
  })
  // Renders that write nothing inside them: a newsletter whose mail queue never answers, and
  // a reminder sent when the test says so (after the late window).
  app.post('/subscriptions', (c) => {
    void released.then(() => renderTemplate('newsletter email', () => new Promise(() => {})))
    return c.text('subscribed')
  })
  app.post('/bookings', (c) => {
    void released.then(() => renderTemplate('reminder email', () => sent))
    return c.text('booked')
  })
  // A render with nothing inside that ends well within the late window.
  app.post('/signups', (c) => {
    void released.then(() => renderTemplate('welcome email', () => sleep(20)))
    return c.text('signed up')
  })
  // The receipt rendered inside a span the app opened for its background job, which gives up
  // waiting for a mail queue that never answers: the app's span ends, the render runs on.
  app.post('/payments', (c) => {
    // The panel's own provider: the first panel of this file holds the global one, and it is shut down by now.
    void released.then(() => panel.provider!.getTracer('shop').startActiveSpan('send receipt', async (span) => {
      await Promise.race([receipt(new Promise(() => {})), sleep(20)])
      span.end()
    }))
    return c.text('paid')
  })
  return { app, release, refuse, send }
}

/**
 * Posts to `path` over a real server whose panel exports to an OTLP/HTTP collector, lets the
 * work the request left running go on, and answers the trace as the collector got it (once
 * it holds a span named `awaited`) and as the toolbar's trace API shows it.
 */
async function order(
  path: string,
  awaited: string,
  gracePeriodMs?: number,
  meanwhile?: (panel: OpenTelemetryPanel, traceId: string, refuse: (error: Error) => void, send: () => void) => void,
): Promise<{ exported: ToolbarSpan[]; shown: ToolbarSpan[] }> {
  const peer = await startOtlpHttpPeer()
  const panel = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'otlp', otlpProtocol: 'http/json', otlpEndpoint: peer.url, gracePeriodMs })
  const { app, release, refuse, send } = shop(panel)
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  try {
    await new Promise((resolve) => server.once('listening', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const res = await fetch(`${url}${path}`, { method: 'POST' })
    expect(res.status).toBe(200)
    const detail = await (await fetch(`${url}/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    const traceId = detail.panels.opentelemetry.traceId as string
    release()
    meanwhile?.(panel, traceId, refuse, send)
    await sleep((gracePeriodMs ?? 0) + 100)
    await panel.forceFlush()
    const exported = (await peer.waitForSpans((all) => all.some((s) => s.traceId === traceId && s.name === awaited), 10_000)).filter((s) => s.traceId === traceId)
    const { spans: shown } = (await (await fetch(`${url}/_debug_toolbar/api/traces/${traceId}`)).json()) as { spans: ToolbarSpan[] }
    return { exported, shown }
  } finally {
    server.close()
    await panel.shutdown()
    await peer.close()
  }
}

describe('work a request left running, over a real server and an OTLP collector', () => {
  it('exports what a render made after the response logged and queried under it, though the render outlives the late window', async () => {
    const { exported, shown } = await order('/orders', 'render receipt email', GRACE_MS)
    for (const spans of [exported, shown]) {
      const server = spans.find((s) => s.kind === 'SERVER')!
      const email = spans.find((s) => s.name === 'render receipt email')!
      expect(email.parentSpanId).toBe(server.spanId)
      const inside = spans.filter((s) => s.parentSpanId === email.spanId)
      expect(inside.map((s) => s.name)).toEqual(['SELECT products'])
      expect(email.events.map((e) => e.attributes['log.message'])).toEqual(['rendering the receipt'])
      // Still running when the trace stopped taking spans: it ends there.
      const after = Number(BigInt(email.endTimeUnixNano!) - BigInt(server.endTimeUnixNano!)) / 1e6
      expect(after).toBeGreaterThanOrEqual(GRACE_MS - 1)
      expect(after).toBeLessThan(GRACE_MS + 50)
    }
  })

  it('exports what a render still running at the response wrote later under that render', async () => {
    const { exported, shown } = await order('/invoices', 'SELECT products')
    for (const spans of [exported, shown]) {
      const server = spans.find((s) => s.kind === 'SERVER')!
      const email = spans.find((s) => s.name === 'render receipt email')!
      expect(email.parentSpanId).toBe(server.spanId)
      const inside = spans.filter((s) => s.parentSpanId === email.spanId)
      expect(inside.map((s) => s.name).sort()).toEqual(['SELECT products', 'log info'])
      expect(inside.find((s) => s.name === 'log info')!.attributes['log.message']).toBe('rendering the receipt')
    }
  })

  it('marks a render converted while still running as such, at the response and when the trace stops taking spans', async () => {
    // The receipt never ends: its span ends where the trace stopped taking spans.
    const atClose = await order('/orders', 'render receipt email', GRACE_MS)
    // The receipt still ran when the response was sent: its span ends with the request.
    const atResponse = await order('/invoices', 'SELECT products')
    for (const spans of [...Object.values(atClose), ...Object.values(atResponse)]) {
      const email = spans.find((s) => s.name === 'render receipt email')!
      expect(email.attributes).toMatchObject({ 'template.name': 'receipt email', 'hono_debug_toolbar.still_running': true })
      expect(email.status.code).toBe('UNSET')
    }
  })

  it('exports the error of a render that failed after the late window ended, before what waited for it was converted', async () => {
    const { exported, shown } = await order('/refunds', 'render receipt email', GRACE_MS, (panel, traceId, refuse) => {
      // The event loop is busy past the end of the window, and the render fails meanwhile.
      const closesAt = panel.processor.traces.closesAt(traceId)!
      setTimeout(() => {
        while (performance.now() < closesAt + 5);
        refuse(new Error('the mail server refused the receipt'))
      }, Math.max(0, closesAt - performance.now() - 20))
    })
    for (const spans of [exported, shown]) {
      const server = spans.find((s) => s.kind === 'SERVER')!
      const email = spans.find((s) => s.name === 'render receipt email')!
      expect(email.parentSpanId).toBe(server.spanId)
      expect(email.status).toMatchObject({ code: 'ERROR', message: 'the mail server refused the receipt' })
      // As during the request: the exception first, then what was logged in it.
      expect(email.events.map((e) => e.name)).toEqual(['exception', 'log'])
      expect(email.events[0]!.attributes).toMatchObject({ 'exception.type': 'TemplateError', 'exception.message': 'the mail server refused the receipt' })
      expect(email.attributes['hono_debug_toolbar.still_running']).toBeUndefined()
      expect(spans.filter((s) => s.parentSpanId === email.spanId).map((s) => s.name)).toEqual(['SELECT products'])
      // It ends when it failed, after the window: its end is known.
      const after = Number(BigInt(email.endTimeUnixNano!) - BigInt(server.endTimeUnixNano!)) / 1e6
      expect(after).toBeGreaterThanOrEqual(GRACE_MS + 4)
    }
  })

  it("exports a render still running when the app calls the panel's shutdown() before the late window ended, with what it logged and queried", async () => {
    const spans = await shutDownEarly('/orders', 'ordered')
    const email = spans.find((s) => s.name === 'render receipt email')!
    expect(email).toMatchObject({ parentSpanId: spans.find((s) => s.name === 'POST /orders')!.spanId, attributes: { 'hono_debug_toolbar.still_running': true } })
    expect(email.events.map((e) => e.attributes['log.message'])).toEqual(['rendering the receipt'])
    expect(spans.filter((s) => s.parentSpanId === email.spanId).map((s) => s.name)).toEqual(['SELECT products'])
  })

  it('exports a render made after the response that writes nothing inside it and never ends, as still running under the SERVER span', async () => {
    const { exported, shown } = await order('/subscriptions', 'render newsletter email', GRACE_MS)
    for (const spans of [exported, shown]) {
      const server = spans.find((s) => s.kind === 'SERVER')!
      const renders = spans.filter((s) => s.name === 'render newsletter email')
      expect(renders).toHaveLength(1)
      expect(renders[0]).toMatchObject({ kind: 'INTERNAL', parentSpanId: server.spanId, attributes: { 'template.name': 'newsletter email', 'hono_debug_toolbar.still_running': true } })
      expect(renders[0]!.status.code).toBe('UNSET')
      // It ends where the trace stopped taking spans.
      const after = Number(BigInt(renders[0]!.endTimeUnixNano!) - BigInt(server.endTimeUnixNano!)) / 1e6
      expect(after).toBeGreaterThanOrEqual(GRACE_MS - 1)
      expect(after).toBeLessThan(GRACE_MS + 50)
    }
  })

  it('exports a render made after the response that writes nothing inside it and ends after the late window once, as still running where the window ended', async () => {
    const { exported, shown } = await order('/bookings', 'render reminder email', GRACE_MS, (panel, traceId, _refuse, send) => {
      // The reminder is sent once its span was made, after the window: its end makes no second span.
      const look = setInterval(() => {
        if (!panel.processor.traces.spans(traceId)?.some((s) => s.name === 'render reminder email')) return
        clearInterval(look)
        send()
      }, 10)
    })
    for (const spans of [exported, shown]) {
      const server = spans.find((s) => s.kind === 'SERVER')!
      const renders = spans.filter((s) => s.name === 'render reminder email')
      expect(renders).toHaveLength(1)
      expect(renders[0]).toMatchObject({ parentSpanId: server.spanId, attributes: { 'hono_debug_toolbar.still_running': true } })
      const after = Number(BigInt(renders[0]!.endTimeUnixNano!) - BigInt(server.endTimeUnixNano!)) / 1e6
      expect(after).toBeGreaterThanOrEqual(GRACE_MS - 1)
      expect(after).toBeLessThan(GRACE_MS + 50)
    }
  })

  it('exports a render made after the response that writes nothing inside it and ends within the late window once, with its real end', async () => {
    const { exported, shown } = await order('/signups', 'render welcome email', GRACE_MS)
    for (const spans of [exported, shown]) {
      const renders = spans.filter((s) => s.name === 'render welcome email')
      expect(renders).toHaveLength(1)
      expect(renders[0]!.parentSpanId).toBe(spans.find((s) => s.kind === 'SERVER')!.spanId)
      expect(renders[0]!.attributes['hono_debug_toolbar.still_running']).toBeUndefined()
      const durationMs = Number(BigInt(renders[0]!.endTimeUnixNano!) - BigInt(renders[0]!.startTimeUnixNano)) / 1e6
      expect(durationMs).toBeGreaterThanOrEqual(19)
      expect(durationMs).toBeLessThan(GRACE_MS)
    }
  })

  it("exports a render still running when the trace stops taking spans under the app's span it started in, though that span ended before", async () => {
    const { exported, shown } = await order('/payments', 'render receipt email', GRACE_MS)
    for (const spans of [exported, shown]) {
      const server = spans.find((s) => s.kind === 'SERVER')!
      const send = spans.find((s) => s.name === 'send receipt')!
      expect(send.parentSpanId).toBe(server.spanId)
      const email = spans.find((s) => s.name === 'render receipt email')!
      expect(email).toMatchObject({ parentSpanId: send.spanId, attributes: { 'hono_debug_toolbar.still_running': true } })
      // The app's span ended (and was exported) long before: the render outlives its parent.
      expect(BigInt(email.endTimeUnixNano!) - BigInt(send.endTimeUnixNano!)).toBeGreaterThan(BigInt(GRACE_MS / 2) * 1_000_000n)
      expect(spans.filter((s) => s.parentSpanId === email.spanId).map((s) => s.name)).toEqual(['SELECT products'])
      expect(email.events.map((e) => e.attributes['log.message'])).toEqual(['rendering the receipt'])
    }
  })

  it("exports a render still running when the app calls the panel's shutdown() under the app's span it started in", async () => {
    const spans = await shutDownEarly('/payments', 'paid')
    const email = spans.find((s) => s.name === 'render receipt email')!
    expect(email).toMatchObject({ parentSpanId: spans.find((s) => s.name === 'send receipt')!.spanId, attributes: { 'hono_debug_toolbar.still_running': true } })
  })

  it("exports a render that writes nothing inside it, still running when the app calls the panel's shutdown() before the late window ended", async () => {
    const spans = await shutDownEarly('/subscriptions', 'subscribed')
    const renders = spans.filter((s) => s.name === 'render newsletter email')
    expect(renders).toHaveLength(1)
    expect(renders[0]).toMatchObject({ parentSpanId: spans.find((s) => s.name === 'POST /subscriptions')!.spanId, attributes: { 'hono_debug_toolbar.still_running': true } })
  })
})

/**
 * Posts to `path` over a real server whose late window is a minute, lets the work the
 * request left running start, and calls the panel's shutdown() as an app does when it stops:
 * answers the spans the collector got once it holds a render.
 */
async function shutDownEarly(path: string, answer: string): Promise<ToolbarSpan[]> {
  const peer = await startOtlpHttpPeer()
  const panel = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'otlp', otlpProtocol: 'http/json', otlpEndpoint: peer.url, gracePeriodMs: 60_000 })
  const { app, release } = shop(panel)
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  try {
    await new Promise((resolve) => server.once('listening', resolve))
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, { method: 'POST' })
    expect(await res.text()).toBe(answer)
    release()
    await sleep(100)
    // What an app's `process.on('beforeExit', () => otel.shutdown())` does.
    await panel.shutdown()
    return await peer.waitForSpans((all) => all.some((s) => s.name.startsWith('render ')), 10_000)
  } finally {
    server.close()
    await panel.shutdown()
    await peer.close()
  }
}
