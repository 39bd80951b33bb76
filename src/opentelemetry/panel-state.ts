/** What the OpenTelemetry panel keeps of one request: the request span's state with the panel's own fields. */
import type { SlotKey } from '../core/record.js'
import type { ConvertCounts } from './converter.js'
import type { LateWork } from './late-work.js'
import { traceparentFor } from './propagation.js'
import { OTEL_SLOT, type RequestSpanState } from './request-span.js'
import type { WebSocketTracing } from './websocket.js'

/** What the panel keeps of one request, in the request span slot. */
export interface PanelState extends RequestSpanState {
  /** Whether the SERVER span records, asked when it starts (an ended span no longer does). */
  recording?: boolean
  /** Lent to `tracedWebSocket`, which finds it through the record. */
  websocket?: WebSocketTracing
  counts?: ConvertCounts
  /** The id the request's next render takes, when it finished: the renders before it were converted with the rest. */
  rendersFrom?: number
  /** What work the request left running wrote inside a render still running (see `LateWork`). */
  waiting?: LateWork['waiting']
  /** For a late render waited for, the app's span open where it started (see `LateWork`). */
  startedIn?: LateWork['startedIn']
  /** Renders converted with the request while still running (see `LateWork`). */
  unfinished?: LateWork['unfinished']
  /** Set while a timer waits for the trace to stop taking spans, to convert what `waiting` holds then. */
  closeTimer?: boolean
  /** The SERVER span's traceparent, once asked for. */
  traceparent?: string
}

/** The panel's view of the request span slot: the shared state with the panel's own fields. */
export const PANEL_SLOT: SlotKey<PanelState> = OTEL_SLOT

/**
 * The SERVER span's `traceparent`, `00-<trace>-<span>-<flags>`, formatted on the first ask.
 *
 * @example
 * ```ts
 * traceparentOf(record.peek(PANEL_SLOT)!) // '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
 * ```
 */
export function traceparentOf(state: PanelState): string {
  // Formatted once: Server-Timing asks for it on every request, the stats when shown. The
  // flags are what the app's outgoing requests carry (sampled, and random when the id is).
  return (state.traceparent ??= traceparentFor(state.span.spanContext(), state.context) ?? '')
}
