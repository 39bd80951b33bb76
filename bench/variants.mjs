// Every benchmark's apps, set up one way: `useVariant(app, variant)` adds what the variant
// names to a Hono app (the toolbar and its options, @hono/otel, a pass-through middleware)
// and returns false for a name it does not know. bench/server.mjs serves one over HTTP,
// bench/inprocess.mjs calls one without sockets. The page every variant serves is `html`.
import { useHonoOtel, useToolbarOtel } from './otel-variants.mjs'

export const html = '<!doctype html><html><head><title>bench</title></head><body><h1>Hello</h1><p>A small page.</p></body></html>'

/** 500 (or `count`) more routes, none of which the benchmark asks for. */
export function addRoutes(app, count = 500) {
  for (let i = 0; i < count; i++) app.get(`/section-${i}/items/:id`, (c) => c.text(String(i)))
}

/**
 * Adds `variant` to `app`. `collector()` gives the OTLP/gRPC address of bench/collector.mjs
 * to the variants that export; it is only called by them.
 */
export async function useVariant(app, variant, collector) {
  switch (variant) {
    case 'plain':
      return true
    case 'plain-500':
      // The same 500 extra routes as toolbar-500, without the toolbar: what the router costs.
      addRoutes(app)
      return true
    case 'passthrough':
      app.use(async (_c, next) => {
        await next()
      })
      return true
    case 'als-passthrough': {
      // What one AsyncLocalStorage costs a middleware (the toolbar and @hono/otel both use one).
      const { AsyncLocalStorage } = await import('node:async_hooks')
      const storage = new AsyncLocalStorage()
      app.use((_c, next) => storage.run({}, next))
      return true
    }
    case 'als2-passthrough': {
      // Two AsyncLocalStorage instances, nested: the toolbar's and OpenTelemetry's context manager.
      const { AsyncLocalStorage } = await import('node:async_hooks')
      const first = new AsyncLocalStorage()
      const second = new AsyncLocalStorage()
      app.use((_c, next) => first.run({}, () => second.run({}, next)))
      return true
    }
    case 'toolbar-disabled': {
      const { debugToolbar } = await import('hono-debug-toolbar')
      app.use(debugToolbar({ enabled: false }))
      return true
    }
    case 'toolbar-core': {
      // The toolbar with no panels: what recording, streaming and injection cost by themselves.
      const { debugToolbar } = await import('hono-debug-toolbar')
      app.use(debugToolbar({ app, panels: [] }))
      return true
    }
    case 'toolbar': {
      // BENCH_MAX_REQUESTS: another history size than the default 50.
      const { debugToolbar } = await import('hono-debug-toolbar')
      app.use(debugToolbar({ app, ...(process.env.BENCH_MAX_REQUESTS && { maxRequests: Number(process.env.BENCH_MAX_REQUESTS) }) }))
      return true
    }
    case 'toolbar-500': {
      // The same toolbar on an app with 500 more routes: the cost per request must not grow.
      const { debugToolbar } = await import('hono-debug-toolbar')
      app.use(debugToolbar({ app }))
      addRoutes(app)
      return true
    }
    case 'toolbar-otel-none': {
      const { debugToolbar } = await import('hono-debug-toolbar')
      const { OpenTelemetryPanel } = await import('hono-debug-toolbar/opentelemetry')
      app.use(debugToolbar({ app, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'bench' })] }))
      return true
    }
    case 'hono-otel-none': {
      // @hono/otel with the SDK and an exporter that keeps spans in memory (emptied every 200 ms).
      const { context, trace } = await import('@opentelemetry/api')
      const { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } = await import('@opentelemetry/sdk-trace-base')
      const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks')
      const { httpInstrumentationMiddleware } = await import('@hono/otel')
      const exporter = new InMemorySpanExporter()
      setInterval(() => exporter.reset(), 200).unref()
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
      trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] }))
      app.use(httpInstrumentationMiddleware({ serviceName: 'bench' }))
      return true
    }
    case 'toolbar-otel':
      await useToolbarOtel(app, collector())
      return true
    case 'hono-otel':
      await useHonoOtel(app, collector())
      return true
    default:
      return usePanelVariant(app, variant)
  }
}

// `panel=TimerPanel`: the toolbar with that one default panel; `without=TimerPanel`: the
// default panels but that one (to find which panel a cost comes from).
async function usePanelVariant(app, variant) {
  const [kind, name] = variant?.split('=') ?? []
  if ((kind !== 'panel' && kind !== 'without') || !name) return false
  const toolbar = await import('hono-debug-toolbar')
  const panels = toolbar.defaultPanels().filter((panel) => (panel.constructor.name === name) === (kind === 'panel'))
  app.use(toolbar.debugToolbar({ app, panels }))
  return true
}
