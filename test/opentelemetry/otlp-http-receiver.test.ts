import { describe, expect, it } from 'vitest'
import { gzipSync } from 'node:zlib'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, type OpenTelemetryStats, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { decodeExportTraceServiceResponse, encodeExportTraceServiceRequest } from '../../src/opentelemetry/otlp-proto.js'
import { decodeRpcStatus } from '../../src/opentelemetry/rpc-status.js'
import type { ToolbarEvent } from '../../src/core/events.js'
import { MemoryStore } from '../../src/core/store.js'
import { summarizeTrace, toolbarSpansFromOtlp, type TraceFilter } from '../../src/opentelemetry/index.js'

type TraceSummaryLike = { rootName: string; spanCount: number }

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }
const URL_PATH = '/_debug_toolbar/otlp/v1/traces'

function hex(n: number, bytes: number): string {
  return n.toString(16).padStart(bytes * 2, '0')
}

/** An OTLP/JSON export request of one service. */
function exportRequest(service: string, spans: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; start?: number; status?: number }>) {
  const base = Date.now() * 1e6
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{
        scope: { name: 'test', version: '1.0' },
        spans: spans.map((s) => ({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: 2,
          startTimeUnixNano: String(base + (s.start ?? 0) * 1e6),
          endTimeUnixNano: String(base + ((s.start ?? 0) + 5) * 1e6),
          attributes: [{ key: 'n', value: { intValue: '7' } }],
          status: { code: s.status ?? 0 },
          unknownField: { ignored: true },
        })),
      }],
    }],
  }
}

function makeApp(options: ConstructorParameters<typeof OpenTelemetryPanel>[0] = {}, allowedHosts?: string[]) {
  const app = new Hono()
  const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'frontend', ...options })
  const middleware = debugToolbar({ extraPanels: [panel], allowedHosts })
  const events: ToolbarEvent[] = []
  middleware.toolbar.events.subscribe((event) => events.push(event))
  app.use(middleware)
  const post = (body: BodyInit, headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
    app.request(URL_PATH, { method: 'POST', body, headers }, { incoming: { socket: { remoteAddress } } })
  const json = async (path: string) => (await app.request(`/_debug_toolbar${path}`, undefined, loopback)).json()
  return { app, panel, post, json, events }
}

