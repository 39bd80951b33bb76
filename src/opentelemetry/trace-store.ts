/**
 * (Over 400 lines: one store serves recorded, received and imported spans, and its bounds,
 * late window and counters must agree for all three, so they stay in one class.)
 *
 * The spans of recorded and received traces, bounded three times: at most `maxSpans` spans
 * per trace (the rest are counted as dropped), at most `maxTraces` traces and at most
 * `maxTotalSpans` spans over all of them (the oldest traces are evicted, and counted). One
 * store is shared by every request; each trace has its own entry keyed by trace id, and
 * concurrent requests have distinct trace ids, so they never see each other's spans.
 *
 * A recorded request opens its trace; spans that a receiver gets for a trace nobody opened
 * (a worker, a cron job, a service without the toolbar) start a trace of their own, which
 * has no request and shares the same `maxTraces` bound.
 */
import { redactSpanText } from '../core/redact-span.js'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { OpenOrder } from './open-order.js'
import type { HrTime } from '@opentelemetry/api'
import type { ToolbarEvents } from '../core/events.js'
import { newestStartFirst, type TraceFilter, type TracePage, type TraceSummary } from '../core/span-model.js'
import { toolbarSpanFromReadableSpan } from './otlp-json.js'
import type { ToolbarSpan } from './span-model.js'
import { laterThan } from './request-span.js'
import { listedTraceSummary, matchesTraceFilter, summarizeTrace } from '../core/trace-summary.js'

/** How one trace is kept: set by the panel that recorded the request. */
export interface TraceSettings {
  /** The toolbar request the trace belongs to. */
  requestId?: string
  /** Most spans kept (default 10,000). */
  maxSpans?: number
  /** The late window: how long after `finish()` spans still join (ms, default 30,000). */
  gracePeriodMs?: number
  /** Where `trace.updated` goes when a late span of this process joins. */
  events?: ToolbarEvents
  /**
   * Told when a span of this process joins the trace after its request finished, once until
   * `takeLateSpans()` takes what joined: a durable store writes them then (store-spans.ts).
   */
  onLateSpan?: (traceId: string) => void
}

const NO_SOURCES: readonly string[] = Object.freeze([])
const LOCAL_ONLY: readonly string[] = Object.freeze(['local'])

/**
 * Spans by span id, in arrival order, for the part of `Map` the store uses (a trace's ended
 * spans, and those still running). Most traces hold one (a request's SERVER span): it is
 * kept in a field, and a Map is made for a second.
 */
class SpanSet<T> {
  private firstId: string | undefined = undefined
  private first: T | undefined = undefined
  private more: Map<string, T> | undefined = undefined

  get size(): number {
    return (this.firstId === undefined ? 0 : 1) + (this.more === undefined ? 0 : this.more.size)
  }

  has(id: string): boolean {
    return this.firstId === id || (this.more !== undefined && this.more.has(id))
  }

  set(id: string, value: T): void {
    if (this.firstId === id || (this.firstId === undefined && this.more === undefined)) {
      this.firstId = id
      this.first = value
    } else {
      ;(this.more ??= new Map()).set(id, value)
    }
  }

  get(id: string): T | undefined {
    if (this.firstId === id) return this.first
    return this.more === undefined ? undefined : this.more.get(id)
  }

  /** Forgets `id`; true when it was there. */
  delete(id: string): boolean {
    if (this.firstId !== id) return this.more !== undefined && this.more.delete(id)
    this.firstId = undefined
    this.first = undefined
    return true
  }

  values(): T[] {
    const values = this.firstId === undefined ? [] : [this.first as T]
    if (this.more !== undefined) for (const value of this.more.values()) values.push(value)
    return values
  }
}

/**
 * One trace as the store keeps it. A class rather than an object literal: V8 allocates a
 * literal's objects straight into the old generation once it has seen them survive (every
 * entry outlives its request), and an old object keeps the young spans it points to alive
 * through every young-generation collection until the next full one.
 */
