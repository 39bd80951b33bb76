/**
 * "Download OTLP JSON" against the official OTLP/HTTP JSON exporter: the panel's file
 * carries every span field the exporter sends (traceState and flags included), and the file
 * posted to an OTLP/HTTP JSON endpoint (the loopback peer) gives back the same spans.
 */
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar, recordLog } from '../src/index.js'
import { OpenTelemetryPanel } from '../src/opentelemetry/index.js'
import { toolbarSpansFromOtlp } from '../src/opentelemetry/otlp-json.js'
import type { OtlpSpan, OtlpTraceRequest } from '../src/opentelemetry/otlp-proto.js'
import type { ToolbarSpan } from '../src/opentelemetry/span-model.js'
import { startOtlpHttpPeer } from './peers/index.js'

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'

function spansOf(request: OtlpTraceRequest): Array<OtlpSpan<unknown>> {
  return (request.resourceSpans ?? []).flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? []))
}

const bySpanId = (a: ToolbarSpan, b: ToolbarSpan) => (a.spanId < b.spanId ? -1 : 1)
const comparable = (spans: ToolbarSpan[]) => spans.map((s) => ({ ...s, source: 'otlp_http' })).sort(bySpanId)

describe('the OTLP/JSON download', () => {
  it('keeps traceState and flags as the OTLP exporter sends them, and posted back it reproduces the spans', async () => {
    const peer = await startOtlpHttpPeer()
    const panel = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'otlp', otlpProtocol: 'http/json', otlpEndpoint: peer.url })
    try {
      const app = new Hono()
      app.use(debugToolbar({ extraPanels: [panel] }))
      app.get('/orders/:id', (c) => {
        recordLog('info', 'loading order')
        return c.text('ok')
      })
      const res = await app.request('/orders/7', {
        headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01`, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' },
      }, loopback)
      await res.text()
      await panel.forceFlush()
      const exported = await peer.waitForSpans((all) => all.some((s) => s.traceId === TRACE && s.kind === 'SERVER'), 10_000)
      const sentRaw = peer.requests.filter((r) => r.format === 'json').flatMap((r) => spansOf(r.request))
      const sentServer = sentRaw.find((s) => s.kind === 2)!
      // What the official exporter puts on the wire for a span continuing a remote parent.
      expect(sentServer.traceState).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')
      expect(sentServer.flags).toBe(0x301)

      const download = await app.request(`/_debug_toolbar/api/traces/${TRACE}/otlp`, undefined, loopback)
      expect(download.status).toBe(200)
      const file = await download.text()
      const fileServer = spansOf(JSON.parse(file)).find((s) => s.kind === 2)!
      expect(fileServer.traceState).toBe(sentServer.traceState)
      expect(fileServer.flags).toBe(sentServer.flags)

      // Posted to an OTLP/HTTP JSON endpoint, the file gives the spans the exporter sent.
      const before = peer.requests.length
      const posted = await fetch(peer.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: file })
      expect(posted.status).toBe(200)
      const reproduced = toolbarSpansFromOtlp(peer.requests[before]!.request, 'otlp_http')
      const original = exported.filter((s) => s.traceId === TRACE)
      expect(reproduced.length).toBe(original.length)
      expect(comparable(reproduced)).toEqual(comparable(original))
    } finally {
      await panel.shutdown()
      await peer.close()
    }
  })
})
