/**
 * The OpenTelemetry panel's Context section: the trace context a request received (the raw
 * `traceparent` and `tracestate`, whether the spec lets them be used and why not), what
 * the toolbar did with it (continued the caller's trace, started a new root, or adopted
 * the app's own SERVER span), the sampling decision as the SDK made it, and the context
 * each outgoing `fetch()` carried. The headers are read from the record and checked when
 * the panel's stats are asked for, never on the request's path.
 */
import { slotKey, type RequestRecord } from '../core/record.js'
import { checkTraceparent, checkTracestate } from './propagation.js'
import type { RequestSpanState } from './request-span.js'
import { isSecretName, redactBaggage, REDACTED } from '../core/redact.js'
import { MAX_OUTGOING_CALLS } from '../shapes/trace-context-limits.js'

/**
 * One header as the request had it: `{ received: false }` when it had none (absent is not
 * invalid: there is nothing to judge), else its value (cut to `MAX_SHOWN` characters),
 * valid or why not.
 */
export type ReceivedHeader = { received: false } | PresentHeader

/** A header the request had. */
export interface PresentHeader {
  received: true
  value: string
  /** True when `value` was cut for display (the check ran on the whole value). */
  truncated?: boolean
  valid: boolean
  /** The rule the value breaks, when it is not valid. */
  reason?: string
}

/** The trace context sent with one outgoing `fetch()`. */
export interface OutgoingContext {
  method: string
  /** The URL as exported in `url.full` (secret query values redacted). */
  url: string
  /** Absent when `tracecontext` is not among the propagators. */
  traceparent?: string
  tracestate?: string
  /** The other propagators' headers sent (baggage, B3, Jaeger), when there were any. */
  others?: Record<string, string>
}

