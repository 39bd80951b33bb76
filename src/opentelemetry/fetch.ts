/**
 * Trace context on outgoing `fetch()`: inside a recorded request, each call gets a CLIENT
 * span and carries its trace context in every configured format (W3C, baggage, B3, Jaeger),
 * so a downstream service continues the request's trace. Outside a recorded request the wrapper calls straight through.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { Attributes, Context as OtelContext, Tracer } from '@opentelemetry/api'
import { isTracingSuppressed } from '@opentelemetry/core'
import { currentRecord } from '../core/record.js'
import type { RequestRecord } from '../core/record.js'
import { injectTraceContext } from './propagation.js'
import { OTEL_SLOT, redactQuery } from './request-span.js'
import type { RequestSpanState } from './request-span.js'

const FETCH_SLOT = 'opentelemetry.fetch'

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
export function propagateFetch(record: RequestRecord, tracer: Tracer, inject: InjectInto = injectW3C): void {
  installFetchWrapper()
  record.slot(FETCH_SLOT, () => ({ tracer, inject }))
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
    const slot = record?.peek<FetchSlot>(FETCH_SLOT)
    // The SDK suppresses tracing while it exports: an exporter's own request is never traced.
    if (!record || !slot || isTracingSuppressed(context.active())) return original(input, init)
    return tracedFetch(original, slot, record, input, init)
  }
  globalThis.fetch = wrapped as typeof fetch
}

interface FetchSlot {
  tracer: Tracer
  inject: InjectInto
}

async function tracedFetch(
  original: typeof fetch,
  { tracer, inject }: FetchSlot,
  record: RequestRecord,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): Promise<Response> {
  const request = input instanceof Request ? input : undefined
  const method = (init?.method ?? request?.method ?? 'GET').toUpperCase()
  let url: URL | undefined
  try {
    url = new URL(request ? request.url : String(input))
  } catch {
    // A relative or invalid URL: let fetch itself report it.
    return original(input, init)
  }
  // The app's own active span (a child it started) is the parent; else the request's span.
  const active = context.active()
  const parent = trace.getSpan(active) ? active : (record.peek<RequestSpanState>(OTEL_SLOT)?.context ?? active)
  const span = tracer.startSpan(method, { kind: SpanKind.CLIENT, attributes: clientAttributes(method, url) }, parent)
  const headers = new Headers(init?.headers ?? request?.headers)
  const spanContext = trace.setSpan(parent, span)
  inject(spanContext, headers)
  try {
    const response = await context.with(spanContext, () => original(input, { ...init, headers }))
    span.setAttribute('http.response.status_code', response.status)
    if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${response.status}` })
    return response
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error))
    span.recordException(err)
    span.setAttribute('error.type', err.name || 'Error')
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.message })
    throw error
  } finally {
    span.end()
  }
}

function clientAttributes(method: string, url: URL): Attributes {
  const query = redactQuery(url.searchParams)
  const full = `${url.protocol}//${url.host}${url.pathname}${query ? `?${query}` : ''}`
  return {
    'http.request.method': method,
    'url.full': full,
    'server.address': url.hostname,
    'server.port': url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
  }
}
