/**
 * A traced WebSocket connection shows in its trace what really happened on it: for any
 * session of a real `ws` client with an app served by @hono/node-server (text and binary
 * messages, JSON with a `type` or `event` field or not, empty, unicode, large; handlers that
 * reply once or more, return at once or wait, throw or reject; a close by the client, by the
 * server, a dropped connection, or a frame that is not UTF-8, with any code and reason) and
 * any `maxMessageSpans` (0-5), the trace holds one `WS /ws` connection span under the
 * upgrade's `GET /ws` span, and under it one `WS receive <name>` span for each of the first
 * `maxMessageSpans` messages the server got, in order, named by the documented rule, with the
 * type and size in bytes of the message as sent. A handler that threw or rejected gives its
 * span status ERROR and one `exception` event, and later messages are still handled. Each
 * send is an event of the span of the message whose handler made it, else of the connection
 * span. The connection span carries the close code and reason, an error status for a failure
 * code (or a transport error, with its exception and its own message) only, and the counters
 * (received, sent, untraced, bytes both ways) of what the client and the app did until the
 * close. Message spans lie within the connection span (a handler still running at the close
 * ends after it), and no span is missing or twice. fast-check writes the sessions.
 */
import type { AddressInfo } from 'node:net'
import { serve, upgradeWebSocket } from '@hono/node-server'
import fc from 'fast-check'
import { Hono } from 'hono'
import type { WSContext, WSEvents } from 'hono/ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, tracedWebSocket, type ToolbarSpan } from '../../src/opentelemetry/index.js'

const NUM_RUNS = 40

// ---- What fast-check writes ----------------------------------------------------------------

/** A message the client sends: text, or binary bytes. */
type Payload = { kind: 'text'; text: string } | { kind: 'binary'; bytes: Uint8Array }
/** A message the app sends back: text, an ArrayBuffer, or a Uint8Array that views part of a larger buffer. */
type Reply = { kind: 'text'; text: string } | { kind: 'arraybuffer'; size: number } | { kind: 'view'; size: number; offset: number }
/** What a handler throws: an Error, or another value (a string, undefined, null, a number). */
type Thrown = { kind: 'error'; message: string } | { kind: 'value'; value: unknown }

interface Handling {
  replies: Reply[]
  /** Returns at once, is an async function that does not wait, waits a microtask, or waits a timer. */
  waits: 'none' | 'async' | 'microtask' | 'timer'
  timerMs: number
  throws: Thrown | undefined
  /** The client waits until this message's handler has finished before it sends the next one. */
  clientWaits: boolean
}

type Close =
  | { by: 'client'; code: number | undefined; reason: string; settleFirst: boolean }
  | { by: 'client-terminate'; settleFirst: boolean }
  // The client sends a text frame that is not UTF-8: the server's socket fails (onError) and closes.
  | { by: 'client-invalid'; settleFirst: boolean }
  // The handler of message `at` (modulo the number of messages) closes the socket after its replies.
  | { by: 'server'; at: number; code: number | undefined; reason: string }

interface Plan {
  maxMessageSpans: number
  /** onOpen sends a welcome message (outside any message handler). */
  welcome: boolean
  messages: Array<{ payload: Payload; handling: Handling }>
  close: Close
}

// Values for `type` / `event`: usual names, padded, blank, long (cut to 64), unicode, emoji
// (two UTF-16 units each) across the cut.
const nameValue = fc.oneof(
  fc.constantFrom('chat', 'join', '  typing  ', '', '   ', 'x'.repeat(70), 'héllo wörld', '日本語'),
  fc.string({ maxLength: 12, unit: 'grapheme' }),
  fc.string({ minLength: 60, maxLength: 70, unit: fc.constantFrom('a', 'é', '😀', ' ') }),
)

const jsonText = fc
  .record({
    lead: fc.constantFrom('', '', ' ', '\n\t '),
    type: fc.option(fc.oneof(nameValue, nameValue, fc.integer(), fc.constant(null)), { nil: undefined, freq: 4 }),
    event: fc.option(nameValue, { nil: undefined, freq: 2 }),
    text: fc.option(fc.string({ maxLength: 20, unit: 'grapheme' }), { nil: undefined }),
  })
  .map(({ lead, ...fields }) => lead + JSON.stringify(fields))

