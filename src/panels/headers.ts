import { Panel } from '../core/panel.js'
import type { RequestRecord } from '../core/record.js'
import { headerEntriesText } from '../core/header-text.js'
import { redactEntries } from '../core/redact.js'


export interface HeadersStats {
  /**
   * [name, value] pairs; secret values are replaced by `********`. A value that arrived as
   * UTF-8 bytes is shown as its text (`José`, not `JosÃ©`), any other as it arrived.
   */
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

  // No hooks: the record keeps where both header lists can be read, and they are read here.
  /**
   * Both header lists, as `[name, value]` pairs with secret values redacted, values read as
   * UTF-8 text when their bytes are UTF-8 (`headerText`), before they are redacted.
   *
   * @example
   * ```ts
   * new HeadersPanel().generateStats(record)
   * // { request: [['host', 'localhost:3000'], ['authorization', '********']],
   * //   response: [['content-type', 'application/json']] }
   * ```
   */
  generateStats(record: RequestRecord): HeadersStats {
    return { request: redactEntries(headerEntriesText(record.requestHeaders())), response: redactEntries(headerEntriesText(record.responseHeaders())) }
  }

  /**
   * The line under "Headers" in the panel list.
   *
   * @example
   * ```ts
   * panel.navSubtitle({ request: [['host', 'localhost']], response: [] }) // '1 in, 0 out'
   * ```
   */
  navSubtitle(stats: HeadersStats): string {
    return `${stats.request.length} in, ${stats.response.length} out`
  }
}