// Headers of the propagators besides tracecontext (see propagators.ts); Jaeger's baggage
// headers (uberctx-*) are matched by prefix.
const OTHER_FIELDS = ['baggage', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags', 'uber-trace-id']

/** `OpenTelemetryStats.context`: what the request received and sent, and what was decided. */
export interface TraceContextStats {
  traceparent: ReceivedHeader
  /** Only read when the traceparent is valid, as the spec requires; `entries`: its list members when valid, else 0. */
  tracestate: { received: false } | (PresentHeader & { entries: number })
  /**
   * `continued`: the request's span is a child of the received parent-id; `new root`: no
   * usable traceparent, a new trace began; `adopted`: the app's own instrumentation made
   * the SERVER span and decided.
   */
  origin: 'continued' | 'new root' | 'adopted'
  /** The caller's span (`parent-id`) when the trace was continued. */
  parentSpanId?: string
  /** The sampled flag the caller sent, when its traceparent was valid. */
  incomingSampled?: boolean
  /** The sampled flag of the request's SERVER span: the decision the SDK made. */
  sampled: boolean
  /** Whether the SERVER span records (and so whether the waterfall can have spans). */
  recording: boolean
  /** The sampler's own description, e.g. `ParentBased{root=AlwaysOnSampler, ...}`. */
  sampler: string
  /** When nothing is recorded: why the waterfall is empty and how to change the sampler. */
  samplingNote?: string
  /** The context each traced `fetch()` sent, first `MAX_OUTGOING_CALLS`. */
  outgoing: OutgoingContext[]
  /** Outgoing calls over `MAX_OUTGOING_CALLS`, counted only. */
  outgoingDropped: number
}

const OUTGOING_SLOT = slotKey<OutgoingLog>('opentelemetry.context.outgoing')
/** Characters of a received header shown in the panel. */
export const MAX_SHOWN = 1024

const RECORD_ALL_SAMPLER = 'new ParentBasedSampler({ root: new AlwaysOnSampler(), remoteParentNotSampled: new AlwaysOnSampler() })'

interface OutgoingLog {
  calls: OutgoingContext[]
  dropped: number
}

/**
 * Notes the context an outgoing call carried (at most `MAX_OUTGOING_CALLS` per request; the
 * rest are counted).
 *
 * @example
 * ```ts
 * injectTraceContext(headers, span.spanContext())
 * noteOutgoingContext(record, 'GET', 'http://127.0.0.1:3001/api', headers)
 * ```
 */
export function noteOutgoingContext(record: RequestRecord, method: string, url: string, headers: Headers): void {
  const traceparent = headers.get('traceparent')
  let others: Record<string, string> | undefined
  headers.forEach((value, name) => {
    if (OTHER_FIELDS.includes(name) || name.startsWith('uberctx-')) (others ??= {})[name] = redactBaggageHeader(name, value)
  })
  if (!traceparent && !others) return
  const log = record.slot(OUTGOING_SLOT, () => ({ calls: [], dropped: 0 }))
  if (log.calls.length >= MAX_OUTGOING_CALLS) {
    log.dropped++
    return
  }
  const sent: OutgoingContext = { method, url }
  if (traceparent) sent.traceparent = traceparent
  const tracestate = headers.get('tracestate')
  if (tracestate) sent.tracestate = tracestate
  if (others) sent.others = others
  log.calls.push(sent)
}

/**
 * The Context section's data for a request, computed from what was kept.
 *
 * @example
 * ```ts
 * const context = traceContextStats(record, state, sampler.toString())
 * context.origin // 'continued'
 * ```
 *
 * `appProvider`: the spans come from the app's own tracer provider, whose sampler the
 * panel's `sampler` option does not set (the note then says where to change it).
 */
export function traceContextStats(
  record: RequestRecord,
  state: RequestSpanState & { recording?: boolean },
  sampler: string,
  appProvider = false,
): TraceContextStats {
  const incoming = { traceparent: record.requestHeader('traceparent'), tracestate: record.requestHeader('tracestate') }
  const parent = checkTraceparent(incoming.traceparent)
  const traceparent = received(incoming.traceparent, parent.valid, parent.valid ? undefined : parent.reason)
  let tracestate: TraceContextStats['tracestate'] = NOT_RECEIVED
  if (incoming.tracestate !== undefined && !parent.valid) {
    tracestate = { ...present(incoming.tracestate, false, 'not read: the traceparent is not valid'), entries: 0 }
  } else if (incoming.tracestate !== undefined) {
    const list = checkTracestate(incoming.tracestate)
    tracestate = { ...present(incoming.tracestate, list.valid, list.valid ? undefined : list.reason), entries: list.valid ? list.entries.length : 0 }
  }
  const spanContext = state.span.spanContext()
  // The SDK's span knows its remote parent whichever propagator extracted it (B3, Jaeger...);
  // a span that does not record has no parent to ask, but then shares the caller's trace id.
  const remoteParent = (state.span as { parentSpanContext?: { spanId: string; isRemote?: boolean } }).parentSpanContext
  const fromTraceparent = parent.valid && parent.traceparent.traceId === state.traceId
  const continued = fromTraceparent || remoteParent?.isRemote === true
  const stats: TraceContextStats = {
    traceparent,
    tracestate,
    origin: state.adopted ? 'adopted' : continued ? 'continued' : 'new root',
    sampled: (spanContext.traceFlags & 0x01) === 0x01,
    recording: state.recording ?? state.span.isRecording(),
    sampler,
    outgoing: [],
    outgoingDropped: 0,
  }
  if (parent.valid) stats.incomingSampled = parent.traceparent.sampled
  if (remoteParent?.isRemote) stats.parentSpanId = remoteParent.spanId
  else if (fromTraceparent && parent.valid) stats.parentSpanId = parent.traceparent.spanId
  if (!stats.recording) stats.samplingNote = samplingNote(stats, appProvider)
  const outgoing = record.peek(OUTGOING_SLOT)
  if (outgoing) {
    stats.outgoing = outgoing.calls.map((call) => ({ ...call }))
    stats.outgoingDropped = outgoing.dropped
  }
  return stats
}

// Baggage is the caller's data: shown with the values of secret-looking keys redacted, as
// the received baggage is (the header itself went out unchanged).
function redactBaggageHeader(name: string, value: string): string {
  if (name.startsWith('uberctx-')) return isSecretName(name.slice('uberctx-'.length)) ? REDACTED : value
  return name === 'baggage' ? redactBaggage(value) : value
}

const NOT_RECEIVED: { received: false } = Object.freeze({ received: false })

function received(value: string | undefined, valid: boolean, reason: string | undefined): ReceivedHeader {
  return value === undefined ? NOT_RECEIVED : present(value, valid, reason)
}

function present(value: string, valid: boolean, reason: string | undefined): PresentHeader {
  const header: PresentHeader = { received: true, value: value.length > MAX_SHOWN ? value.slice(0, MAX_SHOWN) : value, valid }
  if (value.length > MAX_SHOWN) header.truncated = true
  if (!valid && reason) header.reason = reason
  return header
}

function samplingNote(stats: TraceContextStats, appProvider: boolean): string {
  const change = appProvider
    ? `give your tracer provider a sampler that records them, e.g. ${RECORD_ALL_SAMPLER}`
    : `pass a sampler to the panel: new OpenTelemetryPanel({ sampler: ${RECORD_ALL_SAMPLER} })`
  if (stats.origin === 'adopted') {
    return "The app's own instrumentation made this request's SERVER span, and its sampler chose not to record it: no span of this trace was recorded. Change the sampler of the app's tracer provider to record it."
  }
  if (stats.origin === 'continued' && stats.incomingSampled === false) {
    return `The caller sent a traceparent whose sampled flag is 0, and the sampler ${stats.sampler} follows the caller's decision: no span of this request was recorded or exported, so the waterfall is empty. To record such requests anyway, ${change}.`
  }
  return `The sampler ${stats.sampler} chose not to record this trace: no span of this request was recorded or exported, so the waterfall is empty. To record every request, ${change}.`
}
