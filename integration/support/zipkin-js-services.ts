/**
 * Services instrumented with Zipkin's own JavaScript libraries around a toolbar app, for the
 * acceptance tests of the Zipkin receiver: `shop` (the toolbar's app, with the OpenTelemetry
 * panel) answers `/checkout` by calling `stock`, a node:http service with zipkin-js's
 * HttpServer instrumentation and a local span of its own. `zipkinTracer(name)` makes a
 * zipkin-js tracer that reports with `zipkin-transport-http` to the toolbar's Zipkin receiver,
 * as v2 JSON (`jsonEncoder.JSON_V2`, to the v2 path) or with HttpLogger's default v1 JSON (to
 * the v1 path). Every server is closed and every logger flushed by `close()`.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import nodeFetch from 'node-fetch'
import * as zipkin from 'zipkin'
import { HttpLogger } from 'zipkin-transport-http'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, type ToolbarSpan } from '../../src/opentelemetry/index.js'

const { Tracer, BatchRecorder, ExplicitContext, Instrumentation, jsonEncoder, option } = zipkin

export interface ZipkinJsServices {
  /** The toolbar app's base URL. */
  shopBase: string
  /** A zipkin-js tracer for `serviceName` that reports to the toolbar. */
  zipkinTracer(serviceName: string): InstanceType<typeof Tracer>
  /** The headers of each request `stock` got, in order. */
  stockSaw: IncomingHttpHeaders[]
  /** The status of each POST the loggers made to the receiver. */
  answers: number[]
  /** The trace as the waterfall API answers it, once `ready` says it is complete (10 s at most). */
  traceWhen(traceId: string, ready: (spans: ToolbarSpan[]) => boolean): Promise<ToolbarSpan[]>
  close(): Promise<void>
}

/** Starts `shop` and `stock`; `encoding` is what zipkin-js's loggers send. */
export async function startZipkinJsServices(encoding: 'v1' | 'v2'): Promise<ZipkinJsServices> {
  const panel = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'none', propagators: ['tracecontext', 'baggage', 'b3multi'] })
  const loggers: HttpLogger[] = []
  const answers: number[] = []
  const stockSaw: IncomingHttpHeaders[] = []
  let stockUrl = ''

  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [panel] }))
  app.get('/checkout', async (c) => {
    const stock = await (await fetch(`${stockUrl}/stock/42`)).text()
    return c.html(`<html><body>checkout: ${stock}</body></html>`)
  })
  let shopServer!: ServerType
  const shopBase = await new Promise<string>((resolve) => {
    shopServer = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, ({ port }) => resolve(`http://127.0.0.1:${port}`))
  })

  const zipkinTracer = (serviceName: string) => {
    const logger = new HttpLogger({
      endpoint: `${shopBase}/_debug_toolbar/zipkin/api/${encoding}/spans`,
      // v1 JSON is HttpLogger's default: that case passes no encoder at all.
      ...(encoding === 'v2' && { jsonEncoder: jsonEncoder.JSON_V2 }),
      httpInterval: 100,
      fetchImplementation: (async (url: string, init?: object) => {
        const res = await nodeFetch(url, init)
        answers.push(res.status)
        return res
      }) as never,
    })
    loggers.push(logger)
    return new Tracer({ ctxImpl: new ExplicitContext(), recorder: new BatchRecorder({ logger }), localServiceName: serviceName })
  }

  // stock: zipkin-js's server instrumentation, as zipkin-instrumentation-express uses it.
  const tracer = zipkinTracer('stock')
  const stockServer: Server = createServer((req, res) => {
    stockSaw.push(req.headers)
    const http = new Instrumentation.HttpServer({ tracer, port: (stockServer.address() as AddressInfo).port })
    const readHeader = (name: string) => {
      const value = req.headers[name.toLowerCase()]
      return typeof value === 'string' ? new option.Some(value) : option.None
    }
    tracer.scoped(() => {
      const id = http.recordRequest(req.method!, `http://127.0.0.1${req.url}`, readHeader)
      // A span of stock's own, child of its (shared) SERVER span; in v1 JSON it names no service.
      tracer.local('count stock', () => {
        const until = Date.now() + 3
        while (Date.now() < until); // a few ms of work, so the span has a duration to check
        return 7
      })
      tracer.scoped(() => {
        http.recordResponse(id, '200')
        res.end('7 in stock')
      })
    })
  })
  await new Promise<void>((resolve) => stockServer.listen(0, '127.0.0.1', resolve))
  stockUrl = `http://127.0.0.1:${(stockServer.address() as AddressInfo).port}`

  return {
    shopBase,
    zipkinTracer,
    stockSaw,
    answers,
    async traceWhen(traceId, ready) {
      const deadline = Date.now() + 10_000
      for (;;) {
        const res = await fetch(`${shopBase}/_debug_toolbar/api/traces/${traceId}`)
        const spans: ToolbarSpan[] = res.status === 200 ? (await res.json()).spans : []
        if (ready(spans) || Date.now() > deadline) return spans
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    },
    async close() {
      for (const logger of loggers) logger.processQueue(nodeFetch as never)
      await new Promise((resolve) => stockServer.close(resolve))
      await new Promise((resolve) => shopServer.close(resolve))
      await panel.shutdown()
    },
  }
}
