/**
 * WebSocket spans with a real @hono/node-server 2.x server (`upgradeWebSocket` over a
 * `ws` WebSocketServer in noServer mode) and a real `ws` client on loopback: the upgrade
 * request is in the history with status 101, the connection is a SERVER span from the
 * upgrade to the close, each message is a `WS receive <name>` span holding the SQL, log
 * lines and spans of its handler (and of work the handler left running, later), sends are
 * events with sizes, and the trace grows while the socket is open.
 */
import type { AddressInfo } from 'node:net'
import Database from 'better-sqlite3'
import { serve, upgradeWebSocket } from '@hono/node-server'
import { trace } from '@opentelemetry/api'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { currentRecord, debugToolbar, instrumentBetterSqlite3, recordLog, recordQuery, REDACTED, renderTemplate } from '../src/index.js'
import { messageName, OpenTelemetryPanel, tracedWebSocket, type ToolbarSpan } from '../src/opentelemetry/index.js'
import { call, connect as connectMcp } from '../test/mcp/app.js'

let baseUrl = ''
let closeServer: () => Promise<void>
const opened: string[] = []
const handlerErrors: unknown[] = []
/** Heartbeats the upgrade request of `/presence` left running: each writes one query into it when called. */
const heartbeats: Array<() => void> = []
/** What the panel exported: the spans Jaeger or Zipkin would get. */
const exported = new InMemorySpanExporter()
let otel: OpenTelemetryPanel
/** Work the `/later` handlers left running that waits for the test: each logs one line when called. */
const leftRunning: Array<() => void> = []

function chatApp(): Hono {
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, text TEXT NOT NULL)')
  const app = new Hono()
  otel = new OpenTelemetryPanel({ exporter: exported, serviceName: 'chat', gracePeriodMs: 100 })
  app.use(debugToolbar({ app, extraPanels: [otel] }))
  app.get('/chat', upgradeWebSocket(tracedWebSocket(() => ({
    onOpen(_event, ws) {
      opened.push(String(currentRecord()?.method))
      ws.send(JSON.stringify({ type: 'welcome' }))
    },
    onMessage(event, ws) {
      const message = JSON.parse(String(event.data)) as { type: string; text?: string }
      if (message.type === 'boom') throw new Error('cannot handle boom')
      // An async handler: its span ends when the promise settles.
      return (async () => {
        const { lastInsertRowid } = db.prepare('INSERT INTO messages (text) VALUES (?)').run(message.text ?? '')
        recordLog('info', `chat message ${String(lastInsertRowid)} stored`)
        await new Promise((resolve) => setTimeout(resolve, 2))
        trace.getTracer('chat').startActiveSpan('notify room', (span) => span.end())
        ws.send(JSON.stringify({ type: 'ack', id: Number(lastInsertRowid) }))
      })()
    },
  }), { messageName: (data) => (typeof data === 'string' && data.startsWith('{') ? (JSON.parse(data) as { type: string }).type : 'message') }), {
    // node-server reports a handler's throw here (default console.error).
    onError: (error) => handlerErrors.push(error),
  }))
  app.get('/presence', upgradeWebSocket(tracedWebSocket(() => {
    // Work the upgrade request leaves running: each heartbeat writes a query into that request.
    for (const online of [1, 0]) {
      void new Promise<void>((resolve) => heartbeats.push(resolve)).then(() => {
        recordQuery({ sql: 'UPDATE presence SET online = ?', params: [online], durationMs: 1, dbSystem: 'sqlite' })
      })
    }
    return { onMessage() {} }
  })))
  app.get('/later', upgradeWebSocket(tracedWebSocket(() => ({
    onOpen() {
      // The connection span is still open when this line is written: it becomes its event.
      setTimeout(() => recordLog('info', 'joined the room'), 10)
    },
    onMessage(event) {
      const message = JSON.parse(String(event.data)) as { type: string; text: string }
      // Each handler returns at once; what it started writes into its message afterwards.
      if (message.type === 'log') setTimeout(() => recordLog('warn', `delivered ${message.text}`, { recipients: 2, token: 'abc123' }), 20)
      if (message.type === 'save') {
        void new Promise((resolve) => setTimeout(resolve, 20)).then(() => db.prepare('INSERT INTO messages (text) VALUES (?)').run(message.text))
      }
      if (message.type === 'digest') setTimeout(() => renderTemplate('digest', () => recordLog('info', 'digest built')), 20)
      // A render the handler started and did not await: still running when the handler returns.
      if (message.type === 'outline') {
        void renderTemplate('outline', async () => {
          await new Promise((resolve) => setTimeout(resolve, 20))
          recordLog('info', 'outline filled')
        })
      }
      // A render started after the handler returned that never ends: what it writes waits for it.
      if (message.type === 'transcript') {
        setTimeout(() => void renderTemplate('transcript', async () => {
          recordLog('info', 'transcript started')
          recordQuery({ sql: 'SELECT text FROM messages', startTime: performance.now(), durationMs: 1, dbSystem: 'sqlite' })
          await new Promise(() => {})
        }), 20)
      }
      // A render started after the handler returned that writes nothing inside it and never ends.
      if (message.type === 'minutes') setTimeout(() => void renderTemplate('minutes', () => new Promise(() => {})), 20)
      // The same, inside a span the app opens for that work, which ends while the render runs on.
      if (message.type === 'agenda') {
        setTimeout(() => trace.getTracer('chat').startActiveSpan('prepare agenda', (span) => {
          void renderTemplate('agenda', () => new Promise(() => {}))
          span.end()
        }), 20)
      }
      if (message.type === 'wait') void new Promise<void>((resolve) => leftRunning.push(resolve)).then(() => recordLog('info', `waited for ${message.text}`))
    },
    onClose() {
      setTimeout(() => recordLog('info', 'left the room'), 10)
    },
  }))))
  app.get('/echo', upgradeWebSocket(tracedWebSocket({
    onMessage(event, ws) {
      ws.send(event.data as string)
    },
  }, { maxMessageSpans: 2, messageName: (data) => (String(data).startsWith('{') ? messageName(data) : JSON.parse(String(data))) })))
  return app
}

