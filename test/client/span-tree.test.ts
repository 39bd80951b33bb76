import { describe, expect, it } from 'vitest'
import type { ToolbarSpan } from '../../src/core/span-model.js'
import { buildSpanTree, describeSkew, flattenVisible, formatDuration, offsetInTrace, spanMatches } from '../../templates/client/panels/span-tree.js'
import { axisTicks, formatTick, percentOf } from '../../templates/client/panels/time-axis.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const T0 = 1_700_000_000_000_000_000n

/** A span starting `startMs` after T0 and lasting `durationMs` (undefined: in flight). */
function span(id: string, parent: string | undefined, name: string, startMs: number, durationMs: number | undefined, extra: Partial<ToolbarSpan> = {}): ToolbarSpan {
  const start = T0 + BigInt(Math.round(startMs * 1e6))
  return {
    traceId: TRACE,
    spanId: id.padStart(16, '0'),
    parentSpanId: parent?.padStart(16, '0'),
    name,
    kind: 'INTERNAL',
    startTimeUnixNano: String(start),
    endTimeUnixNano: durationMs === undefined ? undefined : String(start + BigInt(Math.round(durationMs * 1e6))),
    attributes: {},
    events: [],
    links: [],
    status: { code: 'UNSET' },
    resource: { 'service.name': 'shop' },
    scope: { name: 'hono-debug-toolbar' },
    source: 'local',
    ...extra,
  }
}

const names = (rows: { node: { span: ToolbarSpan } }[]) => rows.map((r) => r.node.span.name)

// A request with two queries (given out of order) and a render that contains a log span.
const request = () => [
  span('1', undefined, 'GET /users/:id', 0, 20, { kind: 'SERVER' }),
  span('3', '1', 'SELECT orders', 6, 3, { attributes: { 'db.query.text': 'SELECT * FROM orders', 'db.system.name': 'sqlite' } }),
  span('2', '1', 'SELECT users', 1, 4, { attributes: { 'db.query.text': 'SELECT * FROM users WHERE id = ?', 'db.system.name': 'sqlite' } }),
  span('4', '1', 'render user.html', 10, 8),
  span('5', '4', 'log info', 12, 0.001),
]

