/**
 * The toolbar of one app, on the request path. Longer than 400 lines because the request
 * path is kept in one place on purpose: recording, the Node fast path and the stream path,
 * finishing and storing share the record's life cycle, and every step is measured together
 * (specs/performance.md); the pieces that stand alone are in their own files: body
 * injection (body.ts), the loader tag in `c.html()` strings (html-strings.ts), the Node
 * response watch (node-response.ts, record-watch.ts), the stored request that computes its
 * stats when read (recorded-request.ts), Server-Timing and the loader tag.
 */
import { Hono, type Context, type Next } from 'hono'
import { appRoute, routeAhead } from './app-route.js'
import type { Panel, ServerTimingMetric } from './panel.js'
import { LATE_COPY, LATE_SAVE_MS, type LateWriter, type RequestRecord } from './record.js'
import type { SlotKey } from '../shapes/slot-key.js'
import { MemoryStore, type DeferredRequest, type PanelNav, type RequestSummary, type StoredRequest, type ToolbarStore } from './store.js'
import { ToolbarEvents } from './events.js'
import { OutlivedRecords } from './outlived-records.js'
import { flushOnSignals } from './shutdown.js'
import type { ToolbarHost } from './host.js'
import { observeBody } from './body.js'
import { UnsentBody } from './unsent-body.js'
import { nodeOutgoing, watchOutgoing, type NodeOutgoing } from './node-response.js'
import { formatServerTiming } from './server-timing.js'
import { loaderTag } from './loader.js'
import { hasEtag, setAppEtag } from './etag.js'
import { injectHtmlStrings, isInjectable } from './html-strings.js'
import { ChunkCounter, RecordWatch } from './record-watch.js'
import { RecordedRequest, summaryOf } from './recorded-request.js'
import { REQUEST_ID_HEADER } from './request-id.js'
import { packageVersion } from './package-root.js'
import type { DebugToolbarOptions } from './options.js'
import type { TraceSource } from './trace-source.js'
import type { ErrorPages } from './error-page.js'
import type { NotFoundPages } from './not-found-page.js'
import { hostnameMatcher, pageOriginMatcher } from './access.js'

/** The debug pages that replace one of Hono's default answers: the error page and the 404 page. */
type DebugPages = Pick<ErrorPages | NotFoundPages, 'answers' | 'response'>

/** A request as the API answers it. */
export interface RequestDetail extends StoredRequest {
  /** True while the body is still being sent: the stats are a snapshot. */
  inFlight?: boolean
}

export { REQUEST_ID_HEADER }

type Hook = 'onRequest' | 'around' | 'onResponse' | 'onFinish' | 'onLateWrite' | 'onLateStart' | 'serverTiming' | 'refreshStats'

/**
 * The toolbar of one app: its panels, its store, the records of recent requests and the
 * toolbar's own routes. The middleware hands every allowed request to `record()`.
 *
 * The request path does only what every request needs: the panels' hooks (one list per
 * hook, holding only the panels that define it), the loader tag for HTML, two headers, and
 * the moment the last byte went out. Panel stats are computed when first asked for.
 *
 * @example
 * ```ts
 * import { registerToolbarFeature } from 'hono-debug-toolbar'
 * // debugToolbar() makes one Toolbar per app; a feature or a panel's setup() is handed it
 * registerToolbarFeature((toolbar) => {
 *   toolbar.routes.get('/api/last', async (c) => c.json((await toolbar.store.list({ limit: 1, offset: 0 })).requests))
 * })
 * ```
 */
