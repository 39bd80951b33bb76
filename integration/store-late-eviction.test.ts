/**
 * A busy app with a durable store keeps the spans that join a trace after its request even
 * when the trace leaves memory before they were written: a trace pushed out over
 * `maxTraces` by the requests that came meanwhile (a load script while a job finishes)
 * still has, for another instance or the app after a restart, the line its work logged
 * after the answer.
 */
import { expect } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { Hono } from 'hono'
import { debugToolbar, recordLog } from '../src/index.js'
import { OpenTelemetryPanel, type ToolbarSpan } from '../src/opentelemetry/index.js'
import { request } from '../test/support/local.js'
import { durableStores, onEachDurableStore, type Durable } from './support/durable-stores.js'

const stores = await durableStores('Late spans of an evicted trace')

function appOn(store: Durable): Hono {
  const app = new Hono()
  app.use(debugToolbar({ store, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', maxTraces: 2 })] }))
  return app
}

onEachDurableStore('a trace evicted from memory before its late spans were written keeps them in the store', stores, 'late_evicted', {}, async (open) => {
  const store = open()
  const app = appOn(store)
  let logged!: Promise<void>
  app.post('/signup', (c) => {
    // Work the request leaves running: its line comes 20 ms after the answer.
    logged = sleep(20).then(() => recordLog('info', 'welcome email sent'))
    return c.text('ok')
  })
  app.get('/ping', (c) => c.text('pong'))
  const id = (await request(app, '/signup', { method: 'POST' })).headers.get('x-debug-toolbar-request-id')!
  const { traceId } = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json() as { traceId: string }
  await logged
  // Three requests at once, well before the line's write is due (250 ms): the trace is pushed out of memory.
  await Promise.all([1, 2, 3].map(() => request(app, '/ping')))
  await store.flush()

  // Another instance on the same store, with nothing in memory.
  const otherStore = open()
  const other = appOn(otherStore)
  const spans = (await request(other, `/_debug_toolbar/api/traces/${traceId}`)).json().spans as ToolbarSpan[]
  expect(spans.map((span) => span.name).sort()).toEqual(['POST /signup', 'log info'])
  const server = spans.find((span) => span.name === 'POST /signup')!
  expect(spans.find((span) => span.name === 'log info')).toMatchObject({ parentSpanId: server.spanId, attributes: { 'log.message': 'welcome email sent' } })
  // The trace keeps its request.
  expect((await request(other, '/_debug_toolbar/api/traces')).json().traces.find((t: { traceId: string }) => t.traceId === traceId)).toMatchObject({ requestId: id })
  await store.close()
  await otherStore.close()
})
