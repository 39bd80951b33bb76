/**
 * What every durable store does, run against each real engine (SQLite files, a PostgreSQL
 * server): round trips, filters, idempotent writes, trace summaries, bounds and status.
 */
import { expect, it, vi } from 'vitest'
import type { QueuedStore, DurableStoreOptions } from '../../src/store/queued-store.js'
import { INSTANCE } from '../../src/store/queued-store.js'
import { sampleRequest, sampleSpan, traceIdOf } from './samples.js'

export type MakeStore = (options?: DurableStoreOptions) => QueuedStore | Promise<QueuedStore>

export function storeContract(make: MakeStore): void {
  it('stores requests with every panel and answers the history newest first, filtered and paged', async () => {
    const store = await make()
    for (let i = 1; i <= 12; i++) store.save(sampleRequest(i))
    const stored = await store.get('req-7')
    expect(stored).toEqual({ ...sampleRequest(7), instance: INSTANCE })
    const page = await store.list({ limit: 5, offset: 0 })
    expect(page.total).toBe(12)
    expect(page.requests.map((r) => r.id)).toEqual(['req-12', 'req-11', 'req-10', 'req-9', 'req-8'])
    expect(page.requests[0]).toEqual({ ...sampleRequest(12), panels: undefined, nav: undefined, instance: INSTANCE })
    expect((await store.list({ limit: 5, offset: 10 })).requests.map((r) => r.id)).toEqual(['req-2', 'req-1'])
    expect(await store.list({ limit: 5, offset: 50 })).toEqual({ requests: [], total: 12, dropped: 0 })
    const ids = async (filter: object) => (await store.list({ limit: 50, offset: 0, ...filter })).requests.map((r) => r.id)
    expect(await ids({ method: 'post' })).toEqual(['req-12', 'req-9', 'req-6', 'req-3'])
    expect(await ids({ status: '404' })).toEqual(['req-12', 'req-8', 'req-4'])
    expect(await ids({ status: '4xx', method: 'GET' })).toEqual(['req-8', 'req-4'])
    expect(await ids({ status: '5xx, 404' })).toEqual(['req-12', 'req-8', 'req-4'])
    expect(await ids({ status: '201 3xx' })).toEqual([])
    expect(await ids({ path: '/users/1' })).toEqual(['req-12', 'req-11', 'req-10', 'req-1'])
    expect(await ids({ path: '/USERS' })).toEqual([])
    expect(await store.get('nope')).toBeUndefined()
    await store.close()
  })

  it('counts a write that comes after it was closed as lost, without trying the database or warning', async () => {
    const store = await make()
    store.save(sampleRequest(1))
    await store.close()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      // Work a request left running writes after the app closed its store (SIGTERM).
      store.save(sampleRequest(2))
      store.saveSpans([sampleSpan(2, 1), sampleSpan(2, 2)], 'req-2')
      await store.flush()
      expect(store.queued).toBe(0)
      expect(warn).not.toHaveBeenCalled()
    } finally {
      warn.mockRestore()
    }
  })

  it('answers a request still waiting in the write queue (read your own writes)', async () => {
    const store = await make()
    store.save(sampleRequest(1))
    expect(store.queued).toBe(1)
    expect((await store.get('req-1'))?.path).toBe('/users/1')
    await store.close()
  })

  it('stores the same request and the same span once, whether written in one batch or two', async () => {
    const store = await make()
    store.save(sampleRequest(1))
    store.save(sampleRequest(1, { status: 500 }))
    const spans = [sampleSpan(1, 1), sampleSpan(1, 2), sampleSpan(1, 3)]
    store.saveSpans(spans, 'req-1')
    store.saveSpans(spans, 'req-1')
    await store.flush()
    store.saveSpans([sampleSpan(1, 2, { name: 'renamed' })])
    const page = await store.list({ limit: 10, offset: 0 })
    expect(page.total).toBe(1)
    expect(page.requests[0].status).toBe(500)
    const trace = await store.getTrace(traceIdOf(1))
    expect(trace?.map((s) => s.name)).toEqual(['GET /users/:id', 'renamed', 'child 3'])
    const traces = await store.listTraces({ limit: 10, offset: 0 })
    expect(traces.total).toBe(1)
    expect(traces.traces[0]).toMatchObject({ spanCount: 3, requestId: 'req-1' })
    await store.close()
  })

  it('keeps a span it holds when an imported copy of it is written, and stores the imported spans it lacks', async () => {
    const store = await make()
    store.saveSpans([sampleSpan(1, 1), sampleSpan(1, 2)], 'req-1')
    await store.flush()
    store.saveSpans([sampleSpan(1, 1, { name: 'from a file', source: 'import' }), sampleSpan(1, 3, { source: 'import' })])
    await store.flush()
    const trace = await store.getTrace(traceIdOf(1))
    expect(trace?.map((s) => [s.name, s.source])).toEqual([['GET /users/:id', 'local'], ['child 2', 'local'], ['child 3', 'import']])
    const listed = await store.listTraces({ limit: 10, offset: 0, source: 'import' })
    expect(listed.traces.map((t) => [t.spanCount, t.requestId])).toEqual([[3, 'req-1']])
    await store.close()
  })

  it('gives spans back exactly: nanosecond times, attributes, events, running spans', async () => {
    const store = await make()
    const running = sampleSpan(2, 4, {
      endTimeUnixNano: undefined,
      status: { code: 'ERROR', message: 'boom' },
      links: [{ traceId: traceIdOf(9), spanId: '00000000000000aa', attributes: { why: 'retry' }, traceState: 'ro=1', flags: 257 }],
      traceState: 'vendor=a,other=b',
      flags: 769,
      droppedAttributesCount: 3,
      droppedEventsCount: 1,
    })
    const spans = [sampleSpan(2, 3, { startMs: 5 }), sampleSpan(2, 1), running, sampleSpan(2, 2, { source: 'otlp_http', service: 'billing' })]
    store.saveSpans(spans)
    const trace = await store.getTrace(traceIdOf(2))
    expect(trace).toEqual([spans[1], spans[3], running, spans[0]])
    expect(await store.getTrace(traceIdOf(3))).toBeUndefined()
    await store.close()
  })

  it('lists traces newest first with their root, services, sources, request and error, filtered', async () => {
    const store = await make()
    store.save(sampleRequest(3))
    store.saveSpans([sampleSpan(1, 1), sampleSpan(1, 2, { service: 'billing', source: 'otlp_grpc', durationMs: 30 })], 'req-1')
    store.saveSpans([sampleSpan(2, 1, { durationMs: 1 })])
    // Spans of request 3's trace that arrive without the request id (received by a receiver): the request is found by trace id.
    store.saveSpans([sampleSpan(3, 2, { status: { code: 'ERROR' }, startMs: 1 }), sampleSpan(3, 1, { startMs: 0, durationMs: 5 })])
    const list = await store.listTraces({ limit: 10, offset: 0 })
    expect(list.total).toBe(3)
    expect(list.traces.map((t) => t.traceId)).toEqual([traceIdOf(3), traceIdOf(2), traceIdOf(1)])
    expect(list.traces[2]).toEqual({
      traceId: traceIdOf(1),
      rootName: 'GET /users/:id',
      services: ['shop', 'billing'],
      spanCount: 2,
      startedAt: new Date(Date.parse('2026-01-01T00:00:01.001Z')).toISOString(),
      // As its waterfall draws it: billing's 30 ms span, longer than the 2 ms request it answered
      // (its clock is another host's), starts with the request; 31 ms as received.
      durationMs: 30.000000,
      requestId: 'req-1',
      error: false,
    })
    expect(list.traces[0]).toMatchObject({ requestId: 'req-3', error: true, spanCount: 2 })
    expect(list.traces[1].requestId).toBeUndefined()
    const ids = async (filter: object) => (await store.listTraces({ limit: 10, offset: 0, ...filter })).traces.map((t) => t.traceId)
    expect(await ids({ service: 'billing' })).toEqual([traceIdOf(1)])
    expect(await ids({ source: 'otlp_grpc' })).toEqual([traceIdOf(1)])
    expect(await ids({ minDurationMs: 10 })).toEqual([traceIdOf(1)])
    expect(await ids({ since: Date.parse('2026-01-01T00:00:02Z') })).toEqual([traceIdOf(3), traceIdOf(2)])
    expect(await ids({ until: Date.parse('2026-01-01T00:00:02Z') })).toEqual([traceIdOf(1)])
    expect((await store.listTraces({ limit: 1, offset: 1 })).traces.map((t) => t.traceId)).toEqual([traceIdOf(2)])
    await store.close()
  })

  it('keeps at most maxRequests requests and maxTraces traces, the newest', async () => {
    const store = await make({ maxRequests: 5, maxTraces: 3 })
    for (let i = 1; i <= 12; i++) {
      store.save(sampleRequest(i))
      store.saveSpans([sampleSpan(i, 1), sampleSpan(i, 2)], `req-${i}`)
    }
    await store.flush()
    const page = await store.list({ limit: 50, offset: 0 })
    expect(page.requests.map((r) => r.id)).toEqual(['req-12', 'req-11', 'req-10', 'req-9', 'req-8'])
    expect((await store.listTraces({ limit: 50, offset: 0 })).traces.map((t) => t.traceId)).toEqual([traceIdOf(12), traceIdOf(11), traceIdOf(10)])
    expect(await store.getTrace(traceIdOf(9))).toBeUndefined()
    await store.close()
  })

  it('over maxTraces drops the trace whose request started first, whenever its spans were written, not moved by a service with a clock behind', async () => {
    const store = await make({ maxTraces: 2 })
    // Request 1 started last (5 s after the base time); a service joining its trace, with a
    // clock ten minutes behind, is written first, with the request's id.
    store.saveSpans([sampleSpan(1, 2, { source: 'otlp_http', service: 'billing', startMs: -600_000 })], 'req-1')
    await store.flush()
    store.saveSpans([sampleSpan(2, 1)], 'req-2')
    await store.flush()
    store.saveSpans([sampleSpan(1, 1, { startMs: 4000 })], 'req-1')
    await store.flush()
    // Request 3 started 3 s after the base time: trace 2 (2 s) started first and goes.
    store.saveSpans([sampleSpan(3, 1)], 'req-3')
    await store.flush()
    expect((await store.listTraces({ limit: 50, offset: 0 })).traces.map((t) => t.traceId).sort()).toEqual([traceIdOf(1), traceIdOf(3)].sort())
    await store.close()
  })

  it('prunes what is older than maxAgeMs: a request by its start, a trace by when it was stored', async () => {
    const store = await make({ maxAgeMs: 1000 })
    store.save(sampleRequest(1))
    // Spans that started long ago, stored now (an imported file, a service's late export): kept.
    store.saveSpans([sampleSpan(1, 1)])
    await store.flush()
    expect((await store.list({ limit: 50, offset: 0 })).requests).toEqual([])
    expect((await store.listTraces({ limit: 50, offset: 0 })).traces.map((t) => t.traceId)).toEqual([traceIdOf(1)])
    // Stored more than maxAgeMs ago: the next write prunes it.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    store.save(sampleRequest(2, { startedAt: new Date().toISOString() }))
    store.saveSpans([sampleSpan(2, 1, { startTimeUnixNano: `${BigInt(Date.now()) * 1_000_000n}`, endTimeUnixNano: undefined })])
    await store.flush()
    expect((await store.list({ limit: 50, offset: 0 })).requests.map((r) => r.id)).toEqual(['req-2'])
    expect((await store.listTraces({ limit: 50, offset: 0 })).traces.map((t) => t.traceId)).toEqual([traceIdOf(2)])
    await store.close()
  })

  it('says what it is, that it answers, and how many instances wrote to it; clear() forgets everything', async () => {
    const store = await make()
    store.save(sampleRequest(1))
    store.save(sampleRequest(2, { instance: 'other-host:42' }))
    await store.flush()
    const status = await store.status()
    expect(status).toMatchObject({ kind: store.kind, location: store.location, available: true, queued: 0, dropped: 0, instances: 2, instance: INSTANCE })
    expect(status.error).toBeUndefined()
    expect((await store.list({ limit: 5, offset: 0 })).requests.map((r) => r.instance)).toEqual(['other-host:42', INSTANCE])
    store.saveSpans([sampleSpan(1, 1)])
    await store.clear()
    expect(await store.list({ limit: 5, offset: 0 })).toEqual({ requests: [], total: 0, dropped: 0 })
    expect(await store.listTraces({ limit: 5, offset: 0 })).toEqual({ traces: [], total: 0, evicted: 0 })
    await store.close()
  })

  it('drops and counts writes over maxQueued instead of growing', async () => {
    const store = await make({ maxQueued: 3 })
    for (let i = 1; i <= 5; i++) store.save(sampleRequest(i))
    expect((await store.status()).dropped).toBe(2)
    expect((await store.list({ limit: 50, offset: 0 })).total).toBe(3)
    await store.close()
  })
}
