import type { Context } from 'hono'
import { randomBytes } from 'node:crypto'
import type { SlotKey } from '../shapes/slot-key.js'
import type { UnsentBody } from './unsent-body.js'

export { slotKey, type SlotKey } from '../shapes/slot-key.js'
export { currentRecord, enterSharedContext, runWithRecord, runWithSharedContext, sharedContext } from './record-storage.js'

// Request ids: a random prefix per process and a counter. Unique across the instances that
// share a durable store, and no random bytes drawn per request.
const ID_PREFIX = randomBytes(4).toString('hex')
let idCounter = 0

function nextId(): string {
  idCounter = (idCounter + 1) >>> 0
  return ID_PREFIX + idCounter.toString(16).padStart(8, '0')
}

/**
 * How long writes into a finished request gather before a durable store's copy of it is
 * written again: by the toolbar (the request) and by the OpenTelemetry panel (its trace's spans).
 */
export const LATE_SAVE_MS = 250

/** Where the toolbar is with a durable store's copy of a request that late writes changed (`RequestRecord.lateCopy`). */
export const LATE_COPY = { none: 0, watched: 1, due: 2 } as const
export type LateCopy = (typeof LATE_COPY)[keyof typeof LATE_COPY]

/**
 * Told of each write into a finished request (see `RequestRecord.wrote`): with the slot and
 * the item a recorder added, or without them for a write that kept nothing.
 */
export interface LateWriter {
  lateWrite(record: RequestRecord, slot: SlotKey<unknown> | undefined, item: unknown): void
  /** Told that an item whose end comes later (a render) started in a finished request (see `RequestRecord.wroteStart`). */
  lateStart?(record: RequestRecord, slot: SlotKey<unknown>, item: unknown): void
}

/**
 * Everything one request collects. Panels are created once per app and are shared by
 * concurrent requests, so per-request data never lives on a panel: it lives here, in
 * named slots, and the record is found through AsyncLocalStorage by recorders called
 * from app code (`currentRecord()`).
 *
 * @example
 * ```ts
 * import { currentRecord } from 'hono-debug-toolbar'
 * app.get('/users/:id', (c) => {
 *   const record = currentRecord() // this request's RequestRecord, undefined outside one
 *   if (record) record.slot('cache', () => ({ hits: 0 })).hits++
 *   return c.json({ requestId: record?.id })
 * })
 * ```
 */
export class RequestRecord {
  readonly id: string
  readonly method: string
  readonly path: string
  readonly url: string
  /** `performance.now()` when the toolbar saw the request: the origin of every offset. */
  readonly startPerf: number
  /** Epoch milliseconds of `startPerf`, on the wall clock (fractional). */
  readonly startedAt: number
  /**
   * The matched route pattern, e.g. `/users/:id`: the route ahead when the request starts,
   * the one that answered once the handler returned (see `app-route.ts`).
   */
  route: string | undefined
  status: number | undefined
  /** Milliseconds from the start until the response headers were ready. */
  headersMs: number | undefined
  /** Milliseconds from the start until the last byte of the body was handed to the server. */
  durationMs: number | undefined
  /** Bytes of the response body as the app produced it (before the toolbar's tag). */
  responseBytes = 0
  /** True when the app wrote its body in more than one chunk (a stream). */
  streamed = false
  /** The body was not sent whole: the client went away, or the body failed (then `error` says why). */
  aborted = false
  /**
   * The toolbar's response was not the one sent: a middleware registered before the toolbar
   * answered another one after it (or threw, and onError answered), on a runtime where the
   * toolbar re-wraps the body. `status` is the one answered; the body sent was not seen.
   */
  responseReplaced = false
  /** The re-wrapped body while nothing has read it (see unsent-body.ts); undefined after. */
  unsentBody: UnsentBody | undefined = undefined
  /** Set by tracing panels so the history and API can link to the trace. */
  traceId: string | undefined
  /** Bytes of the loader tag when it was put into the HTML string the app passed to `c.html()`. */
  htmlInjected: number | undefined
  /** The Response that `c.html()` made with the tag, and the bytes of the app's own HTML. */
  htmlResponse: unknown
  htmlBytes = 0
  /** An error thrown by the handler (Hono's `c.error`), or the error of a body that failed while it was sent. */
  error: unknown
  /**
   * Writes into the record after the request finished (a line logged by work the request
   * left running, such as an email sent after the answer): stats computed before that are
   * computed again when next asked. See `wrote()`.
   */
  lateWrites = 0
  /**
   * Told of each write after the request finished: the toolbar, set when the request
   * finishes if a panel has `onLateWrite` (the OpenTelemetry panel turns such items into
   * spans of the request's trace) or the store keeps copies (a durable store has the copy
   * taken when the request finished, and the toolbar writes it again). One field for both,
   * so that a request allocates nothing for either.
   */
  lateWriter: LateWriter | undefined = undefined
  /**
   * The toolbar's copy of the request in a durable store after late writes: `LATE_COPY.none`
   * until the first copy is written (and for the in-memory store, which holds the record
   * itself), then `watched`, and `due` while a write of it waits (see toolbar.ts).
   */
  lateCopy: LateCopy = LATE_COPY.none
  /**
   * The request's Hono context while the app's handler runs, for the toolbar's wrappers of
   * its methods (`callingContext()`); undefined before and after, so that a record kept in
   * the history does not keep the request's objects.
   */
  handlerContext: Context | undefined = undefined
  /**
   * The slots, newest first: a request has a handful (one or two per panel), so a scan is as
   * quick as a Map and allocates far less. Made of class instances, not an array literal: see
   * `Slot`.
   */
  private slots: Slot | undefined
  private iso: string | undefined

