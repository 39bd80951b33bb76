import { Panel } from '../core/panel.js'
import type { ToolbarHost } from '../core/host.js'
import type { StoreStatus, ToolbarStore } from '../core/store.js'
import { MemoryStore, PROCESS_INSTANCE } from '../core/store.js'

export interface HistoryStats {
  /** How many requests the in-memory history holds now (undefined for other stores). */
  total: number | undefined
  /** Requests pushed out of the default in-memory history (undefined for other stores). */
  dropped: number | undefined
  /** The kind of store the history is read from: `memory`, `sqlite`, `postgres`, or a custom store's. */
  store: string
}

const STORE_NAMES: Record<string, string> = { memory: 'in memory', sqlite: 'SQLite', postgres: 'PostgreSQL' }

/**
 * The recent requests. The list itself is loaded live from `GET {prefix}/api/requests`
 * (filters: method, status, path), so it shows requests made after this one too; any of
 * them can be opened in the toolbar. `GET {prefix}/api/store` says which store the history
 * is read from, whether it answers and how many instances wrote to it.
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

  /**
   * Reads the toolbar's store and registers `GET {prefix}/api/store`.
   *
   * @example
   * ```ts
   * app.use(debugToolbar({ panels: [new HistoryPanel()] })) // the toolbar calls setup(host) once
   * const res = await app.request('/_debug_toolbar/api/store')
   * await res.json() // { kind: 'memory', available: true, queued: 0, dropped: 0, instances: 1, ... }
   * ```
   */
  setup(host: ToolbarHost): void {
    this.store = host.store
    // Live, not part of a request's stats: a stored request must not show a stale store state.
    host.routes.get('/api/store', async (c) => c.json(await storeStatus(host.store)))
  }

  /**
   * How many requests the history holds and has dropped (in-memory store), or which store it is.
   *
   * @example
   * ```ts
   * await panel.generateStats() // { total: 50, dropped: 12, store: 'memory' }
   * await panel.generateStats() // with a SqliteStore: { total: undefined, dropped: undefined, store: 'sqlite' }
   * ```
   */
  async generateStats(): Promise<HistoryStats> {
    const store = this.store
    // Only the in-memory store is counted here: a database would be asked once per request.
    if (store instanceof MemoryStore || !store) {
      const total = store ? store.list({ limit: 1, offset: 0 }).total : 0
      return { total, dropped: store?.dropped, store: 'memory' }
    }
    return { total: undefined, dropped: undefined, store: storeKind(store) }
  }

  /**
   * The count and the dropped requests are the history's, not the request's: read again each time.
   *
   * @example
   * ```ts
   * // when a request's detail is read, the toolbar asks again: an old request shows today's count
   * const now = await panel.refreshStats() // { total: 50, dropped: 30, store: 'memory' }
   * ```
   */
  refreshStats(): Promise<HistoryStats> {
    return this.generateStats()
  }

  /**
   * The line under "History" in the panel list.
   *
   * @example
   * ```ts
   * panel.navSubtitle({ total: 12, dropped: 0, store: 'memory' }) // '12 requests'
   * panel.navSubtitle({ total: undefined, dropped: undefined, store: 'postgres' }) // 'PostgreSQL'
   * ```
   */
  navSubtitle(stats: HistoryStats): string {
    if (stats.total === undefined) return STORE_NAMES[stats.store] ?? stats.store
    return `${stats.total} ${stats.total === 1 ? 'request' : 'requests'}`
  }
}

/** What `GET {prefix}/api/store` answers; a store without `status()` is described as well as it can be. */
async function storeStatus(store: ToolbarStore): Promise<StoreStatus> {
  if (store.status) {
    try {
      return await store.status()
    } catch (error) {
      return { kind: storeKind(store), available: false, error: error instanceof Error ? error.message : String(error), queued: 0, dropped: 0, instances: 0, instance: PROCESS_INSTANCE }
    }
  }
  return { kind: storeKind(store), available: true, queued: 0, dropped: 0, instances: 1, instance: PROCESS_INSTANCE }
}

function storeKind(store: ToolbarStore): string {
  if (store instanceof MemoryStore) return 'memory'
  const kind = (store as { kind?: unknown }).kind
  return typeof kind === 'string' ? kind : store.constructor.name
}
