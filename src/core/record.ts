import { AsyncLocalStorage } from 'node:async_hooks'
import { randomBytes } from 'node:crypto'

/**
 * Everything one request collects. Panels are created once per app and are shared by
 * concurrent requests, so per-request data never lives on a panel: it lives here, in
 * named slots, and the record is found through AsyncLocalStorage by recorders called
 * from app code (`currentRecord()`).
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
  /** The matched route pattern, e.g. `/users/:id`, known once the handler ran. */
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
  /** The client went away before the body was complete. */
  aborted = false
  /** Set by tracing panels so the history and API can link to the trace. */
  traceId: string | undefined
  /** An error thrown by the handler (Hono's `c.error`). */
  error: unknown
  private readonly slots = new Map<string, unknown>()

  constructor(init: { method: string; url: string; path: string; id?: string; startPerf?: number }) {
    this.id = init.id ?? randomBytes(8).toString('hex')
    this.method = init.method
    this.url = init.url
    this.path = init.path
    this.startPerf = init.startPerf ?? performance.now()
    // Anchored to the wall clock now rather than to performance.timeOrigin: the two drift
    // apart over a process's life, and spans timed by other code (the OpenTelemetry SDK
    // stamps with Date.now()) must line up with ours. Date.now() has millisecond
    // resolution, so the middle of its millisecond is taken (error at most ±0.5 ms);
    // offsets within the request keep performance.now()'s full resolution.
    const now = performance.now()
    this.startedAt = Date.now() + 0.5 - (now - this.startPerf)
  }

  /** Milliseconds since the request started (high resolution). */
  now(): number {
    return performance.now() - this.startPerf
  }

  /** Milliseconds from the request start to a `performance.now()` reading. */
  offsetOf(perfTime: number): number {
    return perfTime - this.startPerf
  }

  /**
   * The per-request slot named `key`, created on first use.
   *
   * @example
   * ```ts
   * const queries = record.slot('sql', () => [] as RecordedQuery[])
   * queries.push(query)
   * ```
   */
  slot<T>(key: string, create: () => T): T {
    let value = this.slots.get(key) as T | undefined
    if (value === undefined) {
      value = create()
      this.slots.set(key, value)
    }
    return value
  }

  /** The slot named `key` if something created it. */
  peek<T>(key: string): T | undefined {
    return this.slots.get(key) as T | undefined
  }
}

const storage = new AsyncLocalStorage<RequestRecord>()

/**
 * The record of the request being handled, or undefined outside a recorded request.
 * Recorders call this and do nothing when it is undefined.
 *
 * @example
 * ```ts
 * import { currentRecord } from 'hono-debug-toolbar'
 * const record = currentRecord()
 * if (record) record.slot('my-panel', () => []).push({ at: record.now() })
 * ```
 */
export function currentRecord(): RequestRecord | undefined {
  return storage.getStore()
}

/**
 * Runs `fn` with `record` as the current record (the middleware does this for each request).
 *
 * @example
 * ```ts
 * await runWithRecord(new RequestRecord({ method: 'GET', url, path: '/' }), () => handler())
 * ```
 */
export function runWithRecord<T>(record: RequestRecord, fn: () => T): T {
  return storage.run(record, fn)
}
