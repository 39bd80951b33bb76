/** The kinds of live event the toolbar emits. */
export type ToolbarEventType = 'request.created' | 'request.finished' | 'trace.created' | 'trace.updated' | 'trace.completed'

/** What the toolbar tells live listeners (the browser, through server-sent events or a WebSocket). */
export interface ToolbarEvent {
  type: ToolbarEventType
  data: {
    requestId?: string
    traceId?: string
    name: string
    spanCount?: number
    services?: string[]
    source?: string
    status?: number
  }
}

/** An emitted event with the id it is sent and replayed under. */
export interface NumberedEvent {
  id: number
  event: ToolbarEvent
}

/** Called with each event and its id (what a client sends back as `Last-Event-ID`). */
export type ToolbarEventListener = (event: ToolbarEvent, id: number) => void

/** What `ToolbarEvents.since(lastId)` found in the replay buffer. */
export interface Replay {
  events: NumberedEvent[]
  /** Events after `lastId` that have already left the buffer (the client is told how many). */
  missed: number
}

/** Bounds of the event hub. */
export interface ToolbarEventsOptions {
  /** Events kept for replay to clients that reconnect with `Last-Event-ID`. Default 500. */
  replaySize?: number
  /**
   * How long the hub keeps numbering and buffering events after the last listener left, so a
   * client that reconnects finds what it missed (ms). Default 60,000. With no listener and no
   * recent one, `emit()` returns at once.
   */
  replayWindowMs?: number
}

/**
 * The toolbar's live event hub. Producers (the request recorder, the trace store, receivers)
 * call `emit()`; listeners (each open SSE or WebSocket connection) are called synchronously
 * and must never block: they queue or drop. Every event gets an increasing id and is kept in
 * a bounded replay buffer. A failing listener never affects the others or the producer.
 *
 * @example
 * ```ts
 * const events = new ToolbarEvents({ replaySize: 100 })
 * const stop = events.subscribe((event, id) => console.log(id, event.type))
 * if (events.active) events.emit({ type: 'trace.updated', data: { traceId, name: 'GET /', spanCount: 4 } })
 * stop()
 * ```
 */
export class ToolbarEvents {
  private readonly listeners = new Set<ToolbarEventListener>()
  private readonly buffer: NumberedEvent[] = []
  private readonly replaySize: number
  private readonly replayWindowMs: number
  /**
   * The last id issued. Ids start at the hub's creation time in microseconds, not at 1, so
   * the hub of a restarted process numbers above anything the last one issued (unless that
   * one averaged more than an event per microsecond): a browser reconnecting with the old
   * process's `Last-Event-ID` gets the new events instead of skipping as many as it had seen.
   */
  private issued = Date.now() * 1000
  /** The id before this hub's first: an id at or below it was given by another hub. */
  private readonly origin = this.issued
  /**
   * `performance.now()` when the replay window of the last listener to leave ends;
   * -Infinity when none ever came or that window has been seen to end.
   */
  private quietAt = Number.NEGATIVE_INFINITY

  constructor(options: ToolbarEventsOptions = {}) {
    this.replaySize = positiveInteger(options.replaySize ?? 500, 'replaySize')
    this.replayWindowMs = positiveInteger(options.replayWindowMs ?? 60_000, 'replayWindowMs')
  }

  /**
   * Adds a listener and returns the function that removes it.
   *
   * @example
   * ```ts
   * const stop = events.subscribe((event, id) => {
   *   if (event.type === 'request.finished') console.log(id, event.data.requestId, event.data.status)
   * })
   * stop() // the listener hears nothing more
   * ```
   */
  subscribe(listener: ToolbarEventListener): () => void {
    this.listeners.add(listener)
    return () => {
      if (this.listeners.delete(listener) && this.listeners.size === 0) this.quietAt = performance.now() + this.replayWindowMs
    }
  }

  /**
   * Whether an event emitted now would reach anyone: a listener is connected, or one left
   * within the replay window. Producers test it before building an event, so a toolbar nobody
   * watches pays one property read per event.
   */
  get active(): boolean {
    if (this.listeners.size > 0) return true
    // Nobody came, or the window already ended: no clock read.
    if (this.quietAt === Number.NEGATIVE_INFINITY) return false
    if (performance.now() < this.quietAt) return true
    this.quietAt = Number.NEGATIVE_INFINITY
    return false
  }

  /**
   * Numbers the event, keeps it for replay and hands it to every listener.
   *
   * @example
   * ```ts
   * if (events.active) {
   *   events.emit({ type: 'request.finished', data: { requestId: record.id, name: 'GET /users/:id', status: 200 } })
   * }
   * ```
   */
  emit(event: ToolbarEvent): void {
    if (!this.active) return
    const id = ++this.issued
    this.buffer.push({ id, event })
    if (this.buffer.length > this.replaySize) this.buffer.shift()
    for (const listener of this.listeners) {
      try {
        listener(event, id)
      } catch {
        // A broken listener (a closed connection) must not break the request that emitted.
      }
    }
  }

  /**
   * The buffered events after `lastId`, for a client that reconnects. An id this hub never
   * gave (the process restarted since, or the client followed another one) replays the whole
   * buffer, and counts as missed only what this hub emitted and no longer holds.
   *
   * @example
   * ```ts
   * const { events: replay, missed } = events.since(Number(c.req.header('last-event-id') ?? 0))
   * for (const { id, event } of replay) stream.writeSSE({ id: String(id), data: JSON.stringify(event) })
   * if (missed > 0) console.log(`${missed} events left the buffer before the client came back`)
   * ```
   */
  since(lastId: number): Replay {
    const oldest = this.buffer[0]?.id ?? this.issued + 1
    const from = lastId > this.issued || lastId < this.origin ? this.origin : lastId
    const missed = Math.max(0, oldest - from - 1)
    return { events: this.buffer.filter((numbered) => numbered.id > from), missed }
  }

  /** The id of the newest event emitted (before the first, the one below the first id). */
  get lastId(): number {
    return this.issued
  }

  /** The number of listeners connected now. */
  get size(): number {
    return this.listeners.size
  }
}

/** Checks a `liveEvents` bound when the toolbar is created, naming the option. */
export function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`liveEvents.${name} must be a positive whole number, got ${value}`)
  return value
}
