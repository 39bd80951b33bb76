import { afterEach, describe, expect, it } from 'vitest'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import { debugToolbar } from '../src/index.js'
import { OpenTelemetryPanel, type ToolbarSpan } from '../src/opentelemetry/index.js'
import nodeFetch, { type RequestInfo, type RequestInit } from 'node-fetch'
import * as zipkin from 'zipkin'
import { HttpLogger } from 'zipkin-transport-http'
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { ExportResultCode, type ExportResult } from '@opentelemetry/core'

/**
 * How the receivers read what a sender declares, or leaves out, about its body: the
 * Content-Type of a Zipkin POST, and the encodings OTLP/JSON prescribes for bytes and ids.
 * Over loopback, read back through the trace API as a user sees it.
 */

const START = 1_700_000_000_000_000_000n

const running: Array<{ server: ServerType; panel: OpenTelemetryPanel }> = []

afterEach(async () => {
  for (const { server, panel } of running.splice(0)) {
    await panel.shutdown()
    server.close()
  }
})

async function startToolbar(): Promise<string> {
  const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'frontend' })
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [panel] }))
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await once(server, 'listening')
  running.push({ server, panel })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/_debug_toolbar`
}

async function spansOf(base: string, trace: string): Promise<ToolbarSpan[]> {
  const res = await fetch(`${base}/api/traces/${trace}`)
  return res.status === 200 ? (await res.json()).spans : []
}

function postOtlpJson(base: string, spans: unknown[]): Promise<Response> {
  const request = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'worker' } }] }, scopeSpans: [{ spans }] }] }
  return fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) })
}

function otlpSpan(traceId: string, spanId: string, extra: Record<string, unknown> = {}) {
  return { traceId, spanId, name: 'job', kind: 1, startTimeUnixNano: String(START), endTimeUnixNano: String(START + 5_000_000n), ...extra }
}

describe('a Zipkin POST without a Content-Type', () => {
  it('is read as Zipkin v2 JSON, as Zipkin reads it; a wrong type is still refused with the type named', async () => {
    const base = await startToolbar()
    const trace = '5af7183fb1d4cf5f5af7183fb1d4cf5f'
    const span = { traceId: trace, id: '00000000000000a1', name: 'get /users', timestamp: 1700000000000000, duration: 1500, localEndpoint: { serviceName: 'legacy' } }
    // A byte body: fetch adds no Content-Type of its own, as a bare HTTP client sends it.
    const res = await fetch(`${base}/zipkin/api/v2/spans`, { method: 'POST', body: new TextEncoder().encode(JSON.stringify([span])) })
    expect(res.status).toBe(202)
    expect((await spansOf(base, trace)).map((s) => [s.name, s.resource['service.name'], s.source])).toEqual([['get /users', 'legacy', 'zipkin']])

    const xml = await fetch(`${base}/zipkin/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<spans/>' })
    expect(xml.status).toBe(415)
    expect((await xml.json()).error).toBe('Content-Type "text/xml" is not supported: send Zipkin v2 JSON as application/json')
  })
})

