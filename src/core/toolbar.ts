import { Hono, type Context, type Next } from 'hono'
import { routePath } from 'hono/route'
import type { Panel, ServerTimingMetric } from './panel.js'
import type { RequestRecord } from './record.js'
import { MemoryStore, type DeferredRequest, type PanelNav, type StoredRequest, type ToolbarStore } from './store.js'
import { ToolbarEvents } from './events.js'
import type { ToolbarHost } from './host.js'
import { injectIntoHtml, observeBody } from './body.js'
import { nodeOutgoing, watchOutgoing, type NodeOutgoing } from './node-response.js'
import { formatServerTiming } from './server-timing.js'
import { loaderTag } from './loader.js'
import { packageVersion } from './package-root.js'
import type { DebugToolbarOptions } from './options.js'

/** A request as the API answers it. */
export interface RequestDetail extends StoredRequest {
  /** True while the body is still being sent: the stats are a snapshot. */
  inFlight?: boolean
}

export const REQUEST_ID_HEADER = 'X-Debug-Toolbar-Request-Id'

type Hook = 'onRequest' | 'around' | 'onResponse' | 'onFinish' | 'serverTiming'

/**
 * The toolbar of one app: its panels, its store, the records of recent requests and the
 * toolbar's own routes. The middleware hands every allowed request to `record()`.
 *
 * The request path does only what every request needs: the panels' hooks (one list per
 * hook, holding only the panels that define it), the loader tag for HTML, two headers, and
 * the moment the last byte went out. Panel stats are computed when first asked for.
 */
export class Toolbar implements ToolbarHost {
  readonly routes: Hono
  readonly store: ToolbarStore
  readonly events = new ToolbarEvents()
  readonly panels: Panel<any>[]
  readonly app: Hono | undefined
  readonly version = packageVersion()
  /** Raw records of recent requests, oldest first, for on-demand work (EXPLAIN, stats). */
  private readonly records = new Map<string, RequestRecord>()
  private readonly maxRequests: number
  /** Requests whose body has been sent and that are being stored. */
  private readonly finishing = new Map<string, Promise<void>>()
  private readonly hooks: Record<Hook, Panel<any>[]>

