import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { loopbackServers } from '../support/loopback-service.js'
import { call, connect } from './app.js'

describe('links to Jaeger and Zipkin only where the trace was sent', () => {
  const start = loopbackServers()

  const served = async (exporter: 'none' | InMemorySpanExporter) => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter, serviceName: 'shop' })] }))
    app.get('/orders', (c) => c.text('orders'))
    const base = await start(app)
    const res = await fetch(`${base}/orders`)
    await res.text()
    return { base, id: res.headers.get('x-debug-toolbar-request-id')! }
  }

  it("with exporter 'none', gives no Jaeger or Zipkin link and says why, as the waterfall does", async () => {
    const { base, id } = await served('none')
    const client = await connect(base)
    try {
      const links = await call(client, 'get_links', { request_id: id })
      expect(links.data.links.jaeger).toBeUndefined()
      expect(links.data.links.zipkin).toBeUndefined()
      expect(links.data.links.otlpJson).toMatch(/\/otlp$/)
      expect(links.text).toMatch(/^\(no Jaeger, Zipkin or Tempo link: nothing is exported \(the OpenTelemetry panel's exporter is 'none'\), so they never received the trace\)$/m)
      // A span's line would have no Jaeger link to give: none is written, the note says why.
      const trace = await call(client, 'get_trace', { request_id: id })
      const spans = await call(client, 'get_links', { trace_id: trace.data.traceId, span_ids: [trace.data.lines[0].spanIds[0]] })
      expect(spans.text).not.toMatch(/^span /m)
      expect(spans.text).toMatch(/nothing is exported/)
      const brief = await call(client, 'get_request', { request_id: id })
      expect(brief.text).toMatch(/^Links: .*otlpJson \S+ \(no Jaeger, Zipkin or Tempo link: nothing is exported/m)
      expect(brief.text).not.toMatch(/jaeger|zipkin http/)
    } finally {
      await client.close()
    }
  })

  it('with an exporter, links the trace in Jaeger and Zipkin', async () => {
    const { base, id } = await served(new InMemorySpanExporter())
    const client = await connect(base)
    try {
      const links = await call(client, 'get_links', { request_id: id })
      expect(links.data.links.jaeger).toMatch(/^http:\/\/localhost:16686\/trace\/[0-9a-f]{32}$/)
      expect(links.text).not.toMatch(/nothing is exported/)
    } finally {
      await client.close()
    }
  })
})