describe("zipkin-js's HttpLogger with its default encoder (Zipkin v1 JSON) pointed at the v2 endpoint", () => {
  it('is refused with what to change, instead of keeping its spans without their service', async () => {
    const base = await startToolbar()
    const answers: Array<{ status: number; body: string }> = []
    const logger = new HttpLogger({
      endpoint: `${base}/zipkin/api/v2/spans`,
      httpInterval: 50,
      fetchImplementation: (async (url: RequestInfo, init?: RequestInit) => {
        const res = await nodeFetch(url, init)
        answers.push({ status: res.status, body: await res.clone().text() })
        return res
      }) as never,
      log: { error: () => undefined } as never,
    })
    const tracer = new zipkin.Tracer({ ctxImpl: new zipkin.ExplicitContext(), recorder: new zipkin.BatchRecorder({ logger }), localServiceName: 'legacy' })
    // A CLIENT span: in v1 its service is only in its annotations' endpoint.
    let trace = ''
    tracer.scoped(() => {
      tracer.setId(tracer.createRootId())
      trace = tracer.id.traceId
      tracer.recordServiceName('legacy')
      tracer.recordRpc('get /stock')
      tracer.recordAnnotation(new zipkin.Annotation.ClientSend())
      tracer.recordAnnotation(new zipkin.Annotation.ClientRecv())
    })
    await expect.poll(() => answers.length).toBe(1)
    expect(answers[0]!.status).toBe(400)
    expect(JSON.parse(answers[0]!.body).error).toBe(
      '1 span refused: span 0: it is Zipkin v1 JSON (annotations with an endpoint), and this endpoint reads v2: send v1 JSON to /_debug_toolbar/zipkin/api/v1/spans, or send v2 JSON here (zipkin-js: new HttpLogger({ jsonEncoder: jsonEncoder.JSON_V2, ... }))',
    )
    expect(await spansOf(base, trace.padStart(32, '0'))).toEqual([])
  })
})

describe("a sender pointed at a near miss of a receiver's URL", () => {
  it("is told where the receiver is, as the SDK's exporter given the prefix as its traces endpoint sees it", async () => {
    const base = await startToolbar()
    const otlp = 'the OTLP/HTTP receiver is POST /_debug_toolbar/otlp/v1/traces (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and an exporter\'s url are used as they are: give the whole path; OTEL_EXPORTER_OTLP_ENDPOINT=<origin>/_debug_toolbar/otlp gets /v1/traces added)'
    const memory = new InMemorySpanExporter()
    const sdk = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] })
    sdk.getTracer('t').startSpan('lost').end()
    for (const path of ['', '/otlp', '/v1/traces']) {
      const exporter = new OtlpJsonExporter({ url: `${base}${path}` })
      const result = await new Promise<ExportResult>((resolve) => exporter.export(memory.getFinishedSpans(), resolve))
      expect(result.code).toBe(ExportResultCode.FAILED)
      const error = result.error as Error & { code?: number; data?: string }
      expect([error.code, JSON.parse(error.data!).error]).toEqual([404, `nothing receives spans at /_debug_toolbar${path}: ${otlp}`])
      await exporter.shutdown()
    }
    await sdk.shutdown()
    // A service given OTEL_EXPORTER_OTLP_ENDPOINT sends its metrics and logs beside its traces.
    for (const signal of ['metrics', 'logs']) {
      const res = await fetch(`${base}/otlp/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(0) })
      expect(res.status).toBe(404)
      expect((await res.json()).error).toBe(
        `the toolbar receives traces, not ${signal}: give traces their own endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=<origin>/_debug_toolbar/otlp/v1/traces), or turn the others off (OTEL_METRICS_EXPORTER=none, OTEL_LOGS_EXPORTER=none)`,
      )
    }
    // Zipkin's v1 path is a receiver; without the `/zipkin` in front it is a near miss.
    const zipkinV1 = await fetch(`${base}/zipkin/api/v1/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' })
    expect(zipkinV1.status).toBe(202)
    const bareV1 = await fetch(`${base}/api/v1/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' })
    expect(bareV1.status).toBe(404)
    expect((await bareV1.json()).error).toBe('nothing receives spans at /_debug_toolbar/api/v1/spans: the Zipkin receiver takes Zipkin v1 JSON at POST /_debug_toolbar/zipkin/api/v1/spans')
    const bareV2 = await fetch(`${base}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' })
    expect((await bareV2.json()).error).toBe('nothing receives spans at /_debug_toolbar/api/v2/spans: the Zipkin receiver takes Zipkin v2 JSON at POST /_debug_toolbar/zipkin/api/v2/spans')
    // The toolbar's own routes under the prefix are untouched.
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
  })
})

