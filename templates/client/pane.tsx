import { PanelContent } from './panel-content.js'
import type { OpenPanel, PanelTarget, RequestDetail } from './types.js'

interface PaneProps {
  prefix: string
  panelId: string
  detail: RequestDetail | undefined
  /** Hidden in the full-page view, where a panel is always shown. */
  onClose: (() => void) | undefined
  /** The full-page view's way to the panel list, which the panel covers in a phone-wide window. */
  onShowPanels?: (() => void) | undefined
  openRequest(id: string): void
  openPanel?: OpenPanel | undefined
  /** Where another panel opened this one (the waterfall's N+1 badge: the SQL panel at its queries). */
  target?: PanelTarget | undefined
}

/** The large area that shows one panel's content, loaded when the panel is opened. */
export function Pane({ prefix, panelId, detail, onClose, onShowPanels, openRequest, openPanel, target }: PaneProps) {
  const nav = detail?.nav.find((n) => n.id === panelId)
  return (
    <section class="hdt-pane" aria-labelledby="hdt-pane-title" data-hdt-pane={panelId}>
      <header class="hdt-pane-head">
        {onShowPanels && (
          <button type="button" class="hdt-show-panels" title="Show the list of panels" onClick={onShowPanels}>
            ‹ Panels
          </button>
        )}
        <h1 id="hdt-pane-title" class="hdt-pane-title" tabIndex={-1} data-hdt-focus="pane">
          {nav?.title ?? panelId}
        </h1>
        {nav?.subtitle && <span class="hdt-pane-subtitle">{nav.subtitle}</span>}
        {detail?.inFlight && <span class="hdt-badge hdt-badge-warn">in flight</span>}
        {onClose && (
          <button type="button" class="hdt-close" aria-label="Close panel" title="Close panel (Esc)" onClick={onClose}>
            ×
          </button>
        )}
      </header>
      <div class="hdt-pane-body">
        {detail ? (
          <PanelContent prefix={prefix} request={detail} panelId={panelId} openRequest={openRequest} openPanel={openPanel} target={target} />
        ) : (
          <p class="hdt-muted hdt-loading">Loading…</p>
        )}
      </div>
    </section>
  )
}
