import { describe, expect, it } from 'vitest'
import { SpanKind, SpanStatusCode, ROOT_CONTEXT, trace } from '@opentelemetry/api'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  OtlpDecodeError,
  otlpJsonFromToolbarSpans,
  toolbarSpanFromReadableSpan,
  toolbarSpansFromOtlp,
  toolbarSpansFromOtlpPartially,
} from '../../src/opentelemetry/otlp-json.js'
import {
  decodeExportTraceServiceRequest,
  decodeExportTraceServiceResponse,
  encodeExportTraceServiceRequest,
  encodeExportTraceServiceResponse,
} from '../../src/opentelemetry/otlp-proto.js'
import type { ToolbarSpan } from '../../src/core/span-model.js'

const TRACE = '0af7651916cd43dd8448eb211c80319c'
const ROOT = 'b7ad6b7169203331'
const CHILD = '00f067aa0ba902b7'

function sampleSpans(): ToolbarSpan[] {
  const resource = { 'service.name': 'shop', 'deployment.environment': 'dev' }
  return [
    {
      traceId: TRACE, spanId: ROOT, parentSpanId: undefined, name: 'GET /users/:id', kind: 'SERVER',
      startTimeUnixNano: '1700000000123456789', endTimeUnixNano: '1700000000223456789',
      attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200, cached: false, ratio: 0.25, tags: ['a', 'b'] },
      events: [{ name: 'log', timeUnixNano: '1700000000150000000', attributes: { 'log.message': 'hello' } }],
      links: [],
      status: { code: 'UNSET' }, resource, scope: { name: 'hono-debug-toolbar', version: '0.1.0' }, source: 'local',
      // The OTLP fields beside the waterfall's: a continued remote trace with its tracestate.
      traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', flags: 0x303, droppedAttributesCount: 2, droppedEventsCount: 1,
    },
    {
      traceId: TRACE, spanId: CHILD, parentSpanId: ROOT, name: 'SELECT users', kind: 'CLIENT',
      startTimeUnixNano: '1700000000130000001', endTimeUnixNano: '1700000000140000002',
      attributes: { 'db.query.text': 'SELECT * FROM users WHERE id = ?' },
      events: [],
      links: [{ traceId: 'ffffffffffffffffffffffffffffffff', spanId: '1111111111111111', attributes: { reason: 'batch' }, traceState: 'k=v', flags: 0x101 }],
      status: { code: 'ERROR', message: 'no such table' }, resource, scope: { name: 'sql' }, source: 'local',
    },
  ]
}

describe('OTLP/JSON and toolbar spans', () => {
  it('groups spans by resource and scope with hex ids, integer enums and string times', () => {
    const json = otlpJsonFromToolbarSpans(sampleSpans())
    expect(json.resourceSpans).toHaveLength(1)
    const [rs] = json.resourceSpans!
    expect(rs.resource!.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'shop' } })
    expect(rs.scopeSpans!.map((ss) => ss.scope)).toEqual([{ name: 'hono-debug-toolbar', version: '0.1.0' }, { name: 'sql' }])
    const server = rs.scopeSpans![0].spans![0]
    expect(server).toMatchObject({ traceId: TRACE, spanId: ROOT, kind: 2, startTimeUnixNano: '1700000000123456789', status: { code: 0 } })
    // Every field the SDK's OTLP export has (sdkSpanToOtlpSpan): traceState, flags, dropped counts.
    expect(server).toMatchObject({ traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', flags: 0x303, droppedAttributesCount: 2, droppedEventsCount: 1 })
    expect(rs.scopeSpans![1].spans![0].links![0]).toMatchObject({ traceState: 'k=v', flags: 0x101 })
    expect(server.parentSpanId).toBeUndefined()
    expect(server.attributes).toContainEqual({ key: 'http.response.status_code', value: { intValue: '200' } })
    expect(server.attributes).toContainEqual({ key: 'ratio', value: { doubleValue: 0.25 } })
    const client = rs.scopeSpans![1].spans![0]
    expect(client).toMatchObject({ parentSpanId: ROOT, kind: 3, status: { code: 2, message: 'no such table' } })
  })

  it('round-trips JSON to toolbar spans and back, through JSON text', () => {
    const spans = sampleSpans()
    const wire = JSON.parse(JSON.stringify(otlpJsonFromToolbarSpans(spans)))
    expect(toolbarSpansFromOtlp(wire, 'otlp_http')).toEqual(spans.map((s) => ({ ...s, source: 'otlp_http' })))
  })

  it('round-trips toolbar spans through protobuf bytes', () => {
    const spans = sampleSpans()
    const bytes = encodeExportTraceServiceRequest(otlpJsonFromToolbarSpans(spans))
    const decoded = decodeExportTraceServiceRequest(bytes)
    expect(decoded.resourceSpans![0].scopeSpans![0].spans![0].traceId).toBeInstanceOf(Uint8Array)
    expect(toolbarSpansFromOtlp(decoded, 'otlp_grpc')).toEqual(spans.map((s) => ({ ...s, source: 'otlp_grpc' })))
  })

  it('keeps nanosecond times beyond 2^53 exact through protobuf', () => {
    const [span] = sampleSpans()
    span.startTimeUnixNano = '1700000000000000001'
    span.endTimeUnixNano = '1700000000000000003'
    const decoded = decodeExportTraceServiceRequest(encodeExportTraceServiceRequest(otlpJsonFromToolbarSpans([span])))
    const [back] = toolbarSpansFromOtlp(decoded, 'otlp_http')
    expect([back.startTimeUnixNano, back.endTimeUnixNano]).toEqual(['1700000000000000001', '1700000000000000003'])
  })

  it('accepts OTLP/JSON written by other SDKs: numbers for times, uppercase ids, nested values', () => {
    const spans = toolbarSpansFromOtlp({
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'py' } }] },
        scopeSpans: [{
          scope: { name: 'flask' },
          spans: [{
            traceId: TRACE.toUpperCase(), spanId: ROOT, parentSpanId: '', name: 'work', kind: 1,
            startTimeUnixNano: 1700000000000, endTimeUnixNano: '1700000001000',
            attributes: [
              { key: 'big', value: { intValue: '9007199254740993' } },
              { key: 'map', value: { kvlistValue: { values: [{ key: 'a', value: { intValue: 1 } }] } } },
              { key: 'empty', value: {} },
            ],
          }],
        }],
      }],
    }, 'otlp_http')
    expect(spans[0]).toMatchObject({
      traceId: TRACE, parentSpanId: undefined, kind: 'INTERNAL', startTimeUnixNano: '1700000000000',
      attributes: { big: '9007199254740993', map: '{"a":1}', empty: null },
      resource: { 'service.name': 'py' }, scope: { name: 'flask' }, status: { code: 'UNSET' },
    })
  })

  it('answers an empty request with no spans', () => {
    expect(toolbarSpansFromOtlp({}, 'otlp_http')).toEqual([])
    expect(toolbarSpansFromOtlp(decodeExportTraceServiceRequest(new Uint8Array()), 'otlp_grpc')).toEqual([])
  })
})

