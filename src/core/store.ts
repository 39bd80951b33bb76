import { hostname } from 'node:os'
import { newestStartFirst, type ToolbarSpan, type TraceFilter, type TracePage } from './span-model.js'
import { statusInRanges, statusRanges } from './status-filter.js'

/** This process as the `instance` column of a shared store records it: `host:pid`. */
export const PROCESS_INSTANCE = `${hostname()}:${process.pid}`

/** One line of the request history, as `GET {prefix}/api/requests` answers it. */
export interface RequestSummary {
  id: string
  method: string
  path: string
  route: string | undefined
  status: number | undefined
  /** ISO 8601 time the request arrived. */
  startedAt: string
  durationMs: number | undefined
  traceId: string | undefined
  /** Which process recorded it (`host:pid`), filled by the stores that several processes share. */
  instance?: string
}

/** A panel's entry in the toolbar's list: what the handle shows before a panel is opened. */
export interface PanelNav {
  id: string
  title: string
  subtitle: string
}

/** A finished request with every panel's stats, as `GET {prefix}/api/requests/:id` answers it. */
export interface StoredRequest extends RequestSummary {
  /** Each panel's stats by panel id (a panel that failed has none: see `failures`). */
  panels: Record<string, unknown>
  /** The panel list with each panel's subtitle for this request. */
  nav: PanelNav[]
  /** Panels whose stats could not be computed, with the reason, by panel id. */
  failures?: Record<string, string>
}

/**
 * A finished request whose panel stats are computed when first asked for. The in-memory
 * store keeps these as they come (a request nobody opens costs no stats); other stores are
 * given the resolved request, off the request path.
 */
export interface DeferredRequest extends RequestSummary {
  /** Computes the stats once and answers the request with them (the same promise each call). */
  resolve(): Promise<StoredRequest>
  /** The start in epoch milliseconds: ordered by without formatting `startedAt` for every request. */
  readonly startedMs?: number
}

export interface RequestFilter {
  limit: number
  offset: number
  /** Exact method, any case. */
  method?: string
  /** Status codes (`404`) and classes (`4xx`), separated by commas or spaces: any of them matches. */
  status?: string
  /** A substring of the path. */
  path?: string
}

export interface RequestPage {
  requests: RequestSummary[]
  total: number
  /** Requests the history dropped over its bounds so far (a durable store counts what any instance pruned). */
  dropped?: number
}

/**
 * Where the toolbar keeps finished requests, and (for stores that hold traces too) the
 * spans of every trace, recorded and received. The default is an in-memory ring buffer
 * of requests; the OpenTelemetry panel keeps live traces in its own bounded `TraceStore`.
 * A durable store implements the trace methods as well, so that any instance of an app
 * answers every API route from the store alone: the same span (trace id + span id) or
 * request (id) saved twice is stored once.
 *
 * @example
 * ```ts
 * app.use(debugToolbar({ store: new MemoryStore(200) }))
 * ```
 */
export interface ToolbarStore {
  /** True when `save()` takes a `DeferredRequest` as it is (stats computed only if read). */
  readonly defersStats?: boolean
  save(request: StoredRequest | DeferredRequest): void | Promise<void>
  get(id: string): StoredRequest | undefined | Promise<StoredRequest | undefined>
  list(filter: RequestFilter): RequestPage | Promise<RequestPage>
  /** Forgets every request (and trace). */
  clear?(): void | Promise<void>
  /** Stores ended spans (of any trace); a span already stored is replaced, never duplicated. */
  saveSpans?(spans: ToolbarSpan[], requestId?: string): void | Promise<void>
  /** The spans of one trace by start time, or undefined when the store has none. */
  getTrace?(traceId: string): ToolbarSpan[] | undefined | Promise<ToolbarSpan[] | undefined>
  /**
   * The trace list, newest first, each trace's start and duration as its waterfall draws them
   * (`listedTraceSummary`), and filtered and ordered by these.
   */
  listTraces?(filter: TraceFilter): TracePage | Promise<TracePage>
  /** What the History panel shows about the store: its kind, whether it answers, what was lost. */
  status?(): StoreStatus | Promise<StoreStatus>
  /** Writes what is queued and releases the store; the toolbar calls it on SIGINT/SIGTERM. */
  close?(): Promise<void>
  /**
   * Writes what is queued now and resolves once it is written, the store staying open
   * (`Toolbar.writeStore()`, which the OpenTelemetry panel's `shutdown()` awaits). While the
   * database does not answer it may resolve at once: the caller bounds the wait anyway.
   */
  flush?(): Promise<void>
  /** True while a write would be dropped (a durable store's queue is full): callers skip preparing one. */
  readonly full?: boolean
  /**
   * Counts `writes` a caller skipped because the store was `full` (the OpenTelemetry panel: a
   * request's recorded spans, not converted), with the writes lost (`status().dropped`).
   */
  countDropped?(writes: number): void
}