describe('an OTLP POST or an import without a Content-Type', () => {
  it('is told that it has none and what to send, in JSON', async () => {
    const base = await startToolbar()
    const body = new TextEncoder().encode('{"resourceSpans":[]}')
    for (const [path, advice] of [
      ['/otlp/v1/traces', 'send application/x-protobuf or application/json'],
      ['/api/traces/import', 'an import is an OTLP/JSON file, application/json'],
    ]) {
      const res = await fetch(`${base}${path}`, { method: 'POST', body })
      expect(res.status).toBe(415)
      expect((await res.json()).error).toBe(`the request has no Content-Type: ${advice}`)
    }
    const wrong = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body })
    expect((await wrong.json()).error).toBe('Content-Type "text/plain; charset=utf-8" is not supported: send application/x-protobuf or application/json')
  })
})

describe('OTLP/JSON bytesValue', () => {
  it('refuses a span whose bytes are not base64, naming it in partialSuccess, and keeps valid base64 as the same bytes', async () => {
    const base = await startToolbar()
    const trace = 'b1'.repeat(16)
    const bad: Array<[unknown, string]> = [
      ['not base64!', 'bytesValue must be base64, got "not base64!"'],
      ['QUJD=', 'bytesValue must be base64, got "QUJD="'],
      ['QUJDR', 'bytesValue must be base64, got "QUJDR"'],
      [42, 'bytesValue must be a base64 string, got a number'],
    ]
    // proto3 JSON accepts standard and URL-safe base64, padded or not: each is stored as standard base64.
    const good: Array<[string, string]> = [
      ['AAEC', 'AAEC'],
      ['QQ', 'QQ=='],
      ['_-8', '/+8='],
      ['', ''],
    ]
    const attribute = (bytesValue: unknown) => ({ attributes: [{ key: 'payload', value: { bytesValue } }] })
    const res = await postOtlpJson(base, [
      ...bad.map(([value], i) => otlpSpan(trace, `00000000000000b${i}`, attribute(value))),
      ...good.map(([value], i) => otlpSpan(trace, `00000000000000c${i}`, attribute(value))),
    ])
    expect(res.status).toBe(200)
    const { partialSuccess } = await res.json()
    expect(partialSuccess.rejectedSpans).toBe(String(bad.length))
    for (const [, reason] of bad.slice(0, 3)) expect(partialSuccess.errorMessage).toContain(reason)
    expect(partialSuccess.errorMessage).toContain('and 1 more')
    const kept = (await spansOf(base, trace)).sort((a, b) => (a.spanId < b.spanId ? -1 : 1))
    expect(kept.map((s) => [s.spanId, s.attributes.payload])).toEqual(good.map(([, stored], i) => [`00000000000000c${i}`, stored]))
  })
})

describe('OTLP/JSON trace and span ids', () => {
  it('reads them as hex in either case, and refuses base64 ids with a hint instead of storing other ids', async () => {
    const base = await startToolbar()
    const res = await postOtlpJson(base, [
      otlpSpan('5AF7183FB1D4CF5F5AF7183FB1D4CF5F', '00000000000000A1', { parentSpanId: '00000000000000B2' }),
      // The same ids in base64, as a generic protobuf JSON printer writes bytes.
      otlpSpan(Buffer.from('5af7183fb1d4cf5f5af7183fb1d4cf5f', 'hex').toString('base64'), Buffer.from('00000000000000a2', 'hex').toString('base64')),
    ])
    const { partialSuccess } = await res.json()
    expect(partialSuccess.rejectedSpans).toBe('1')
    expect(partialSuccess.errorMessage).toContain('must be 32 hex characters, got "WvcYP7HUz19a9xg/sdTPXw=="')
    expect(partialSuccess.errorMessage).toContain('(OTLP/JSON writes ids as hex, not base64)')
    const spans = await spansOf(base, '5af7183fb1d4cf5f5af7183fb1d4cf5f')
    expect(spans.map((s) => [s.traceId, s.spanId, s.parentSpanId])).toEqual([['5af7183fb1d4cf5f5af7183fb1d4cf5f', '00000000000000a1', '00000000000000b2']])
  })
})
