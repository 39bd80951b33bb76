// OTLP/HTTP receiver benchmark: one export request of --spans spans, as protobuf, gzip
// protobuf and JSON. First in process (app.request, no sockets: the receiver's own cost per
// export), then autocannon POSTing it to the built toolbar's receiver on loopback (exports/s,
// spans/s, p99; with larger bodies this includes loopback TCP effects, not only the receiver).
//
//   npm run build && node bench/receiver.mjs [--duration 4] [--connections 10] [--spans 50]
import { once } from 'node:events'
import { gzipSync } from 'node:zlib'
import autocannon from 'autocannon'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { debugToolbar } from '../dist/src/index.js'
import { OpenTelemetryPanel, otlpJsonFromToolbarSpans } from '../dist/src/opentelemetry/index.js'
import { encodeExportTraceServiceRequest } from '../dist/src/opentelemetry/otlp-proto.js'

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
)
const duration = Number(args.duration ?? 4)
const connections = Number(args.connections ?? 10)
const spanCount = Number(args.spans ?? 50)

const app = new Hono()
app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'bench' })] }))
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
await once(server, 'listening')
const url = `http://127.0.0.1:${server.address().port}/_debug_toolbar/otlp/v1/traces`

const now = BigInt(Date.now()) * 1_000_000n
const spans = Array.from({ length: spanCount }, (_, i) => ({
  traceId: 'ab'.repeat(16), spanId: (i + 1).toString(16).padStart(16, '0'), parentSpanId: i === 0 ? undefined : '0000000000000001',
  name: `SELECT item ${i}`, kind: 'CLIENT', startTimeUnixNano: String(now + BigInt(i) * 1000n), endTimeUnixNano: String(now + BigInt(i) * 1000n + 500n),
  attributes: { 'db.system.name': 'sqlite', 'db.query.text': 'SELECT * FROM items WHERE id = ?', n: i }, events: [], links: [],
  status: { code: 'UNSET' }, resource: { 'service.name': 'inventory' }, scope: { name: 'bench' }, source: 'otlp_http',
}))
const json = otlpJsonFromToolbarSpans(spans)
const protobuf = Buffer.from(encodeExportTraceServiceRequest(json))
const bodies = {
  protobuf: { body: protobuf, headers: { 'content-type': 'application/x-protobuf' } },
  'protobuf+gzip': { body: gzipSync(protobuf), headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' } },
  json: { body: JSON.stringify(json), headers: { 'content-type': 'application/json' } },
}

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }
console.log(`in process, ${spanCount} spans per export (median of 7 alternating rounds of 300 exports, after a warm-up round)`)
const perExport = Object.fromEntries(Object.keys(bodies).map((name) => [name, []]))
for (let round = 0; round < 8; round++) {
  // Alternating rounds, so that the machine's drift hits every encoding alike.
  for (const [name, { body, headers }] of Object.entries(bodies)) {
    const start = performance.now()
    for (let i = 0; i < 300; i++) await (await app.request('/_debug_toolbar/otlp/v1/traces', { method: 'POST', body, headers }, loopback)).arrayBuffer()
    if (round > 0) perExport[name].push(((performance.now() - start) * 1000) / 300)
  }
}
for (const [name, runs] of Object.entries(perExport)) {
  const median = runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)]
  console.log(`${name.padEnd(14)} ${median.toFixed(0).padStart(6)} µs/export  ${String(Math.round((spanCount * 1e6) / median)).padStart(8)} spans/s`)
}

console.log(`over loopback, ${connections} connections, ${duration} s each (after a 2 s warm-up of each)`)
for (const { body, headers } of Object.values(bodies)) await autocannon({ url, method: 'POST', body, headers, connections, duration: 2 })
for (const [name, { body, headers }] of Object.entries(bodies)) {
  // Each export is the same trace: after the first, its spans are duplicates replaced in place (memory stays flat).
  const result = await autocannon({ url, method: 'POST', body, headers, connections, duration })
  const non2xx = result.non2xx + result.errors
  console.log(
    `${name.padEnd(14)} ${String(Math.round(result.requests.average)).padStart(6)} exports/s  ${String(Math.round(result.requests.average * spanCount)).padStart(8)} spans/s  p99 ${result.latency.p99} ms  ${body.length} bytes${non2xx ? `  ${non2xx} failed` : ''}`,
  )
}
server.close()
process.exit(0)
