import type { Context } from 'hono'
import { Panel } from '../core/panel.js'
import { slotKey, type RequestRecord } from '../core/record.js'
import { redactEntries } from '../core/redact.js'

/** The request and the response themselves: their headers are read when the panel is shown. */
const MESSAGES = slotKey<{ request: Request; response?: Response }>('headers')

export interface HeadersStats {
  /** [name, value] pairs; secret values are replaced by `********`. */
  request: Array<[string, string]>
  response: Array<[string, string]>
}

/**
 * Request and response headers, with secrets (Authorization, Cookie, tokens...) redacted.
 *
 * @example
 * ```ts
 * app.use(debugToolbar({ panels: [new HeadersPanel()] }))
 * ```
 */
export class HeadersPanel extends Panel<HeadersStats> {
  readonly id = 'headers'
  readonly title = 'Headers'

  onRequest(record: RequestRecord, c: Context): void {
    record.slot(MESSAGES, () => ({ request: c.req.raw }))
  }

  onResponse(record: RequestRecord, c: Context): void {
    const messages = record.peek(MESSAGES)
    if (messages) messages.response = c.res
  }

  generateStats(record: RequestRecord): HeadersStats {
    const messages = record.peek(MESSAGES)
    return {
      request: messages ? redactEntries(messages.request.headers.entries()) : [],
      response: messages?.response ? redactEntries(messages.response.headers.entries()) : [],
    }
  }

  navSubtitle(stats: HeadersStats): string {
    return `${stats.request.length} in, ${stats.response.length} out`
  }
}
