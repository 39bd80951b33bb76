/**
 * Acceptance with zipkin-js as most Node services use it: `HttpLogger` with its default
 * encoder, which sends Zipkin v1 JSON, pointed at the toolbar's v1 path. A `frontend`
 * (`zipkin-instrumentation-fetch` over node-fetch 2) calls the toolbar's app `shop` with B3
 * headers; `shop` calls `stock`, a node:http service with zipkin-js's HttpServer
 * instrumentation and a local span of its own. The waterfall shows frontend CLIENT -> shop
 * SERVER -> shop CLIENT -> stock SERVER -> stock's local span, each with its service, kind,
 * tags and times as the v1 JSON gave them.
 */
import { createServer, type Server } from 'node:http'
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

const { Tracer, BatchRecorder, ExplicitContext, Instrumentation, option } = zipkin

let shopServer: ServerType
let shopBase = ''
let stockServer: Server
let stockUrl = ''
const loggers: HttpLogger[] = []
const answers: number[] = []
const panel = new OpenTelemetryPanel({ serviceName: 'shop', exporter: 'none', propagators: ['tracecontext', 'baggage', 'b3multi'] })

/** A zipkin-js tracer reporting over HTTP with HttpLogger's defaults (Zipkin v1 JSON) to the toolbar's v1 path. */
function zipkinTracer(serviceName: string) {
  const logger = new HttpLogger({
    endpoint: `${shopBase}/_debug_toolbar/zipkin/api/v1/spans`,
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

  const tracer = zipkinTracer('stock')
  stockServer = createServer((req, res) => {
    const http = new Instrumentation.HttpServer({ tracer, port: (stockServer.address() as AddressInfo).port })
    const readHeader = (name: string) => {
      const value = req.headers[name.toLowerCase()]
      return typeof value === 'string' ? new option.Some(value) : option.None
    }
    tracer.scoped(() => {
      const id = http.recordRequest(req.method!, `http://127.0.0.1${req.url}`, readHeader)
      // A local span: in v1 JSON it names no service at all (no annotations, no tags).
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

const ms = (t: string | undefined) => Number(BigInt(t!) / 1000n) / 1000

describe("zipkin-js services with HttpLogger's default encoder (Zipkin v1 JSON)", () => {
  it('join the waterfall with their services, kinds, tags, times and parents', async () => {
    const frontend = zipkinTracer('frontend')
    const tracedFetch = wrapFetch(nodeFetch, { tracer: frontend, remoteServiceName: 'shop' })
    const res = await tracedFetch(`${shopBase}/checkout`)
    expect(await res.text()).toContain('checkout: 7 in stock')
    const requestId = res.headers.get('x-debug-toolbar-request-id')
    const stats: OpenTelemetryStats = (await (await fetch(`${shopBase}/_debug_toolbar/api/requests/${requestId}`)).json()).panels.opentelemetry

    const spans = await traceWhen(stats.traceId, (all) => all.filter((s) => s.source === 'zipkin').length >= 3)
    // Every POST of the loggers was taken whole.
    expect(answers.length).toBeGreaterThan(0)
    expect(answers.every((status) => status === 202)).toBe(true)

    const server = spans.find((s) => s.kind === 'SERVER' && s.source === 'local')!
    const client = spans.find((s) => s.kind === 'CLIENT' && s.source === 'local')!
    const zipkinSpans = spans.filter((s) => s.source === 'zipkin')
    expect(zipkinSpans.map((s) => [s.resource['service.name'], s.kind, s.name]).sort()).toEqual([
      ['frontend', 'CLIENT', 'get'],
      ['stock', 'INTERNAL', 'count stock'],
      ['stock', 'SERVER', 'get'],
    ])
    const frontendClient = zipkinSpans.find((s) => s.resource['service.name'] === 'frontend')!
    const stockServerSpan = zipkinSpans.find((s) => s.kind === 'SERVER')!
    const stockLocal = zipkinSpans.find((s) => s.name === 'count stock')!

    // frontend's CLIENT span: tags from its binary annotations, "sa" as the remote service, its own times.
    expect(frontendClient.attributes).toMatchObject({ 'http.path': '/checkout', 'http.status_code': '200', 'peer.service': 'shop' })
    expect(frontendClient.parentSpanId).toBeUndefined()
    expect(server.parentSpanId).toBe(frontendClient.spanId)
    expect(ms(frontendClient.startTimeUnixNano)).toBeLessThanOrEqual(ms(server.startTimeUnixNano) + 1)
    expect(ms(frontendClient.endTimeUnixNano)).toBeGreaterThanOrEqual(ms(server.endTimeUnixNano) - 1)

    // stock's SERVER span shares our CLIENT span's id (v1: no timestamp of its own, sr/ss): kept
    // beside it, under it, timed by its sr and ss annotations.
    expect(stockServerSpan.resource['service.name']).toBe('stock')
    expect(stockServerSpan.attributes).toMatchObject({ 'http.path': '/stock/42', 'http.status_code': '200', 'zipkin.shared': true })
    expect(stockServerSpan.parentSpanId).toBe(client.spanId)
    expect(spans.filter((s) => s.spanId === client.spanId)).toHaveLength(1)
    expect(ms(stockServerSpan.endTimeUnixNano)).toBeGreaterThan(ms(stockServerSpan.startTimeUnixNano))
    expect(ms(stockServerSpan.startTimeUnixNano)).toBeGreaterThanOrEqual(ms(client.startTimeUnixNano) - 1)
    expect(ms(stockServerSpan.endTimeUnixNano)).toBeLessThanOrEqual(ms(client.endTimeUnixNano) + 1)

    // The local span, which named no service, is stock's (its parent's), under the SERVER span.
    expect(stockLocal.parentSpanId).toBe(stockServerSpan.spanId)
    expect(ms(stockLocal.endTimeUnixNano) - ms(stockLocal.startTimeUnixNano)).toBeGreaterThanOrEqual(2)
    expect(ms(stockLocal.startTimeUnixNano)).toBeGreaterThanOrEqual(ms(stockServerSpan.startTimeUnixNano) - 1)
    expect(ms(stockLocal.endTimeUnixNano)).toBeLessThanOrEqual(ms(stockServerSpan.endTimeUnixNano) + 1)
  })
})
