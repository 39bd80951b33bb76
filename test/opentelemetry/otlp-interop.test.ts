// A span a downstream service exports with the official OpenTelemetry serializers reads, in
// the toolbar's receivers, as the same span the toolbar records from the same SDK span in
// process: one waterfall whichever way a span came. fast-check writes the spans.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { isDeepStrictEqual } from 'node:util'
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources'
import { TraceState } from '@opentelemetry/core'
import type { Attributes, HrTime, Link, SpanContext } from '@opentelemetry/api'
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base'
import { otlpJsonFromToolbarSpans, toolbarSpanFromReadableSpan, toolbarSpansFromOtlp } from '../../src/opentelemetry/otlp-json.js'
import { decodeExportTraceServiceRequest, encodeExportTraceServiceRequest } from '../../src/opentelemetry/otlp-proto.js'
import type { ToolbarSpan } from '../../src/core/span-model.js'

const hexId = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).filter((b) => b.some((x) => x !== 0)).map((b) => Buffer.from(b).toString('hex'))
// Any time up to the year 2262 (int64 nanoseconds), exactly.
const hrTime = fc.tuple(fc.integer({ min: 1, max: 9_000_000_000 }), fc.integer({ min: 0, max: 999_999_999 })).map(([s, n]) => [s, n] as HrTime)
const later = (time: HrTime) =>
  fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 999_999_999 })).map(([s, n]): HrTime => {
    const nanos = time[1] + n
    return [time[0] + s + Math.floor(nanos / 1e9), nanos % 1e9]
  })
const text = fc.string({ unit: 'binary', maxLength: 12 })
// What the API allows an attribute to hold. Integers past 2^53 and -0 are left out: the official
// serializer writes any integral double as an int64 and has already changed them.
const number = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.double().filter((d) => !Object.is(d, -0) && (!Number.isInteger(d) || Number.isSafeInteger(d))))
const value = fc.oneof(
  text, number, fc.boolean(),
  fc.array(fc.option(text, { nil: null })), fc.array(fc.option(number, { nil: null })), fc.array(fc.option(fc.boolean(), { nil: null })),
)
const attributes = fc.dictionary(text, value, { maxKeys: 4 }) as fc.Arbitrary<Attributes>
const count = fc.oneof(fc.constant(0), fc.nat(1000))
const traceState = fc.option(
  fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_*/-]{0,8}$/), fc.stringMatching(/^[!-+\--<>-~]{1,8}$/)), { minLength: 1, maxLength: 3 })
    .map((pairs) => new TraceState(pairs.map(([k, v]) => `${k}=${v}`).join(','))),
  { nil: undefined },
)
const spanContext = fc.record({
  traceId: hexId(16), spanId: hexId(8), traceFlags: fc.integer({ min: 0, max: 255 }),
  isRemote: fc.option(fc.boolean(), { nil: undefined }), traceState,
}) as fc.Arbitrary<SpanContext>

const span = (resource: Resource) =>
  hrTime.chain((start) =>
    fc.record({
      context: spanContext,
      parent: fc.option(fc.record({ spanId: hexId(8), isRemote: fc.option(fc.boolean(), { nil: undefined }) }), { nil: undefined }),
      name: text,
      kind: fc.integer({ min: 0, max: 4 }),
      end: later(start),
      attributes,
      events: fc.array(fc.record({ name: text, time: later(start), attributes, droppedAttributesCount: count }), { maxLength: 3 }),
      links: fc.array(fc.record({ context: spanContext, attributes, droppedAttributesCount: count }), { maxLength: 2 }),
      status: fc.record({ code: fc.integer({ min: 0, max: 2 }), message: fc.option(text, { nil: undefined }) }),
      scope: fc.record({ name: text, version: fc.option(fc.stringMatching(/^\d\.\d$/), { nil: undefined }) }),
      dropped: fc.tuple(count, count, count),
    }).map((s): ReadableSpan => ({
      name: s.name,
      kind: s.kind,
      spanContext: () => s.context,
      parentSpanContext: s.parent && { traceId: s.context.traceId, spanId: s.parent.spanId, traceFlags: 1, isRemote: s.parent.isRemote },
      startTime: start,
      endTime: s.end,
      duration: [0, 0],
      ended: true,
      status: s.status.message === undefined ? { code: s.status.code } : { code: s.status.code, message: s.status.message },
      attributes: s.attributes,
      events: s.events as TimedEvent[],
      links: s.links as Link[],
      resource,
      instrumentationScope: s.scope.version === undefined ? { name: s.scope.name } : { name: s.scope.name, version: s.scope.version },
      droppedAttributesCount: s.dropped[0],
      droppedEventsCount: s.dropped[1],
      droppedLinksCount: s.dropped[2],
    })),
  )

