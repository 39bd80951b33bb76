/**
 * WebSocket spans: a wrapper for the events given to Hono's `upgradeWebSocket` that turns
 * each connection into a SERVER span from the upgrade to the close (with the close code
 * and reason), each message received into a `WS receive <name>` span holding the SQL, logs
 * and spans made while handling it (and later, by work its handler left running), and each
 * message sent into a span event with its size.
 * All of them join the upgrade request's trace, which stays open while the socket is, so
 * the request's waterfall grows. See specs/websocket.md.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { Attributes, Context as OtelContext, HrTime, Span, Tracer } from '@opentelemetry/api'
import type { Context } from 'hono'
import type { WSContext, WSEvents, WSMessageReceive } from 'hono/ws'
import { currentRecord, RequestRecord, runWithRecord, slotKey, type LateWriter, type SlotKey } from '../core/record.js'
import { SLOTS } from '../shapes/records.js'
import type { ConvertCounts, ConvertKind } from './converter.js'
import { convertLateWrite, type ClosingWork, type LateConversion } from './late-close.js'
import type { RenderSpan } from './late-work.js'
import { hrTimeAfter, hrTimeFromEpochMs, laterThan, OTEL_SLOT, type RequestSpanState } from './request-span.js'
import { messageName, messageSize } from './websocket-message.js'

/** What the OpenTelemetry panel lends the wrapper, in each request's record. */
export interface WebSocketTracing extends LateConversion {
  tracer: Tracer
  /**
   * The connections open now, and those closed whose message handlers still run while their
   * trace takes spans: their spans end when the process stops (`serverStopped`).
   */
  open: Set<OpenConnection>
}

/**
 * A traced connection whose socket is open or whose message handlers still run, as the
 * OpenTelemetry panel sees it when the process stops.
 */
export interface OpenConnection {
  /**
   * Ends the spans of the message handlers still running (`websocket.message.running_at_shutdown`)
   * and the connection span (`websocket.open_at_shutdown`) now; the socket is left as it is.
   */
  serverStopped(): void
  /** Closed, with handlers still running, and its trace takes no spans: nothing it ends would be kept. */
  lingers(): boolean
}

const UPGRADE_SLOT = slotKey<true>('opentelemetry.websocket.upgrade')

export interface TracedWebSocketOptions {
  /** The name of a received message in `WS receive <name>` (default: `messageName`). */
  messageName?: (data: WSMessageReceive) => string
  /** Messages per connection that get a span (default 1,000); later ones are counted only. */
  maxMessageSpans?: number
}

type EventsFactory<T> = WSEvents<T> | ((c: Context) => WSEvents<T> | Promise<WSEvents<T>>)

// RFC 6455, 7.4.1: these close codes report a failure; 1000, 1001 and 1005 do not.
const FAILURE_CLOSE_CODES = new Set([1002, 1003, 1006, 1007, 1008, 1009, 1010, 1011, 1015])

/**
 * Traces a WebSocket endpoint: wrap the events (or the function that makes them) you give
 * to `upgradeWebSocket`. Outside a request the toolbar records (toolbar disabled, address
 * not allowed, no OpenTelemetry panel) the events are returned untouched.
 *
 * @example
 * ```ts
 * import { serve, upgradeWebSocket } from '@hono/node-server'
 * import { WebSocketServer } from 'ws'
 * import { tracedWebSocket } from 'hono-debug-toolbar/opentelemetry'
 *
 * app.get('/chat', upgradeWebSocket(tracedWebSocket(() => ({
 *   onMessage(event, ws) {
 *     const { text } = JSON.parse(String(event.data)) // {"type":"chat","text":"hi"} -> span "WS receive chat"
 *     db.prepare('INSERT INTO messages (text) VALUES (?)').run(text)
 *     ws.send(JSON.stringify({ type: 'ack' }))
 *   },
 * }))))
 * serve({ fetch: app.fetch, websocket: { server: new WebSocketServer({ noServer: true }) } })
 * ```
 */
export function tracedWebSocket<T = unknown>(
  createEvents: EventsFactory<T>,
  options: TracedWebSocketOptions = {},
): (c: Context) => Promise<WSEvents<T>> {
  const max = options.maxMessageSpans ?? 1000
  if (!Number.isInteger(max) || max < 0) throw new TypeError(`maxMessageSpans must be a non-negative integer, got ${JSON.stringify(max)}`)
  return async function createTracedEvents(c: Context): Promise<WSEvents<T>> {
    const events = typeof createEvents === 'function' ? await createEvents(c) : createEvents
    const record = currentRecord()
    const state = record?.peek(OTEL_SLOT as SlotKey<RequestSpanState & { websocket?: WebSocketTracing }>)
    const tools = state?.websocket
    if (!record || !state || !tools) return events
    record.slot(UPGRADE_SLOT, () => true)
    return new TracedConnection(record, state, tools, events, { messageName: options.messageName ?? messageName, maxMessageSpans: max }).events()
  }
}