describe('bad OTLP input', () => {
  const withSpan = (span: Record<string, unknown>) => ({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] })
  const good = { traceId: TRACE, spanId: ROOT, name: 'x', startTimeUnixNano: '1', endTimeUnixNano: '2' }

  it.each([
    ['a trace id of the wrong length', { ...good, traceId: 'abc' }, /spans\[0\] \("x"\)\.traceId must be 32 hex characters/],
    ['an all-zero span id', { ...good, spanId: '0000000000000000' }, /spanId must not be all zeros/],
    ['a missing trace id', { ...good, traceId: undefined }, /traceId is missing/],
    ['a base64 id', { ...good, spanId: 't61rcWkgMzE=' }, /spanId must be 16 hex characters/],
    ['a negative time', { ...good, startTimeUnixNano: '-5' }, /startTimeUnixNano must be a non-negative integer/],
    ['an unknown kind', { ...good, kind: 9 }, /kind is not a valid value/],
    ['attributes that are not a list', { ...good, attributes: { a: 1 } }, /attributes must be an array/],
  ])('rejects %s with a clear message', (_label, span, message) => {
    expect(() => toolbarSpansFromOtlp(withSpan(span), 'otlp_http')).toThrow(message)
    expect(() => toolbarSpansFromOtlp(withSpan(span), 'otlp_http')).toThrow(OtlpDecodeError)
  })

  it('rejects a request that is not an object, and resourceSpans that is not a list', () => {
    expect(() => toolbarSpansFromOtlp('hello', 'otlp_http')).toThrow(/must be an object/)
    expect(() => toolbarSpansFromOtlp({ resourceSpans: 3 }, 'otlp_http')).toThrow(/request\.resourceSpans must be an array/)
  })

  it('rejects protobuf bytes of the wrong byte length for an id', () => {
    const decoded = decodeExportTraceServiceRequest(encodeExportTraceServiceRequest(withSpan({ ...good, spanId: 'abcd' })))
    expect(() => toolbarSpansFromOtlp(decoded, 'otlp_grpc')).toThrow(/spanId must be 8 bytes, got 2/)
  })

  it('rejects bytes that are not protobuf', () => {
    expect(() => decodeExportTraceServiceRequest(new Uint8Array([0x0a, 0xff, 0xff, 0xff]))).toThrow(OtlpDecodeError)
  })
})

describe('ExportTraceServiceResponse', () => {
  it('encodes an empty success and a partial success', () => {
    expect(encodeExportTraceServiceResponse()).toHaveLength(0)
    const bytes = encodeExportTraceServiceResponse({ rejectedSpans: 2, errorMessage: 'trace full' })
    expect(decodeExportTraceServiceResponse(bytes)).toEqual({ partialSuccess: { rejectedSpans: '2', errorMessage: 'trace full' } })
  })
})

