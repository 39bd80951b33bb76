/**
 * What SqliteStore and PostgresStore share: every write goes through one bounded queue,
 * reads see what is still queued, the bounds are pruned after writes (never on a request's
 * path), and the status says whether the database answers. Each engine supplies the SQL.
 */
import type { DeferredRequest, RequestFilter, RequestPage, StoredRequest, StoreStatus, ToolbarStore } from '../core/store.js'
import { PROCESS_INSTANCE, StoreUnavailableError } from '../core/store.js'
import type { ToolbarSpan, TraceFilter, TracePage } from '../core/span-model.js'
import type { StoreWrite } from './rows.js'
import { describeError, WriteQueue } from './write-queue.js'
import { SchemaTooNewError } from './schema-version.js'

/** Options both durable stores accept. */
export interface DurableStoreOptions {
  /** Requests kept (newest first); older ones are pruned. Default 500. */
  maxRequests?: number
  /** Traces kept, with their spans. Default 1,000. */
  maxTraces?: number
  /** Requests and traces older than this (ms) are pruned too. Default: no age limit. */
  maxAgeMs?: number
  /** Most writes waiting for the database; more are dropped and counted. Default 10,000. */
  maxQueued?: number
  /** Most writes per transaction. Default 500. */
  batchSize?: number
}

/** The bounds a prune enforces. */
export interface StoreBounds {
  maxRequests: number
  maxTraces: number
  /** Oldest `started_ms` kept, when there is an age limit. */
  oldestMs: number | undefined
}

/** Rows deleted per statement when pruning, so that no transaction holds the database long. */
export const PRUNE_CHUNK = 500

/** This process as the `instance` column records it. */
export const INSTANCE = PROCESS_INSTANCE

export abstract class QueuedStore implements ToolbarStore {
  /** The toolbar hands over requests with their stats not computed yet (see `save`). */
  readonly defersStats = true
  readonly maxRequests: number
  readonly maxTraces: number
  readonly maxAgeMs: number | undefined
  protected readonly queue: WriteQueue<StoreWrite>
  /** Set when the store can never work (a schema newer than the code): every read says so. */
  protected fatalError: Error | undefined
  private closing: Promise<void> | undefined
  /** Set once the queue was written for the last time: the database is being let go. */
  private closed = false
  /** The prune when the store is opened (see `pruneOnOpen`); reads wait for it. */
  private opened: Promise<void> | undefined

  protected constructor(
    readonly kind: string,
    options: DurableStoreOptions,
  ) {
    this.maxRequests = bound('maxRequests', options.maxRequests ?? 500)
    this.maxTraces = bound('maxTraces', options.maxTraces ?? 1_000)
    this.maxAgeMs = options.maxAgeMs === undefined ? undefined : bound('maxAgeMs', options.maxAgeMs)
    this.queue = new WriteQueue<StoreWrite>({
      maxQueued: options.maxQueued,
      batchSize: options.batchSize,
      write: (batch) => this.writeAndPrune(batch),
      isTransient: (error) => this.isTransient(error),
      onError: (error, transient) =>
        console.warn(
          transient
            ? `[hono-debug-toolbar] the ${this.kind} store is unavailable, writes are queued and retried: ${describeError(error)}`
            : `[hono-debug-toolbar] the ${this.kind} store refused a write: ${describeError(error)}`,
        ),
    })
  }

  /** Where the data lives, for the status line (never a password). */
  abstract readonly location: string
  protected abstract isTransient(error: unknown): boolean
  protected abstract writeBatch(requests: StoredRequest[], spans: Array<{ span: ToolbarSpan; requestId?: string }>): void | Promise<void>
  protected abstract prune(bounds: StoreBounds): void | Promise<void>
  protected abstract readRequest(id: string): StoredRequest | undefined | Promise<StoredRequest | undefined>
  protected abstract readRequests(filter: RequestFilter): RequestPage | Promise<RequestPage>
  protected abstract readTrace(traceId: string): ToolbarSpan[] | undefined | Promise<ToolbarSpan[] | undefined>
  protected abstract readTraces(filter: TraceFilter): TracePage | Promise<TracePage>
  protected abstract countInstances(): number | Promise<number>
  protected abstract deleteAll(): void | Promise<void>
  /**
   * Completes the trace lines an older release still running wrote after the migration
   * (without the columns it does not know): the engines run it before each batch, and once
   * when the store is opened, before the prune.
   */
  protected abstract fillOlderLines(): void | Promise<void>
  protected abstract release(): void | Promise<void>

  /**
   * Queues the request; it is written with the next batch. The toolbar hands over the
   * request with its stats still to compute: they are computed here, after the response
   * was sent, and not at all when the queue is full (the write would be dropped anyway:
   * a dead database costs the app no stats work).
   */
  save(request: StoredRequest | DeferredRequest): void | Promise<void> {
    // Closed (the app is stopping): the database is gone, the write is counted as lost rather
    // than tried and refused with a warning (work a request left running logs after SIGTERM,
    // the late line rewrites its request).
    if (this.queue.full || this.closed) return this.queue.drop()
    if (!('resolve' in request)) return void this.queue.push({ request: withInstance(request) })
    return request.resolve().then((stored) => void this.queue.push({ request: withInstance(stored) }))
  }

