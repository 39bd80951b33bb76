import { context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'

const resetGlobals = () => {
  trace.disable()
  context.disable()
  propagation.disable()
}

describe('OpenTelemetryPanel in production (toolbar off)', () => {
  const nodeEnv = process.env.NODE_ENV
  beforeEach(() => {
    resetGlobals()
    process.env.NODE_ENV = 'production'
  })
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv
    resetGlobals()
  })

  it("leaves the process's OpenTelemetry to the app, which sets it up after the toolbar and traces as it would without it", async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ serviceName: 'shop' })] }))
    // The app's own setup, after the middleware was made (NodeSDK.start() in main, say).
    const exporter = new InMemorySpanExporter()
    expect(trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))).toBe(true)
    expect(context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())).toBe(true)
    expect(propagation.setGlobalPropagator(new W3CTraceContextPropagator())).toBe(true)
    app.get('/checkout', (c) => {
      trace.getTracer('shop').startActiveSpan('checkout', (span) => span.end())
      return c.text('ok')
    })

    const response = await app.request('/checkout')
    expect(response.headers.get('x-debug-toolbar-request-id')).toBeNull()
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['checkout'])
  })
})