describe('OTLP/HTTP receiver', () => {
  it('takes OTLP/JSON (hex ids, enum integers, unknown fields) and keeps the spans as a trace of their own', async () => {
    const { post, json, events } = makeApp()
    const traceId = hex(0xa1, 16)
    const res = await post(JSON.stringify(exportRequest('worker', [
      { traceId, spanId: hex(1, 8), name: 'job' },
      { traceId, spanId: hex(2, 8), parentSpanId: hex(1, 8), name: 'step', start: 1, status: 2 },
    ])), { 'content-type': 'application/json' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/application\/json/)
    expect(await res.json()).toEqual({})
    const trace = await json(`/api/traces/${traceId}`)
    expect(trace.spans.map((s: ToolbarSpan) => [s.name, s.source, s.resource['service.name'], s.attributes.n])).toEqual([
      ['job', 'otlp_http', 'worker', 7],
      ['step', 'otlp_http', 'worker', 7],
    ])
    const list = await json(`/api/traces?service=worker`)
    expect(list.traces[0]).toMatchObject({ traceId, rootName: 'job', services: ['worker'], spanCount: 2, error: true })
    expect(list.traces[0].requestId).toBeUndefined()
    expect(events.map((e) => e.type)).toEqual(['trace.created', 'trace.completed'])
    expect(events[0]!.data).toMatchObject({ traceId, name: 'job', spanCount: 2, services: ['worker'], source: 'otlp_http' })
  })

  it('takes gzip protobuf and answers in protobuf, with partialSuccess for refused spans and the valid ones kept', async () => {
    const { post, json } = makeApp()
    const traceId = hex(0xa2, 16)
    const body = exportRequest('inventory', [
      { traceId, spanId: hex(1, 8), name: 'ok' },
      { traceId, spanId: hex(2, 8), name: 'also ok' },
    ])
    const bytes = encodeExportTraceServiceRequest(body)
    // Corrupt the second span's id: a 16-byte span id is refused on its own.
    const bad = structuredClone(body)
    bad.resourceSpans[0]!.scopeSpans[0]!.spans[1]!.spanId = hex(2, 16)
    const res = await post(gzipSync(encodeExportTraceServiceRequest(bad)), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-protobuf')
    const answer = decodeExportTraceServiceResponse(new Uint8Array(await res.arrayBuffer()))
    expect(answer.partialSuccess?.rejectedSpans).toBe('1')
    expect(answer.partialSuccess?.errorMessage).toMatch(/1 span refused: .*spanId must be 8 bytes, got 16/)
    expect((await json(`/api/traces/${traceId}`)).spans.map((s: ToolbarSpan) => s.name)).toEqual(['ok'])
    // The exporter retries the whole batch: the span it already sent is stored once.
    expect((await post(bytes, { 'content-type': 'application/x-protobuf' })).status).toBe(200)
    expect((await json(`/api/traces/${traceId}`)).spans.map((s: ToolbarSpan) => s.name)).toEqual(['ok', 'also ok'])
  })

  it('answers 400, 413 and 415 with a message in the request encoding, never 5xx', async () => {
    const { app, post } = makeApp({ otlpMaxBodyBytes: 64 * 1024 })
    const badJson = await post('{"resourceSpans": [', { 'content-type': 'application/json' })
    expect(badJson.status).toBe(400)
    expect(await badJson.json()).toMatchObject({ code: 3, error: expect.stringMatching(/not valid JSON/) })
    const badProto = await post(new Uint8Array([0x0a, 0xff, 0xff, 0xff]), { 'content-type': 'application/x-protobuf' })
    expect(badProto.status).toBe(400)
    expect(decodeRpcStatus(new Uint8Array(await badProto.arrayBuffer())).message).toMatch(/invalid OTLP protobuf/)
    const badGzip = await post(new Uint8Array([0x1f, 0x8b, 1, 2, 3]), { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    expect(badGzip.status).toBe(400)
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024))
    const tooBig = await post(bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })
    expect(tooBig.status).toBe(413)
    expect(decodeRpcStatus(new Uint8Array(await tooBig.arrayBuffer())).message).toMatch(/limit of 65536 bytes once decompressed/)
    const plainBig = await post(new Uint8Array(100 * 1024), { 'content-type': 'application/x-protobuf' })
    expect(plainBig.status).toBe(413)
    // Streamed without a Content-Length: cut at the limit while reading, the rest drained.
    const chunk = new Uint8Array(16 * 1024)
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const streamed = await app.request(URL_PATH, { method: 'POST', body: stream, headers: { 'content-type': 'application/x-protobuf' }, duplex: 'half' } as RequestInit, loopback)
    expect(streamed.status).toBe(413)
    expect(sent).toBe(11)
    const text = await post('hello', { 'content-type': 'text/plain' })
    expect(text.status).toBe(415)
    expect((await text.json()).error).toMatch(/Content-Type "text\/plain" is not supported/)
    const brotli = await post('{}', { 'content-type': 'application/json', 'content-encoding': 'br' })
    expect(brotli.status).toBe(415)
    const wrongShape = await post('{"resourceSpans": 5}', { 'content-type': 'application/json' })
    expect(wrongShape.status).toBe(400)
    expect((await wrongShape.json()).message).toMatch(/resourceSpans must be an array/)
  })

  it('follows the toolbar access rule: another host gets a 404 unless allowed', async () => {
    const body = JSON.stringify(exportRequest('remote', [{ traceId: hex(0xa3, 16), spanId: hex(1, 8), name: 'x' }]))
    const headers = { 'content-type': 'application/json' }
    expect((await makeApp().post(body, headers, '10.1.2.3')).status).toBe(404)
    expect((await makeApp({}, ['127.0.0.1', '10.0.0.0/8']).post(body, headers, '10.1.2.3')).status).toBe(200)
  })

  it("joins a recorded request's waterfall under the client span, late spans counted, within the late window", async () => {
    const { app, panel, post, json } = makeApp({ gracePeriodMs: 60_000 })
    app.get('/checkout', (c) => c.text('ok'))
    const res = await app.request('/checkout', undefined, loopback)
    await res.text()
    const id = res.headers.get('x-debug-toolbar-request-id')
    const before: OpenTelemetryStats = (await json(`/api/requests/${id}`)).panels.opentelemetry
    const root = before.rootSpanId!
    expect(before.receiver).toEqual({ httpPath: URL_PATH, zipkinPath: '/_debug_toolbar/zipkin/api/v2/spans', counters: expect.objectContaining({ requests: 0 }) })
    expect(before.lateWindowMs).toBe(60_000)
    const answer = await post(JSON.stringify(exportRequest('payments', [{ traceId: before.traceId, spanId: hex(9, 8), parentSpanId: root, name: 'charge' }])), {
      'content-type': 'application/json',
    })
    expect(answer.status).toBe(200)
    const spans: ToolbarSpan[] = (await json(`/api/traces/${before.traceId}`)).spans
    const charge = spans.find((s) => s.name === 'charge')!
    expect(charge).toMatchObject({ parentSpanId: root, source: 'otlp_http', resource: { 'service.name': 'payments' } })
    expect(panel.receivers!.ingest.counters).toMatchObject({ requests: 1, accepted: 1, late: 1 })
    // The request read again counts the span that joined it, in its stats and the panel list.
    const again = await json(`/api/requests/${id}`)
    expect(again.panels.opentelemetry).toMatchObject({ spanCount: before.spanCount + 1, receivedSpans: 1, inFlightSpans: 0, lateSpans: before.lateSpans + 1 })
    expect(again.nav.find((n: { id: string }) => n.id === 'opentelemetry').subtitle).toBe(`${before.spanCount + 1} spans`)
    const list = await json('/api/traces?source=otlp_http&service=payments')
    expect(list.traces.find((t: { traceId: string }) => t.traceId === before.traceId)).toMatchObject({ requestId: id, services: ['frontend', 'payments'] })
    const page = await json(`/api/traces/${before.traceId}/spans?limit=1&offset=1`)
    expect(page).toMatchObject({ traceId: before.traceId, total: spans.length })
    expect(page.spans).toHaveLength(1)
  })

  it('refuses spans of a request that finished longer ago than the late window', async () => {
    const { app, post, json } = makeApp({ gracePeriodMs: 0 })
    app.get('/done', (c) => c.text('ok'))
    const res = await app.request('/done', undefined, loopback)
    await res.text()
    const stats: OpenTelemetryStats = (await json(`/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).panels.opentelemetry
    const answer = await post(JSON.stringify(exportRequest('slow', [{ traceId: stats.traceId, spanId: hex(7, 8), name: 'too late' }])), { 'content-type': 'application/json' })
    expect(await answer.json()).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringMatching(/longer ago than the late window/) } })
  })
})

describe('trace list API', () => {
  it('reads from the toolbar store when it keeps traces (a durable store shared by instances)', async () => {
    const traceId = hex(0xd1, 16)
    const stored = exportRequest('archived', [{ traceId, spanId: hex(1, 8), name: 'old job' }])
    const spans = toolbarSpansFromOtlp(stored, 'otlp_http')
    const store = Object.assign(new MemoryStore(), {
      listTraces: async (filter: TraceFilter) => ({ traces: [summarizeTrace(traceId, spans)], total: 1, filter }),
      getTrace: async (id: string) => (id === traceId ? spans : undefined),
    })
    const app = new Hono()
    app.use(debugToolbar({ store, extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
    const list = await (await app.request('/_debug_toolbar/api/traces?service=archived&limit=5', undefined, loopback)).json()
    expect(list).toMatchObject({ total: 1, traces: [{ traceId, rootName: 'old job', services: ['archived'] }], filter: { service: 'archived', limit: 5, offset: 0 } })
    const trace = await (await app.request(`/_debug_toolbar/api/traces/${traceId}/spans`, undefined, loopback)).json()
    expect(trace).toMatchObject({ traceId, total: 1, spans: [{ name: 'old job' }] })
    expect((await app.request(`/_debug_toolbar/api/traces/${hex(0xd2, 16)}`, undefined, loopback)).status).toBe(404)
  })

  it('keeps at most maxSpans spans in memory over all traces: the oldest traces go, and the list counts them', async () => {
    expect(() => new OpenTelemetryPanel({ maxSpans: 0 })).toThrow(/maxSpans: expected a positive whole number, got 0/)
    const { post, json } = makeApp({ maxSpans: 5 })
    const send = (n: number) =>
      post(JSON.stringify(exportRequest('worker', [1, 2, 3].map((i) => ({ traceId: hex(0xb0 + n, 16), spanId: hex(i, 8), name: `job ${n}`, start: i })))), { 'content-type': 'application/json' })
    for (const n of [1, 2, 3]) expect((await send(n)).status).toBe(200)
    const list = await json('/api/traces?service=worker')
    // 9 spans sent, 5 kept at most: the two oldest traces went, the newest is whole.
    expect(list.traces.map((t: TraceSummaryLike) => [t.rootName, t.spanCount])).toEqual([['job 3', 3]])
    expect(list.evicted).toBeGreaterThanOrEqual(2)
  })

  it('answers another method on a POST-only route with 405 and Allow: POST, as HTTP says', async () => {
    const { app } = makeApp()
    for (const path of ['/otlp/v1/traces', '/zipkin/api/v2/spans', '/api/traces/import']) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await app.request(`/_debug_toolbar${path}`, { method }, loopback)
        expect([path, method, res.status, res.headers.get('allow')]).toEqual([path, method, 405, 'POST'])
        expect((await res.json()).error).toMatch(new RegExp(`^${method} is not allowed here: .*POST`))
      }
    }
    // Still served: the next export is taken.
    const traceId = hex(0xa7, 16)
    const res = await app.request('/_debug_toolbar/otlp/v1/traces', {
      method: 'POST',
      body: JSON.stringify(exportRequest('worker', [{ traceId, spanId: hex(1, 8), name: 'job' }])),
      headers: { 'content-type': 'application/json' },
    }, loopback)
    expect(res.status).toBe(200)
  })

  it('answers 400 naming a bad parameter', async () => {
    const { app } = makeApp()
    for (const [query, name] of [['limit=201', 'limit'], ['offset=-1', 'offset'], ['source=carrier', 'source'], ['since=yesterday', 'since'], ['minDurationMs=fast', 'minDurationMs'], ['minDurationMs=-1', 'minDurationMs'], ['minDurationMs=0x10', 'minDurationMs']]) {
      const res = await app.request(`/_debug_toolbar/api/traces?${query}`, undefined, loopback)
      expect(res.status).toBe(400)
      expect((await res.json()).error).toMatch(new RegExp(`^${name} `))
    }
    // Numbers as JSON writes them are numbers, exponent included.
    for (const query of ['minDurationMs=1e3', 'minDurationMs=2.5E-1', 'minDurationMs=250']) {
      expect((await app.request(`/_debug_toolbar/api/traces?${query}`, undefined, loopback)).status).toBe(200)
    }
    // A long value is quoted in part: the answer does not grow with the query string.
    for (const name of ['source', 'since', 'until', 'minDurationMs', 'limit', 'offset']) {
      const res = await app.request(`/_debug_toolbar/api/traces?${name}=${'9x'.repeat(4000)}`, undefined, loopback)
      const { error } = await res.json()
      expect([res.status, error.length < 160, error]).toEqual([400, true, expect.stringContaining(`got "${'9x'.repeat(20)}…"`)])
    }
    const spans = await app.request(`/_debug_toolbar/api/traces/${hex(5, 16)}/spans?limit=501`, undefined, loopback)
    expect(spans.status).toBe(400)
    expect((await spans.json()).error).toMatch(/^limit must be between 1 and 500/)
  })
})

describe('spans dropped from a received trace', () => {
  /** One new trace of `count` spans, as one export: a root and its children. */
  const manySpans = (traceId: string, count: number) =>
    exportRequest('batch', Array.from({ length: count }, (_, i) => ({ traceId, spanId: hex(i + 1, 8), parentSpanId: i === 0 ? undefined : hex(1, 8), name: i === 0 ? 'import job' : `row ${i}`, start: i })))

  it('tells the sender, and counts them in the trace list and the trace, over maxSpansPerTrace', async () => {
    const { post, json } = makeApp({ maxSpansPerTrace: 50 })
    const traceId = hex(0xe1, 16)
    const res = await post(JSON.stringify(manySpans(traceId, 80)), { 'content-type': 'application/json' })
    expect((await res.json()).partialSuccess.rejectedSpans).toBe('30')
    const list = await json('/api/traces?service=batch')
    expect(list.traces.find((t: { traceId: string }) => t.traceId === traceId)).toMatchObject({ spanCount: 50, droppedSpans: 30 })
    const trace = await json(`/api/traces/${traceId}`)
    expect([trace.spans.length, trace.droppedSpans]).toEqual([50, 30])
    expect(await json(`/api/traces/${traceId}/spans?limit=1`)).toMatchObject({ total: 50, droppedSpans: 30 })
  })

  it('says nothing of drops when none were counted, in memory or in a durable store', async () => {
    const { post, json } = makeApp({ maxSpansPerTrace: 50 })
    const traceId = hex(0xe2, 16)
    await post(JSON.stringify(manySpans(traceId, 3)), { 'content-type': 'application/json' })
    expect(await json(`/api/traces/${traceId}`)).not.toHaveProperty('droppedSpans')
    expect((await json('/api/traces?service=batch')).traces.find((t: { traceId: string }) => t.traceId === traceId)).not.toHaveProperty('droppedSpans')

    // A durable store keeps spans, not drop counts: what this process counted is added, the rest says nothing.
    const counted = hex(0xe3, 16)
    const archived = hex(0xe4, 16)
    const summaries = [counted, archived].map((id) => summarizeTrace(id, toolbarSpansFromOtlp(manySpans(id, 2), 'otlp_http')))
    const store = Object.assign(new MemoryStore(), { listTraces: async () => ({ traces: summaries, total: 2 }) })
    const app = new Hono()
    app.use(debugToolbar({ store, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', maxSpansPerTrace: 50 })] }))
    await app.request(URL_PATH, { method: 'POST', body: JSON.stringify(manySpans(counted, 60)), headers: { 'content-type': 'application/json' } }, loopback)
    const list = await (await app.request('/_debug_toolbar/api/traces', undefined, loopback)).json()
    expect(list.traces.map((t: { traceId: string; droppedSpans?: number }) => [t.traceId, t.droppedSpans])).toEqual([[counted, 10], [archived, undefined]])
  })
})
