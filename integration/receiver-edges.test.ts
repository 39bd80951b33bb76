import { afterEach, describe, expect, it } from 'vitest'
import { once } from 'node:events'
import { gzipSync } from 'node:zlib'
import type { AddressInfo } from 'node:net'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import { debugToolbar, type ToolbarStore } from '../src/index.js'
import { OpenTelemetryPanel, type OpenTelemetryPanelOptions, type ToolbarSpan } from '../src/opentelemetry/index.js'
import { SqliteStore } from '../src/store/sqlite.js'
import { encodeExportTraceServiceRequest, type OtlpTraceRequest } from '../src/opentelemetry/otlp-proto.js'
import * as zipkin from 'zipkin'
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc'
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { INVALID_SPAN_CONTEXT, type Link } from '@opentelemetry/api'
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { ExportResultCode, type ExportResult } from '@opentelemetry/core'

/**
 * The receivers under unusual but valid input, over loopback as a service would send it:
 * what each answers, and what the trace API then shows.
 */

const JSON_HEADERS = { 'content-type': 'application/json' }
const START = 1_700_000_000_000_000_000n

interface Toolbar {
  base: string
  panel: OpenTelemetryPanel
}

const running: Array<{ server: ServerType; panel: OpenTelemetryPanel }> = []

afterEach(async () => {
  for (const { server, panel } of running.splice(0)) {
    await panel.shutdown()
    server.close()
  }
})

