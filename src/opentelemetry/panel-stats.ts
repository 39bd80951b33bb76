/**
 * The OpenTelemetry panel's stats for one request: their shape, which the waterfall's view,
 * the MCP server and the tests read, and the parts of them made from the panel's settings.
 */
import { otlpJsonUrl } from '../shapes/trace-routes.js'
import type { BaggageView } from './baggage.js'
import type { ToolbarExporterStatus } from './exporter.js'
import { jaegerTraceUrl, tempoTraceUrl, zipkinTraceUrl } from './links.js'
import type { ResolvedOpenTelemetryConfig } from './options.js'
import type { IngestCounters } from './otlp-ingest.js'
import type { TraceContextStats } from './trace-context-stats.js'

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
  /**
   * Spans of the trace known when the stats were taken, running ones included. The spans
   * themselves are fetched by the view from `{prefix}/api/traces/:traceId` (the trace grows
   * after the request: late spans, other services), so the request's JSON stays small.
   */
  spanCount: number
  /** Spans over `maxSpansPerTrace` that were not kept. */
  droppedSpans: number
  /** Spans of the trace still running. */
  inFlightSpans: number
  /** Spans of the trace that other services sent to the receivers. */
  receivedSpans: number
  /** Spans that joined after the request finished (within the late window). */
  lateSpans: number
  /** How long after the request late spans still join (ms). */
  lateWindowMs: number
  /** Traces (recorded or received) evicted from memory over `maxTraces` or `maxSpans` since the app started. */
  evictedTraces: number
  /** Where the receivers listen and what they took since the app started. */
  receiver?: ReceiverStatus
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
  /** The propagators in use, in extraction order (OTEL_PROPAGATORS / `propagators`). */
  propagators: string[]
  /** The incoming request's W3C baggage (secrets redacted) and how many members were not kept. */
  baggage: BaggageView
  /** Set when OTEL_SDK_DISABLED=true: the waterfall is shown, nothing is exported. */
  sdkDisabledBy?: 'OTEL_SDK_DISABLED'
  /**
   * Where the spans go: `toolbar` (the panel's exporters), `app` (the app's own tracer
   * provider exports them), `none` (nothing leaves the process: Jaeger and Zipkin have no trace).
   */
  exportMode?: 'toolbar' | 'app' | 'none'
  /** The trace context received and sent, and the sampling decision (the Context section). */
  context?: TraceContextStats
  convert: {
    timer: ConvertedCount
    sql: ConvertedCount
    logging: ConvertedCount
    profiling: ConvertedCount
    templates: ConvertedCount
  }
}

/** The receivers as the panel shows them. */
export interface ReceiverStatus {
  /** `{prefix}/otlp/v1/traces` */
  httpPath: string
  /** `host:port` of the OTLP/gRPC receiver, when it listens. */
  grpcAddress?: string
  /** `{prefix}/zipkin/api/v2/spans` */
  zipkinPath: string
  /** Both receivers' counters together (OTLP and Zipkin feed one pipeline). */
  counters: IngestCounters
}

/** The export counters of a panel that exports nothing itself (the app has its own provider). */
export const NO_EXPORT: ToolbarExporterStatus = { attempts: 0, successes: 0, failures: 0, spans: 0, exporters: [] }

/**
 * The links a trace's page offers: Jaeger, Zipkin, Grafana Tempo (when `grafanaUrl` is set)
 * and the trace as an OTLP/JSON file.
 *
 * @example
 * ```ts
 * traceLinks(panel.config, '/_debug_toolbar', '4bf92f3577b34da6a3ce929d0e0e4736').jaeger
 * // 'http://localhost:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736'
 * ```
 */
export function traceLinks(config: ResolvedOpenTelemetryConfig, prefix: string, traceId: string): OpenTelemetryStats['links'] {
  const links: OpenTelemetryStats['links'] = {
    jaeger: jaegerTraceUrl(config.jaegerUiUrl, traceId),
    zipkin: zipkinTraceUrl(config.zipkinUiUrl, traceId),
    otlpJson: otlpJsonUrl(prefix, traceId),
  }
  if (config.grafanaUrl) links.tempo = tempoTraceUrl(config.grafanaUrl, config.tempoDatasourceUid, traceId)
  return links
}