class TraceEntry {
  /**
   * Every span by span id, ended or running, in the order the store first had it: this
   * process's spans when they started, received ones when they arrived. That order breaks
   * ties between spans that start at the same nanosecond (a parent before the child that
   * started with it), as the durable stores' insertion sequence does. Spans of this
   * process's SDK are kept as the SDK made them and converted when the trace is read: most
   * traces are never opened.
   */
  readonly spans = new SpanSet<ToolbarSpan | ReadableSpan>()
  /** Which of `spans` started and have not ended yet (made when the first one starts). */
  running: SpanSet<ReadableSpan> | undefined = undefined
  /**
   * Sources of the ended spans (`local`, `otlp_http`, ...): one or two, so a list; a new
   * list when one is added, so that the common ones can be shared.
   */
  sources: readonly string[] = NO_SOURCES
  dropped = 0
  /** Spans that joined after the request finished. */
  late = 0
  /** Spans that came from a receiver. */
  received = 0
  /** The latest end of this process's spans in the trace: its SERVER span ends no earlier. */
  localEnd: HrTime | undefined = undefined
  /** `performance.now()` when the request finished; undefined while it runs (or for a received trace). */
  finishedAt: number | undefined = undefined
  /** The list line of the trace, cached until its spans change. */
  summary: TraceSummary | undefined = undefined
  /** Holders (open WebSockets) that keep the trace accepting spans after its request finished. */
  holds = 0
  /** Where the trace stands in the store's open order (see `OpenOrder`); -1 when not in it. */
  openSeq = -1
  /** The toolbar request the trace belongs to. */
  requestId!: string | undefined
  maxSpans!: number
  /** The late window (ms). */
  gracePeriodMs!: number
  /** Where `trace.updated` goes when a late span of this process joins. */
  events!: ToolbarEvents | undefined
  onLateSpan!: ((traceId: string) => void) | undefined
  /** This process's spans that joined after the request finished, not taken yet (`takeLateSpans`). */
  unsaved: Array<ToolbarSpan | ReadableSpan> | undefined = undefined

  constructor(
    readonly traceId: string,
    settings: TraceSettings,
    requestId: string | undefined,
  ) {
    this.settle(settings, requestId)
  }

  /** Takes the settings of the request that (re)opened the trace. */
  settle(settings: TraceSettings, requestId: string | undefined): void {
    this.requestId = requestId
    this.maxSpans = settings.maxSpans ?? DEFAULT_MAX_SPANS
    this.gracePeriodMs = settings.gracePeriodMs ?? DEFAULT_LATE_WINDOW_MS
    this.events = settings.events
    this.onLateSpan = settings.onLateSpan
  }
}

/**
 * What `add()` / `receive()` did with a span: kept (`stored`, or `late` after its request
 * finished), already there (`duplicate`, an exporter's retry), refused (`dropped` over the
 * span bound, `closed` past the late window), or not kept because nobody records its trace.
 */
export type AddOutcome = 'stored' | 'late' | 'duplicate' | 'dropped' | 'closed' | 'ignored'

/** Counters of one trace. */
export interface TraceCounts {
  dropped: number
  running: number
  ended: number
  late: number
  received: number
}

/** The default late window: exporters batch for a few seconds (the SDK's default is 5 s). */
export const DEFAULT_LATE_WINDOW_MS = 30_000
const DEFAULT_MAX_SPANS = 10_000
/** Spans kept over all traces: ten full traces, however many traces `maxTraces` allows. */
export const DEFAULT_MAX_TOTAL_SPANS = 100_000

/**
 * A bounded, per-trace span store.
 *
 * @example
 * ```ts
 * const store = new TraceStore(100)
 * store.open(traceId, { requestId: record.id, maxSpans: 1000 })
 * store.add(toolbarSpanFromReadableSpan(span))
 * store.spans(traceId) // ToolbarSpan[] by start time
 * store.list({ limit: 20, offset: 0, service: 'inventory' }) // { traces, total }
 * ```
 */
export class TraceStore {
  private readonly traces = new Map<string, TraceEntry>()
  /** The traces oldest first, for eviction (a Map is slow to read from the front: see OpenOrder). */
  private readonly order = new OpenOrder<TraceEntry>()
  /** Traces pushed out by newer ones since the store was made. */
  evicted = 0
  /** Traces whose request is still running: `maxTraces` bounds the others (see `evictOverflow`). */
  private unfinished = 0
  /**
   * Spans kept over all traces, in flight or ended: past it the oldest traces go whole (not
   * the one a span joins), so `maxTraces` traces of `maxSpans` spans each never all stay.
   */
  maxTotalSpans = DEFAULT_MAX_TOTAL_SPANS
  /** Spans held now over all traces (ended and in flight). */
  spanCount = 0
  /** How traces that a receiver starts are kept (no request, so no late window applies). */
  receivedSettings: { maxSpans: number } = { maxSpans: DEFAULT_MAX_SPANS }
  /**
   * Told when a trace is evicted while late spans of it wait for `takeLateSpans` (their
   * timer would find nothing): a durable store writes them then, before they are forgotten.
   */
  onEvictLateSpans: ((spans: ToolbarSpan[]) => void) | undefined = undefined
  /**
   * The list line of each trace of several services after the clock-skew adjustment, by the
   * summary as received it was computed from: a trace that takes spans gets a new summary,
   * so its line is computed again the next time the list is read (see `listedSummaryOf`).
   */
  private readonly listed = new WeakMap<TraceSummary, TraceSummary>()

