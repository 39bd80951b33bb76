// One benchmark variant as its own process: `node bench/server.mjs <variant>` serves a
// trivial HTML route on 127.0.0.1 and prints its port. Variants are compared in one run.
// Variants that export send OTLP/gRPC to the collector at BENCH_COLLECTOR (bench/collector.mjs).
import { Hono } from 'hono'
import { serve } from '@hono/node-server'
import { ServerResponse } from 'node:http'
import { usePanelVariant } from './panel-variants.mjs'
import { useHonoOtel, useToolbarOtel } from './otel-variants.mjs'

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
const [variant, ...extras] = (process.argv[2] ?? '').split('+')
for (const extra of extras) {
  if (extra === 'headers' || extra === 'copy') addToolbarHeaders(extra === 'headers')
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
app.get('/__bench/cpu', (c) => c.json(process.cpuUsage()))

switch (variant) {
  case 'plain':
    break
  case 'plain-500':
    // The same 500 extra routes as toolbar-500, without the toolbar: what the router costs.
    addRoutes(500)
    break
  case 'passthrough':
    app.use(async (_c, next) => {
      await next()
    })
    break
  case 'als-passthrough': {
    // What one AsyncLocalStorage costs a middleware (the toolbar and @hono/otel both use one).
    const { AsyncLocalStorage } = await import('node:async_hooks')
    const storage = new AsyncLocalStorage()
    app.use((_c, next) => storage.run({}, next))
    break
  }
  case 'als2-passthrough': {
    // Two AsyncLocalStorage instances, nested: the toolbar's and OpenTelemetry's context manager.
    const { AsyncLocalStorage } = await import('node:async_hooks')
    const first = new AsyncLocalStorage()
    const second = new AsyncLocalStorage()
    app.use((_c, next) => first.run({}, () => second.run({}, next)))
    break
  }
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
  case 'toolbar-500': {
    // The same toolbar on an app with 500 more routes: the cost per request must not grow.
    const { debugToolbar } = await import('hono-debug-toolbar')
    app.use(debugToolbar({ app }))
    addRoutes(500)
    break
  }
  case 'toolbar-otel-none': {
    const { debugToolbar } = await import('hono-debug-toolbar')
    const { OpenTelemetryPanel } = await import('hono-debug-toolbar/opentelemetry')
    app.use(debugToolbar({ app, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'bench' })] }))
    break
  }
  case 'toolbar-otel':
    await useToolbarOtel(app, collector())
    break
  case 'hono-otel': {
    await useHonoOtel(app, collector())
    if (extras.includes('attrs')) {
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
    break
  }
  default: {
    if (await usePanelVariant(app, variant)) break
    console.error(`unknown variant ${variant}`)
    process.exit(2)
  }
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

function addRoutes(count) {
  for (let i = 0; i < count; i++) app.get(`/section-${i}/items/:id`, (c) => c.text(String(i)))
}

function collector() {
  if (!process.env.BENCH_COLLECTOR) throw new Error(`variant ${variant} needs BENCH_COLLECTOR (bench/http.mjs starts one)`)
  return process.env.BENCH_COLLECTOR
}

const html = '<!doctype html><html><head><title>bench</title></head><body><h1>Hello</h1><p>A small page.</p></body></html>'
app.get('/', (c) => c.html(html))

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${info.port}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
