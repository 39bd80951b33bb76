import type { Context } from '@opentelemetry/api'
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { TraceStore } from './trace-store.js'

/**
 * Collects, into the toolbar, every span whose trace belongs to a recorded request,
 * whoever created it: the panel, the converter, or the app's own instrumentation. Spans of
 * other traces pass by untouched. Running spans are visible as in flight; spans ending up
 * to `gracePeriodMs` after the response still join (and the toolbar is told).
 *
 * Add it to your own provider when you pass `tracerProvider` to the panel:
 *
 * @example
 * ```ts
 * import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
 * import { OpenTelemetryPanel, toolbarSpanProcessor } from 'hono-debug-toolbar/opentelemetry'
 *
 * const provider = new NodeTracerProvider({ spanProcessors: [toolbarSpanProcessor(), myBatchProcessor] })
 * provider.register()
 * app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ tracerProvider: provider })] }))
 * ```
 */
export class ToolbarSpanProcessor implements SpanProcessor {
  constructor(readonly traces: TraceStore = new TraceStore()) {}

  /**
   * Called by the SDK as a span starts: a span of a recorded request's trace shows as in flight.
   *
   * @example
   * ```ts
   * const provider = new BasicTracerProvider({ spanProcessors: [toolbarSpanProcessor()] })
   * const span = provider.getTracer('app').startSpan('load user') // the SDK calls onStart(span, context)
   * // while it runs, GET /_debug_toolbar/api/traces/:traceId lists it without an end time
   * ```
   */
  onStart(span: Span, _parentContext: Context): void {
    this.traces.start(span)
  }

  /**
   * Called by the SDK as a span ends: it is stored in its trace, if the toolbar keeps that trace.
   *
   * @example
   * ```ts
   * const span = tracer.startSpan('charge card')
   * span.end() // the SDK calls onEnd(span): the span joins the request's waterfall
   * ```
   */
  onEnd(span: ReadableSpan): void {
    this.traces.end(span)
  }

  /**
   * Nothing to flush: spans are stored as they end. Resolves at once.
   *
   * @example
   * ```ts
   * await provider.forceFlush() // the SDK calls forceFlush() on every processor, this one included
   * ```
   */
  async forceFlush(): Promise<void> {
    // Spans are stored synchronously in onEnd: there is nothing buffered.
  }

  /**
   * Nothing to release: the spans stay readable in the toolbar. Resolves at once.
   *
   * @example
   * ```ts
   * await provider.shutdown() // the SDK calls shutdown() on every processor, this one included
   * ```
   */
  async shutdown(): Promise<void> {}
}

let shared: ToolbarSpanProcessor | undefined

/**
 * The processor every OpenTelemetry panel of this process stores spans through. Add it to
 * your own tracer provider so the spans of your instrumentation land in the toolbar.
 *
 * @example
 * ```ts
 * const provider = new BasicTracerProvider({ spanProcessors: [toolbarSpanProcessor(), new BatchSpanProcessor(exporter)] })
 * ```
 */
export function toolbarSpanProcessor(): ToolbarSpanProcessor {
  shared ??= new ToolbarSpanProcessor()
  return shared
}
