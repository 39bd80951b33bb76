import type { PageRequest } from './follow-requests.js'
import { formatMs } from './format.js'
import { StatusBadge } from './status-badge.js'
import type { RequestDetail } from './types.js'

interface SidebarProps {
  detail: RequestDetail | undefined
  error: string | undefined
  /** The request the toolbar shows. */
  requestId: string
  /** The request the page itself was (empty in the full-page view). */
  pageRequestId: string
  followed: PageRequest[]
  panelId: string | undefined
  onPanel(id: string): void
  onRequest(id: string): void
  /** Hidden in the full-page view. */
  onHide: (() => void) | undefined
}

/** The list of panels (title and subtitle) and of the requests this page made. */
export function Sidebar(props: SidebarProps) {
  const { detail, error, requestId, panelId, onPanel, onHide } = props
  return (
    <aside class="hdt-sidebar" aria-label="Debug toolbar">
      <header class="hdt-sidebar-head">
        <span class="hdt-brand">
          <span class="hdt-handle-logo">DT</span> <span class="hdt-brand-name">Hono Debug Toolbar</span>
        </span>
        {onHide && (
          <button type="button" class="hdt-hide" aria-label="Hide toolbar" title="Hide toolbar (Esc)" onClick={onHide}>
            Hide »
          </button>
        )}
      </header>
      {!requestId && <p class="hdt-sidebar-note">No requests recorded yet. Make a request to the app, then reload this page.</p>}
      {detail && (
        <div class="hdt-current" data-hdt-current={detail.id}>
          <span class="hdt-current-line">
            <strong>{detail.method}</strong> <span class="hdt-current-path">{detail.path}</span>
          </span>
          <span class="hdt-current-line">
            <StatusBadge status={detail.status} /> {detail.inFlight ? <span class="hdt-badge hdt-badge-warn">in flight</span> : formatMs(detail.durationMs)}
          </span>
        </div>
      )}
      {error && <p class="hdt-sidebar-note hdt-sidebar-error">{error}</p>}
      {requestId && !detail && !error && <p class="hdt-sidebar-note">Loading…</p>}
      {detail && (
        <nav aria-label="Panels">
          <ul class="hdt-nav">
            {detail.nav.map((item) => (
              <li key={item.id}>
                <button
                  type="button"
                  class={`hdt-nav-item${item.id === panelId ? ' hdt-active' : ''}`}
                  aria-pressed={item.id === panelId}
                  data-hdt-panel={item.id}
                  data-hdt-focus={`nav:${item.id}`}
                  onClick={() => onPanel(item.id)}
                >
                  <span class="hdt-nav-title">{item.title}</span>
                  {item.subtitle && <span class="hdt-nav-subtitle">{item.subtitle}</span>}
                </button>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <PageRequestList {...props} />
    </aside>
  )
}

function PageRequestList({ followed, requestId, pageRequestId, onRequest }: SidebarProps) {
  // The full-page view is no page's (pageRequestId is empty) and follows nothing: no section.
  if (followed.length === 0 && (!pageRequestId || requestId === pageRequestId)) return null
  return (
    <section class="hdt-page-requests" aria-labelledby="hdt-page-requests-title">
      <h2 id="hdt-page-requests-title" class="hdt-section-title">
        Requests made by this page
      </h2>
      <ul>
        {followed.map((r) => (
          <li key={r.id}>
            <button type="button" class="hdt-page-request" aria-pressed={r.id === requestId} data-hdt-request={r.id} onClick={() => onRequest(r.id)}>
              <span class="hdt-page-request-name">
                {r.method} {r.path}
              </span>
              <span class="hdt-page-request-figures">
                <StatusBadge status={r.status} />
                {r.durationMs !== undefined && <span class="hdt-page-request-time">{formatMs(r.durationMs)}</span>}
              </span>
            </button>
          </li>
        ))}
        {pageRequestId && (
          <li>
            <button
              type="button"
              class="hdt-page-request"
              aria-pressed={pageRequestId === requestId}
              data-hdt-request={pageRequestId}
              onClick={() => onRequest(pageRequestId)}
            >
              <span class="hdt-page-request-name">This page</span>
            </button>
          </li>
        )}
      </ul>
    </section>
  )
}
