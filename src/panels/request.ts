import type { Context, HonoRequest } from 'hono'
import { parse as parseCookies } from 'hono/utils/cookie'
import { Panel } from '../core/panel.js'
import { slotKey, type RequestRecord } from '../core/record.js'
import { REDACTED } from '../core/redact.js'

export interface RequestStats {
  method: string
  url: string
  path: string
  /** The matched route pattern, e.g. `/users/:id`. */
  route: string | undefined
  status: number | undefined
  params: Record<string, string>
  query: Record<string, string[]>
  /** Cookie names; values are never shown. */
  cookies: Record<string, string>
  /** From Content-Length; undefined for a body sent without one (chunked). */
  requestBodyBytes: number | undefined
  requestContentType: string | undefined
  responseBytes: number
  responseContentType: string | undefined
  error: string | undefined
}

/** What the panel keeps: the request itself, the matched params and the response; read when shown. */
interface RequestSlot {
  req: HonoRequest
  params: Record<string, string>
  res?: Response
}

const REQUEST = slotKey<RequestSlot>('request')

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

  onRequest(record: RequestRecord, c: Context): void {
    record.slot(REQUEST, () => ({ req: c.req, params: {} }))
  }

  onResponse(record: RequestRecord, c: Context): void {
    const slot = record.peek(REQUEST)
    if (!slot) return
    // Params are only known once the router matched the handler.
    slot.params = c.req.param() as Record<string, string>
    slot.res = c.res
  }

  generateStats(record: RequestRecord): RequestStats {
    const slot = record.peek(REQUEST)
    const error = record.error
    const length = slot?.req.header('content-length')
    const cookie = slot?.req.header('cookie')
    return {
      method: record.method,
      url: record.url,
      path: record.path,
      route: record.route,
      status: record.status,
      params: slot?.params ?? {},
      query: slot?.req.queries() ?? {},
      cookies: cookie ? Object.fromEntries(Object.keys(parseCookies(cookie)).map((name) => [name, REDACTED])) : {},
      requestBodyBytes: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
      requestContentType: slot?.req.header('content-type'),
      responseBytes: record.responseBytes,
      responseContentType: slot?.res?.headers.get('content-type') ?? undefined,
      error: error === undefined ? undefined : error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    }
  }

  navSubtitle(stats: RequestStats): string {
    return `${stats.status ?? '…'} ${stats.route ?? stats.path}`
  }
}
