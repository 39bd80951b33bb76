/**
 * Acceptance with Zipkin's own JavaScript libraries, not ours: a `frontend` instrumented with
 * zipkin-js (`zipkin-instrumentation-fetch` over node-fetch 2) calls the toolbar's app `shop`
 * with B3 headers; `shop` calls `stock`, a plain node:http service instrumented with
 * zipkin-js's HttpServer instrumentation, which sees the toolbar's B3 headers. Both zipkin-js
 * services report their spans with `zipkin-transport-http` to the toolbar's Zipkin receiver,
 * and the waterfall shows the whole trace: frontend CLIENT -> shop SERVER -> shop CLIENT ->
 * stock SERVER (shared id, kept under the CLIENT span) -> stock's own child span.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import nodeFetch from 'node-fetch'
// @ts-expect-error zipkin-instrumentation-fetch ships no types
import wrapFetch from 'zipkin-instrumentation-fetch'
import type { OpenTelemetryStats } from '../src/opentelemetry/index.js'
import { startZipkinJsServices, type ZipkinJsServices } from './support/zipkin-js-services.js'

let services: ZipkinJsServices
beforeAll(async () => {
  services = await startZipkinJsServices('v2')
})
afterAll(() => services.close())

describe('zipkin-js services around the toolbar', () => {
  it('continues a zipkin-js caller trace, and joins a zipkin-js service under the CLIENT span', async () => {
    const frontend = services.zipkinTracer('frontend')
    const tracedFetch = wrapFetch(nodeFetch, { tracer: frontend, remoteServiceName: 'shop' })
    const res = await tracedFetch(`${services.shopBase}/checkout`)
    expect(await res.text()).toContain('checkout: 7 in stock')
    const requestId = res.headers.get('x-debug-toolbar-request-id')
    const stats: OpenTelemetryStats = (await (await fetch(`${services.shopBase}/_debug_toolbar/api/requests/${requestId}`)).json()).panels.opentelemetry

    // The toolbar continued frontend's 64-bit B3 trace, zero-padded to 32 hex.
    expect(stats.traceId).toMatch(/^0{16}[0-9a-f]{16}$/)
    const spans = await services.traceWhen(stats.traceId, (all) => all.filter((s) => s.source === 'zipkin').length >= 3)
    const server = spans.find((s) => s.kind === 'SERVER' && s.source === 'local')!
    const client = spans.find((s) => s.kind === 'CLIENT' && s.source === 'local')!
    const frontendClient = spans.find((s) => s.source === 'zipkin' && s.resource['service.name'] === 'frontend')!
    const stockServerSpan = spans.find((s) => s.source === 'zipkin' && s.kind === 'SERVER')!
    const stockChild = spans.find((s) => s.name === 'count stock')!

    expect(frontendClient.kind).toBe('CLIENT')
    expect(server.parentSpanId).toBe(frontendClient.spanId)
    expect(client.parentSpanId).toBe(server.spanId)

    // stock saw our B3 headers: the trace, and our CLIENT span as its caller.
    const headers = services.stockSaw.at(-1)!
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
