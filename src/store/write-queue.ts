/**
 * The one write path of a durable store. Recording a request only pushes onto this queue;
 * a timer drains it in batches (one transaction each), so the request never waits on the
 * database. The queue is bounded: when it is full, new writes are dropped and counted.
 * When the database cannot be reached, the batch stays at the head of the queue and is
 * retried with exponential backoff; a batch the database refuses for what it contains
 * (not for being down) is retried item by item, so one bad item loses only itself.
 */

export interface WriteQueueOptions<T> {
  /** Writes one batch, all or nothing; throws when the database fails. */
  write: (batch: T[]) => void | Promise<void>
  /** Whether an error means "the database is unavailable, try again later". */
  isTransient: (error: unknown) => boolean
  /** Most writes held; more are dropped and counted. Default 10,000. */
  maxQueued?: number
  /** Most writes per transaction. Default 500. */
  batchSize?: number
  /** How long a write waits for others to join its batch (ms). Default 25. */
  delayMs?: number
  /** First retry after this (ms), doubling up to `maxRetryMs`. Defaults 100 and 5,000. */
  minRetryMs?: number
  maxRetryMs?: number
  /** Told once per outage and once per refused write, so that the console is not flooded. */
  onError?: (error: unknown, transient: boolean) => void
}

/**
 * A bounded, batched queue of writes with retry.
 *
 * @example
 * ```ts
 * const queue = new WriteQueue<Row>({ write: (rows) => insertAll(rows), isTransient: (e) => isConnectionError(e) })
 * queue.push(row) // false when the queue is full (counted in queue.dropped)
 * await queue.flush()
 * ```
 */
export class WriteQueue<T> {
  /** Writes lost because the queue was full. */
  dropped = 0
  /** Writes the database refused (not retried). */
  refused = 0
  written = 0
  /** False from a transient failure until the next write succeeds. */
  available = true
  lastError: string | undefined
  private items: T[] = []
  private timer: NodeJS.Timeout | undefined
  private draining: Promise<void> | undefined
  private retryMs: number
  private readonly options: Required<Omit<WriteQueueOptions<T>, 'onError'>> & Pick<WriteQueueOptions<T>, 'onError'>

  constructor(options: WriteQueueOptions<T>) {
    const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as WriteQueueOptions<T>
    this.options = { maxQueued: 10_000, batchSize: 500, delayMs: 25, minRetryMs: 100, maxRetryMs: 5_000, ...given }
    for (const name of ['maxQueued', 'batchSize'] as const) {
      const value = this.options[name]
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number of at least 1, got ${value}`)
    }
    this.retryMs = this.options.minRetryMs
  }

  /** Queues one write; false (and counted in `dropped`) when the queue is full. */
  push(item: T): boolean {
    if (this.items.length >= this.options.maxQueued) {
      this.dropped++
      return false
    }
    this.items.push(item)
    this.schedule(this.options.delayMs)
    return true
  }

  /** True when a write pushed now would be dropped: the caller can skip preparing it. */
  get full(): boolean {
    return this.items.length >= this.options.maxQueued
  }

  /** Counts `writes` (one by default) the caller dropped because the queue was full. */
  drop(writes = 1): void {
    this.dropped += writes
  }

  /** Writes queued now. */
  get size(): number {
    return this.items.length
  }

  /** The queued writes, oldest first (reads look here for what is not written yet). */
  pending(): readonly T[] {
    return this.items
  }

  /**
   * Writes everything queued now. While the database is unavailable it returns at once
   * (the retry timer keeps trying), so a reader never waits on a dead database.
   */
  async flush(): Promise<void> {
    if (!this.available && this.timer) return
    clearTimeout(this.timer)
    this.timer = undefined
    await this.drain()
  }

  /** Tries to write what is left, once, within `timeoutMs`; then stops the timers. */
  async close(timeoutMs = 3_000): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    let bound: NodeJS.Timeout | undefined
    await Promise.race([this.drain(), new Promise<void>((resolve) => (bound = setTimeout(resolve, timeoutMs)))])
    clearTimeout(bound)
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.draining) return
    this.arm(delayMs)
  }

  private arm(delayMs: number): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.drain()
    }, delayMs)
    // A queue alone never keeps the process alive; shutdown flushes it (flushOnSignals).
    this.timer.unref()
  }

  private drain(): Promise<void> {
    this.draining ??= this.drainAll().finally(() => {
      this.draining = undefined
      // Writes pushed while the last batch was being written.
      if (this.items.length && this.available) this.schedule(0)
    })
    return this.draining
  }

  private async drainAll(): Promise<void> {
    while (this.items.length) {
      const batch = this.items.slice(0, this.options.batchSize)
      try {
        await this.options.write(batch)
        this.items.splice(0, batch.length)
        this.written += batch.length
        this.recovered()
      } catch (error) {
        if (this.options.isTransient(error)) return this.retryLater(error)
        this.items.splice(0, batch.length)
        if (!(await this.writeOneByOne(batch, error))) return
      }
    }
  }

  /** A batch the database refused: each write alone, so that only the bad ones are lost. False when it went down meanwhile. */
  private async writeOneByOne(batch: T[], batchError: unknown): Promise<boolean> {
    if (batch.length === 1) {
      this.refuse(batchError)
      return true
    }
    for (const [index, item] of batch.entries()) {
      try {
        await this.options.write([item])
        this.written++
      } catch (error) {
        if (this.options.isTransient(error)) {
          // The database went away meanwhile: what is left goes back to the head of the queue.
          this.items.unshift(...batch.slice(index))
          this.retryLater(error)
          return false
        }
        this.refuse(error)
      }
    }
    return true
  }

  private refuse(error: unknown): void {
    this.refused++
    this.lastError = describeError(error)
    this.options.onError?.(error, false)
  }

  private retryLater(error: unknown): void {
    if (this.available) this.options.onError?.(error, true)
    this.available = false
    this.lastError = describeError(error)
    this.arm(this.retryMs)
    this.retryMs = Math.min(this.retryMs * 2, this.options.maxRetryMs)
  }

  private recovered(): void {
    // The outage is over: its error no longer describes the store.
    if (!this.available) this.lastError = undefined
    this.available = true
    this.retryMs = this.options.minRetryMs
  }
}

/** An error's message, with its code when it has one (`ECONNREFUSED`, `SQLITE_BUSY`). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const code = (error as { code?: unknown }).code
  const message = error.message || (error instanceof AggregateError ? error.errors.map(describeError).join('; ') : error.name)
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message
}