// Around the 64 KiB bound on parsing for a name (ASCII: as many bytes as characters).
const bigJson = fc.record({ type: fc.constantFrom('bulk', 'upload'), length: fc.integer({ min: 65_530, max: 65_542 }) }).map(({ type, length }) => {
  const head = `{"type":"${type}","pad":"`
  return `${head}${'x'.repeat(length - head.length - 2)}"}`
})

const text = fc.oneof(
  { arbitrary: jsonText, weight: 5 },
  { arbitrary: fc.string({ maxLength: 30, unit: 'grapheme' }), weight: 2 },
  { arbitrary: fc.string({ maxLength: 30, unit: 'binary' }), weight: 1 },
  { arbitrary: fc.constantFrom('', '{', '{"type":"cut"', '[{"type":"list"}]', 'null', '{"type":"a"} trailing', '"type"'), weight: 1 },
  { arbitrary: bigJson, weight: 1 },
)

const binary = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 64 }), weight: 4 },
  { arbitrary: fc.constant(new Uint8Array(0)), weight: 1 },
  // JSON with a type, sent as binary: binary data is never named.
  { arbitrary: fc.constant(new TextEncoder().encode('{"type":"chat"}')), weight: 1 },
  { arbitrary: fc.integer({ min: 60_000, max: 70_000 }).map((n) => new Uint8Array(n).fill(7)), weight: 1 },
)

const payload: fc.Arbitrary<Payload> = fc.oneof(
  { arbitrary: text.map((t): Payload => ({ kind: 'text', text: t })), weight: 3 },
  { arbitrary: binary.map((bytes): Payload => ({ kind: 'binary', bytes })), weight: 1 },
)

const reply: fc.Arbitrary<Reply> = fc.oneof(
  fc.string({ maxLength: 30, unit: 'binary' }).map((t): Reply => ({ kind: 'text', text: t })),
  fc.integer({ min: 0, max: 40 }).map((size): Reply => ({ kind: 'arraybuffer', size })),
  fc.record({ size: fc.integer({ min: 0, max: 40 }), offset: fc.integer({ min: 0, max: 16 }) }).map((r): Reply => ({ kind: 'view', ...r })),
)

const thrown: fc.Arbitrary<Thrown> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 20, unit: 'grapheme' }).map((message): Thrown => ({ kind: 'error', message })), weight: 4 },
  { arbitrary: fc.constantFrom<unknown>('a string', undefined, null, 42).map((value): Thrown => ({ kind: 'value', value })), weight: 1 },
)

const handling: fc.Arbitrary<Handling> = fc.record({
  replies: fc.array(reply, { maxLength: 3 }),
  waits: fc.constantFrom('none', 'none', 'async', 'microtask', 'timer'),
  timerMs: fc.integer({ min: 0, max: 5 }),
  throws: fc.option(thrown, { nil: undefined, freq: 3 }),
  clientWaits: fc.boolean(),
})

// Codes a `ws` endpoint may send (RFC 6455 and the IANA registry), and the app's own range.
const closeCode = fc.option(fc.oneof(fc.constantFrom(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014), fc.integer({ min: 3000, max: 4999 })), { nil: undefined, freq: 5 })
// A close reason is at most 123 bytes of UTF-8.
const closeReason = fc.string({ maxLength: 30, unit: 'binary' }).filter((r) => Buffer.byteLength(r) <= 123)

const close: fc.Arbitrary<Close> = fc.oneof(
  { arbitrary: fc.record({ by: fc.constant('client' as const), code: closeCode, reason: closeReason, settleFirst: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ by: fc.constant('client-terminate' as const), settleFirst: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ by: fc.constant('client-invalid' as const), settleFirst: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ by: fc.constant('server' as const), at: fc.nat(), code: closeCode, reason: closeReason }), weight: 2 },
)

const plan: fc.Arbitrary<Plan> = fc.record({
  maxMessageSpans: fc.integer({ min: 0, max: 5 }),
  welcome: fc.boolean(),
  messages: fc.array(fc.record({ payload, handling }), { maxLength: 8 }),
  close,
})

