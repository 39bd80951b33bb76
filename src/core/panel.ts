import type { Context } from 'hono'
import type { VNode } from 'preact'
import type { RequestRecord } from './record.js'
import type { ToolbarHost } from './host.js'
import type { StoredRequest } from './store.js'
import type { SlotKey } from '../shapes/slot-key.js'

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

  /**
   * Called once when the toolbar is created: register routes, read static facts.
   *
   * @example
   * ```ts
   * setup(host: ToolbarHost) {
   *   // GET /_debug_toolbar/api/cache/:id, behind the toolbar's access rule
   *   host.routes.get('/api/cache/:id', (c) => c.json(host.getRecord(c.req.param('id'))?.peek(CACHE) ?? null))
   * }
   * ```
   */
  setup?(host: ToolbarHost): void

  /**
   * Called when the toolbar is replaced by one made for the same app (Vite's dev server
   * evaluated the entry module again after a save) or the dev server closes: free what a
   * new panel would need (a port) and stop work of the panel's own. Resolve once the port
   * is free. Stats of requests already recorded are still asked for afterwards.
   *
   * @example
   * ```ts
   * retire() {
   *   return this.receiver.stop() // the next panel's setup() binds the same port
   * }
   * ```
   */
  retire?(): void | Promise<void>

  /**
   * Called before the toolbar's durable store flushes and closes: on SIGINT/SIGTERM
   * (`exiting` true: the process is about to end) and when the toolbar retires with a store
   * the next toolbar does not use (`exiting` false). Queue in the store, at once, what the
   * panel would write later (on a timer, or when something still running ends), so that the
   * app started again shows it.
   *
   * @example
   * ```ts
   * beforeStoreClose(exiting: boolean) {
   *   this.store.saveSpans?.(this.waiting.splice(0))
   * }
   * ```
   */
  beforeStoreClose?(exiting: boolean): void

  /**
   * Called before the app's handler runs, inside the request's record context.
   *
   * @example
   * ```ts
   * onRequest(record: RequestRecord, c: Context) {
   *   record.slot(CACHE, () => ({ hits: 0, misses: 0, region: c.req.header('x-region') ?? 'default' }))
   * }
   * ```
   */
  onRequest?(record: RequestRecord, c: Context): void | Promise<void>

  /**
   * Wraps the rest of the request: call `next()` once and return what it returns. What
   * `next()` runs (the handler, the other panels' `around`) happens inside whatever this
   * hook sets up, e.g. an OpenTelemetry context: `around(record, c, next) { return
   * context.with(ctx, next) }`. Panels wrap in their order: the first is outermost.
   *
   * @example
   * ```ts
   * import { context, trace } from '@opentelemetry/api'
   * around(record: RequestRecord, c: Context, next: () => Promise<void>) {
   *   const span = trace.getTracer('my-panel').startSpan(`${c.req.method} ${c.req.path}`)
   *   return context.with(trace.setSpan(context.active(), span), next).finally(() => span.end())
   * }
   * ```
   */
  around?(record: RequestRecord, c: Context, next: () => Promise<void>): Promise<void>

  /**
   * Called after the handler, when the response headers are known and the body not yet sent.
   *
   * @example
   * ```ts
   * onResponse(record: RequestRecord, c: Context) {
   *   record.slot(CACHE_STATUS, () => c.res.headers.get('x-cache') ?? 'MISS')
   * }
   * ```
   */
  onResponse?(record: RequestRecord, c: Context): void | Promise<void>

  /**
   * Called once the body has been sent (streams included) or the client went away.
   *
   * @example
   * ```ts
   * onFinish(record: RequestRecord) {
   *   // the body has been sent: record.durationMs and record.status are final
   *   record.slot(SLOW, () => (record.durationMs ?? 0) > 500)
   * }
   * ```
   */
  onFinish?(record: RequestRecord): void | Promise<void>

  /**
   * Called for each item a recorder adds to a request after it finished (`record.wrote(slot,
   * item)`): a line logged or a query run by work the request left running, such as an
   * email sent after the answer. Runs in the caller's async context, synchronously; keep it
   * cheap. The OpenTelemetry panel turns such items into spans of the request's trace.
   *
   * @example
   * ```ts
   * onLateWrite(record: RequestRecord, slot: SlotKey<unknown>, item: unknown) {
   *   if (slot === SLOTS.sql) lateQueries.add(record.id) // a query ran after the answer
   * }
   * ```
   */
  onLateWrite?(record: RequestRecord, slot: SlotKey<unknown>, item: unknown): void

  /**
   * Called when an item whose end comes later starts after the request finished
   * (`record.wroteStart(slot, item)`): a template render started by work the request left
   * running, which may never end. Its end comes to `onLateWrite` as any item's does. Runs
   * in the caller's async context, synchronously; keep it cheap. The OpenTelemetry panel
   * converts such a render when the trace stops taking spans if it is still running then.
   *
   * @example
   * ```ts
   * onLateStart(record: RequestRecord, slot: SlotKey<unknown>, item: unknown) {
   *   if (slot === SLOTS.templates) rendering.add(record.id) // a render started after the answer
   * }
   * ```
   */
  onLateStart?(record: RequestRecord, slot: SlotKey<unknown>, item: unknown): void

  /**
   * The panel's data for this request, as JSON-serialisable stats. Computed when first
   * asked for (the API, or a durable store taking the request), not after every request:
   * keep what the hooks collect raw, and do the work here.
   *
   * @example
   * ```ts
   * generateStats(record: RequestRecord): CacheStats {
   *   const stats = record.peek(CACHE) ?? { hits: 0, misses: 0 }
   *   return { ...stats, ratio: stats.hits / Math.max(1, stats.hits + stats.misses) }
   * }
   * ```
   */
  abstract generateStats(record: RequestRecord): Stats | Promise<Stats>

  /**
   * For stats that describe the toolbar rather than the request (the History panel's count
   * of requests, the OpenTelemetry panel's export status): called each time a request's
   * detail is read, with the stats as they were stored and the stored request (its
   * `instance` says which process recorded it, with a shared store), and returns them as
   * they are now, so an older request does not show a stale count.
   *
   * @example
   * ```ts
   * refreshStats(stored: CacheStats, request: StoredRequest): CacheStats {
   *   return { ...stored, keysNow: cache.size } // the cache as it is now, not when the request ran
   * }
   * ```
   */
  refreshStats?(stored: Stats, request: StoredRequest): Stats | Promise<Stats>

  /**
   * A short line under the title in the panel list, e.g. `3 queries in 4.1 ms`.
   *
   * @example
   * ```ts
   * navSubtitle(stats: CacheStats) {
   *   return `${stats.hits} hits, ${stats.misses} misses` // under "Cache" in the panel list
   * }
   * ```
   */
  navSubtitle(_stats: Stats): string {
    return ''
  }

  /**
   * Metrics this panel adds to the response's `Server-Timing` header.
   *
   * @example
   * ```ts
   * serverTiming(record: RequestRecord): ServerTimingMetric[] {
   *   const stats = record.peek(CACHE)
   *   return stats ? [{ name: 'cache', desc: `${stats.hits} hits` }] : [] // Server-Timing: cache;desc="3 hits"
   * }
   * ```
   */
  serverTiming?(record: RequestRecord): ServerTimingMetric[]

  /**
   * The panel's content as a Preact tree, rendered on the server for panels the toolbar's
   * browser bundle does not know (custom panels). Built-in panels render in the browser.
   * Without it, the toolbar shows the stats as a table.
   *
   * @example
   * ```ts
   * import { h } from 'preact'
   * render(stats: CacheStats) {
   *   return h('p', null, `${stats.hits} hits, ${stats.misses} misses`) // text is escaped when rendered
   * }
   * ```
   */
  render?(stats: Stats): VNode
}
