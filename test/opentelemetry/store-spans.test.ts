import { afterAll, describe, expect, it, vi } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import Database from 'better-sqlite3'
import { trace } from '@opentelemetry/api'
import { debugToolbar, MemoryStore, recordLog, type ToolbarSpan } from '../../src/index.js'
import { StoreUnavailableError } from '../../src/core/store.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { mergeTraceSpans, saveRecordedSpans } from '../../src/opentelemetry/store-spans.js'
import { TraceStore } from '../../src/opentelemetry/trace-store.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import { request } from '../support/local.js'
import { withSpans } from '../support/trace-spans.js'
import { downstreamSpans } from '../../integration/support/otlp-payload.js'
import { sampleRequest } from '../store/samples.js'

const dir = mkdtempSync(join(tmpdir(), 'hdt-otel-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function appWith(store: import('../../src/index.js').ToolbarStore) {
  const app = new Hono()
  app.use(debugToolbar({ store, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
  app.get('/users/:id', (c) => c.html(`<html><body>user ${c.req.param('id')}</body></html>`))
  return app
}

describe('the OpenTelemetry panel with a durable store', () => {
  it('saves the recorded spans of each request, and answers a trace from the store and memory together', async () => {
    const store = new SqliteStore({ path: join(dir, 'otel.db') })
    const app = appWith(store)
    const { headers } = await request(app, '/users/1')
    const detail = (await request(app, `/_debug_toolbar/api/requests/${headers.get('x-debug-toolbar-request-id')}`)).json()
    const { traceId, rootSpanId, spans } = await withSpans(app, detail.panels.opentelemetry)
    const stored = await store.getTrace(traceId)
    expect(stored?.map((s) => s.spanId)).toEqual(spans.map((s: ToolbarSpan) => s.spanId))
    expect((await store.listTraces({ limit: 5, offset: 0 })).traces[0]).toMatchObject({ traceId, requestId: detail.id })

    // Another instance received a downstream service's spans: they are only in the store.
    const other = new SqliteStore({ path: join(dir, 'otel.db') })
    const received = (downstreamSpans(traceId, rootSpanId, 'inventory', 2) as any).resourceSpans[0].scopeSpans[0].spans.map((s: any) => ({
      traceId, spanId: s.spanId, parentSpanId: rootSpanId, name: s.name, kind: 'SERVER', startTimeUnixNano: s.startTimeUnixNano, endTimeUnixNano: s.endTimeUnixNano,
      attributes: {}, events: [], links: [], status: { code: 'UNSET' }, resource: { 'service.name': 'inventory' }, scope: { name: 'downstream' }, source: 'otlp_http',
    }))
    other.saveSpans(received)
    await other.close()
    const trace = (await request(app, `/_debug_toolbar/api/traces/${traceId}`)).json()
    expect(trace.spans.length).toBe(spans.length + 2)
    expect(trace.spans.filter((s: ToolbarSpan) => s.source === 'otlp_http').map((s: ToolbarSpan) => s.name)).toEqual(['inventory step 1', 'inventory step 2'])
    await store.close()
  })

  it('lists the trace of a request still running, as the in-memory list does, before the store has it', async () => {
    const store = new SqliteStore({ path: join(dir, 'running.db') })
    const app = appWith(store)
    let reached!: () => void
    const inHandler = new Promise<void>((resolve) => (reached = resolve))
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    app.get('/slow', async (c) => {
      reached()
      await gate
      return c.text('done')
    })
    await request(app, '/users/1')
    const running = app.request('/slow', undefined, { incoming: { socket: { remoteAddress: '127.0.0.1' } } })
    await inHandler
    const list = (await request(app, '/_debug_toolbar/api/traces')).json() as { traces: Array<{ rootName: string }>; total: number }
    // Named after its route while it runs, as in memory.
    expect(list.traces.map((t) => t.rootName)).toEqual(['GET /slow', 'GET /users/:id'])
    expect(list.total).toBe(2)
    // Filtered as the rest: a running trace of another service is not listed.
    expect((await request(app, '/_debug_toolbar/api/traces?service=nobody')).json()).toMatchObject({ traces: [], total: 0 })
    release()
    await (await running).text()
    // Finished, it is the store's, and listed once.
    const after = (await request(app, '/_debug_toolbar/api/traces')).json() as { traces: Array<{ rootName: string }>; total: number }
    expect([after.traces.map((t) => t.rootName), after.total]).toEqual([['GET /slow', 'GET /users/:id'], 2])
    await store.close()
  })

  it('leaves a store without spans alone, and a store whose saveSpans fails costs the request nothing', async () => {
    const traces = new TraceStore()
    traces.open('a'.repeat(32))
    saveRecordedSpans(new MemoryStore(), traces, 'a'.repeat(32), 'r1')
    saveRecordedSpans(undefined, traces, 'a'.repeat(32), 'r1')
    const saveSpans = vi.fn()
    const full = Object.assign(new MemoryStore(), { full: true, saveSpans })
    expect((await request(appWith(full), '/users/1')).status).toBe(200)
    expect(saveSpans).not.toHaveBeenCalled()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const failing = Object.assign(new MemoryStore(), { saveSpans: () => { throw new Error('disk full') } })
    const app = appWith(failing)
    expect((await request(app, '/users/2')).status).toBe(200)
    expect((await request(app, '/users/3')).status).toBe(200)
    const rejecting = Object.assign(new MemoryStore(), { saveSpans: () => Promise.reject(new Error('gone')) })
    expect((await request(appWith(rejecting), '/users/4')).status).toBe(200)
    // Once per process, not once per request.
    expect(warn.mock.calls.filter((call) => String(call[0]).includes('could not save recorded spans'))).toHaveLength(1)
    warn.mockRestore()
  })

  it('counts the recorded spans of a request that a full write queue could not take in the writes lost, beside the request', async () => {
    const path = join(dir, 'full-queue.db')
    const store = new SqliteStore({ path, maxQueued: 2, busyTimeoutMs: 1 })
    const app = new Hono()
    app.use(debugToolbar({ store, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
    // The app's own instrumentation: the request records two spans.
    app.get('/report', (c) => trace.getTracer('reports').startActiveSpan('build report', (span) => (span.end(), c.text('ok'))))
    // Another process holds the file's write lock (a long transaction): the queue cannot drain, and two writes fill it.
    const other = new Database(path)
    other.exec('BEGIN IMMEDIATE')
    try {
      store.save(sampleRequest(1))
      store.save(sampleRequest(2))
      const { headers } = await request(app, '/report')
      const traceId = /traceparent;desc="00-([0-9a-f]{32})-/.exec(headers.get('server-timing') ?? '')![1]
      const spans = (await request(app, `/_debug_toolbar/api/traces/${traceId}`)).json().spans as ToolbarSpan[]
      expect(spans.map((s) => s.name).sort()).toEqual(['GET /report', 'build report'])
      // What the History panel's store line shows: the request and each of its spans, "3 writes lost".
      expect((await request(app, '/_debug_toolbar/api/store')).json()).toMatchObject({ available: false, queued: 2, dropped: 1 + spans.length })
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    await store.close()
  })

  it("answers this instance's own spans while the store is down, and a 503 for a trace it does not hold", async () => {
    const down = Object.assign(new MemoryStore(), {
      getTrace: () => Promise.reject(new StoreUnavailableError('the postgres store at db:5432 is unavailable: connect ECONNREFUSED')),
    })
    const app = appWith(down)
    const { headers } = await request(app, '/users/5')
    const detail = (await request(app, `/_debug_toolbar/api/requests/${headers.get('x-debug-toolbar-request-id')}`)).json()
    const { traceId, spans } = await withSpans(app, detail.panels.opentelemetry)
    const trace = await request(app, `/_debug_toolbar/api/traces/${traceId}`)
    expect(trace.status).toBe(200)
    expect(trace.json().spans.map((s: ToolbarSpan) => s.spanId)).toEqual(spans.map((s: ToolbarSpan) => s.spanId))
    const elsewhere = await request(app, `/_debug_toolbar/api/traces/${'c'.repeat(32)}`)
    expect(elsewhere.status).toBe(503)
    expect(elsewhere.json().error).toMatch(/ECONNREFUSED/)
  })

  it('writes the spans that join a trace after its request each once, at most every 250 ms', async () => {
    const path = join(dir, 'late-batches.db')
    const store = new SqliteStore({ path })
    const writes: string[][] = []
    const save = store.saveSpans.bind(store)
    store.saveSpans = (spans, requestId) => {
      writes.push(spans.map((span) => span.spanId))
      save(spans, requestId)
    }
    const app = appWith(store)
    let done!: Promise<void>
    const loggedAt: number[] = []
    app.get('/import', (c) => {
      // A job the request leaves running: a line every 50 ms for 600 ms, each a span of its own.
      done = (async () => {
        for (let i = 1; i <= 12; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50))
          recordLog('info', `imported batch ${i}`)
          loggedAt.push(performance.now())
        }
      })()
      return c.text('started')
    })
    const id = (await request(app, '/import')).headers.get('x-debug-toolbar-request-id')!
    await done
    await new Promise((resolve) => setTimeout(resolve, 400))
    const { traceId } = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json() as { traceId: string }
    await store.close()

    // The request's spans when it finished, then the lines' in a few batches, none written twice.
    const late = writes.slice(1)
    expect(late.flat()).toHaveLength(12)
    expect(late.length).toBeGreaterThanOrEqual(2)
    expect(late.length).toBeLessThanOrEqual(Math.floor((loggedAt[11] - loggedAt[0]) / 250) + 1)
    const written = writes.flat()
    expect(new Set(written).size).toBe(written.length)
    const reopened = new SqliteStore({ path })
    const stored = (await reopened.getTrace(traceId)) ?? []
    expect(stored.filter((span) => span.name === 'log info').map((span) => span.attributes['log.message'])).toEqual(Array.from({ length: 12 }, (_, i) => `imported batch ${i + 1}`))
    await reopened.close()
  })

  it('merges a trace by span id, memory winning, in start order', () => {
    const span = (id: string, start: string, name = id) => ({ spanId: id, startTimeUnixNano: start, name }) as ToolbarSpan
    expect(mergeTraceSpans(undefined, undefined)).toBeUndefined()
    expect(mergeTraceSpans([], [span('a', '1')])).toEqual([span('a', '1')])
    expect(mergeTraceSpans([span('a', '1')], undefined)).toEqual([span('a', '1')])
    expect(mergeTraceSpans([span('b', '20'), span('a', '3', 'old')], [span('a', '3', 'new'), span('c', '100')]).map((s) => s.name)).toEqual(['new', 'b', 'c'])
  })
})
