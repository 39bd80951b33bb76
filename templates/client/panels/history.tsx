import { useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { HistoryStats } from '../../../src/panels/history.js'
import { parseStatusList } from '../../../src/core/status-filter.js'
import { escapeClears } from '../escape-clears.js'
import { Clock } from '../clock.js'
import { formatMs, plural } from '../format.js'
import { LiveBadge } from '../live-badge.js'
import { useLiveUpdates } from '../live-events.js'
import { StatusBadge } from '../status-badge.js'
import { useJsonPage } from '../use-json-page.js'
import { StoreStatusLine } from './store-status.js'
import type { PanelProps, RequestSummary } from '../types.js'
import { TraceList } from './trace-list.js'

const LIMIT = 50

interface Filters {
  method: string
  status: string
  path: string
}

/**
 * The History panel: the recent requests, loaded live from the API (so requests made after
 * this one are there too), filtered by method, status and path; any row can be opened.
 */
export function HistoryView({ stats, request, prefix, openRequest }: PanelProps<HistoryStats>) {
  const [filters, setFiltersOnly] = useState<Filters>({ method: '', status: '', path: '' })
  // The first request listed: a database store keeps more requests than one page shows.
  const [offset, setOffset] = useState(0)
  // Another filter lists other requests: it starts again at the newest.
  const setFilters = (update: (f: Filters) => Filters) => (setFiltersOnly(update), setOffset(0))
  const [reload, setReload] = useState(0)
  // New requests appear without a reload: each finished one reloads the list (debounced).
  const live = useLiveUpdates(prefix, (m) => m.type === 'request.finished', () => setReload((n) => n + 1))

  const query = new URLSearchParams({ limit: String(LIMIT), offset: String(offset) })
  const status = typedStatus(filters.status)
  for (const [key, value] of Object.entries({ ...filters, status })) if (value.trim()) query.set(key, value.trim())
  // The server refuses a malformed status list with a 400; the same check here names it without a failing request.
  const statusList = parseStatusList(status)
  const { page, error } = useJsonPage<HistoryPage>(`${prefix}/api/requests?${query}`, reload, typeof statusList === 'string' ? statusList : undefined)

  // A page turned with Older or Newer is shown from its top: the pane stayed scrolled down
  // where the buttons under the last page were, past a short page's rows.
  const root = useRef<HTMLDivElement>(null)
  const turned = useRef(false)
  const turnPage = (to: number) => ((turned.current = true), setOffset(to))
  useLayoutEffect(() => {
    if (!turned.current || !page || !root.current) return
    turned.current = false
    revealTop(root.current)
  }, [page])

  const field = (name: keyof Filters) => (event: Event) => setFilters((f) => ({ ...f, [name]: (event.target as HTMLInputElement).value }))

  return (
    <div class="hdt-history" ref={root}>
      <form class="hdt-toolbar-row" onSubmit={(event) => (event.preventDefault(), setReload((n) => n + 1))}>
        <label>
          Method{' '}
          <select value={filters.method} onChange={field('method')}>
            {['', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => (
              <option key={m} value={m}>
                {m || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status{' '}
          <input
            type="search"
            size={10}
            placeholder="404, 5xx"
            title="Status codes (404) and classes (5xx), separated by commas or spaces"
            value={filters.status}
            onInput={field('status')}
            onKeyDown={escapeClears(() => setFilters((f) => ({ ...f, status: '' })))}
          />
        </label>
        <label>
          Path <input type="search" placeholder="contains…" value={filters.path} onInput={field('path')} onKeyDown={escapeClears(() => setFilters((f) => ({ ...f, path: '' })))} />
        </label>
        <button type="submit">Refresh</button>
        <LiveBadge status={live} />
        <span class="hdt-muted hdt-history-count">{historyCount(page, error, stats.dropped, offset)}</span>
      </form>
      <StoreStatusLine prefix={prefix} reload={reload} />
      <HistoryRows page={page} error={error} request={request} openRequest={openRequest} />
      {!error && page && page.total > LIMIT && (
        <nav class="hdt-toolbar-row" aria-label="History pages">
          <button type="button" disabled={offset === 0} onClick={() => turnPage(Math.max(0, offset - LIMIT))}>
            Newer
          </button>
          <button type="button" disabled={offset + LIMIT >= page.total} onClick={() => turnPage(offset + LIMIT)}>
            Older
          </button>
        </nav>
      )}
      {/* The trace API comes with the OpenTelemetry panel. */}
      {request.panels.opentelemetry !== undefined && <TraceList prefix={prefix} openRequest={openRequest} responseMs={responseTimes(page)} />}
    </div>
  )
}

/** Scrolls the nearest scrolling box around `element` back up to `element`'s top, when that is above the view. */
function revealTop(element: HTMLElement): void {
  for (let box = element.parentElement; box; box = box.parentElement) {
    if (box.scrollHeight <= box.clientHeight || !/auto|scroll/.test(getComputedStyle(box).overflowY)) continue
    const above = box.getBoundingClientRect().top - element.getBoundingClientRect().top
    if (above > 0) box.scrollTop -= above
    return
  }
}

/** The response time of each listed request, for the trace list to tell a trace that goes on after it. */
function responseTimes(page: HistoryPage | undefined): ReadonlyMap<string, number | undefined> | undefined {
  return page && new Map(page.requests.map((r) => [r.id, r.durationMs]))
}

/**
 * The Status field without the item still being typed at its end (`404, 5` is `404,`), so
 * that typing `5xx` does not flash "got 5" at the user; an item that cannot become a code or
 * a class (`6`, `4x4`) is sent and refused.
 */
export function typedStatus(text: string): string {
  return text.replace(/(^|[\s,])[1-5][\dx]?$/i, '$1')
}

/** What `GET {prefix}/api/requests` answers; `dropped` counts the requests the history pushed out over its bounds. */
export interface HistoryPage {
  requests: RequestSummary[]
  total: number
  dropped?: number
}

/**
 * "12 of 50 shown · 30 older requests dropped from the history", or "51–60 of 60 shown" on a
 * later page (`offset`, the first request listed). The list's own count of dropped requests
 * is live; the request's snapshot is what was known when it was recorded. Nothing while the
 * list is in error: the last page answered another filter.
 */
export function historyCount(page: HistoryPage | undefined, error: string | undefined, snapshotDropped: number | undefined, offset = 0): string {
  if (error || !page) return ''
  const dropped = page.dropped ?? snapshotDropped
  const shown = offset > 0 && page.requests.length > 0 ? `${offset + 1}–${offset + page.requests.length}` : String(page.requests.length)
  return `${shown} of ${page.total} shown${dropped ? ` · ${plural(dropped, 'older request', 'older requests')} dropped from the history` : ''}`
}

interface HistoryRowsProps {
  page: HistoryPage | undefined
  error: string | undefined
  request: PanelProps<HistoryStats>['request']
  openRequest(id: string): void
}

/** The list, or why there is none: while the filter is refused, the rows of the last one are not shown. */
export function HistoryRows({ page, error, request, openRequest }: HistoryRowsProps) {
  if (error) return <p class="hdt-error-note">{error}</p>
  if (!page) return null
  if (page.requests.length === 0) return <p class="hdt-muted">No request matches.</p>
  // Shared stores record which instance (host:pid) served each request.
  const instances = new Set(page.requests.map((r) => r.instance).filter(Boolean)).size
  return (
    <table class="hdt-table">
      <thead>
        <tr>
          <th>Time</th>
          <th class="hdt-narrow-hide">Method</th>
          <th>Path</th>
          <th class="hdt-history-route">Route</th>
          <th>Status</th>
          <th class="hdt-num">Duration</th>
          {instances > 0 && <th>Instance</th>}
          <th />
        </tr>
      </thead>
      <tbody>
        {page.requests.map((r) => {
          const shown = r.id === request.id
          return (
            <tr key={r.id} class={shown ? 'hdt-matched' : undefined} data-hdt-history={r.id}>
              <td class="hdt-muted">
                <Clock iso={r.startedAt} />
                {/* A phone-wide window stacks the method under the time: its own column would leave the path no room. */}
                <code class="hdt-narrow-only">{r.method}</code>
              </td>
              <td class="hdt-narrow-hide">
                <code>{r.method}</code>
              </td>
              <td class="hdt-break hdt-history-path">
                <code>{r.path}</code>
              </td>
              <td class="hdt-history-route">{r.route ? <code title={r.route}>{r.route}</code> : <span class="hdt-muted">—</span>}</td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td class="hdt-num">{formatMs(r.durationMs)}</td>
              {instances > 0 && <td class="hdt-muted">{r.instance ? <code>{r.instance}</code> : '—'}</td>}
              <td>
                <button type="button" class="hdt-switch" disabled={shown} onClick={() => openRequest(r.id)} aria-label={`Show ${r.method} ${r.path}`}>
                  {shown ? 'shown' : 'Show'}
                </button>
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
