import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { getQueryParams } from 'hono/utils/url'
import { errorLine } from '../core/cut-text.js'
import { headerText } from '../core/header-text.js'
import { loaderTagBytesSent } from '../core/loader.js'
import { Panel } from '../core/panel.js'
import { slotKey, type RequestRecord } from '../core/record.js'
import { redactQueryParameter, redactQueryParameters, REDACTED } from '../core/redact.js'
import { redactText } from '../core/redact-text.js'
import { setOwn } from '../core/span-model.js'

export interface RequestStats {
  method: string
  url: string
  path: string
  /** The matched route pattern, e.g. `/users/:id`. */
  route: string | undefined
  status: number | undefined
  params: Record<string, string>
  query: Record<string, string[]>
  /**
   * The names of the cookies the request carried, as written (UTF-8 read as text); values
   * are never shown.
   */
  cookies: Record<string, string>
  /** From Content-Length; undefined for a body sent without one (chunked). */
  requestBodyBytes: number | undefined
  /**
   * Whether a body came without a length (`Transfer-Encoding`, chunked): without it and
   * without `Content-Length` the request had no body. Absent from records of older releases.
   */
  requestBodyChunked?: boolean
  requestContentType: string | undefined
  responseBytes: number
  /** Bytes the toolbar's loader tag added on top of `responseBytes` (Content-Length counts them), when known. */
  loaderTagBytes?: number
  responseContentType: string | undefined
  /**
   * What the handler threw, or the body's failure, as one line (`HTTPException: 404 Not Found`),
   * with the secrets written in its message redacted (`password=********`, a JWT).
   */
  error: string | undefined
  /**
   * The status of the Hono `HTTPException` that `error` is, when it is one. Below 500 it is
   * how the app answered (a 404 from anywhere in its code), not a failure: the SERVER span
   * leaves it UNSET and MCP does not count it as an error.
   */
  httpExceptionStatus?: number
}

/**
 * Whether what the handler threw is how the app answered rather than a failure: a Hono
 * `HTTPException` below 500 (a 401, a 404), which the SERVER span leaves UNSET too.
 *
 * @example
 * ```ts
 * thrownIsAnswer({ httpExceptionStatus: 404 }) // true: `throw new HTTPException(404)`
 * thrownIsAnswer({ httpExceptionStatus: 503 }) // false
 * ```
 */
export function thrownIsAnswer(stats: Pick<RequestStats, 'httpExceptionStatus'> | undefined): boolean {
  return stats?.httpExceptionStatus !== undefined && stats.httpExceptionStatus < 500
}

/**
 * The request as Hono matched it: its params are read when the panel is shown (the route
 * index no longer moves once the handler answered). The rest comes from the record.
 */
const MATCHED_PARAMS = slotKey<Record<string, string>>('request.params')
/** A route with a named parameter (`/users/:id`): only those have params to show. */
const ROUTE_PARAM = /\/:/

/**
 * What was asked and answered: method, URL, matched route, params, query, cookies
 * (names only: values are redacted), body sizes, and the error a handler threw.
 *
 * @example
 * ```ts
 * app.use(debugToolbar({ panels: [new RequestPanel()] }))
 * ```
 */
export class RequestPanel extends Panel<RequestStats> {
  readonly id = 'request'
  readonly title = 'Request'

  /**
   * Keeps the matched route's params, read once the handler has answered.
   *
   * @example
   * ```ts
   * app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }))
   * // the toolbar, after the handler: GET /users/42 keeps { id: '42' } for the panel
   * panel.onResponse(record, c)
   * ```
   */
  onResponse(record: RequestRecord, c: Context): void {
    // The params are read now rather than keeping `c.req`: a record that holds the request
    // holds the whole Node request and response, and keeps them from being collected young.
    if (record.route && ROUTE_PARAM.test(record.route)) record.slot(MATCHED_PARAMS, () => c.req.param() as Record<string, string>)
  }