export class Toolbar implements ToolbarHost, LateWriter {
  readonly routes: Hono
  readonly store: ToolbarStore
  readonly events: ToolbarEvents
  readonly panels: Panel<any>[]
  readonly app: Hono | undefined
  /** The traces a tracing panel offered (see `provideTraces`), if any. */
  traceSource: TraceSource | undefined
  /** The debug error page, unless `errorPage: false` or the views have none. */
  errorPages: ErrorPages | undefined
  /** The debug 404 page, unless `notFoundPage: false` or the views have none. */
  notFoundPages: NotFoundPages | undefined
  readonly version = packageVersion()
  /**
   * Whether a request reached the app at a name the toolbar answers at (`localhost`, a name
   * under `.localhost`, an IP address, `allowedHostnames`), from its URL. The toolbar's own
   * routes and the debug error and 404 pages are for those names only: a page of another
   * site whose name was re-pointed at 127.0.0.1 (DNS rebinding) reads what it asks for from
   * the developer's own browser, a loopback client.
   */
  readonly answersAt: (url: string) => boolean
  /**
   * Whether the page that sent a request (its `Origin`, none for curl or a navigation) is
   * one the toolbar answers (`pageOriginMatcher`): its own routes, and the debug error and
   * 404 pages, which show the app's stack and routes, are not for a page of another site
   * that the app's CORS lets read them.
   */
  readonly answersPage: (origin: string | undefined, url: string) => boolean
  /**
   * Raw records of recent requests for on-demand work (EXPLAIN, stats): a ring, the newest
   * replacing the oldest. Looked up by id only when the API asks, so no map is kept up to
   * date on every request.
   */
  private readonly recordRing: Array<RequestRecord | undefined> = []
  private recordCount = 0
  /**
   * Requests still running that the ring let go of: listed and answered while they run.
   * Handed on with the history, the same set: the toolbar that ran such a request lets go
   * of it as it ends, also after a save replaced that toolbar.
   */
  readonly outlived: OutlivedRecords
  /**
   * Resolves once the toolbar this one replaced (the app's previous evaluation under Vite's
   * dev server) let go of what it held, such as a receiver's port; undefined when it replaced none.
   */
  readonly released: Promise<void> | undefined
  private retired: Promise<void> | undefined
  private forgetSignals: (() => void) | undefined
  private readonly maxRequests: number
  /** Whether finished requests tell this toolbar of late writes: a panel has `onLateWrite` or `onLateStart`, or the store keeps copies. */
  private readonly writesLate: boolean
  /** Requests whose body has been sent and that are being stored. */
  private readonly finishing = new Map<string, Promise<void>>()
  private readonly hooks: Record<Hook, Panel<any>[]>
  private readonly pageNonces = new WeakMap<Request, string>()
  /** The next look at re-wrapped bodies that nothing read yet (`checkUnsent`), while there are any. */
  private unsentCheck: ReturnType<typeof setTimeout> | undefined
  /**
   * Records whose re-wrapped body nothing has read yet (runtimes other than Node), in the
   * order they came. Kept apart from the history: a request that more requests push out of
   * the history before the next look must still be finished.
   */
  private unsentRecords: RequestRecord[] = []

  constructor(
    readonly prefix: string,
    panels: Panel<any>[],
    private readonly options: Pick<DebugToolbarOptions, 'maxRequests' | 'store' | 'app' | 'nonce' | 'liveEvents' | 'allowedHostnames'>,
    previous?: Toolbar,
  ) {
    this.maxRequests = options.maxRequests ?? 50
    this.answersAt = hostnameMatcher(options.allowedHostnames ?? [])
    this.answersPage = pageOriginMatcher(options.allowedHostnames ?? [])
    // The toolbar of the app's previous evaluation (a save under Vite's dev server, see
    // vite-reload.ts) hands on its history and live events when they are what this one would make.
    const history = previous?.historyFor(this.maxRequests, options)
    this.store = options.store ?? history?.store ?? new MemoryStore(this.maxRequests)
    this.app = options.app as Hono | undefined
    this.events = history?.events ?? new ToolbarEvents(options.liveEvents)
    this.outlived = history?.outlived ?? new OutlivedRecords()
    if (history) {
      this.recordRing = history.records.slice()
      this.recordCount = history.recordCount
    }
    const ids = new Set<string>()
    for (const panel of panels) {
      if (ids.has(panel.id)) throw new TypeError(`two panels have the id "${panel.id}"`)
      ids.add(panel.id)
    }
    this.panels = panels
    const having = (hook: Hook) => panels.filter((panel) => typeof panel[hook] === 'function')
    this.hooks = {
      onRequest: having('onRequest'),
      around: having('around'),
      onResponse: having('onResponse'),
      onFinish: having('onFinish'),
      onLateWrite: having('onLateWrite'),
      onLateStart: having('onLateStart'),
      serverTiming: having('serverTiming'),
      refreshStats: having('refreshStats'),
    }
    this.writesLate = this.hooks.onLateWrite.length > 0 || this.hooks.onLateStart.length > 0 || !(this.store instanceof MemoryStore)
    // Work the requests handed on left running writes on: this toolbar's panels are told of it,
    // not the retired ones (whose exporters shut down once these panels take OpenTelemetry's globals).
    if (history) {
      const writer = this.writesLate ? this : undefined
      for (const record of this.recordRing) if (record?.lateWriter) record.lateWriter = writer
    }
    // Not strict: `{prefix}/` and `{prefix}` are the same page.
    this.routes = new Hono({ strict: false }).basePath(prefix)
    // A durable store writes what it queued on SIGINT/SIGTERM, after the requests already
    // answered are stored and the panels handed over what they would write later.
    if (this.store.close) this.forgetSignals = flushOnSignals({ shutdown: () => this.closeStore(true) })
    // Before this toolbar's panels are set up: the previous ones free their ports first.
    this.released = previous?.retire(this.store)
  }

  /**
   * What this toolbar hands to the toolbar that replaces it: its history (store, raw
   * records and the running requests the ring let go of) and live events, when that toolbar would make the same ones (no store of its
   * own, the same `maxRequests` and `liveEvents`).
   */
  private historyFor(maxRequests: number, options: Pick<DebugToolbarOptions, 'store' | 'liveEvents'>) {
    if (options.store || this.options.store || maxRequests !== this.maxRequests) return undefined
    if (JSON.stringify(options.liveEvents ?? {}) !== JSON.stringify(this.options.liveEvents ?? {})) return undefined
    return { store: this.store, events: this.events, records: this.recordRing, recordCount: this.recordCount, outlived: this.outlived }
  }

