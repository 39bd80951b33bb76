/**
 * The SERVER span of a recorded request: started from the incoming trace context at the
 * request's real start, named after the route Hono matched, made the active span for the
 * handler (the panel's `around` hook runs it in `context.with`), renamed after the route
 * that answered once the handler returned, ended when the body has been sent.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { Attributes, Context as OtelContext, HrTime, Span, Tracer } from '@opentelemetry/api'
import { HTTPException } from 'hono/http-exception'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { cutError, cutText, MAX_ERROR_CHARS, thrownText } from '../core/cut-text.js'
import { headerText } from '../core/header-text.js'
import { redactSpanText } from '../core/redact-span.js'
import { slotKey, type RequestRecord } from '../core/record.js'
import { OPEN_SPAN_SLOT, type OpenSpanSource } from '../shapes/records.js'
import { DEFAULT_KNOWN_METHODS, describeHttpStatus, httpSpanName, redactQuery } from './http-conventions.js'
import { contextFromTraceHeaders, withRandomTraceId } from './propagation.js'

export { redactQuery } from './http-conventions.js'

/** What the panel keeps about the request's span, in the record's `opentelemetry` slot. */
export interface RequestSpanState extends OpenSpanSource {
  span: Span
  /** The context with `span` active: the parent of converted spans and of the app's spans. */
  context: OtelContext
  /** True when the span is the app's own instrumentation's (e.g. @hono/otel), not the panel's. */
  adopted: boolean
  traceId: string
  spanId: string
  /** Methods kept in `http.request.method`; the others become `_OTHER`. */
  knownMethods?: ReadonlySet<string>
  /** The route the span was started with (its name and `http.route`): renamed only when another answered. */
  startRoute?: string
  /** Set by `describeResponse`: a handler that threw something other than an Error never reached it. */
  described?: boolean
  /** The status code and error the span was described with, so that later ones are told apart. */
  describedStatus?: number
  describedError?: unknown
}

/** The record's slot with the request's span state (the recorders read it as `OPEN_SPAN_SLOT`). */
export const OTEL_SLOT = slotKey<RequestSpanState>(OPEN_SPAN_SLOT.name)

/**
 * Epoch milliseconds (fractional) as an OpenTelemetry HrTime, keeping sub-millisecond precision.
 *
 * @example
 * ```ts
 * hrTimeFromEpochMs(1700000000123.456) // [1700000000, 123456000]
 * ```
 */
export function hrTimeFromEpochMs(ms: number): HrTime {
  let seconds = Math.floor(ms / 1000)
  // A double holds epoch milliseconds to about a microsecond: finer digits are noise.
  let nanos = Math.round((ms - seconds * 1000) * 1e3) * 1e3
  if (nanos >= 1e9) {
    seconds += 1
    nanos -= 1e9
  }
  return [seconds, nanos]
}

/**
 * The HrTime `durationMs` after `start`, to the nanosecond: a converted span then lasts
 * exactly what its panel measured (each end read from epoch milliseconds would be rounded
 * to the microsecond, and the span 1 µs longer or shorter than the panel's figure).
 *
 * @example
 * ```ts
 * hrTimeAfter([1700000000, 999_900_000], 0.2345678) // [1700000001, 134568]
 * ```
 */
export function hrTimeAfter(start: HrTime, durationMs: number): HrTime {
  const nanos = start[1] + Math.round(durationMs * 1e6)
  return nanos >= 1e9 ? [start[0] + Math.floor(nanos / 1e9), nanos % 1e9] : [start[0], nanos]
}

// Read from the record: on Node that is the raw header list, with no Headers built for it.
function extractW3C(record: RequestRecord, parent: OtelContext): OtelContext {
  return contextFromTraceHeaders({ traceparent: record.requestHeader('traceparent'), tracestate: record.requestHeader('tracestate') }, parent)
}

/**
 * Starts (or adopts) the request's SERVER span and makes it the active span for the rest of
 * the request. Call it from a panel's `onRequest`.
 *
 * @example
 * ```ts
 * const state = startRequestSpan(tracer, record)
 * record.traceId // state.traceId
 * ```
 */
