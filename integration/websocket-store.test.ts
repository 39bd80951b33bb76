/**
 * A WebSocket connection's spans in a durable store, as a user meets them: an app on a real
 * @hono/node-server server (a `ws` WebSocketServer in noServer mode) with a SQLite file or a
 * PostgreSQL schema serves a chat to a real `ws` client; another instance of the app on the
 * same store (the demo app as a child process: a process of its own, with nothing in memory)
 * shows the upgrade request's whole trace, the connection, its messages and the line a
 * handler logged after it returned, and so does the app started again after the first one stopped.
 */
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { serve, upgradeWebSocket } from '@hono/node-server'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { debugToolbar, recordLog } from '../src/index.js'
import { OpenTelemetryPanel, tracedWebSocket, type ToolbarSpan } from '../src/opentelemetry/index.js'
import { startDemo } from './support/demo-process.js'
import { SqliteStore } from '../src/store/sqlite.js'
import { PostgresStore } from '../src/store/postgres.js'
import { durableStores, type Durable } from './support/durable-stores.js'
import { uniqueSchema } from './support/postgres-server.js'

const stores = await durableStores('WebSocket spans')

/** The chat app on a loopback port, its toolbar writing to `store`. */
async function startChat(store: Durable): Promise<{ url: string; otel: OpenTelemetryPanel; close: () => Promise<void> }> {
  const app = new Hono()
  const otel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'chat', gracePeriodMs: 1_000 })
  app.use(debugToolbar({ app, store, extraPanels: [otel] }))
  app.get('/chat', upgradeWebSocket(tracedWebSocket(() => ({
    onMessage(event, ws) {
      const { text } = JSON.parse(String(event.data)) as { text: string }
      ws.send(JSON.stringify({ type: 'ack', text }))
      // Work the handler leaves running: its line comes after the message span ended.
      setTimeout(() => recordLog('warn', `delivered ${text}`), 20)
    },
  }))))
  const wss = new WebSocketServer({ noServer: true })
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', websocket: { server: wss } }, (info: AddressInfo) => {
      resolve({
        url: `127.0.0.1:${info.port}`,
        otel,
        close: () => new Promise<void>((done) => {
          for (const client of wss.clients) client.terminate()
          ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
          server.close(() => done())
        }),
      })
    })
  })
}

/** Connects, sends two chat messages, waits for their acks and closes: answers the toolbar's request id. */
async function chat(url: string): Promise<string> {
  const socket = new WebSocket(`ws://${url}/chat`)
  let requestId = ''
  socket.once('upgrade', (res) => {
    requestId = String(res.headers['x-debug-toolbar-request-id'])
  })
  const acks: string[] = []
  socket.on('message', (data) => acks.push(String(data)))
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  for (const text of ['hello', 'again']) socket.send(JSON.stringify({ type: 'chat', text }))
  await until(async () => acks.length === 2)
  // The lines the handlers left running are written 20 ms after each message.
  await new Promise((resolve) => setTimeout(resolve, 60))
  socket.close(1000, 'bye')
  await new Promise((resolve) => socket.once('close', resolve))
  return requestId
}

async function until(ok: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await ok()); i++) await new Promise((resolve) => setTimeout(resolve, 25))
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url)
  expect(res.status).toBe(200)
  return (await res.json()) as T
}

/** The trace as the toolbar at `base` answers it, once it has the closed connection (at most 5 s). */
async function storedTrace(base: string, traceId: string): Promise<ToolbarSpan[]> {
  let spans: ToolbarSpan[] = []
  await until(async () => {
    spans = (await json<{ spans: ToolbarSpan[] }>(`${base}/_debug_toolbar/api/traces/${traceId}`)).spans
    return spans.some((s) => s.name === 'WS /chat' && s.endTimeUnixNano !== undefined) && spans.filter((s) => s.name === 'log warn').length === 2
  })
  return spans
}