  /**
   * Lets go of what this toolbar holds, when a toolbar made for the same app replaces it (a
   * save under Vite's dev server) or the dev server closes: each panel's `retire()` (the
   * OpenTelemetry panel's receiver ports), the signal handler, and a durable store that the
   * next toolbar does not use (closed once the requests it was storing are stored). Resolves
   * once the panels let go. The requests already recorded stay readable.
   *
   * @example
   * ```ts
   * vite.httpServer.once('close', () => void toolbar.retire())
   * ```
   */
  retire(successorStore?: ToolbarStore): Promise<void> {
    this.retired ??= (async () => {
      this.forgetSignals?.()
      if (this.store.close && this.store !== successorStore) void this.closeStore(false).catch(() => undefined)
      await Promise.allSettled(this.panels.map((panel) => panel.retire?.()))
    })()
    return this.retired
  }

  /**
   * Closes a durable store without losing what was recorded: the copies of requests that
   * late writes changed are written now rather than when their timer comes, and once the
   * requests being stored are stored, each panel queues what it would write later
   * (`beforeStoreClose`); then the store writes its queue (bounded) and closes.
   */
  private async closeStore(exiting: boolean): Promise<void> {
    await this.storeRequests()
    for (const panel of this.panels) {
      try {
        panel.beforeStoreClose?.(exiting)
      } catch (error) {
        console.warn(`[hono-debug-toolbar] panel "${panel.id}" failed to hand its writes to the store:`, error)
      }
    }
    await this.store.close?.()
  }

  /**
   * Writes what was recorded to a durable store now, and leaves it open: the copies of
   * requests that late lines changed and whose write is due (at once rather than on their
   * timer), the requests already answered, then the store's queue (`store.flush()`). It
   * waits as long as the write takes: a caller that must not hang bounds it (the
   * OpenTelemetry panel's `shutdown()` waits at most 3 s).
   *
   * @example
   * ```ts
   * await toolbar.writeStore()
   * process.exit(0) // what was recorded is in the database
   * ```
   */
  async writeStore(): Promise<void> {
    await this.storeRequests()
    await this.store.flush?.()
  }

  /** Queues the copies of requests whose late write is due, and waits for the requests being stored. */
  private async storeRequests(): Promise<void> {
    for (const record of this.recordRing) if (record?.lateCopy === LATE_COPY.due) this.copyDue(record)
    await this.settled()
  }

  /**
   * The live record of a recent request (one of the last `maxRequests`, or an older one still
   * running), if still held.
   *
   * @example
   * ```ts
   * setup(host: ToolbarHost) {
   *   host.routes.get('/api/cache/:id', (c) => c.json(host.getRecord(c.req.param('id'))?.peek(CACHE) ?? null))
   * }
   * ```
   */
  getRecord(id: string): RequestRecord | undefined {
    const ring = this.recordRing
    for (let i = 0; i < ring.length; i++) if (ring[i]?.id === id) return ring[i]
    return this.outlived.find(id)
  }

  /**
   * The requests of the history still running (handler not returned, or body still being
   * sent), newest first: they reach the store only when they finish. Read from the records
   * the toolbar holds anyway, when asked; nothing is kept per request for it, except the
   * running ones the ring let go of (`outlived`, at most `MAX_OUTLIVED`).
   *
   * @example
   * ```ts
   * toolbar.inFlight().map((r) => `${r.method} ${r.route ?? r.path}`) // ['GET /reports/:id']
   * ```
   */
  inFlight(): RequestSummary[] {
    const running: RequestRecord[] = []
    for (const record of this.recordRing) if (record !== undefined && record.durationMs === undefined) running.push(record)
    // Those that more than maxRequests newer requests pushed out of the ring while they ran.
    for (const record of this.outlived.all()) running.push(record)
    return running.sort((a, b) => b.startedAt - a.startedAt).map(summaryOf)
  }

  /**
   * Keeps the traces a tracing panel offers, for features that read traces (the MCP server).
   *
   * @example
   * ```ts
   * setup(host: ToolbarHost) {
   *   host.provideTraces?.({ spans: (traceId) => myStore.spans(traceId), links: (traceId) => ({ jaeger: `http://localhost:16686/trace/${traceId}` }) })
   * }
   * ```
   */
  provideTraces(source: TraceSource): void {
    this.traceSource = source
  }