/** The state of a store, as `GET {prefix}/api/store` answers it. */
export interface StoreStatus {
  /** `memory`, `sqlite` or `postgres`. */
  kind: string
  /** Where the data lives: a file path, or `host:port/database schema` (never a password). */
  location?: string
  /** False while the database cannot be reached or refuses the store: the history may be incomplete. */
  available: boolean
  /** Why it is unavailable, or the last write the database refused. */
  error?: string
  /** Writes waiting in the queue. */
  queued: number
  /** Writes lost: the queue was full, or the database refused them. */
  dropped: number
  /** How many processes (`host:pid`) wrote what the store holds. */
  instances: number
  /** This process, as it is recorded in the `instance` column. */
  instance: string
}

/**
 * Thrown by a store's reads when its database cannot answer; the API turns it into a 503
 * with the message, so the toolbar says so instead of showing an empty or stale history.
 *
 * @example
 * ```ts
 * throw new StoreUnavailableError('PostgreSQL at db:5432 does not answer: connect ECONNREFUSED')
 * ```
 */
export class StoreUnavailableError extends Error {
  readonly status = 503
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StoreUnavailableError'
  }
}

/** Tests summaries against a filter, read once; what the SQL stores' WHERE clauses mirror, so that stores filter alike. */
export function requestMatcher(filter: RequestFilter): (request: RequestSummary) => boolean {
  const method = filter.method?.toUpperCase()
  const ranges = filter.status ? statusRanges(filter.status) : undefined
  return (request) => {
    if (method && request.method.toUpperCase() !== method) return false
    if (filter.path && !request.path.includes(filter.path)) return false
    return !ranges?.length || statusInRanges(request.status, ranges)
  }
}

/** The summary fields of a stored request (what the history list shows). */
export function summarize(request: RequestSummary): RequestSummary {
  const { id, method, path, route, status, startedAt, durationMs, traceId, instance } = request
  const summary: RequestSummary = { id, method, path, route, status, startedAt, durationMs, traceId }
  if (instance !== undefined) summary.instance = instance
  return summary
}

/**
 * A kept request's start in epoch milliseconds. A recorded request formats its ISO
 * `startedAt` only when it is listed; formatting it on every save cost about 3 µs.
 */
function startMs(request: StoredRequest | DeferredRequest): number {
  return (request as DeferredRequest).startedMs ?? Date.parse(request.startedAt)
}

/**
 * The default store: the last `maxRequests` requests in memory, oldest dropped first.
 * `dropped` counts what was pushed out, and the History panel shows it.
 *
 * @example
 * ```ts
 * const store = new MemoryStore(100)
 * app.use(debugToolbar({ store }))
 * ```
 */
export class MemoryStore implements ToolbarStore {
  readonly defersStats = true
  /**
   * The requests in a ring in start order, the newest replacing the oldest started, as the
   * durable stores prune; a request saved again leaves its place (the newer ones move back
   * one) and is saved as a new one, pushing nothing out. A request saved after one that started
   * later (a slow one) moves back to its place by start; one older than every request kept
   * is dropped at once. No `Map` is updated per request: with a Map whose entries came and
   * went, every recent request's objects outlived V8's young collections
   * (specs/performance.md, item 7: 1.8 MB kept per scavenge against 0.26 MB with the ring).
   * Lookups by id scan the ring; they come from the API, not from requests.
   */
  private readonly ring: Array<StoredRequest | DeferredRequest | undefined> = []
  private saves = 0
  private count = 0
  dropped = 0

  constructor(readonly maxRequests = 50) {
    if (!Number.isInteger(maxRequests) || maxRequests < 1) {
      throw new RangeError(`maxRequests must be a whole number of at least 1, got ${maxRequests}`)
    }
  }

