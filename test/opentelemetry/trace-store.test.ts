import { describe, expect, it } from 'vitest'
import { TraceStore, type ToolbarSpan } from '../../src/opentelemetry/index.js'

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

  it('evicts the oldest trace beyond maxTraces', () => {
    const store = new TraceStore(3)
    for (let n = 1; n <= 5; n++) store.open(TRACE(n))
    expect(store.size).toBe(3)
    expect(store.has(TRACE(1))).toBe(false)
    expect(store.has(TRACE(2))).toBe(false)
    expect(store.has(TRACE(5))).toBe(true)
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
})
