/**
 * Work written into a finished record (a request's, or a WebSocket handler's) becomes spans
 * as it is written, while the trace takes spans; what waits for a late render still running
 * (`LateWork.waiting`) is converted when the trace stops taking spans. The OpenTelemetry
 * panel runs this for a request, a traced WebSocket for the work a handler left running, so
 * both follow one rule. Only a record with waiting work (or a late render started) gets a timer.
 */
import type { Context as OtelContext } from '@opentelemetry/api'
import type { RequestRecord, SlotKey } from '../core/record.js'
import type { PanelDataConverter } from './converter.js'
import type { LateWork } from './late-work.js'
import type { TraceStore } from './trace-store.js'

/**
 * While a WebSocket holds a trace, work waiting for a render looks again a late window later
 * (then it is converted right when the trace stops taking spans), but not more often than this (ms).
 */
const HELD_TRACE_LOOK_MS = 100

/** What converting late work needs: made once per panel, shared by its requests and WebSockets. */
export interface LateConversion {
  traces: TraceStore
  converter: PanelDataConverter
  /** While a WebSocket holds the trace (the moment it stops is not known yet), when to look again (ms). */
  lookMs: number
  /** The records whose timer waits for their trace to stop taking spans: converted at once if the process stops first. */
  pending: Map<ClosingWork, PendingClose>
}

/** Where a record's waiting work goes when it is converted. */
interface PendingClose {
  traceId: string
  record: RequestRecord
  parent: OtelContext
}

/** A record's late work, with the mark of the timer waiting for its trace to stop taking spans. */
export interface ClosingWork extends LateWork {
  closeTimer?: boolean
}

/**
 * The parts of late conversion for a panel whose late window is `gracePeriodMs`.
 *
 * @example
 * ```ts
 * const late = lateConversion(toolbarSpanProcessor().traces, converter, 30_000)
 * // later, for each item written into a finished request:
 * convertLateWrite(late, traceId, record, serverContext, SLOTS.logging, line, work)
 * ```
 */
export function lateConversion(traces: TraceStore, converter: PanelDataConverter, gracePeriodMs: number): LateConversion {
  return { traces, converter, lookMs: Math.max(gracePeriodMs, HELD_TRACE_LOOK_MS), pending: new Map() }
}

/**
 * Converts one item written into a finished record under `parent` (`convertLate`) while the
 * trace `traceId` takes spans; an item that waits for a late render still running sets the
 * timer that converts it when the trace stops taking spans (`convertWaiting`). Written after
 * the trace stopped, before that timer came, it converts what waits at once, as it stood then.
 * A render that just `started` (`record.wroteStart`) is noted as waited for instead
 * (`awaitLateRender`), with that timer: if it still runs then, it is converted as still
 * running, though nothing was written inside it (a render that never ends included); its end
 * before then converts it once, as any late render.
 *
 * @example
 * ```ts
 * // after the response: a line logged inside a render the handler left running
 * convertLateWrite(late, state.traceId, record, state.context, SLOTS.logging, line, work)
 * work.waiting // the line waits for its render; converted when the render ends, or at the close
 * // a render started after the response: converted at the close if it has not ended by then
 * convertLateWrite(late, state.traceId, record, state.context, SLOTS.templates, render, work, true)
 * ```
 */
export function convertLateWrite(
  late: LateConversion,
  traceId: string,
  record: RequestRecord,
  parent: OtelContext,
  slot: SlotKey<unknown>,
  item: unknown,
  work: ClosingWork,
  started = false,
): void {
  if (!late.traces.accepts(traceId)) {
    if (work.waiting) convertAtClose(late, traceId, record, parent, work)
    return
  }
  if (started) late.converter.awaitLateRender(slot, item, work, parent)
  else late.converter.convertLate(record, parent, slot, item, work)
  if (work.waiting && !work.closeTimer) convertAtClose(late, traceId, record, parent, work)
}

/**
 * What waits for renders still running (`work.waiting`) is converted when the trace stops
 * taking spans, those renders as still running then: until then a timer waits for that
 * moment (while a WebSocket holds the trace the moment is not known, so it looks again
 * `lookMs` later). The record is then marked written, so that its stats are taken again.
 */
function convertAtClose(late: LateConversion, traceId: string, record: RequestRecord, parent: OtelContext, work: ClosingWork): void {
  const closesAt = late.traces.closesAt(traceId)
  if (!work.waiting || closesAt === undefined) {
    // The trace left the store: nothing of it is kept any more.
    work.waiting = undefined
    work.startedIn = undefined
    late.pending.delete(work)
    return
  }
  const wait = closesAt === Infinity ? late.lookMs : closesAt - performance.now()
  if (wait > 0) {
    work.closeTimer = true
    if (!late.pending.has(work)) late.pending.set(work, { traceId, record, parent })
    setTimeout(closeLater, Math.ceil(wait), late, traceId, record, parent, work).unref()
    return
  }
  late.pending.delete(work)
  convertWaitingAt(late, traceId, record, parent, work, closesAt)
}

/**
 * The process stops (SIGINT, SIGTERM) while work waits for renders still running: it is
 * converted now, those renders as still running at this moment, so that a durable store
 * gets it before it closes rather than never.
 *
 * @example
 * ```ts
 * // the OpenTelemetry panel's beforeStoreClose(true), before the store closes:
 * convertPendingNow(late) // a receipt still rendering: its span, with the lines logged in it
 * ```
 */
export function convertPendingNow(late: LateConversion): void {
  const now = performance.now()
  for (const [work, { traceId, record, parent }] of late.pending) convertWaitingAt(late, traceId, record, parent, work, now)
  late.pending.clear()
}

/** Converts what waits for renders, those renders as still running at `moment` (a `performance.now()` reading). */
function convertWaitingAt(late: LateConversion, traceId: string, record: RequestRecord, parent: OtelContext, work: ClosingWork, moment: number): void {
  const endMs = record.offsetOf(moment)
  // Its spans reach a durable store with the trace's other late spans.
  if (late.traces.closing(traceId, () => late.converter.convertWaiting(record, parent, work, endMs)) === 0) return
  // No recorder wrote this time, but the counts changed: the record's stats (and a durable
  // store's copy of them) are taken again.
  record.wrote()
}

// The timer of convertAtClose, with the record as arguments: no closure per record.
function closeLater(late: LateConversion, traceId: string, record: RequestRecord, parent: OtelContext, work: ClosingWork): void {
  work.closeTimer = false
  convertAtClose(late, traceId, record, parent, work)
}