  constructor(
    readonly prefix: string,
    panels: Panel<any>[],
    private readonly options: Pick<DebugToolbarOptions, 'maxRequests' | 'store' | 'app' | 'nonce'>,
  ) {
    this.maxRequests = options.maxRequests ?? 50
    this.store = options.store ?? new MemoryStore(this.maxRequests)
    this.app = options.app as Hono | undefined
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
      serverTiming: having('serverTiming'),
    }
    // Not strict: `{prefix}/` and `{prefix}` are the same page.
    this.routes = new Hono({ strict: false }).basePath(prefix)
  }

  getRecord(id: string): RequestRecord | undefined {
    return this.records.get(id)
  }

  /** Runs the app's handler for `c` while recording it into `record`. */
  async record(c: Context, next: Next, record: RequestRecord): Promise<void> {
    this.remember(record)
    const outgoing = nodeOutgoing(c)
    // Known before the handler runs: on Node it goes straight onto the Node response, so
    // the app's Response is never copied to add it.
    outgoing?.setHeader(REQUEST_ID_HEADER, record.id)
    for (const panel of this.hooks.onRequest) {
      const pending = panel.onRequest!(record, c)
      if (pending) await pending
    }
    // Nothing is built for events nobody listens to.
    if (this.events.size) {
      this.events.emit({ type: 'request.created', data: { requestId: record.id, traceId: record.traceId, name: `${record.method} ${record.path}` } })
    }
    const snippet = this.snippet(c, record)
    injectHtmlStrings(c, record, snippet)
    try {
      await this.around(0, record, c, next)
    } catch (error) {
      // Only reached when the app rethrows from onError; the record still completes.
      record.error = error
      record.status = 500
      await this.finish(record)
      throw error
    }
    record.headersMs = record.now()
    record.status = c.res.status
    record.route = routePath(c) || undefined
    record.error ??= c.error
    for (const panel of this.hooks.onResponse) {
      const pending = panel.onResponse!(record, c)
      if (pending) await pending
    }
    if (outgoing) this.watchNode(c, record, outgoing, snippet)
    else this.rewrap(c, record, snippet)
  }

  /** The panels' `around` hooks, first panel outermost, with the app's handler innermost. */
  private around(index: number, record: RequestRecord, c: Context, next: Next): Promise<void> {
    const panel = this.hooks.around[index]
    if (!panel) return next()
    return panel.around!(record, c, () => this.around(index + 1, record, c, next))
  }

  private snippet(c: Context, record: RequestRecord): string {
    const nonce = this.options.nonce ? this.options.nonce(c) : (c.get('secureHeadersNonce' as never) as string | undefined)
    return loaderTag(this.prefix, record.id, this.version, nonce)
  }

  private serverTiming(record: RequestRecord): string {
    const metrics: ServerTimingMetric[] = []
    for (const panel of this.hooks.serverTiming) metrics.push(...safely<ServerTimingMetric[]>(() => panel.serverTiming!(record), []))
    return formatServerTiming(metrics)
  }

  /**
   * Node: the response goes out as the app made it (node-server's fast path for in-memory
   * bodies); the Node response tells how many bytes were written and when the last one
   * went. Only HTML that the toolbar could not inject as a string is re-wrapped.
   */
  private watchNode(c: Context, record: RequestRecord, outgoing: NodeOutgoing, snippet: string): void {
    const res = c.res
    if (res.status === 101 || outgoing.headersSent) {
      void this.finish(record)
      return
    }
    let chunks = 0
    const onChunk = (bytes: number) => {
      record.responseBytes += bytes
      if (++chunks === 2) record.streamed = true
    }
    // HTML that did not get the tag as a string (JSX, a stream, a Response the app built)
    // gets it as its bytes pass; the app's bytes are then counted before the tag goes in.
    const body = record.htmlInjected === undefined && isInjectable(res) ? res.body : null
    if (body) {
      const headers = res.headers
      headers.delete('content-length')
      c.res = undefined
      c.res = new Response(observeBody(body, { onChunk, onEnd() {} }, snippet), { status: res.status, statusText: res.statusText, headers })
    }
    const tagBytes = record.htmlInjected ?? 0
    watchOutgoing(outgoing, {
      onChunk: body ? () => {} : onChunk,
      serverTiming: () => this.serverTiming(record),
      onEnd: (outcome) => {
        // The figures are the app's own body: the tag is not counted.
        record.responseBytes = Math.max(0, record.responseBytes - tagBytes)
        record.aborted = outcome !== 'done'
        void this.finish(record)
      },
    })
  }

  /**
   * Other runtimes: the body is re-wrapped, never buffered, to know when it was sent, and
   * HTML gets the tag as its bytes pass (see body.ts).
   */
  private rewrap(c: Context, record: RequestRecord, snippet: string): void {
    const res = c.res
    res.headers.set(REQUEST_ID_HEADER, record.id)
    const timing = this.serverTiming(record)
    if (timing) res.headers.append('Server-Timing', timing)
    if (!res.body || res.status === 101) {
      void this.finish(record)
      return
    }
    const headers = new Headers(res.headers)
    const inject = record.htmlInjected === undefined && isInjectable(res)
    if (inject) headers.delete('content-length')
    const tagBytes = record.htmlInjected ?? 0
    // A body the app wrote in one piece is not a stream, however long the server took to send it.
    let chunks = 0
    const body = observeBody(
      res.body,
      {
        onChunk: (bytes) => {
          record.responseBytes += bytes
          if (++chunks === 2) record.streamed = true
        },
        onEnd: (outcome) => {
          record.responseBytes = Math.max(0, record.responseBytes - tagBytes)
          record.aborted = outcome !== 'done'
          void this.finish(record)
        },
      },
      inject ? snippet : undefined,
    )
    // Hono's setter would copy the old headers (a stale content-length among them): clear first.
    c.res = undefined
    c.res = new Response(body, { status: res.status, statusText: res.statusText, headers })
  }

  /** Runs the panels' finish hooks once the body has been sent, and stores the request. */
  private finish(record: RequestRecord): Promise<void> {
    // Registered synchronously, so that an API call made right after the last byte
    // arrived waits for this request instead of missing it.
    const done = this.complete(record).finally(() => this.finishing.delete(record.id))
    this.finishing.set(record.id, done)
    return done
  }

  /** Resolves when every request whose body was already sent has been stored. */
  async settled(): Promise<void> {
    await Promise.all(this.finishing.values())
  }

  private async complete(record: RequestRecord): Promise<void> {
    record.durationMs = record.now()
    for (const panel of this.hooks.onFinish) {
      try {
        const pending = panel.onFinish!(record)
        if (pending) await pending
      } catch (error) {
        console.warn(`[hono-debug-toolbar] panel "${panel.id}" failed to finish:`, error)
      }
    }
    const deferred = this.deferred(record)
    if (this.store.defersStats) await this.store.save(deferred)
    else await this.store.save(await deferred.resolve())
    if (this.events.size) {
      this.events.emit({
        type: 'request.finished',
        data: { requestId: record.id, traceId: record.traceId, name: `${record.method} ${record.route ?? record.path}`, status: record.status },
      })
    }
  }

  /** The finished request, with its stats computed on the first `resolve()`. */
  private deferred(record: RequestRecord): DeferredRequest {
    let resolved: Promise<StoredRequest> | undefined
    return {
      ...summaryOf(record),
      resolve: () => (resolved ??= this.snapshot(record).then(({ inFlight: _inFlight, ...stored }) => stored)),
    }
  }

  /** The stats of every panel for `record`, as they are now. */
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

  /** A stored request, or a snapshot of one whose body is still being sent. */
  async detail(id: string): Promise<RequestDetail | undefined> {
    await this.finishing.get(id)
    const stored = await this.store.get(id)
    if (stored) return stored
    const live = this.records.get(id)
    return live && live.durationMs === undefined ? this.snapshot(live) : undefined
  }

  private remember(record: RequestRecord): void {
    this.records.set(record.id, record)
    if (this.records.size > this.maxRequests) this.records.delete(this.records.keys().next().value as string)
  }
}

