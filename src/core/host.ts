import type { Hono } from 'hono'
import type { RequestRecord } from './record.js'
import type { ToolbarStore } from './store.js'
import type { ToolbarEvents } from './events.js'
import type { TraceSource } from './trace-source.js'

/**
 * What a panel can reach at `setup()`: the toolbar's own routes (mounted under the
 * prefix and guarded by the same access rule), the store, live events, and the raw
 * records of recent requests (for on-demand work such as EXPLAIN).
 */
export interface ToolbarHost {
  /** The toolbar's URL prefix, e.g. `/_debug_toolbar`. */
  readonly prefix: string
  /** Routes relative to the prefix: `host.routes.get('/api/sql/explain', ...)`. */
  readonly routes: Hono
  readonly store: ToolbarStore
  readonly events: ToolbarEvents
  /** The app given in `debugToolbar({ app })`, for panels that inspect it. */
  readonly app: Hono | undefined
  /** The live record of a recent request (the last `maxRequests`), if still held. */
  getRecord(id: string): RequestRecord | undefined
  /**
   * Resolves once the toolbar this one replaced (the app's entry module evaluated again by
   * Vite's dev server) let go of what its panels held, such as a port; undefined when it
   * replaced none. A panel that binds a port waits for it.
   */
  readonly released?: Promise<void>
  /** A tracing panel offers its traces to other features (the MCP server) here. */
  provideTraces?(source: TraceSource): void
  /**
   * Writes what was recorded to a durable store now (the requests answered, the copies late
   * lines changed, the store's queue), leaving it open; resolves once written. A panel that
   * queued writes when the app stops (the OpenTelemetry panel's `shutdown()`) awaits it.
   */
  writeStore?(): Promise<void>
}