  constructor(public maxTraces = 100) {}

  /**
   * Starts keeping the spans of `traceId` (again: re-opening keeps what is there).
   * `requestId` defaults to `settings.requestId`; a panel hands the same `settings` object to
   * every request and its request id beside it, so no object is made per request.
   *
   * @example
   * ```ts
   * const traces = new TraceStore(100)
   * traces.open(traceId, { maxSpans: 1000, gracePeriodMs: 30_000 }, record.id)
   * traces.accepts(traceId) // true: its spans are kept from now on
   * ```
   */
  open(traceId: string, settings: TraceSettings = {}, requestId: string | undefined = settings.requestId): void {
    const existing = this.traces.get(traceId)
    if (existing) {
      // A trace can span several requests (a page calling its own API): the first request
      // owns it, the one whose span is the root, and it keeps its place, the start of the
      // first; a durable store names the same one (it is stored last, when it finished).
      const was = isRunning(existing)
      existing.settle(settings, existing.requestId ?? requestId)
      existing.finishedAt = undefined
      existing.summary = undefined
      if (isRunning(existing) !== was) this.unfinished += was ? -1 : 1
    } else {
      const entry = new TraceEntry(traceId, settings, requestId)
      this.traces.set(traceId, entry)
      this.order.push(entry)
      if (isRunning(entry)) this.unfinished++
    }
    this.evictOverflow()
  }

  /**
   * Keeps `traceId` accepting spans after its request finished, until the returned function
   * is called; the grace period starts then. A WebSocket holds its upgrade request's trace
   * while it is open. A held trace is evicted last.
   *
   * @example
   * ```ts
   * const release = traces.hold(traceId)
   * socket.on('close', release)
   * ```
   */
  hold(traceId: string): () => void {
    const entry = this.traces.get(traceId)
    if (!entry) return () => {}
    entry.holds++
    let released = false
    return () => {
      if (released) return
      released = true
      entry.holds--
      if (entry.holds === 0 && entry.finishedAt !== undefined) entry.finishedAt = performance.now()
    }
  }

  /**
   * Whether spans of `traceId` are being kept right now (open, or finished within the late window).
   *
   * @example
   * ```ts
   * traces.finish(traceId)
   * traces.accepts(traceId) // true for the late window (30 s by default), then false
   * traces.accepts('0af7651916cd43dd8448eb211c80319c') // false: never opened
   * ```
   */
  accepts(traceId: string): boolean {
    const entry = this.traces.get(traceId)
    return entry !== undefined && isAccepting(entry)
  }

  /**
   * When `traceId` stops taking spans, as a `performance.now()` reading: `Infinity` while its
   * request runs or a WebSocket holds it (the moment is not known yet), a past reading once
   * its late window is over, undefined when the store does not hold it.
   *
   * @example
   * ```ts
   * traces.finish(traceId)
   * traces.closesAt(traceId)! - performance.now() // about 30_000: the late window
   * ```
   */
  closesAt(traceId: string): number | undefined {
    const entry = this.traces.get(traceId)
    if (!entry) return undefined
    return entry.holds > 0 || entry.finishedAt === undefined ? Infinity : entry.finishedAt + entry.gracePeriodMs
  }

  /**
   * Runs `work` with `traceId` taking spans though its late window may just have ended, and
   * answers what `work` answers: what a request's work wrote while the trace took spans, but
   * that could only be converted once it stopped (a render still running then), still joins
   * the trace. Nothing runs for a trace the store no longer holds.
   *
   * @example
   * ```ts
   * // at traces.closesAt(traceId): the render still running ends there, with what it logged
   * traces.closing(traceId, () => converter.convertWaiting(record, serverContext, late, endMs))
   * ```
   */
  closing(traceId: string, work: () => number): number {
    const entry = this.traces.get(traceId)
    if (!entry) return 0
    // A hold keeps the trace taking spans; taken back without restarting the late window.
    entry.holds++
    try {
      return work()
    } finally {
      entry.holds--
    }
  }

  /**
   * Whether the store holds `traceId` at all.
   *
   * @example
   * ```ts
   * traces.has(traceId) // true while the trace is held, late window over or not; false once evicted
   * ```
   */
  has(traceId: string): boolean {
    return this.traces.has(traceId)
  }

