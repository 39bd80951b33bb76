/**
 * Zipkin export through the official `@opentelemetry/exporter-zipkin`, with the spans
 * adapted before they reach it, because its mapping (transform.js, 2.12) loses what a
 * Zipkin user needs (see specs/export.md for the evidence):
 * - the `error` tag is written only for an ERROR status that has a message, and the HTTP
 *   conventions say to leave the message out: such a failed span looks healthy in Zipkin;
 * - an event becomes an annotation holding the event's name only: a log line's message is lost;
 * - identical events at the same microsecond become identical annotations, which
 *   zipkin2-api.yaml refuses (`annotations: uniqueItems: true`);
 * - `timestamp` is `hrTimeToMicroseconds(startTime)` unrounded: a fraction where the
 *   model wants an int64; a zero `duration` where it wants at least 1;
 * - the instrumentation scope is not written (the OpenTelemetry Zipkin mapping asks for
 *   `otel.scope.name` / `otel.scope.version` tags).
 * The HTTP client, the JSON model and the retries stay the official exporter's.
 */
import { SpanStatusCode } from '@opentelemetry/api'
import type { Attributes, HrTime, SpanStatus } from '@opentelemetry/api'
import type { ExportResult } from '@opentelemetry/core'
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin'
import type { ReadableSpan, SpanExporter, TimedEvent } from '@opentelemetry/sdk-trace-base'

export interface ZipkinExporterOptions {
  /** Default http://localhost:9411/api/v2/spans. */
  url?: string
  /** Used when a span's resource has no `service.name`. */
  serviceName?: string
  headers?: Record<string, string>
}

// Event attributes that hold the human message of an event, in order of preference.
const MESSAGE_KEYS = ['log.message', 'message', 'exception.message']

/**
 * Sends spans to Zipkin's `POST /api/v2/spans` with the official exporter, adapting them
 * first (`zipkinReadySpan`).
 *
 * @example
 * ```ts
 * const provider = new BasicTracerProvider({
 *   spanProcessors: [new BatchSpanProcessor(new ZipkinSpanExporter({ url: 'http://localhost:9411/api/v2/spans' }))],
 * })
 * ```
 */
export class ZipkinSpanExporter implements SpanExporter {
  readonly url: string
  private readonly exporter: ZipkinExporter

  constructor(options: ZipkinExporterOptions = {}) {
    this.url = options.url ?? 'http://localhost:9411/api/v2/spans'
    this.exporter = new ZipkinExporter({
      url: this.url,
      serviceName: options.serviceName ?? 'hono-app',
      ...(options.headers ? { headers: options.headers } : {}),
    })
  }

  /**
   * Called by the span processor with a batch: adapts each span (`zipkinReadySpan`) and posts
   * them with the official exporter.
   *
   * @example
   * ```ts
   * const exporter = new ZipkinSpanExporter({ url: 'http://localhost:9411/api/v2/spans', serviceName: 'shop' })
   * exporter.export(spans, (result) => {
   *   if (result.code !== ExportResultCode.SUCCESS) console.warn('Zipkin refused the batch', result.error)
   * })
   * ```
   */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.exporter.export(spans.map(zipkinReadySpan), resultCallback)
  }

  /**
   * Waits for the batches being sent to Zipkin.
   *
   * @example
   * ```ts
   * await exporter.forceFlush() // after it, the trace is at http://localhost:9411/zipkin/traces/<traceId>
   * ```
   */
  forceFlush(): Promise<void> {
    return this.exporter.forceFlush()
  }

  /**
   * Sends what is in progress and stops: later batches fail.
   *
   * @example
   * ```ts
   * await provider.shutdown() // the SDK shuts down each processor's exporter, this one included
   * ```
   */
  shutdown(): Promise<void> {
    return this.exporter.shutdown()
  }
}

/**
 * A view of `span` that the official Zipkin mapping turns into what Zipkin needs: an
 * ERROR status always has a message (the span's, else the exception's, else `error.type`,
 * else `'true'`), so the `error` tag is written; each event's name carries its message and
 * other attributes; identical events at the same microsecond are one, named `... (xN)`;
 * times are whole microseconds, the duration at least one; the scope is in the attributes.
 *
 * @example
 * ```ts
 * zipkinReadySpan(span).events[0].name // 'log: cache miss {"log.level":"info"}'
 * ```
 */
export function zipkinReadySpan(span: ReadableSpan): ReadableSpan {
  const scope = span.instrumentationScope
  const attributes: Attributes = { ...span.attributes }
  if (scope.name) attributes['otel.scope.name'] ??= scope.name
  if (scope.version) attributes['otel.scope.version'] ??= scope.version
  const durationMicros = Math.max(1, Math.round(micros(span.duration)))
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: wholeMicros(span.startTime),
    endTime: span.endTime,
    duration: [Math.floor(durationMicros / 1e6), (durationMicros % 1e6) * 1e3],
    status: zipkinStatus(span),
    attributes,
    links: span.links,
    events: uniqueAnnotations(span.events),
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: scope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  }
}

function zipkinStatus(span: ReadableSpan): SpanStatus {
  const { status } = span
  if (status.code !== SpanStatusCode.ERROR || status.message) return status
  const exception = [...span.events].reverse().find((event) => event.name === 'exception')
  const message = stringOf(exception?.attributes?.['exception.message']) || stringOf(span.attributes['error.type']) || 'true'
  return { code: SpanStatusCode.ERROR, message }
}

// One annotation per (microsecond, text): the official mapping rounds event times to
// microseconds, so events are grouped the same way, first seen first.
function uniqueAnnotations(events: readonly TimedEvent[]): TimedEvent[] {
  const groups = new Map<string, { event: TimedEvent; count: number }>()
  for (const event of events) {
    const name = annotationValue(event.name, event.attributes ?? {})
    const time = wholeMicros(event.time)
    const key = `${micros(time)} ${name}`
    const group = groups.get(key)
    if (group) group.count++
    else groups.set(key, { event: { name, time }, count: 1 })
  }
  // A repeat's count can make it read as another event of the same microsecond (`retry` twice
  // and a `retry (x2)`): Zipkin would refuse the whole batch, so the later one is numbered apart.
  const used = new Set<string>()
  return [...groups.values()].map(({ event, count }) => {
    const at = micros(event.time)
    const named = count > 1 ? `${event.name} (x${count})` : event.name
    let name = named
    for (let n = 2; used.has(`${at} ${name}`); n++) name = `${named} #${n}`
    used.add(`${at} ${name}`)
    return name === event.name ? event : { ...event, name }
  })
}

// Zipkin annotations are one string: "<name>: <message>", then any other attributes as JSON.
function annotationValue(name: string, attributes: Attributes): string {
  const messageKey = MESSAGE_KEYS.find((key) => typeof attributes[key] === 'string' && attributes[key] !== '')
  const rest = Object.fromEntries(Object.entries(attributes).filter(([key, value]) => key !== messageKey && value !== undefined))
  const head = messageKey ? `${name}: ${attributes[messageKey] as string}` : name
  return Object.keys(rest).length > 0 ? `${head} ${JSON.stringify(rest)}` : head
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function micros([seconds, nanos]: HrTime): number {
  return seconds * 1e6 + nanos / 1e3
}

function wholeMicros([seconds, nanos]: HrTime): HrTime {
  const rounded = Math.round(nanos / 1e3) * 1e3
  return rounded >= 1e9 ? [seconds + 1, rounded - 1e9] : [seconds, rounded]
}
