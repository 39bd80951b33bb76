/**
 * Acceptance with Zipkin's own JavaScript libraries, not ours: a `frontend` instrumented with
 * zipkin-js (`zipkin-instrumentation-fetch` over node-fetch 2) calls the toolbar's app `shop`
 * with B3 headers; `shop` calls `stock`, a plain node:http service instrumented with
 * zipkin-js's HttpServer instrumentation, which sees the toolbar's B3 headers. Both zipkin-js
 * services report their spans with `zipkin-transport-http` to the toolbar's Zipkin receiver,
 * and the waterfall shows the whole trace: frontend CLIENT -> shop SERVER -> shop CLIENT ->
 * stock SERVER (shared id, kept under the CLIENT span) -> stock's own child span.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import nodeFetch from 'node-fetch'
import * as zipkin from 'zipkin'
import { HttpLogger } from 'zipkin-transport-http'
// @ts-expect-error zipkin-instrumentation-fetch ships no types
import wrapFetch from 'zipkin-instrumentation-fetch'
import { debugToolbar } from '../src/index.js'
import { OpenTelemetryPanel, type OpenTelemetryStats, type ToolbarSpan } from '../src/opentelemetry/index.js'

const { Tracer, BatchRecorder, ExplicitContext, Instrumentation, jsonEncoder, option } = zipkin

let shopServer: ServerType
let shopBase = ''
let stockServer: Server
let stockUrl = ''
const stockSaw: IncomingHttpHeaders[] = []
const loggers: HttpLogger[] = []
const panel = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'none', propagators: ['tracecontext', 'baggage', 'b3multi'] })

/** A zipkin-js tracer reporting over HTTP (JSON v2) to the toolbar's Zipkin receiver. */
function zipkinTracer(serviceName: string) {
  const logger = new HttpLogger({
    endpoint: `${shopBase}/_debug_toolbar/zipkin/api/v2/spans`,
    jsonEncoder: jsonEncoder.JSON_V2,
    httpInterval: 100,
    fetchImplementation: nodeFetch as never,
  })
  loggers.push(logger)
  return new Tracer({ ctxImpl: new ExplicitContext(), recorder: new BatchRecorder({ logger }), localServiceName: serviceName })
}

beforeAll(async () => {
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [panel] }))
  app.get('/checkout', async (c) => {
    const stock = await (await fetch(`${stockUrl}/stock/42`)).text()
    return c.html(`<html><body>checkout: ${stock}</body></html>`)
  })
  await new Promise<void>((resolve) => {
    shopServer = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, ({ port }) => {
      shopBase = `http://127.0.0.1:${port}`
      resolve()
    })
  })

  // stock: zipkin-js's server instrumentation, as zipkin-instrumentation-express uses it.
  const tracer = zipkinTracer('stock')
  stockServer = createServer((req, res) => {
    stockSaw.push(req.headers)
    const http = new Instrumentation.HttpServer({ tracer, port: (stockServer.address() as AddressInfo).port })
    const readHeader = (name: string) => {
      const value = req.headers[name.toLowerCase()]
      return typeof value === 'string' ? new option.Some(value) : option.None
    }
    tracer.scoped(() => {
      const id = http.recordRequest(req.method!, `http://127.0.0.1${req.url}`, readHeader)
      // A span of stock's own, child of its (shared) SERVER span.
      tracer.local('count stock', () => 7)
      tracer.scoped(() => {
        http.recordResponse(id, '200')
        res.end('7 in stock')
      })
    })
  })
  await new Promise<void>((resolve) => stockServer.listen(0, '127.0.0.1', resolve))
  stockUrl = `http://127.0.0.1:${(stockServer.address() as AddressInfo).port}`
})

afterAll(async () => {
  for (const logger of loggers) logger.processQueue(nodeFetch as never)
  await new Promise((resolve) => stockServer.close(resolve))
  await new Promise((resolve) => shopServer.close(resolve))
  await panel.shutdown()
})

