/**
 * The parts of the HTTP semantic conventions (http-spans.md) that SERVER and CLIENT spans
 * share: known methods and `_OTHER`, the span name, the span status from the response
 * status code, and `url.query` / `url.full` redaction.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import type { Attributes, Span } from '@opentelemetry/api'
import { redactQueryParameter } from '../core/redact.js'

/**
 * "known" methods: the ones listed in RFC 9110, PATCH (RFC 5789) and QUERY
 * (httpbis-safe-method-w-body), matched case-sensitively.
 */
export const DEFAULT_KNOWN_HTTP_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']

/** The placeholder the conventions use for redacted URL parts. */
export const URL_REDACTED = 'REDACTED'

/**
 * The known methods: `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS` (a comma-separated,
 * case-sensitive list that replaces the default one) when set, else the default list.
 *
 * @example
 * ```ts
 * knownHttpMethods('GET,POST,PURGE').has('PURGE') // true
 * knownHttpMethods(undefined).has('PATCH') // true
 * ```
 */
export function knownHttpMethods(fromEnv: string | undefined): ReadonlySet<string> {
  if (fromEnv === undefined) return new Set(DEFAULT_KNOWN_HTTP_METHODS)
  return new Set(fromEnv.split(',').map((m) => m.trim()).filter(Boolean))
}

/** The default list as a set: what a span is checked against when no list is configured. */
export const DEFAULT_KNOWN_METHODS = knownHttpMethods(undefined)
const DEFAULT_KNOWN = DEFAULT_KNOWN_METHODS

/**
 * `http.request.method` (and `http.request.method_original` when it differs) of a method:
 * "If the HTTP request method is not known to instrumentation, it MUST set the
 * `http.request.method` attribute to `_OTHER`".
 *
 * @example
 * ```ts
 * httpMethodAttributes('PURGE') // { 'http.request.method': '_OTHER', 'http.request.method_original': 'PURGE' }
 * ```
 */
export function httpMethodAttributes(method: string, known: ReadonlySet<string> = DEFAULT_KNOWN): Attributes {
  if (known.has(method)) return { 'http.request.method': method }
  return { 'http.request.method': '_OTHER', 'http.request.method_original': method }
}

/**
 * The span name: `{method} {target}`, or `{method}` without a target, where `{method}` is
 * `HTTP` for a method that is not known ("when `{http.request.method}` is set to `_OTHER`,
 * `{method}` MUST be `HTTP`").
 *
 * @example
 * ```ts
 * httpSpanName('GET', '/users/:id') // 'GET /users/:id'
 * httpSpanName('PURGE', undefined) // 'HTTP'
 * ```
 */
export function httpSpanName(method: string, target: string | undefined, known: ReadonlySet<string> = DEFAULT_KNOWN): string {
  const name = known.has(method) ? method : 'HTTP'
  return target ? `${name} ${target}` : name
}

/**
 * Sets `http.response.status_code` and, for an error status, status ERROR without a
 * description ("Don't set the span status description if the reason can be inferred from
 * `http.response.status_code`") and `error.type` = the code as a string. 5xx is an error
 * for both kinds; 4xx only for CLIENT spans ("span status MUST be left unset in case of
 * `SpanKind.SERVER` and SHOULD be set to `Error` in case of `SpanKind.CLIENT`").
 *
 * @example
 * ```ts
 * describeHttpStatus(span, SpanKind.CLIENT, 404) // ERROR, error.type '404'
 * ```
 */
export function describeHttpStatus(span: Span, kind: SpanKind.SERVER | SpanKind.CLIENT, status: number): void {
  span.setAttribute('http.response.status_code', status)
  const failed = status >= 500 || status < 100 || (status >= 400 && kind === SpanKind.CLIENT)
  if (!failed) return
  span.setStatus({ code: SpanStatusCode.ERROR })
  span.setAttribute('error.type', String(status))
}

/**
 * A query string with the values of sensitive parameters replaced by `REDACTED`, the
 * keys kept ("When a query string value is redacted, the query string key SHOULD still be
 * preserved"); under any other name, a token its shape gives away (`?next=eyJ...`,
 * `?x=ghp_...`) is redacted, and a URL given as a value (`?next=https://api/cb?token=...`)
 * has its own credentials and sensitive parameters redacted, and so has a URL in its values
 * (`NESTED_URL_LEVELS` deep): core's `redactQueryParameter`, which the Request panel uses too.
 *
 * @example
 * ```ts
 * redactQuery(new URLSearchParams('q=shoes&sig=abc&api_key=1')) // 'q=shoes&sig=REDACTED&api_key=REDACTED'
 * redactQuery(new URLSearchParams('next=%2Fcb%3Ftoken%3Dabc'))  // 'next=%2Fcb%3Ftoken%3DREDACTED'
 * ```
 */
export function redactQuery(params: URLSearchParams): string {
  const parts: string[] = []
  for (const [name, value] of params) {
    parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(redactQueryParameter(name, value, URL_REDACTED))}`)
  }
  return parts.join('&')
}

/**
 * `url.full` of a request: credentials become `REDACTED:REDACTED` ("username and password
 * SHOULD be redacted"), the query as `redactQuery` makes it, no fragment.
 *
 * @example
 * ```ts
 * redactUrl(new URL('https://u:p@s3.example.com/a?X-Amz-Signature=1')) // 'https://REDACTED:REDACTED@s3.example.com/a?X-Amz-Signature=REDACTED'
 * ```
 */
export function redactUrl(url: URL): string {
  const query = redactQuery(url.searchParams)
  const credentials = url.username || url.password ? `${URL_REDACTED}:${URL_REDACTED}@` : ''
  return `${url.protocol}//${credentials}${url.host}${url.pathname}${query ? `?${query}` : ''}`
}
