/**
 * OpenTelemetry's globals when a toolbar is retired and a new one is made in the same
 * process, as a save under Vite's dev server does (`integration/vite-dev-server.test.ts`
 * runs the real thing): the tracers the app took before go on with the new panel.
 */
import { context, propagation, trace, type ProxyTracerProvider, type Tracer } from '@opentelemetry/api'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { EventEmitter } from 'node:events'
import { debugToolbar, recordQuery } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'

afterEach(() => {
  trace.disable()
  context.disable()
  propagation.disable()
})

/** An app whose handler starts a span with `tracer` and answers the headers it would send downstream. */
function makeApp(panel: OpenTelemetryPanel, tracer: () => Tracer) {
  const app = new Hono()
  const middleware = debugToolbar({ app, extraPanels: [panel] })
  app.use(middleware)
  app.get('/', (c) =>
    tracer().startActiveSpan('work', (span) => {
      const headers: Record<string, string> = {}
      propagation.inject(context.active(), headers)
      span.end()
      return c.json(Object.keys(headers))
    }),
  )
  return { app, toolbar: middleware.toolbar }
}

function workServices(exporter: InMemorySpanExporter): unknown[] {
  return exporter.getFinishedSpans().filter((span) => span.name === 'work').map((span) => span.resource.attributes['service.name'])
}

describe("OpenTelemetry's globals across a retired toolbar", () => {
  it("hands the app's tracers and propagation to the next panel, which exports their spans", async () => {
    const before = new InMemorySpanExporter()
    const after = new InMemorySpanExporter()
    const first = new OpenTelemetryPanel({ serviceName: 'shop-1', exporter: before })
    let tracer: Tracer | undefined
    const one = makeApp(first, () => (tracer ??= trace.getTracer('shop')))
    expect(await (await one.app.request('/')).json()).toEqual(['traceparent'])
    await first.forceFlush()
    expect(workServices(before)).toEqual(['shop-1'])

    // The entry module evaluated again: the old toolbar retires, the new one is made.
    await one.toolbar.retire()
    const second = new OpenTelemetryPanel({ serviceName: 'shop-2', exporter: after, propagators: ['b3'] })
    // The tracer the app took before the save, unchanged.
    const two = makeApp(second, () => tracer!)
    expect(await (await two.app.request('/')).json()).toEqual(['b3'])
    await second.forceFlush()
    expect(workServices(after)).toEqual(['shop-2'])
    await second.shutdown()
  })

  it('flushes when the app flushes the global tracer provider, as serverless instrumentations do', async () => {
    const exporter = new InMemorySpanExporter()
    const panel = new OpenTelemetryPanel({ serviceName: 'shop', exporter })
    const { app } = makeApp(panel, () => trace.getTracer('shop'))
    await (await app.request('/')).json()
    // What AWS Lambda's instrumentation does before the function returns.
    const global = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate() as { forceFlush?: () => Promise<void> }
    expect(typeof global.forceFlush).toBe('function')
    await global.forceFlush!()
    expect(workServices(exporter)).toEqual(['shop'])
    await panel.shutdown()
  })

  it('exports through the next panel what work a request left running does after a save under Vite', async () => {
    // What @hono/vite-dev-server puts in c.env: the dev server, whose HTTP server closing retires the last toolbar.
    const httpServer = new EventEmitter()
    const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } }, vite: { httpServer } }
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let emailSent: Promise<void> | undefined
    // The entry module: evaluated once at start and again after the save, by the same code.
    const evaluate = (panel: OpenTelemetryPanel) => {
      const app = new Hono()
      app.use(debugToolbar({ app, extraPanels: [panel] }))
      app.post('/signup', (c) => {
        emailSent = released.then(() => void recordQuery({ sql: 'INSERT INTO outbox (kind) VALUES (?)', params: ['welcome'], durationMs: 1.5, dbSystem: 'sqlite' }))
        return c.text('ok')
      })
      return app
    }
    const after = new InMemorySpanExporter()
    const second = new OpenTelemetryPanel({ serviceName: 'shop-2', exporter: after })
    try {
      const first = evaluate(new OpenTelemetryPanel({ serviceName: 'shop-1', exporter: new InMemorySpanExporter() }))
      await (await first.request('/signup', { method: 'POST' }, env)).text()
      // Saved while the request's email is still being sent.
      evaluate(second)
      release()
      await emailSent
      await second.forceFlush()
      expect(after.getFinishedSpans().filter((span) => span.name === 'INSERT outbox').map((span) => span.resource.attributes['service.name'])).toEqual(['shop-2'])
    } finally {
      httpServer.emit('close')
      await second.shutdown()
    }
  })
})
