/**
 * Trace context on outgoing `fetch()`: inside a recorded request, each call gets a CLIENT
 * span and carries its trace context in every configured format (W3C, baggage, B3, Jaeger),
 * so a downstream service continues the request's trace. Outside a recorded request the wrapper calls straight through.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { Attributes, Context as OtelContext, Tracer } from '@opentelemetry/api'
import { isTracingSuppressed } from '@opentelemetry/core'
import { currentRecord, slotKey } from '../core/record.js'
import type { RequestRecord } from '../core/record.js'
import { describeHttpStatus, httpMethodAttributes, httpSpanName, redactUrl } from './http-conventions.js'
import { injectTraceContext } from './propagation.js'
import { OTEL_SLOT } from './request-span.js'
import { noteOutgoingContext } from './trace-context-stats.js'

const FETCH_SLOT = slotKey<FetchState>('opentelemetry.fetch')

let installed: { original: typeof fetch } | undefined

/**
 * Makes `fetch()` calls made while `record` is being handled create CLIENT spans with
 * `tracer` and carry the trace context. Installs the `globalThis.fetch` wrapper on first use.
 *
 * @example
 * ```ts
 * // in a panel's onRequest, after the SERVER span was started:
 * propagateFetch(record, tracer)
 * ```
 */
export function propagateFetch(record: RequestRecord, tracer: Tracer, knownMethods?: ReadonlySet<string>, inject: InjectInto = injectW3C): void {
  fetchPropagation(tracer, knownMethods, inject)(record)
}

/**
 * `propagateFetch` with its settings bound once: the returned function marks a request's
 * `fetch()` calls for tracing without allocating anything per request.
 *
 * @example
 * ```ts
 * const propagate = fetchPropagation(tracer)
 * // in a panel's onRequest:
 * propagate(record)
 * ```
 */
export function fetchPropagation(tracer: Tracer, knownMethods?: ReadonlySet<string>, inject: InjectInto = injectW3C): (record: RequestRecord) => void {
  const state: FetchState = { tracer, knownMethods, inject }
  const create = () => state
  return (record) => {
    installFetchWrapper()
    record.slot(FETCH_SLOT, create)
  }
}

interface FetchState {
  tracer: Tracer
  knownMethods: ReadonlySet<string> | undefined
  inject: InjectInto
}

/** Writes the trace context of `ctx` (its span, its baggage) into outgoing headers. */
export type InjectInto = (ctx: OtelContext, headers: Headers) => void

const injectW3C: InjectInto = (ctx, headers) => injectTraceContext(headers, trace.getSpanContext(ctx))

/** Installs the wrapper once; later calls do nothing. */
function installFetchWrapper(): void {
  if (installed || typeof globalThis.fetch !== 'function') return
  const original = globalThis.fetch
  installed = { original }
  const wrapped = function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const record = currentRecord()
    const state = record?.peek(FETCH_SLOT)
    // The SDK suppresses tracing while it exports: an exporter's own request is never traced.
    if (!record || !state || isTracingSuppressed(context.active())) return original(input, init)
    return tracedFetch(original, state, record, input, init)
  }
  globalThis.fetch = wrapped as typeof fetch
}

async function tracedFetch(
  original: typeof fetch,
  { tracer, knownMethods, inject }: FetchState,
  record: RequestRecord,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): Promise<Response> {
  const request = input instanceof Request ? input : undefined
  // fetch() upper-cases only the standard methods itself; any other stays as written.
  const method = normalizeMethod(init?.method ?? request?.method ?? 'GET')
  let url: URL | undefined
  try {
    url = new URL(request ? request.url : String(input))
  } catch {
    // A relative or invalid URL: let fetch itself report it.
    return original(input, init)
  }
  // The app's own active span (a child it started) is the parent; else the request's span.
  const active = context.active()
  const parent = trace.getSpan(active) ? active : (record.peek(OTEL_SLOT)?.context ?? active)
  const attributes = clientAttributes(method, url, knownMethods)
  const span = tracer.startSpan(httpSpanName(method, undefined, knownMethods), { kind: SpanKind.CLIENT, attributes }, parent)
  const headers = new Headers(init?.headers ?? request?.headers)
  const spanContext = trace.setSpan(parent, span)
  inject(spanContext, headers)
  noteOutgoingContext(record, method, String(attributes['url.full']), headers)
  try {
    const response = await context.with(spanContext, () => original(input, { ...init, headers }))
    describeHttpStatus(span, SpanKind.CLIENT, response.status)
    return response
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error))
    // "If the HTTP client instrumentation can detect that the request was cancelled
    // intentionally by the caller ... the span status SHOULD be left unset and error.type
    // SHOULD NOT be set." A timeout signal fails with a TimeoutError instead: an error.
    if (err.name === 'AbortError' && (init?.signal ?? request?.signal)?.aborted) {
      span.setAttribute('hono_debug_toolbar.cancelled', true)
      throw error
    }
    span.recordException(err)
    span.setAttribute('error.type', err.name || 'Error')
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.message })
    throw error
  } finally {
    span.end()
  }
}

function clientAttributes(method: string, url: URL, knownMethods: ReadonlySet<string> | undefined): Attributes {
  return {
    ...httpMethodAttributes(method, knownMethods),
    'url.full': redactUrl(url),
    'server.address': url.hostname,
    'server.port': url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
  }
}

// The Fetch standard normalizes DELETE, GET, HEAD, OPTIONS, POST and PUT case-insensitively
// and sends every other method byte for byte: the span reports what goes on the wire.
const FETCH_NORMALIZED = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'])

function normalizeMethod(method: string): string {
  const upper = method.toUpperCase()
  return FETCH_NORMALIZED.has(upper) ? upper : method
}
