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

/** How the app stops: a signal, or its own code calling `await otel.shutdown()` then `process.exit()` (`POST /last-signup`). */
type Stopping = NodeJS.Signals | 'otel.shutdown()'

/** Stops `app` (or waits for it to stop itself) and answers what the demo app, started on the same store, sees. */
async function afterRestart<T>(app: DemoProcess, signal: Stopping, env: Record<string, string>, read: (base: string) => Promise<T>): Promise<T> {
  if (signal === 'otel.shutdown()') expect(await app.ended(), app.output()).toEqual({ code: 0, signal: null })
  else expect((await app.stop(signal)).signal).toBe(signal)
  const restarted = await startDemo(env)
  try {
    return await read(restarted.url)
  } finally {
    await restarted.stop()
  }
}

/**
 * A line logged 50 ms after the answer; the app stopped before its span was written: by a
 * signal 100 ms after the answer, or by its own code right after the line.
 */
async function lateLineSurvives(env: Record<string, string>, signal: Stopping): Promise<void> {
  const app = await startDemo(env, APP)
  const path = signal === 'otel.shutdown()' ? '/last-signup' : '/signup'
  const res = await fetch(`${app.url}${path}`, { method: 'POST' })
  expect(await res.text()).toBe('ok')
  const requestId = res.headers.get('x-debug-toolbar-request-id')!
  if (signal !== 'otel.shutdown()') await sleep(100)
  const { spans, logs } = await afterRestart(app, signal, env, async (base) => ({
    spans: await traceOf(base, requestId),
    logs: (await json<{ panels: { logging: { logs: Array<{ message: string }> } } }>(`${base}/_debug_toolbar/api/requests/${requestId}`)).panels.logging.logs,
  }))
  // The Logging panel of the request, as the History shows it after the restart.
  expect(logs.map((line) => line.message)).toEqual(['welcome email sent'])
  const server = spans.find((s) => s.name === `POST ${path}`)!
  const line = spans.find((s) => s.name === 'log info')
  expect(line, `spans after the restart: ${spans.map((s) => s.name).join(', ')}`).toMatchObject({ parentSpanId: server.spanId, attributes: { 'log.message': 'welcome email sent' } })
}

/**
 * A render made after the answer and still running when the app stops (before the late
 * window ended): its span ends then, marked still running, with the line logged in it.
 */
