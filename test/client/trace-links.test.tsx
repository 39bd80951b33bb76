/** @jsxImportSource preact */
import { describe, expect, it } from 'vitest'
import { renderToString } from 'preact-render-to-string'
import { BasicTracerProvider, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { TraceLinks, JAEGER_COMMAND } from '../../templates/client/panels/trace-links.js'
import { otelApp } from '../support/otel-app.js'

async function statsWith(options: Parameters<typeof otelApp>[0]) {
  const { app, run } = otelApp(options)
  app.get('/', (c) => c.text('ok'))
  return (await run('/')).stats
}

describe('the trace links', () => {
  it('say that nothing is exported, with the command that starts Jaeger, instead of links to a trace that does not exist', async () => {
    const stats = await statsWith({ exporter: 'none' })
    expect(stats.exportMode).toBe('none')
    const html = renderToString(<TraceLinks stats={stats} />)
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
    const html = renderToString(<TraceLinks stats={stats} imported={imported} />)
    expect(html).toContain(`href="/_debug_toolbar/api/traces/${imported}/otlp" download="trace-${imported}.json"`)
    expect(html).not.toContain(stats.traceId)
    expect(html).not.toContain('Open in Jaeger')
  })

  it('link to Jaeger and Zipkin when the panel exports', async () => {
    const stats = await statsWith({ exporter: new InMemorySpanExporter() })
    expect(stats.exportMode).toBe('toolbar')
    const html = renderToString(<TraceLinks stats={stats} />)
    expect(html).toContain(`href="${stats.links.jaeger}"`)
    expect(html).toContain(`href="${stats.links.zipkin}"`)
    expect(html).not.toContain('Nothing is exported')
  })

  it('keep the links when the app\'s own tracer provider exports', async () => {
    const stats = await statsWith({ tracerProvider: new BasicTracerProvider() })
    expect(stats.exportMode).toBe('app')
    expect(renderToString(<TraceLinks stats={stats} />)).toContain('Open in Jaeger')
  })
})
