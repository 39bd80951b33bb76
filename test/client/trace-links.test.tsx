/** @jsxImportSource preact */
import { describe, expect, it } from 'vitest'
import { renderToString } from 'preact-render-to-string'
import { BasicTracerProvider, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { TraceLinks, JAEGER_COMMAND } from '../../templates/client/panels/trace-links.js'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, otlpJsonFromToolbarSpans, type OpenTelemetryStats } from '../../src/opentelemetry/index.js'
import { otelApp } from '../support/otel-app.js'
import { clientEnv } from '../support/local.js'
import { syntheticTrace } from '../support/synthetic-spans.js'

async function statsWith(options: Parameters<typeof otelApp>[0]) {
  const { app, run } = otelApp(options)
  app.get('/', (c) => c.text('ok'))
  return (await run('/')).stats
}

describe('the trace links', () => {
  it('say that nothing is exported, with the command that starts Jaeger, instead of links to a trace that does not exist', async () => {
    const stats = await statsWith({ exporter: 'none' })
    expect(stats.exportMode).toBe('none')
    const html = renderToString(<TraceLinks stats={stats} prefix="/_debug_toolbar" />)
    expect(html).toContain('Nothing is exported')
    expect(html).toContain(JAEGER_COMMAND)
    expect(html).toContain('OTEL_TRACES_EXPORTER=otlp')
    expect(html).not.toContain('Open in Jaeger')
    expect(html).not.toContain(stats.links.zipkin)
    expect(html).toContain('Download OTLP JSON')
  })

  it('download the imported trace while one is shown, with no link to a collector that never had it', async () => {
    const stats = await statsWith({ exporter: new InMemorySpanExporter() })
    const imported = 'abab'.repeat(8)
    const html = renderToString(<TraceLinks stats={stats} prefix="/_debug_toolbar" imported={imported} />)
    expect(html).toContain(`href="/_debug_toolbar/api/traces/${imported}/otlp" download="trace-${imported}.json"`)
    expect(html).not.toContain(stats.traceId)
    expect(html).not.toContain('Open in Jaeger')
  })

  it("download the imported trace from the toolbar's route, even when the request's trace id is part of the prefix", async () => {
    const requestTrace = 'c3'.repeat(16)
    // A prefix that holds the request's trace id (and the routes' own words) where a string
    // replacement would find them first.
    const prefix = `/api/traces/${requestTrace}/debug`
    const app = new Hono()
    app.use(debugToolbar({ prefix, extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
    app.get('/', (c) => c.text('ok'))
    const res = await app.request('/', { headers: { traceparent: `00-${requestTrace}-00f067aa0ba902b7-01` } }, clientEnv())
    await res.text()
    const detail = await (await app.request(`${prefix}/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, clientEnv())).json()
    const stats = detail.panels.opentelemetry as OpenTelemetryStats
    expect(stats.traceId).toBe(requestTrace)
    const file = syntheticTrace('linked import', [{ name: 'P', start: 0, end: 10 }])
    const imported = (await (await app.request(`${prefix}/api/traces/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlpJsonFromToolbarSpans(file)) }, clientEnv())).json()).traceIds[0]

    const html = renderToString(<TraceLinks stats={stats} prefix={prefix} imported={imported} />)
    const href = /href="([^"]+)" download/.exec(html)![1]!
    expect(href).toBe(`${prefix}/api/traces/${imported}/otlp`)
    // The link downloads the imported trace, not the request's.
    const download = await app.request(href, undefined, clientEnv())
    expect(download.status).toBe(200)
    const ids = new Set((await download.json()).resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans.map((span: any) => span.traceId))))
    expect([...ids]).toEqual([imported])
  })

  it('link to Jaeger and Zipkin when the panel exports', async () => {
    const stats = await statsWith({ exporter: new InMemorySpanExporter() })
    expect(stats.exportMode).toBe('toolbar')
    const html = renderToString(<TraceLinks stats={stats} prefix="/_debug_toolbar" />)
    expect(html).toContain(`href="${stats.links.jaeger}"`)
    expect(html).toContain(`href="${stats.links.zipkin}"`)
    expect(html).not.toContain('Nothing is exported')
  })

  it('keep the links when the app\'s own tracer provider exports', async () => {
    const stats = await statsWith({ tracerProvider: new BasicTracerProvider() })
    expect(stats.exportMode).toBe('app')
    expect(renderToString(<TraceLinks stats={stats} prefix="/_debug_toolbar" />)).toContain('Open in Jaeger')
  })
})