  /** Queues ended spans; a span already stored (trace id + span id) is replaced. */
  saveSpans(spans: ToolbarSpan[], requestId?: string): void {
    if (this.closed) return this.queue.drop(spans.length)
    for (const span of spans) this.queue.push({ span, requestId })
  }

  async get(id: string): Promise<StoredRequest | undefined> {
    // Read your own writes: a request still in the queue is answered from there.
    const queued = this.queue.pending().findLast((write) => 'request' in write && write.request.id === id)
    if (queued && 'request' in queued) return queued.request
    return this.read(() => this.readRequest(id))
  }

  async list(filter: RequestFilter): Promise<RequestPage> {
    await this.queue.flush()
    await this.opened
    return this.read(() => this.readRequests(filter))
  }

  async getTrace(traceId: string): Promise<ToolbarSpan[] | undefined> {
    await this.queue.flush()
    await this.opened
    return this.read(() => this.readTrace(traceId))
  }

  async listTraces(filter: TraceFilter): Promise<TracePage> {
    await this.queue.flush()
    await this.opened
    return this.read(() => this.readTraces(filter))
  }

  async clear(): Promise<void> {
    await this.queue.flush()
    await this.read(() => this.deleteAll())
  }

  async status(): Promise<StoreStatus> {
    const queue = this.queue
    // What is written is what is counted (a dead database does not make this wait).
    await queue.flush()
    let instances = 0
    let error = queue.available ? queue.lastError : `the database does not answer: ${queue.lastError}`
    let available = queue.available && !this.fatalError
    if (this.fatalError) error = this.fatalError.message
    if (available) {
      try {
        instances = await this.countInstances()
      } catch (failure) {
        available = false
        error = `the database does not answer: ${describeError(failure)}`
      }
    }
    const status: StoreStatus = { kind: this.kind, location: this.location, available, queued: queue.size, dropped: queue.dropped + queue.refused, instances, instance: INSTANCE }
    if (error) status.error = error
    return status
  }

  /** Writes what is queued (bounded in time) and closes the database connection. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.close()
      this.closed = true
      await this.release()
    })()
    return this.closing
  }

  /** True while the write queue is full: a write now would be dropped (and counted). */
  get full(): boolean {
    return this.queue.full
  }

  /**
   * Counts writes a caller skipped because the queue was full, in the writes lost.
   *
   * @example
   * ```ts
   * if (store.full) store.countDropped(spanCount) // the History panel: "N writes lost"
   * ```
   */
  countDropped(writes: number): void {
    this.queue.drop(writes)
  }

  /** Writes waiting in the queue right now. */
  get queued(): number {
    return this.queue.size
  }

  /** Writes what is queued now (tests and scripts; the queue also flushes itself). */
  flush(): Promise<void> {
    return this.queue.flush()
  }

  /** Runs a read; a database that cannot answer becomes a StoreUnavailableError (a 503). */
  protected async read<T>(run: () => T | Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      if (error instanceof SchemaTooNewError) throw new StoreUnavailableError(error.message, { cause: error })
      if (!this.isTransient(error)) throw error
      throw new StoreUnavailableError(`the ${this.kind} store at ${this.location} is unavailable: ${describeError(error)}`, { cause: error })
    }
  }

  /**
   * Prunes what the database holds over this store's bounds now, before the first read: an
   * app restarted with a smaller `maxRequests`, or killed between a batch and the prune after
   * it, would otherwise show more than its bounds until its first write. A database that
   * does not answer yet is pruned after its first write, as usual.
   */
  protected pruneOnOpen(ready: Promise<void> = Promise.resolve()): void {
    this.opened = ready
      .then(() => this.fillOlderLines())
      .then(() => this.prune(this.bounds()))
      .catch(() => undefined)
  }

  private async writeAndPrune(batch: StoreWrite[]): Promise<void> {
    const { requests, spans } = splitWrites(batch)
    await this.writeBatch(requests, spans)
    // After the batch, in its own transactions: a prune finds nothing to delete cheaply (an index).
    await this.prune(this.bounds())
  }

  private bounds(): StoreBounds {
    const oldestMs = this.maxAgeMs === undefined ? undefined : Date.now() - this.maxAgeMs
    return { maxRequests: this.maxRequests, maxTraces: this.maxTraces, oldestMs }
  }
}

/** A batch of writes as the requests and the spans in it, each in queue order. */
export function splitWrites(batch: readonly StoreWrite[]): { requests: StoredRequest[]; spans: Array<{ span: ToolbarSpan; requestId?: string }> } {
  const requests: StoredRequest[] = []
  const spans: Array<{ span: ToolbarSpan; requestId?: string }> = []
  for (const write of batch) {
    if ('request' in write) requests.push(write.request)
    else spans.push(write)
  }
  return { requests, spans }
}

function withInstance(request: StoredRequest): StoredRequest {
  return request.instance ? request : { ...request, instance: INSTANCE }
}

function bound(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number of at least 1, got ${value}`)
  return value
}
