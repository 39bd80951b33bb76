import type { Context } from 'hono'
import type { VNode } from 'preact'
import type { RequestRecord } from './record.js'
import type { ToolbarHost } from './host.js'
import type { StoredRequest } from './store.js'

/** One entry of the `Server-Timing` header. */
export interface ServerTimingMetric {
  name: string
  dur?: number
  desc?: string
}

/**
 * The base of every panel. A panel is created once per app and shared by all requests:
 * it keeps no per-request state on the instance. What a request collects goes into its
 * RequestRecord (see `record.slot()`), and `generateStats` turns that into JSON.
 *
 * @example
 * ```ts
 * import { Panel, slotKey, type RequestRecord } from 'hono-debug-toolbar'
 *
 * interface CacheStats { hits: number; misses: number }
 * const CACHE = slotKey<CacheStats>('cache')
 *
 * export class CachePanel extends Panel<CacheStats> {
 *   readonly id = 'cache'
 *   readonly title = 'Cache'
 *   navSubtitle(stats: CacheStats) { return `${stats.hits} hits` }
 *   generateStats(record: RequestRecord): CacheStats {
 *     return record.peek(CACHE) ?? { hits: 0, misses: 0 }
 *   }
 * }
 * ```
 */
export abstract class Panel<Stats = unknown> {
  /** Stable identifier: the key of this panel's stats in the API. */
  abstract readonly id: string
  /** The title in the toolbar's panel list and the panel's heading. */
  abstract readonly title: string

  /** Called once when the toolbar is created: register routes, read static facts. */
  setup?(host: ToolbarHost): void

  /** Called before the app's handler runs, inside the request's record context. */
  onRequest?(record: RequestRecord, c: Context): void | Promise<void>

  /**
   * Wraps the rest of the request: call `next()` once and return what it returns. What
   * `next()` runs (the handler, the other panels' `around`) happens inside whatever this
   * hook sets up, e.g. an OpenTelemetry context: `around(record, c, next) { return
   * context.with(ctx, next) }`. Panels wrap in their order: the first is outermost.
   */
  around?(record: RequestRecord, c: Context, next: () => Promise<void>): Promise<void>

  /** Called after the handler, when the response headers are known and the body not yet sent. */
  onResponse?(record: RequestRecord, c: Context): void | Promise<void>

  /** Called once the body has been sent (streams included) or the client went away. */
  onFinish?(record: RequestRecord): void | Promise<void>

  /**
   * The panel's data for this request, as JSON-serialisable stats. Computed when first
   * asked for (the API, or a durable store taking the request), not after every request:
   * keep what the hooks collect raw, and do the work here.
   */
  abstract generateStats(record: RequestRecord): Stats | Promise<Stats>

  /**
   * For stats that describe the toolbar rather than the request (the History panel's count
   * of requests, the OpenTelemetry panel's export status): called each time a request's
   * detail is read, with the stats as they were stored and the stored request (its
   * `instance` says which process recorded it, with a shared store), and returns them as
   * they are now, so an older request does not show a stale count.
   */
  refreshStats?(stored: Stats, request: StoredRequest): Stats | Promise<Stats>

  /** A short line under the title in the panel list, e.g. `3 queries in 4.1 ms`. */
  navSubtitle(_stats: Stats): string {
    return ''
  }

  /** Metrics this panel adds to the response's `Server-Timing` header. */
  serverTiming?(record: RequestRecord): ServerTimingMetric[]

  /**
   * The panel's content as a Preact tree, rendered on the server for panels the toolbar's
   * browser bundle does not know (custom panels). Built-in panels render in the browser.
   * Without it, the toolbar shows the stats as a table.
   */
  render?(stats: Stats): VNode
}
