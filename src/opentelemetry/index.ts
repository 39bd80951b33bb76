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
export { ZipkinSpanExporter, type ZipkinExporterOptions } from './zipkin-exporter.js'
export {
  parseTraceparent,
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
  type TraceStateEntry,
} from './propagation.js'
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
