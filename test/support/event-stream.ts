import { createParser, type EventSourceMessage } from 'eventsource-parser'

/** A parsed live message: the SSE fields plus the JSON of its data line. */
export interface ReceivedEvent {
  id?: string
  event?: string
  json: { id?: number; type: string; data: Record<string, any> }
}

/** A client of `{prefix}/api/events` reading the stream with eventsource-parser (Node 20 has no EventSource). */
export interface EventStreamClient {
  status: number
  events: ReceivedEvent[]
  comments: string[]
  /** Resolves with the first event (already received or to come) matching `test`; rejects after `timeoutMs`. */
  next(test: (event: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>
  close(): void
}

/**
 * Opens the event stream at `url` (with `Last-Event-ID` when given) and parses it as it arrives.
 *
 * @example
 * ```ts
 * const client = await openEventStream(`${server.url}/_debug_toolbar/api/events`)
 * await client.next((e) => e.event === 'request.finished')
 * client.close()
 * ```
 */
export async function openEventStream(url: string, lastEventId?: string): Promise<EventStreamClient> {
  const controller = new AbortController()
  const res = await fetch(url, { headers: lastEventId ? { 'last-event-id': lastEventId } : {}, signal: controller.signal })
  const events: ReceivedEvent[] = []
  const comments: string[] = []
  const waiters = new Set<() => void>()
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      events.push({ id: message.id, event: message.event, json: JSON.parse(message.data) })
      for (const waiter of waiters) waiter()
    },
    onComment: (comment) => {
      comments.push(comment.trim())
      for (const waiter of waiters) waiter()
    },
  })
  if (res.body) {
    void (async () => {
      const decoder = new TextDecoder()
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }))
      } catch {
        // Aborted by close().
      }
    })()
  }
  return {
    status: res.status,
    events,
    comments,
    next(test, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        let seen = 0
        const check = () => {
          for (; seen < events.length; seen++) {
            if (test(events[seen]!)) {
              waiters.delete(check)
              clearTimeout(timer)
              resolve(events[seen]!)
              return
            }
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${events.map((e) => e.event).join(', ')}`))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    close: () => controller.abort(),
  }
}