  /**
   * Remembers a span that started, so it shows as in flight.
   *
   * @example
   * ```ts
   * const processor: SpanProcessor = {
   *   onStart: (span: Span) => traces.start(span), // in flight in the waterfall
   *   onEnd: (span: ReadableSpan) => void traces.end(span),
   *   forceFlush: async () => {}, shutdown: async () => {},
   * }
   * ```
   */
  start(span: ReadableSpan): void {
    const entry = this.traces.get(span.spanContext().traceId)
    if (!entry || !isAccepting(entry)) return
    if (entry.spans.size >= entry.maxSpans) return
    const spanId = span.spanContext().spanId
    if (entry.spans.has(spanId)) return
    ;(entry.running ??= new SpanSet()).set(spanId, span)
    entry.spans.set(spanId, span)
    entry.summary = undefined
    if (++this.spanCount > this.maxTotalSpans) this.evictForSpans(entry)
  }

  /**
   * Stores an ended SDK span of a kept trace (converting only those).
   *
   * @example
   * ```ts
   * onEnd(span: ReadableSpan) {
   *   traces.end(span) // 'stored', 'late' after the request, 'ignored' for a trace not kept
   * }
   * ```
   */
  end(span: ReadableSpan): AddOutcome {
    const { traceId, spanId } = span.spanContext()
    const entry = this.traces.get(traceId)
    if (!entry) return 'ignored'
    // A span registered when it started holds a place: the SERVER span, first to start, is always kept.
    const reserved = this.take(entry, spanId)
    if (!isAccepting(entry)) return this.ignore(entry, spanId, reserved)
    if (!entry.localEnd || laterThan(span.endTime, entry.localEnd)) entry.localEnd = span.endTime
    return this.announceLate(entry, traceId, span.name, 'local', this.store(entry, span, spanId, 'local', reserved))
  }

  /**
   * The latest end of the spans this process ended in the trace, if any.
   * The OpenTelemetry SDK times a span from the start of the millisecond it started in, so
   * a span that ends as the response goes out can end up to 1 ms after the request does.
   *
   * @example
   * ```ts
   * endRequestSpan(state, record, store.latestLocalEnd(state.traceId))
   * ```
   */
  latestLocalEnd(traceId: string): HrTime | undefined {
    return this.traces.get(traceId)?.localEnd
  }

  /**
   * Stores an ended span of a kept trace; says whether it was kept, late, dropped or ignored.
   *
   * @example
   * ```ts
   * const outcome = traces.add({ ...span, source: 'local' }) // a ToolbarSpan
   * if (outcome === 'dropped') console.warn(`trace ${span.traceId} is over maxSpans`)
   * ```
   */
  add(span: ToolbarSpan): AddOutcome {
    const entry = this.traces.get(span.traceId)
    if (!entry) return 'ignored'
    const reserved = this.take(entry, span.spanId)
    if (!isAccepting(entry)) return this.ignore(entry, span.spanId, reserved)
    return this.announceLate(entry, span.traceId, span.name, span.source, this.store(entry, span, span.spanId, span.source, reserved))
  }

  /**
   * Stores a span from a receiver: it joins its recorded request's trace (within the late
   * window), or starts a trace of its own when nobody recorded the trace. The caller tells
   * listeners, once per batch.
   *
   * @example
   * ```ts
   * for (const span of toolbarSpansFromOtlp(request, 'otlp_http')) {
   *   if (store.receive(span) === 'closed') refused++
   * }
   * ```
   */
  receive(span: ToolbarSpan): AddOutcome {
    const entry = this.entryOf(span.traceId)
    if (!isAccepting(entry)) return 'closed'
    return this.keepReceived(entry, span)
  }

  /**
   * Stores a span of a file the user imported (`POST /api/traces/import`) as `receive` does,
   * but whenever it comes: the late window waits for services' exporters after a request,
   * and a file saved with "Download OTLP JSON" is opened minutes or days later. The span
   * bound still applies. A file is not a service sending spans: the trace's `received` and
   * `late` counters leave it out.
   *
   * @example
   * ```ts
   * store.receiveImported({ ...span, source: 'import' }) // 'late': joined a finished request's trace
   * ```
   */
  receiveImported(span: ToolbarSpan): AddOutcome {
    const entry = this.entryOf(span.traceId)
    // A span the trace already holds stays as it is: a file saved from this toolbar and opened
    // again must not turn the request's own spans into "imported file" ones.
    if (hasEnded(entry, span.spanId)) return 'duplicate'
    return this.store(entry, span, span.spanId, span.source, this.take(entry, span.spanId), false)
  }