// One to four spans over one or two resources, as a BatchSpanProcessor hands them to an exporter.
const batch = fc.array(attributes, { minLength: 1, maxLength: 2 })
  .map((list) => list.map((attrs) => resourceFromAttributes(attrs)))
  .chain((resources) => fc.array(fc.constantFrom(...resources).chain(span), { minLength: 1, maxLength: 4 }))
  .filter((spans) => new Set(spans.map((s) => s.spanContext().spanId)).size === spans.length)

const bySpanId = (spans: ToolbarSpan[]) => [...spans].sort((a, b) => (a.spanId < b.spanId ? -1 : 1))

function readsTheSame(spans: ReadableSpan[], received: ToolbarSpan[], source: ToolbarSpan['source'], expected = (span: ToolbarSpan) => span): boolean {
  const local = spans.map((s) => expected(toolbarSpanFromReadableSpan(s, source)))
  return isDeepStrictEqual(bySpanId(received), bySpanId(local))
}

// The official JSON serializer writes NaN and the infinities with JSON.stringify, as null
// (proto3 JSON has "NaN", "Infinity", "-Infinity"): they arrive as no value.
function withoutNonFinite(span: ToolbarSpan): ToolbarSpan {
  const clean = (attributes: ToolbarSpan['attributes']) =>
    Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, Array.isArray(value) ? value.map((item) => (typeof item === 'number' && !Number.isFinite(item) ? null : item)) : typeof value === 'number' && !Number.isFinite(value) ? null : value]))
  return {
    ...span,
    attributes: clean(span.attributes),
    resource: clean(span.resource),
    events: span.events.map((event) => ({ ...event, attributes: clean(event.attributes) })),
    links: span.links.map((link) => ({ ...link, attributes: clean(link.attributes) })),
  }
}

describe('spans from the official OTLP serializers', () => {
  it('read over OTLP/protobuf (gRPC and HTTP) as the toolbar reads the same SDK spans in process', () => {
    fc.assert(
      fc.property(batch, (spans) => {
        const body = ProtobufTraceSerializer.serializeRequest(spans)!
        return readsTheSame(spans, toolbarSpansFromOtlp(decodeExportTraceServiceRequest(body), 'otlp_grpc'), 'otlp_grpc')
      }),
      { numRuns: 2000 },
    )
  })

  it('read over OTLP/JSON as the toolbar reads the same SDK spans in process', () => {
    fc.assert(
      fc.property(batch, (spans) => {
        const body = JsonTraceSerializer.serializeRequest(spans)!
        return readsTheSame(spans, toolbarSpansFromOtlp(JSON.parse(Buffer.from(body).toString('utf8')), 'otlp_http'), 'otlp_http', withoutNonFinite)
      }),
      { numRuns: 2000 },
    )
  })
})

describe("the toolbar's own OTLP/JSON (a trace's download, GET {prefix}/api/traces/:traceId/otlp)", () => {
  it('reads back as the spans it was written from, as JSON text and as protobuf', () => {
    fc.assert(
      fc.property(batch, (spans) => {
        const local = spans.map((s) => toolbarSpanFromReadableSpan(s, 'otlp_http'))
        const request = otlpJsonFromToolbarSpans(local)
        const fromText = toolbarSpansFromOtlp(JSON.parse(JSON.stringify(request)), 'otlp_http')
        const fromBytes = toolbarSpansFromOtlp(decodeExportTraceServiceRequest(encodeExportTraceServiceRequest(request)), 'otlp_http')
        return isDeepStrictEqual(bySpanId(fromText), bySpanId(local)) && isDeepStrictEqual(bySpanId(fromBytes), bySpanId(local))
      }),
      { numRuns: 2000 },
    )
  })

  it('keeps NaN and the infinities, which JSON.stringify would write as null', () => {
    const [span] = fc.sample(batch, { seed: 1, numRuns: 1 })[0]!.map((s) => toolbarSpanFromReadableSpan(s, 'otlp_http'))
    const text = JSON.stringify(otlpJsonFromToolbarSpans([{ ...span!, attributes: { ratio: NaN, limits: [Infinity, -Infinity, 1.5] } }]))
    expect(text).toContain('{"key":"ratio","value":{"doubleValue":"NaN"}}')
    expect(text).toContain('{"arrayValue":{"values":[{"doubleValue":"Infinity"},{"doubleValue":"-Infinity"},{"doubleValue":1.5}]}}')
    expect(toolbarSpansFromOtlp(JSON.parse(text), 'otlp_http')[0]!.attributes).toEqual({ ratio: NaN, limits: [Infinity, -Infinity, 1.5] })
  })
})
