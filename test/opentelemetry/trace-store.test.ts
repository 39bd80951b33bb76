import { describe, expect, it } from 'vitest'
import { context, trace } from '@opentelemetry/api'
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { TraceStore, ToolbarSpanProcessor, type ToolbarSpan } from '../../src/opentelemetry/index.js'

const TRACE = (n: number) => n.toString(16).padStart(32, '0')

function span(traceId: string, spanId: string, startNs: bigint): ToolbarSpan {
  return {
    traceId, spanId, parentSpanId: undefined, name: `span ${spanId}`, kind: 'INTERNAL',
    startTimeUnixNano: startNs.toString(), endTimeUnixNano: (startNs + 10n).toString(),
    attributes: {}, events: [], links: [], status: { code: 'UNSET' }, resource: {}, scope: { name: 'test' }, source: 'otlp_http',
  }
}

describe('TraceStore', () => {
  it('keeps only open traces, ordered by start time', () => {
    const store = new TraceStore(10)
    expect(store.add(span(TRACE(1), 'a'.repeat(16), 5n))).toBe('ignored')
    store.open(TRACE(1))
    expect(store.add(span(TRACE(1), 'b'.repeat(16), 9n))).toBe('stored')
    expect(store.add(span(TRACE(1), 'c'.repeat(16), 3n))).toBe('stored')
    expect(store.spans(TRACE(1))!.map((s) => s.spanId)).toEqual(['c'.repeat(16), 'b'.repeat(16)])
    expect(store.spans(TRACE(2))).toBeUndefined()
  })

  it('shows spans in flight until they end, whichever of them ends first', () => {
    const store = new TraceStore()
    const tracer = new BasicTracerProvider({ spanProcessors: [new ToolbarSpanProcessor(store)] }).getTracer('test')
    const root = tracer.startSpan('GET /')
    const { traceId } = root.spanContext()
    // As the panel does: the trace opens after its SERVER span started.
    store.open(traceId)
    store.start(root as unknown as ReadableSpan)
    store.start(root as unknown as ReadableSpan)
    const inRoot = trace.setSpan(context.active(), root)
    const [a, b] = [tracer.startSpan('a', {}, inRoot), tracer.startSpan('b', {}, inRoot)]
    const inFlight = () => store.spans(traceId)!.filter((s) => s.endTimeUnixNano === undefined).map((s) => s.name).sort()
    expect(inFlight()).toEqual(['GET /', 'a', 'b'])
    root.end()
    expect(inFlight()).toEqual(['a', 'b'])
    const c = tracer.startSpan('c', {}, inRoot)
    b.end()
    expect(inFlight()).toEqual(['a', 'c'])
    expect(store.counts(traceId)).toMatchObject({ running: 2, ended: 2 })
    a.end()
    c.end()
    expect(inFlight()).toEqual([])
    expect(store.spans(traceId)!.map((s) => s.name).sort()).toEqual(['GET /', 'a', 'b', 'c'])
    expect(store.counts(traceId)).toMatchObject({ running: 0, ended: 4, dropped: 0 })
  })

  it('evicts the oldest trace beyond maxTraces', () => {
    const store = new TraceStore(3)
    for (let n = 1; n <= 5; n++) store.open(TRACE(n))
    expect(store.size).toBe(3)
    expect(store.has(TRACE(1))).toBe(false)
    expect(store.has(TRACE(2))).toBe(false)
    expect(store.has(TRACE(5))).toBe(true)
  })

  it('keeps at most maxTotalSpans spans over all its traces: the oldest traces go, counted as evicted, never the one a span joins', () => {
    const store = new TraceStore(100)
    store.maxTotalSpans = 10
    const received = (n: number, count: number) => {
      for (let i = 1; i <= count; i++) expect(store.receive(span(TRACE(n), i.toString(16).padStart(16, '0'), BigInt(i)))).toBe('stored')
    }
    received(1, 4)
    received(2, 4)
    expect([store.size, store.spanCount, store.evicted]).toEqual([2, 8, 0])
    // The third trace's 3rd span passes the budget: the oldest trace goes, whole.
    received(3, 4)
    expect([store.has(TRACE(1)), store.has(TRACE(2)), store.has(TRACE(3))]).toEqual([false, true, true])
    expect([store.spanCount, store.evicted]).toEqual([8, 1])
    expect(store.list({ limit: 10, offset: 0 }).evicted).toBe(1)
    // One trace larger than the budget keeps its spans (maxSpansPerTrace bounds it): the others go.
    received(4, 12)
    expect([store.size, store.spanCount, store.evicted]).toEqual([1, 12, 3])
    // Spans in flight count too, and leave the count when they end.
    const tracer = new BasicTracerProvider({ spanProcessors: [new ToolbarSpanProcessor(store)] }).getTracer('test')
    const root = tracer.startSpan('GET /')
    store.open(root.spanContext().traceId)
    store.start(root as unknown as ReadableSpan)
    expect([store.size, store.spanCount]).toEqual([1, 1])
    root.end()
    expect(store.spanCount).toBe(1)
    store.clear()
    expect(store.spanCount).toBe(0)
  })

  it('counts spans over maxSpans as dropped and stores a span id once', () => {
    const store = new TraceStore()
    store.open(TRACE(1), { maxSpans: 2 })
    for (let i = 1; i <= 5; i++) store.add(span(TRACE(1), i.toString(16).padStart(16, '0'), BigInt(i)))
    expect(store.add(span(TRACE(1), '1'.padStart(16, '0'), 1n))).toBe('stored')
    expect(store.counts(TRACE(1))).toEqual({ dropped: 3, running: 0, ended: 2, late: 0, received: 0 })
  })

  it('admits spans after finish() only within the grace period', () => {
    const store = new TraceStore()
    store.open(TRACE(1), { gracePeriodMs: 60_000 })
    store.open(TRACE(2), { gracePeriodMs: 0 })
    store.finish(TRACE(1))
    store.finish(TRACE(2))
    expect(store.add(span(TRACE(1), 'a'.repeat(16), 1n))).toBe('late')
    expect(store.add(span(TRACE(2), 'a'.repeat(16), 1n))).toBe('ignored')
    expect(store.accepts(TRACE(1))).toBe(true)
    expect(store.accepts(TRACE(2))).toBe(false)
  })

  it('counts the late window from the response end it is given, not from when the end was handled', () => {
    const store = new TraceStore()
    store.open(TRACE(1), { gracePeriodMs: 100 })
    // A busy event loop handled the response's end 150 ms after it: the window had closed.
    store.finish(TRACE(1), performance.now() - 150)
    expect(store.closesAt(TRACE(1))).toBeLessThan(performance.now())
    expect(store.accepts(TRACE(1))).toBe(false)
    expect(store.add(span(TRACE(1), 'a'.repeat(16), 1n))).toBe('ignored')
  })

  it('keeps received spans of unknown traces as traces of their own, each span once, the oldest evicted and counted', () => {
    const store = new TraceStore(2)
    const withService = (t: string, id: string, start: bigint, service: string, parent?: string): ToolbarSpan => ({
      ...span(t, id, start), parentSpanId: parent, resource: { 'service.name': service },
    })
    expect(store.receive(withService(TRACE(1), 'a'.repeat(16), 5_000_000n, 'worker'))).toBe('stored')
    expect(store.receive(withService(TRACE(1), 'a'.repeat(16), 5_000_000n, 'worker'))).toBe('duplicate')
    expect(store.receive(withService(TRACE(1), 'b'.repeat(16), 6_000_000n, 'mailer', 'a'.repeat(16)))).toBe('stored')
    expect(store.counts(TRACE(1))).toMatchObject({ ended: 2, received: 2, late: 0 })
    expect(store.summary(TRACE(1))).toEqual({
      traceId: TRACE(1), rootName: `span ${'a'.repeat(16)}`, services: ['worker', 'mailer'], spanCount: 2,
      startedAt: new Date(5).toISOString(), durationMs: 1.00001, error: false,
    })
    store.receive(withService(TRACE(2), 'c'.repeat(16), 9_000_000n, 'cron'))
    store.receive(withService(TRACE(3), 'd'.repeat(16), 7_000_000n, 'cron'))
    expect(store.has(TRACE(1))).toBe(false)
    expect(store.list({ limit: 10, offset: 0 })).toMatchObject({ total: 2, evicted: 1, traces: [{ traceId: TRACE(2) }, { traceId: TRACE(3) }] })
    expect(store.list({ limit: 10, offset: 0, service: 'cron', since: 8, until: 10 }).traces.map((t) => t.traceId)).toEqual([TRACE(2)])
    expect(store.list({ limit: 10, offset: 0, source: 'local' }).total).toBe(0)
    expect(store.list({ limit: 1, offset: 1, minDurationMs: 0 }).traces.map((t) => t.traceId)).toEqual([TRACE(3)])
  })

  it('counts received spans that join after finish as late, and refuses them once the late window closed', () => {
    const store = new TraceStore()
    store.open(TRACE(1), { requestId: 'r1', gracePeriodMs: 60_000 })
    store.open(TRACE(2), { gracePeriodMs: 0 })
    store.finish(TRACE(1))
    store.finish(TRACE(2))
    expect(store.receive(span(TRACE(1), 'a'.repeat(16), 1n))).toBe('late')
    expect(store.receive(span(TRACE(2), 'a'.repeat(16), 1n))).toBe('closed')
    expect(store.counts(TRACE(1))).toMatchObject({ late: 1, received: 1 })
    expect(store.requestId(TRACE(1))).toBe('r1')
  })
})
