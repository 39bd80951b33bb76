/**
 * Nothing recorded is lost when an app with a durable store is stopped (`node --watch` and
 * `tsx watch` restart it with SIGTERM, Ctrl-C sends SIGINT): the app as its own process on a
 * SQLite file or a PostgreSQL schema is stopped while spans wait to be written and while a
 * WebSocket is open, and the demo app started on the same store answers the whole trace.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { ToolbarSpan } from '../src/opentelemetry/index.js'
import { startDemo, type DemoProcess } from './support/demo-process.js'
import { durableStores } from './support/durable-stores.js'
import { uniqueSchema } from './support/postgres-server.js'

const stores = await durableStores('Stopping an app')
const APP = new URL('./support/late-work-app.mjs', import.meta.url).pathname

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url)
  expect(res.status).toBe(200)
  return (await res.json()) as T
}

/** The trace of the toolbar request `requestId`, as the app at `base` answers it. */
async function traceOf(base: string, requestId: string): Promise<ToolbarSpan[]> {
  const { traceId } = await json<{ traceId: string }>(`${base}/_debug_toolbar/api/requests/${requestId}`)
  return (await json<{ spans: ToolbarSpan[] }>(`${base}/_debug_toolbar/api/traces/${traceId}`)).spans
}

/** Stops `app` with `signal` and answers what the demo app, started on the same store, sees. */
async function afterRestart<T>(app: DemoProcess, signal: NodeJS.Signals, env: Record<string, string>, read: (base: string) => Promise<T>): Promise<T> {
  const ended = await app.stop(signal)
  expect(ended.signal).toBe(signal)
  const restarted = await startDemo(env)
  try {
    return await read(restarted.url)
  } finally {
    await restarted.stop()
  }
}

/** A line logged 50 ms after the answer; the app stopped 100 ms after the answer, before its span was written. */
async function lateLineSurvives(env: Record<string, string>, signal: NodeJS.Signals): Promise<void> {
  const app = await startDemo(env, APP)
  const res = await fetch(`${app.url}/signup`, { method: 'POST' })
  expect(await res.text()).toBe('ok')
  const requestId = res.headers.get('x-debug-toolbar-request-id')!
  await sleep(100)
  const { spans, logs } = await afterRestart(app, signal, env, async (base) => ({
    spans: await traceOf(base, requestId),
    logs: (await json<{ panels: { logging: { logs: Array<{ message: string }> } } }>(`${base}/_debug_toolbar/api/requests/${requestId}`)).panels.logging.logs,
  }))
  // The Logging panel of the request, as the History shows it after the restart.
  expect(logs.map((line) => line.message)).toEqual(['welcome email sent'])
  const server = spans.find((s) => s.name === 'POST /signup')!
  const line = spans.find((s) => s.name === 'log info')
  expect(line, `spans after the restart: ${spans.map((s) => s.name).join(', ')}`).toMatchObject({ parentSpanId: server.spanId, attributes: { 'log.message': 'welcome email sent' } })
}

/** A WebSocket open when the app stops: its connection span holds the messages after the restart. */
async function openSocketSurvives(env: Record<string, string>): Promise<void> {
  const app = await startDemo(env, APP)
  const socket = new WebSocket(`${app.url.replace('http', 'ws')}/chat`)
  let requestId = ''
  socket.once('upgrade', (res) => (requestId = String(res.headers['x-debug-toolbar-request-id'])))
  const ack = new Promise((resolve) => socket.once('message', resolve))
  const closed = new Promise((resolve) => socket.once('close', resolve))
  socket.on('error', () => undefined)
  await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)))
  socket.send(JSON.stringify({ type: 'chat', text: 'hello' }))
  await ack
  const spans = await afterRestart(app, 'SIGTERM', env, (base) => traceOf(base, requestId))
  await closed
  const names = spans.map((s) => s.name).join(', ')
  const connection = spans.find((s) => s.name === 'WS /chat')
  const message = spans.find((s) => s.name === 'WS receive chat')
  expect(message, `spans after the restart: ${names}`).toBeDefined()
  expect(connection, `spans after the restart: ${names}`).toMatchObject({
    kind: 'SERVER',
    parentSpanId: spans.find((s) => s.name === 'GET /chat')!.spanId,
    attributes: { 'websocket.open_at_shutdown': true, 'websocket.messages.received': 1, 'websocket.messages.sent': 1 },
    status: { code: 'UNSET' },
  })
  expect(connection!.endTimeUnixNano).toBeDefined()
  expect(message!.parentSpanId).toBe(connection!.spanId)
}

describe('stopping an app with a SQLite store', () => {
  it('keeps a line logged after the answer (its span, the Logging panel), stopped with SIGTERM before they were written', async () => {
    const path = join(stores.dir, 'late-line-term.db')
    await lateLineSurvives({ DEBUG_TOOLBAR_STORE: path }, 'SIGTERM')
  })

  it('keeps it with SIGINT (Ctrl-C) too', async () => {
    const path = join(stores.dir, 'late-line-int.db')
    await lateLineSurvives({ DEBUG_TOOLBAR_STORE: path }, 'SIGINT')
  })

  it('keeps the connection span of a WebSocket open when the app stopped, as the parent of its messages', async () => {
    await openSocketSurvives({ DEBUG_TOOLBAR_STORE: join(stores.dir, 'open-socket.db') })
  })
})

describe.skipIf(!stores.postgresUrl)('stopping an app with a PostgreSQL store', () => {
  const env = (name: string) => ({ DEBUG_TOOLBAR_STORE: stores.postgresUrl ?? '', DEBUG_TOOLBAR_STORE_SCHEMA: uniqueSchema(name) })

  it('keeps a line logged after the answer (its span, the Logging panel)', async () => {
    await lateLineSurvives(env('shutdown_line'), 'SIGTERM')
  })

  it('keeps the connection span of a WebSocket open when the app stopped', async () => {
    await openSocketSurvives(env('shutdown_socket'))
  })
})
