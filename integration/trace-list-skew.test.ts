/**
 * The trace list after the clock-skew adjustment (specs/analysis.md, "Clock skew"): a trace
 * whose downstream service's clock is off lists the duration and start its waterfall draws,
 * from the in-memory trace store and from SQLite and PostgreSQL stores alike (PostgreSQL
 * skipped, with the reason printed, when no server can start), and is filtered (`since`,
 * `until`, `minDurationMs`) and ordered by them, over the API and MCP `list_traces`; a trace of
 * one service lists its figures as received, and `GET /api/traces/:id` keeps the spans' times
 * as received.
 */
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
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
  /** Calls an MCP tool of the toolbar and answers its structured content. */
  const mcp = async (name: string, args: Record<string, unknown> = {}) => {
    const client = new Client({ name: 'test-agent', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://localhost${PREFIX}/mcp`), { fetch: (url, init) => app.request(String(url), init, loopback) }))
    try {
      return ((await client.callTool({ name, arguments: args })) as CallToolResult).structuredContent as any
    } finally {
      await client.close()
    }
  }
  return { app, call, json, request, release, mcp }
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
let opens = 0
const storeKinds: Array<[string, (() => ToolbarStore | undefined) | undefined]> = [
  ['the in-memory trace store', () => undefined],
  ['a SQLite store', () => opened(new SqliteStore({ path: join(durable.dir, `skew-${++opens}.db`) }))],
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

  it('filters (since, until, minDurationMs) and orders the list by the start and duration its waterfall draws, over the API and MCP list_traces', async () => {
    const { call, json, request, mcp } = shop(makeStore())
    const send = async (root: ToolbarSpan, startMs: number) => {
      const sent = await call('/otlp/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(inventoryExport(root, [{ startMs, durationMs: 5 }])) })
      expect(sent.status).toBe(200)
    }
    // Three requests one after the other: one of the app alone, one whose service's clock is
    // 1 s ahead (as received, the trace lasts over a second), one whose service's clock is
    // 1 s behind (as received, the trace starts a second before the request, before the others).
    const alone = await request()
    const ahead = await request()
    await send(ahead.root, 1002)
    const behind = await request()
    await send(behind.root, 2 - 1000)
    const mine = [behind.traceId, ahead.traceId, alone.traceId]
    const ids = (page: { traces: TraceSummary[] }) => page.traces.map((t) => t.traceId).filter((id) => mine.includes(id))
    const listed = ((await json('/api/traces')).traces as TraceSummary[]).filter((t) => mine.includes(t.traceId))
    // Newest first, by the start each waterfall draws: the requests' order.
    expect(listed.map((t) => t.traceId)).toEqual(mine)
    const startOf = (traceId: string) => Date.parse(listed.find((t) => t.traceId === traceId)!.startedAt)
    // The traces of this test (the store may hold those of the tests before): from the first request's start on.
    const page = async (query: string) => {
      const params = new URLSearchParams({ since: String(startOf(alone.traceId)) })
      for (const [name, value] of new URLSearchParams(query)) params.set(name, value)
      const { traces, total } = await json(`/api/traces?${params}`)
      return { traces: traces.map((t: TraceSummary) => t.traceId), total }
    }
    expect(await page('')).toEqual({ traces: mine, total: 3 })
    const longest = Math.max(...listed.map((t) => t.durationMs))
    // Each lasts as long as its request (the service's span moved into it), well under a second.
    expect(longest).toBeLessThan(900)
    expect(await page('minDurationMs=900')).toEqual({ traces: [], total: 0 })
    const atLeastLongest = listed.filter((t) => t.durationMs >= longest).map((t) => t.traceId)
    expect(await page(`minDurationMs=${longest}`)).toEqual({ traces: atLeastLongest, total: atLeastLongest.length })
    expect(await page(`since=${new Date(startOf(behind.traceId)).toISOString()}`)).toEqual({ traces: [behind.traceId], total: 1 })
    expect(await page(`until=${startOf(behind.traceId)}`)).toEqual({ traces: [ahead.traceId, alone.traceId], total: 2 })
    expect(await page(`since=${startOf(ahead.traceId)}&until=${startOf(behind.traceId)}`)).toEqual({ traces: [ahead.traceId], total: 1 })
    // Page by page, each trace once, in the same order.
    const pages = [await page('limit=1'), await page('limit=1&offset=1'), await page('limit=1&offset=2')]
    expect(pages).toEqual([
      { traces: [behind.traceId], total: 3 },
      { traces: [ahead.traceId], total: 3 },
      { traces: [alone.traceId], total: 3 },
    ])

    // MCP list_traces reads the same list.
    expect(ids(await mcp('list_traces'))).toEqual([behind.traceId, ahead.traceId, alone.traceId])
    expect(ids(await mcp('list_traces', { min_duration_ms: 900 }))).toEqual([])
    expect(ids(await mcp('list_traces', { min_duration_ms: longest }))).toEqual(atLeastLongest)
    expect(ids(await mcp('list_traces', { service: 'inventory', limit: 1 }))).toEqual([behind.traceId])
  })
})
