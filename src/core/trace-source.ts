import type { ToolbarSpan, TraceFilter, TracePage, TraceSummary } from './span-model.js'

/** Links to one trace (or one span of it) in the tracing UIs the app is configured with. */
export interface TraceLinks {
  jaeger?: string
  zipkin?: string
  tempo?: string
  /** The trace as an OTLP/JSON file, a path under the toolbar's prefix. */
  otlpJson?: string
}

/**
 * Where features other than the tracing panel (the MCP server) read traces from. Core
 * knows no OpenTelemetry: a tracing panel offers its traces through this small interface
 * at `setup()` with `host.provideTraces(source)`, and readers ask the toolbar for it.
 *
 * @example
 * ```ts
 * setup(host: ToolbarHost) {
 *   host.provideTraces?.({ spans: (traceId) => myStore.spans(traceId), links: () => ({}) })
 * }
 * ```
 */
export interface TraceSource {
  /** The spans of a trace by start time (running ones without an end), or undefined when unknown. */
  spans(traceId: string): ToolbarSpan[] | undefined | Promise<ToolbarSpan[] | undefined>
  /** Links to the trace, focused on `spanId` where the UI can; none to a UI the trace is not sent to. */
  links(traceId: string, spanId?: string): TraceLinks
  /**
   * False when nothing leaves the process (an exporter `none`): Jaeger, Zipkin and Tempo
   * never receive the traces, so `links` gives none of theirs, and readers say why.
   */
  exported?(): boolean
  /** The trace list, newest first (recorded and received traces). */
  list?(filter: TraceFilter): TracePage | Promise<TracePage>
  /** The list line of one trace (its request, services, size), or undefined when unknown. */
  summary?(traceId: string): TraceSummary | undefined | Promise<TraceSummary | undefined>
  /**
   * Spans this process did not export, since it started: `queueFull` the batch queue had no
   * room for, `paused` an exporter's breaker dropped while it was paused after failures.
   * The tracing UIs the links open may lack them.
   */
  unexported?(): { queueFull: number; paused: number }
  /**
   * What the receivers refused since they started: `spans` one by one (bad ids or times, over
   * a trace's bound, past the late window), `exports` whole (malformed, too large, wrong type).
   */
  refused?(): { spans: number; exports: number }
  /** Forgets every trace (the MCP `clear_history` tool). */
  clear?(): void | Promise<void>
}
