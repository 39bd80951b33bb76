// The two exporting variants every benchmark compares, set up one way for all of them:
// the toolbar with the OpenTelemetry panel, and @hono/otel with the SDK's BatchSpanProcessor,
// both sending OTLP/gRPC to the collector at `url` (bench/collector.mjs).

/**
 * The toolbar with its default panels and the OpenTelemetry panel. BENCH_SMALL keeps 5
 * requests and 5 traces; BENCH_CORE leaves the default panels out (bench/server.mjs).
 */
export async function useToolbarOtel(app, url) {
  const { debugToolbar } = await import('hono-debug-toolbar')
  const { OpenTelemetryPanel } = await import('hono-debug-toolbar/opentelemetry')
  const otel = new OpenTelemetryPanel({ exporter: 'otlp', otlpProtocol: 'grpc', otlpEndpoint: url, serviceName: 'bench', ...(process.env.BENCH_SMALL && { maxTraces: 5 }) })
  app.use(debugToolbar({ app, extraPanels: [otel], ...(process.env.BENCH_SMALL && { maxRequests: 5 }), ...(process.env.BENCH_CORE && { panels: [] }) }))
}

/** @hono/otel's middleware with the SDK registered as an app registers it. */
export async function useHonoOtel(app, url) {
  const { context, trace } = await import('@opentelemetry/api')
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base')
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks')
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc')
  const { httpInstrumentationMiddleware } = await import('@hono/otel')
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))] }))
  app.use(httpInstrumentationMiddleware({ serviceName: 'bench' }))
}