// ---- The app, and what its handlers saw and did ---------------------------------------------

type LogEntry =
  | { t: 'received'; i: number; data: string | ArrayBuffer }
  /** A send: by the handler of message `during`, else outside any message handler (onOpen). */
  | { t: 'sent'; during: number | undefined; type: 'text' | 'binary'; size: number }
  | { t: 'settled'; i: number; threw: Thrown | undefined }
  | { t: 'close'; code: number; reason: string }
  | { t: 'error'; message: string }

interface Session {
  plan: Plan
  log: LogEntry[]
  received: number
}

const sessions = new Map<string, Session>()
/** What node-server reported (a handler's throw), and what the app's reporter got (a rejected handler). */
const reported: unknown[] = []
const rejected: unknown[] = []
let baseUrl = ''
let closeServer: () => Promise<void>

function replyData(reply: Reply): string | ArrayBuffer | Uint8Array<ArrayBuffer> {
  if (reply.kind === 'text') return reply.text
  if (reply.kind === 'arraybuffer') return new Uint8Array(reply.size).fill(1).buffer
  return new Uint8Array(reply.offset + reply.size + 3).fill(2).subarray(reply.offset, reply.offset + reply.size)
}

/** Bytes on the wire (UTF-8 for text, as `ws` encodes it) and the frame type. */
function replySize(reply: Reply): { type: 'text' | 'binary'; size: number } {
  return reply.kind === 'text' ? { type: 'text', size: Buffer.from(reply.text).length } : { type: 'binary', size: reply.size }
}

function throwValue(thrown: Thrown): unknown {
  return thrown.kind === 'error' ? new Error(thrown.message) : thrown.value
}

function appEvents(session: Session): WSEvents {
  const { plan, log } = session
  const send = (ws: WSContext, replies: Reply[], during: number | undefined) => {
    for (const r of replies) {
      log.push({ t: 'sent', during, ...replySize(r) })
      ws.send(replyData(r))
    }
  }
  return {
    onOpen(_evt, ws) {
      if (plan.welcome) send(ws, [{ kind: 'text', text: '{"type":"welcome"}' }], undefined)
    },
    onMessage(evt, ws) {
      const i = session.received++
      log.push({ t: 'received', i, data: evt.data as string | ArrayBuffer })
      const { handling: h } = plan.messages[i]!
      const closes = plan.close.by === 'server' && plan.messages.length > 0 && plan.close.at % plan.messages.length === i
      const finish = () => {
        if (closes && plan.close.by === 'server') ws.close(plan.close.code, plan.close.reason)
        log.push({ t: 'settled', i, threw: h.throws })
        if (h.throws) throw throwValue(h.throws)
      }
      if (h.waits === 'none') {
        send(ws, h.replies, i)
        finish()
        return
      }
      const split = h.waits === 'async' ? h.replies.length : Math.ceil(h.replies.length / 2)
      return (async () => {
        send(ws, h.replies.slice(0, split), i)
        if (h.waits === 'microtask') await Promise.resolve()
        if (h.waits === 'timer') await new Promise((resolve) => setTimeout(resolve, h.timerMs))
        send(ws, h.replies.slice(split), i)
        finish()
      })() as unknown as void
    },
    onClose(evt) {
      log.push({ t: 'close', code: evt.code, reason: evt.reason })
    },
    onError(evt) {
      const error = (evt as Event & { error?: unknown }).error
      log.push({ t: 'error', message: error instanceof Error ? error.message : String(error) })
    },
  }
}

function wsApp(): Hono {
  const app = new Hono()
  app.use(debugToolbar({ app, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'ws-property' })] }))
  app.get(
    '/ws',
    upgradeWebSocket(
      async (c) => {
        const session = sessions.get(c.req.query('session') ?? '')!
        const traced = await tracedWebSocket(appEvents(session), { maxMessageSpans: session.plan.maxMessageSpans })(c)
        // The app's own reporter for handlers whose promise rejects (node-server reports a throw only).
        return {
          ...traced,
          onMessage(evt, ws) {
            const result = traced.onMessage!(evt, ws) as unknown
            if (result instanceof Promise) result.catch((error: unknown) => rejected.push(error))
            return result as void
          },
        }
      },
      { onError: (error) => reported.push(error) },
    ),
  )
  return app
}

