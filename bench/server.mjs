// One benchmark variant as its own process: `node bench/server.mjs <variant>` serves a
// trivial HTML route on 127.0.0.1 and prints its port. Variants are compared in one run.
// Variants that export send OTLP/gRPC to the collector at BENCH_COLLECTOR (bench/collector.mjs).
import { Hono } from 'hono'
import { serve } from '@hono/node-server'
import { ServerResponse } from 'node:http'
import { PerformanceObserver, constants } from 'node:perf_hooks'
import { html, useVariant } from './variants.mjs'

// `<variant>+headers`: the variant's responses also carry the two headers every recorded
// response carries (X-Debug-Toolbar-Request-Id and Server-Timing, same sizes), added when
// Node writes the head: what those headers cost a server that does not record anything.
// `<variant>+copy`: the same wrapper and copy of the head, without adding the two headers.
// `hono-otel+attrs`: @hono/otel's SERVER span also carries what the toolbar's carried up to
// the eighth round of specs/performance.md beyond @hono/otel's own attributes (client.address,
// user_agent.original, network.protocol.version; its url.full already says what url.scheme,
// server.address, server.port and url.path say), set the way an app would, in a middleware
// after @hono/otel's. Suffixes combine: `hono-otel+attrs+headers` sent what the toolbar sent
// then, on the wire and to the collector; since the toolbar's span left out the attributes
// that are the same on every request (item 19), it sends more than the toolbar.
// `toolbar-otel+small`: the toolbar keeps 5 requests and 5 traces instead of its defaults (50
// and 100), to see what the size of its history costs over HTTP (item 26).
// `toolbar-otel+core`: the OpenTelemetry panel with none of the default panels (item 26).
// `<variant>+pad`: the page comes with 183 more bytes of head (an `X-Pad` header) and 141
// more of body (a comment), so that a variant that records nothing sends as many bytes as a
// recorded response (its two headers and the loader tag): what the bytes alone cost (item 28).
const [variant, ...extras] = (process.argv[2] ?? '').split('+')
let pad = ''
for (const extra of extras) {
  if (extra === 'pad' || extra === 'padbody') pad = extra
  else if (extra === 'headers' || extra === 'copy') addToolbarHeaders(extra === 'headers')
  else if ((extra === 'small' || extra === 'core') && variant === 'toolbar-otel') process.env[`BENCH_${extra.toUpperCase()}`] = '1'
  else if (extra !== 'attrs' || variant !== 'hono-otel') {
    console.error(`unknown variant suffix +${extra} for ${variant}`)
    process.exit(2)
  }
}
const app = new Hono()
// Registered before any middleware, so no variant records it: the process's CPU time, read
// before and after each load, gives the CPU cost of one request, which holds up better than
// req/s on a machine that is busy with other work.
// Garbage collection in the main thread, by kind (young `minor`, full `major`, and the steps of
// incremental marking), read with the CPU time: it tells a process that settled into V8's
// costlier garbage-collection state from one that did not (specs/performance.md, item 11).
const gc = { minorMs: 0, minorCount: 0, majorMs: 0, majorCount: 0, incrementalMs: 0 }
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = entry.detail?.kind
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) (gc.minorMs += entry.duration), gc.minorCount++
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) (gc.majorMs += entry.duration), gc.majorCount++
    else gc.incrementalMs += entry.duration
  }
}).observe({ entryTypes: ['gc'] })
app.get('/__bench/cpu', (c) => c.json({ ...process.cpuUsage(), gc, heapUsed: process.memoryUsage().heapUsed }))

if (!(await useVariant(app, variant, collector))) {
  console.error(`unknown variant ${variant}`)
  process.exit(2)
}
if (variant === 'hono-otel' && extras.includes('attrs')) {
  const { trace } = await import('@opentelemetry/api')
  app.use((c, next) => {
    const { incoming } = c.env
    const attributes = { 'client.address': incoming.socket.remoteAddress, 'network.protocol.version': incoming.httpVersion }
    const agent = c.req.header('user-agent')
    if (agent) attributes['user_agent.original'] = agent
    trace.getActiveSpan()?.setAttributes(attributes)
    return next()
  })
}

function addToolbarHeaders(add) {
  const serverTiming = 'hdt-total;dur=3.36;desc="hono-debug-toolbar", traceparent;desc="00-5672011c44f0ec721f5d841bcd4c612d-f39ecc942b998982-01"'
  const writeHead = ServerResponse.prototype.writeHead
  let requests = 0
  ServerResponse.prototype.writeHead = function writeHeadWithHeaders(status, headers) {
    if (headers && typeof headers === 'object' && !Array.isArray(headers)) {
      const head = {}
      for (const name in headers) head[name] = headers[name]
      if (add) {
        head['X-Debug-Toolbar-Request-Id'] = `4bfc3250${(0x10000000 + requests++).toString(16)}`
        head['Server-Timing'] = serverTiming
      }
      headers = head
    }
    return writeHead.call(this, status, headers)
  }
}

function collector() {
  if (!process.env.BENCH_COLLECTOR) throw new Error(`variant ${variant} needs BENCH_COLLECTOR (bench/http.mjs starts one)`)
  return process.env.BENCH_COLLECTOR
}

const padHeader = 'x'.repeat(174)
const paddedHtml = html.replace('</body>', `<!--${'x'.repeat(pad === 'padbody' ? 134 + 183 : 134)}--></body>`)
if (pad === 'pad') app.use(async (c, next) => { c.env.outgoing.setHeader('X-Pad', padHeader); await next() })
app.get('/', pad ? (c) => c.html(paddedHtml) : (c) => c.html(html))

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${info.port}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