async function startToolbar(options: OpenTelemetryPanelOptions = {}, store?: ToolbarStore, routes?: (app: Hono) => void): Promise<Toolbar> {
  const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'frontend', ...options })
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [panel], store }))
  app.get('/', (c) => c.text('ok'))
  routes?.(app)
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await once(server, 'listening')
  running.push({ server, panel })
  await panel.ready
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/_debug_toolbar`, panel }
}

function traceId(n: number): string {
  return n.toString(16).padStart(32, 'c')
}

/** An OTLP/JSON span, as the SDK's JSON exporter writes it. */
function otlpSpan(trace: string, spanId: string, extra: Record<string, unknown> = {}) {
  return { traceId: trace, spanId, name: 'job', kind: 1, startTimeUnixNano: String(START), endTimeUnixNano: String(START + 5_000_000n), ...extra }
}

function otlpRequest(spans: unknown[], resource: unknown[] = [{ key: 'service.name', value: { stringValue: 'worker' } }]) {
  return { resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] }
}

async function spansOf(base: string, trace: string): Promise<{ status: number; spans: ToolbarSpan[] }> {
  const res = await fetch(`${base}/api/traces/${trace}`)
  return { status: res.status, spans: res.status === 200 ? (await res.json()).spans : [] }
}

describe('a batch of more traces than maxTraces', () => {
  it('keeps every accepted span in a durable store, although memory holds only the newest traces', async () => {
    const store = new SqliteStore({ path: ':memory:' })
    const { base } = await startToolbar({ maxTraces: 2 }, store)
    const spans = [1, 2, 3, 4].map((n) => otlpSpan(traceId(n), '00000000000000a1'))
    const res = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(otlpRequest(spans)) })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({})
    await store.flush()
    for (const n of [1, 2, 3, 4]) {
      const trace = await spansOf(base, traceId(n))
      expect(trace.status, `trace ${n}`).toBe(200)
      expect(trace.spans.map((s) => [s.spanId, s.resource['service.name'], s.source])).toEqual([['00000000000000a1', 'worker', 'otlp_http']])
    }
    const list = await (await fetch(`${base}/api/traces?service=worker`)).json()
    expect(list.total).toBe(4)
  })
})

describe('a service exporting more traces than maxTraces while a request runs', () => {
  it("keeps the running request's trace, and counts it in its place by start once the request finished", async () => {
    let entered!: () => void
    let release!: () => void
    const inside = new Promise<void>((resolve) => (entered = resolve))
    const gate = new Promise<void>((resolve) => (release = resolve))
    const { base } = await startToolbar({ maxTraces: 3 }, undefined, (app) => {
      app.get('/slow', async (c) => {
        entered()
        await gate
        return c.text('done')
      })
    })
    const slow = fetch(new URL('/slow', base))
    await inside
    const spans = [1, 2, 3, 4, 5].map((n) => otlpSpan(traceId(n), '00000000000000a1'))
    const res = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(otlpRequest(spans)) })
    expect(await res.json()).toEqual({})
    // While it runs, the waterfall of the request being waited for keeps its spans: the
    // newest received traces fill the bound beside it.
    const running = await (await fetch(`${base}/api/traces`)).json()
    const trace = running.traces.find((t: { rootName: string }) => t.rootName === 'GET /slow').traceId as string
    expect(running.traces.map((t: { traceId: string }) => t.traceId).sort()).toEqual([trace, traceId(3), traceId(4), traceId(5)].sort())
    expect((await spansOf(base, trace)).spans.map((s) => [s.name, s.kind, s.source])).toEqual([['GET /slow', 'SERVER', 'local']])
    release()
    const page = await slow
    expect(await page.text()).toBe('done')
    // Finished, it started before the three traces kept: it goes, as a durable store drops it.
    const list = await (await fetch(`${base}/api/traces`)).json()
    expect(list.traces.map((t: { traceId: string }) => t.traceId).sort()).toEqual([traceId(3), traceId(4), traceId(5)].sort())
    expect((await spansOf(base, trace)).status).toBe(404)
  })
})

describe('attribute and tag keys that are names of Object.prototype', () => {
  it('keeps "__proto__" and "constructor" as attributes, resource attributes and Zipkin tags', async () => {
    const { base } = await startToolbar()
    const keys = (prefix: string) => ['__proto__', 'constructor', 'toString'].map((key) => ({ key, value: { stringValue: `${prefix} ${key}` } }))
    const span = otlpSpan(traceId(0x51), '00000000000000b1', {
      attributes: [...keys('span'), { key: 'map', value: { kvlistValue: { values: keys('nested') } } }],
    })
    const res = await fetch(`${base}/otlp/v1/traces`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(otlpRequest([span], [{ key: 'service.name', value: { stringValue: 'worker' } }, ...keys('resource')])),
    })
    expect(await res.json()).toEqual({})
    const [received] = (await spansOf(base, traceId(0x51))).spans
    expect(Object.entries(received!.attributes)).toEqual([
      ['__proto__', 'span __proto__'],
      ['constructor', 'span constructor'],
      ['toString', 'span toString'],
      ['map', '{"__proto__":"nested __proto__","constructor":"nested constructor","toString":"nested toString"}'],
    ])
    expect(received!.resource['__proto__']).toBe('resource __proto__')

    const zipkin = `[{"traceId":"${traceId(0x52)}","id":"00000000000000b2","name":"get","timestamp":1700000000000000,"duration":10,` +
      `"localEndpoint":{"serviceName":"legacy"},"tags":{"__proto__":"tag __proto__","http.method":"GET"}}]`
    expect((await fetch(`${base}/zipkin/api/v2/spans`, { method: 'POST', headers: JSON_HEADERS, body: zipkin })).status).toBe(202)
    const [tagged] = (await spansOf(base, traceId(0x52))).spans
    expect(Object.entries(tagged!.attributes)).toEqual([['__proto__', 'tag __proto__'], ['http.method', 'GET']])
  })
})

/** Ended SDK spans, made by the OpenTelemetry SDK as a service's would be. */
function sdkSpans(attributes: Record<string, string>, links: Link[] = []): ReadableSpan[] {
  const memory = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] })
  provider.getTracer('inventory').startSpan('reserve', { attributes, links }).end()
  return memory.getFinishedSpans()
}

function exportWith(exporter: { export: OtlpGrpcExporter['export'] }, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve))
}

/** The receivers' counters as the OpenTelemetry panel shows them on the next recorded request. */
async function receiverCounters(base: string): Promise<Record<string, number>> {
  const page = await fetch(new URL('/', base))
  const detail = await (await fetch(`${base}/api/requests/${page.headers.get('x-debug-toolbar-request-id')}`)).json()
  return detail.panels.opentelemetry.receiver.counters
}

describe('OTLP/gRPC exports that grpc-js refuses before the receiver reads them', () => {
  it('are counted with the refused exports in the panel, plain or gzip', async () => {
    const { base, panel } = await startToolbar({ otlpGrpcPort: 0, otlpMaxBodyBytes: 64 * 1024 })
    const url = `http://127.0.0.1:${panel.receivers!.grpc!.port}`
    const plain = new OtlpGrpcExporter({ url })
    const gzip = new OtlpGrpcExporter({ url, compression: CompressionAlgorithm.GZIP })
    try {
      expect((await exportWith(plain, sdkSpans({ size: 'small' }))).code).toBe(ExportResultCode.SUCCESS)
      const big = sdkSpans({ blob: 'x'.repeat(128 * 1024) })
      const refused = [await exportWith(plain, big), await exportWith(gzip, big)]
      expect(refused.map((r) => [r.code, r.error?.message])).toEqual([
        [ExportResultCode.FAILED, expect.stringMatching(/RESOURCE_EXHAUSTED: Received message larger than max/)],
        [ExportResultCode.FAILED, expect.stringMatching(/RESOURCE_EXHAUSTED: Received message that decompresses to a size larger than 65536/)],
      ])
    } finally {
      await plain.shutdown()
      await gzip.shutdown()
    }
    expect(await receiverCounters(base)).toMatchObject({ requests: 3, accepted: 1, malformed: 2 })
  })
})

