/**
 * `hono-debug-toolbar/opentelemetry`: the OpenTelemetry panel and its parts.
 *
 * @example
 * ```ts
 * import { OpenTelemetryPanel } from 'hono-debug-toolbar/opentelemetry'
 * app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel()] }))
 * ```
 */
export { OpenTelemetryPanel, type OpenTelemetryStats, type ConvertedCount, type ReceiverStatus } from './panel.js'
export { ToolbarSpanProcessor, toolbarSpanProcessor } from './processor.js'
export { TraceStore, DEFAULT_LATE_WINDOW_MS, type TraceSettings, type AddOutcome, type TraceCounts } from './trace-store.js'
export { summarizeTrace, listedTraceSummary, matchesTraceFilter } from '../core/trace-summary.js'
export { SpanIngest, type IngestResult, type IngestCounters } from './otlp-ingest.js'
export { registerOtlpHttpReceiver, OTLP_HTTP_TRACES_PATH } from './otlp-http-receiver.js'
export { OtlpGrpcReceiver, type OtlpGrpcReceiverOptions } from './otlp-grpc-receiver.js'
export { startReceivers, type OtlpReceivers } from './receivers.js'
export { resolveReceiverConfig, DEFAULT_MAX_BODY_BYTES, type ReceiverConfig } from './receiver-config.js'
export { readOtlpBody, OtlpBodyError } from './otlp-body.js'
export { parseTraceFilter, parsePage, MAX_TRACE_LIMIT, MAX_SPAN_LIMIT } from './trace-query.js'
export { PanelDataConverter, type PanelDataConverterOptions, type ConvertCounts, type ConvertKind } from './converter.js'
export type { LateWork, RenderSpan } from './late-work.js'
export { propagateFetch } from './fetch.js'
export { hrTimeFromEpochMs, redactQuery } from './request-span.js'
export { registerTraceRoutes, traceReader, type TraceReader } from './routes.js'
export { sqlAttributes, sqlSpanName, sqlQuerySummary, sanitizeSql, type SqlAttributeOptions } from './sql-attributes.js'
export { httpMethodAttributes, httpSpanName, knownHttpMethods, redactUrl } from './http-conventions.js'
export { analyzeTrace, compareTraces, traceTimeline, criticalPath, selfTimes, sqlShape, type TraceAnalysis, type TraceComparison, type TraceTimeline } from '../core/trace-analysis/index.js'
export { registerAnalysisRoutes } from './analysis-routes.js'
export { registerTraceImport, type ImportAnswer } from './trace-import.js'
export { hotFrames, type HotFrame } from './profile-frames.js'
export {
  ToolbarSpanExporter,
  createSpanExporters,
  describeSpanExporter,
  type ToolbarExporterStatus,
  type ExportCounters,
  type ToolbarSpanExporterOptions,
} from './exporter.js'
export { ExportBreaker, type ExportBreakerOptions, type BreakerStatus, type BreakerState, type BreakerDecision } from './export-breaker.js'
export { ZipkinSpanExporter, type ZipkinExporterOptions } from './zipkin-exporter.js'
export {
  parseTraceparent,
  checkTraceparent,
  checkTracestate,
  formatTraceparent,
  parseTracestate,
  formatTracestate,
  extractTraceContext,
  injectTraceContext,
  contextFromTraceHeaders,
  withRandomTraceId,
  isRandomTraceId,
  ToolbarTraceContextPropagator,
  ToolbarTraceState,
  type Traceparent,
  type TraceparentCheck,
  type TracestateCheck,
  type TraceStateEntry,
} from './propagation.js'
export { traceContextStats, noteOutgoingContext, type TraceContextStats, type ReceivedHeader, type OutgoingContext } from './trace-context-stats.js'
export { tracedWebSocket, markWebSocketUpgrade, type TracedWebSocketOptions, type WebSocketTracing } from './websocket.js'
export { messageName, messageSize } from './websocket-message.js'
export {
  createPropagator,
  resolvePropagatorNames,
  ToolbarCompositePropagator,
  headersGetter,
  headersSetter,
  PROPAGATOR_NAMES,
  DEFAULT_PROPAGATORS,
  type PropagatorName,
} from './propagators.js'
export { BaggageLimitPropagator, BaggageAttributesProcessor, baggageView, type BaggageView, type BaggageMember } from './baggage.js'
export { resolveSdkSettings, samplerFor, type SdkSettings, type SamplerSetting, type BatchSettings } from './sdk-env.js'
export { resolveOpenTelemetryConfig, OpenTelemetryConfigError } from './config.js'
export { jaegerTraceUrl, zipkinTraceUrl, tempoTraceUrl } from './links.js'
export { toolbarSpanFromReadableSpan, toolbarSpansFromOtlp, toolbarSpansFromOtlpPartially, otlpJsonFromToolbarSpans, type PartialOtlpSpans } from './otlp-json.js'
export type {
  OpenTelemetryPanelOptions,
  ResolvedOpenTelemetryConfig,
  ConvertOptions,
  ExporterName,
  OtlpProtocol,
} from './options.js'
export type {
  ToolbarSpan,
  ToolbarTrace,
  ToolbarSpanEvent,
  ToolbarSpanLink,
  ToolbarSpanStatus,
  SpanKindName,
  SpanSource,
  Attributes,
  AttributeValue,
  TraceSummary,
  TraceFilter,
  TracePage,
} from './span-model.js'
