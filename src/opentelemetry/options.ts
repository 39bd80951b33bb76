import type { Sampler, SpanExporter, BasicTracerProvider } from '@opentelemetry/sdk-trace-base'
import type { ExportBreakerOptions } from './export-breaker.js'
import type { PropagatorName } from './propagators.js'
import type { SdkSettings } from './sdk-env.js'

/** Which exporter the panel sends spans to. */
export type ExporterName = 'otlp' | 'zipkin' | 'console' | 'none'

export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json'

/** Which panel data the converter turns into spans (all on by default). */
export interface ConvertOptions {
  timer?: boolean
  sql?: boolean
  logging?: boolean
  profiling?: boolean
  templates?: boolean
}

/**
 * Options of `new OpenTelemetryPanel(options)`. Each falls back to the standard
 * OpenTelemetry environment variable named beside it, then to the default.
 */
export interface OpenTelemetryPanelOptions {
  /** OTEL_SERVICE_NAME, else the app's package.json name, else 'hono-app'. */
  serviceName?: string
  /** Merged over OTEL_RESOURCE_ATTRIBUTES. */
  resourceAttributes?: Record<string, string | number | boolean>
  /** OTEL_TRACES_EXPORTER; default 'otlp'. */
  exporter?: ExporterName | SpanExporter | SpanExporter[]
  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, then OTEL_EXPORTER_OTLP_ENDPOINT; default http://localhost:4317 (grpc) or http://localhost:4318/v1/traces (http). */
  otlpEndpoint?: string
  /** OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, then OTEL_EXPORTER_OTLP_PROTOCOL; default 'grpc'. */
  otlpProtocol?: OtlpProtocol
  /** OTEL_EXPORTER_OTLP_TRACES_HEADERS, then OTEL_EXPORTER_OTLP_HEADERS. */
  otlpHeaders?: Record<string, string>
  /** OTEL_EXPORTER_OTLP_TRACES_COMPRESSION, then OTEL_EXPORTER_OTLP_COMPRESSION; default 'none'. */
  compression?: 'gzip' | 'none'
  /** OTEL_EXPORTER_ZIPKIN_ENDPOINT; default http://localhost:9411/api/v2/spans. */
  zipkinEndpoint?: string
  /** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG; default: parent-based always-on. */
  sampler?: Sampler
  /** Use the app's own provider instead of the panel's (then add toolbarSpanProcessor() to it). */
  tracerProvider?: BasicTracerProvider
  /** Default http://localhost:16686. */
  jaegerUiUrl?: string
  /** Default http://localhost:9411. */
  zipkinUiUrl?: string
  /** Optional Grafana base URL for "Open in Grafana Tempo". */
  grafanaUrl?: string
  /** Tempo datasource uid in Grafana (default 'tempo'). */
  tempoDatasourceUid?: string
  /** Default true: fetch() inside a request carries the trace context (every configured format) from a CLIENT span. */
  propagateFetch?: boolean
  /**
   * OTEL_PROPAGATORS; default ['tracecontext', 'baggage']. Names: tracecontext, baggage, b3
   * (single header), b3multi, jaeger, none. Extraction in this order (the first trace
   * context found wins), injection of every one.
   */
  propagators?: string[]
  /** Baggage keys copied into the attributes of the request's spans (default none). */
  baggageToAttributes?: string[]
  /** Which panel data becomes spans. */
  convert?: ConvertOptions
  /** Most spans kept per trace (default 10,000); the rest are counted as dropped. */
  maxSpansPerTrace?: number
  /** The late window: how long after the response spans (local or received) still join the request's trace (ms, default 30,000). */
  gracePeriodMs?: number
  /** Profile frames shorter than this do not become spans (ms, default 1). */
  profileSpanThresholdMs?: number
  /** Also receive OTLP/gRPC on this port (0: any free port), with `source: 'otlp_grpc'`. Off by default. */
  otlpGrpcPort?: number
  /** Address the OTLP/gRPC receiver listens on (default '127.0.0.1': loopback only). */
  otlpGrpcHost?: string
  /** Largest export request the receivers take, counted after decompression (bytes, default 4 MiB). */
  otlpMaxBodyBytes?: number
  /** Traces kept, recorded and received (oldest evicted and counted; default twice the request history, at least 100). */
  maxTraces?: number
  /**
   * Spans kept in memory over all traces, in flight or ended (default 100,000): past it the
   * oldest traces are evicted whole and counted, so a service sending many large traces
   * cannot fill memory with `maxTraces` traces of `maxSpansPerTrace` spans each.
   */
  maxSpans?: number
  /**
   * Default true: exported SQL text has its literals replaced by `?` (queries run with
   * parameters are exported as written). False exports the text raw. The SQL panel always
   * shows the text as run.
   */
  sanitizeQueries?: boolean
  /**
   * The export circuit breaker: after `failureThreshold` failed exports in a row (default 5)
   * an exporter gets no batch for `backoffMs` (default 5,000), doubled after each failed
   * probe up to `maxBackoffMs` (default 60,000); dropped spans are counted in the panel.
   */
  exportBreaker?: ExportBreakerOptions
}

/** The options after environment variables and defaults were applied. */
export interface ResolvedOpenTelemetryConfig {
  serviceName: string
  resourceAttributes: Record<string, string | number | boolean>
  /** Names of exporters to build, or the user's own exporter instances. */
  exporters: Array<ExporterName | SpanExporter>
  otlpEndpoint: string
  otlpProtocol: OtlpProtocol
  otlpHeaders: Record<string, string>
  compression: 'gzip' | 'none'
  zipkinEndpoint: string
  jaegerUiUrl: string
  zipkinUiUrl: string
  grafanaUrl: string | undefined
  tempoDatasourceUid: string
  propagateFetch: boolean
  propagators: PropagatorName[]
  baggageToAttributes: string[]
  convert: Required<ConvertOptions>
  maxSpansPerTrace: number
  gracePeriodMs: number
  profileSpanThresholdMs: number
  /** The SDK variables (sampler, batch, limits, OTEL_SDK_DISABLED); undefined with the app's `tracerProvider`. */
  sdk: SdkSettings | undefined
  sanitizeQueries: boolean
  /** Methods kept in `http.request.method` (OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS); others become `_OTHER`. */
  knownHttpMethods: ReadonlySet<string>
}