describe('the invalid (all-zero) id where a receiver can do without it', () => {
  it("keeps a span of the SDK that links to an invalid context, without the link, counted in droppedLinksCount", async () => {
    const { base } = await startToolbar()
    const url = `${base}/otlp/v1/traces`
    for (const exporter of [new OtlpProtoExporter({ url }), new OtlpJsonExporter({ url })]) {
      const spans = sdkSpans({ queue: 'orders' }, [{ context: INVALID_SPAN_CONTEXT }, { context: INVALID_SPAN_CONTEXT }])
      expect((await exportWith(exporter, spans)).code).toBe(ExportResultCode.SUCCESS)
      await exporter.shutdown()
      const [kept] = (await spansOf(base, spans[0]!.spanContext().traceId)).spans
      expect(kept).toMatchObject({ name: 'reserve', links: [], droppedLinksCount: 2, attributes: { queue: 'orders' } })
    }
  })

  it('reads an all-zero parent span id as a root span: OTLP/JSON, OTLP protobuf and Zipkin', async () => {
    const { base } = await startToolbar()
    const root = (trace: string) => otlpRequest([otlpSpan(trace, '00000000000000c1', { parentSpanId: '0000000000000000' })])
    const json = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(root(traceId(0x61))) })
    expect(await json.json()).toEqual({})
    const proto = await fetch(`${base}/otlp/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: encodeExportTraceServiceRequest(root(traceId(0x62))),
    })
    expect(proto.status).toBe(200)
    const zipkin = `[{"traceId":"${traceId(0x63)}","id":"00000000000000c1","parentId":"0000000000000000","name":"job","timestamp":1700000000000000,"duration":5}]`
    expect((await fetch(`${base}/zipkin/api/v2/spans`, { method: 'POST', headers: JSON_HEADERS, body: zipkin })).status).toBe(202)
    for (const n of [0x61, 0x62, 0x63]) {
      expect((await spansOf(base, traceId(n))).spans.map((s) => [s.spanId, s.parentSpanId])).toEqual([['00000000000000c1', undefined]])
    }
  })
})

describe("Zipkin: a service's spans that arrive before its shared SERVER span", () => {
  it('move under that SERVER span when it arrives, in memory and in a durable store', async () => {
    const store = new SqliteStore({ path: ':memory:' })
    const { base } = await startToolbar({}, store)
    const trace = traceId(0x71)
    const zipkinSpan = (fields: Record<string, unknown>) => ({ traceId: trace, timestamp: 1_700_000_000_000_000, duration: 900, ...fields })
    const post = (spans: unknown[]) => fetch(`${base}/zipkin/api/v2/spans`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(spans) })
    // The caller's CLIENT span, then (a flush later, as zipkin-js reports children first) the callee's query, then its SERVER span.
    expect((await post([zipkinSpan({ id: '00000000000000d0', name: 'checkout', localEndpoint: { serviceName: 'shop' } }), zipkinSpan({ id: '00000000000000d1', parentId: '00000000000000d0', kind: 'CLIENT', name: 'get /stock', localEndpoint: { serviceName: 'shop' } })])).status).toBe(202)
    expect((await post([zipkinSpan({ id: '00000000000000d2', parentId: '00000000000000d1', name: 'select stock', localEndpoint: { serviceName: 'stock' } })])).status).toBe(202)
    expect((await post([zipkinSpan({ id: '00000000000000d1', parentId: '00000000000000d0', kind: 'SERVER', shared: true, name: 'get /stock', localEndpoint: { serviceName: 'stock' } })])).status).toBe(202)

    const tree = (spans: ToolbarSpan[]) => {
      const server = spans.find((s) => s.kind === 'SERVER')!
      return { server: [server.resource['service.name'], server.parentSpanId], query: spans.find((s) => s.name === 'select stock')!.parentSpanId === server.spanId }
    }
    expect(tree((await spansOf(base, trace)).spans)).toEqual({ server: ['stock', '00000000000000d1'], query: true })
    await store.flush()
    expect(tree((await store.getTrace(trace))!)).toEqual({ server: ['stock', '00000000000000d1'], query: true })
  })
})

describe('bodies from senders that follow other conventions', () => {
  it('reads Content-Encoding: x-gzip as gzip, as HTTP asks, on the OTLP and Zipkin receivers', async () => {
    const { base } = await startToolbar()
    const otlp = await fetch(`${base}/otlp/v1/traces`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'content-encoding': 'x-gzip' },
      body: gzipSync(JSON.stringify(otlpRequest([otlpSpan(traceId(0x81), '00000000000000e1')]))),
    })
    expect([otlp.status, await otlp.json()]).toEqual([200, {}])
    const zipkin = await fetch(`${base}/zipkin/api/v2/spans`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'content-encoding': 'x-gzip' },
      body: gzipSync(`[{"traceId":"${traceId(0x82)}","id":"00000000000000e2","name":"get","timestamp":1700000000000000,"duration":5}]`),
    })
    expect(zipkin.status).toBe(202)
    expect((await spansOf(base, traceId(0x81))).spans.map((s) => s.spanId)).toEqual(['00000000000000e1'])
    expect((await spansOf(base, traceId(0x82))).spans.map((s) => s.spanId)).toEqual(['00000000000000e2'])
  })

  it("refuses with 400 and the field's OTLP/JSON name the snake_case names, which kept nothing behind a 200", async () => {
    const { base } = await startToolbar()
    const span = otlpSpan(traceId(0x84), '00000000000000e4')
    const bodies = [
      [{ resource_spans: [{ scope_spans: [{ spans: [span] }] }] }, 'request has "resource_spans" where OTLP/JSON has "resourceSpans"'],
      [{ resourceSpans: [{ scope_spans: [{ spans: [span] }] }] }, 'resourceSpans[0] has "scope_spans" where OTLP/JSON has "scopeSpans"'],
    ] as const
    for (const [body, message] of bodies) {
      const res = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) })
      expect([res.status, (await res.json()).error]).toEqual([400, expect.stringContaining(message)])
    }
    expect((await spansOf(base, traceId(0x84))).status).toBe(404)
  })

  it('reads instrumentationLibrarySpans, what senders from before OTLP 1.0 write, in JSON and protobuf', async () => {
    const { base } = await startToolbar()
    const json = { resourceSpans: [{ instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'legacy-lib', version: '0.9' }, spans: [otlpSpan(traceId(0x85), '00000000000000e5')] }] }] }
    const res = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(json) })
    expect([res.status, await res.json()]).toEqual([200, {}])
    // Field 1000 of ResourceSpans, as code generated from opentelemetry-proto 0.15 to 0.18 writes it.
    const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'))
    const protobuf = encodeExportTraceServiceRequest(<OtlpTraceRequest>{
      resourceSpans: [{
        instrumentationLibrarySpans: [{
          scope: { name: 'legacy-lib', version: '0.9' },
          spans: [{ traceId: bytes(traceId(0x86)), spanId: bytes('00000000000000e6'), name: 'job', startTimeUnixNano: String(START), endTimeUnixNano: String(START + 5n) }],
        }],
      }],
    })
    expect(Buffer.from(protobuf).includes(Buffer.from([0xc2, 0x3e]))).toBe(true)
    expect((await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: protobuf })).status).toBe(200)
    for (const n of [0x85, 0x86]) {
      expect((await spansOf(base, traceId(n))).spans.map((s) => [s.name, s.scope])).toEqual([['job', { name: 'legacy-lib', version: '0.9' }]])
    }
  })

  it('says that OTLP/JSON ids are hex when a sender wrote them in base64 (a generic protobuf JSON printer)', async () => {
    const { base } = await startToolbar()
    const base64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64')
    const span = otlpSpan(base64(traceId(0x83)), base64('00000000000000e3'))
    const res = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(otlpRequest([span])) })
    const { partialSuccess } = await res.json()
    expect(partialSuccess).toEqual({ rejectedSpans: '1', errorMessage: expect.stringContaining('traceId must be 32 hex characters, got "zMzMzMzMzMzMzMzMzMzMgw==" (OTLP/JSON writes ids as hex, not base64)') })
  })
})

describe('Zipkin: a span reported unfinished, then finished without its timestamp (zipkin-js)', () => {
  it('completes the earlier report with the later one: the waterfall shows the whole duration', async () => {
    const { base } = await startToolbar()
    // zipkin-js's own recorder: flush() reports the unfinished span (as its 60 s timeout does),
    // and the end then comes as a report with no timestamp, no service, and a "finish" annotation.
    const reports: string[] = []
    const recorder = new zipkin.BatchRecorder({ logger: { logSpan: (span) => reports.push(zipkin.jsonEncoder.JSON_V2.encode(span)) } })
    const tracer = new zipkin.Tracer({ ctxImpl: new zipkin.ExplicitContext(), recorder, localServiceName: 'worker', traceId128Bit: true })
    const id = tracer.createRootId()
    const start = 1_700_000_000_000_000
    tracer.letId(id, () => {
      tracer.recordServiceName('worker')
      tracer.recordRpc('nightly-job')
      tracer.recordAnnotation(new zipkin.Annotation.LocalOperationStart('nightly-job'), start)
    })
    recorder.flush()
    tracer.letId(id, () => tracer.recordAnnotation(new zipkin.Annotation.LocalOperationStop(), start + 90_000_000))
    expect(reports).toHaveLength(2)
    expect(JSON.parse(reports[1]!).timestamp).toBeUndefined()

    for (const report of reports) {
      const res = await fetch(`${base}/zipkin/api/v2/spans`, { method: 'POST', headers: JSON_HEADERS, body: `[${report}]` })
      expect([res.status, await res.text()]).toEqual([202, ''])
    }
    const [job] = (await spansOf(base, id.traceId)).spans
    expect(job).toMatchObject({ name: 'nightly-job', resource: { 'service.name': 'worker' }, startTimeUnixNano: `${start}000`, endTimeUnixNano: `${start + 90_000_000}000` })
    expect(job!.events.map((e) => e.name)).toEqual(['finish'])

    // Both reports in one POST, as a logger that batches them sends them.
    const other = reports.map((report) => report.replaceAll(id.traceId, traceId(0x92)))
    const both = await fetch(`${base}/zipkin/api/v2/spans`, { method: 'POST', headers: JSON_HEADERS, body: `[${other.join(',')}]` })
    expect([both.status, await both.text()]).toEqual([202, ''])
    expect((await spansOf(base, traceId(0x92))).spans.map((s) => [s.name, s.endTimeUnixNano])).toEqual([['nightly-job', `${start + 90_000_000}000`]])

    // A report without a timestamp that completes nothing is refused, with the reason.
    const alone = await fetch(`${base}/zipkin/api/v2/spans`, { method: 'POST', headers: JSON_HEADERS, body: `[{"traceId":"${traceId(0x91)}","id":"00000000000000f1","annotations":[{"timestamp":${start},"value":"finish"}]}]` })
    expect([alone.status, await alone.json()]).toEqual([400, { error: '1 span refused: span 0: it has no timestamp, and no earlier report of span 00000000000000f1 is held to complete' }])
  })
})

describe('Zipkin: a 64-bit tracer called with a 128-bit trace id keeps only its lower half (B3)', () => {
  it("joins the spans it reports to the request's 128-bit trace instead of a trace of their own", async () => {
    const { base } = await startToolbar()
    const page = await fetch(new URL('/', base))
    const trace = /00-([0-9a-f]{32})-([0-9a-f]{16})-/.exec(page.headers.get('server-timing') ?? '')!
    const [, fullId, serverSpanId] = trace
    const lowerHalf = fullId!.slice(16)
    const legacy = `[{"traceId":"${lowerHalf}","id":"00000000000000f7","parentId":"${serverSpanId}","kind":"SERVER","name":"get /legacy",` +
      `"timestamp":${Date.now() * 1000},"duration":10,"localEndpoint":{"serviceName":"legacy"}}]`
    expect((await fetch(`${base}/zipkin/api/v2/spans`, { method: 'POST', headers: JSON_HEADERS, body: legacy })).status).toBe(202)
    const spans = (await spansOf(base, fullId!)).spans
    expect(spans.map((s) => [s.resource['service.name'], s.parentSpanId ?? null])).toEqual(expect.arrayContaining([['legacy', serverSpanId]]))
    expect((await spansOf(base, `${'0'.repeat(16)}${lowerHalf}`)).status).toBe(404)
  })
})

describe('Zipkin: numbers written as JSON strings, which Zipkin itself reads', () => {
  it("keeps Envoy 1.12's spans (timestamp, duration as strings) and numeric tag values, as Zipkin's server does", async () => {
    const { base } = await startToolbar()
    const trace = '83713138fa14c72683713138fa14c726'
    // The shape Envoy 1.12 and OpenCensus Node (before 0.0.8) sent to /api/v2/spans.
    const envoy = {
      traceId: trace,
      id: '83713138fa14c726',
      kind: 'SERVER',
      name: 'www.hello',
      timestamp: '1700000000488551',
      duration: '7131',
      localEndpoint: { serviceName: 'envoy-cluster', ipv4: '172.31.0.5' },
      tags: { 'http.status_code': '200', 'http.method': 'GET' },
      annotations: [{ timestamp: '1700000000490000', value: 'ws' }],
    }
    // A tracer that writes numeric tags as numbers (Zipkin reads them as their text).
    const numericTags = { traceId: trace, id: '0000000000000b02', parentId: '83713138fa14c726', name: 'db', timestamp: 1700000000489000, duration: 100, localEndpoint: { serviceName: 'envoy-cluster' }, tags: { 'db.rows': 12, ratio: 0.5 } }
    const res = await fetch(`${base}/zipkin/api/v2/spans`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify([envoy, numericTags]) })
    expect(res.status).toBe(202)
    expect(await res.text()).toBe('')
    const { spans } = await spansOf(base, trace)
    expect(spans.map((s) => [s.name, s.startTimeUnixNano, s.endTimeUnixNano, s.attributes])).toEqual([
      ['www.hello', '1700000000488551000', '1700000000495682000', { 'http.status_code': '200', 'http.method': 'GET' }],
      ['db', '1700000000489000000', '1700000000489100000', { 'db.rows': '12', ratio: '0.5' }],
    ])
    expect(spans[0]!.events).toEqual([expect.objectContaining({ name: 'ws', timeUnixNano: '1700000000490000000' })])
  })

  it('still refuses text that is not a whole number of microseconds, and booleans as tags, as Zipkin does', async () => {
    const { base } = await startToolbar()
    const span = { traceId: '83713138fa14c72683713138fa14c727', id: '0000000000000b03', name: 'x', timestamp: '1700000000488551', localEndpoint: { serviceName: 'svc' } }
    for (const [fields, reason] of [
      [{ timestamp: '1.7e15' }, 'timestamp "1.7e15" is not a non-negative whole number of microseconds'],
      [{ duration: '-5' }, 'duration "-5" is not a non-negative whole number of microseconds'],
      [{ timestamp: '99999999999999999999' }, 'timestamp "99999999999999999999" is not a non-negative whole number of microseconds'],
      [{ tags: { debug: true } }, 'tag "debug" is not a string'],
    ] as const) {
      const res = await fetch(`${base}/zipkin/api/v2/spans`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify([{ ...span, ...fields }]) })
      expect(res.status).toBe(400)
      expect((await res.json()).error).toContain(reason)
    }
  })
})

describe('OTLP/JSON attribute values of the wrong type', () => {
  it('refuses the span with the field named, instead of keeping null or NaN, and keeps the valid values of the same export', async () => {
    const { base } = await startToolbar()
    const trace = traceId(0x7a)
    const attribute = (value: unknown) => [{ key: 'v', value }]
    const bad: Array<[unknown, string]> = [
      [{ boolValue: 'true' }, 'boolValue must be a boolean'],
      [{ stringValue: 5 }, 'stringValue must be a string'],
      [{ doubleValue: 'abc' }, 'doubleValue must be a number'],
      [{ doubleValue: '' }, 'doubleValue must be a number'],
      [{ arrayValue: [1] }, 'arrayValue must be an object'],
      [{ kvlistValue: 'a=b' }, 'kvlistValue must be an object'],
    ]
    const good: Array<[unknown, unknown]> = [
      [{ doubleValue: 'NaN' }, null],
      [{ doubleValue: '-Infinity' }, null],
      [{ doubleValue: '1.5' }, 1.5],
      [{ doubleValue: 2.5 }, 2.5],
      [{ boolValue: false }, false],
      // proto3 JSON: null is a field not set.
      [{ stringValue: null, intValue: '7' }, 7],
      [{}, null],
    ]
    const spans = [
      ...bad.map(([value], i) => otlpSpan(trace, `00000000000000b${i}`, { attributes: attribute(value) })),
      ...good.map(([value], i) => otlpSpan(trace, `00000000000000c${i}`, { attributes: attribute(value) })),
    ]
    const res = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(otlpRequest(spans)) })
    expect(res.status).toBe(200)
    const { partialSuccess } = await res.json()
    expect(partialSuccess.rejectedSpans).toBe(String(bad.length))
    for (const [, reason] of bad.slice(0, 3)) expect(partialSuccess.errorMessage).toContain(reason)
    const kept = (await spansOf(base, trace)).spans
    expect(kept.map((s) => s.spanId).sort()).toEqual(good.map((_, i) => `00000000000000c${i}`))
    // JSON has no NaN: the trace API writes it as null, as JSON.stringify does.
    expect(kept.sort((a, b) => (a.spanId < b.spanId ? -1 : 1)).map((s) => s.attributes.v ?? null)).toEqual(good.map(([, shown]) => shown))
  })
})