  /**
   * The request's headers as they arrived: Node's raw `[name, value, name, value...]` list
   * (no copy is made) or the Request's `Headers`. Read through `requestHeaders()` and
   * `requestHeader()`, when a panel is shown.
   */
  private readonly headerSource: ReadonlyArray<string> | Headers | undefined

  constructor(init: { method: string; url: string; path: string; id?: string; startPerf?: number; headers?: ReadonlyArray<string> | Headers }) {
    this.id = init.id ?? nextId()
    this.headerSource = init.headers
    this.method = init.method
    this.url = init.url
    this.path = init.path
    const now = performance.now()
    this.startPerf = init.startPerf ?? now
    // Anchored to the wall clock now rather than to performance.timeOrigin: the two drift
    // apart over a process's life, and spans timed by other code must line up with ours.
    // The OpenTelemetry SDK starts a span at Date.now(), the start of its millisecond, so
    // the request starts at the start of its millisecond too (up to 1 ms early): a span the
    // handler starts at once then never starts before the request's SERVER span, as it did
    // by up to 0.5 ms when the middle of the millisecond was taken. Offsets within the
    // request keep performance.now()'s full resolution.
    this.startedAt = Date.now() - (now - this.startPerf)
  }

  /**
   * The request headers as `[name, value]` pairs, names in lower case, in arrival order.
   *
   * @example
   * ```ts
   * generateStats(record: RequestRecord) {
   *   return { headers: record.requestHeaders() } // [['host', 'localhost:3000'], ['accept', 'text/html'], ...]
   * }
   * ```
   */
  requestHeaders(): Array<[string, string]> {
    const source = this.headerSource
    if (!source) return []
    if (!Array.isArray(source)) return [...(source as Headers).entries()]
    const pairs: Array<[string, string]> = []
    for (let i = 0; i + 1 < source.length; i += 2) pairs.push([source[i].toLowerCase(), source[i + 1]])
    return pairs
  }

  /**
   * One request header (any case), its values joined by `, ` as `Headers.get()` does.
   *
   * @example
   * ```ts
   * record.requestHeader('User-Agent') // 'curl/8.5.0'
   * record.requestHeader('x-missing') // undefined
   * ```
   */
  requestHeader(name: string): string | undefined {
    const source = this.headerSource
    if (!source) return undefined
    if (!Array.isArray(source)) return (source as Headers).get(name) ?? undefined
    const wanted = name.toLowerCase()
    let value: string | undefined
    for (let i = 0; i + 1 < source.length; i += 2) {
      if (source[i].length === wanted.length && source[i].toLowerCase() === wanted) value = value === undefined ? source[i + 1] : `${value}, ${source[i + 1]}`
    }
    return value
  }

  /**
   * The response headers, set by the toolbar when the response is known: those the Node
   * response sent (names in any case) or the final Response's `Headers`.
   */
  responseHeaderSource: Record<string, unknown> | Headers | undefined

  /**
   * The response headers as `[name, value]` pairs, names in lower case.
   *
   * @example
   * ```ts
   * onFinish(record: RequestRecord) {
   *   const sent = record.responseHeaders() // [['content-type', 'text/html; charset=UTF-8'], ...]
   * }
   * ```
   */
  responseHeaders(): Array<[string, string]> {
    const source = this.responseHeaderSource
    if (!source) return []
    if (source instanceof Headers) return [...source.entries()]
    const pairs: Array<[string, string]> = []
    for (const [name, value] of Object.entries(source)) {
      const lower = name.toLowerCase()
      if (Array.isArray(value)) for (const one of value) pairs.push([lower, String(one)])
      else if (value !== undefined) pairs.push([lower, String(value)])
    }
    return pairs
  }

