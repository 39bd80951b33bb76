import type { RequestStats } from '../../../src/panels/request.js'
import { formatBytes } from '../format.js'
import { StatusBadge } from '../status-badge.js'
import type { PanelProps } from '../types.js'
import { ResponseBodySize } from './response-body-size.js'
import { KeyValueTable } from './key-value-table.js'

/** The Request panel: what was asked and answered, params, query, cookies and the error. */
export function RequestView({ stats }: PanelProps<RequestStats>) {
  const query = Object.entries(stats.query).flatMap(([name, values]) => values.map((value): [string, string] => [name, value]))
  return (
    <div class="hdt-request">
      {stats.error && (
        <div class="hdt-error-block">
          <span class="hdt-badge hdt-badge-error">error</span>
          <pre class="hdt-code">{stats.error}</pre>
        </div>
      )}
      <table class="hdt-table hdt-facts">
        <tbody>
          <tr>
            <th scope="row">Method</th>
            <td>
              <code>{stats.method}</code>
            </td>
          </tr>
          <tr>
            <th scope="row">URL</th>
            <td class="hdt-break">
              <code>{stats.url}</code>
            </td>
          </tr>
          <tr>
            <th scope="row">Route</th>
            <td data-hdt-figure="route">{stats.route ? <code>{stats.route}</code> : <span class="hdt-muted">no route matched</span>}</td>
          </tr>
          <tr>
            <th scope="row">Status</th>
            <td data-hdt-figure="status">
              <StatusBadge status={stats.status} />
            </td>
          </tr>
          <tr>
            <th scope="row">Request body</th>
            <td>
              {stats.requestBodyBytes !== undefined ? formatBytes(stats.requestBodyBytes) : <span class="hdt-muted">{bodyWithoutLength(stats.requestBodyChunked)}</span>}
              {stats.requestContentType && <span class="hdt-muted"> · {stats.requestContentType}</span>}
            </td>
          </tr>
          <tr>
            <th scope="row">Response body</th>
            <td>
              <ResponseBodySize bytes={stats.responseBytes} loaderTagBytes={stats.loaderTagBytes} />
              {stats.responseContentType && <span class="hdt-muted"> · {stats.responseContentType}</span>}
            </td>
          </tr>
        </tbody>
      </table>
      <h2 class="hdt-section-title">Route parameters</h2>
      <KeyValueTable label="Route parameters" rows={Object.entries(stats.params)} empty="No route parameters." />
      <h2 class="hdt-section-title">Query</h2>
      <KeyValueTable label="Query" rows={query} empty="No query string." />
      <h2 class="hdt-section-title">Cookies</h2>
      <KeyValueTable label="Cookies" rows={Object.entries(stats.cookies)} empty="No cookies." />
    </div>
  )
}

/** What the Request panel says of a body without `Content-Length`: none, or sent chunked (a record of an older release cannot tell). */
function bodyWithoutLength(chunked: boolean | undefined): string {
  if (chunked === undefined) return 'none or chunked'
  return chunked ? 'sent chunked, length not known' : 'none'
}
