/**
 * The toolbar's own JSON form of a span: what `GET {prefix}/api/traces/:traceId` answers
 * and what the waterfall renders. It is independent of the SDK's classes so that spans
 * from the local SDK, from OTLP/HTTP and from OTLP/gRPC look the same. Times are decimal
 * strings of nanoseconds since the Unix epoch (they do not fit a JSON number).
 */

/** Where a span came from. */
export type SpanSource = 'local' | 'otlp_http' | 'otlp_grpc'

/** OTLP span kinds, by name. */
export type SpanKindName = 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER' | 'UNSPECIFIED'

/** An attribute value as OpenTelemetry allows it. */
export type AttributeValue = string | number | boolean | Array<string | number | boolean | null> | null

export type Attributes = Record<string, AttributeValue>

export interface ToolbarSpanEvent {
  name: string
  timeUnixNano: string
  attributes: Attributes
}

export interface ToolbarSpanLink {
  traceId: string
  spanId: string
  attributes: Attributes
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
}

/** A trace as the API answers it. */
export interface ToolbarTrace {
  traceId: string
  spans: ToolbarSpan[]
}
