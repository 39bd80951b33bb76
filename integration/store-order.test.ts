/**
 * The same traffic answers the same on every store (in memory, SQLite, PostgreSQL), as a
 * user reads it through the trace API:
 * - spans that start at the same nanosecond are listed in the order they were recorded
 *   (this process's spans: the order they started, so a parent comes before the child that
 *   started with it) or received (a service's spans: the order they arrived), where the
 *   databases used to order them by span id and memory by when they ended;
 * - over `maxTraces`, the trace that started first goes first, also a slow request's that
 *   finished after newer ones, where the databases used to drop the trace stored first.
 */
import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { Hono } from 'hono'
import { context, trace, type HrTime } from '@opentelemetry/api'
import { debugToolbar, type ToolbarStore } from '../src/index.js'
import { OpenTelemetryPanel } from '../src/opentelemetry/index.js'
import { SqliteStore } from '../src/store/sqlite.js'
import { PostgresStore } from '../src/store/postgres.js'
import { request } from '../test/support/local.js'
import { uniqueSchema } from './support/postgres-server.js'
import { durableStores } from './support/durable-stores.js'

const { dir, postgresUrl } = await durableStores('order')

type Store = ToolbarStore & { close?(): Promise<void> }
type Span = { spanId: string; name: string }

/** The stores a test runs on: a fresh one of each kind (memory is the toolbar's default). */
const STORES: Array<[string, (name: string, maxTraces?: number) => Store | undefined]> = [
  ['memory', () => undefined],
  ['SQLite', (name, maxTraces) => new SqliteStore({ path: join(dir, `${name}.db`), maxTraces })],
  ['PostgreSQL', (name, maxTraces) => new PostgresStore({ connectionString: postgresUrl ?? '', schema: uniqueSchema(name), maxTraces })],
]

function app(store: Store | undefined, maxTraces?: number): Hono {
  const app = new Hono()
  const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop', ...(maxTraces ? { maxTraces } : {}) })
  app.use(debugToolbar({ store, enabled: true, extraPanels: [panel] }))
  return app
}

async function spansOf(shop: Hono, traceId: string): Promise<Span[]> {
  const answer = await request(shop, `/_debug_toolbar/api/traces/${traceId}`)
  expect(answer.status).toBe(200)
  return (answer.json() as { spans: Span[] }).spans
}

/** The trace's spans as the paged route answers them, two at a time. */
async function pagedSpans(shop: Hono, traceId: string): Promise<Span[]> {
  const spans: Span[] = []
  for (let offset = 0; ; offset += 2) {
    const page = (await request(shop, `/_debug_toolbar/api/traces/${traceId}/spans?limit=2&offset=${offset}`)).json() as { spans: Span[]; total: number }
    spans.push(...page.spans)
    if (offset + 2 >= page.total) return spans
  }
}

/** An OTLP/JSON export of `ids`, in that order, all starting at `startNs` (a service with a coarse clock). */
function sameInstant(traceId: string, ids: string[], startNs: bigint): object {
  const spans = ids.map((spanId) => ({
    traceId, spanId, name: `step ${spanId.slice(0, 4)}`, kind: 1,
    startTimeUnixNano: String(startNs), endTimeUnixNano: String(startNs + 1_000_000n), status: { code: 0 },
  }))
  return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'worker' } }] }, scopeSpans: [{ scope: { name: 'worker' }, spans }] }] }
}

