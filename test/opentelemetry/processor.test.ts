import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { context, trace } from '@opentelemetry/api'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { debugToolbar, type ToolbarEvent } from '../../src/index.js'
import { OpenTelemetryPanel, toolbarSpanProcessor, ToolbarSpanProcessor, type OpenTelemetryStats } from '../../src/opentelemetry/index.js'
import { withSpans, type StatsWithSpans } from '../support/trace-spans.js'

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }

function makeApp(options: ConstructorParameters<typeof OpenTelemetryPanel>[0] = {}) {
  const app = new Hono()
  const panel = new OpenTelemetryPanel({ exporter: 'none', ...options })
  const middleware = debugToolbar({ extraPanels: [panel] })
  app.use(middleware)
  const events: ToolbarEvent[] = []
  middleware.toolbar.events.subscribe((event) => events.push(event))
  const run = async (path: string) => {
    const res = await app.request(path, undefined, loopback)
    await res.text()
    const id = res.headers.get('x-debug-toolbar-request-id')
    const detail = await (await app.request(`/_debug_toolbar/api/requests/${id}`, undefined, loopback)).json()
    return withSpans(app, detail.panels.opentelemetry as OpenTelemetryStats)
  }
  const traceSpans = async (traceId: string) =>
    (await (await app.request(`/_debug_toolbar/api/traces/${traceId}`, undefined, loopback)).json()).spans as Array<{ name: string }>
  return { app, panel, run, traceSpans, events }
}

describe('ToolbarSpanProcessor', () => {
  it('is one shared instance', () => {
    expect(toolbarSpanProcessor()).toBe(toolbarSpanProcessor())
    expect(new OpenTelemetryPanel({ exporter: 'none' }).processor).toBe(toolbarSpanProcessor())
  })

  it('lets a span that ends within the grace period join the trace, and says so', async () => {
    const { app, run, traceSpans, events } = makeApp({ gracePeriodMs: 60_000 })
    let later!: () => void
    app.get('/', (c) => {
      const span = trace.getTracer('app').startSpan('background job')
      later = () => span.end()
      return c.text('ok')
    })
    const stats = await run('/')
    expect(stats.inFlightSpans).toBe(1)
    expect(stats.spans.find((s) => s.name === 'background job')!.endTimeUnixNano).toBeUndefined()
    later()
    expect((await traceSpans(stats.traceId)).map((s) => s.name).sort()).toEqual(['GET /', 'background job'])
    expect(events).toContainEqual({
      type: 'trace.updated',
      data: expect.objectContaining({ traceId: stats.traceId, name: 'background job', spanCount: 2, source: 'local' }),
    })
  })

  it('leaves out spans that end after the grace period', async () => {
    const { app, run, traceSpans } = makeApp({ gracePeriodMs: 0 })
    let later!: () => void
    app.get('/', (c) => {
      const ctx = context.active()
      later = () => trace.getTracer('app').startSpan('too late', {}, ctx).end()
      return c.text('ok')
    })
    const stats = await run('/')
    later()
    expect((await traceSpans(stats.traceId)).map((s) => s.name)).toEqual(['GET /'])
  })

  it('keeps at most maxSpansPerTrace spans and counts the rest', async () => {
    const { app, run } = makeApp({ maxSpansPerTrace: 10 })
    app.get('/', (c) => {
      for (let i = 0; i < 25; i++) trace.getTracer('app').startSpan(`step ${i}`).end()
      return c.text('ok')
    })
    const stats = await run('/')
    expect(stats.spans).toHaveLength(10)
    // The SERVER span held its place from its start: 9 steps are kept, 16 dropped.
    expect(stats.spans.filter((span) => span.kind === 'SERVER').map((span) => span.name)).toEqual(['GET /'])
    expect(stats.droppedSpans).toBe(16)
  })

  it('ignores spans of traces that are not recorded', () => {
    const processor = new ToolbarSpanProcessor()
    const provider = new BasicTracerProvider({ spanProcessors: [processor] })
    const span = provider.getTracer('app').startSpan('outside')
    span.end()
    expect(processor.traces.spans(span.spanContext().traceId)).toBeUndefined()
    expect(processor.traces.size).toBe(0)
  })

  it('collects the spans of the app\'s own provider when it is given as tracerProvider', async () => {
    const exported = new InMemorySpanExporter()
    const provider = new BasicTracerProvider({ spanProcessors: [toolbarSpanProcessor(), new SimpleSpanProcessor(exported)] })
    const { app, run, panel } = makeApp({ tracerProvider: provider })
    app.get('/', (c) => {
      provider.getTracer('app').startSpan('own provider').end()
      return c.text('ok')
    })
    const stats = await run('/')
    expect(stats.spans.map((s) => s.name).sort()).toEqual(['GET /', 'own provider'])
    expect(stats.export).toEqual({ attempts: 0, successes: 0, failures: 0, spans: 0, exporters: [] })
    expect(exported.getFinishedSpans().map((s) => s.name).sort()).toEqual(['GET /', 'own provider'])
    expect(panel.provider).toBeUndefined()
  })
})
