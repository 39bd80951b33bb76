import { useEffect, useRef, useState } from 'preact/hooks'

/** Whether the toolbar is following the server's live events. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting'

/** One message of `{prefix}/api/events` (the JSON of its data line), or `events.resync` after a reconnect. */
export interface LiveMessage {
  id?: number
  type: string
  data: { requestId?: string; traceId?: string; name?: string; spanCount?: number; services?: string[]; source?: string; count?: number }
}

const TYPES = ['request.created', 'request.finished', 'trace.created', 'trace.updated', 'trace.completed', 'events.dropped']
/** A connection the browser gave up on (a 404, a proxy error) is retried this long after, doubling. */
const FIRST_RETRY_MS = 2_000
const MAX_RETRY_MS = 30_000

/**
 * The page's one connection to `{prefix}/api/events`, shared by every panel that follows it.
 * It opens with the first listener and closes with the last. The browser's EventSource
 * reconnects on its own (sending `Last-Event-ID`, so the server replays what was missed);
 * when it gives up, a new one is opened after a growing delay with `?lastEventId=`.
 *
 * @example
 * ```ts
 * const stop = liveEvents(prefix).subscribe((message) => console.log(message.type))
 * ```
 */
export class LiveEventClient {
  status: LiveStatus = 'connecting'
  private source: EventSource | undefined
  private readonly listeners = new Set<(message: LiveMessage) => void>()
  private readonly observers = new Set<(message: LiveMessage) => void>()
  private readonly statusListeners = new Set<(status: LiveStatus) => void>()
  private lastId: string | undefined
  private retryMs = FIRST_RETRY_MS
  private retryTimer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly prefix: string) {}

  /** Calls `listener` with every message; returns the function that stops it. */
  subscribe(listener: (message: LiveMessage) => void): () => void {
    this.listeners.add(listener)
    if (this.listeners.size === 1) this.open()
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size === 0) this.shut()
    }
  }

  /**
   * Calls `listener` with the messages of the connection the panels opened, without opening
   * one: a page whose toolbar shows no live panel keeps no connection (and the server emits
   * nothing for it). Returns the function that stops it.
   */
  observe(listener: (message: LiveMessage) => void): () => void {
    this.observers.add(listener)
    return () => this.observers.delete(listener)
  }

  /** Calls `listener` on every change of status; returns the function that stops it. */
  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(listener)
    return () => this.statusListeners.delete(listener)
  }

  private open(): void {
    if (typeof EventSource === 'undefined') return
    const query = this.lastId ? `?lastEventId=${encodeURIComponent(this.lastId)}` : ''
    const source = new EventSource(`${this.prefix}/api/events${query}`)
    this.source = source
    source.onopen = () => {
      this.retryMs = FIRST_RETRY_MS
      const resumed = this.status === 'reconnecting'
      this.setStatus('live')
      // The server replays what it still has; panels also reload, in case it had not all of it.
      if (resumed) this.dispatch({ type: 'events.resync', data: {} })
    }
    source.onerror = () => {
      if (source.readyState === EventSource.CONNECTING) return this.setStatus('reconnecting')
      // Closed for good by the browser (not an event stream, a 404): try again later ourselves.
      source.close()
      this.source = undefined
      this.setStatus('reconnecting')
      this.retryTimer = setTimeout(() => this.open(), this.retryMs)
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS)
    }
    const onMessage = (event: MessageEvent<string>) => {
      if (event.lastEventId) this.lastId = event.lastEventId
      let message: LiveMessage
      try {
        message = JSON.parse(event.data) as LiveMessage
      } catch {
        return
      }
      this.dispatch(message)
    }
    for (const type of TYPES) source.addEventListener(type, onMessage as EventListener)
  }

  private dispatch(message: LiveMessage): void {
    for (const listener of this.listeners) listener(message)
    for (const observer of this.observers) observer(message)
  }

  private shut(): void {
    clearTimeout(this.retryTimer)
    this.source?.close()
    this.source = undefined
    // The next panel to follow loads its data fresh: no replay of what happened meanwhile.
    this.lastId = undefined
    this.setStatus('connecting')
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.status) return
    this.status = status
    for (const listener of this.statusListeners) listener(status)
  }
}

const clients = new Map<string, LiveEventClient>()

/**
 * The page's live event client for the toolbar at `prefix`.
 *
 * @example
 * ```ts
 * liveEvents('/_debug_toolbar').subscribe((m) => m.type === 'request.finished' && reload())
 * ```
 */
export function liveEvents(prefix: string): LiveEventClient {
  let client = clients.get(prefix)
  if (!client) clients.set(prefix, (client = new LiveEventClient(prefix)))
  return client
}

/**
 * Follows the live events while the component is mounted: `onChange` is called (at most
 * once per `debounceMs`) after messages `matches` accepts, and the status is returned so
 * the panel can say whether it is live.
 *
 * @example
 * ```tsx
 * const live = useLiveUpdates(prefix, (m) => m.type === 'request.finished', () => setReload((n) => n + 1))
 * return <LiveBadge status={live} />
 * ```
 */
export function useLiveUpdates(prefix: string, matches: (message: LiveMessage) => boolean, onChange: () => void, debounceMs = 250): LiveStatus {
  const client = liveEvents(prefix)
  const [status, setStatus] = useState<LiveStatus>(client.status)
  const latest = useRef({ matches, onChange })
  latest.current = { matches, onChange }

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const stopStatus = client.onStatus(setStatus)
    const stop = client.subscribe((message) => {
      // Dropped events, or a connection that was down, may hide one this panel wanted: refresh.
      const unsure = message.type === 'events.dropped' || message.type === 'events.resync'
      if (!unsure && !latest.current.matches(message)) return
      timer ??= setTimeout(() => {
        timer = undefined
        latest.current.onChange()
      }, debounceMs)
    })
    setStatus(client.status)
    return () => {
      clearTimeout(timer)
      stop()
      stopStatus()
    }
  }, [client, debounceMs])

  return status
}