  /**
   * Runs the app's handler for `c` while recording it into `record`.
   *
   * @example
   * ```ts
   * // what debugToolbar()'s middleware does for each allowed request
   * const record = new RequestRecord({ method: c.req.method, url: c.req.url, path: c.req.path })
   * await runWithRecord(record, () => toolbar.record(c, next, record))
   * ```
   */
  async record(c: Context, next: Next, record: RequestRecord): Promise<void> {
    this.remember(record)
    const outgoing = nodeOutgoing(c)
    // Hono matched the routes before the middleware ran: a slow request shows its route
    // (and its span is named after it) while it runs. Settled once the handler returned.
    record.route = routeAhead(c)
    // Built only when someone follows the live events: most requests pay one property read.
    // Sent before the panels start, so it comes before the events they send (trace.created).
    if (this.events.active) this.events.emit({ type: 'request.created', data: { requestId: record.id, name: `${record.method} ${record.route ?? record.path}` } })
    for (const panel of this.hooks.onRequest) {
      const pending = panel.onRequest!(record, c)
      if (pending) await pending
    }
    // Where the app's routes start: read before next(), while the toolbar's middleware runs.
    const ownIndex = c.req.routeIndex
    injectHtmlStrings(c, record, this, ownIndex)
    // For the wrapped methods of `c` taken off it (`({ html }) => html(...)`), while the handler runs.
    record.handlerContext = c
    try {
      await this.around(0, record, c, next)
    } catch (error) {
      record.handlerContext = undefined
      // Only reached when the app rethrows from onError; the record still completes.
      record.error = error
      record.status = 500
      // The error page is made outside the toolbar: it still says which request it was.
      if (outgoing && !outgoing.headersSent) outgoing.setHeader(REQUEST_ID_HEADER, record.id)
      this.finish(record)
      await this.finishing.get(record.id)
      throw error
    }
    record.handlerContext = undefined
    record.headersMs = record.now()
    record.status = c.res.status
    // The app's route, or none for a 404 of no route (routePath(c) would say the toolbar's `/*`).
    record.route = appRoute(c, ownIndex)
    record.error ??= c.error
    // Only a request whose handler threw, or that no route of the app answered, reads further.
    if (c.error !== undefined) {
      if (this.errorPages !== undefined) await this.answerWithPage(c, record, outgoing, this.errorPages)
    } else if (record.route === undefined && record.status === 404 && this.notFoundPages !== undefined) {
      await this.answerWithPage(c, record, outgoing, this.notFoundPages)
    }
    for (const panel of this.hooks.onResponse) {
      const pending = panel.onResponse!(record, c)
      if (pending) await pending
    }
    // HTML that gets the tag as its bytes pass, under hono/etag registered before the toolbar
    // (only looked for when something runs before it): the app's ETag first (etag.ts).
    if (ownIndex > 0 && record.htmlInjected === undefined && record.method !== 'HEAD' && c.res.ok && isInjectable(c.res) && hasEtag(c, ownIndex, 0, ownIndex, this.app)) {
      await setAppEtag(c.res)
    }
    if (outgoing) this.watchNode(c, record, outgoing)
    else this.rewrap(c, record)
  }

  /**
   * Answers a page load that got Hono's default error or not-found response with the debug
   * error or 404 page, the loader tag already in it (as `c.html()` pages get it), status and
   * headers kept.
   */
  private async answerWithPage(c: Context, record: RequestRecord, outgoing: NodeOutgoing | undefined, pages: DebugPages): Promise<void> {
    // At another name (DNS rebinding), or asked by a page of another site, the page would show the app's stack or routes to that site.
    if ((outgoing && outgoing.headersSent) || !this.answersAt(c.req.url) || !(await pages.answers(c, record)) || !this.answersPage(record.requestHeader('origin'), c.req.url)) return
    const nonce = this.nonceOf(c)
    const tag = loaderTag(this.prefix, record.id, this.version, nonce)
    let made: { response: Response; pageBytes: number }
    try {
      made = pages.response(c, record, nonce, tag)
    } catch (error) {
      // An error whose message or stack cannot be read: Hono's answer goes out as it was.
      console.warn(`[hono-debug-toolbar] the debug ${pages === this.errorPages ? 'error' : '404'} page could not be made:`, error)
      return
    }
    const { response, pageBytes } = made
    // Hono's setter would copy the old headers (the plain text's content-length among them): clear first.
    c.res = undefined
    c.res = response
    record.htmlInjected = Buffer.byteLength(tag)
    record.htmlBytes = pageBytes
    record.htmlResponse = response
  }

  /** The panels' `around` hooks, first panel outermost, with the app's handler innermost. */
  private around(index: number, record: RequestRecord, c: Context, next: Next): Promise<void> {
    const panel = this.hooks.around[index]
    if (!panel) return next()
    return panel.around!(record, c, () => this.around(index + 1, record, c, next))
  }

  /**
   * The loader tag for `record`'s page. Made when the page is, not when the request starts:
   * the CSP nonce of hono/secure-headers used after the toolbar (or in a sub-app) is set by then.
   *
   * @example
   * ```ts
   * const html = `<p>Hello</p>${toolbar.snippet(c, record)}</body>` // the loader <script> for this request's page
   * ```
   */
  snippet(c: Context, record: RequestRecord): string {
    return loaderTag(this.prefix, record.id, this.version, this.nonceOf(c))
  }

  /** The CSP nonce of the app's response for `c`: the `nonce` option's, else hono/secure-headers'. */
  private nonceOf(c: Context): string | undefined {
    return this.options.nonce ? this.options.nonce(c) : (c.get('secureHeadersNonce' as never) as string | undefined)
  }

