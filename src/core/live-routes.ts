import type { Context } from 'hono'
import type { UpgradeWebSocket, WSContext } from 'hono/ws'
import { positiveInteger, type ToolbarEvents } from './events.js'
import { connectLiveClient, parseLastEventId, type LiveClient, type LiveMessage, type LiveSink } from './live-client.js'
import type { Toolbar } from './toolbar.js'

/** Bounds and timing of the live events routes (`debugToolbar({ liveEvents })`). */
export interface LiveEventsOptions {
  /** Events kept for clients that reconnect with `Last-Event-ID`. Default 500. */
  replaySize?: number
  /** How long events are still buffered after the last client left (ms). Default 60,000. */
  replayWindowMs?: number
  /** Messages queued per client before further events are dropped and counted. Default 1,000. */
  clientQueueSize?: number
  /** Interval of the heartbeat on an idle connection (ms). Default 15,000. */
  heartbeatMs?: number
}

const encoder = new TextEncoder()

const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  // Reverse proxies (nginx) would otherwise buffer the stream.
  'X-Accel-Buffering': 'no',
}

/**
 * The live event routes: `GET {prefix}/api/events` (server-sent events) and, when the app
 * passes `upgradeWebSocket`, `{prefix}/ws` with the same messages as JSON text frames.
 *
 * @example
 * ```ts
 * registerLiveRoutes(toolbar, { liveEvents: { heartbeatMs: 15_000 }, upgradeWebSocket })
 * ```
 */
export function registerLiveRoutes(toolbar: Toolbar, options: { liveEvents?: LiveEventsOptions; upgradeWebSocket?: UpgradeWebSocket<any, any> }): void {
  const heartbeatMs = positiveInteger(options.liveEvents?.heartbeatMs ?? 15_000, 'heartbeatMs')
  const queueSize = positiveInteger(options.liveEvents?.clientQueueSize ?? 1_000, 'clientQueueSize')

  toolbar.routes.get('/api/events', (c) => {
    const lastId = parseLastEventId(c.req.header('last-event-id') ?? c.req.query('lastEventId'))
    if (typeof lastId === 'object') return c.json({ error: lastId.error }, 400)
    // HEAD (curl -I) gets the headers alone: a stream nobody reads would never be cancelled,
    // and its client would queue events for good.
    if (c.req.method === 'HEAD') return new Response(null, { headers: STREAM_HEADERS })
    return new Response(eventStream(toolbar.events, { lastId, heartbeatMs, queueSize }), { headers: STREAM_HEADERS })
  })

  const upgrade = options.upgradeWebSocket
  if (upgrade) {
    toolbar.routes.get(
      '/ws',
      upgrade((c: Context) => {
        const lastId = parseLastEventId(c.req.query('lastEventId'))
        let client: LiveClient | undefined
        return {
          onOpen(_event: Event, ws: WSContext) {
            if (typeof lastId === 'object') return ws.close(1008, lastId.error)
            client = connectLiveClient(toolbar.events, socketSink(ws, queueSize, () => client?.flush()), { lastId, heartbeatMs })
          },
          onClose: () => client?.close(),
          onError: () => client?.close(),
        }
      }),
    )
  }
}

/**
 * A server-sent events body for one client. The stream's own queue is the client's queue
 * (`CountQueuingStrategy`): the server pulls from it only as fast as the socket drains, and
 * `desiredSize` says synchronously whether one more event fits.
 */
function eventStream(events: ToolbarEvents, options: { lastId?: number; heartbeatMs: number; queueSize: number }): ReadableStream<Uint8Array> {
  let client: LiveClient | undefined
  let open = true
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // `retry` sets the browser's reconnect delay. The `id` (with no data: no event is
        // dispatched) is where this client stands, so a reconnect before its first event still
        // sends a Last-Event-ID and gets what it missed. The block gets the headers out at once.
        const at = options.lastId ?? events.lastId
        controller.enqueue(encoder.encode(`retry: 2000\nid: ${at}\n: connected\n\n`))
        const sink: LiveSink = {
          ready: () => open && (controller.desiredSize ?? 0) > 0,
          send: (message) => controller.enqueue(encoder.encode(formatServerSentEvent(message))),
          heartbeat: () => controller.enqueue(encoder.encode(': heartbeat\n\n')),
        }
        client = connectLiveClient(events, sink, options)
      },
      pull() {
        client?.flush()
      },
      cancel() {
        // The client went away: stop following and free its queue.
        open = false
        client?.close()
      },
    },
    new CountQueuingStrategy({ highWaterMark: options.queueSize }),
  )
}

/**
 * One message in the text/event-stream format: events carry their id (for `Last-Event-ID`);
 * a dropped-events notice has none, so it never moves a client's replay position.
 *
 * @example
 * ```ts
 * formatServerSentEvent({ id: 7, event: { type: 'request.finished', data: { requestId: 'a1', name: 'GET /' } } })
 * // 'id: 7\nevent: request.finished\ndata: {"type":"request.finished","data":{...}}\n\n'
 * ```
 */
export function formatServerSentEvent(message: LiveMessage): string {
  const id = 'id' in message ? `id: ${message.id}\n` : ''
  const type = 'id' in message ? message.event.type : message.type
  return `${id}event: ${type}\ndata: ${JSON.stringify(jsonMessage(message))}\n\n`
}

/** The JSON of a message, as the SSE `data:` line and the WebSocket frame carry it. */
function jsonMessage(message: LiveMessage): object {
  return 'id' in message ? { id: message.id, type: message.event.type, data: message.event.data } : message
}

/** The raw `ws` socket behind Hono's WSContext on @hono/node-server. */
interface NodeWebSocket {
  send(data: string, callback: (error?: Error) => void): void
  ping?(): void
}

/**
 * A WebSocket client's queue: messages handed to the socket and not yet written count
 * against `queueSize` (the `ws` send callback says when one is written).
 */
function socketSink(ws: WSContext, queueSize: number, onRoom: () => void): LiveSink {
  const raw = ws.raw as NodeWebSocket | undefined
  let pending = 0
  return {
    ready: () => ws.readyState === 1 && pending < queueSize,
    send(message) {
      const text = JSON.stringify(jsonMessage(message))
      if (typeof raw?.send !== 'function') return ws.send(text)
      pending++
      raw.send(text, () => {
        pending--
        onRoom()
      })
    },
    heartbeat: () => raw?.ping?.(),
  }
}

