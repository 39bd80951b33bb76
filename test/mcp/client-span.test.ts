import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, otlpJsonFromToolbarSpans } from '../../src/opentelemetry/index.js'
import { syntheticTrace, traceIdOf } from '../support/synthetic-spans.js'
import { loopbackServers } from '../support/loopback-service.js'
import { call, connect } from './app.js'

/** An app of service `shop` with the toolbar and the OpenTelemetry panel, exporting nothing. */
function shopApp(): Hono {
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
  return app
}

describe("get_trace names where a CLIENT span named after its method went", () => {
  const start = loopbackServers()

  it('writes the URL beside GET, as the waterfall labels the row', async () => {
    const app = shopApp()
    app.get('/stock/:sku', (c) => c.json({ sku: c.req.param('sku') }))
    app.get('/page', async (c) => {
      const res = await fetch(`${new URL(c.req.url).origin}/stock/7?fresh=1`)
      return c.json(await res.json())
    })
    const base = await start(app)
    const page = await fetch(`${base}/page`)
    await page.text()
    const client = await connect(base)
    try {
      const { text, data } = await call(client, 'get_trace', { request_id: page.headers.get('x-debug-toolbar-request-id')! })
      expect(text).toMatch(new RegExp(`^ {2}\\+\\S+ (µs|ms|s) GET ${base.replace(/[.]/g, '\\.')}/stock/7\\?fresh=1 \\S+ (µs|ms|s) \\(self .+\\) \\[shop\\] CLIENT`, 'm'))
      const line = data.lines.find((l: { kind: string }) => l.kind === 'CLIENT')
      expect(line).toMatchObject({ name: 'GET', target: `${base}/stock/7?fresh=1` })
    } finally {
      await client.close()
    }
  })

  it('writes where a folded line of CLIENT spans went when they share it: the origin of /stock/1, /stock/2, /stock/3', async () => {
    const app = shopApp()
    app.get('/stock/:sku', (c) => c.json({ sku: c.req.param('sku') }))
    app.get('/basket', async (c) => {
      const origin = new URL(c.req.url).origin
      for (const sku of [1, 2, 3]) await (await fetch(`${origin}/stock/${sku}`)).text()
      return c.text('ok')
    })
    const base = await start(app)
    const page = await fetch(`${base}/basket`)
    await page.text()
    const client = await connect(base)
    try {
      const { text, data } = await call(client, 'get_trace', { request_id: page.headers.get('x-debug-toolbar-request-id')! })
      expect(text).toMatch(new RegExp(`^ {2}\\+\\S+ (µs|ms|s) GET ${base.replace(/[.]/g, '\\.')} x3, `, 'm'))
      expect(data.lines.find((l: { count: number }) => l.count === 3)).toMatchObject({ name: 'GET', target: base })
    } finally {
      await client.close()
    }
  })
})

describe('get_trace_errors and get_request name the downstream call that failed by its URL', () => {
  const start = loopbackServers()

  it('writes "GET <url>" for a CLIENT span answered 503 and for one that could not connect', async () => {
    const app = shopApp()
    app.get('/stock/:sku', (c) => (c.req.param('sku') === '2' ? c.json({ error: 'down' }, 503) : c.json({ sku: c.req.param('sku') })))
    app.get('/page', async (c) => {
      const origin = new URL(c.req.url).origin
      await (await fetch(`${origin}/stock/1`)).text()
      await (await fetch(`${origin}/stock/2`)).text()
      // Port 1 on loopback: nothing listens, the connection is refused.
      const reached = await fetch('http://127.0.0.1:1/refused').then(
        () => true,
        (error) => console.error('inventory unreachable', error),
      )
      return c.json({ reached: reached === true }, 502)
    })
    const base = await start(app)
    const page = await fetch(`${base}/page`)
    await page.text()
    const requestId = page.headers.get('x-debug-toolbar-request-id')!
    const client = await connect(base)
    try {
      const errors = await call(client, 'get_trace_errors', { request_id: requestId })
      expect(errors.text).toMatch(new RegExp(`^SPAN "GET ${base.replace(/[.]/g, '\\.')}/stock/2" \\[shop\\] span [0-9a-f]{16} at \\+\\S+ (µs|ms|s): HTTP 503$`, 'm'))
      expect(errors.text).toMatch(/^EXCEPTION "GET http:\/\/127\.0\.0\.1:1\/refused" \[shop\] span [0-9a-f]{16} at \+\S+ (µs|ms|s): TypeError: fetch failed$/m)
      // The SERVER spans keep their names; the data has the target beside the name, as get_trace's.
      expect(errors.text).toMatch(/^SPAN "GET \/stock\/:sku" \[shop\] span /m)
      // The error the app logged beside them reads as its first line, not as its frames run together.
      expect(errors.text).toMatch(/^ {2}log \+\S+ (µs|ms|s) ERROR inventory unreachable TypeError: fetch failed \(stack: search_logs with request_id\)$/m)
      expect(errors.data.errors.find((e: { target?: string }) => e.target === `${base}/stock/2`)).toMatchObject({ kind: 'span', name: 'GET' })

      // Folded into one line of three calls, two of which failed: the line says which two.
      const tree = await call(client, 'get_trace', { request_id: requestId })
      const failedIds = errors.data.errors.filter((e: { target?: string }) => e.target !== undefined).map((e: { spanId: string }) => e.spanId)
      expect(tree.text).toMatch(/ CLIENT ERROR 2 of 3: #[0-9a-f]{16},[0-9a-f]{16} /)
      const folded = tree.data.lines.find((l: { count: number }) => l.count === 3)
      expect(folded.failed.count).toBe(2)
      expect([...folded.failed.spanIds].sort()).toEqual([...failedIds].sort())
      expect(tree.text).toMatch(new RegExp(` CLIENT ERROR 2 of 3: #${folded.failed.spanIds.join(',')} `))

      const brief = await call(client, 'get_request', { request_id: requestId })
      expect(brief.text.split('\n')).toContain(`  span "GET ${base}/stock/2": HTTP 503`)
      // The exception's type, as get_trace_errors writes it.
      expect(brief.text.split('\n')).toContain('  exception "GET http://127.0.0.1:1/refused": TypeError: fetch failed')
      expect(brief.text.split('\n')).toContain('  span "GET /page": HTTP 502')
    } finally {
      await client.close()
    }
  })

  it('writes the service of each failed span: [inventory] beside the span another service sent', async () => {
    const app = shopApp()
    const base = await start(app)
    const spans = syntheticTrace('downstream failure', [
      { name: 'F', label: 'GET /', start: 0, end: 20, service: 'shop' },
      { name: 'I', label: 'GET /products', parent: 'F', start: 5, end: 15, service: 'inventory' },
    ]).map((span) => ({ ...span, kind: 'SERVER', ...(span.name === 'GET /products' && { status: { code: 'ERROR' as const }, attributes: { 'http.response.status_code': 500 } }) }))
    const sent = await fetch(`${base}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlpJsonFromToolbarSpans(spans)) })
    expect(sent.status).toBe(200)
    const client = await connect(base)
    try {
      const { text, data } = await call(client, 'get_trace_errors', { trace_id: traceIdOf('downstream failure') })
      expect(text).toMatch(/^SPAN "GET \/products" \[inventory\] span [0-9a-f]{16} at \+15\.0 ms: HTTP 500$/m)
      expect(data.errors).toEqual([expect.objectContaining({ kind: 'span', name: 'GET /products', service: 'inventory' })])
    } finally {
      await client.close()
    }
  })
})
