// What the official OTLP/gRPC exporter costs per span, by batch size: `node bench/export-cost.mjs
// [--spans 20000] [--sizes 64,512,2048] [--passes 2]` makes SERVER spans with the attributes of
// the OpenTelemetry panel's (the SDK's own Span, captured in memory), then exports them in
// batches of each size to the loopback collector (bench/collector.mjs) and divides this
// process's CPU time (serialising, gRPC, HTTP/2) by the spans. Both exporting variants of
// bench/http.mjs pay this for each request's span; their batch processors export 512 at a time.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc'

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
)
const count = Number(args.spans ?? 20000)
const sizes = (args.sizes ?? '64,512,2048').split(',').map(Number)
const passes = Number(args.passes ?? 2)

const collector = spawn(process.execPath, [new URL('./collector.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] })
const port = String((await once(collector.stdout, 'data'))[0]).trim()
const captured = new InMemorySpanExporter()
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(captured)] }).getTracer('bench')
const attributes = { 'http.request.method': 'GET', 'url.path': '/', 'url.scheme': 'http', 'http.route': '/', 'user_agent.original': 'autocannon', 'http.response.status_code': 200 }
for (let i = 0; i < count; i++) tracer.startSpan('GET /', { kind: 1, attributes }).end()
const spans = captured.getFinishedSpans()
const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}` })
const send = (batch) => new Promise((resolve) => exporter.export(batch, resolve))

const results = Object.fromEntries(sizes.map((size) => [size, []]))
for (let pass = 0; pass < passes; pass++) {
  for (const size of sizes) {
    for (let i = 0; i < 5; i++) await send(spans.slice(0, size))
    const before = process.cpuUsage()
    let sent = 0
    for (let i = 0; i + size <= spans.length; i += size) {
      const { code } = await send(spans.slice(i, i + size))
      if (code !== 0) throw new Error(`export of ${size} spans failed`)
      sent += size
    }
    const cpu = process.cpuUsage(before)
    results[size].push((cpu.user + cpu.system) / sent)
  }
}
console.log(`CPU µs per exported span (official OTLP/gRPC exporter, ${count} spans, ${passes} passes, lowest first):`)
for (const size of sizes) console.log(`batch ${String(size).padStart(5)}: ${results[size].sort((a, b) => a - b).map((us) => us.toFixed(2)).join(', ')}`)
collector.kill('SIGTERM')
await exporter.shutdown()
process.exit(0)
