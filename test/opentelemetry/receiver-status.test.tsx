/** @jsxImportSource preact */
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { renderToString } from 'preact-render-to-string'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, type OpenTelemetryStats } from '../../src/opentelemetry/index.js'
import { ReceiverStatusLine } from '../../templates/client/panels/receiver-status.js'
import { request } from '../support/local.js'

describe("the OpenTelemetry panel's receiver line", () => {
  it('names every URL other services can send their spans to, after the page origin, and what they sent', async () => {
    const app = new Hono()
    app.use(debugToolbar({ prefix: '/__dt', extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
    app.get('/', (c) => c.text('ok'))
    const v1 = [{ traceId: 'a3ce929d0e0e4736', id: 'b3ce929d0e0e4736', name: 'get', timestamp: Date.now() * 1000, duration: 1000, annotations: [], binaryAnnotations: [{ key: 'lc', value: '', endpoint: { serviceName: 'stock' } }] }]
    const sent = await request(app, '/__dt/zipkin/api/v1/spans', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(v1) })
    expect(sent.status).toBe(202)
    const res = await request(app, '/')
    const stats: OpenTelemetryStats = (await request(app, `/__dt/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json().panels.opentelemetry
    const line = renderToString(<ReceiverStatusLine status={stats.receiver} origin="http://127.0.0.1:3000" />).replace(/<[^>]+>/g, '')
    expect(line).toBe(
      'Receiving OTLP at http://127.0.0.1:3000/__dt/otlp/v1/traces, Zipkin v2 JSON at http://127.0.0.1:3000/__dt/zipkin/api/v2/spans ' +
        'and v1 JSON at http://127.0.0.1:3000/__dt/zipkin/api/v1/spans · 1 export, 1 span',
    )
  })
})
