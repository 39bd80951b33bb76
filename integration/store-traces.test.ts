/**
 * Traces in a durable store filled to `maxTraces`, as a user meets them: an OTLP file
 * imported into the toolbar (spans from last year) is listed and still there after a
 * restart, on SQLite and on PostgreSQL, as it is in memory, and the list counts the trace
 * it evicted. The store used to prune by the traces' start times, so an old trace was
 * deleted right after it was stored.
 */
import { expect } from 'vitest'
import { randomBytes } from 'node:crypto'
import { Hono } from 'hono'
import { debugToolbar, type ToolbarStore } from '../src/index.js'
import { OpenTelemetryPanel } from '../src/opentelemetry/index.js'
import { request } from '../test/support/local.js'
import { durableStores, onEachDurableStore, type Durable } from './support/durable-stores.js'

const stores = await durableStores('traces')

// One id per store: the trace store in memory is the process's, and it would hold the first
// run's import when the second runs (an import of spans memory holds adds nothing).
let IMPORTED = ''

/** An OTLP/JSON file of one trace of two spans, recorded on 2025-06-01. */
function lastYearsTrace(): object {
  const start = BigInt(Date.UTC(2025, 5, 1)) * 1_000_000n
  const span = (spanId: string, parentSpanId: string | undefined, name: string, offsetMs: number) => ({
    traceId: IMPORTED,
    spanId,
    parentSpanId,
    name,
    kind: 2,
    startTimeUnixNano: String(start + BigInt(offsetMs) * 1_000_000n),
    endTimeUnixNano: String(start + BigInt(offsetMs + 5) * 1_000_000n),
    status: { code: 0 },
  })
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'billing' } }] },
        scopeSpans: [{ scope: { name: 'file' }, spans: [span('b7ad6b7169203331', undefined, 'GET /invoices', 0), span('00f067aa0ba902b7', 'b7ad6b7169203331', 'SELECT invoices', 1)] }],
      },
    ],
  }
}

function app(store: ToolbarStore): Hono {
  const app = new Hono()
  app.use(debugToolbar({ store, enabled: true, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
  app.get('/', (c) => c.text('ok'))
  return app
}

async function importedTraceStays(open: () => Durable): Promise<void> {
  IMPORTED = randomBytes(16).toString('hex')
  const store = open()
  const first = app(store)
  for (let i = 0; i < 3; i++) expect((await request(first, '/')).status).toBe(200)
  const imported = await request(first, '/_debug_toolbar/api/traces/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(lastYearsTrace()) })
  expect(imported.json()).toMatchObject({ traceIds: [IMPORTED], spans: 2 })
  // The store holds maxTraces (3): the import is the newest trace stored, one of the requests' goes.
  const list = (await request(first, '/_debug_toolbar/api/traces')).json() as { traces: Array<{ traceId: string; rootName: string }>; total: number; evicted?: number }
  expect(list.total).toBe(3)
  // And the list says so, as the in-memory trace list does.
  expect(list.evicted).toBe(1)
  expect(list.traces.find((t) => t.traceId === IMPORTED)).toMatchObject({ rootName: 'GET /invoices' })
  await store.close()

  // Restarted: only the store knows the trace.
  const reopened = open()
  const second = app(reopened)
  const trace = await request(second, `/_debug_toolbar/api/traces/${IMPORTED}`)
  expect(trace.status).toBe(200)
  expect((trace.json() as { spans: Array<{ name: string; source: string }> }).spans.map((s) => [s.name, s.source])).toEqual([
    ['GET /invoices', 'import'],
    ['SELECT invoices', 'import'],
  ])
  await reopened.close()
}

onEachDurableStore('a durable store at maxTraces keeps an imported trace, as memory does', stores, 'traces', { maxTraces: 3 }, importedTraceStays)

/** An imported trace from last year in a store that keeps a minute: kept a minute from when it was stored. */
async function importedTraceAges(open: () => Durable): Promise<void> {
  IMPORTED = randomBytes(16).toString('hex')
  const store = open()
  const first = app(store)
  expect((await request(first, '/')).status).toBe(200)
  const imported = await request(first, '/_debug_toolbar/api/traces/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(lastYearsTrace()) })
  expect(imported.json()).toMatchObject({ traceIds: [IMPORTED], spans: 2 })
  // The next write prunes by age.
  expect((await request(first, '/')).status).toBe(200)
  const list = (await request(first, '/_debug_toolbar/api/traces')).json() as { traces: Array<{ traceId: string }>; evicted?: number }
  expect(list.traces.map((t) => t.traceId)).toContain(IMPORTED)
  await store.close()
  const reopened = open()
  expect((await request(app(reopened), `/_debug_toolbar/api/traces/${IMPORTED}`)).status).toBe(200)
  await reopened.close()
}

onEachDurableStore('a durable store with maxAgeMs keeps an imported trace for maxAgeMs from its import, as it keeps a request', stores, 'aged', { maxAgeMs: 60_000 }, importedTraceAges)