beforeAll(async () => {
  const wss = new WebSocketServer({ noServer: true })
  const app = wsApp()
  await new Promise<void>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', websocket: { server: wss } }, (info: AddressInfo) => {
      baseUrl = `127.0.0.1:${info.port}`
      resolve()
    })
    closeServer = () =>
      new Promise<void>((done) => {
        for (const client of wss.clients) client.terminate()
        ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
        server.close(() => done())
      })
  })
})

afterAll(async () => {
  await closeServer?.()
})

// ---- The client -------------------------------------------------------------------------------

async function until(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (ok()) return
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  throw new Error(`timed out waiting for ${what}`)
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`http://${baseUrl}/_debug_toolbar${path}`)
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`)
  return (await res.json()) as T
}

let sessionCount = 0

/** Plays the plan with a real client; answers the server's log once the server is done with the socket. */
async function play(plan: Plan): Promise<{ session: Session; requestId: string; sentByClient: Payload[] }> {
  const id = String(++sessionCount)
  const session: Session = { plan, log: [], received: 0 }
  sessions.set(id, session)
  const socket = new WebSocket(`ws://${baseUrl}/ws?session=${id}`)
  let requestId = ''
  socket.once('upgrade', (res) => {
    requestId = String(res.headers['x-debug-toolbar-request-id'])
  })
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.on('error', () => {})
  try {
    await new Promise((resolve, reject) => {
      socket.once('open', resolve)
      socket.once('error', reject)
    })
    const sentByClient: Payload[] = []
    const settled = (i: number) => session.log.some((e) => e.t === 'settled' && e.i === i)
    for (const [i, { payload: p, handling: h }] of plan.messages.entries()) {
      // The server closed: the client sends no more.
      if (socket.readyState !== WebSocket.OPEN) break
      socket.send(p.kind === 'text' ? p.text : p.bytes)
      sentByClient.push(p)
      if (h.clientWaits) await until(() => settled(i) || socket.readyState !== WebSocket.OPEN, `message ${i} handled`)
    }
    const { close } = plan
    const serverCloses = close.by === 'server' && plan.messages.length > 0
    if (!serverCloses) {
      if (close.by !== 'server' && close.settleFirst) await until(() => session.received === sentByClient.length && Array.from({ length: session.received }, (_, i) => i).every(settled), 'all messages handled')
      if (close.by === 'client-terminate') socket.terminate()
      else if (close.by === 'client-invalid') socket.send(Buffer.from([0x68, 0xff]), { binary: false })
      else if (close.by === 'client') socket.close(close.code, close.reason)
      else socket.close(1000)
    }
    await closed
    // The server saw the close, and every handler of a message it got has finished.
    await until(() => session.log.some((e) => e.t === 'close') && Array.from({ length: session.received }, (_, i) => i).every(settled), 'the server to finish')
    return { session, requestId, sentByClient }
  } finally {
    socket.terminate()
    sessions.delete(id)
  }
}

// ---- The model ----------------------------------------------------------------------------------

