/** @jsxImportSource preact */
import { describe, expect, it } from 'vitest'
import { renderToString } from 'preact-render-to-string'
import { buildSpanTree, flattenVisible } from '../../templates/client/panels/span-tree.js'
import { analyzeForWaterfall, foldGroups } from '../../templates/client/panels/waterfall-analysis.js'
import { SpanDetail } from '../../templates/client/panels/span-detail.js'
import { Waterfall } from '../../templates/client/panels/waterfall.js'
import { spanIdOf, syntheticTrace } from '../support/synthetic-spans.js'

/** A page span with three comment queries under it, folded into one "SELECT comments ×3" row. */
function foldedTrace() {
  const spans = syntheticTrace('wf', [
    { name: 'P', start: 0, end: 100 },
    ...[0, 1, 2].map((i) => ({ name: `q${i}`, label: 'SELECT comments', parent: 'P', start: 10 + i * 5, end: 12 + i * 5, attributes: { 'db.query.text': `SELECT * FROM comments WHERE post_id = ${i}` } })),
  ])
  const tree = buildSpanTree(spans, { nowUnixNano: 0n })
  const analysis = analyzeForWaterfall(spans)
  return { tree, analysis, rows: foldGroups(flattenVisible(tree, new Set(), '', 0), analysis.groups, 3, new Set()) }
}

const attribute = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]

describe('the waterfall for keyboard and screen reader users', () => {
  it('highlights a folded group row chosen with the arrow keys, and names the grid and its selected row', () => {
    const { tree, analysis, rows } = foldedTrace()
    const group = rows[1]!
    expect(group.group?.name).toBe('SELECT comments')
    const html = renderToString(
      <Waterfall tree={tree} rows={rows} collapsed={new Set()} selectedId={group.node.span.spanId} onSelect={() => {}} onToggle={() => {}} analysis={analysis} />,
    )
    const groupRow = /<div[^>]*class="[^"]*hdt-wf-group[^"]*"[^>]*>/.exec(html)?.[0] ?? ''
    expect(attribute(groupRow, 'class')).toContain('hdt-wf-selected')
    expect(attribute(groupRow, 'aria-selected')).toBe('true')

    const grid = /<div[^>]*role="grid"[^>]*>/.exec(html)?.[0] ?? ''
    expect(attribute(grid, 'aria-label')).toBe('Spans of the trace')
    expect(attribute(grid, 'aria-activedescendant')).toBe(attribute(groupRow, 'id'))
    expect(attribute(groupRow, 'id')).toBeTruthy()
  })

  it('points the grid at a selected span row, and at nothing when no span is selected', () => {
    const { tree, rows } = foldedTrace()
    const render = (selectedId: string | undefined) =>
      renderToString(<Waterfall tree={tree} rows={rows} collapsed={new Set()} selectedId={selectedId} onSelect={() => {}} onToggle={() => {}} />)
    const html = render(rows[0]!.node.span.spanId)
    const grid = /<div[^>]*role="grid"[^>]*>/.exec(html)?.[0] ?? ''
    const first = /<div[^>]*aria-selected="true"[^>]*>/.exec(html)?.[0] ?? ''
    expect(attribute(first, 'id')).toBeTruthy()
    expect(attribute(grid, 'aria-activedescendant')).toBe(attribute(first, 'id'))
    expect(attribute(first, 'data-span-id')).toBe(rows[0]!.node.span.spanId)
    expect(render(undefined)).not.toContain('aria-activedescendant')
  })
})

/** A request whose downstream service's clock runs 71.2 ms ahead (see span-tree.test.ts for the arithmetic). */
function skewedTrace() {
  const spans = syntheticTrace('skew', [
    { name: 'P', label: 'GET /', start: 0, end: 100 },
    { name: 'C', label: 'GET', parent: 'P', start: 10, end: 60 },
    { name: 'S', label: 'GET /stock/:sku', parent: 'C', start: 91.2, end: 121.2, service: 'inventory' },
    { name: 'Q', label: 'SELECT stock', parent: 'S', start: 96.2, end: 116.2, service: 'inventory' },
  ])
  spans[3]!.events = [{ name: '<b>cache miss</b>', timeUnixNano: String(BigInt(spans[3]!.startTimeUnixNano) + 15_000_000n), attributes: {} }]
  const tree = buildSpanTree(spans, { nowUnixNano: 0n })
  return { spans, tree, rows: flattenVisible(tree, new Set(), '', 0) }
}

const rowOf = (html: string, spanId: string) => new RegExp(`<div[^>]*data-span-id="${spanId}"[^>]*>.*?(?=<div[^>]*role="row"|$)`, 's').exec(html)?.[0] ?? ''
const barOf = (row: string) => /<span[^>]*class="hdt-wf-bar[^"]*"[^>]*>/.exec(row)?.[0] ?? ''
const percent = (tag: string, property: string) => Number(new RegExp(`${property}:\\s*([\\d.]+)%`).exec(attribute(tag, 'style') ?? '')?.[1])