  /**
   * Answers a request to the toolbar's own routes. They run in an app of their own, which
   * cannot see the app's context: the app's CSP nonce (its policy covers the toolbar's pages
   * too) is kept beside the request for the full-page view.
   *
   * @example
   * ```ts
   * app.all('/_debug_toolbar/*', (c) => toolbar.serve(c)) // GET /_debug_toolbar/api/requests answers the history
   * ```
   */
  serve(c: Context): Response | Promise<Response> {
    const nonce = this.nonceOf(c)
    if (nonce) this.pageNonces.set(c.req.raw, nonce)
    return this.routes.fetch(c.req.raw, c.env)
  }

  /**
   * The app's CSP nonce for a request to the toolbar's routes (see `serve`).
   *
   * @example
   * ```ts
   * toolbar.routes.get('/page', (c) => {
   *   const nonce = toolbar.pageNonce(c.req.raw) // the app's hono/secure-headers nonce, if any
   *   return c.html(`<script nonce="${nonce ?? ''}" src="app.js"></script>`)
   * })
   * ```
   */
  pageNonce(request: Request): string | undefined {
    return this.pageNonces.get(request)
  }

  /**
   * The `Server-Timing` value of the panels' metrics for `record`.
   *
   * @example
   * ```ts
   * c.header('Server-Timing', toolbar.serverTimingOf(record))
   * // 'hdt-total;dur=12.3;desc="hono-debug-toolbar", hdt-sql;dur=4.1;desc="3 queries"'
   * ```
   */
  serverTimingOf(record: RequestRecord): string {
    // Sent with every recorded response: no closure or spread per panel.
    const hooks = this.hooks.serverTiming
    let header = ''
    for (let i = 0; i < hooks.length; i++) {
      let own: ServerTimingMetric[]
      try {
        own = hooks[i].serverTiming!(record)
      } catch {
        continue
      }
      if (own.length === 0) continue
      const entries = formatServerTiming(own)
      header = header ? `${header}, ${entries}` : entries
    }
    return header
  }

  /**
   * Node: the response goes out as the app made it (node-server's fast path for in-memory
   * bodies); the Node response tells how many bytes were written and when the last one
   * went. Only HTML that the toolbar could not inject as a string is re-wrapped.
   */
  private watchNode(c: Context, record: RequestRecord, outgoing: NodeOutgoing): void {
    const res = c.res
    if (res.status === 101 || outgoing.headersSent) {
      this.finish(record)
      return
    }
    const watch = new RecordWatch(record, this)
    const madeByHtml = record.htmlResponse === res
    // Only compared here: the record must not keep the Response (and its body) alive.
    record.htmlResponse = undefined
    if (record.htmlInjected !== undefined && madeByHtml) {
      // The page the app wrote in one piece, with the tag already in: its size is known
      // (Node sends no body for HEAD).
      watch.countsWrites = false
      record.responseBytes = record.method === 'HEAD' ? 0 : record.htmlBytes
    } else if (record.htmlInjected === undefined && isInjectable(res) && res.body && record.method !== 'HEAD') {
      // HTML that did not get the tag as a string (JSX, a stream, a Response the app built)
      // gets it as its bytes pass; the app's bytes are counted before the tag goes in.
      const headers = res.headers
      headers.delete('content-length')
      watch.countsWrites = false
      c.res = undefined
      c.res = new Response(observeBody(res.body, new ChunkCounter(watch), this.snippet(c, record)), { status: res.status, statusText: res.statusText, headers })
    }
    watchOutgoing(outgoing, watch)
  }

  /**
   * Other runtimes: the body is re-wrapped, never buffered, to know when it was sent, and
   * HTML gets the tag as its bytes pass (see body.ts).
   */
  private rewrap(c: Context, record: RequestRecord): void {
    const res = c.res
    res.headers.set(REQUEST_ID_HEADER, record.id)
    record.responseHeaderSource = res.headers
    const timing = this.serverTimingOf(record)
    if (timing) res.headers.append('Server-Timing', timing)
    // Hono answers HEAD with the GET response's head and drops its body: none will be read.
    if (!res.body || res.status === 101 || record.method === 'HEAD') {
      this.finish(record)
      return
    }
    const headers = new Headers(res.headers)
    const inject = record.htmlInjected === undefined && isInjectable(res)
    if (inject) headers.delete('content-length')
    const tagBytes = record.htmlInjected !== undefined && record.htmlResponse === res ? record.htmlInjected : 0
    record.htmlResponse = undefined
    // A body the app wrote in one piece is not a stream, however long the server took to send it.
    let chunks = 0
    const body = observeBody(
      res.body,
      {
        onChunk: (bytes) => {
          record.responseBytes += bytes
          if (++chunks === 2) record.streamed = true
        },
        onEnd: (outcome, error) => {
          // Cancelled unread by a middleware before the toolbar that answers another response
          // (hono/etag's 304): the next look at unsent bodies finishes it with that response.
          if (outcome === 'cancelled' && !body.locked && record.unsentBody !== undefined) return
          record.unsentBody = undefined
          // Another response was sent instead, and the record finished with it (`checkUnsent`).
          if (record.responseReplaced) return
          record.responseBytes = Math.max(0, record.responseBytes - tagBytes)
          record.aborted = outcome !== 'done'
          if (outcome === 'error') record.error ??= error
          this.finish(record)
        },
      },
      inject ? this.snippet(c, record) : undefined,
    )
    // Hono's setter would copy the old headers (a stale content-length among them): clear first.
    c.res = undefined
    c.res = new Response(body, { status: res.status, statusText: res.statusText, headers })
    record.unsentBody = new UnsentBody(c, body)
    if (this.unsentRecords.push(record) > MAX_UNSENT_WATCHED) this.checkUnsent(true)
    else if (this.unsentCheck === undefined) this.checkUnsentSoon()
  }

