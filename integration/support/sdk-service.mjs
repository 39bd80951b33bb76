// A downstream service instrumented with the official OpenTelemetry JS SDK, run as its own
// process by the receiver tests: a node:http server whose request handler continues the
// caller's trace (W3C traceparent), makes a SERVER span and a child span, and exports them
// at once (SimpleSpanProcessor) with the exporter named by SDK_EXPORTER (proto | json | grpc),
// configured only by the standard OTEL_EXPORTER_OTLP_* variables. Prints "listening <port>".
import { createServer } from 'node:http'
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'

const kind = process.env.SDK_EXPORTER ?? 'proto'
const { OTLPTraceExporter } =
  kind === 'grpc'
    ? await import('@opentelemetry/exporter-trace-otlp-grpc')
    : kind === 'json'
      ? await import('@opentelemetry/exporter-trace-otlp-http')
      : await import('@opentelemetry/exporter-trace-otlp-proto')

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': process.env.SERVICE_NAME ?? 'inventory' }),
  spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter())],
})
provider.register()
const tracer = trace.getTracer('inventory-service', '1.0.0')

const server = createServer((req, res) => {
  const parent = propagation.extract(context.active(), req.headers)
  tracer.startActiveSpan(`GET ${req.url}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET' } }, parent, (span) => {
    const query = tracer.startSpan('SELECT stock', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'sqlite', 'db.query.text': 'SELECT count FROM stock WHERE sku = ?' } })
    query.setStatus({ code: SpanStatusCode.OK })
    query.end()
    span.setAttribute('http.response.status_code', 200)
    span.end()
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ sku: 'kettle', count: 3 }))
  })
})
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`))

process.on('SIGTERM', async () => {
  server.close()
  await provider.shutdown().catch(() => undefined)
  process.exit(0)
})
