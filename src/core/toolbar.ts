import { Hono, type Context, type Next } from 'hono'
import { routePath } from 'hono/route'
import type { Panel, ServerTimingMetric } from './panel.js'
import { RequestRecord } from './record.js'
import { MemoryStore, type PanelNav, type StoredRequest, type ToolbarStore } from './store.js'
import { ToolbarEvents } from './events.js'
import type { ToolbarHost } from './host.js'
import { observeBody } from './body.js'
import { formatServerTiming } from './server-timing.js'
import { loaderTag } from './loader.js'
import { packageVersion } from './package-root.js'
import type { DebugToolbarOptions } from './options.js'
import type { TraceSource } from './trace-source.js'

/** A request as the API answers it. */
export interface RequestDetail extends StoredRequest {
  /** True while the body is still being sent: the stats are a snapshot. */
  inFlight?: boolean
}

export const REQUEST_ID_HEADER = 'X-Debug-Toolbar-Request-Id'

/**
 * The toolbar of one app: its panels, its store, the records of recent requests and the
 * toolbar's own routes. The middleware hands every allowed request to `record()`.
 */
export class Toolbar implements ToolbarHost {
  readonly routes: Hono
  readonly store: ToolbarStore
  readonly events = new ToolbarEvents()
  readonly panels: Panel<any>[]
  readonly app: Hono | undefined
  /** The traces a tracing panel offered (see `provideTraces`), if any. */
  traceSource: TraceSource | undefined
  readonly version = packageVersion()
  /** Raw records of recent requests, oldest first, for on-demand work (EXPLAIN, live stats). */
  private readonly records = new Map<string, RequestRecord>()
  private readonly maxRequests: number
  /** Requests whose body has been sent and whose stats are being computed. */
  private readonly finishing = new Map<string, Promise<void>>()

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
    // Not strict: `{prefix}/` and `{prefix}` are the same page.
    this.routes = new Hono({ strict: false }).basePath(prefix)
  }

  getRecord(id: string): RequestRecord | undefined {
    return this.records.get(id)
  }

  provideTraces(source: TraceSource): void {
    this.traceSource = source
  }

  /** Runs the app's handler for `c` while recording it into `record`. */
  async record(c: Context, next: Next, record: RequestRecord): Promise<void> {
    this.remember(record)
    // The hooks run after an await, in this request's own async resource: a panel that enters
    // an async context there (the OpenTelemetry panel's active span) cannot leak it to the server.
    await undefined
    for (const panel of this.panels) await panel.onRequest?.(record, c)
    try {
      await next()
    } catch (error) {
      // Only reached when the app rethrows from onError; the record still completes.
      record.error = error
      record.status = 500
      await this.finish(record, c)
      throw error
    }
    record.headersMs = record.now()
    record.status = c.res.status
    record.route = routePath(c) || undefined
    record.error ??= c.error
    for (const panel of this.panels) await panel.onResponse?.(record, c)
    this.decorate(c, record)
  }

  /** Adds the headers, injects the loader into HTML and finishes the record when the body is sent. */
  private decorate(c: Context, record: RequestRecord): void {
    const res = c.res
    res.headers.set(REQUEST_ID_HEADER, record.id)
    const timing = formatServerTiming(this.panels.flatMap((p) => safely<ServerTimingMetric[]>(() => p.serverTiming?.(record) ?? [], [])))
    if (timing) res.headers.append('Server-Timing', timing)
    if (!res.body || res.status === 101) {
      void this.finish(record, c)
      return
    }
    const headers = new Headers(res.headers)
    let snippet: string | undefined
    if (isInjectable(res)) {
      const nonce = this.options.nonce ? this.options.nonce(c) : (c.get('secureHeadersNonce' as never) as string | undefined)
      snippet = loaderTag(this.prefix, record.id, this.version, nonce)
      headers.delete('content-length')
    }
    // The figures are the app's own body (the tag is not counted), and a body the app wrote
    // in one piece is not a stream, however long the server took to send it.
    let chunks = 0
    const body = observeBody(
      res.body,
      {
        onChunk: (bytes) => {
          record.responseBytes += bytes
          if (++chunks === 2) record.streamed = true
        },
        onEnd: (outcome) => {
          record.aborted = outcome !== 'done'
          void this.finish(record, c)
        },
      },
      snippet,
    )
    // Hono's setter would copy the old headers (a stale content-length among them): clear first.
    c.res = undefined
    c.res = new Response(body, { status: res.status, statusText: res.statusText, headers })
  }

  /** Computes every panel's stats once the body has been sent, and stores the request. */
  private finish(record: RequestRecord, c: Context): Promise<void> {
    // Registered synchronously, so that an API call made right after the last byte
    // arrived waits for this request instead of missing it.
    const done = this.complete(record, c).finally(() => this.finishing.delete(record.id))
    this.finishing.set(record.id, done)
    return done
  }

  /** Resolves when every request whose body was already sent has been stored. */
  async settled(): Promise<void> {
    await Promise.all(this.finishing.values())
  }

  private async complete(record: RequestRecord, c: Context): Promise<void> {
    record.durationMs = record.now()
    record.status ??= c.res.status
    for (const panel of this.panels) {
      try {
        await panel.onFinish?.(record)
      } catch (error) {
        console.warn(`[hono-debug-toolbar] panel "${panel.id}" failed to finish:`, error)
      }
    }
    const { inFlight: _inFlight, ...stored } = await this.snapshot(record)
    await this.store.save(stored)
    this.events.emit({
      type: 'request.created',
      data: { requestId: record.id, traceId: record.traceId, name: `${record.method} ${record.route ?? record.path}`, status: record.status },
    })
  }

  /** The stats of every panel for `record`, as they are now. */
  async snapshot(record: RequestRecord): Promise<RequestDetail> {
    const panels: Record<string, unknown> = {}
    const nav: PanelNav[] = []
    for (const panel of this.panels) {
      let stats: unknown
      try {
        stats = await panel.generateStats(record)
      } catch (error) {
        stats = { error: `this panel failed: ${error instanceof Error ? error.message : String(error)}` }
      }
      panels[panel.id] = stats
      nav.push({ id: panel.id, title: panel.title, subtitle: safely(() => panel.navSubtitle(stats), '') })
    }
    return {
      id: record.id,
      method: record.method,
      path: record.path,
      route: record.route,
      status: record.status,
      startedAt: new Date(record.startedAt).toISOString(),
      durationMs: record.durationMs,
      traceId: record.traceId,
      panels,
      nav,
      inFlight: record.durationMs === undefined,
    }
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
    while (this.records.size > this.maxRequests) {
      this.records.delete(this.records.keys().next().value as string)
    }
  }
}

function isInjectable(res: Response): boolean {
  const type = res.headers.get('content-type') ?? ''
  const encoding = res.headers.get('content-encoding')
  return /^text\/html\b/i.test(type) && (!encoding || encoding === 'identity')
}

function safely<T>(fn: () => T, fallback: T): T {
  try {
    return fn()
  } catch {
    return fallback
  }
}