function expectWholeConversation(spans: ToolbarSpan[]): void {
  expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(['GET /chat', 'WS /chat', 'WS receive chat', 'log warn']))
  const upgrade = spans.find((s) => s.name === 'GET /chat')!
  expect(upgrade.attributes['http.response.status_code']).toBe(101)
  const connection = spans.find((s) => s.name === 'WS /chat')!
  expect(connection).toMatchObject({ kind: 'SERVER', parentSpanId: upgrade.spanId, attributes: { 'websocket.close.code': 1000, 'websocket.close.reason': 'bye', 'websocket.messages.received': 2 } })
  expect(connection.endTimeUnixNano).toBeDefined()
  const messages = spans.filter((s) => s.name === 'WS receive chat')
  expect(messages).toHaveLength(2)
  for (const message of messages) expect(message).toMatchObject({ kind: 'CONSUMER', parentSpanId: connection.spanId })
  const lines = spans.filter((s) => s.name === 'log warn')
  expect(lines.map((s) => s.attributes['log.message']).sort()).toEqual(['delivered again', 'delivered hello'])
  for (const line of lines) expect(messages.map((m) => m.spanId)).toContain(line.parentSpanId)
}

async function conversationIsStored(store: Durable, env: Record<string, string>): Promise<void> {
  const chatApp = await startChat(store)
  const requestId = await chat(chatApp.url)
  const { traceId } = await json<{ traceId: string }>(`http://${chatApp.url}/_debug_toolbar/api/requests/${requestId}`)

  // Another instance on the same store, while the app runs.
  const other = await startDemo(env)
  try {
    expectWholeConversation(await storedTrace(other.url, traceId))
  } finally {
    await other.stop()
  }

  // The app stopped, then started again.
  await chatApp.close()
  await store.close()
  const restarted = await startDemo(env)
  try {
    expectWholeConversation(await storedTrace(restarted.url, traceId))
  } finally {
    await restarted.stop()
  }
}

describe('a WebSocket connection reaches the durable store', () => {
  it('SQLite', async () => {
    const path = join(stores.dir, 'websocket.db')
    await conversationIsStored(new SqliteStore({ path }), { DEBUG_TOOLBAR_STORE: path })
  })

  it.skipIf(!stores.postgresUrl)('PostgreSQL', async () => {
    const schema = uniqueSchema('websocket')
    const url = stores.postgresUrl ?? ''
    await conversationIsStored(new PostgresStore({ connectionString: url, schema }), { DEBUG_TOOLBAR_STORE: url, DEBUG_TOOLBAR_STORE_SCHEMA: schema })
  })
})

describe("a WebSocket still open when the app calls the OpenTelemetry panel's shutdown()", () => {
  it('SQLite: the store has its connection span, marked open at shutdown, with its message and the line logged after it', async () => {
    const path = join(stores.dir, 'websocket-shutdown.db')
    const store = new SqliteStore({ path })
    const chatApp = await startChat(store)
    const socket = new WebSocket(`ws://${chatApp.url}/chat`)
    let requestId = ''
    socket.once('upgrade', (res) => (requestId = String(res.headers['x-debug-toolbar-request-id'])))
    const acks: string[] = []
    socket.on('message', (data) => acks.push(String(data)))
    await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)))
    socket.send(JSON.stringify({ type: 'chat', text: 'hello' }))
    await until(async () => acks.length === 1)
    // The handler's line is logged 20 ms after the message; its write would be due 250 ms later.
    await new Promise((resolve) => setTimeout(resolve, 60))
    const { traceId } = await json<{ traceId: string }>(`http://${chatApp.url}/_debug_toolbar/api/requests/${requestId}`)

    // As in `process.on('beforeExit', () => otel.shutdown())`, with the socket still open.
    await chatApp.otel.shutdown()
    await store.close()
    const reopened = new SqliteStore({ path })
    const spans = (await reopened.getTrace(traceId)) ?? []
    await reopened.close()
    socket.terminate()
    await chatApp.close()

    const connection = spans.find((s) => s.name === 'WS /chat')
    expect(connection, `stored spans: ${spans.map((s) => s.name).join(', ')}`).toMatchObject({ attributes: { 'websocket.open_at_shutdown': true, 'websocket.messages.received': 1 } })
    const message = spans.find((s) => s.name === 'WS receive chat')
    expect(message).toMatchObject({ parentSpanId: connection!.spanId })
    expect(spans.find((s) => s.name === 'log warn')).toMatchObject({ parentSpanId: message!.spanId, attributes: { 'log.message': 'delivered hello' } })
  })
})
