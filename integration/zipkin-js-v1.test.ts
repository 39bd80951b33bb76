/**
 * Acceptance with zipkin-js as most Node services use it: `HttpLogger` with its default
 * encoder, which sends Zipkin v1 JSON, pointed at the toolbar's v1 path. A `frontend`
 * (`zipkin-instrumentation-fetch` over node-fetch 2) calls the toolbar's app `shop` with B3
 * headers; `shop` calls `stock`, a node:http service with zipkin-js's HttpServer
 * instrumentation and a local span of its own. The waterfall shows frontend CLIENT -> shop
 * SERVER -> shop CLIENT -> stock SERVER -> stock's local span, each with its service, kind,
 * tags and times as the v1 JSON gave them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import nodeFetch from 'node-fetch'
// @ts-expect-error zipkin-instrumentation-fetch ships no types
import wrapFetch from 'zipkin-instrumentation-fetch'
import type { OpenTelemetryStats } from '../src/opentelemetry/index.js'
import { startZipkinJsServices, type ZipkinJsServices } from './support/zipkin-js-services.js'

let services: ZipkinJsServices
beforeAll(async () => {
  services = await startZipkinJsServices('v1')
})
afterAll(() => services.close())

const ms = (t: string | undefined) => Number(BigInt(t!) / 1000n) / 1000

describe("zipkin-js services with HttpLogger's default encoder (Zipkin v1 JSON)", () => {
  it('join the waterfall with their services, kinds, tags, times and parents', async () => {
    const frontend = services.zipkinTracer('frontend')
    const tracedFetch = wrapFetch(nodeFetch, { tracer: frontend, remoteServiceName: 'shop' })
    const res = await tracedFetch(`${services.shopBase}/checkout`)
    expect(await res.text()).toContain('checkout: 7 in stock')
    const requestId = res.headers.get('x-debug-toolbar-request-id')
    const stats: OpenTelemetryStats = (await (await fetch(`${services.shopBase}/_debug_toolbar/api/requests/${requestId}`)).json()).panels.opentelemetry

    const spans = await services.traceWhen(stats.traceId, (all) => all.filter((s) => s.source === 'zipkin').length >= 3)
    // Every POST of the loggers was taken whole.
    expect(services.answers.length).toBeGreaterThan(0)
    expect(services.answers.every((status) => status === 202)).toBe(true)

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