/**
 * Records a response that upgraded to a WebSocket as `101 Switching Protocols`. On Node
 * the app answers the upgrade with an empty 200 Response (a Response cannot carry 101) and
 * the server then sends the 101 itself. The OpenTelemetry panel calls this in onResponse.
 *
 * @example
 * ```ts
 * markWebSocketUpgrade(record, c.res)
 * record.status // 101 for an upgraded request
 * ```
 */
export function markWebSocketUpgrade(record: RequestRecord, res: Response): void {
  if (record.peek(UPGRADE_SLOT) && res.status === 200 && !res.body) record.status = 101
}

/**
 * The record a handler call runs in. Once the handler settled, what it recorded became
 * spans under `parent`; work it left running (a timer, a promise not awaited) writes into
 * it later, and its connection (the `lateWriter`) converts each such item under `parent`,
 * as the OpenTelemetry panel converts a request's. It is its own `LateWork`, so a handler
 * call makes no other object for this.
 */
class HandlerRecord extends RequestRecord implements ClosingWork {
  /** What the handler's data converted when it settled; `convertLate` adds to it. */
  counts!: ConvertCounts
  /** The first render not converted when the handler settled. */
  rendersFrom = 0
  waiting?: Map<number, Array<{ kind: ConvertKind; item: unknown }>>
  unfinished?: Map<number, RenderSpan>
  // Set only on a record with a late render started inside a span the app had open: no field on the others.
  declare startedIn?: Map<number, OtelContext>
  // Set only on a record whose late work waits for a render: no field on the others.
  declare closeTimer?: boolean

  constructor(
    init: { method: string; url: string; path: string },
    /** The context of the span the handler ran in: its message span, else the connection span. */
    readonly parent: OtelContext,
  ) {
    super(init)
  }
}

/** One connection: its span, its counters, and the wrapped events. */
class TracedConnection<T> implements LateWriter, OpenConnection {
  private span: Span | undefined
  /** A transport error (onError) set the connection span's status: the close keeps it. */
  private failed = false
  /** `performance.now()` when the connection span started: its clock, for its end. */
  private openedPerf = 0
  private context: OtelContext
  private release: (() => void) | undefined
  private readonly counts = { received: 0, sent: 0, bytesReceived: 0, bytesSent: 0, traced: 0, untraced: 0 }
  /**
   * Message spans whose handler is running, each with the step that ends it (the handler
   * settled, or the process stops): a send inside one becomes its event.
   */
  private readonly handling = new Map<Span, (error?: unknown) => void>()
  private readonly wrapped = new WeakMap<object, WSContext<T>>()

  constructor(
    private readonly record: RequestRecord,
    private readonly state: RequestSpanState,
    private readonly tools: WebSocketTracing,
    private readonly user: WSEvents<T>,
    private readonly options: Required<TracedWebSocketOptions>,
  ) {
    this.context = state.context
  }

