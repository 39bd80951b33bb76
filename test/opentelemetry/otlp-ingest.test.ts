import { afterEach, describe, expect, it, vi } from 'vitest'
import { ToolbarEvents, type ToolbarEvent } from '../../src/core/events.js'
import { MemoryStore, type ToolbarStore } from '../../src/core/store.js'
import { OtlpDecodeError, SpanIngest, TraceStore, type ToolbarSpan } from '../../src/opentelemetry/index.js'

const TRACE = 'd'.repeat(32)

function request(spanIds: string[], parentSpanId = '') {
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'billing' } }] },
      scopeSpans: [{ spans: spanIds.map((spanId) => ({ traceId: TRACE, spanId, parentSpanId, name: `op ${spanId}`, startTimeUnixNano: 1_000_000, endTimeUnixNano: '2000000' })) }],
    }],
  }
}

afterEach(() => vi.restoreAllMocks())

describe('SpanIngest', () => {
  it('saves received spans to a store that keeps spans, and warns once when it fails', async () => {
    const saved: Array<[ToolbarSpan[], string | undefined]> = []
    const store: ToolbarStore = Object.assign(new MemoryStore(), {
      saveSpans: (spans: ToolbarSpan[], requestId?: string) => {
        saved.push([spans, requestId])
        if (saved.length === 2) throw new Error('disk full')
        if (saved.length === 3) return Promise.reject(new Error('still full'))
      },
    })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const ingest = new SpanIngest(new TraceStore(), undefined, store)
    ingest.accept(request(['1'.repeat(16)]), 'otlp_http')
    ingest.accept(request(['2'.repeat(16)], '1'.repeat(16)), 'otlp_http')
    ingest.accept(request(['3'.repeat(16)], '1'.repeat(16)), 'otlp_http')
    await new Promise((resolve) => setImmediate(resolve))
    expect(saved.map(([spans, requestId]) => [spans.map((s) => s.spanId), requestId])).toEqual([
      [['1'.repeat(16)], undefined],
      [['2'.repeat(16)], undefined],
      [['3'.repeat(16)], undefined],
    ])
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]).toEqual(['[hono-debug-toolbar] the store could not save received spans:', 'disk full'])
  })

  it('announces a new trace, its updates, and its completion when the root arrives; counts what it refused', () => {
    const events = new ToolbarEvents()
    const seen: ToolbarEvent[] = []
    events.subscribe((event) => seen.push(event))
    const traces = new TraceStore()
    traces.receivedSettings = { maxSpans: 2 }
    const ingest = new SpanIngest(traces, events)
    ingest.accept(request(['2'.repeat(16)], '1'.repeat(16)), 'otlp_grpc')
    const result = ingest.accept(request(['1'.repeat(16), '3'.repeat(16), '4'.repeat(16)]), 'otlp_grpc')
    expect(seen.map((e) => e.type)).toEqual(['trace.created', 'trace.updated', 'trace.completed'])
    expect(seen[2]!.data).toMatchObject({ traceId: TRACE, name: `op ${'1'.repeat(16)}`, spanCount: 2, services: ['billing'], source: 'otlp_grpc' })
    expect(result).toEqual({ accepted: 1, rejected: 2, traceIds: [TRACE], errorMessage: expect.stringMatching(/^2 spans refused: span 3{16}: trace d{32} holds its maximum number of spans; span 4{16}/) })
    expect(() => ingest.accept('not a request', 'otlp_grpc')).toThrow(OtlpDecodeError)
    expect(ingest.counters).toEqual({ requests: 3, accepted: 2, rejected: 2, duplicates: 0, late: 0, malformed: 1 })
  })
})
