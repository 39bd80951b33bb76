import type { ToolbarExporterStatus } from './exporter.js'
import type { ToolbarSpan } from './span-model.js'

/** How much of one kind of panel data became spans (or span events, for logs). */
export interface ConvertedCount {
  /** Whether the `convert` option for this kind is on. */
  enabled: boolean
  /** Items turned into spans (log lines: span events) for this request. */
  converted: number
}

/** The OpenTelemetry panel's data for one request: what the waterfall renders. */
export interface OpenTelemetryStats {
  /** The request's trace (continued from an incoming traceparent, or new). */
  traceId: string
  /** The request's SERVER span: the panel's own, or the app's instrumentation span it adopted. */
  rootSpanId: string | undefined
  serviceName: string
  /** The traceparent of the SERVER span, `00-<trace>-<span>-01`. */
  traceparent: string | undefined
  /** Every span of the trace known so far, by start time (running ones have no end time). */
  spans: ToolbarSpan[]
  /** Spans over `maxSpansPerTrace` that were not kept. */
  droppedSpans: number
  /** Spans of the trace still running. */
  inFlightSpans: number
  links: {
    jaeger: string
    zipkin: string
    /** Only when `grafanaUrl` is set. */
    tempo?: string
    /** `${prefix}/api/traces/<traceId>/otlp`: the trace as an OTLP/JSON file. */
    otlpJson: string
  }
  /** Counters of the exporters the panel sends spans to (empty with the app's own provider). */
  export: ToolbarExporterStatus
  convert: {
    timer: ConvertedCount
    sql: ConvertedCount
    logging: ConvertedCount
    profiling: ConvertedCount
    templates: ConvertedCount
  }
}