function summaryOf(record: RequestRecord) {
  return {
    id: record.id,
    method: record.method,
    path: record.path,
    route: record.route,
    status: record.status,
    startedAt: record.startedAtIso,
    durationMs: record.durationMs,
    traceId: record.traceId,
  }
}

/**
 * Makes `c.html(string)` put the loader tag into the string before the Response exists, so
 * an HTML page the app wrote in one piece goes out as a plain in-memory body. Other HTML
 * (JSX, streams, a Response the app built) gets the tag as its bytes pass instead.
 */
function injectHtmlStrings(c: Context, record: RequestRecord, snippet: string): void {
  const html = c.html
  c.html = function htmlWithToolbar(content: unknown, ...rest: unknown[]) {
    if (typeof content === 'string' && record.htmlInjected === undefined) {
      const injected = injectIntoHtml(content, snippet)
      if (injected !== undefined) {
        record.htmlInjected = Buffer.byteLength(snippet)
        return (html as (...args: unknown[]) => unknown)(injected, ...rest)
      }
    }
    return (html as (...args: unknown[]) => unknown)(content, ...rest)
  } as typeof c.html
}

function isInjectable(res: Response): boolean {
  const headers = res.headers
  const type = headers.get('content-type')
  if (!type || !/^text\/html\b/i.test(type)) return false
  const encoding = headers.get('content-encoding')
  return !encoding || encoding === 'identity'
}

function safely<T>(fn: () => T, fallback: T): T {
  try {
    return fn()
  } catch {
    return fallback
  }
}
