/**
 * `hono-debug-toolbar/opentelemetry`: the OpenTelemetry panel and its parts.
 *
 * @example
 * ```ts
 * import { OpenTelemetryPanel } from 'hono-debug-toolbar/opentelemetry'
 * app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel()] }))
 * ```
 */
export { OpenTelemetryPanel, type OpenTelemetryStats, type ConvertedCount } from './panel.js'
export { ToolbarSpanProcessor, toolbarSpanProcessor } from './processor.js'
export { TraceStore, type TraceSettings, type AddOutcome } from './trace-store.js'
export { PanelDataConverter, type PanelDataConverterOptions, type ConvertCounts, type ConvertKind } from './converter.js'
export { propagateFetch } from './fetch.js'
export { hrTimeFromEpochMs, redactQuery } from './request-span.js'
export { registerTraceRoutes } from './routes.js'
export { sqlAttributes, sqlCollection, sqlOperation, sqlSpanName } from './sql-attributes.js'
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
export { resolveOpenTelemetryConfig, OpenTelemetryConfigError } from './config.js'
export { jaegerTraceUrl, zipkinTraceUrl, tempoTraceUrl } from './links.js'
export { toolbarSpanFromReadableSpan, toolbarSpansFromOtlp, otlpJsonFromToolbarSpans } from './otlp-json.js'
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
} from './span-model.js'
