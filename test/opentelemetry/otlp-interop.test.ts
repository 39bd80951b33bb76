// A span a downstream service exports with the official OpenTelemetry serializers reads, in
// the toolbar's receivers, as the same span the toolbar records from the same SDK span in
// process: one waterfall whichever way a span came. fast-check writes the spans.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { isDeepStrictEqual } from 'node:util'
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { otlpJsonFromToolbarSpans, toolbarSpanFromReadableSpan, toolbarSpansFromOtlp } from '../../src/opentelemetry/otlp-json.js'
import { decodeExportTraceServiceRequest, encodeExportTraceServiceRequest } from '../../src/opentelemetry/otlp-proto.js'
import type { ToolbarSpan } from '../../src/core/span-model.js'
import { sdkSpanBatch } from '../support/sdk-spans.js'

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
      fc.property(sdkSpanBatch, (spans) => {
        const body = ProtobufTraceSerializer.serializeRequest(spans)!
        return readsTheSame(spans, toolbarSpansFromOtlp(decodeExportTraceServiceRequest(body), 'otlp_grpc'), 'otlp_grpc')
      }),
      { numRuns: 800 },
    )
  })

  it('read over OTLP/JSON as the toolbar reads the same SDK spans in process', () => {
    fc.assert(
      fc.property(sdkSpanBatch, (spans) => {
        const body = JsonTraceSerializer.serializeRequest(spans)!
        return readsTheSame(spans, toolbarSpansFromOtlp(JSON.parse(Buffer.from(body).toString('utf8')), 'otlp_http'), 'otlp_http', withoutNonFinite)
      }),
      { numRuns: 800 },
    )
  })
})

describe("the toolbar's own OTLP/JSON (a trace's download, GET {prefix}/api/traces/:traceId/otlp)", () => {
  it('reads back as the spans it was written from, as JSON text and as protobuf', () => {
    fc.assert(
      fc.property(sdkSpanBatch, (spans) => {
        const local = spans.map((s) => toolbarSpanFromReadableSpan(s, 'otlp_http'))
        const request = otlpJsonFromToolbarSpans(local)
        const fromText = toolbarSpansFromOtlp(JSON.parse(JSON.stringify(request)), 'otlp_http')
        const fromBytes = toolbarSpansFromOtlp(decodeExportTraceServiceRequest(encodeExportTraceServiceRequest(request)), 'otlp_http')
        return isDeepStrictEqual(bySpanId(fromText), bySpanId(local)) && isDeepStrictEqual(bySpanId(fromBytes), bySpanId(local))
      }),
      { numRuns: 800 },
    )
  })

  it('keeps NaN and the infinities, which JSON.stringify would write as null', () => {
    const [span] = fc.sample(sdkSpanBatch, { seed: 1, numRuns: 1 })[0]!.map((s) => toolbarSpanFromReadableSpan(s, 'otlp_http'))
    const text = JSON.stringify(otlpJsonFromToolbarSpans([{ ...span!, attributes: { ratio: NaN, limits: [Infinity, -Infinity, 1.5] } }]))
    expect(text).toContain('{"key":"ratio","value":{"doubleValue":"NaN"}}')
    expect(text).toContain('{"arrayValue":{"values":[{"doubleValue":"Infinity"},{"doubleValue":"-Infinity"},{"doubleValue":1.5}]}}')
    expect(toolbarSpansFromOtlp(JSON.parse(text), 'otlp_http')[0]!.attributes).toEqual({ ratio: NaN, limits: [Infinity, -Infinity, 1.5] })
  })
})
