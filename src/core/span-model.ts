/**
 * The toolbar's own JSON form of a span: what `GET {prefix}/api/traces/:traceId` answers
 * and what the waterfall renders. It is independent of the SDK's classes so that spans
 * from the local SDK, from OTLP/HTTP and from OTLP/gRPC look the same. Times are decimal
 * strings of nanoseconds since the Unix epoch (they do not fit a JSON number).
 *
 * It lives in core, not in the OpenTelemetry entry, because stores keep spans and the
 * browser code renders them: it is a data shape with no dependency on the SDK.
 */

/**
 * Every `SpanSource`, as the trace filters (`?source=`, `list_traces`) accept them.
 *
 * @example
 * ```ts
 * SPAN_SOURCES.includes(query.source as SpanSource)
 * ```
 */
export const SPAN_SOURCES = ['local', 'otlp_http', 'otlp_grpc', 'zipkin', 'import'] as const

/**
 * Where a span came from: `local` (this process's SDK), the receivers (`otlp_http`,
 * `otlp_grpc`, `zipkin`), or a file imported through the API (`import`).
 */
export type SpanSource = (typeof SPAN_SOURCES)[number]

/**
 * Whether a span of `source` was sent by another service (a receiver's): not this process's,
 * and not a file the user imported, which the counts of received spans leave out.
 *
 * @example
 * ```ts
 * isReceivedSource('zipkin') // true
 * isReceivedSource('import') // false
 * ```
 */
export function isReceivedSource(source: SpanSource): boolean {
  return source !== 'local' && source !== 'import'
}

/** OTLP span kinds, by name. */
export type SpanKindName = 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER' | 'UNSPECIFIED'

/** An attribute value as OpenTelemetry allows it. */
export type AttributeValue = string | number | boolean | Array<string | number | boolean | null> | null

export type Attributes = Record<string, AttributeValue>

/**
 * Orders list lines newest start first (ISO `startedAt`), the order of every history and
 * trace list; a stable sort keeps lines of the same millisecond as they were.
 *
 * @example
 * ```ts
 * summaries.sort(newestStartFirst)
 * ```
 */
export function newestStartFirst(a: { startedAt: string }, b: { startedAt: string }): number {
  return a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0
}

/**
 * Sets `key` as an own property of a record built from received data. A plain assignment
 * with the key `__proto__` would change the record's prototype (or do nothing) instead, and
 * an attribute or tag of that name would be lost.
 *
 * @example
 * ```ts
 * const attributes: Attributes = {}
 * setOwn(attributes, '__proto__', 'x') // JSON.stringify(attributes) === '{"__proto__":"x"}'
 * ```
 */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
  else record[key] = value
}

export interface ToolbarSpanEvent {
  name: string
  timeUnixNano: string
  attributes: Attributes
  /** Attributes the SDK dropped (over its limits), when any. */
  droppedAttributesCount?: number
}

export interface ToolbarSpanLink {
  traceId: string
  spanId: string
  attributes: Attributes
  /** The linked context's W3C tracestate, when not empty. */
  traceState?: string
  /** OTLP span flags of the linked context (see `ToolbarSpan.flags`). */
  flags?: number
  droppedAttributesCount?: number
}

export interface ToolbarSpanStatus {
  code: 'UNSET' | 'OK' | 'ERROR'
  message?: string
}

export interface ToolbarSpan {
  traceId: string
  spanId: string
  parentSpanId: string | undefined
  name: string
  kind: SpanKindName
  startTimeUnixNano: string
  /** Undefined while the span is still running (in flight). */
  endTimeUnixNano: string | undefined
  attributes: Attributes
  events: ToolbarSpanEvent[]
  links: ToolbarSpanLink[]
  status: ToolbarSpanStatus
  resource: Attributes
  scope: { name: string; version?: string }
  source: SpanSource
  /** The W3C tracestate of the span's context (OTLP `traceState`), when not empty. */
  traceState?: string
  /**
   * OTLP span flags, when known: the W3C trace flags in bits 0-7 (0x01 sampled, 0x02 random),
   * 0x100 "whether the parent is remote is known", 0x200 "the parent is remote".
   */
  flags?: number
  /** What the SDK dropped over its limits (OTLP `dropped*Count`), when any. */
  droppedAttributesCount?: number
  droppedEventsCount?: number
  droppedLinksCount?: number
}

/** A trace as the API answers it. */
export interface ToolbarTrace {
  traceId: string
  spans: ToolbarSpan[]
  /**
   * Spans refused over `maxSpansPerTrace`, when any were and this process counted them (a
   * trace read from a durable store alone does not know; then the field is absent).
   */
  droppedSpans?: number
}

/** One line of the trace list (`GET {prefix}/api/traces`). */
export interface TraceSummary {
  traceId: string
  /** Name of the root span (the span without a parent in this trace), or of the earliest span. */
  rootName: string
  /**
   * The path a root SERVER span named by its method alone was asked for (a request no route
   * matched: `GET` with `/nope`), added when a list is read (`withRootPath`); never stored.
   */
  rootPath?: string
  /** `service.name` of every resource that sent spans, in order of first appearance. */
  services: string[]
  spanCount: number
  /** ISO 8601 start of the earliest span. */
  startedAt: string
  /** From the earliest start to the latest end, in milliseconds. */
  durationMs: number
  /** The toolbar request the trace belongs to, when it recorded one. */
  requestId?: string
  /** True when any span has status ERROR. */
  error: boolean
  /** Spans refused over `maxSpansPerTrace`, when any were and this process holds the trace. */
  droppedSpans?: number
  /**
   * True while a root span has no end (a request still running or sending its body): its
   * `durationMs` is then only the time to the latest span that ended, often 0.
   */
  running?: boolean
}

/** Query of the trace list; every field but limit/offset is optional. */
export interface TraceFilter {
  limit: number
  offset: number
  /** Traces with at least one span of this `service.name`. */
  service?: string
  /** Traces with at least one span of this source. */
  source?: SpanSource
  /** Epoch milliseconds: traces that started at or after. */
  since?: number
  /** Epoch milliseconds: traces that started before. */
  until?: number
  minDurationMs?: number
  /**
   * Traces not to list: the trace routes list the requests still running from memory, and
   * page a durable store's list without them (a request may join a trace the store holds).
   */
  excludeTraceIds?: readonly string[]
}

export interface TracePage {
  traces: TraceSummary[]
  total: number
  /** Traces pushed out of a bounded store (over `maxTraces`) since it started, when it counts them. */
  evicted?: number
}
