import { Hono } from 'hono'
import { trace } from '@opentelemetry/api'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { redactValue } from '../../src/mcp/redact.js'

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }
const PREFIX = '/_debug_toolbar'

// What an app's instrumentation or a downstream service may set on a span.
const SENT = {
  'http.request.header.authorization': ['Bearer SECRET-1'],
  'app.api_key': 'SECRET-2',
  'db.connection_string': 'postgres://app:SECRET-3@db:5432/shop',
  'url.full': 'https://api.example/hooks?token=SECRET-4&page=2',
  'http.request.header.x-hub-signature-256': ['sha256=SECRET-5'],
  'app.note': 'Session: started for user 7',
  'http.request.header.accept': ['text/html'],
}
const SHOWN = {
  'http.request.header.authorization': ['REDACTED'],
  'app.api_key': 'REDACTED',
  'db.connection_string': 'postgres://REDACTED:REDACTED@db:5432/shop',
  'url.full': 'https://api.example/hooks?token=REDACTED&page=2',
  'http.request.header.x-hub-signature-256': ['REDACTED'],
  'app.note': 'Session: started for user 7',
  'http.request.header.accept': ['text/html'],
}

function otlpAttributes(attributes: Record<string, string | string[]>) {
  return Object.entries(attributes).map(([key, value]) => ({
    key,
    value: Array.isArray(value) ? { arrayValue: { values: value.map((v) => ({ stringValue: v })) } } : { stringValue: value },
  }))
}

describe('span attributes set by the app or sent by another service', () => {
  it('are redacted in the trace API, its pages, its OTLP file, the analysis and the list, and exported as the app set them', async () => {
    const exporter = new InMemorySpanExporter()
    const panel = new OpenTelemetryPanel({ exporter, serviceName: 'shop' })
    const app = new Hono()
    const toolbar = debugToolbar({ extraPanels: [panel] })
    const events: unknown[] = []
    toolbar.toolbar.events.subscribe((event) => events.push(event))
    app.use(toolbar)
    app.get('/pay', (c) => {
      const span = trace.getTracer('shop').startSpan('GET /hooks?token=SECRET-6', { attributes: SENT })
      span.addEvent('retry', { password: 'SECRET-7', attempt: 2 })
      span.setStatus({ code: 2, message: 'refused: api_key=SECRET-8' })
      span.end()
      return c.text('ok')
    })
    const call = (path: string, init?: RequestInit) => app.request(`${PREFIX}${path}`, init, loopback)
    const res = await app.request('/pay', undefined, loopback)
    await res.text()
    const { traceId } = await (await call(`/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    // A downstream service sends its span of the same trace to the receiver.
    const now = Date.now() * 1e6
    const received = await call('/otlp/v1/traces', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [{
          resource: { attributes: otlpAttributes({ 'service.name': 'payments', 'deployment.secret': 'SECRET-9' }) },
          scopeSpans: [{ scope: { name: 'payments' }, spans: [{ traceId, spanId: 'ab'.repeat(8), name: 'charge', kind: 2, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1e6), attributes: otlpAttributes(SENT) }] }],
        }],
      }),
    })
    expect(received.status).toBe(200)
    // And a trace of its own, whose root span's name is a URL with a token.
    const other = await call('/otlp/v1/traces', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ resource: { attributes: otlpAttributes({ 'service.name': 'payments' }) }, scopeSpans: [{ scope: { name: 'payments' }, spans: [{ traceId: 'cd'.repeat(16), spanId: 'cd'.repeat(8), name: 'POST /cb?token=SECRET-10', kind: 2, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1e6) }] }] }] }),
    })
    expect(other.status).toBe(200)

    const { spans } = (await (await call(`/api/traces/${traceId}`)).json()) as { spans: ToolbarSpan[] }
    const appSpan = spans.find((s) => s.name.startsWith('GET /hooks'))!
    const remote = spans.find((s) => s.name === 'charge')!
    expect(remote.source).toBe('otlp_http')
    for (const span of [appSpan, remote]) expect(span.attributes).toMatchObject(SHOWN)
    expect(appSpan.name).toBe('GET /hooks?token=REDACTED')
    expect(appSpan.events[0]!.attributes).toEqual({ password: 'REDACTED', attempt: 2 })
    expect(appSpan.status.message).toBe('refused: api_key=REDACTED')
    expect(remote.resource).toMatchObject({ 'service.name': 'payments', 'deployment.secret': 'REDACTED' })

    const everything = [
      await (await call(`/api/traces/${traceId}`)).text(),
      await (await call(`/api/traces/${traceId}/spans`)).text(),
      await (await call(`/api/traces/${traceId}/otlp`)).text(),
      await (await call(`/api/traces/${traceId}/analysis`)).text(),
      await (await call('/api/traces')).text(),
      JSON.stringify(events),
    ].join('\n')
    expect(everything).toContain('POST /cb?token=REDACTED')
    expect(everything).not.toMatch(/SECRET-\d/)
    expect(everything).toContain('text/html')

    // The spans themselves are kept and exported as the app set them.
    await panel.forceFlush()
    const exported = exporter.getFinishedSpans().find((s) => s.name.startsWith('GET /hooks'))!
    expect(exported.attributes['app.api_key']).toBe('SECRET-2')
    await panel.shutdown()
  })

  it('agree with what the MCP server sends: a header attribute with a credential of its own name', () => {
    expect(redactValue({ attributes: SENT })).toEqual({ attributes: SHOWN })
  })
})
