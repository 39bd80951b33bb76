/**
 * The recorded side of a durable store's traces: when a request finishes, the ended spans
 * this process recorded for it (its SERVER span, the converted panel data, the app's own
 * instrumentation) go to the toolbar's store, so that another instance, or this one after
 * a restart, answers the trace; the spans that join it later follow, batched, and those
 * still waiting when the process stops are queued before the store closes.
 * Received spans are saved by the receivers' ingest.
 */
import type { ToolbarStore } from '../core/store.js'
import type { ToolbarSpan } from '../core/span-model.js'
import type { TraceStore } from './trace-store.js'

let warned = false

/**
 * Queues the ended local spans of `traceId` in `store` (a no-op for a store without spans).
 * When the store's queue is full they are not converted, and counted in its writes lost
 * (`countDropped`), as the request is. Never throws: a store that fails is a line on the
 * console, once.
 *
 * @example
 * ```ts
 * // in the panel's onFinish, after the SERVER span ended:
 * saveRecordedSpans(host.store, processor.traces, state.traceId, record.id)
 * ```
 */
export function saveRecordedSpans(store: ToolbarStore | undefined, traces: TraceStore, traceId: string, requestId: string): void {
  if (!store?.saveSpans) return
  // A full queue would drop them: converting the spans would be work for nothing, counting them is not.
  if (store.full) return store.countDropped?.(traces.endedLocalCount(traceId))
  queueSpans(store, (traces.spans(traceId) ?? []).filter((span) => span.source === 'local' && span.endTimeUnixNano !== undefined), requestId)
}

/**
 * Queues the local spans that joined `traceId` after its request finished, since the last
 * call (`TraceStore.takeLateSpans`): a WebSocket's connection and messages, what work the
 * request or a handler left running made. The panel calls it `LATE_SAVE_MS` after the first
 * of them, so a trace that keeps growing is written at most that often, each span once.
 *
 * @example
 * ```ts
 * traces.open(traceId, { onLateSpan: (id) => setTimeout(() => saveLateSpans(host.store, traces, id), LATE_SAVE_MS) }, record.id)
 * ```
 */
export function saveLateSpans(store: ToolbarStore | undefined, traces: TraceStore, traceId: string): void {
  queueLateSpans(store, traces.takeLateSpans(traceId))
}

/**
 * Queues the late spans of every trace that are still waiting for their timer
 * (`saveLateSpans`), at once: the process is stopping, or the panel retires, and the store
 * is about to flush and close.
 *
 * @example
 * ```ts
 * // the OpenTelemetry panel's beforeStoreClose(), before the toolbar closes the store:
 * saveAllLateSpans(host.store, processor.traces)
 * ```
 */
export function saveAllLateSpans(store: ToolbarStore | undefined, traces: TraceStore): void {
  queueLateSpans(store, traces.takeAllLateSpans())
}

/**
 * Queues late spans: those `saveLateSpans` and `saveAllLateSpans` take from the trace
 * store, and those a trace evicted from memory before its timer hands over
 * (`TraceStore.onEvictLateSpans`, `maxTraces` or the total span bound). A full queue drops
 * each and counts it in the writes lost, as it does received spans: unlike a request's
 * recorded spans, these are made already, so nothing is saved by skipping them.
 *
 * @example
 * ```ts
 * traces.onEvictLateSpans = (spans) => queueLateSpans(host.store, spans)
 * ```
 */
export function queueLateSpans(store: ToolbarStore | undefined, spans: ToolbarSpan[]): void {
  if (!store?.saveSpans) return
  // No request id: the trace keeps the request the store has for it (for a trace of several
  // requests of one app, the outer one, stored last), whatever request is at hand here.
  queueSpans(store, spans, undefined)
}

function queueSpans(store: ToolbarStore, spans: ToolbarSpan[], requestId: string | undefined): void {
  if (!spans.length) return
  try {
    const saving = store.saveSpans!(spans, requestId)
    if (saving && typeof saving.then === 'function') saving.then(undefined, warnOnce)
  } catch (error) {
    warnOnce(error)
  }
}

/**
 * The spans of a trace from both places they may be: the durable store (spans other
 * instances recorded or received, and this one's before a restart) and this process's
 * memory (running spans, spans not written yet). Memory wins for a span in both.
 *
 * @example
 * ```ts
 * mergeTraceSpans(await store.getTrace(traceId), traces.spans(traceId))
 * ```
 */
export function mergeTraceSpans(stored: ToolbarSpan[] | undefined, inMemory: ToolbarSpan[] | undefined): ToolbarSpan[] | undefined {
  if (!stored?.length) return inMemory
  if (!inMemory?.length) return stored
  const byId = new Map(stored.map((span) => [span.spanId, span]))
  for (const span of inMemory) byId.set(span.spanId, span)
  return [...byId.values()].sort(byStart)
}

/** Decimal nanosecond strings compared without BigInt: a longer string is a later time. */
function byStart(a: ToolbarSpan, b: ToolbarSpan): number {
  const x = a.startTimeUnixNano
  const y = b.startTimeUnixNano
  if (x.length !== y.length) return x.length - y.length
  return x < y ? -1 : x > y ? 1 : 0
}

function warnOnce(error: unknown): void {
  if (warned) return
  warned = true
  console.warn('[hono-debug-toolbar] the store could not save recorded spans:', error instanceof Error ? error.message : error)
}
