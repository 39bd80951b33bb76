/**
 * The pipeline every receiver feeds (OTLP/HTTP, OTLP/gRPC): decoded export request ->
 * toolbar spans (a bad span is refused alone) -> the trace store (joins a recorded
 * request's trace, or starts a trace of its own) -> live events, once per trace per batch
 * -> the durable store, when the app configured one that keeps spans.
 */
import { redactSpanText } from '../core/redact-span.js'
import type { ToolbarEvents } from '../core/events.js'
import type { ToolbarStore } from '../core/store.js'
import type { SpanSource, ToolbarSpan } from '../core/span-model.js'
import { toolbarSpansFromOtlpPartially } from './otlp-json.js'
import { limitReceivedSpan } from './span-limits.js'
import type { TraceStore } from './trace-store.js'

/** What one export request came to. */
export interface IngestResult {
  /** Spans kept (new, late or repeated). */
  accepted: number
  /** Spans refused: bad ids or times, over a trace's span bound, past the late window. */
  rejected: number
  /** Why spans were refused (empty when none were); bounded in length. */
  errorMessage: string
  /** The traces that kept spans of the request (new, late or repeated), in order of first appearance. */
  traceIds: string[]
}

/** Totals since the receivers started, shown by the OpenTelemetry panel. */
export interface IngestCounters {
  /** Export requests handled (malformed ones included). */
  requests: number
  accepted: number
  rejected: number
  /** Spans received a second time (an exporter's retry): stored once. */
  duplicates: number
  /** Spans that joined a request's trace after the request finished. */
  late: number
  /** Export requests refused whole (malformed, too large, wrong type). */
  malformed: number
}

const MAX_MESSAGES = 3
const MAX_MESSAGE_LENGTH = 300

/**
 * Turns decoded OTLP export requests into stored spans.
 *
 * @example
 * ```ts
 * const ingest = new SpanIngest(toolbarSpanProcessor().traces, host.events, host.store)
 * const { rejected, errorMessage } = ingest.accept(decodeExportTraceServiceRequest(bytes), 'otlp_http')
 * ```
 */
export class SpanIngest {
  readonly counters: IngestCounters = { requests: 0, accepted: 0, rejected: 0, duplicates: 0, late: 0, malformed: 0 }
  private warnedStore = false

  constructor(
    readonly traces: TraceStore,
    private readonly events?: ToolbarEvents,
    private readonly store?: ToolbarStore,
  ) {}

  /**
   * Stores the spans of one export request and says how many were refused, and why.
   *
   * @throws OtlpDecodeError when the request, a resource or a scope is malformed (a 400).
   * @example
   * ```ts
   * const result = ingest.accept(JSON.parse(body), 'otlp_http')
   * if (result.rejected) console.warn(result.errorMessage)
   * ```
   */
  accept(request: unknown, source: SpanSource): IngestResult {
    this.counters.requests++
    let decoded: ReturnType<typeof toolbarSpansFromOtlpPartially>
    try {
      decoded = toolbarSpansFromOtlpPartially(request, source)
    } catch (error) {
      this.counters.malformed++
      throw error
    }
    return this.keep(decoded.spans, decoded.rejected, source)
  }

  /**
   * Stores spans that another receiver decoded itself (the Zipkin receiver), the same way as
   * `accept`: `rejected` holds the reasons of the spans it refused while decoding.
   *
   * @example
   * ```ts
   * const { spans, rejected } = zipkinSpansToToolbar(JSON.parse(body))
   * ingest.acceptSpans(spans, rejected, 'zipkin')
   * ```
   */
  acceptSpans(spans: ToolbarSpan[], rejected: string[], source: SpanSource): IngestResult {
    this.counters.requests++
    return this.keep(spans, rejected, source)
  }

