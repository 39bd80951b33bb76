/**
 * The OpenTelemetry SDK the panel sets up when the app brings no provider of its own: the
 * provider with its span processors and exporters, and the context globals.
 */
import { context, type Tracer } from '@opentelemetry/api'
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { BaggageAttributesProcessor } from './baggage.js'
import { warnWithCollectorHint } from './collector-hint.js'
import { ToolbarContextManager } from './context-manager.js'
import { createSpanExporters, ToolbarSpanExporter } from './exporter.js'
import { holdGlobalPropagator } from './global-forwarders.js'
import type { OpenTelemetryPanelOptions, ResolvedOpenTelemetryConfig } from './options.js'
import type { ToolbarSpanProcessor } from './processor.js'
import type { ToolbarCompositePropagator } from './propagators.js'
import { samplerFor } from './sdk-env.js'

/** Each OTLP export's time, retries included, unless OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT says otherwise. */
const DEFAULT_EXPORT_TIMEOUT_MS = 5000
/** How much longer the toolbar waits on an export than the exporter itself does. */
const EXPORT_BOUND_MARGIN_MS = 1000

/**
 * The panel's own tracer provider: its spans go to `processor` (the toolbar's store) and, in
 * batches off the request path, to the configured exporters through the returned exporter.
 *
 * @example
 * ```ts
 * const { provider, exporter } = createPanelProvider(resolveOpenTelemetryConfig({ exporter: 'otlp' }), {}, toolbarSpanProcessor())
 * provider.getTracer('shop').startSpan('checkout').end() // exported in the next batch; exporter.status() counts it
 * ```
 */
export function createPanelProvider(
  config: ResolvedOpenTelemetryConfig,
  options: OpenTelemetryPanelOptions,
  processor: ToolbarSpanProcessor,
): { provider: BasicTracerProvider; exporter: ToolbarSpanExporter } {
  const sdk = config.sdk!
  // OTEL_SDK_DISABLED: the waterfall still works, but nothing leaves the process and the
  // app's own instrumentation stays the no-op the variable asks for.
  // The exporters give up (retries included) before the toolbar's bound does, so that
  // what the panel shows is their error (a 503, a refused connection), not a timeout.
  const exportTimeoutMillis = sdk.exportTimeoutMillis ?? DEFAULT_EXPORT_TIMEOUT_MS
  const exporters = sdk.disabledBy ? [] : createSpanExporters({ ...config, exportTimeoutMillis })
  const exporter = new ToolbarSpanExporter(exporters, {
    timeoutMillis: exportTimeoutMillis + EXPORT_BOUND_MARGIN_MS,
    warn: warnWithCollectorHint(),
    breaker: options.exportBreaker,
  })
  const provider = new BasicTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes(config.resourceAttributes)),
    sampler: options.sampler ?? samplerFor(sdk.sampler),
    spanLimits: sdk.spanLimits,
    // The batch processor exports on a timer: never on the request's path.
    spanProcessors: [
      ...(config.baggageToAttributes.length > 0 ? [new BaggageAttributesProcessor(config.baggageToAttributes)] : []),
      processor,
      // With no exporter (`exporter: 'none'`) there is nothing to batch for.
      ...(sdk.disabledBy || exporters.length === 0 ? [] : [exporter.queueWatch(sdk.batch.maxQueueSize), new BatchSpanProcessor(exporter, sdk.batch)]),
    ],
  })
  return { provider, exporter }
}

/**
 * Registers the context manager and propagator the toolbar needs, unless the app has its own.
 *
 * @example
 * ```ts
 * registerContextGlobals(createPropagator(['tracecontext', 'baggage']), panel)
 * ```
 */
export function registerContextGlobals(propagator: ToolbarCompositePropagator, owner: object): void {
  // OpenTelemetry's context in the toolbar's own storage: one AsyncLocalStorage, not two.
  // It holds no setting of the panel's, so the first one registered serves every panel.
  const manager = new ToolbarContextManager()
  // setGlobal* answer false (and change nothing) when something is registered already.
  if (!context.setGlobalContextManager(manager.enable())) manager.disable()
  holdGlobalPropagator(propagator, owner)
}

/**
 * The sampler as it describes itself (`ParentBased{root=AlwaysOnSampler, ...}`), read from
 * the SDK tracer that decides, so it is right whoever configured it (the `sampler` option,
 * OTEL_TRACES_SAMPLER, the app's own provider). The field is the SDK's own, not its API:
 * anything else is described in general terms.
 *
 * @example
 * ```ts
 * describeSampler(provider.getTracer('shop')) // 'ParentBased{root=AlwaysOnSampler, remoteParentSampled=AlwaysOnSampler, ...}'
 * ```
 */
export function describeSampler(tracer: Tracer): string {
  const sampler = (tracer as { _sampler?: { toString(): string } })._sampler
  return sampler ? sampler.toString() : "the tracer provider's sampler"
}