beforeAll(async () => {
  const wss = new WebSocketServer({ noServer: true })
  const app = chatApp()
  await new Promise<void>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', websocket: { server: wss } }, (info: AddressInfo) => {
      baseUrl = `127.0.0.1:${info.port}`
      resolve()
    })
    closeServer = () => new Promise<void>((done) => {
      for (const client of wss.clients) client.terminate()
      ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
      server.close(() => done())
    })
  })
})

afterAll(async () => {
  await closeServer?.()
})

/** A connected `ws` client, the toolbar's request id from the 101 response, and the messages it got. */
async function connect(path: string): Promise<{ socket: WebSocket; requestId: string; received: string[]; next: () => Promise<string> }> {
  const socket = new WebSocket(`ws://${baseUrl}${path}`)
  const received: string[] = []
  const waiting: Array<(message: string) => void> = []
  socket.on('message', (data) => {
    const text = String(data)
    const waiter = waiting.shift()
    if (waiter) waiter(text)
    else received.push(text)
  })
  // 'open' follows 'upgrade' in the same tick: listen for both at once.
  let requestId = ''
  socket.once('upgrade', (res) => {
    requestId = String(res.headers['x-debug-toolbar-request-id'])
  })
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  const next = () => (received.length > 0 ? Promise.resolve(received.shift()!) : new Promise<string>((resolve) => waiting.push(resolve)))
  return { socket, requestId, received, next }
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`http://${baseUrl}/_debug_toolbar${path}`)
  expect(res.status).toBe(200)
  return (await res.json()) as T
}

async function spansOf(traceId: string): Promise<ToolbarSpan[]> {
  return (await api<{ spans: ToolbarSpan[] }>(`/api/traces/${traceId}`)).spans
}

async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read()
    if (ok(value)) return value
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error('the condition did not hold within 5 s')
}

/**
 * Sends a `/later` message of `type`, whose handler leaves a render of that name running that
 * never ends, closes the socket and answers the trace once it holds the render's span: under
 * the span named `under` (the message span unless said), marked still running, ending when
 * the trace stopped taking spans (the grace period, 100 ms, after the close), and exported
 * under the same parent.
 */
