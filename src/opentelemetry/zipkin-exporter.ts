/**
 * A Zipkin v2 JSON span exporter. The stock @opentelemetry/exporter-zipkin drops event
 * attributes (a log line's message is lost) and leaves out the `error` tag when an ERROR
 * status has no message, so Zipkin shows a failed span as healthy. This one keeps both.
 *
 * It posts with node:http rather than fetch: the toolbar can propagate trace context on
 * fetch(), and an exporter must never trace its own requests.
 */
import http from 'node:http'
import https from 'node:https'
import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import type { HrTime } from '@opentelemetry/api'
import { ExportResultCode } from '@opentelemetry/core'
import type { ExportResult } from '@opentelemetry/core'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'

export interface ZipkinExporterOptions {
  /** Default http://localhost:9411/api/v2/spans. */
  url?: string
  /** Used when a span's resource has no `service.name`. */
  serviceName?: string
  headers?: Record<string, string>
  /** Per request, default 10,000 ms. */
  timeoutMillis?: number
}

/** A span in Zipkin's v2 JSON model. */
export interface ZipkinSpan {
  traceId: string
  id: string
  parentId?: string
  name: string
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER'
  /** Microseconds since the epoch. */
  timestamp: number
  /** Microseconds, at least 1. */
  duration: number
  localEndpoint: { serviceName: string }
  tags: Record<string, string>
  annotations?: Array<{ timestamp: number; value: string }>
}

const KINDS: Partial<Record<SpanKind, ZipkinSpan['kind']>> = {
  [SpanKind.CLIENT]: 'CLIENT',
  [SpanKind.SERVER]: 'SERVER',
  [SpanKind.PRODUCER]: 'PRODUCER',
  [SpanKind.CONSUMER]: 'CONSUMER',
}

// Event attributes that hold the human message of an event, in order of preference.
const MESSAGE_KEYS = ['log.message', 'message', 'exception.message']

/**
 * Sends spans to Zipkin's `POST /api/v2/spans` as v2 JSON.
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
  private readonly options: Required<Omit<ZipkinExporterOptions, 'url'>>
  private readonly pending = new Set<Promise<unknown>>()
  private stopped = false

  constructor(options: ZipkinExporterOptions = {}) {
    this.url = options.url ?? 'http://localhost:9411/api/v2/spans'
    this.options = { serviceName: 'hono-app', headers: {}, timeoutMillis: 10_000, ...options }
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('Zipkin exporter is shut down') })
      return
    }
    const body = JSON.stringify(spans.map((span) => zipkinSpanFromReadableSpan(span, this.options.serviceName)))
    const sent = this.post(body).then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (error: Error) => resultCallback({ code: ExportResultCode.FAILED, error }),
    )
    this.pending.add(sent)
    void sent.finally(() => this.pending.delete(sent))
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.pending)
  }

  async shutdown(): Promise<void> {
    this.stopped = true
    await this.forceFlush()
  }

  private post(body: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const url = new URL(this.url)
      const request = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'POST',
        headers: { ...this.options.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: this.options.timeoutMillis,
      }, (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => { text += chunk })
        response.on('end', () => {
          const status = response.statusCode ?? 0
          if (status >= 200 && status < 300) resolve()
          else reject(new Error(`Zipkin answered ${status}: ${text.slice(0, 200)}`))
        })
        response.on('error', reject)
      })
      request.on('timeout', () => request.destroy(new Error(`Zipkin did not answer within ${this.options.timeoutMillis} ms`)))
      request.on('error', reject)
      request.end(body)
    })
  }
}

/**
 * Converts an SDK span to Zipkin v2 JSON: µs times, kind (none for INTERNAL), tags as
 * strings, `error` on every ERROR span, event attributes kept in the annotation value.
 *
 * @example
 * ```ts
 * const zipkin = zipkinSpanFromReadableSpan(span, 'shop')
 * zipkin.tags.error // 'card declined' when the span's status is ERROR
 * ```
 */
export function zipkinSpanFromReadableSpan(span: ReadableSpan, defaultServiceName = 'hono-app'): ZipkinSpan {
  const context = span.spanContext()
  const resource = span.resource.attributes
  const tags: Record<string, string> = {}
  // Zipkin has no resource: its attributes become tags, under the span's own.
  for (const [key, value] of Object.entries(resource)) {
    if (key !== 'service.name' && value !== undefined) tags[key] = tagValue(value)
  }
  for (const [key, value] of Object.entries(span.attributes)) {
    if (value !== undefined) tags[key] = tagValue(value)
  }
  if (span.instrumentationScope.name) tags['otel.scope.name'] = span.instrumentationScope.name
  if (span.instrumentationScope.version) tags['otel.scope.version'] = span.instrumentationScope.version
  if (span.status.code === SpanStatusCode.OK) tags['otel.status_code'] = 'OK'
  if (span.status.code === SpanStatusCode.ERROR) {
    tags['otel.status_code'] = 'ERROR'
    const exception = [...span.events].reverse().find((event) => event.name === 'exception')
    tags.error = span.status.message || stringOf(exception?.attributes?.['exception.message']) || 'true'
  }
  if (span.droppedAttributesCount > 0) tags['otel.dropped_attributes_count'] = String(span.droppedAttributesCount)
  if (span.droppedEventsCount > 0) tags['otel.dropped_events_count'] = String(span.droppedEventsCount)

  const out: ZipkinSpan = {
    traceId: context.traceId,
    id: context.spanId,
    name: span.name,
    timestamp: hrTimeToMicros(span.startTime),
    duration: Math.max(1, hrTimeToMicros(span.endTime) - hrTimeToMicros(span.startTime)),
    localEndpoint: { serviceName: stringOf(resource['service.name']) || defaultServiceName },
    tags,
  }
  if (span.parentSpanContext?.spanId) out.parentId = span.parentSpanContext.spanId
  const kind = KINDS[span.kind]
  if (kind) out.kind = kind
  if (span.events.length > 0) {
    out.annotations = span.events.map((event) => ({
      timestamp: hrTimeToMicros(event.time),
      value: annotationValue(event.name, event.attributes ?? {}),
    }))
  }
  return out
}

// Zipkin annotations are one string: "<name>: <message>", then any other attributes as JSON.
function annotationValue(name: string, attributes: Record<string, unknown>): string {
  const messageKey = MESSAGE_KEYS.find((key) => typeof attributes[key] === 'string' && attributes[key] !== '')
  const rest = Object.fromEntries(Object.entries(attributes).filter(([key, value]) => key !== messageKey && value !== undefined))
  const head = messageKey ? `${name}: ${attributes[messageKey] as string}` : name
  return Object.keys(rest).length > 0 ? `${head} ${JSON.stringify(rest)}` : head
}

function tagValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function hrTimeToMicros([seconds, nanos]: HrTime): number {
  return Math.round(seconds * 1e6 + nanos / 1e3)
}