  /**
   * What was asked and answered, with the URL's credentials and cookie values redacted.
   *
   * @example
   * ```ts
   * const stats = new RequestPanel().generateStats(record)
   * stats.route // '/users/:id'
   * stats.params // { id: '42' }
   * stats.cookies // { session: '********' }
   * ```
   */
  generateStats(record: RequestRecord): RequestStats {
    const error = record.error
    const length = record.requestHeader('content-length')
    const cookie = record.requestHeader('cookie')
    return {
      method: record.method,
      url: redactedUrl(record.url),
      path: record.path,
      route: record.route,
      status: record.status,
      params: record.peek(MATCHED_PARAMS) ?? {},
      query: queriesOf(record.url),
      cookies: cookie ? Object.fromEntries(cookieNames(headerText(cookie)).map((name) => [name, REDACTED])) : {},
      requestBodyBytes: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
      requestBodyChunked: record.requestHeader('transfer-encoding') !== undefined,
      requestContentType: record.requestHeader('content-type'),
      responseBytes: record.responseBytes,
      loaderTagBytes: loaderTagBytesSent(record),
      responseContentType: record.responseHeader('content-type'),
      // Redacted as the error page and the Logging panel show it; only a request that failed pays.
      error: error === undefined ? undefined : errorLine(error, redactText),
      ...(error instanceof HTTPException && { httpExceptionStatus: error.status }),
    }
  }

  /**
   * The line under "Request" in the panel list: status and route.
   *
   * @example
   * ```ts
   * panel.navSubtitle(panel.generateStats(record)) // '200 /users/:id'
   * ```
   */
  navSubtitle(stats: RequestStats): string {
    return `${stats.status ?? '…'} ${stats.route ?? stats.path}`
  }
}

/**
 * The names of a `Cookie` header's cookies, each once, in order: every `name=value` pair,
 * also one whose name or value a strict parser refuses (`préférence=sombre`), since the
 * panel shows what the request carried.
 */
function cookieNames(header: string): string[] {
  const names = new Set<string>()
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=')
    // Only spaces and tabs around a name are dropped, as Hono drops them: `trim()` also took a
    // no-break or ideographic space, and showed `a\u3000=1` as a cookie `a`.
    const name = eq < 0 ? '' : pair.slice(0, eq).replace(/^[ \t]+|[ \t]+$/g, '')
    if (name) names.add(name)
  }
  return [...names]
}

/**
 * Every query parameter with all its values, as `c.req.queries()` answers; secret-named ones
 * (`api_key`, `X-Amz-Signature`) redacted, and the secrets of a URL given as a value (`next`).
 * Parsed by Hono's own `getQueryParams` (what `c.req.queries()` calls), not `URLSearchParams`:
 * that one showed a parameter with an empty name (`?=x`) that Hono skips, and a malformed
 * escape (`?a=%E0%A4`) as `\uFFFD` where the app reads `%E0%A4`.
 */
function queriesOf(url: string): Record<string, string[]> {
  const query: Record<string, string[]> = {}
  for (const [name, values] of Object.entries(getQueryParams(url) as Record<string, string[]>)) {
    // Own keys only: `?constructor=1` or `?__proto__=1` would otherwise read Object.prototype's.
    setOwn(query, name, values.map((value) => redactQueryParameter(name, value)))
  }
  return query
}

/**
 * The URL as the client sent it, but with its user info and the values of secret-named
 * query parameters redacted (also in a URL given as a value); everything else keeps its
 * exact spelling.
 */
function redactedUrl(raw: string): string {
  const url = new URL(raw)
  const parsed = url.href
  if (url.username || url.password) {
    url.username = REDACTED
    url.password = ''
  }
  if (url.search.length > 1) {
    url.search = redactQueryParameters(url.search.slice(1))
  }
  return url.href === parsed ? raw : url.href
}

