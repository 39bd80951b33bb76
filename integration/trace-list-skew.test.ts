/**
 * The trace list after the clock-skew adjustment (specs/analysis.md, "Clock skew"): a trace
 * whose downstream service's clock is off lists the duration and start its waterfall draws,
 * from the in-memory trace store and from SQLite and PostgreSQL stores alike (PostgreSQL
 * skipped, with the reason printed, when no server can start); a trace of one service lists
 * its figures as received, and `GET /api/traces/:id` keeps the spans' times as received.
 */
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { debugToolbar } from '../src/index.js'
import type { ToolbarStore } from '../src/core/store.js'
import { SqliteStore } from '../src/store/sqlite.js'
import { PostgresStore } from '../src/store/postgres.js'
import { OpenTelemetryPanel, type ToolbarSpan, type TraceSummary } from '../src/opentelemetry/index.js'
import { durableStores, type Durable } from './support/durable-stores.js'
import { uniqueSchema } from './support/postgres-server.js'

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }
const PREFIX = '/_debug_toolbar'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const durable = await durableStores('The trace list after the clock-skew adjustment')
const stores: Durable[] = []
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
})

function shop(store?: ToolbarStore, options: ConstructorParameters<typeof OpenTelemetryPanel>[0] = {}) {
  const app = new Hono()
  app.use(debugToolbar({ store, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop', ...options })] }))
  let release = () => {}
  const held = new Promise<void>((resolve) => (release = resolve))
  app.get('/', async (c) => {
    await sleep(20)
    return c.text('ok')
  })
  // Answers when the test releases it.
  app.get('/held', async (c) => {
    await held
    return c.text('ok')
  })
  const call = (path: string, init?: RequestInit) => app.request(`${PREFIX}${path}`, init, loopback)
  const json = async (path: string) => (await call(path)).json()
  /** A request to the app: its trace id and its SERVER span. */
  const request = async () => {
    const res = await app.request('/', undefined, loopback)
    // The SERVER span ends when the body has been sent.
    await res.text()
    const { traceId } = await json(`/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)
    const root = async (): Promise<ToolbarSpan | undefined> => ((await json(`/api/traces/${traceId}`)).spans as ToolbarSpan[]).find((s) => !s.parentSpanId && s.endTimeUnixNano)
    await expect.poll(root).toBeDefined()
    return { traceId: traceId as string, root: (await root())! }
  }
  return { app, call, json, request, release }
}

const STOCK_SPAN = 'a1b2c3d4e5f60718'

/**
 * What the inventory service's SDK sends over OTLP/HTTP: its spans, each `startMs` after the
 * app's SERVER span started on the service's clock (which may be ahead of the app's), under
 * that span unless `parent` says otherwise.
 */
function inventoryExport(root: ToolbarSpan, spans: Array<{ spanId?: string; parent?: string; name?: string; startMs: number; durationMs: number }>) {
  const at = (ms: number) => String(BigInt(root.startTimeUnixNano) + BigInt(Math.round(ms * 1e6)))
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'inventory' } }] },
        scopeSpans: [
          {
            scope: { name: 'inventory' },
            spans: spans.map((s) => ({
              traceId: root.traceId,
              spanId: s.spanId ?? STOCK_SPAN,
              parentSpanId: s.parent ?? root.spanId,
              name: s.name ?? 'GET /stock/:sku',
              kind: 2,
              startTimeUnixNano: at(s.startMs),
              endTimeUnixNano: at(s.startMs + s.durationMs),
            })),
          },
        ],
      },
    ],
  }
}

async function listed(json: (path: string) => Promise<any>, traceId: string): Promise<TraceSummary> {
  const page = await json('/api/traces')
  return page.traces.find((t: TraceSummary) => t.traceId === traceId)
}

const opened = (store: Durable) => (stores.push(store), store)
const storeKinds: Array<[string, (() => ToolbarStore | undefined) | undefined]> = [
  ['the in-memory trace store', () => undefined],
  ['a SQLite store', () => opened(new SqliteStore({ path: join(durable.dir, `skew-${stores.length}.db`) }))],
  ['a PostgreSQL store', durable.postgresUrl ? () => opened(new PostgresStore({ connectionString: durable.postgresUrl!, schema: uniqueSchema('skew') })) : undefined],
]

for (const [kind, open] of storeKinds) describe.skipIf(!open)(`GET /api/traces after the clock-skew adjustment, from ${kind}`, () => {
  const makeStore = open ?? (() => undefined)
  for (const [clock, aheadMs] of [
    ['ahead of', 1000],
    ['behind', -1000],
  ] as const) {
    it(`lists a trace whose downstream clock is 1 s ${clock} the app's with the duration and start its waterfall draws`, async () => {
      const { call, json, request } = shop(makeStore())
      const { traceId, root } = await request()
      const sent = await call('/otlp/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(inventoryExport(root, [{ startMs: 2 + aheadMs, durationMs: 5 }])) })
      expect(sent.status).toBe(200)

      // The analysis' duration of the trace (what the waterfall's header shows): the request's,
      // with the service's span moved into it.
      const diff = await json(`/api/traces/${traceId}/compare/${traceId}`)
      const rootNs = Number(BigInt(root.endTimeUnixNano!) - BigInt(root.startTimeUnixNano))
      expect(Number(diff.durationNsA)).toBe(rootNs)
      const summary = await listed(json, traceId)
      expect([...summary.services].sort()).toEqual(['inventory', 'shop'])
      expect(summary.durationMs).toBeCloseTo(rootNs / 1e6, 6)
      expect(summary.startedAt).toBe(new Date(Number(BigInt(root.startTimeUnixNano) / 1_000_000n)).toISOString())

      // The trace's own data keeps the service's times as it sent them.
      const spans: ToolbarSpan[] = (await json(`/api/traces/${traceId}`)).spans
      const remote = spans.find((s) => s.name === 'GET /stock/:sku')!
      expect(BigInt(remote.startTimeUnixNano) - BigInt(root.startTimeUnixNano)).toBe(BigInt((2 + aheadMs) * 1e6))
    })
  }

  it('lists a trace listed while its request ran, whose downstream clock is ahead, with its duration once the request has finished', async () => {
    // No panel data becomes spans: the trace's span count does not change when the request finishes.
    const { app, call, json, release } = shop(makeStore(), { convert: { timer: false, sql: false, logging: false, profiling: false, templates: false } })
    const answer = app.request('/held', undefined, loopback)
    const running = async () => ((await json('/api/traces')).traces as TraceSummary[]).find((t) => t.rootName === 'GET /held')
    await expect.poll(running).toBeDefined()
    const { traceId } = (await running())!
    const rootOf = async () => ((await json(`/api/traces/${traceId}`)).spans as ToolbarSpan[]).find((s) => !s.parentSpanId)!
    const sent = await call('/otlp/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(inventoryExport(await rootOf(), [{ startMs: 1002, durationMs: 5 }])) })
    expect(sent.status).toBe(200)
    // While the request runs, its SERVER span reaches the service's span: nothing is moved.
    expect((await listed(json, traceId)).durationMs).toBeCloseTo(1007, 6)

    release()
    await (await answer).text()
    await expect.poll(async () => (await rootOf()).endTimeUnixNano).toBeDefined()
    const root = await rootOf()
    const summary = await listed(json, traceId)
    expect(summary.spanCount).toBe(2)
    // The service's 5 ms span is moved into the root; when the request took less than 5 ms, it
    // is longer than the root, starts with it (as Jaeger's adjuster places it) and ends the trace.
    const rootMs = Number(BigInt(root.endTimeUnixNano!) - BigInt(root.startTimeUnixNano)) / 1e6
    expect(summary.durationMs).toBeCloseTo(Math.max(rootMs, 5), 6)
  })

  it('lists a trace of one service with its figures as received, and a trace that takes more spans with its new figures', async () => {
    const { call, json, request } = shop(makeStore())
    const { traceId, root } = await request()
    const send = async (spans: Parameters<typeof inventoryExport>[1]) => {
      const sent = await call('/otlp/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(inventoryExport(root, spans)) })
      expect(sent.status).toBe(200)
    }
    const rootMs = Number(BigInt(root.endTimeUnixNano!) - BigInt(root.startTimeUnixNano)) / 1e6
    const alone = await listed(json, traceId)
    expect(alone.services).toEqual(['shop'])
    expect(alone.durationMs).toBe(rootMs)

    // The service's call fits in the request: the trace lasts as long as the request.
    await send([{ startMs: 2, durationMs: 5 }])
    const joined = await listed(json, traceId)
    expect([joined.services, joined.spanCount, joined.durationMs]).toEqual([['shop', 'inventory'], alone.spanCount + 1, rootMs])
    // Then the service sends work its call left running (on its own clock, not moved): listed again, the trace is longer.
    await send([{ spanId: 'b1b2c3d4e5f60718', parent: STOCK_SPAN, name: 'warm cache', startMs: 3, durationMs: 200 }])
    const grown = await listed(json, traceId)
    expect([grown.spanCount, grown.durationMs]).toEqual([alone.spanCount + 2, expect.closeTo(203, 6)])
  })
})
