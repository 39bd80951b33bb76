import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { TraceStore, type ToolbarSpan } from '../../src/opentelemetry/index.js'

const TRACE = (n: number) => n.toString(16).padStart(32, '0')

function received(traceId: string): ToolbarSpan {
  return {
    traceId, spanId: 'a'.repeat(16), parentSpanId: undefined, name: 'received', kind: 'SERVER',
    startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: {}, events: [], links: [],
    status: { code: 'UNSET' }, resource: {}, scope: { name: 'test' }, source: 'otlp_http',
  }
}

type Op =
  | { kind: 'open' | 'finish' | 'hold' | 'release' | 'receive'; trace: number }
  | { kind: 'clear' }

/**
 * Which traces a store keeps, as the store's rule says it: the traces of requests still
 * running do not count; beyond `maxTraces` of the others, the oldest (by when it was first
 * opened or received) that no WebSocket holds goes, failing that the oldest held one. A trace
 * re-opened by another request keeps its place.
 */
class Model {
  private readonly traces = new Map<number, { requestId?: string; finished: boolean; holds: number }>()
  constructor(private readonly maxTraces: number) {}

  apply(op: Op): void {
    if (op.kind === 'clear') return this.traces.clear()
    const entry = this.traces.get(op.trace)
    switch (op.kind) {
      case 'open':
        if (entry) Object.assign(entry, { requestId: `r${op.trace}`, finished: false })
        else this.traces.set(op.trace, { requestId: `r${op.trace}`, finished: false, holds: 0 })
        return this.evict()
      case 'receive':
        if (entry) return
        this.traces.set(op.trace, { finished: false, holds: 0 })
        return this.evict()
      case 'finish':
        if (entry) entry.finished = true
        return this.evict()
      case 'hold':
        if (entry) entry.holds++
        return
      case 'release':
        if (entry && entry.holds > 0) entry.holds--
    }
  }

  kept(): number[] {
    return [...this.traces.keys()].sort((a, b) => a - b)
  }

  private evict(): void {
    const done = [...this.traces].filter(([, entry]) => entry.requestId === undefined || entry.finished)
    for (let over = done.length - this.maxTraces; over > 0; over--) {
      const unheld = done.find(([id, entry]) => entry.holds === 0 && this.traces.has(id))
      const held = done.find(([id]) => this.traces.has(id))
      this.traces.delete((unheld ?? held)![0])
    }
  }
}

describe('TraceStore eviction', () => {
  it('keeps the same traces as its rule over long runs of requests, re-opened traces, held and received ones', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('open' as const), trace: fc.integer({ min: 1, max: 40 }) }) },
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('finish' as const), trace: fc.integer({ min: 1, max: 40 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('hold' as const, 'release' as const, 'receive' as const), trace: fc.integer({ min: 1, max: 40 }) }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
    )
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { minLength: 50, maxLength: 600 }), (maxTraces, ops) => {
        const store = new TraceStore(maxTraces)
        const model = new Model(maxTraces)
        const releases = new Map<number, Array<() => void>>()
        for (const op of ops) {
          model.apply(op)
          if (op.kind === 'clear') {
            store.clear()
            releases.clear()
            continue
          }
          const traceId = TRACE(op.trace)
          if (op.kind === 'open') store.open(traceId, {}, `r${op.trace}`)
          else if (op.kind === 'finish') store.finish(traceId)
          else if (op.kind === 'receive') store.receive(received(traceId))
          else if (op.kind === 'hold') {
            if (store.has(traceId)) releases.set(op.trace, [...(releases.get(op.trace) ?? []), store.hold(traceId)])
          } else releases.get(op.trace)?.pop()?.()
          const kept = Array.from({ length: 40 }, (_, i) => i + 1).filter((n) => store.has(TRACE(n)))
          expect(kept).toEqual(model.kept())
        }
      }),
      { numRuns: 150 },
    )
  })

  it('keeps a slow request\'s trace while thousands of others come and go, and lets it go as it finishes, older than all', () => {
    const store = new TraceStore(3)
    store.open(TRACE(1), {}, 'slow')
    for (let n = 2; n <= 5000; n++) {
      store.open(TRACE(n), {}, `r${n}`)
      store.finish(TRACE(n))
    }
    // Re-opened (a service calling itself): running again, and in its place.
    store.open(TRACE(4999), {}, 'again')
    store.open(TRACE(5001), {}, 'r5001')
    const kept = () => [1, 4998, 4999, 5000, 5001].filter((n) => store.has(TRACE(n)))
    expect(kept()).toEqual([1, 4998, 4999, 5000, 5001])
    store.finish(TRACE(5001))
    store.finish(TRACE(4999))
    // Four finished: the one opened first goes, although 4999 was opened again later.
    expect(kept()).toEqual([1, 4999, 5000, 5001])
    store.finish(TRACE(1))
    expect(kept()).toEqual([4999, 5000, 5001])
    expect(store.size).toBe(3)
  })
})
