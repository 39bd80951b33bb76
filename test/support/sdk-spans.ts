// SDK spans as fast-check writes them: what the OpenTelemetry API lets an app put in a span
// (names and attributes of any Unicode, numbers of every kind, events, links, tracestate,
// flags, dropped counts) over one or two resources, as a BatchSpanProcessor hands them on.
import fc from 'fast-check'
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources'
import { TraceState } from '@opentelemetry/core'
import type { Attributes, HrTime, Link, SpanContext } from '@opentelemetry/api'
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base'

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
const number = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(NaN, Infinity, -Infinity), fc.double().filter((d) => !Object.is(d, -0) && (!Number.isInteger(d) || Number.isSafeInteger(d))))
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
export const sdkSpanBatch = fc.array(attributes, { minLength: 1, maxLength: 2 })
  .map((list) => list.map((attrs) => resourceFromAttributes(attrs)))
  .chain((resources) => fc.array(fc.constantFrom(...resources).chain(span), { minLength: 1, maxLength: 4 }))
  .filter((spans) => new Set(spans.map((s) => s.spanContext().spanId)).size === spans.length)