export function startRequestSpan(
  tracer: Tracer,
  record: RequestRecord,
  knownMethods?: ReadonlySet<string>,
  extract: (record: RequestRecord, parent: OtelContext) => OtelContext = extractW3C,
): RequestSpanState {
  const active = context.active()
  const existing = trace.getSpan(active)
  // The app's own instrumentation, registered before the toolbar, already has a SERVER span:
  // one request, one SERVER span. Its spans and ours then share its trace.
  if (existing && existing.isRecording() && (existing as unknown as { kind?: SpanKind }).kind === SpanKind.SERVER) {
    const { traceId, spanId } = existing.spanContext()
    return new SpanState(existing, active, true, traceId, spanId, undefined, undefined)
  }
  const parent = extract(record, active)
  const isRoot = trace.getSpanContext(parent) === undefined
  const span = tracer.startSpan(
    httpSpanName(record.method, record.route, knownMethods),
    { kind: SpanKind.SERVER, startTime: hrTimeFromEpochMs(record.startedAt), attributes: requestAttributes(record, knownMethods) },
    parent,
  )
  const { traceId, spanId } = span.spanContext()
  let ctx = trace.setSpan(parent, span)
  // The SDK's ids are random: a new trace may carry the Level 2 random flag downstream.
  if (isRoot) ctx = withRandomTraceId(ctx, traceId)
  return new SpanState(span, ctx, false, traceId, spanId, knownMethods, record.route)
}

/**
 * A request's span state. A class, not an object literal: V8 allocates a literal's objects
 * straight into the old generation once it has seen them survive (this one lives as long as
 * the record), and an old object keeps the young span and context it points to alive
 * through every young-generation collection until the next full one.
 */
class SpanState implements RequestSpanState {
  constructor(
    public span: Span,
    public context: OtelContext,
    public adopted: boolean,
    public traceId: string,
    public spanId: string,
    public knownMethods: ReadonlySet<string> | undefined,
    /** The route the span was started with (its name and `http.route`). */
    public startRoute: string | undefined,
  ) {}

  /**
   * The id of the span the app has open here, when it records, is of this request's trace
   * and is not the request's own span: a query, log line or render made now nests under it.
   */
  openSpanId(): string | undefined {
    const active = trace.getActiveSpan()
    if (active === undefined || active === this.span) return undefined
    const { traceId, spanId } = active.spanContext()
    return traceId === this.traceId && spanId !== this.spanId && active.isRecording() ? spanId : undefined
  }

  described = false
  describedStatus: number | undefined = undefined
  describedError: unknown = undefined
}

/**
 * Names the span after the app's route that answered (`record.route`, which the toolbar
 * found when the handler returned: a middleware may have answered before the route the span
 * was first named after) and records the response (the panel's own span only). Without a
 * matched route there is no `http.route` and the name is the method.
 */
export function describeResponse(state: RequestSpanState, record: RequestRecord): void {
  state.described = true
  if (state.adopted) return
  const { span } = state
  const { route } = record
  if (route !== state.startRoute) {
    span.updateName(httpSpanName(record.method, route, state.knownMethods))
    if (route) span.setAttribute('http.route', route)
    else unsetRoute(span)
  }
  if (record.status !== undefined) describeHttpStatus(span, SpanKind.SERVER, record.status)
  state.describedStatus = record.status
  state.describedError = record.error
  describeError(span, record.error, record)
}

/**
 * Takes `http.route` off a span started with the route ahead when no route answered after
 * all (a middleware or the not-found handler did): the conventions want no `http.route`
 * then, and the span's name already says `GET`. The API cannot unset an attribute; the
 * SDK's span keeps them in its `attributes` (what processors and exporters read, the
 * `ReadableSpan` interface), which the key is deleted from. Another implementation keeps it.
 */
function unsetRoute(span: Span): void {
  const { attributes } = span as Partial<ReadableSpan>
  if (attributes && Object.hasOwn(attributes, 'http.route')) delete (attributes as Record<string, unknown>)['http.route']
}

/**
 * Describes what changed after the response was described, as the span ends: the status
 * sent when a middleware registered before the toolbar answered another response (or threw,
 * and onError answered), and the error of a body stream that failed while it was sent.
 */
export function describeLateResponse(state: RequestSpanState, record: RequestRecord): void {
  if (state.adopted) return
  if (record.status !== undefined && record.status !== state.describedStatus) {
    state.describedStatus = record.status
    describeHttpStatus(state.span, SpanKind.SERVER, record.status)
  }
  if (record.error === undefined || record.error === state.describedError) return
  state.describedError = record.error
  describeError(state.span, record.error, record)
}

