import { Panel } from '../core/panel.js'
import type { ToolbarHost } from '../core/host.js'
import type { ToolbarStore } from '../core/store.js'
import { MemoryStore } from '../core/store.js'

export interface HistoryStats {
  /** How many requests the history holds (this one included) when the panel is first shown. */
  total: number
  /** Requests pushed out of the default in-memory history (undefined for other stores). */
  dropped: number | undefined
}

/**
 * The recent requests. The list itself is loaded live from `GET {prefix}/api/requests`
 * (filters: method, status, path), so it shows requests made after this one too; any of
 * them can be opened in the toolbar.
 *
 * @example
 * ```ts
 * app.use(debugToolbar({ panels: [new HistoryPanel()], maxRequests: 100 }))
 * ```
 */
export class HistoryPanel extends Panel<HistoryStats> {
  readonly id = 'history'
  readonly title = 'History'
  private store: ToolbarStore | undefined

  setup(host: ToolbarHost): void {
    this.store = host.store
  }

  async generateStats(): Promise<HistoryStats> {
    const store = this.store
    const total = store ? (await store.list({ limit: 1, offset: 0 })).total : 0
    return { total, dropped: store instanceof MemoryStore ? store.dropped : undefined }
  }

  navSubtitle(stats: HistoryStats): string {
    return `${stats.total} ${stats.total === 1 ? 'request' : 'requests'}`
  }
}
