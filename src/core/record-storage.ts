/**
 * The toolbar's one AsyncLocalStorage: the record of the request being handled, and the
 * context a context manager keeps beside it. record.ts re-exports what is here.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { RequestRecord } from './record.js'

/**
 * What the toolbar's AsyncLocalStorage holds: the request's record, and a context that a
 * context manager keeps in the same storage (the OpenTelemetry panel's, when it is the
 * app's). One storage instead of two: Node copies every storage's value onto every promise
 * a request makes, and a second storage cost about 2 µs per request over HTTP
 * (specs/performance.md, item 12).
 */
class Frame {
  constructor(
    readonly record: RequestRecord | undefined,
    readonly shared: unknown,
  ) {}
}

const storage = new AsyncLocalStorage<Frame>()

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
  return storage.getStore()?.record
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
  return storage.run(new Frame(record, storage.getStore()?.shared), fn)
}

/**
 * The context a context manager keeps beside the record (undefined when it set none). For
 * a context manager built on the toolbar's storage, such as the OpenTelemetry panel's.
 *
 * @example
 * ```ts
 * const active = (sharedContext() as Context | undefined) ?? ROOT_CONTEXT
 * ```
 */
export function sharedContext(): unknown {
  return storage.getStore()?.shared
}

/**
 * Runs `fn` with `value` as the shared context; the current record stays current.
 *
 * @example
 * ```ts
 * runWithSharedContext(otelContext, () => handler())
 * ```
 */
export function runWithSharedContext<T, A extends unknown[]>(value: unknown, fn: (...args: A) => T, ...args: A): T {
  return storage.run(new Frame(storage.getStore()?.record, value), fn, ...args)
}

/**
 * Makes `value` the shared context for the rest of the current asynchronous execution (as
 * `AsyncLocalStorage.enterWith` does); the returned function puts back the one before.
 *
 * @example
 * ```ts
 * const restore = enterSharedContext(otelContext)
 * try { work() } finally { restore() }
 * ```
 */
export function enterSharedContext(value: unknown): () => void {
  const before = storage.getStore()
  storage.enterWith(new Frame(before?.record, value))
  let restored = false
  return () => {
    if (restored) return
    restored = true
    storage.enterWith(before ?? EMPTY_FRAME)
  }
}

const EMPTY_FRAME = new Frame(undefined, undefined)