describe('the waterfall of a trace with clock skew', () => {
  it("draws a downstream span whose clock runs ahead inside its parent, marked, on an axis that ends with the request", () => {
    const { spans, tree, rows } = skewedTrace()
    const html = renderToString(<Waterfall tree={tree} rows={rows} collapsed={new Set()} selectedId={undefined} onSelect={() => {}} onToggle={() => {}} analysis={analyzeForWaterfall(spans)} />)
    const client = barOf(rowOf(html, spanIdOf('C')))
    const server = rowOf(html, spanIdOf('S'))
    const [clientLeft, clientWidth] = [percent(client, 'left'), percent(client, 'width')]
    const [left, width] = [percent(barOf(server), 'left'), percent(barOf(server), 'width')]
    expect([clientLeft, clientWidth]).toEqual([10, 50])
    // 20-50 ms of a 100 ms axis: inside the CLIENT span (10-60), 30 ms long as the service measured.
    expect(left).toBeCloseTo(20, 6)
    expect(width).toBeCloseTo(30, 6)
    expect(attribute(barOf(server), 'title')).toBe("GET /stock/:sku: 30.0 ms; clock skew: drawn 71.2 ms earlier than its own clock says (its service's clock differs from its parent's)")
    const badge = /<span[^>]*class="[^"]*hdt-wf-skew[^"]*"[^>]*>([^<]*)<\/span>/.exec(server)
    expect(badge?.[1]).toBe('clock skew')
    expect(rowOf(html, spanIdOf('C'))).not.toContain('hdt-wf-skew')
    // The axis: the request's 100 ms, not the 121.2 ms the service's clock reaches.
    // Its last tick is at the right edge, labelled to its left so that the waterfall does not cut it.
    expect(/<span[^>]*class="hdt-wf-tick hdt-wf-tick-end"[^>]*>([^<]*)<\/span>(?![\s\S]*hdt-wf-tick)/.exec(html)?.[1]).toBe('100 ms')
    // The query's event marker moves with it: 40 ms on the axis.
    const mark = /<i[^>]*class="hdt-wf-mark[^"]*"[^>]*>/.exec(rowOf(html, spanIdOf('Q')))?.[0] ?? ''
    expect(percent(mark, 'left')).toBeCloseTo(40, 6)
  })

  it('says in the span detail that the span was moved, and by how much, with its times as received', () => {
    const { spans, tree } = skewedTrace()
    const node = tree.byId.get(spanIdOf('S'))!
    const html = renderToString(<SpanDetail node={node} tree={tree} jaegerUrl={undefined} onClose={() => {}} onSelect={() => {}} />)
    const text = html.replace(/<[^>]+>/g, '').replace(/&#39;/g, "'")
    expect(text).toContain("Clock skewadjusted drawn 71.2 ms earlier than its own clock says (its service's clock differs from its parent's)")
    expect(text).toContain('Start+20.0 ms from the trace start')
    expect(text).toContain('As received+91.2 ms from the trace start on its own clock; start 2023-11-14 22:13:20.091200000 UTC, end 2023-11-14 22:13:20.121200000 UTC')
    expect(text).toContain('Duration30.0 ms')
    expect(spans[2]!.startTimeUnixNano).toBe('1700000000091200000')
    // A span that was not moved says nothing of it; the query's event keeps its offset in the span.
    const client = renderToString(<SpanDetail node={tree.byId.get(spanIdOf('C'))!} tree={tree} jaegerUrl={undefined} onClose={() => {}} onSelect={() => {}} />)
    expect(client).not.toMatch(/Clock skew|As received/)
    const query = renderToString(<SpanDetail node={tree.byId.get(spanIdOf('Q'))!} tree={tree} jaegerUrl={undefined} onClose={() => {}} onSelect={() => {}} />)
    expect(/class="hdt-span-event-offset">([^<]*)</.exec(query)?.[1]).toBe('+15.0 ms')
  })

  it('gives a CPU-profile span\'s sampled self time under its self time, named apart, as get_trace does', () => {
    const spans = syntheticTrace('sampled self', [
      { name: 'GET /slow', start: 0, end: 100 },
      { name: 'handler', parent: 'GET /slow', start: 10, end: 65.3, attributes: { 'profile.samples': 180, 'profile.sampled_self_ms': 36 } },
    ])
    const tree = buildSpanTree(spans, { nowUnixNano: 0n })
    const text = (id: string, selfNs: number) =>
      renderToString(<SpanDetail node={tree.byId.get(id)!} tree={tree} jaegerUrl={undefined} onClose={() => {}} onSelect={() => {}} selfNs={selfNs} />).replace(/<[^>]+>/g, '')
    const handler = text(spanIdOf('handler'), 43.5e6)
    expect(handler).toContain('Self time43.5 ms')
    expect(handler).toContain('Sampled self time36.0 ms with the function itself on top of the stack, as the Profile panel counts it (the self time above also holds the Node and library code it called)')
    expect(text(spanIdOf('GET /slow'), 44.7e6)).not.toContain('Sampled self time')
  })
})