  private checkUnsentSoon(): void {
    const timer = setTimeout(() => this.checkUnsent(), UNSENT_CHECK_MS)
    // Never keeps a process alive (Node; other runtimes' timers have no unref).
    ;(timer as { unref?: () => void }).unref?.()
    this.unsentCheck = timer
  }

  /**
   * Finishes the requests whose re-wrapped body was dropped for another response (see
   * unsent-body.ts), with the status answered. Runs every `UNSENT_CHECK_MS` while some body
   * is unread, so the request path pays for none of it: a response that passes through is
   * read at once and its end finishes its record. `full`: more bodies are unread than are
   * watched; the oldest of those still unread after this look are given up on.
   */
  private checkUnsent(full = false): void {
    if (this.unsentCheck !== undefined) clearTimeout(this.unsentCheck)
    this.unsentCheck = undefined
    const waiting: RequestRecord[] = []
    for (const record of this.unsentRecords) {
      const unsent = record.unsentBody
      // Read to its end (or failed) since: finished by the body's end.
      if (!unsent) continue
      const seen = unsent.check()
      if (seen === 'waiting') {
        // Unread, and still the response (a test that never reads it): given up on after a while.
        if (record.now() - (record.headersMs ?? 0) < UNSENT_WATCH_MS) waiting.push(record)
        else record.unsentBody = undefined
        continue
      }
      record.unsentBody = undefined
      if (seen !== 'reading') this.finishReplaced(record, seen, unsent)
    }
    if (full && waiting.length > MAX_UNSENT_WATCHED / 2) {
      for (const record of waiting.splice(0, waiting.length - MAX_UNSENT_WATCHED / 2)) record.unsentBody = undefined
    }
    this.unsentRecords = waiting
    if (waiting.length > 0) this.checkUnsentSoon()
  }

  /** Finishes `record` with the response that was sent instead of the toolbar's. */
  private finishReplaced(record: RequestRecord, answered: Response, unsent: UnsentBody): void {
    record.responseReplaced = true
    record.status = answered.status
    record.responseHeaderSource = answered.headers
    // An error thrown around the toolbar (onError answered): Hono put it on the context.
    record.error ??= unsent.c.error
    // The body sent was not seen: its size only when its head says it.
    const length = answered.headers.get('content-length')
    record.responseBytes = length !== null && /^\d+$/.test(length) ? Number(length) : 0
    // Its end is unknown: the request is timed to when the toolbar's response was ready.
    // The body is left as Hono leaves a replaced response's body, not cancelled: a middleware
    // that took the response off the context (`c.res = undefined`) and sets it again after a
    // wait still sends it whole (the record then says another response was sent).
    this.finish(record, record.headersMs)
  }

  /**
   * Runs the panels' finish hooks once the body has been sent, and stores the request.
   * Synchronous when every hook and the store are (the default panels and MemoryStore):
   * no promise is made for a request that needs none.
   */
  /**
   * @internal Called when a watched response ended.
   *
   * @example
   * ```ts
   * response.once('close', () => toolbar.finishRecord(record)) // the body was sent: store the request
   * ```
   */
  finishRecord(record: RequestRecord): void {
    this.finish(record)
  }

  private finish(record: RequestRecord, durationMs = record.now()): void {
    record.durationMs = durationMs
    this.outlived.end(record)
    if (this.writesLate) record.lateWriter = this
    const hooks = this.hooks.onFinish
    for (let i = 0; i < hooks.length; i++) {
      const pending = this.finishHook(hooks[i], record)
      if (pending) return this.track(record, this.completeAsync(record, pending, i + 1))
    }
    const stored = this.saveDeferred(record)
    if (stored || !this.store.defersStats) return this.track(record, this.storeAsync(record, stored))
    this.finished(record)
  }

  /**
   * @internal Told of each write into `record` after it finished (`record.wrote(slot,
   * item)`): a durable store's copy of it is written again soon, and the panels that have
   * `onLateWrite` are told of the item.
   *
   * @example
   * ```ts
   * record.lateWriter = toolbar // when the request finishes
   * record.wrote(SLOTS.logging, line) // later: toolbar.lateWrite(record, SLOTS.logging, line)
   * ```
   */
  lateWrite(record: RequestRecord, slot: SlotKey<unknown> | undefined, item: unknown): void {
    if (record.lateCopy === LATE_COPY.watched) this.copyAgain(record)
    if (slot !== undefined) this.tellLate('onLateWrite', record, slot, item)
  }