  /** The entry of `traceId`, started as a trace of its own when nobody recorded it. */
  private entryOf(traceId: string): TraceEntry {
    let entry = this.traces.get(traceId)
    if (!entry) {
      entry = new TraceEntry(traceId, this.receivedSettings, undefined)
      this.traces.set(traceId, entry)
      this.order.push(entry)
      this.evictOverflow()
    }
    return entry
  }

  private keepReceived(entry: TraceEntry, span: ToolbarSpan): AddOutcome {
    const duplicate = hasEnded(entry, span.spanId)
    const outcome = this.store(entry, span, span.spanId, span.source, this.take(entry, span.spanId))
    if (outcome === 'dropped') return outcome
    if (duplicate) return 'duplicate'
    entry.received++
    return outcome
  }

  /** `counted`: whether a span joining after the request counts as late (an imported one does not). */
  private store(entry: TraceEntry, span: ToolbarSpan | ReadableSpan, spanId: string, source: string, reserved: boolean, counted = true): AddOutcome {
    // A span that was running holds its place (reserved); one the trace has ended is replaced in its place.
    const known = !reserved && entry.spans.has(spanId)
    if (!reserved && !known && entry.spans.size >= entry.maxSpans) {
      entry.dropped++
      return 'dropped'
    }
    entry.spans.set(spanId, span)
    if (!known && ++this.spanCount > this.maxTotalSpans) this.evictForSpans(entry)
    if (!entry.sources.includes(source)) entry.sources = entry.sources.length === 0 && source === 'local' ? LOCAL_ONLY : [...entry.sources, source]
    entry.summary = undefined
    if (entry.finishedAt === undefined) return 'stored'
    if (!known) {
      if (counted) entry.late++
      // Only after the request: a span made during it costs nothing here.
      if (source === 'local' && entry.onLateSpan !== undefined) keepUnsaved(entry, span)
    }
    return 'late'
  }

  /**
   * This process's spans that joined `traceId` after its request finished since the last
   * call (each once), for a durable store; `onLateSpan` is told again at the next one.
   *
   * @example
   * ```ts
   * traces.open(traceId, { onLateSpan: (id) => setTimeout(() => store.saveSpans(traces.takeLateSpans(id)), 250) }, record.id)
   * traces.takeLateSpans(traceId) // [the WS /chat span that ended when the socket closed, ...]
   * ```
   */
  takeLateSpans(traceId: string): ToolbarSpan[] {
    const entry = this.traces.get(traceId)
    return entry === undefined ? [] : takeUnsaved(entry)
  }

  /**
   * The late spans of every trace not taken yet (`takeLateSpans` for each): what waits for
   * a durable store when the process stops or the panel retires.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => store.saveSpans(traces.takeAllLateSpans()))
   * ```
   */
  takeAllLateSpans(): ToolbarSpan[] {
    const spans: ToolbarSpan[] = []
    for (const entry of this.traces.values()) if (entry.unsaved !== undefined) spans.push(...takeUnsaved(entry))
    return spans
  }

  private announceLate(entry: TraceEntry, traceId: string, name: string, source: string, outcome: AddOutcome): AddOutcome {
    if (outcome !== 'late' || !entry.events?.active) return outcome
    const { services, spanCount } = this.summaryOf(entry, traceId)
    entry.events.emit({
      type: 'trace.updated',
      // A span's name can hold a URL with its query: redacted as the trace routes show it.
      data: { requestId: entry.requestId, traceId, name: redactSpanText(name), spanCount, services, source },
    })
    return outcome
  }

  /**
   * Moves the received spans of `service` whose parent is `from` under `to`, when the trace
   * holds `to`; answers the spans it moved. Zipkin's shared SERVER span gets an id of its own
   * (zipkin-json.ts), and the service's spans reported in an earlier POST still name the
   * shared id as their parent.
   *
   * @example
   * ```ts
   * store.reparent(traceId, sharedId, derivedId, 'stock') // [the stock spans now under the SERVER span]
   * ```
   */
  reparent(traceId: string, from: string, to: string, service: string): ToolbarSpan[] {
    const entry = this.traces.get(traceId)
    if (!entry || !hasEnded(entry, to)) return []
    const moved: ToolbarSpan[] = []
    for (const span of entry.spans.values()) {
      if (isSdkSpan(span) || span.parentSpanId !== from || span.spanId === to || span.resource['service.name'] !== service) continue
      span.parentSpanId = to
      moved.push(span)
    }
    if (moved.length > 0) entry.summary = undefined
    return moved
  }