async function post(shop: Hono, body: object): Promise<void> {
  const answer = await request(shop, '/_debug_toolbar/otlp/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  expect(answer.status).toBe(200)
}

describe.each(STORES)('spans that start together are listed in the order they were recorded or received: %s', (kind, make) => {
  it.skipIf(kind === 'PostgreSQL' && !postgresUrl)('a parent before the child that started with it, a service\'s spans in the order they came', async () => {
    const store = make('same_instant')
    const shop = app(store)
    shop.get('/work', (c) => {
      const tracer = trace.getTracer('shop')
      const now = Date.now()
      const at = (ms: number): HrTime => [Math.floor((now + ms) / 1000), ((now + ms) % 1000) * 1_000_000]
      // Six parents, each with a child that starts at the same instant and ends first.
      for (let i = 0; i < 6; i++) {
        const parent = tracer.startSpan(`parent ${i}`, { startTime: at(1) })
        const child = tracer.startSpan(`child ${i}`, { startTime: at(1) }, trace.setSpan(context.active(), parent))
        child.end(at(2))
        parent.end(at(3))
      }
      return c.text('done')
    })
    const traceId = traceIdOf(await request(shop, '/work'))
    const recorded = ['parent 0', 'child 0', 'parent 1', 'child 1', 'parent 2', 'child 2', 'parent 3', 'child 3', 'parent 4', 'child 4', 'parent 5', 'child 5']
    const names = (spans: Span[]) => spans.map((s) => s.name).filter((name) => /^(parent|child) /.test(name))
    expect(names(await spansOf(shop, traceId))).toEqual(recorded)
    expect(names(await pagedSpans(shop, traceId))).toEqual(recorded)

    // A service's spans, in two exports, with span ids in the reverse of the order they came.
    const received = randomBytes(16).toString('hex')
    const startNs = BigInt(Date.now()) * 1_000_000n
    await post(shop, sameInstant(received, ['f'.repeat(16), 'c'.repeat(16)], startNs))
    await post(shop, sameInstant(received, ['8'.repeat(16), '1'.repeat(16)], startNs))
    // The first export again (an exporter's retry): each span keeps its place.
    await post(shop, sameInstant(received, ['f'.repeat(16), 'c'.repeat(16)], startNs))
    const arrived = ['f'.repeat(16), 'c'.repeat(16), '8'.repeat(16), '1'.repeat(16)]
    expect((await spansOf(shop, received)).map((s) => s.spanId)).toEqual(arrived)
    expect((await pagedSpans(shop, received)).map((s) => s.spanId)).toEqual(arrived)
    await store?.close?.()
  })
})

/** The trace id of a toolbar response, from its Server-Timing `traceparent`. */
function traceIdOf(answer: { headers: Headers }): string {
  const traceId = (answer.headers.get('server-timing') ?? '').match(/00-([0-9a-f]{32})-/)?.[1] ?? ''
  expect(traceId).toMatch(/^[0-9a-f]{32}$/)
  return traceId
}

async function listed(shop: Hono): Promise<string[]> {
  const answer = await request(shop, '/_debug_toolbar/api/traces')
  expect(answer.status).toBe(200)
  return (answer.json() as { traces: Array<{ traceId: string }> }).traces.map((t) => t.traceId)
}

/** An OTLP/JSON file of one trace recorded last year, as "Download OTLP JSON" saves it. */
function lastYearsFile(traceId: string): object {
  const start = BigInt(Date.UTC(2025, 5, 1)) * 1_000_000n
  const span = { traceId, spanId: 'b7ad6b7169203331', name: 'GET /invoices', kind: 2, startTimeUnixNano: String(start), endTimeUnixNano: String(start + 5_000_000n), status: { code: 0 } }
  return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'billing' } }] }, scopeSpans: [{ scope: { name: 'file' }, spans: [span] }] }] }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.each(STORES)('over maxTraces the trace that started first goes first: %s', (kind, make) => {
  it.skipIf(kind === 'PostgreSQL' && !postgresUrl)('a slow request that finishes after three newer ones goes as it finishes; a file imported now is new', async () => {
    const store = make('evict_by_start', 3)
    const shop = app(store, 3)
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    shop.get('/slow', async (c) => (await released, c.text('slow')))
    shop.get('/fast', (c) => c.text('fast'))
    const slow = request(shop, '/slow')
    const fast: string[] = []
    for (let i = 0; i < 3; i++) {
      // Each starts in a millisecond of its own, after the slow one.
      await pause(3)
      fast.push(traceIdOf(await request(shop, '/fast')))
    }
    release()
    const slowTrace = traceIdOf(await slow)
    // The history drops the request that started first; the traces do the same.
    expect(await listed(shop)).toEqual([fast[2], fast[1], fast[0]])
    await pause(3)
    const newest = traceIdOf(await request(shop, '/fast'))
    expect(await listed(shop)).toEqual([newest, fast[2], fast[1]])
    expect(await listed(shop)).not.toContain(slowTrace)
    // A trace imported now is new to the store, whatever its start: the oldest recorded one goes.
    const imported = randomBytes(16).toString('hex')
    const answer = await request(shop, '/_debug_toolbar/api/traces/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(lastYearsFile(imported)) })
    expect(answer.status).toBe(200)
    expect(await listed(shop)).toEqual([newest, fast[2], imported])
    await store?.close?.()
  })
})