  /**
   * @internal Told when an item whose end comes later (a render) starts in `record` after it
   * finished (`record.wroteStart(slot, item)`): as `lateWrite`, for the panels that have `onLateStart`.
   *
   * @example
   * ```ts
   * record.wroteStart(SLOTS.templates, render) // later: toolbar.lateStart(record, SLOTS.templates, render)
   * ```
   */
  lateStart(record: RequestRecord, slot: SlotKey<unknown>, item: unknown): void {
    if (record.lateCopy === LATE_COPY.watched) this.copyAgain(record)
    this.tellLate('onLateStart', record, slot, item)
  }

  private tellLate(hook: 'onLateWrite' | 'onLateStart', record: RequestRecord, slot: SlotKey<unknown>, item: unknown): void {
    const hooks = this.hooks[hook]
    for (let i = 0; i < hooks.length; i++) {
      try {
        hooks[i][hook]!(record, slot, item)
      } catch (error) {
        console.warn(`[hono-debug-toolbar] panel "${hooks[i].id}" failed on a write after the request finished:`, error)
      }
    }
  }

  private finishHook(panel: Panel<any>, record: RequestRecord): Promise<void> | undefined {
    try {
      const pending = panel.onFinish!(record)
      return pending ? pending.catch((error: unknown) => this.finishFailed(panel, error)) : undefined
    } catch (error) {
      this.finishFailed(panel, error)
      return undefined
    }
  }

  private finishFailed(panel: Panel<any>, error: unknown): void {
    console.warn(`[hono-debug-toolbar] panel "${panel.id}" failed to finish:`, error)
  }

  /** The rest of `finish()` once a hook returned a promise. */
  private async completeAsync(record: RequestRecord, pending: Promise<void>, next: number): Promise<void> {
    await pending
    const hooks = this.hooks.onFinish
    for (let i = next; i < hooks.length; i++) await this.finishHook(hooks[i], record)
    await this.storeAsync(record, this.saveDeferred(record))
  }

  /** Hands the request to a store that computes its stats itself (`defersStats`); nothing for the others. */
  private saveDeferred(record: RequestRecord): void | Promise<void> {
    return this.store.defersStats ? this.store.save(this.deferred(record)) : undefined
  }

  private async storeAsync(record: RequestRecord, stored: void | Promise<void>): Promise<void> {
    await this.written(record, stored)
    if (!(this.store instanceof MemoryStore)) this.watchLateWrites(record)
    this.finished(record)
  }

  /**
   * A store that keeps copies (a database) has the request as it was when it finished.
   * Lines that work the request left running logs later (an email sent after the answer)
   * are written again, at most every `LATE_SAVE_MS` and while the toolbar still holds the
   * record, so the history after a restart, and another instance's, shows them too. The
   * in-memory store holds the record itself and needs none of this.
   */
  private watchLateWrites(record: RequestRecord): void {
    if (record.lateCopy !== LATE_COPY.none) return
    record.lateCopy = LATE_COPY.watched
    // A line that came while the first copy was being made may have missed it.
    if (record.lateWrites > 0) this.copyAgain(record)
  }

  /** Writes a durable store's copy of `record` again in `LATE_SAVE_MS`, with what came until then. */
  private copyAgain(record: RequestRecord): void {
    record.lateCopy = LATE_COPY.due
    setTimeout(this.copyDue, LATE_SAVE_MS, record).unref()
  }

  /** Writes the copy of `record` that is due; nothing when it was written already (the store closing). Made once: no closure per copy. */
  private readonly copyDue = (record: RequestRecord): void => {
    if (record.lateCopy !== LATE_COPY.due) return
    // Pushed out of the history since (a runaway timer logging into an old request): no more writes.
    // A copy that was due when it left was written then (`copyLeaving`).
    if (this.getRecord(record.id) !== record) {
      record.lateCopy = LATE_COPY.none
      return
    }
    record.lateCopy = LATE_COPY.watched
    // Written over the first copy; listeners were told once that the request finished.
    this.track(record, this.written(record, this.saveDeferred(record)))
  }

  /** Waits for the store's write of `record`: `stored` when it took the deferred request, else the copy written now. */
  private async written(record: RequestRecord, stored: void | Promise<void>): Promise<void> {
    if (this.store.defersStats) await stored
    else await this.store.save(await this.deferred(record).resolve())
  }

  /** Keeps a request that is still being stored, so the API can wait for it. */
  private track(record: RequestRecord, done: Promise<void>): void {
    const tracked = done
      .catch((error: unknown) => console.warn(`[hono-debug-toolbar] request ${record.id} could not be stored:`, error))
      .finally(() => this.finishing.delete(record.id))
    this.finishing.set(record.id, tracked)
  }