async function renderStillRunning(type: string, under = `WS receive ${type}`): Promise<{ spans: ToolbarSpan[]; render: ToolbarSpan }> {
  const client = await connect('/later')
  const { traceId } = await waitFor(() => api<{ status: number; traceId: string }>(`/api/requests/${client.requestId}`), (d) => d.status !== undefined)
  client.socket.send(JSON.stringify({ type, text: '' }))
  await waitFor(() => spansOf(traceId), (all) => all.some((s) => s.name === `WS receive ${type}` && s.endTimeUnixNano !== undefined))
  // The render has started and written what it writes (20 ms after the handler returned).
  await new Promise((resolve) => setTimeout(resolve, 100))
  client.socket.close(1000)
  const spans = await waitFor(() => spansOf(traceId), (all) => all.some((s) => s.name === `render ${type}`))
  const parent = spans.find((s) => s.name === under)!
  const render = spans.find((s) => s.name === `render ${type}`)!
  expect(render).toMatchObject({ kind: 'INTERNAL', parentSpanId: parent.spanId, attributes: { 'template.name': type, 'hono_debug_toolbar.still_running': true } })
  // Still running when the trace stopped taking spans: the grace period (100 ms) after the close.
  const connection = spans.find((s) => s.name === 'WS /later')!
  const after = Number(BigInt(render.endTimeUnixNano!) - BigInt(connection.endTimeUnixNano!)) / 1e6
  expect(after).toBeGreaterThanOrEqual(99)
  expect(after).toBeLessThan(150)
  // The exporters get it too, under the same parent.
  await otel.forceFlush()
  const sent = exported.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId)
  expect(sent.find((s) => s.spanContext().spanId === render.spanId)?.parentSpanContext?.spanId).toBe(render.parentSpanId)
  return { spans, render }
}

