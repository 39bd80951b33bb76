import type { ComponentType } from 'preact'
import type { RequestDetail } from '../../src/core/toolbar.js'

export type { RequestDetail }
export type { PanelNav, RequestSummary } from '../../src/core/store.js'

/** What the shell gives a panel's component. */
export interface PanelProps<S> {
  /** This panel's stats for the shown request (`detail.panels[panelId]`). */
  stats: S
  /** The shown request, as `GET {prefix}/api/requests/:id` answers it. */
  request: RequestDetail
  /** The toolbar's prefix, for the component's own API calls: `${prefix}/api/...`. */
  prefix: string
  /** Switches the toolbar to another request (the History panel's rows use it). */
  openRequest(id: string): void
  /** Opens another panel of the shown request (the waterfall's N+1 badge opens the SQL panel). */
  openPanel?: OpenPanel | undefined
  /** Where this panel was opened at, by another panel (the waterfall's N+1 badge). */
  target?: PanelTarget | undefined
}

/**
 * Where another panel opens a panel: the SQL panel at the queries of this SQL text's shape (a
 * query span's `db.query.text`), which it shows alone when they are one of its groups.
 */
export interface PanelTarget {
  sql: string
  /** How many queries the opener counted (the waterfall's N+1 group, under one parent span). */
  count?: number
  /** The name of the span they ran under. */
  under?: string
}

/** Opens a panel of the shown request, at a target when given. */
export type OpenPanel = (panelId: string, target?: PanelTarget) => void

/** A panel's browser view: its component and the CSS rules it adds to the shadow root. */
export interface PanelView {
  component: ComponentType<PanelProps<any>>
  css?: string
}
