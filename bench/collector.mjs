// A loopback OTLP/gRPC collector for the benchmarks: `node bench/collector.mjs` listens on
// 127.0.0.1 (ephemeral port), prints the port, counts the spans it receives, and prints the
// count to stderr when it gets SIGTERM. It decodes with the toolbar's own message
// definitions (the built library), as a real collector decodes every message.
import * as grpc from '@grpc/grpc-js'
import { traceServiceDefinition } from '../dist/src/opentelemetry/otlp-proto.js'

let spans = 0
let exports = 0
const server = new grpc.Server()
server.addService(traceServiceDefinition, {
  Export(call, callback) {
    exports++
    for (const resource of call.request.resourceSpans ?? []) {
      for (const scope of resource.scopeSpans ?? []) spans += scope.spans?.length ?? 0
    }
    callback(null, {})
  },
})
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error
  process.stdout.write(`${port}\n`)
})
// The parent asks for the count with SIGUSR2 and stops us with SIGTERM.
process.on('SIGUSR2', () => process.stderr.write(`collector: ${spans} spans in ${exports} exports\n`))
process.on('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ spans, exports })}\n`)
  server.forceShutdown()
  process.exit(0)
})