  /**
   * Marks the trace's request as finished: from now on only the late window admits spans,
   * and the trace counts against `maxTraces`. A slow request that started before all the
   * traces kept goes now, as the history drops it: read or save its spans before.
   *
   * @example
   * ```ts
   * traces.open(traceId, settings, record.id)
   * // ... the request runs, its spans end ...
   * traces.finish(traceId) // the late window starts; the trace now counts against maxTraces
   * traces.finish(traceId, record.startPerf + record.durationMs!) // the window counts from the response's end
   * ```
   *
   * `endedAt`: the `performance.now()` reading the response ended at, when that is known and
   * earlier than now (a busy event loop handles the end later): the late window counts from
   * it, so that it ends `gracePeriodMs` after the response, however late the end was handled.
   */
  finish(traceId: string, endedAt = performance.now()): void {
    const entry = this.traces.get(traceId)
    if (!entry) return
    if (isRunning(entry)) this.unfinished--
    entry.finishedAt = endedAt
    this.evictOverflow()
  }

  /**
   * Ended and running spans of the trace, ordered by start time; undefined when unknown.
   *
   * @example
   * ```ts
   * traces.spans(traceId)?.map((s) => `${s.name} ${s.endTimeUnixNano ? 'ended' : 'running'}`)
   * // ['GET /users/:id ended', 'SELECT users ended', 'fetch inventory running']
   * ```
   */
  spans(traceId: string): ToolbarSpan[] | undefined {
    const entry = this.traces.get(traceId)
    return entry ? spansOf(entry) : undefined
  }

  /**
   * How many ended spans of `traceId` this process recorded (source `local`), counted
   * without converting any: what `saveRecordedSpans` would hand a durable store.
   *
   * @example
   * ```ts
   * traces.endedLocalCount(traceId) // 2: the SERVER span and a `log info` span
   * ```
   */
  endedLocalCount(traceId: string): number {
    const entry = this.traces.get(traceId)
    if (!entry) return 0
    let count = 0
    for (const span of entry.spans.values()) {
      const local = isSdkSpan(span) || span.source === 'local'
      if (local && !entry.running?.has(isSdkSpan(span) ? span.spanContext().spanId : span.spanId)) count++
    }
    return count
  }

  /**
   * A span that a receiver stored in the trace (not one of this process's SDK), if held.
   *
   * @example
   * ```ts
   * traces.receive(spanFromInventory) // POSTed to /otlp/v1/traces
   * traces.receivedSpan(traceId, spanFromInventory.spanId)?.source // 'otlp_http'
   * ```
   */
  receivedSpan(traceId: string, spanId: string): ToolbarSpan | undefined {
    const span = this.traces.get(traceId)?.spans.get(spanId)
    return span === undefined || isSdkSpan(span) ? undefined : span
  }

  /**
   * A 128-bit trace id held whose lower 64 bits are `lowerHalf` (16 hex), a recorded
   * request's first; undefined when none is.
   *
   * @example
   * ```ts
   * // a 64-bit B3 trace id from a Zipkin tracer, joined to the recorded request's 128-bit one
   * traces.traceIdWithLowerHalf('a3ce929d0e0e4736') // '4bf92f3577b34da6a3ce929d0e0e4736'
   * ```
   */
  traceIdWithLowerHalf(lowerHalf: string): string | undefined {
    let found: string | undefined
    for (const entry of this.traces.values()) {
      if (!entry.traceId.endsWith(lowerHalf) || entry.traceId.startsWith('0000000000000000')) continue
      if (entry.requestId !== undefined) return entry.traceId
      found ??= entry.traceId
    }
    return found
  }

  /**
   * The request a trace belongs to, if it was recorded.
   *
   * @example
   * ```ts
   * traces.requestId(traceId) // 'c0ffee0000000001': open it in the toolbar; undefined for a received trace
   * ```
   */
  requestId(traceId: string): string | undefined {
    return this.traces.get(traceId)?.requestId
  }

  /**
   * Counters of the trace: spans dropped over the bound, running, ended, late and received.
   *
   * @example
   * ```ts
   * traces.counts(traceId) // { dropped: 0, running: 1, ended: 6, late: 2, received: 3 }
   * ```
   */
  counts(traceId: string): TraceCounts {
    const entry = this.traces.get(traceId)
    return {
      dropped: entry?.dropped ?? 0,
      running: entry ? runningCount(entry) : 0,
      ended: entry ? entry.spans.size - runningCount(entry) : 0,
      late: entry?.late ?? 0,
      received: entry?.received ?? 0,
    }
  }