describe('toolbarSpanFromReadableSpan', () => {
  function provider() {
    const exporter = new InMemorySpanExporter()
    const p = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    })
    return { exporter, tracer: p.getTracer('checkout', '1.2.3') }
  }

  it('converts an ended SDK span with exact nanosecond times', () => {
    const { exporter, tracer } = provider()
    const parent = tracer.startSpan('parent', { startTime: [1700000000, 1] })
    const ctx = trace.setSpan(ROOT_CONTEXT, parent)
    const child = tracer.startSpan('charge', { kind: SpanKind.CLIENT, startTime: [1700000000, 500], attributes: { amount: 12, ids: [1, 2] } }, ctx)
    child.addEvent('retry', { attempt: 2 }, [1700000000, 700])
    child.addLink({ context: parent.spanContext(), attributes: { why: 'test' } })
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' })
    child.end([1700000001, 999999999])
    parent.end([1700000002, 0])

    const spans = exporter.getFinishedSpans().map((s) => toolbarSpanFromReadableSpan(s))
    const charge = spans.find((s) => s.name === 'charge')!
    expect(charge).toEqual({
      traceId: parent.spanContext().traceId,
      spanId: child.spanContext().spanId,
      parentSpanId: parent.spanContext().spanId,
      name: 'charge', kind: 'CLIENT',
      startTimeUnixNano: '1700000000000000500', endTimeUnixNano: '1700000001999999999',
      attributes: { amount: 12, ids: [1, 2] },
      events: [{ name: 'retry', timeUnixNano: '1700000000000000700', attributes: { attempt: 2 } }],
      links: [{ traceId: parent.spanContext().traceId, spanId: parent.spanContext().spanId, attributes: { why: 'test' }, flags: 0x101 }],
      status: { code: 'ERROR', message: 'card declined' },
      resource: expect.objectContaining({ 'service.name': 'shop' }),
      scope: { name: 'checkout', version: '1.2.3' },
      source: 'local',
      // OTLP SpanFlags as the SDK's OTLP exporter writes them: sampled, "is remote" known, local parent.
      flags: 0x101,
    })
    expect(spans.find((s) => s.name === 'parent')).toMatchObject({ parentSpanId: undefined, kind: 'INTERNAL', status: { code: 'UNSET' } })
  })

  it('leaves the end time undefined while the span is running', () => {
    const { tracer } = provider()
    const span = tracer.startSpan('in flight')
    const converted = toolbarSpanFromReadableSpan(span as unknown as Parameters<typeof toolbarSpanFromReadableSpan>[0])
    expect(converted.endTimeUnixNano).toBeUndefined()
    expect(converted.startTimeUnixNano).toMatch(/^\d{19}$/)
    span.end()
  })
})

describe('toolbarSpansFromOtlpPartially', () => {
  const span = (extra: Record<string, unknown>) => ({ traceId: 'e'.repeat(32), spanId: 'f'.repeat(16), name: 'x', startTimeUnixNano: '1', ...extra })

  it('refuses a bad span alone and keeps the others; takes nanosecond times written as JSON numbers', () => {
    let nested: unknown = { stringValue: 'leaf' }
    for (let i = 0; i < 40; i++) nested = { arrayValue: { values: [nested] } }
    const { spans, rejected } = toolbarSpansFromOtlpPartially({
      resourceSpans: [{ scopeSpans: [{ spans: [
        span({ startTimeUnixNano: 1_700_000_000_123_456_789 }),
        span({ spanId: 'short' }),
        span({ attributes: [{ key: 'deep', value: nested }] }),
      ] }] }],
    }, 'otlp_http')
    expect(spans).toHaveLength(1)
    // A double cannot hold every digit: what it holds is kept rather than the span refused.
    expect(spans[0]!.startTimeUnixNano).toBe(BigInt(1_700_000_000_123_456_789).toString())
    expect(rejected).toEqual([
      expect.stringMatching(/spanId must be 16 hex characters, got "short"/),
      expect.stringMatching(/is nested deeper than 32 levels/),
    ])
    expect(() => toolbarSpansFromOtlpPartially({ resourceSpans: [{ scopeSpans: [5] }] }, 'otlp_http')).toThrow(/scopeSpans\[0\] must be an object/)
  })

  it('refuses spans whose times cannot be: no start, an end before the start, past int64', () => {
    const { spans, rejected } = toolbarSpansFromOtlpPartially({
      resourceSpans: [{ scopeSpans: [{ spans: [
        span({ startTimeUnixNano: '0' }),
        span({ startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1' }),
        span({ startTimeUnixNano: '99999999999999999999' }),
        span({ events: [{ name: 'e', timeUnixNano: '18446744073709551615' }] }),
        // Zero is "not set": a span still running.
        span({ startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '0' }),
      ] }] }],
    }, 'otlp_http')
    expect(spans.map((s) => s.endTimeUnixNano)).toEqual([undefined])
    expect(rejected).toEqual([
      expect.stringMatching(/startTimeUnixNano is missing \(0\)/),
      expect.stringMatching(/endTimeUnixNano 1 is before its startTimeUnixNano 1700000000000000000/),
      expect.stringMatching(/startTimeUnixNano 99999999999999999999 is past the year 2262/),
      expect.stringMatching(/events\[0\]\.timeUnixNano 18446744073709551615 is past the year 2262/),
    ])
  })
})
