/**
 * The SERVER span of a recorded request: started from the incoming trace context at the
 * request's real start, made the active span for the handler (the panel's `around` hook
 * runs it in `context.with`), named after the route once it is known, ended when the body
 * has been sent.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { Attributes, Context as OtelContext, HrTime, Span, Tracer } from '@opentelemetry/api'
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
export function startRequestSpan(tracer: Tracer, record: RequestRecord, c: Context): RequestSpanState {
  const active = context.active()
  const existing = trace.getSpan(active)
  // The app's own instrumentation, registered before the toolbar, already has a SERVER span:
  // one request, one SERVER span. Its spans and ours then share its trace.
  if (existing && existing.isRecording() && (existing as unknown as { kind?: SpanKind }).kind === SpanKind.SERVER) {
    const { traceId, spanId } = existing.spanContext()
    return { span: existing, context: active, adopted: true, traceId, spanId }
  }
  // Read from the record: on Node that is the raw header list, with no Headers built for it.
  const parent = contextFromTraceHeaders({ traceparent: record.requestHeader('traceparent'), tracestate: record.requestHeader('tracestate') }, active)
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
  // The URL is only parsed in full when it has a query: most requests need no URL object.
  const parts = urlParts(record.url)
  const attributes: Attributes = {
    'http.request.method': record.method,
    'url.path': record.path,
    'url.scheme': parts.scheme,
    'server.address': parts.hostname,
  }
  if (parts.hasQuery) {
    const query = redactQuery(new URL(record.url).searchParams)
    if (query) attributes['url.query'] = query
  }
  attributes['server.port'] = parts.port ?? (parts.scheme === 'https' ? 443 : 80)
  const client = socketAddress(c, false)
  if (client) attributes['client.address'] = client
  const agent = record.requestHeader('user-agent')
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

/** Scheme, host name and port of an absolute URL (as Hono hands it over), without a URL object. */
function urlParts(url: string): { scheme: string; hostname: string; port: number | undefined; hasQuery: boolean } {
  const schemeEnd = url.indexOf('://')
  const hostStart = schemeEnd + 3
  let hostEnd = url.indexOf('/', hostStart)
  if (hostEnd === -1) hostEnd = url.length
  const host = url.slice(hostStart, hostEnd)
  // An IPv6 literal keeps its brackets in the host: the port follows the closing one.
  const colon = host.lastIndexOf(':')
  const hasPort = colon !== -1 && colon > host.lastIndexOf(']')
  return {
    scheme: url.slice(0, schemeEnd).toLowerCase(),
    hostname: (hasPort ? host.slice(0, colon) : host).toLowerCase(),
    port: hasPort ? Number(host.slice(colon + 1)) : undefined,
    hasQuery: url.indexOf('?', hostEnd) !== -1,
  }
}