  /**
   * The summary of one trace, its start and duration as received (the earliest start to the
   * latest end: `list` answers them as the waterfall draws them); undefined when unknown.
   *
   * @example
   * ```ts
   * traces.summary(traceId)
   * // { traceId, rootName: 'GET /users/:id', services: ['shop', 'inventory'], spanCount: 9,
   * //   startedAt: '2025-01-01T12:00:00.000Z', durationMs: 18.4, requestId: 'c0ffee0000000001', error: false }
   * ```
   */
  summary(traceId: string): TraceSummary | undefined {
    const entry = this.traces.get(traceId)
    return entry ? this.summaryOf(entry, traceId) : undefined
  }

  /**
   * The traces that match `filter`, newest first, one page of them, how many match and how
   * many were evicted.
   *
   * @example
   * ```ts
   * store.list({ limit: 50, offset: 0, service: 'inventory', minDurationMs: 100 })
   * ```
   */
  list(filter: TraceFilter): TracePage {
    const matching = this.summaries(filter, () => true)
    return { traces: matching.slice(filter.offset, filter.offset + filter.limit), total: matching.length, evicted: this.evicted }
  }

  /**
   * The list lines of the traces whose request is still running, newest first, that match
   * `filter`: a durable store gets a request's trace when the request finishes, and lists
   * these beside its own.
   *
   * @example
   * ```ts
   * const running = traces.runningRequests({ limit: 50, offset: 0 }) // requests still in flight, newest first
   * const page = await durableStore.listTraces({ limit: 50, offset: 0 }) // finished ones, from the database
   * ```
   */
  runningRequests(filter: TraceFilter): TraceSummary[] {
    return this.summaries(filter, (entry) => entry.requestId !== undefined && entry.finishedAt === undefined)
  }

  /** The list lines of the traces with spans that `which` takes and `filter` matches, newest first. */
  private summaries(filter: TraceFilter, which: (entry: TraceEntry) => boolean): TraceSummary[] {
    const matching: TraceSummary[] = []
    // Newest entries first, so that traces starting in the same millisecond keep arrival order.
    for (const [traceId, entry] of [...this.traces].reverse()) {
      if (entry.spans.size === 0 || !which(entry)) continue
      const summary = this.listedSummaryOf(entry, traceId)
      if (matchesTraceFilter(summary, entry.sources, filter)) matching.push(summary)
    }
    return matching.sort(newestStartFirst)
  }

  /**
   * The trace's list line, start and duration as its waterfall draws them: every trace the
   * list reads is adjusted before it is filtered and ordered. Computed when the list is read,
   * not when spans arrive (spans arrive far more often than the list is read), and kept
   * while the trace's summary is (a trace at rest that took no span since); a trace of one
   * service costs nothing more.
   */
  private listedSummaryOf(entry: TraceEntry, traceId: string): TraceSummary {
    const summary = this.summaryOf(entry, traceId)
    if (summary.services.length < 2) return summary
    let listed = this.listed.get(summary)
    if (listed === undefined) {
      listed = listedTraceSummary(summary, spansOf(entry))
      // Only a trace at rest keeps its summary (see summaryOf): a span still running ends with
      // the trace, and spans may move when it ends.
      if (entry.summary === summary) this.listed.set(summary, listed)
    }
    if (entry.dropped > 0) listed.droppedSpans = entry.dropped
    return listed
  }

  /**
   * Forgets every trace (the history was cleared).
   *
   * @example
   * ```ts
   * traces.clear()
   * traces.size // 0
   * ```
   */
  clear(): void {
    this.traces.clear()
    this.order.clear()
    this.spanCount = 0
    this.unfinished = 0
  }

  get size(): number {
    return this.traces.size
  }

  private summaryOf(entry: TraceEntry, traceId: string): TraceSummary {
    const summary = entry.summary ?? summarizeTrace(traceId, spansOf(entry), entry.requestId)
    // Running spans change their extent as time passes: only a trace at rest is cached.
    if (runningCount(entry) === 0) entry.summary = summary
    // Set on each read: a full trace refusing spans does not make its 10,000 spans summarised again.
    if (entry.dropped > 0) summary.droppedSpans = entry.dropped
    return summary
  }

  /**
   * Over `maxTraces` finished traces (and received ones), the one that started first goes:
   * the store's order is the order traces were opened, a request's when it started, a
   * received or imported one's when it came. The traces of requests still running are not
   * counted (there are as many as requests in flight): each counts once its request
   * finishes, so that a slow request older than every trace kept goes then, as it does from
   * a durable store, which only gets a trace when its request finishes.
   */
  private evictOverflow(): void {
    while (this.traces.size - this.unfinished > Math.max(1, this.maxTraces)) {
      const oldest = this.oldestEvictable(undefined, true)
      if (oldest === undefined) return
      this.evict(oldest)
    }
  }