async function runningRenderSurvives(env: Record<string, string>): Promise<void> {
  const app = await startDemo(env, APP)
  const res = await fetch(`${app.url}/receipt`, { method: 'POST' })
  expect(await res.text()).toBe('ok')
  const requestId = res.headers.get('x-debug-toolbar-request-id')!
  await sleep(150)
  const spans = await afterRestart(app, 'SIGTERM', env, (base) => traceOf(base, requestId))
  const render = spans.find((s) => s.name === 'render receipt')
  expect(render, `spans after the restart: ${spans.map((s) => s.name).join(', ')}`).toMatchObject({
    parentSpanId: spans.find((s) => s.name === 'POST /receipt')!.spanId,
    attributes: { 'template.name': 'receipt', 'hono_debug_toolbar.still_running': true },
    status: { code: 'UNSET' },
  })
  expect(render!.events.map((e) => e.attributes['log.message'])).toEqual(['receipt started'])
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

/**
 * A message whose handler is still running when the app stops: its span ends then, marked
 * so, with what the handler recorded so far, and the restarted app has it under its
 * connection; with `closeFirst`, the client closed the socket before the app stopped.
 */
async function runningHandlerSurvives(env: Record<string, string>, closeFirst = false): Promise<void> {
  const app = await startDemo(env, APP)
  const socket = new WebSocket(`${app.url.replace('http', 'ws')}/chat`)
  let requestId = ''
  socket.once('upgrade', (res) => (requestId = String(res.headers['x-debug-toolbar-request-id'])))
  const replies: string[] = []
  const replied = new Promise((resolve) => socket.on('message', (data) => replies.push(String(data)) === 2 && resolve(undefined)))
  const closed = new Promise((resolve) => socket.once('close', resolve))
  socket.on('error', () => undefined)
  await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)))
  socket.send(JSON.stringify({ type: 'chat', text: 'hello' }))
  socket.send(JSON.stringify({ type: 'export', text: 'the <b>report</b>' }))
  await replied
  if (closeFirst) {
    socket.close(1000)
    await closed
    // The app has seen the close: its connection span ended.
    for (let i = 0; i < 100; i++) {
      if ((await traceOf(app.url, requestId)).some((s) => s.name === 'WS /chat' && s.endTimeUnixNano)) break
      await sleep(25)
    }
  }
  const spans = await afterRestart(app, 'SIGTERM', env, (base) => traceOf(base, requestId))
  await closed
  const names = spans.map((s) => s.name).join(', ')
  const connection = spans.find((s) => s.name === 'WS /chat')
  const running = spans.find((s) => s.name === 'WS receive export')
  expect(running, `spans after the restart: ${names}`).toMatchObject({
    kind: 'CONSUMER',
    parentSpanId: connection?.spanId,
    attributes: { 'websocket.message.running_at_shutdown': true },
    status: { code: 'UNSET' },
  })
  expect(running!.endTimeUnixNano).toBeDefined()
  // What its handler recorded before the app stopped is on it.
  expect(running!.events.filter((e) => e.name === 'log').map((e) => e.attributes['log.message'])).toEqual(['exporting the <b>report</b>'])
  expect(running!.events.filter((e) => e.name === 'websocket.send')).toHaveLength(1)
  // A message handled before is not marked.
  expect(spans.find((s) => s.name === 'WS receive chat')!.attributes['websocket.message.running_at_shutdown']).toBeUndefined()
  if (closeFirst) expect(connection!.attributes).toMatchObject({ 'websocket.close.code': 1000, 'websocket.messages.received': 2 })
  else expect(connection!.attributes).toMatchObject({ 'websocket.open_at_shutdown': true, 'websocket.messages.received': 2 })
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

  it('keeps it when the app stops itself with `await otel.shutdown()` then `process.exit()`', async () => {
    await lateLineSurvives({ DEBUG_TOOLBAR_STORE: join(stores.dir, 'late-line-self.db') }, 'otel.shutdown()')
  })

  it('keeps a render made after the answer and still running, with the line logged in it', async () => {
    await runningRenderSurvives({ DEBUG_TOOLBAR_STORE: join(stores.dir, 'running-render.db') })
  })

  it('keeps the connection span of a WebSocket open when the app stopped, as the parent of its messages', async () => {
    await openSocketSurvives({ DEBUG_TOOLBAR_STORE: join(stores.dir, 'open-socket.db') })
  })

  it('keeps the span of a message whose handler was still running when the app stopped, marked so, with what the handler recorded', async () => {
    await runningHandlerSurvives({ DEBUG_TOOLBAR_STORE: join(stores.dir, 'running-handler.db') })
  })

  it('keeps it when the client had closed the socket before the app stopped', async () => {
    await runningHandlerSurvives({ DEBUG_TOOLBAR_STORE: join(stores.dir, 'running-handler-closed.db') }, true)
  })
})

describe.skipIf(!stores.postgresUrl)('stopping an app with a PostgreSQL store', () => {
  const env = (name: string) => ({ DEBUG_TOOLBAR_STORE: stores.postgresUrl ?? '', DEBUG_TOOLBAR_STORE_SCHEMA: uniqueSchema(name) })

  it('keeps a line logged after the answer (its span, the Logging panel)', async () => {
    await lateLineSurvives(env('shutdown_line'), 'SIGTERM')
  })

  it('keeps it when the app stops itself with `await otel.shutdown()` then `process.exit()`', async () => {
    await lateLineSurvives(env('shutdown_self'), 'otel.shutdown()')
  })

  it('keeps a render made after the answer and still running', async () => {
    await runningRenderSurvives(env('shutdown_render'))
  })

  it('keeps the connection span of a WebSocket open when the app stopped', async () => {
    await openSocketSurvives(env('shutdown_socket'))
  })

  it('keeps the span of a message whose handler was still running when the app stopped', async () => {
    await runningHandlerSurvives(env('shutdown_handler'))
  })

  it('keeps it when the client had closed the socket before the app stopped', async () => {
    await runningHandlerSurvives(env('shutdown_handler_closed'), true)
  })
})
