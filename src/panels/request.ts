import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { Panel } from '../core/panel.js'
import type { RequestRecord } from '../core/record.js'
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

interface RequestSlot {
  params: Record<string, string>
  query: Record<string, string[]>
  cookies: Record<string, string>
  requestBodyBytes: number | undefined
  requestContentType: string | undefined
  responseContentType?: string
}

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
    const length = c.req.header('content-length')
    const cookies = Object.fromEntries(Object.keys(getCookie(c)).map((name) => [name, REDACTED]))
    record.slot<RequestSlot>('request', () => ({
      params: {},
      query: c.req.queries(),
      cookies,
      requestBodyBytes: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
      requestContentType: c.req.header('content-type'),
    }))
  }

  onResponse(record: RequestRecord, c: Context): void {
    const slot = record.peek<RequestSlot>('request')
    if (!slot) return
    // Params are only known once the router matched the handler.
    slot.params = c.req.param() as Record<string, string>
    slot.responseContentType = c.res.headers.get('content-type') ?? undefined
  }

  generateStats(record: RequestRecord): RequestStats {
    const slot = record.peek<RequestSlot>('request')
    const error = record.error
    return {
      method: record.method,
      url: record.url,
      path: record.path,
      route: record.route,
      status: record.status,
      params: slot?.params ?? {},
      query: slot?.query ?? {},
      cookies: slot?.cookies ?? {},
      requestBodyBytes: slot?.requestBodyBytes,
      requestContentType: slot?.requestContentType,
      responseBytes: record.responseBytes,
      responseContentType: slot?.responseContentType,
      error: error === undefined ? undefined : error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    }
  }

  navSubtitle(stats: RequestStats): string {
    return `${stats.status ?? '…'} ${stats.route ?? stats.path}`
  }
}