  events(): WSEvents<T> {
    return {
      onOpen: (evt, ws) => {
        this.open(ws)
        return this.run(this.context, () => this.user.onOpen?.(evt, this.wrap(ws)))
      },
      onMessage: (evt, ws) => this.message(evt, ws),
      onClose: (evt, ws) => this.run(this.context, () => this.user.onClose?.(evt, this.wrap(ws)), () => this.close(evt)),
      onError: (evt, ws) => {
        const error = (evt as Event & { error?: unknown }).error
        this.span?.recordException(error instanceof Error ? error : new Error(String(error ?? 'WebSocket error')))
        this.span?.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : 'WebSocket error' })
        this.failed = true
        return this.run(this.context, () => this.user.onError?.(evt, this.wrap(ws)))
      },
    }
  }

  private open(ws: WSContext<T>): void {
    const { tracer, traces } = this.tools
    this.release = traces.hold(this.state.traceId)
    const attributes: Attributes = { 'network.protocol.name': 'websocket', 'url.path': this.record.path }
    if (this.record.route) attributes['http.route'] = this.record.route
    if (ws.protocol) attributes['websocket.protocol'] = ws.protocol
    this.span = tracer.startSpan(`WS ${this.record.route ?? this.record.path}`, { kind: SpanKind.SERVER, attributes }, this.state.context)
    this.openedPerf = performance.now()
    this.context = trace.setSpan(this.state.context, this.span)
    const open = this.tools.open
    // A handler that never settles does not keep its closed connection listed for ever.
    for (const other of open) if (other.lingers()) open.delete(other)
    open.add(this)
  }

  lingers(): boolean {
    return this.span === undefined && !this.tools.traces.accepts(this.state.traceId)
  }

  private message(evt: MessageEvent<WSMessageReceive>, ws: WSContext<T>): unknown {
    const { bytes, type } = messageSize(evt.data)
    this.counts.received++
    this.counts.bytesReceived += bytes
    const handle = () => this.user.onMessage?.(evt, this.wrap(ws))
    if (this.counts.traced >= this.options.maxMessageSpans) {
      this.counts.untraced++
      return context.with(this.context, handle)
    }
    this.counts.traced++
    const name = this.nameOf(evt.data)
    const span = this.tools.tracer.startSpan(`WS receive ${name}`, {
      kind: SpanKind.CONSUMER,
      attributes: { 'websocket.message.name': name, 'websocket.message.type': type, 'websocket.message.size': bytes, 'network.io.direction': 'receive' },
    }, this.context)
    return this.run(trace.setSpan(this.context, span), handle, (error) => {
      if (error !== undefined) fail(span, error)
      this.handling.delete(span)
      span.end()
      // A closed connection is kept among the open ones until its last handler settled.
      if (this.handling.size === 0 && this.span === undefined) this.tools.open.delete(this)
    }, span)
  }

  /** The app's `messageName` must not break its own handler: a throw names it `message`. */
  private nameOf(data: WSMessageReceive): string {
    try {
      const name = this.options.messageName(data)
      return typeof name === 'string' && name !== '' ? name : 'message'
    } catch {
      return 'message'
    }
  }

  private close(evt: CloseEvent): void {
    const failed = FAILURE_CLOSE_CODES.has(evt.code) ? `closed with code ${evt.code}${evt.reason ? `: ${evt.reason}` : ''}` : undefined
    this.end({ 'websocket.close.code': evt.code, 'websocket.close.reason': evt.reason }, failed)
  }

  /**
   * The process stops (SIGINT/SIGTERM) with the socket open: the connection span ends now,
   * so that a durable store gets it with its messages (their parent). No close code: no
   * close frame was exchanged, and the client's own is its business (1006 when the process
   * just ends). Not an error either: the server stopping is not the connection failing.
   */
  serverStopped(): void {
    // A handler still running: its span ends now, with what it recorded so far, marked so
    // (not an error: the handler did not fail); its own end later changes nothing.
    for (const [span, settle] of this.handling) {
      span.setAttribute('websocket.message.running_at_shutdown', true)
      settle()
    }
    this.end({ 'websocket.open_at_shutdown': true }, undefined)
  }

  /** Ends the connection span (once) with the counts and `attributes`; an error status when `failure` says why. */
  private end(attributes: Attributes, failure: string | undefined): void {
    const span = this.span
    this.span = undefined
    if (this.handling.size === 0) this.tools.open.delete(this)
    if (span) {
      span.setAttributes({
        ...attributes,
        'websocket.messages.received': this.counts.received,
        'websocket.messages.sent': this.counts.sent,
        'websocket.messages.untraced': this.counts.untraced,
        'websocket.bytes.received': this.counts.bytesReceived,
        'websocket.bytes.sent': this.counts.bytesSent,
      })
      // The close that follows a transport error (1006 after an invalid frame) replaced the error's
      // own message ("Invalid WebSocket frame: invalid UTF-8 sequence") in Jaeger's status: kept.
      if (failure !== undefined && !this.failed) span.setStatus({ code: SpanStatusCode.ERROR, message: failure })
      span.end(this.endTime(span))
    }
    // After the span ended, so that it is still accepted into the trace.
    this.release?.()
  }

  /**
   * The connection span's end: now on its own clock, but no earlier than the start of this
   * millisecond nor than the latest span this process ended in the trace. The SDK starts a
   * span at Date.now(), the start of its millisecond, and times it from there, so the
   * connection span ended up to 1 ms before a message that arrived before the close started
   * or ended (one whose handler closed the socket was drawn after its connection). A child
   * must not outlast its parent, as for the request span (`endRequestSpan`).
   */
  private endTime(span: Span): HrTime | undefined {
    const start = (span as unknown as { startTime?: HrTime }).startTime
    if (!start) return undefined
    let end = hrTimeAfter(start, performance.now() - this.openedPerf)
    const now = hrTimeFromEpochMs(Date.now())
    if (laterThan(now, end)) end = now
    const latest = this.tools.traces.latestLocalEnd(this.state.traceId)
    return latest && laterThan(latest, end) ? latest : end
  }

  /**
   * Runs a handler inside `parent` and inside a record of its own, so the recorders (SQL,
   * logs, templates) write there; what they wrote becomes spans under `parent` once the
   * handler (or the promise it returned) settles, and what work it left running writes
   * later becomes spans then (`lateWrite`). `done` gets the error, if any. A message's
   * handler is noted, with its span, among those running (`handling`) until it settles.
   */
  private run(parent: OtelContext, fn: () => unknown, done?: (error?: unknown) => void, message?: Span): unknown {
    const scope = new HandlerRecord({ method: 'WS', url: this.record.url, path: this.record.path }, parent)
    const settle = (error?: unknown) => {
      // Settled once: when the process stopped first (`serverStopped`), not again at the handler's end.
      if (scope.durationMs !== undefined) return
      scope.counts = this.tools.converter.convert(scope, parent, scope)
      // A render still running was converted now: its end, written later, makes no second span,
      // and what its code writes later nests under it (`unfinished`, noted by `convert`).
      scope.rendersFrom = scope.peek(SLOTS.templates)?.nextId ?? 0
      // Finished: each later write is told to this connection (`RequestRecord.wrote`).
      scope.durationMs = scope.now()
      scope.lateWriter = this
      done?.(error)
    }
    if (message) this.handling.set(message, settle)
    let result: unknown
    try {
      result = runWithRecord(scope, () => context.with(parent, fn))
    } catch (error) {
      // `throw undefined` is a throw all the same: it reached `done` as no error, so its
      // message span showed OK, where a promise rejected with undefined showed ERROR.
      settle(error === undefined ? new Error('thrown') : error)
      throw error
    }
    if (result instanceof Promise) {
      return result.then(
        (value) => {
          settle()
          return value
        },
        (error: unknown) => {
          settle(error ?? new Error('rejected'))
          throw error
        },
      )
    }
    settle()
    return result
  }

  /**
   * An item written into a handler's record after the handler settled, by work it left
   * running: a span under the handler's span at its real time (`convertLate`), while the
   * trace takes spans (the socket is open, or closed less than `gracePeriodMs` ago); what
   * waits for a render still running is converted when the trace stops taking spans, as a
   * request's is.
   */
  lateWrite(record: RequestRecord, slot: SlotKey<unknown> | undefined, item: unknown): void {
    if (slot === undefined) return
    const scope = record as HandlerRecord
    convertLateWrite(this.tools, this.state.traceId, scope, scope.parent, slot, item, scope)
  }

  /**
   * A render started in a handler's record after the handler settled: converted as still
   * running when the trace stops taking spans, if it still runs then, under the span the app
   * had open where it started (else the handler's span), as a request's is.
   */
  lateStart(record: RequestRecord, slot: SlotKey<unknown>, item: unknown): void {
    const scope = record as HandlerRecord
    convertLateWrite(this.tools, this.state.traceId, scope, scope.parent, slot, item, scope, true)
  }

  /** The socket as the app's handlers see it: `send` also becomes a span event. */
  private wrap(ws: WSContext<T>): WSContext<T> {
    let wrapped = this.wrapped.get(ws)
    if (!wrapped) {
      const send = (data: Parameters<WSContext<T>['send']>[0], options?: Parameters<WSContext<T>['send']>[1]) => {
        this.sent(data)
        ws.send(data, options)
      }
      wrapped = new Proxy(ws, {
        get(target, property) {
          if (property === 'send') return send
          const value = Reflect.get(target, property, target)
          return typeof value === 'function' ? value.bind(target) : value
        },
      })
      this.wrapped.set(ws, wrapped)
    }
    return wrapped
  }

  private sent(data: unknown): void {
    const { bytes, type } = messageSize(data)
    this.counts.sent++
    this.counts.bytesSent += bytes
    const active = trace.getSpan(context.active())
    const target = active && this.handling.has(active) ? active : this.span
    target?.addEvent('websocket.send', { 'websocket.message.type': type, 'websocket.message.size': bytes })
  }
}

function fail(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error))
  span.recordException(err)
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message })
}
