// One benchmark variant as its own process: `node bench/server.mjs <variant>` serves a
// trivial HTML route on 127.0.0.1 and prints its port. Variants are compared in one run.
import { Hono } from 'hono'
import { serve } from '@hono/node-server'

const variant = process.argv[2]
const app = new Hono()

switch (variant) {
  case 'plain':
    break
  case 'passthrough':
    app.use(async (_c, next) => {
      await next()
    })
    break
  case 'toolbar-disabled': {
    const { debugToolbar } = await import('hono-debug-toolbar')
    app.use(debugToolbar({ enabled: false }))
    break
  }
  case 'toolbar-core': {
    // The toolbar with no panels: what recording, streaming and injection cost by themselves.
    const { debugToolbar } = await import('hono-debug-toolbar')
    app.use(debugToolbar({ app, panels: [] }))
    break
  }
  case 'toolbar': {
    const { debugToolbar } = await import('hono-debug-toolbar')
    app.use(debugToolbar({ app }))
    break
  }
  case 'toolbar-otel': {
    const { debugToolbar } = await import('hono-debug-toolbar')
    const { OpenTelemetryPanel } = await import('hono-debug-toolbar/opentelemetry')
    app.use(debugToolbar({ app, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'bench' })] }))
    break
  }
  case 'hono-otel': {
    const { trace } = await import('@opentelemetry/api')
    const { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } = await import('@opentelemetry/sdk-trace-base')
    const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks')
    const { context } = await import('@opentelemetry/api')
    const { httpInstrumentationMiddleware } = await import('@hono/otel')
    const exporter = new InMemorySpanExporter()
    // Drop exported spans so memory stays flat, like the toolbar's 'none' exporter.
    setInterval(() => exporter.reset(), 1000).unref()
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] }))
    app.use(httpInstrumentationMiddleware({ serviceName: 'bench' }))
    break
  }
  default:
    console.error(`unknown variant ${variant}`)
    process.exit(2)
}

const html = '<!doctype html><html><head><title>bench</title></head><body><h1>Hello</h1><p>A small page.</p></body></html>'
app.get('/', (c) => c.html(html))

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${info.port}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