describe('buildSpanTree', () => {
  it('nests spans under their parents, children by start time, with offsets from the trace start', () => {
    const tree = buildSpanTree(request())
    expect(names(tree.ordered.map((node) => ({ node })))).toEqual(['GET /users/:id', 'SELECT users', 'SELECT orders', 'render user.html', 'log info'])
    expect(tree.ordered.map((n) => n.depth)).toEqual([0, 1, 1, 1, 2])
    expect(tree.durationNs).toBe(20e6)
    expect(tree.byId.get('0000000000000003')!.offsetNs).toBe(6e6)
    expect(tree.byId.get('0000000000000003')!.durationNs).toBe(3e6)
    expect(tree.services).toEqual(['shop'])
  })

  it('places spans whose parent is unknown at the top level after the root, marked as orphans', () => {
    const tree = buildSpanTree([...request(), span('9', 'ff', 'late downstream span', 2, 5, { resource: { 'service.name': 'billing' } })])
    expect(tree.roots.map((n) => n.span.name)).toEqual(['GET /users/:id', 'late downstream span'])
    const orphan = tree.byId.get('0000000000000009')!
    expect(orphan.orphan).toBe(true)
    expect(orphan.depth).toBe(0)
    expect(tree.ordered.at(-1)).toBe(orphan)
    expect(tree.services).toEqual(['shop', 'billing'])
  })

  it('treats the request span as the root when its parent is remote (an incoming traceparent)', () => {
    const spans = request()
    spans[0]!.parentSpanId = 'aaaaaaaaaaaaaaaa'
    const tree = buildSpanTree(spans, { rootSpanId: '0000000000000001' })
    expect(tree.roots).toHaveLength(1)
    expect(tree.roots[0]!.orphan).toBe(false)
    // Without the hint, the earliest span still leads rather than everything being an orphan.
    expect(buildSpanTree(spans).roots[0]!.span.name).toBe('GET /users/:id')
  })

  it('draws in-flight spans until now and survives parent cycles', () => {
    const now = T0 + 50_000_000n
    const tree = buildSpanTree([span('1', undefined, 'GET /stream', 0, undefined), span('a', 'b', 'a', 1, 1), span('b', 'a', 'b', 2, 1)], { nowUnixNano: now })
    const root = tree.byId.get('0000000000000001')!
    expect(root.inFlight).toBe(true)
    expect(root.durationNs).toBe(50e6)
    expect(tree.durationNs).toBe(50e6)
    expect(tree.ordered).toHaveLength(3)
    expect(tree.byId.get('000000000000000a')!.orphan).toBe(true)
  })

  it("draws a downstream service's span whose clock runs ahead inside its parent, with its own duration", () => {
    // The inventory clock is 71.2 ms ahead: its SERVER span claims 91.2-121.2 under the CLIENT
    // span 10-60, after the request (0-100) ended. Moved to the middle of the CLIENT span
    // (room 50 - 30 = 20, so 10 + 10), it is drawn at 20-50, its query (96.2-116.2) at 25-45.
    const inventory = { resource: { 'service.name': 'inventory' } }
    const queryEvent = { name: 'cache miss', timeUnixNano: String(T0 + 111_200_000n), attributes: {} }
    const tree = buildSpanTree([
      span('1', undefined, 'GET /', 0, 100, { kind: 'SERVER' }),
      span('2', '1', 'GET', 10, 50, { kind: 'CLIENT' }),
      span('3', '2', 'GET /stock/:sku', 91.2, 30, { kind: 'SERVER', ...inventory }),
      span('4', '3', 'SELECT stock', 96.2, 20, { ...inventory, events: [queryEvent] }),
    ])
    const at = (id: string) => tree.byId.get(id.padStart(16, '0'))!
    expect([at('3').offsetNs, at('3').durationNs, at('3').skewNs].map((ns) => Math.round(ns / 1e3) / 1e3)).toEqual([20, 30, -71.2])
    expect([at('4').offsetNs, at('4').durationNs, at('4').skewNs].map((ns) => Math.round(ns / 1e3) / 1e3)).toEqual([25, 20, -71.2])
    expect([at('1').skewNs, at('2').skewNs]).toEqual([0, 0])
    // The axis ends with the request, not 21.2 ms later where the service's clock put its end.
    expect(tree.durationNs).toBe(100e6)
    // The query's event moves with it: 15 ms after the query's start.
    expect(Math.round(offsetInTrace(tree, queryEvent.timeUnixNano, at('4')) / 1e3) / 1e3).toBe(40)
    expect(describeSkew(at('3').skewNs)).toBe("drawn 71.2 ms earlier than its own clock says (its service's clock differs from its parent's)")
  })

  it('starts the axis at the first span drawn when the earliest span as received was moved, and never moves spans of one service', () => {
    // The back clock is 20 ms behind: its span claims -15..15 under the CLIENT span 10-60.
    // A child of the same service that outlives its parent (70-110) stays where it is.
    const tree = buildSpanTree([
      span('1', undefined, 'GET /', 0, 100, { kind: 'SERVER' }),
      span('2', '1', 'GET', 10, 50, { kind: 'CLIENT' }),
      span('3', '2', 'GET /back', -15, 30, { kind: 'SERVER', resource: { 'service.name': 'back' } }),
      span('5', '1', 'after the response', 70, 40),
    ])
    const at = (id: string) => tree.byId.get(id.padStart(16, '0'))!
    expect([at('1').offsetNs, at('2').offsetNs, at('3').offsetNs, at('5').offsetNs]).toEqual([0, 10e6, 20e6, 70e6])
    expect([at('3').skewNs, at('5').skewNs]).toEqual([35e6, 0])
    expect(tree.startUnixNano).toBe(T0)
    expect(tree.durationNs).toBe(110e6)
    expect(describeSkew(at('3').skewNs)).toMatch(/^drawn 35\.0 ms later than/)
  })

  it('handles a chain of thousands of nested spans without recursion', () => {
    const spans = Array.from({ length: 5000 }, (_, i) => span(String(i + 1), i === 0 ? undefined : String(i), `s${i}`, i * 0.001, 10))
    const tree = buildSpanTree(spans)
    expect(tree.ordered.at(-1)!.depth).toBe(4999)
  })
})