  private finished(record: RequestRecord): void {
    if (!this.events.active) return
    this.events.emit({
      type: 'request.finished',
      data: { requestId: record.id, traceId: record.traceId, name: `${record.method} ${record.route ?? record.path}`, status: record.status },
    })
  }

  /**
   * Resolves when every request whose body was already sent has been stored.
   *
   * @example
   * ```ts
   * await app.request('/users/1')
   * await toolbar.settled() // the request is in the store now
   * (await toolbar.store.list({ limit: 1, offset: 0 })).requests[0]?.path // '/users/1'
   * ```
   */
  async settled(): Promise<void> {
    await Promise.all(this.finishing.values())
  }

  /** The finished request, with its stats computed on the first `resolve()`. */
  private deferred(record: RequestRecord): DeferredRequest {
    return new RecordedRequest(record, this)
  }

  /**
   * The stats of every panel for `record`, as they are now.
   *
   * @example
   * ```ts
   * const detail = await toolbar.snapshot(record) // while its body streams
   * detail.inFlight // true
   * detail.panels.sql // the SQL panel's stats so far
   * ```
   */
  async snapshot(record: RequestRecord): Promise<RequestDetail> {
    const panels: Record<string, unknown> = {}
    const nav: PanelNav[] = []
    let failures: Record<string, string> | undefined
    for (const panel of this.panels) {
      try {
        const stats = await panel.generateStats(record)
        panels[panel.id] = stats
        nav.push({ id: panel.id, title: panel.title, subtitle: safely(() => panel.navSubtitle(stats), '') })
      } catch (error) {
        failures ??= {}
        failures[panel.id] = `this panel failed: ${error instanceof Error ? error.message : String(error)}`
        nav.push({ id: panel.id, title: panel.title, subtitle: 'failed' })
      }
    }
    return { ...summaryOf(record), panels, nav, ...(failures && { failures }), inFlight: record.durationMs === undefined }
  }

  /**
   * A stored request, or a snapshot of one whose body is still being sent.
   *
   * @example
   * ```ts
   * toolbar.routes.get('/api/status/:id', async (c) => {
   *   const detail = await toolbar.detail(c.req.param('id'))
   *   return detail ? c.json({ status: detail.status, durationMs: detail.durationMs }) : c.json({ error: 'unknown request' }, 404)
   * })
   * ```
   */
  async detail(id: string): Promise<RequestDetail | undefined> {
    await this.finishing.get(id)
    const stored = await this.store.get(id)
    if (stored) return this.refreshed(stored)
    const live = this.getRecord(id)
    return live && live.durationMs === undefined ? this.snapshot(live) : undefined
  }

  /** `detail` with the stats of panels that describe the toolbar as they are now (a copy: the store's object stays as stored). */
  private async refreshed(detail: RequestDetail): Promise<RequestDetail> {
    let panels: Record<string, unknown> | undefined
    let nav: PanelNav[] | undefined
    for (const panel of this.hooks.refreshStats) {
      if (!(panel.id in detail.panels)) continue
      try {
        const stats = await panel.refreshStats!(detail.panels[panel.id], detail)
        panels ??= { ...detail.panels }
        nav ??= [...detail.nav]
        panels[panel.id] = stats
        const at = nav.findIndex((n) => n.id === panel.id)
        if (at >= 0) nav[at] = { ...nav[at]!, subtitle: safely(() => panel.navSubtitle(stats), '') }
      } catch {
        // The stored stats stay: they were right when the request was stored.
      }
    }
    return panels ? { ...detail, panels, nav: nav! } : detail
  }

  private remember(record: RequestRecord): void {
    // The newest record takes the oldest one's place.
    const slot = this.recordCount++ % this.maxRequests
    const leaving = this.recordRing[slot]
    this.recordRing[slot] = record
    if (leaving === undefined) return
    // Still running (a hung handler, a long stream): held until it ends, so that it is still listed and answered.
    if (leaving.durationMs === undefined) this.outlived.keep(leaving)
    // A copy due for the one leaving (lines its left-running work logged) is written now: its timer would find it gone.
    else if (leaving.lateCopy === LATE_COPY.due) this.copyLeaving(leaving)
  }

  /** Writes the due copy of a request the history lets go of; the last one: what it records later is not copied. */
  private copyLeaving(record: RequestRecord): void {
    record.lateCopy = LATE_COPY.none
    this.track(record, this.written(record, this.saveDeferred(record)))
  }
}

/** How often re-wrapped bodies that nothing read yet are looked at, while there are any. */
const UNSENT_CHECK_MS = 100

/** How long a re-wrapped body that is still the response but unread is looked at. */
const UNSENT_WATCH_MS = 60_000

/**
 * How many records with unread bodies are watched at most: past it, the toolbar looks at
 * once, and gives up on the oldest bodies still unread and still the response (a client or
 * test that never reads them) so that half the room is free again.
 */
const MAX_UNSENT_WATCHED = 1024

function safely<T>(fn: () => T, fallback: T): T {
  try {
    return fn()
  } catch {
    return fallback
  }
}
