/**
 * The SERVER span of a recorded request: started from the incoming trace context at the
 * request's real start, made the active span for the rest of the request, named after the
 * route once it is known, ended when the body has been sent.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { Attributes, Context as OtelContext, ContextManager, HrTime, Span, Tracer } from '@opentelemetry/api'
import type { Context } from 'hono'
import { socketAddress } from '../core/access.js'
import type { RequestRecord } from '../core/record.js'
import { isSecretName, REDACTED } from '../core/redact.js'
import { contextFromTraceHeaders, withRandomTraceId } from './propagation.js'

/** What the panel keeps about the request's span, in the record's `opentelemetry` slot. */
export interface RequestSpanState {
  span: Span
  /** The context with `span` active: the parent of converted spans and of the app's spans. */
  context: OtelContext
  /** True when the span is the app's own instrumentation's (e.g. @hono/otel), not the panel's. */
  adopted: boolean
  traceId: string
  spanId: string
}

export const OTEL_SLOT = 'opentelemetry'

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
 * Starts (or adopts) the request's SERVER span and makes it the active span for the rest of
 * the request. Call it from a panel's `onRequest`.
 *
 * @example
 * ```ts
 * const state = startRequestSpan(tracer, record, c)
 * record.traceId // state.traceId
 * ```
 */
export function startRequestSpan(
  tracer: Tracer,
  record: RequestRecord,
  c: Context,
  extract: (headers: Headers, parent: OtelContext) => OtelContext = contextFromTraceHeaders,
): RequestSpanState {
  const active = context.active()
  const existing = trace.getSpan(active)
  // The app's own instrumentation, registered before the toolbar, already has a SERVER span:
  // one request, one SERVER span. Its spans and ours then share its trace.
  if (existing && existing.isRecording() && (existing as unknown as { kind?: SpanKind }).kind === SpanKind.SERVER) {
    const { traceId, spanId } = existing.spanContext()
    return { span: existing, context: active, adopted: true, traceId, spanId }
  }
  const parent = extract(c.req.raw.headers, active)
  const isRoot = trace.getSpanContext(parent) === undefined
  const span = tracer.startSpan(
    record.method,
    { kind: SpanKind.SERVER, startTime: hrTimeFromEpochMs(record.startedAt), attributes: requestAttributes(record, c) },
    parent,
  )
  const { traceId, spanId } = span.spanContext()
  let ctx = trace.setSpan(parent, span)
  // The SDK's ids are random: a new trace may carry the Level 2 random flag downstream.
  if (isRoot) ctx = withRandomTraceId(ctx, traceId)
  return { span, context: ctx, adopted: false, traceId, spanId }
}

/**
 * Makes `ctx` the active context for the rest of the current async execution.
 *
 * The toolbar calls `await next()` between the panels' hooks, so the handler cannot be
 * wrapped in `context.with()`. Instead the context is entered into the context manager's
 * AsyncLocalStorage. That is safe because the toolbar runs the hooks after an `await` of
 * its own: the current async resource is the request's own promise continuation, created
 * for this request; everything the handler starts from here inherits it, while the server
 * code that called the middleware kept the context it had (its continuations were created
 * earlier). Answers false when the global context manager cannot do this.
 *
 * @example
 * ```ts
 * enterContext(trace.setSpan(context.active(), span))
 * ```
 */
export function enterContext(ctx: OtelContext): boolean {
  const manager = (context as unknown as { _getContextManager?(): ContextManager })._getContextManager?.()
  const capable = manager as (ContextManager & { attach?(c: OtelContext): unknown; _asyncLocalStorage?: { enterWith(c: OtelContext): void } }) | undefined
  if (typeof capable?.attach === 'function') {
    capable.attach(ctx)
    return true
  }
  if (typeof capable?._asyncLocalStorage?.enterWith === 'function') {
    capable._asyncLocalStorage.enterWith(ctx)
    return true
  }
  return false
}

/** Names the span after the route and records the response (the panel's own span only). */
export function describeResponse(state: RequestSpanState, record: RequestRecord): void {
  if (state.adopted) return
  const { span } = state
  if (record.route) {
    span.updateName(`${record.method} ${record.route}`)
    span.setAttribute('http.route', record.route)
  }
  if (record.status !== undefined) {
    span.setAttribute('http.response.status_code', record.status)
    // 4xx is the client's fault: the server span stays UNSET, as the HTTP conventions say.
    if (record.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${record.status}` })
  }
  if (record.error !== undefined) {
    const error = record.error instanceof Error ? record.error : new Error(String(record.error))
    span.recordException(error)
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message })
    span.setAttribute('error.type', error.name || 'Error')
  }
}

/** Ends the panel's own span at the moment the body was sent. */
export function endRequestSpan(state: RequestSpanState, record: RequestRecord): void {
  if (state.adopted) return
  if (record.aborted) state.span.setAttribute('hono_debug_toolbar.aborted', true)
  state.span.end(hrTimeFromEpochMs(record.startedAt + (record.durationMs ?? record.now())))
}

function requestAttributes(record: RequestRecord, c: Context): Attributes {
  const url = new URL(record.url)
  const attributes: Attributes = {
    'http.request.method': record.method,
    'url.path': url.pathname,
    'url.scheme': url.protocol.replace(/:$/, ''),
    'server.address': url.hostname,
  }
  const query = redactQuery(url.searchParams)
  if (query) attributes['url.query'] = query
  attributes['server.port'] = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80
  const client = socketAddress(c, false)
  if (client) attributes['client.address'] = client
  const agent = c.req.header('user-agent')
  if (agent) attributes['user_agent.original'] = agent
  const version = (c.env as { incoming?: { httpVersion?: string } } | undefined)?.incoming?.httpVersion
  if (version) attributes['network.protocol.version'] = version
  return attributes
}

/**
 * A query string with the values of secret-looking parameters replaced by `********`.
 *
 * @example
 * ```ts
 * redactQuery(new URLSearchParams('q=shoes&api_key=abc')) // 'q=shoes&api_key=********'
 * ```
 */
export function redactQuery(params: URLSearchParams): string {
  const parts: string[] = []
  for (const [name, value] of params) {
    parts.push(`${encodeURIComponent(name)}=${isSecretName(name) ? REDACTED : encodeURIComponent(value)}`)
  }
  return parts.join('&')
}