  /**
   * Keeps a finished request, dropping (and counting) the oldest started when the ring is full;
   * the same id saved again is kept once.
   *
   * @example
   * ```ts
   * const store = new MemoryStore(2)
   * store.save({ id: 'a1', method: 'GET', path: '/', route: '/', status: 200, startedAt: new Date().toISOString(),
   *   durationMs: 3.2, traceId: undefined, panels: {}, nav: [] })
   * store.list({ limit: 50, offset: 0 }).total // 1
   * ```
   */
  save(request: StoredRequest | DeferredRequest): void {
    const { ring, maxRequests } = this
    // A deferred request is made once for one finished request and saved once: only a
    // stored request (an import, a test) can come again.
    if (!('resolve' in request)) {
      const previous = this.saveOf(request.id)
      if (previous !== undefined) this.remove(previous)
    }
    const at = this.saves % maxRequests
    const oldest = ring[at]
    if (oldest !== undefined) {
      this.dropped++
      // Older than every request kept: a store ordered by start keeps the others.
      if (startMs(request) < startMs(oldest)) return
    } else this.count++
    ring[at] = request
    this.moveToStartPlace(this.saves++)
  }

  /**
   * Moves the request just saved at `save` back past the requests that started after it.
   * Requests nearly always finish in start order: then it stays where it is.
   */
  private moveToStartPlace(save: number): void {
    const { ring, maxRequests } = this
    const request = ring[save % maxRequests]!
    const start = startMs(request)
    for (let s = save; s > 0 && s > this.saves - maxRequests; s--) {
      const before = ring[(s - 1) % maxRequests]
      // A place left empty by `clear()` moves forward with the others.
      if (before !== undefined && startMs(before) <= start) return
      ring[s % maxRequests] = before
      ring[(s - 1) % maxRequests] = request
    }
  }

  /** The save that put `id` where it is in the ring, newest first. */
  private saveOf(id: string): number | undefined {
    const { ring, maxRequests } = this
    for (let save = this.saves - 1; save >= 0 && save >= this.saves - maxRequests; save--) {
      if (ring[save % maxRequests]?.id === id) return save
    }
    return undefined
  }

  /**
   * Takes the request of `save` out of the ring: the newer ones move one place back, so the
   * next save fills the newest place instead of pushing out the oldest request (a full
   * history saving a request it already holds keeps every other one, as the durable stores do).
   */
  private remove(save: number): void {
    const { ring, maxRequests } = this
    for (let s = save; s < this.saves - 1; s++) ring[s % maxRequests] = ring[(s + 1) % maxRequests]
    ring[--this.saves % maxRequests] = undefined
    this.count--
  }

  /**
   * The request with this id, its stats computed on first read (then a promise), or undefined
   * when the history no longer holds it.
   *
   * @example
   * ```ts
   * const request = await store.get(c.req.header('x-debug-toolbar-request-id')!)
   * request?.panels.sql // the SQL panel's stats for that request
   * ```
   */
  get(id: string): StoredRequest | Promise<StoredRequest> | undefined {
    const save = this.saveOf(id)
    const request = save === undefined ? undefined : this.ring[save % this.maxRequests]
    if (!request) return undefined
    return 'resolve' in request ? request.resolve() : request
  }

  /**
   * A page of the history, newest started first, filtered by method, status and path, with the
   * total that matched.
   *
   * @example
   * ```ts
   * const page = store.list({ limit: 20, offset: 0, method: 'post', status: '4xx,500', path: '/api' })
   * page.requests.map((r) => `${r.method} ${r.path} ${r.status}`) // ['POST /api/orders 422', ...]
   * page.total
   * ```
   */
  list(filter: RequestFilter): RequestPage {
    const matching: Array<StoredRequest | DeferredRequest> = []
    const { ring, maxRequests } = this
    const matches = requestMatcher(filter)
    for (let save = this.saves - 1; save >= 0 && save >= this.saves - maxRequests; save--) {
      const request = ring[save % maxRequests]
      if (request && matches(request)) matching.push(request)
    }
    // Newest first by start, as the durable stores list: a slow request is saved after the
    // faster ones that started after it. The sort is stable, so requests that started in the
    // same millisecond stay newest saved first. Only the API lists; requests never wait on it.
    matching.sort(newestStartFirst)
    return { requests: matching.slice(filter.offset, filter.offset + filter.limit).map(summarize), total: matching.length }
  }

  /**
   * Forgets every request kept (what was dropped before stays counted).
   *
   * @example
   * ```ts
   * store.clear()
   * store.size // 0
   * ```
   */
  clear(): void {
    this.ring.length = 0
    this.count = 0
  }

  get size(): number {
    return this.count
  }
}

/**
 * The page `store` listed, with how many requests its history dropped over its bounds so
 * far: the in-memory history counts them itself; a durable store's page carries its count.
 *
 * @example
 * ```ts
 * const page = withDropped(store, await store.list({ limit: 50, offset: 0 })) // { requests, total, dropped: 30 }
 * ```
 */
export function withDropped(store: ToolbarStore, page: RequestPage): RequestPage {
  return store instanceof MemoryStore ? { ...page, dropped: store.dropped } : page
}