function describeError(span: Span, error: unknown, record: RequestRecord): void {
  // HTTPException is how a Hono app answers 401 or 404 from anywhere in its code: below 500
  // the status code describes the span ("For HTTP status codes in the 4xx range span status
  // MUST be left unset in case of SpanKind.SERVER"), with no exception to report.
  if (error instanceof HTTPException && error.status < 500) return
  if (error instanceof Error) {
    // A megabyte message (a failed render of data) is cut as the Request panel cuts it;
    // a Node error's `code` still names its type.
    const cut = cutError(error, redactSpanText)
    span.recordException({ ...cut, code: (error as { code?: string | number }).code }, requestNow(record))
    span.setStatus({ code: SpanStatusCode.ERROR, message: cut.message })
    span.setAttribute('error.type', cut.name || 'Error')
  } else if (error !== undefined) {
    // A thrown string or object has no type or stack of its own: the exception is its
    // message alone, and `error.type` stays the status code.
    const message = redactSpanText(cutText(thrownText(error), MAX_ERROR_CHARS))
    span.recordException(message, requestNow(record))
    span.setStatus({ code: SpanStatusCode.ERROR, message })
  }
}

/**
 * Now on the request's clock, the one its span starts and ends by (`performance.now()` from
 * the request's start), and never past the request's end. Without a time the SDK stamps an
 * event of a span started at a given time with Date.now(): whole milliseconds, on a wall
 * clock that can be set back or forward, so the exception of a fast request landed before
 * its span's start or after its end.
 */
function requestNow(record: RequestRecord): HrTime {
  const at = record.now()
  const end = record.durationMs
  return hrTimeFromEpochMs(record.startedAt + (end !== undefined && end < at ? end : at))
}

/**
 * Ends the panel's own span at the moment the body was sent, or at `notBefore` when a child
 * span of this process ended later than that: the SDK times its spans from the start of
 * their millisecond, so one ending as the response goes out can outlast the request by up
 * to 1 ms, and a child must not outlast its parent.
 */
export function endRequestSpan(state: RequestSpanState, record: RequestRecord, notBefore?: HrTime): void {
  if (state.adopted) return
  if (record.aborted) state.span.setAttribute('hono_debug_toolbar.aborted', true)
  if (record.responseReplaced) state.span.setAttribute('hono_debug_toolbar.response_replaced', true)
  const end = hrTimeFromEpochMs(record.startedAt + (record.durationMs ?? record.now()))
  state.span.end(notBefore && laterThan(notBefore, end) ? notBefore : end)
}

/**
 * Whether HrTime `a` is after `b`.
 *
 * @example
 * ```ts
 * laterThan([1700000000, 5], [1700000000, 4]) // true
 * ```
 */
export function laterThan(a: HrTime, b: HrTime): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])
}

function requestAttributes(record: RequestRecord, knownMethods: ReadonlySet<string> | undefined): Attributes {
  const { url } = record
  const known = (knownMethods ?? DEFAULT_KNOWN_METHODS).has(record.method)
  // One literal with every key the common request has, so each request's object has the
  // same shape from the start; the optional ones are added after.
  const attributes: Attributes = {
    'http.request.method': known ? record.method : '_OTHER',
    'url.path': record.path,
    'url.scheme': url.startsWith('http:') ? 'http' : url.startsWith('https:') ? 'https' : url.slice(0, url.indexOf(':')).toLowerCase(),
  }
  // The route Hono matched: a running request's span already says which route it is.
  if (record.route) attributes['http.route'] = record.route
  if (!known) attributes['http.request.method_original'] = record.method
  // The URL is only parsed when it has a query: most requests need no URL object.
  if (url.indexOf('?') !== -1) {
    const query = redactQuery(new URL(url).searchParams)
    if (query) attributes['url.query'] = query
  }
  const agent = record.requestHeader('user-agent')
  // Node hands the header's bytes over as Latin-1: UTF-8 ones (`café`) would read `cafÃ©` in
  // Jaeger. An ASCII value (almost every one) costs one scan that finds no byte over 0x7F.
  if (agent) attributes['user_agent.original'] = headerText(agent)
  return attributes
}
