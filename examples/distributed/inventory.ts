import { Hono } from 'hono'
import { routePath } from 'hono/route'
import Database from 'better-sqlite3'
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'

/**
 * The inventory service of the distributed example: a plain Hono app that knows nothing
 * of the toolbar. It is instrumented the standard way, with the OpenTelemetry JS SDK: its
 * own NodeTracerProvider, the official OTLP/HTTP exporter (configured only by the standard
 * `OTEL_EXPORTER_OTLP_ENDPOINT` variable) and a SimpleSpanProcessor, so that each span is
 * sent the moment it ends. Pointed at the frontend's toolbar, its spans join the
 * frontend's waterfall.
 */
export function createInventory(): { app: Hono; shutdown(): Promise<void> } {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? 'inventory' }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter())],
  })
  // Registers the provider, the AsyncLocalStorage context manager and the W3C propagator.
  provider.register()
  const tracer = trace.getTracer('inventory', '1.0.0')

  const db = new Database(':memory:')
  db.exec(`
    CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, stock INTEGER NOT NULL);
    INSERT INTO products (name, stock) VALUES ('Kettle', 12), ('Teapot', 3), ('Tea cups (6)', 0), ('Loose-leaf tea', 40);
  `)
  const sql = 'SELECT id, name, stock FROM products ORDER BY name'
  const listProducts = db.prepare(sql)

  const app = new Hono()

  // A SERVER span per request, continuing the caller's trace from its traceparent header.
  app.use(async function serverSpan(c, next) {
    const parent = propagation.extract(context.active(), Object.fromEntries(c.req.raw.headers))
    const span = tracer.startSpan(`${c.req.method} ${c.req.path}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': c.req.method, 'url.path': c.req.path },
    }, parent)
    await context.with(trace.setSpan(parent, span), next)
    span.updateName(`${c.req.method} ${routePath(c)}`)
    span.setAttributes({ 'http.route': routePath(c), 'http.response.status_code': c.res.status })
    if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
    span.end()
  })

  app.get('/products', (c) => {
    const rows = tracer.startActiveSpan('SELECT products', {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'sqlite', 'db.operation.name': 'SELECT', 'db.collection.name': 'products', 'db.query.text': sql },
    }, (span) => {
      try {
        const result = listProducts.all() as Array<{ id: number; name: string; stock: number }>
        span.setAttribute('db.response.returned_rows', result.length)
        return result
      } finally {
        span.end()
      }
    })
    return c.json(rows)
  })

  return { app, shutdown: () => provider.shutdown() }
}
