/**
 * The spans of recorded traces, bounded twice: at most `maxSpans` spans per trace (the
 * rest are counted as dropped) and at most `maxTraces` traces (the oldest is evicted).
 * One store is shared by every request; each trace has its own entry keyed by trace id,
 * and concurrent requests have distinct trace ids, so they never see each other's spans.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import type { ToolbarEvents } from '../core/events.js'
import { toolbarSpanFromReadableSpan } from './otlp-json.js'
import type { ToolbarSpan } from './span-model.js'

/** How one trace is kept: set by the panel that recorded the request. */
export interface TraceSettings {
  /** The toolbar request the trace belongs to. */
  requestId?: string
  /** Most spans kept (default 10,000). */
  maxSpans?: number
  /** How long after `finish()` spans still join (ms, default 5,000). */
  gracePeriodMs?: number
  /** Where `trace.updated` goes when a late span joins. */
  events?: ToolbarEvents
}

interface TraceEntry {
  settings: Required<Omit<TraceSettings, 'events' | 'requestId'>> & Pick<TraceSettings, 'events' | 'requestId'>
  /**
   * Ended spans by span id, in arrival order. Spans of this process's SDK are kept as the
   * SDK made them and converted when the trace is read: most traces are never opened.
   */
  ended: Map<string, ToolbarSpan | ReadableSpan>
  /** Spans that started and have not ended yet. */
  running: Map<string, ReadableSpan>
  dropped: number
  /** `performance.now()` when the request finished; undefined while it runs. */
  finishedAt: number | undefined
}

/** What `add()` did with a span. */
export type AddOutcome = 'stored' | 'late' | 'dropped' | 'ignored'

/**
 * A bounded, per-trace span store.
 *
 * @example
 * ```ts
 * const store = new TraceStore(100)
 * store.open(traceId, { requestId: record.id, maxSpans: 1000 })
 * store.add(toolbarSpanFromReadableSpan(span))
 * store.spans(traceId) // ToolbarSpan[] by start time
 * ```
 */
export class TraceStore {
  private readonly traces = new Map<string, TraceEntry>()

  constructor(public maxTraces = 100) {}

  /** Starts keeping the spans of `traceId` (again: re-opening keeps what is there). */
  open(traceId: string, settings: TraceSettings = {}): void {
    const existing = this.traces.get(traceId)
    const resolved = {
      maxSpans: settings.maxSpans ?? 10_000,
      gracePeriodMs: settings.gracePeriodMs ?? 5_000,
      requestId: settings.requestId,
      events: settings.events,
    }
    if (existing) {
      // A trace can span several requests (a service calling itself): the newest request owns it.
      existing.settings = resolved
      existing.finishedAt = undefined
      this.traces.delete(traceId)
      this.traces.set(traceId, existing)
    } else {
      this.traces.set(traceId, { settings: resolved, ended: new Map(), running: new Map(), dropped: 0, finishedAt: undefined })
    }
    while (this.traces.size > this.maxTraces) this.traces.delete(this.traces.keys().next().value as string)
  }

  /** Whether spans of `traceId` are being kept right now (open, or finished within the grace period). */
  accepts(traceId: string): boolean {
    const entry = this.traces.get(traceId)
    return entry !== undefined && isAccepting(entry)
  }

  /** Whether the store holds `traceId` at all. */
  has(traceId: string): boolean {
    return this.traces.has(traceId)
  }

  /** Remembers a span that started, so it shows as in flight. */
  start(span: ReadableSpan): void {
    const entry = this.traces.get(span.spanContext().traceId)
    if (!entry || !isAccepting(entry)) return
    if (entry.running.size + entry.ended.size >= entry.settings.maxSpans) return
    entry.running.set(span.spanContext().spanId, span)
  }

  /** Stores an ended SDK span of a kept trace (converting only those). */
  end(span: ReadableSpan): AddOutcome {
    const { traceId, spanId } = span.spanContext()
    const entry = this.traces.get(traceId)
    if (!entry) return 'ignored'
    // A span registered when it started holds a place: the SERVER span, first to start, is always kept.
    const reserved = entry.running.delete(spanId)
    return isAccepting(entry) ? this.store(entry, span, spanId, reserved) : 'ignored'
  }

  /** Stores an ended span of a kept trace (from the SDK or a receiver); says whether it was kept, late, dropped or ignored. */
  add(span: ToolbarSpan): AddOutcome {
    const entry = this.traces.get(span.traceId)
    if (!entry) return 'ignored'
    const reserved = entry.running.delete(span.spanId)
    return isAccepting(entry) ? this.store(entry, span, span.spanId, reserved) : 'ignored'
  }

  private store(entry: TraceEntry, span: ToolbarSpan | ReadableSpan, spanId: string, reserved: boolean): AddOutcome {
    const full = entry.ended.size + entry.running.size >= entry.settings.maxSpans
    if (!reserved && !entry.ended.has(spanId) && full) {
      entry.dropped++
      return 'dropped'
    }
    entry.ended.set(spanId, span)
    if (entry.finishedAt === undefined) return 'stored'
    entry.settings.events?.emit({
      type: 'trace.updated',
      data: {
        requestId: entry.settings.requestId,
        traceId: isSdkSpan(span) ? span.spanContext().traceId : span.traceId,
        name: span.name,
        spanCount: entry.ended.size,
        source: isSdkSpan(span) ? 'local' : span.source,
      },
    })
    return 'late'
  }

  /** Marks the trace's request as finished: from now on only the grace period admits spans. */
  finish(traceId: string): void {
    const entry = this.traces.get(traceId)
    if (entry) entry.finishedAt = performance.now()
  }

  /** Ended and running spans of the trace, ordered by start time; undefined when unknown. */
  spans(traceId: string): ToolbarSpan[] | undefined {
    const entry = this.traces.get(traceId)
    if (!entry) return undefined
    const running = [...entry.running.values()].map((span) => toolbarSpanFromReadableSpan(span))
    const ended = [...entry.ended.values()].map((span) => (isSdkSpan(span) ? toolbarSpanFromReadableSpan(span, 'local') : span))
    return [...ended, ...running].sort(byStart)
  }

  /** Counters of the trace: spans dropped over the bound, spans still running. */
  counts(traceId: string): { dropped: number; running: number; ended: number } {
    const entry = this.traces.get(traceId)
    return { dropped: entry?.dropped ?? 0, running: entry?.running.size ?? 0, ended: entry?.ended.size ?? 0 }
  }

  /** Forgets every trace (the history was cleared). */
  clear(): void {
    this.traces.clear()
  }

  get size(): number {
    return this.traces.size
  }
}

function isAccepting(entry: TraceEntry): boolean {
  return entry.finishedAt === undefined || performance.now() - entry.finishedAt < entry.settings.gracePeriodMs
}

function isSdkSpan(span: ToolbarSpan | ReadableSpan): span is ReadableSpan {
  return typeof (span as ReadableSpan).spanContext === 'function'
}

/** Decimal nanosecond strings compared without BigInt: a longer string is a later time. */
function byStart(a: ToolbarSpan, b: ToolbarSpan): number {
  const x = a.startTimeUnixNano
  const y = b.startTimeUnixNano
  if (x.length !== y.length) return x.length - y.length
  return x < y ? -1 : x > y ? 1 : 0
}