/** The name of a received message by the documented rule (specs/websocket.md, "How a message is named"). */
function expectedName(data: string | ArrayBuffer): string {
  if (typeof data !== 'string' || Buffer.byteLength(data) > 64 * 1024 || !/^\s*\{/.test(data)) return 'message'
  let parsed: unknown
  try {
    parsed = JSON.parse(data)
  } catch {
    return 'message'
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'message'
  for (const field of ['type', 'event']) {
    const value = (parsed as Record<string, unknown>)[field]
    // Trimmed, at most 64 characters (UTF-16 units, as JavaScript counts them), never half of one.
    if (typeof value === 'string' && value.trim() !== '') {
      let name = ''
      for (const char of value.trim()) {
        if (name.length + char.length > 64) break
        name += char
      }
      return name
    }
  }
  return 'message'
}

/** What the server got for what the client sent: text decoded from UTF-8, binary as it was. */
function asReceived(p: Payload): string | ArrayBuffer {
  return p.kind === 'text' ? Buffer.from(p.text).toString('utf8') : new Uint8Array(p.bytes).buffer
}

function sizeOf(data: string | ArrayBuffer): { type: 'text' | 'binary'; size: number } {
  return typeof data === 'string' ? { type: 'text', size: Buffer.byteLength(data) } : { type: 'binary', size: data.byteLength }
}

// RFC 6455, 7.4.1: the close codes that report a failure (specs/websocket.md, "Close status").
const FAILURE_CODES = new Set([1002, 1003, 1006, 1007, 1008, 1009, 1010, 1011, 1015])

const ns = (time: string | undefined) => BigInt(time ?? '0')
const sendEvents = (span: ToolbarSpan) => span.events.filter((e) => e.name === 'websocket.send').map((e) => e.attributes)

// ---- The property -------------------------------------------------------------------------------

describe('tracedWebSocket, for any session', () => {
  it('records one connection span, a span per traced message, the sends and the counters, as they happened', async () => {
    await fc.assert(
      fc.asyncProperty(plan, async (plan) => {
        const reportedBefore = reported.length
        const rejectedBefore = rejected.length
        const { session, requestId, sentByClient } = await play(plan)
        const { log } = session

        // What the server got is what the client sent, in order: nothing lost before the close, nothing twice.
        const closeAt = log.findIndex((e) => e.t === 'close')
        const closeEntry = log[closeAt] as Extract<LogEntry, { t: 'close' }>
        const received = log.filter((e): e is Extract<LogEntry, { t: 'received' }> => e.t === 'received')
        expect(received.map((e) => e.data)).toEqual(sentByClient.slice(0, received.length).map(asReceived))
        expect(log.slice(closeAt).some((e) => e.t === 'received')).toBe(false)
        const max = plan.maxMessageSpans
        const traced = received.slice(0, max)
        const settledAt = (i: number) => log.findIndex((e) => e.t === 'settled' && e.i === i)
        const threw = (i: number) => (log[settledAt(i)] as Extract<LogEntry, { t: 'settled' }>).threw
        const sentBeforeClose = log.slice(0, closeAt).filter((e): e is Extract<LogEntry, { t: 'sent' }> => e.t === 'sent')

        // The app's errors still reach node-server (a throw) or the app's reporter (a rejection).
        const syncThrows = received.filter((e) => threw(e.i) && plan.messages[e.i]!.handling.waits === 'none').length
        expect(reported.length - reportedBefore).toBe(syncThrows)
        expect(rejected.length - rejectedBefore).toBe(received.filter((e) => threw(e.i)).length - syncThrows)

        const { traceId } = await api<{ traceId: string }>(`/api/requests/${requestId}`)
        const readTrace = () => api<{ spans: ToolbarSpan[] }>(`/api/traces/${traceId}`)
        let spans = (await readTrace()).spans
        for (let i = 0; i < 50 && !spans.some((s) => s.name === 'WS /ws' && s.endTimeUnixNano !== undefined); i++) {
          await new Promise((resolve) => setTimeout(resolve, 10))
          spans = (await readTrace()).spans
        }

        // One upgrade span, one connection span under it, the message spans under that: nothing else.
        const upgrade = spans.filter((s) => s.name === 'GET /ws')
        const connections = spans.filter((s) => s.name === 'WS /ws')
        const messages = spans.filter((s) => s.name.startsWith('WS receive')).sort((a, b) => (ns(a.startTimeUnixNano) < ns(b.startTimeUnixNano) ? -1 : 1))
        expect(upgrade).toHaveLength(1)
        expect(connections).toHaveLength(1)
        expect(messages).toHaveLength(traced.length)
        expect(spans).toHaveLength(2 + traced.length)
        expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length)
        const connection = connections[0]!
        expect(upgrade[0]!.attributes['http.response.status_code']).toBe(101)
        expect(connection).toMatchObject({ kind: 'SERVER', parentSpanId: upgrade[0]!.spanId })
        expect(connection.endTimeUnixNano).toBeDefined()

        // Each traced message: its span, in order, named by the rule, with the size and type sent.
        for (const [j, message] of traced.entries()) {
          const span = messages[j]!
          const name = expectedName(message.data)
          const { type, size } = sizeOf(message.data)
          expect(span.name).toBe(`WS receive ${name}`)
          expect(span.kind).toBe('CONSUMER')
          expect(span.parentSpanId).toBe(connection.spanId)
          expect(span.attributes).toEqual({ 'websocket.message.name': name, 'websocket.message.type': type, 'websocket.message.size': size, 'network.io.direction': 'receive' })
          expect(size).toBe(sizeOf(asReceived(sentByClient[message.i]!)).size)
          // A throw or rejection: status ERROR and one exception event.
          const thrownBy = threw(message.i)
          expect(span.status.code).toBe(thrownBy ? 'ERROR' : 'UNSET')
          // An Error's message is the status message (an empty one is none).
          if (thrownBy?.kind === 'error') expect(span.status.message ?? '').toBe(thrownBy.message)
          expect(span.events.filter((e) => e.name === 'exception')).toHaveLength(thrownBy ? 1 : 0)
          // Its handler's sends, before the close or after it, are its events.
          const own = log.filter((e): e is Extract<LogEntry, { t: 'sent' }> => e.t === 'sent' && e.during === message.i)
          expect(sendEvents(span)).toEqual(own.map((e) => ({ 'websocket.message.type': e.type, 'websocket.message.size': e.size })))
          // Within the connection: it started after the socket opened, and ended before the close
          // unless its handler was still running then.
          expect(span.endTimeUnixNano).toBeDefined()
          expect(ns(span.startTimeUnixNano)).toBeGreaterThanOrEqual(ns(connection.startTimeUnixNano))
          expect(ns(span.startTimeUnixNano)).toBeLessThanOrEqual(ns(connection.endTimeUnixNano))
          expect(ns(span.endTimeUnixNano)).toBeGreaterThanOrEqual(ns(span.startTimeUnixNano))
          if (settledAt(message.i) < closeAt) expect(ns(span.endTimeUnixNano)).toBeLessThanOrEqual(ns(connection.endTimeUnixNano))
        }

        // The connection: close code and reason, the counters of what happened until the close.
        expect(connection.attributes).toEqual({
          'network.protocol.name': 'websocket',
          'url.path': '/ws',
          'http.route': '/ws',
          'websocket.close.code': closeEntry.code,
          'websocket.close.reason': closeEntry.reason,
          'websocket.messages.received': received.length,
          'websocket.messages.sent': sentBeforeClose.length,
          'websocket.messages.untraced': received.length - traced.length,
          'websocket.bytes.received': received.reduce((sum, e) => sum + sizeOf(e.data).size, 0),
          'websocket.bytes.sent': sentBeforeClose.reduce((sum, e) => sum + e.size, 0),
        })
        // The close code the client asked for, or the one the server sent, is the one recorded.
        const { close } = plan
        if (close.by === 'client') expect(closeEntry.code).toBe(close.code ?? 1005)
        if (close.by === 'client-terminate') expect(closeEntry.code).toBe(1006)
        // A transport error (onError) before the close: an exception event, and the status says it.
        const errors = log.slice(0, closeAt).filter((e): e is Extract<LogEntry, { t: 'error' }> => e.t === 'error')
        expect(connection.events.filter((e) => e.name === 'exception').map((e) => e.attributes['exception.message'])).toEqual(errors.map((e) => e.message))
        if (errors.length > 0) expect(connection.status).toMatchObject({ code: 'ERROR', message: errors[0]!.message })
        else if (FAILURE_CODES.has(closeEntry.code)) {
          expect(connection.status).toMatchObject({ code: 'ERROR', message: `closed with code ${closeEntry.code}${closeEntry.reason ? `: ${closeEntry.reason}` : ''}` })
        } else expect(connection.status.code).toBe('UNSET')
        // Sends outside a traced handler (onOpen, a message past the bound) before the close are its events.
        const outside = sentBeforeClose.filter((e) => e.during === undefined || e.during >= max)
        expect(sendEvents(connection)).toEqual(outside.map((e) => ({ 'websocket.message.type': e.type, 'websocket.message.size': e.size })))
        expect(connection.events.filter((e) => e.name !== 'websocket.send' && e.name !== 'exception')).toEqual([])
      }),
      { numRuns: NUM_RUNS },
    )
  }, 300_000)
})