describe('WebSocket spans', () => {
  it('records the upgrade as 101, a connection span, message spans holding their SQL, logs and spans, and sends as events', async () => {
    const client = await connect('/chat')
    expect(JSON.parse(await client.next())).toEqual({ type: 'welcome' })
    // onOpen ran in a scope of its own, not in the finished upgrade request.
    expect(opened.at(-1)).toBe('WS')

    const detail = await waitFor(() => api<{ status: number; traceId: string; route: string }>(`/api/requests/${client.requestId}`), (d) => d.status !== undefined)
    expect(detail).toMatchObject({ status: 101, route: '/chat' })
    const history = await api<{ requests: Array<{ id: string; status: number }> }>('/api/requests')
    expect(history.requests.find((r) => r.id === client.requestId)?.status).toBe(101)

    // While the socket is open the trace grows: before the first message, one message, two.
    const before = await spansOf(detail.traceId)
    expect(before.filter((s) => s.name.startsWith('WS receive'))).toHaveLength(0)
    const connection = before.find((s) => s.name === 'WS /chat')!
    expect(connection).toMatchObject({ kind: 'SERVER', attributes: { 'network.protocol.name': 'websocket', 'http.route': '/chat' } })
    expect(connection.endTimeUnixNano).toBeUndefined()
    const upgrade = before.find((s) => s.name === 'GET /chat')!
    expect(upgrade.attributes['http.response.status_code']).toBe(101)
    expect(connection.parentSpanId).toBe(upgrade.spanId)

    // Longer than the panel's grace period: an open socket keeps its trace accepting spans.
    await new Promise((resolve) => setTimeout(resolve, 250))
    client.socket.send(JSON.stringify({ type: 'chat', text: 'hello <b>room</b>' }))
    expect(JSON.parse(await client.next())).toEqual({ type: 'ack', id: 1 })
    const afterOne = await waitFor(() => spansOf(detail.traceId), (spans) => spans.some((s) => s.name === 'WS receive chat' && s.endTimeUnixNano !== undefined))
    const received = afterOne.find((s) => s.name === 'WS receive chat')!
    expect(received).toMatchObject({
      kind: 'CONSUMER',
      parentSpanId: connection.spanId,
      attributes: { 'websocket.message.name': 'chat', 'websocket.message.type': 'text', 'websocket.message.size': 42 },
    })
    const children = afterOne.filter((s) => s.parentSpanId === received.spanId).map((s) => s.name)
    expect(children).toContain('notify room')
    expect(children.some((name) => /INSERT/.test(name))).toBe(true)
    expect(received.events.map((e) => e.name)).toEqual(expect.arrayContaining(['log', 'websocket.send']))
    expect(received.events.find((e) => e.name === 'log')!.attributes['log.message']).toBe('chat message 1 stored')
    expect(received.events.find((e) => e.name === 'websocket.send')!.attributes).toEqual({ 'websocket.message.type': 'text', 'websocket.message.size': 21 })

    client.socket.send(JSON.stringify({ type: 'chat', text: 'again' }))
    expect(JSON.parse(await client.next())).toEqual({ type: 'ack', id: 2 })
    await waitFor(() => spansOf(detail.traceId), (spans) => spans.filter((s) => s.name === 'WS receive chat' && s.endTimeUnixNano !== undefined).length === 2)

    client.socket.send(JSON.stringify({ type: 'boom' }))
    const failed = await waitFor(() => spansOf(detail.traceId), (spans) => spans.some((s) => s.name === 'WS receive boom' && s.endTimeUnixNano !== undefined))
    expect(failed.find((s) => s.name === 'WS receive boom')!.status).toMatchObject({ code: 'ERROR', message: 'cannot handle boom' })
    // The app's error still reaches node-server as before: the wrapper records, never swallows.
    expect(handlerErrors).toEqual([new Error('cannot handle boom')])

    client.socket.close(4000, 'bye now')
    const closed = await waitFor(() => spansOf(detail.traceId), (spans) => spans.some((s) => s.name === 'WS /chat' && s.endTimeUnixNano !== undefined))
    const ended = closed.find((s) => s.name === 'WS /chat')!
    expect(ended.attributes).toMatchObject({
      'websocket.close.code': 4000,
      'websocket.close.reason': 'bye now',
      'websocket.messages.received': 3,
      'websocket.messages.sent': 3,
    })
    // The welcome was sent outside any message handler: an event of the connection span.
    expect(ended.events.filter((e) => e.name === 'websocket.send')).toHaveLength(1)
    expect(ended.status.code).toBe('UNSET')
  })

  it('keeps concurrent connections apart: each trace holds only its own messages and queries', async () => {
    const clients = await Promise.all([connect('/chat'), connect('/chat'), connect('/chat')])
    for (const client of clients) expect(JSON.parse(await client.next())).toEqual({ type: 'welcome' })
    // Interleaved messages from the three sockets, each text naming its sender.
    for (let round = 0; round < 3; round++) {
      for (const [i, client] of clients.entries()) client.socket.send(JSON.stringify({ type: 'chat', text: `client ${i} round ${round}` }))
    }
    for (const client of clients) for (let round = 0; round < 3; round++) expect(JSON.parse(await client.next()).type).toBe('ack')
    const traceIds = new Set<string>()
    for (const client of clients) {
      const { traceId } = await waitFor(() => api<{ status: number; traceId: string }>(`/api/requests/${client.requestId}`), (d) => d.status !== undefined)
      traceIds.add(traceId)
      const spans = await waitFor(() => spansOf(traceId), (all) => all.filter((s) => s.name === 'WS receive chat' && s.endTimeUnixNano !== undefined).length === 3)
      expect(spans.filter((s) => s.name === 'WS receive chat')).toHaveLength(3)
      expect(spans.filter((s) => /INSERT/.test(s.name))).toHaveLength(3)
      expect(spans.filter((s) => s.name === 'notify room')).toHaveLength(3)
      expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]))
      client.socket.close(1000)
    }
    expect(traceIds.size).toBe(3)
  })

  it('makes spans of what the upgrade request left running writes while the socket is open, and for the grace period after it closes only', async () => {
    const client = await connect('/presence')
    const { traceId } = await waitFor(() => api<{ status: number; traceId: string }>(`/api/requests/${client.requestId}`), (d) => d.status !== undefined)
    const queries = async () => (await spansOf(traceId)).filter((s) => s.name === 'UPDATE presence')
    // Longer than the panel's grace period (100 ms): the socket is open, so its trace still is.
    await new Promise((resolve) => setTimeout(resolve, 250))
    heartbeats[0]!()
    const [first] = await waitFor(queries, (spans) => spans.length === 1)
    expect(first!.parentSpanId).toBe((await spansOf(traceId)).find((s) => s.name === 'GET /presence')!.spanId)
    client.socket.close(1000)
    await waitFor(() => spansOf(traceId), (spans) => spans.some((s) => s.name === 'WS /presence' && s.endTimeUnixNano !== undefined))
    // Past the grace period after the close: the trace takes no more spans.
    await new Promise((resolve) => setTimeout(resolve, 250))
    heartbeats[1]!()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await queries()).toHaveLength(1)
    const detail = await api<{ panels: { opentelemetry: { convert: { sql: { converted: number } } } } }>(`/api/requests/${client.requestId}`)
    expect(detail.panels.opentelemetry.convert.sql.converted).toBe(1)
  })

  it('makes spans of what a handler left running, under its message span, at their real time, while the trace takes spans', async () => {
    const client = await connect('/later')
    const { traceId } = await waitFor(() => api<{ status: number; traceId: string }>(`/api/requests/${client.requestId}`), (d) => d.status !== undefined)
    const ns = (time: string | undefined) => BigInt(time ?? '0')
    client.socket.send(JSON.stringify({ type: 'log', text: 'message 7' }))
    client.socket.send(JSON.stringify({ type: 'save', text: 'kept later' }))
    client.socket.send(JSON.stringify({ type: 'digest', text: '' }))
    client.socket.send(JSON.stringify({ type: 'outline', text: '' }))
    client.socket.send(JSON.stringify({ type: 'wait', text: 'the test' }))
    const spans = await waitFor(() => spansOf(traceId), (all) =>
      ['log warn', 'INSERT messages', 'render digest'].every((name) => all.some((s) => s.name === name)) && all.some((s) => s.attributes['log.message'] === 'outline filled'),
    )
    const messageSpan = (name: string) => spans.find((s) => s.name === `WS receive ${name}`)!

    // A lone line: a zero-length INTERNAL span under its message span, after that span ended.
    const line = spans.find((s) => s.name === 'log warn')!
    const logged = messageSpan('log')
    expect(line).toMatchObject({
      kind: 'INTERNAL',
      parentSpanId: logged.spanId,
      attributes: { 'log.severity': 'warn', 'log.message': 'delivered message 7', recipients: 2, token: REDACTED },
    })
    expect(line.endTimeUnixNano).toBe(line.startTimeUnixNano)
    expect(ns(line.startTimeUnixNano)).toBeGreaterThan(ns(logged.endTimeUnixNano))
    expect(line.events.map((e) => e.name)).toEqual(['log'])

    // A query: a CLIENT span under its message span, after it ended.
    const query = spans.find((s) => s.name === 'INSERT messages')!
    const saved = messageSpan('save')
    expect(query).toMatchObject({ kind: 'CLIENT', parentSpanId: saved.spanId, attributes: { 'db.system.name': 'sqlite' } })
    expect(ns(query.startTimeUnixNano)).toBeGreaterThan(ns(saved.endTimeUnixNano))

    // A render: an INTERNAL render span under its message span, holding the line written in it.
    const render = spans.find((s) => s.name === 'render digest')!
    const digest = messageSpan('digest')
    expect(render).toMatchObject({ kind: 'INTERNAL', parentSpanId: digest.spanId })
    expect(ns(render.startTimeUnixNano)).toBeGreaterThan(ns(digest.endTimeUnixNano))
    expect(render.events.find((e) => e.name === 'log')!.attributes['log.message']).toBe('digest built')

    // A render still running when its handler returned was converted then, under its message
    // span; the line its code wrote later is a span under that render's span.
    const outline = spans.find((s) => s.name === 'render outline')!
    expect(outline).toMatchObject({ kind: 'INTERNAL', parentSpanId: messageSpan('outline').spanId })
    const filled = spans.find((s) => s.attributes['log.message'] === 'outline filled')!
    expect(filled).toMatchObject({ name: 'log info', parentSpanId: outline.spanId })

    // The exporters get the same spans, under the same parents.
    await otel.forceFlush()
    const sent = exported.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId)
    for (const span of [line, query, render]) {
      expect(sent.find((s) => s.spanContext().spanId === span.spanId)?.parentSpanContext?.spanId).toBe(span.parentSpanId)
    }

    // onOpen's line: the connection span is still open, so it is that span's event.
    const connection = spans.find((s) => s.name === 'WS /later')!
    expect(connection.endTimeUnixNano).toBeUndefined()
    expect(connection.events.find((e) => e.name === 'log')!.attributes['log.message']).toBe('joined the room')

    client.socket.close(1000)
    // onClose's line, written after the connection span ended, within the grace period: a span under it.
    const closed = await waitFor(() => spansOf(traceId), (all) => all.some((s) => s.name === 'log info' && s.attributes['log.message'] === 'left the room'))
    const ended = closed.find((s) => s.name === 'WS /later')!
    expect(closed.find((s) => s.attributes['log.message'] === 'left the room')!.parentSpanId).toBe(ended.spanId)
    // Past the grace period after the close: the trace takes no more spans.
    await new Promise((resolve) => setTimeout(resolve, 250))
    const count = (await spansOf(traceId)).length
    leftRunning.shift()!()
    await new Promise((resolve) => setTimeout(resolve, 50))
    const after = await spansOf(traceId)
    expect(after).toHaveLength(count)
    expect(after.some((s) => s.attributes['log.message'] === 'waited for the test')).toBe(false)
  })

  it('makes spans of what waits for a render a handler left running when the trace stops taking spans, under its message span', async () => {
    const { spans, render } = await renderStillRunning('transcript')
    expect(render.events.map((e) => e.attributes['log.message'])).toEqual(['transcript started'])
    expect(spans.filter((s) => s.parentSpanId === render.spanId).map((s) => s.name)).toEqual(['SELECT messages'])
    // The exporters get the query too, under the render.
    const traceId = render.traceId
    const query = spans.find((s) => s.name === 'SELECT messages')!
    expect(exported.getFinishedSpans().find((s) => s.spanContext().traceId === traceId && s.spanContext().spanId === query.spanId)?.parentSpanContext?.spanId).toBe(query.parentSpanId)
  })

  it('makes a span of a render a handler left running that writes nothing inside it and never ends, under its message span, when the trace stops taking spans', async () => {
    const { spans, render } = await renderStillRunning('minutes')
    expect(spans.filter((s) => s.parentSpanId === render.spanId)).toEqual([])
    expect(spans.filter((s) => s.name === 'render minutes')).toHaveLength(1)
  })

  it("makes a span of a render a handler left running under the app's span it started in, that span ended, when the trace stops taking spans", async () => {
    const { spans, render } = await renderStillRunning('agenda', 'prepare agenda')
    const agenda = spans.find((s) => s.name === 'prepare agenda')!
    expect(agenda.parentSpanId).toBe(spans.find((s) => s.name === 'WS receive agenda')!.spanId)
    expect(BigInt(render.endTimeUnixNano!)).toBeGreaterThan(BigInt(agenda.endTimeUnixNano!))
  })

  it('keeps the late work of concurrent connections apart: each line joins its own message', async () => {
    const clients = await Promise.all([connect('/later'), connect('/later'), connect('/later')])
    for (const [i, client] of clients.entries()) client.socket.send(JSON.stringify({ type: 'log', text: `from client ${i}` }))
    for (const [i, client] of clients.entries()) {
      const { traceId } = await waitFor(() => api<{ status: number; traceId: string }>(`/api/requests/${client.requestId}`), (d) => d.status !== undefined)
      const spans = await waitFor(() => spansOf(traceId), (all) => all.some((s) => s.name === 'log warn'))
      const lines = spans.filter((s) => s.name === 'log warn')
      expect(lines.map((s) => s.attributes['log.message'])).toEqual([`delivered from client ${i}`])
      expect(lines[0]!.parentSpanId).toBe(spans.find((s) => s.name === 'WS receive log')!.spanId)
      client.socket.close(1000)
    }
  })

  it('names messages by the default rule (a throwing messageName too), and marks an abnormal close as an error', async () => {
    const client = await connect('/echo')
    const detail = await waitFor(() => api<{ status: number; traceId: string }>(`/api/requests/${client.requestId}`), (d) => d.status !== undefined)
    expect(detail.status).toBe(101)
    client.socket.send('just text')
    expect(await client.next()).toBe('just text')
    client.socket.send('{"event":"typing"}')
    expect(await client.next()).toBe('{"event":"typing"}')
    client.socket.send('over the bound')
    expect(await client.next()).toBe('over the bound')
    client.socket.terminate()
    const spans = await waitFor(() => spansOf(detail.traceId), (all) => all.some((s) => s.name === 'WS /echo' && s.endTimeUnixNano !== undefined))
    expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(['WS receive message', 'WS receive typing']))
    const connection = spans.find((s) => s.name === 'WS /echo')!
    expect(connection.attributes).toMatchObject({ 'websocket.close.code': 1006, 'websocket.messages.received': 3, 'websocket.messages.untraced': 1 })
    expect(spans.filter((s) => s.name.startsWith('WS receive'))).toHaveLength(2)
    expect(connection.status.code).toBe('ERROR')
    // The message past maxMessageSpans is said on the connection's line of get_trace.
    const mcp = await connectMcp(`http://${baseUrl}`)
    try {
      const { text } = await call(mcp, 'get_trace', { trace_id: detail.traceId })
      expect(text).toMatch(new RegExp(`^ *\\+\\S+ ms WS /echo .*, 1 more message not traced \\(over maxMessageSpans\\) #${connection.spanId}$`, 'm'))
    } finally {
      await mcp.close()
    }
  })
})
