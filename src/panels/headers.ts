import type { Context } from 'hono'
import { Panel } from '../core/panel.js'
import type { RequestRecord } from '../core/record.js'
import { redactEntries } from '../core/redact.js'

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
    record.slot<HeadersStats>('headers', () => ({ request: redactEntries(c.req.raw.headers.entries()), response: [] }))
  }

  onResponse(record: RequestRecord, c: Context): void {
    const stats = record.peek<HeadersStats>('headers')
    if (stats) stats.response = redactEntries(c.res.headers.entries())
  }

  generateStats(record: RequestRecord): HeadersStats {
    return record.peek<HeadersStats>('headers') ?? { request: [], response: [] }
  }

  navSubtitle(stats: HeadersStats): string {
    return `${stats.request.length} in, ${stats.response.length} out`
  }
}