/** The trace as the waterfall API answers it, once `ready` says it is complete (bounded wait). */
async function traceWhen(traceId: string, ready: (spans: ToolbarSpan[]) => boolean): Promise<ToolbarSpan[]> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const res = await fetch(`${shopBase}/_debug_toolbar/api/traces/${traceId}`)
    const spans: ToolbarSpan[] = res.status === 200 ? (await res.json()).spans : []
    if (ready(spans) || Date.now() > deadline) return spans
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('zipkin-js services around the toolbar', () => {
  it('continues a zipkin-js caller trace, and joins a zipkin-js service under the CLIENT span', async () => {
    const frontend = zipkinTracer('frontend')
    const tracedFetch = wrapFetch(nodeFetch, { tracer: frontend, remoteServiceName: 'shop' })
    const res = await tracedFetch(`${shopBase}/checkout`)
    expect(await res.text()).toContain('checkout: 7 in stock')
    const requestId = res.headers.get('x-debug-toolbar-request-id')
    const stats: OpenTelemetryStats = (await (await fetch(`${shopBase}/_debug_toolbar/api/requests/${requestId}`)).json()).panels.opentelemetry

    // The toolbar continued frontend's 64-bit B3 trace, zero-padded to 32 hex.
    expect(stats.traceId).toMatch(/^0{16}[0-9a-f]{16}$/)
    const spans = await traceWhen(stats.traceId, (all) => all.filter((s) => s.source === 'zipkin').length >= 3)
    const server = spans.find((s) => s.kind === 'SERVER' && s.source === 'local')!
    const client = spans.find((s) => s.kind === 'CLIENT' && s.source === 'local')!
    const frontendClient = spans.find((s) => s.source === 'zipkin' && s.resource['service.name'] === 'frontend')!
    const stockServerSpan = spans.find((s) => s.source === 'zipkin' && s.kind === 'SERVER')!
    const stockChild = spans.find((s) => s.name === 'count stock')!

    expect(frontendClient.kind).toBe('CLIENT')
    expect(server.parentSpanId).toBe(frontendClient.spanId)
    expect(client.parentSpanId).toBe(server.spanId)

    // stock saw our B3 headers: the trace, and our CLIENT span as its caller.
    const headers = stockSaw.at(-1)!
    expect(headers['x-b3-traceid']).toBe(stats.traceId)
    expect(headers['x-b3-spanid']).toBe(client.spanId)
    expect(headers['x-b3-sampled']).toBe('1')
    expect(headers.traceparent).toBe(`00-${stats.traceId}-${client.spanId}-01`)

    // zipkin-js reported its SERVER span with our CLIENT span's id (shared): both are kept,
    // the SERVER span under the CLIENT span, and stock's own span under its SERVER span.
    expect(stockServerSpan.resource['service.name']).toBe('stock')
    expect(stockServerSpan.attributes['zipkin.shared']).toBe(true)
    expect(stockServerSpan.spanId).not.toBe(client.spanId)
    expect(stockServerSpan.parentSpanId).toBe(client.spanId)
    expect(spans.filter((s) => s.spanId === client.spanId)).toHaveLength(1)
    expect(stockChild.parentSpanId).toBe(stockServerSpan.spanId)
    expect(stockChild.resource['service.name']).toBe('stock')

    // Microsecond times mapped to the same clock: stock's SERVER span lies inside our CLIENT span, give or take a ms.
    const ns = (t: string | undefined) => Number(BigInt(t!) / 1000n) / 1000
    expect(ns(stockServerSpan.startTimeUnixNano)).toBeGreaterThanOrEqual(ns(client.startTimeUnixNano) - 1)
    expect(ns(stockServerSpan.endTimeUnixNano)).toBeLessThanOrEqual(ns(client.endTimeUnixNano) + 1)
  })
})