  private keep(spans: ToolbarSpan[], rejected: string[], source: SpanSource): IngestResult {
    const decoded = { spans, rejected }
    const messages = [...rejected]
    const kept = new Map<string, { created: boolean; requestId: string | undefined; spans: ToolbarSpan[] }>()
    for (const span of decoded.spans) {
      limitReceivedSpan(span)
      const created = !this.traces.has(span.traceId)
      // The late window is for services' exporters; an imported file is opened whenever the user likes.
      const outcome = source === 'import' ? this.traces.receiveImported(span) : this.traces.receive(span)
      if (outcome === 'dropped' || outcome === 'closed') {
        messages.push(refusal(span, outcome))
        continue
      }
      if (outcome === 'duplicate') this.counters.duplicates++
      if (outcome === 'late') this.counters.late++
      let batch = kept.get(span.traceId)
      // The request id is read now: a batch of more traces than `maxTraces` evicts its own first ones.
      if (!batch) kept.set(span.traceId, (batch = { created, requestId: this.traces.requestId(span.traceId), spans: [] }))
      // An imported span the trace already held stays as it is, source included: the durable
      // store must not get the file's copy either (it would replace the request's own span).
      if (source !== 'import' || outcome !== 'duplicate') batch.spans.push(span)
    }
    for (const [traceId, batch] of kept) this.announce(traceId, batch.created, batch.requestId, batch.spans, source)
    const accepted = decoded.spans.length + decoded.rejected.length - messages.length
    this.counters.accepted += accepted
    this.counters.rejected += messages.length
    return { accepted, rejected: messages.length, errorMessage: describe(messages), traceIds: [...kept.keys()] }
  }

  /**
   * Moves the received spans of `service` in `traceId` from under `from` to under `to`, and
   * saves them again to a store that keeps spans (the Zipkin receiver, for spans that
   * arrived before their shared SERVER span).
   *
   * @example
   * ```ts
   * ingest.reparent(span.traceId, sharedId, span.spanId, 'stock')
   * ```
   */
  reparent(traceId: string, from: string, to: string, service: string): void {
    const moved = this.traces.reparent(traceId, from, to, service)
    if (moved.length > 0) this.save(moved, this.traces.requestId(traceId))
  }

  /**
   * Counts an export request refused before it could be decoded (too large, wrong type, broken gzip).
   *
   * @example
   * ```ts
   * if (tooLarge) { ingest.refused(); return c.json({ error: 'too large' }, 413) }
   * ```
   */
  refused(): void {
    this.counters.requests++
    this.counters.malformed++
  }

  private announce(traceId: string, created: boolean, requestId: string | undefined, spans: ToolbarSpan[], source: SpanSource): void {
    // A trace that later traces of the same batch pushed out of memory is not announced (there
    // is nothing left to show), but the durable store still gets its spans: they were accepted.
    this.save(spans, requestId)
    const summary = this.traces.summary(traceId)
    if (!summary) return
    const data = { requestId, traceId, name: redactSpanText(summary.rootName), spanCount: summary.spanCount, services: summary.services, source }
    this.events?.emit({ type: created ? 'trace.created' : 'trace.updated', data })
    // A trace without a request ends when its root span arrives (exporters send ended spans only).
    if (requestId === undefined && spans.some((span) => !span.parentSpanId)) this.events?.emit({ type: 'trace.completed', data })
  }

  private save(spans: ToolbarSpan[], requestId: string | undefined): void {
    if (!this.store?.saveSpans || spans.length === 0) return
    try {
      const saving = this.store.saveSpans(spans, requestId)
      if (saving && typeof saving.then === 'function') saving.then(undefined, (error: unknown) => this.warnStore(error))
    } catch (error) {
      this.warnStore(error)
    }
  }

  private warnStore(error: unknown): void {
    // Once: a store that is down would otherwise print a line per export.
    if (this.warnedStore) return
    this.warnedStore = true
    console.warn('[hono-debug-toolbar] the store could not save received spans:', error instanceof Error ? error.message : error)
  }
}

function refusal(span: ToolbarSpan, outcome: 'dropped' | 'closed'): string {
  return outcome === 'dropped'
    ? `span ${span.spanId}: trace ${span.traceId} holds its maximum number of spans`
    : `span ${span.spanId}: the request of trace ${span.traceId} finished longer ago than the late window`
}

function describe(messages: string[]): string {
  if (messages.length === 0) return ''
  const shown = messages.slice(0, MAX_MESSAGES).map((m) => (m.length > MAX_MESSAGE_LENGTH ? `${m.slice(0, MAX_MESSAGE_LENGTH)}…` : m))
  const more = messages.length > MAX_MESSAGES ? `; and ${messages.length - MAX_MESSAGES} more` : ''
  return `${messages.length} ${messages.length === 1 ? 'span' : 'spans'} refused: ${shown.join('; ')}${more}`
}
