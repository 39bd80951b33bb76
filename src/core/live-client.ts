import type { NumberedEvent, ToolbarEvents } from './events.js'

/** Told to a client whose queue was full: how many events it did not get. */
export interface DroppedNotice {
  type: 'events.dropped'
  data: { count: number }
}

/** What a live client receives: a numbered event, or a notice of dropped ones. */
export type LiveMessage = NumberedEvent | DroppedNotice

/** The transport of one client (an SSE stream, a WebSocket). */
export interface LiveSink {
  /** Whether the client's queue has room for one more message now. */
  ready(): boolean
  send(message: LiveMessage): void
  /** Keeps an idle connection open through proxies (an SSE comment, a WebSocket ping). */
  heartbeat(): void
}

/** One connected client; `flush()` is called when its queue has room again. */
export interface LiveClient {
  flush(): void
  close(): void
}

/**
 * Connects a client to the hub: replays what it missed after `lastId` (when it reconnects),
 * then follows new events. Delivery never waits: when the client's queue is full the event
 * is dropped and counted, and the client is told the count (`events.dropped`) as soon as it
 * has room again, so a slow or vanished client never holds up recording or ingestion.
 *
 * @example
 * ```ts
 * const client = connectLiveClient(toolbar.events, { send, ready, heartbeat }, { lastId: 41, heartbeatMs: 15_000 })
 * // on close of the connection:
 * client.close()
 * ```
 */
export function connectLiveClient(events: ToolbarEvents, sink: LiveSink, options: { lastId?: number; heartbeatMs: number }): LiveClient {
  let dropped = 0
  let closed = false

  const flush = () => {
    if (closed || dropped === 0 || !sink.ready()) return
    sink.send({ type: 'events.dropped', data: { count: dropped } })
    dropped = 0
  }
  const deliver = (event: NumberedEvent) => {
    flush()
    if (closed) return
    if (dropped > 0 || !sink.ready()) {
      dropped++
      return
    }
    sink.send(event)
  }

  if (options.lastId !== undefined) {
    const replay = events.since(options.lastId)
    dropped += replay.missed
    for (const numbered of replay.events) deliver(numbered)
  }
  const unsubscribe = events.subscribe((event, id) => deliver({ id, event }))
  const timer = setInterval(() => {
    flush()
    if (!closed && sink.ready()) sink.heartbeat()
  }, options.heartbeatMs)
  // A heartbeat alone must not keep the process alive.
  timer.unref?.()

  return {
    flush,
    close() {
      if (closed) return
      closed = true
      clearInterval(timer)
      unsubscribe()
    },
  }
}

/**
 * Reads the id a reconnecting client sends (`Last-Event-ID`, or `lastEventId` in the query
 * for clients that cannot set headers): undefined when absent, a message when malformed.
 *
 * @example
 * ```ts
 * const lastId = parseLastEventId(c.req.header('last-event-id') ?? c.req.query('lastEventId'))
 * ```
 */
export function parseLastEventId(raw: string | undefined): number | undefined | { error: string } {
  if (raw === undefined || raw === '') return undefined
  const id = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isSafeInteger(id)) return { error: `Last-Event-ID must be an event id such as 1796068800000001, got "${raw.slice(0, 40)}"` }
  return id
}
