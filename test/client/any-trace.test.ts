// Any trace a waterfall may be handed (spans of several services with clocks that disagree,
// parents missing, repeated, in a cycle or the span itself, spans still in flight) is drawn
// whole: every span once, inside the axis, a child under its parent; and its analysis holds:
// a span's self time is its time outside its children, counted nanosecond by nanosecond here.
// fast-check writes the traces.
import { describe, it } from 'vitest'
import fc from 'fast-check'
import type { ToolbarSpan } from '../../src/core/span-model.js'
import { selfTimes, traceTimeline, criticalPath, criticalSpans } from '../../src/core/trace-analysis/index.js'
import { buildSpanTree, flattenVisible } from '../../templates/client/panels/span-tree.js'
import { analyzeForWaterfall } from '../../templates/client/panels/waterfall-analysis.js'

const T0 = 1_700_000_000_000_000_000n
const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((c) => c.repeat(16))

const span = (services: string[]) =>
  fc.record({
    spanId: fc.constantFrom(...ids),
    parent: fc.option(fc.constantFrom(...ids, '0123456789abcdef'), { nil: undefined }),
    start: fc.integer({ min: 0, max: 2000 }),
    length: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined, freq: 8 }),
    service: fc.constantFrom(...services),
  }).map((s): ToolbarSpan => ({
    traceId: 'f'.repeat(32),
    spanId: s.spanId,
    parentSpanId: s.parent,
    name: `op ${s.spanId[0]}`,
    kind: 'INTERNAL',
    startTimeUnixNano: String(T0 + BigInt(s.start)),
    endTimeUnixNano: s.length === undefined ? undefined : String(T0 + BigInt(s.start + s.length)),
    attributes: {},
    events: [],
    links: [],
    status: { code: 'UNSET' },
    resource: { 'service.name': s.service },
    scope: { name: 'test' },
    source: 'local',
  }))

const trace = (services: string[]) => fc.array(span(services), { minLength: 1, maxLength: 12 })
// Drawing far after the trace: in-flight spans end "now".
const NOW = T0 + 10_000n

describe('any trace', () => {
  it('is drawn whole: every span once, within the axis, a child below its parent, and inside it when of another service', () => {
    fc.assert(
      fc.property(trace(['web', 'api', 'db']), (spans) => {
        const tree = buildSpanTree(spans, { nowUnixNano: NOW })
        const rows = flattenVisible(tree, new Set(), '', 0)
        if (rows.length !== spans.length) return false
        if (new Set(rows.map((row) => row.node.span)).size !== spans.length) return false
        const seen = new Set<unknown>()
        for (const { node } of rows) {
          if (node.parent && !seen.has(node.parent)) return false
          if (node.parent && node.depth !== node.parent.depth + 1) return false
          if (node.offsetNs < 0 || node.durationNs < 0 || node.offsetNs + node.durationNs > tree.durationNs + 1e-6) return false
          // A span of another service that fits in its parent is drawn inside it, whatever its clock said (as Jaeger adjusts).
          const parent = node.parent
          if (parent && parent.service !== node.service && !node.inFlight && !parent.inFlight && node.durationNs <= parent.durationNs) {
            if (node.offsetNs < parent.offsetNs || node.offsetNs + node.durationNs > parent.offsetNs + parent.durationNs) return false
          }
          seen.add(node)
        }
        // The analyses the waterfall draws from run on it too.
        const analysis = analyzeForWaterfall(spans, tree.timeline)
        return analysis !== undefined
      }),
      { numRuns: 3000 },
    )
  })

  it("has each span's self time equal to its time outside its children, and a critical path of its spans", () => {
    // One service: no clock-skew adjustment moves a span, so times are as written.
    fc.assert(
      fc.property(trace(['shop']), (spans) => {
        const timeline = traceTimeline(spans)
        const self = selfTimes(timeline)
        for (let i = 0; i < spans.length; i++) {
          let outside = 0
          for (let t = timeline.start[i]!; t < timeline.end[i]!; t++) {
            let covered = false
            for (let c = 0; c < spans.length && !covered; c++) covered = timeline.parent[c] === i && timeline.start[c]! <= t && t < timeline.end[c]!
            if (!covered) outside++
          }
          if (self[i] !== outside) return false
        }
        const path = criticalSpans(criticalPath(timeline))
        return path.every((i) => Number.isInteger(i) && i >= 0 && i < spans.length) && new Set(path).size === path.length
      }),
      { numRuns: 1500 },
    )
  })
})