  /** Evicts the oldest traces but `keep` (the one a span just joined) while over `maxTotalSpans`. */
  private evictForSpans(keep: TraceEntry): void {
    while (this.spanCount > this.maxTotalSpans && this.traces.size > 1) this.evict(this.oldestEvictable(keep)!)
  }

  private evict(entry: TraceEntry): void {
    // Late spans waiting for their write go to the store first: one field read for the others.
    if (entry.unsaved !== undefined) this.onEvictLateSpans?.(takeUnsaved(entry))
    if (isRunning(entry)) this.unfinished--
    this.traces.delete(entry.traceId)
    this.order.remove(entry)
    this.spanCount -= entry.spans.size
    this.evicted++
  }

  /** A span the trace no longer accepts: if it was running, it leaves the trace. */
  private ignore(entry: TraceEntry, spanId: string, reserved: boolean): AddOutcome {
    if (reserved) entry.spans.delete(spanId)
    return 'ignored'
  }

  /** Forgets that `spanId` is running; true when it was. */
  private take(entry: TraceEntry, spanId: string): boolean {
    if (!takeRunning(entry, spanId)) return false
    // Only an entry the store still holds counts: a span that ends after its trace was evicted is not one.
    if (this.traces.get(entry.traceId) === entry) this.spanCount--
    return true
  }

  /**
   * The oldest trace but `keep` that no open WebSocket holds and whose request is not still
   * running; failing that, the oldest unheld one; failing that, the oldest. A service
   * exporting more traces than `maxTraces` while a slow request runs must not empty that
   * request's waterfall. `finishedOnly`: traces of requests still running are never chosen
   * (undefined when every other trace is one).
   */
  private oldestEvictable(keep?: TraceEntry, finishedOnly = false): TraceEntry | undefined {
    const order = this.order
    let unheld: TraceEntry | undefined
    let oldest: TraceEntry | undefined
    for (let i = order.first(); i < order.end; i++) {
      const entry = order.at(i)
      if (entry === undefined || entry === keep) continue
      const running = isRunning(entry)
      if (running && finishedOnly) continue
      oldest ??= entry
      if (entry.holds > 0) continue
      if (!running) return entry
      unheld ??= entry
    }
    return unheld ?? oldest
  }
}

/** The trace's spans by start; spans that start together in the order the store first had them (the sort is stable). */
function spansOf(entry: TraceEntry): ToolbarSpan[] {
  return entry.spans
    .values()
    .map((span) => (isSdkSpan(span) ? toolbarSpanFromReadableSpan(span, 'local') : span))
    .sort(byStart)
}

/** Whether the trace holds `spanId` as an ended span (not one still running). */
function hasEnded(entry: TraceEntry, spanId: string): boolean {
  return entry.spans.has(spanId) && !(entry.running !== undefined && entry.running.has(spanId))
}

function runningCount(entry: TraceEntry): number {
  return entry.running ? entry.running.size : 0
}

/** Forgets that `spanId` is running; true when it was. */
function takeRunning(entry: TraceEntry, spanId: string): boolean {
  return entry.running !== undefined && entry.running.delete(spanId)
}

/** Whether the trace belongs to a request still running. */
function isRunning(entry: TraceEntry): boolean {
  return entry.requestId !== undefined && entry.finishedAt === undefined
}

function isAccepting(entry: TraceEntry): boolean {
  return entry.holds > 0 || entry.finishedAt === undefined || performance.now() - entry.finishedAt < entry.gracePeriodMs
}

/** Notes a late span of this process for `takeLateSpans`; the first since the last take is told. */
function keepUnsaved(entry: TraceEntry, span: ToolbarSpan | ReadableSpan): void {
  if (entry.unsaved !== undefined) {
    entry.unsaved.push(span)
    return
  }
  entry.unsaved = [span]
  entry.onLateSpan!(entry.traceId)
}

/** The late spans of `entry` not taken yet, converted, and forgotten by the entry. */
function takeUnsaved(entry: TraceEntry): ToolbarSpan[] {
  const unsaved = entry.unsaved
  if (unsaved === undefined) return []
  entry.unsaved = undefined
  return unsaved.map((span) => (isSdkSpan(span) ? toolbarSpanFromReadableSpan(span, 'local') : span))
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