describe('flattenVisible', () => {
  it('leaves out the subtree of a collapsed span, keeping the span itself', () => {
    const tree = buildSpanTree(request())
    expect(names(flattenVisible(tree, new Set(), '', 0))).toHaveLength(5)
    expect(names(flattenVisible(tree, new Set(['0000000000000004']), '', 0))).toEqual(['GET /users/:id', 'SELECT users', 'SELECT orders', 'render user.html'])
    expect(names(flattenVisible(tree, new Set(['0000000000000001']), '', 0))).toEqual(['GET /users/:id'])
  })

  it('shows matches and their ancestors, the ancestors marked as context', () => {
    const rows = flattenVisible(buildSpanTree(request()), new Set(), 'log', 0)
    expect(names(rows)).toEqual(['GET /users/:id', 'render user.html', 'log info'])
    expect(rows.map((r) => [r.hit, r.context])).toEqual([[false, true], [false, true], [true, false]])
  })

  it('hides spans shorter than the threshold unless a longer span is below them', () => {
    const rows = flattenVisible(buildSpanTree(request()), new Set(), '', 3.5)
    expect(names(rows)).toEqual(['GET /users/:id', 'SELECT users', 'render user.html'])
    expect(rows.every((r) => !r.context && !r.hit)).toBe(true)
  })

  it('combines filter and threshold', () => {
    expect(names(flattenVisible(buildSpanTree(request()), new Set(), 'db.system.name=sqlite', 3.5))).toEqual(['GET /users/:id', 'SELECT users'])
  })
})

describe('spanMatches', () => {
  const query = request()[2]!
  it('matches name, service, span id and attribute keys, in any case', () => {
    expect(spanMatches(query, 'select')).toBe(true)
    expect(spanMatches(query, 'SHOP')).toBe(true)
    expect(spanMatches(query, '0000000000000002')).toBe(true)
    expect(spanMatches(query, 'db.query')).toBe(true)
    expect(spanMatches(query, 'http.route')).toBe(false)
  })

  it('matches key=value against span and resource attributes, quotes keeping spaces', () => {
    expect(spanMatches(query, 'db.system.name=sqlite')).toBe(true)
    expect(spanMatches(query, 'db.system.name=postgresql')).toBe(false)
    expect(spanMatches(query, 'db.query.text="from users"')).toBe(true)
    expect(spanMatches(query, 'service.name=shop')).toBe(true)
  })

  it('requires every term to match', () => {
    expect(spanMatches(query, 'select users')).toBe(true)
    expect(spanMatches(query, 'select orders')).toBe(false)
  })
})

describe('formatDuration', () => {
  it('picks a unit and keeps three significant digits', () => {
    expect(formatDuration(850)).toBe('850 ns')
    expect(formatDuration(12_400)).toBe('12.4 µs')
    expect(formatDuration(1_234_567)).toBe('1.23 ms')
    expect(formatDuration(245_000_000)).toBe('245 ms')
    expect(formatDuration(3_400_000_000)).toBe('3.40 s')
    expect(formatDuration(Number.NaN)).toBe('—')
  })
})

describe('time axis', () => {
  it('uses round steps and places times in percent of the trace', () => {
    expect(axisTicks(23e6, 5)).toEqual([0, 5e6, 10e6, 15e6, 20e6])
    expect(axisTicks(1e6, 4)).toEqual([0, 0.5e6, 1e6])
    expect(axisTicks(0)).toEqual([0])
    expect(percentOf(5e6, 20e6)).toBe(25)
    expect(percentOf(30e6, 20e6)).toBe(100)
  })
})

describe('formatTick', () => {
  it('labels every tick of an axis in one unit, with the decimals its step needs', () => {
    const ticks = axisTicks(1.6e6, 4)
    expect(ticks.map((t) => formatTick(t, ticks[1]!, 1.6e6))).toEqual(['0 ms', '0.5 ms', '1 ms', '1.5 ms'])
    expect(formatTick(20e6, 5e6, 23e6)).toBe('20 ms')
    expect(formatTick(400_000, 200_000, 900_000)).toBe('400 µs')
    expect(formatTick(2e9, 1e9, 3.2e9)).toBe('2 s')
  })
})