  /**
   * One response header (any case), as sent.
   *
   * @example
   * ```ts
   * record.responseHeader('Content-Type') // 'application/json'
   * ```
   */
  responseHeader(name: string): string | undefined {
    const source = this.responseHeaderSource
    if (!source) return undefined
    if (source instanceof Headers) return source.get(name) ?? undefined
    const wanted = name.toLowerCase()
    for (const key in source) {
      if (key.length !== wanted.length || key.toLowerCase() !== wanted) continue
      const value = source[key]
      return value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : String(value)
    }
    return undefined
  }

  /** `startedAt` as ISO 8601 (formatted once, on first use). */
  get startedAtIso(): string {
    return (this.iso ??= new Date(this.startedAt).toISOString())
  }

  /**
   * Milliseconds since the request started (high resolution).
   *
   * @example
   * ```ts
   * const startMs = record.now() // e.g. 2.41: milliseconds into the request
   * await cache.get(key)
   * record.slot('cache', () => [] as { startMs: number; durationMs: number }[]).push({ startMs, durationMs: record.now() - startMs })
   * ```
   */
  now(): number {
    return performance.now() - this.startPerf
  }

  /**
   * Recorders call this when they add an item: one added after the request finished makes
   * the stats taken before it stale. With the slot and the item it was added to (a log line
   * to `SLOTS.logging`), panels that have `onLateWrite` are told of it too; call it once per
   * item, without them for a write that kept nothing (an item counted as dropped). An item
   * told before it is done (a render, `wroteStart`) is told here once more, when it ends.
   *
   * @example
   * ```ts
   * const AUDIT = slotKey<string[]>('audit')
   * const lines = record.slot(AUDIT, () => [])
   * lines.push('user 42 signed in')
   * record.wrote(AUDIT, 'user 42 signed in') // after the request finished, its stats are computed again
   * ```
   */
  wrote(slot?: SlotKey<unknown>, item?: unknown): void {
    if (this.durationMs === undefined) return
    this.lateWrites++
    this.lateWriter?.lateWrite(this, slot, item)
  }

  /**
   * `wrote()` for an item added before it is done (a template render, whose end and duration
   * come later): after the request finished, it makes the stats stale, and panels that have
   * `onLateStart` learn the item started. Its end is told as any item is, once, with
   * `wrote(slot, item)`, so `onLateWrite` still hears of each item once.
   *
   * @example
   * ```ts
   * const renders = record.slot(RENDERS, () => [])
   * const render = { name: 'receipt.eta', startMs: record.now(), durationMs: undefined as number | undefined }
   * renders.push(render)
   * record.wroteStart(RENDERS, render) // after the request finished: the render started
   * await eta.renderAsync('receipt', data)
   * render.durationMs = record.now() - render.startMs
   * record.wrote(RENDERS, render) // it ended
   * ```
   */
  wroteStart(slot: SlotKey<unknown>, item: unknown): void {
    if (this.durationMs === undefined) return
    this.lateWrites++
    this.lateWriter?.lateStart?.(this, slot, item)
  }

  /**
   * Milliseconds from the request start to a `performance.now()` reading.
   *
   * @example
   * ```ts
   * const began = performance.now()
   * await work()
   * const startMs = record.offsetOf(began) // milliseconds from the request's start
   * ```
   */
  offsetOf(perfTime: number): number {
    return perfTime - this.startPerf
  }

  /**
   * The per-request slot named `key`, created on first use.
   *
   * @example
   * ```ts
   * const queries = record.slot(slotKey<RecordedQuery[]>('my-queries'), () => [])
   * queries.push(query)
   * ```
   */
  slot<T>(key: SlotKey<T> | string, create: () => T): T {
    const name = typeof key === 'string' ? key : key.name
    for (let slot = this.slots; slot; slot = slot.next) if (slot.name === name) return slot.value as T
    const value = create()
    this.slots = new Slot(name, value, this.slots)
    return value
  }

  /**
   * The slot named `key` if something created it.
   *
   * @example
   * ```ts
   * const CACHE = slotKey<{ hits: number }>('cache')
   * record.peek(CACHE)?.hits ?? 0 // 0 when nothing in the request touched the cache
   * ```
   */
  peek<T>(key: SlotKey<T> | string): T | undefined {
    const name = typeof key === 'string' ? key : key.name
    for (let slot = this.slots; slot; slot = slot.next) if (slot.name === name) return slot.value as T
    return undefined
  }
}

/**
 * One slot of a record. A class rather than an array or object literal: V8 allocates the
 * objects of a literal directly in the old generation once it has seen them survive (a
 * record lives on in the history), and an old object keeps every young object it points to
 * alive through each young-generation collection until the next full one. An array of slots
 * did that to every request's panel data (see specs/performance.md, item 8).
 */
class Slot {
  constructor(
    readonly name: string,
    readonly value: unknown,
    readonly next: Slot | undefined,
  ) {}
}
