/** @jsxImportSource preact */
import { describe, expect, it } from 'vitest'
import { renderToString } from 'preact-render-to-string'
import { buildSpanTree, flattenVisible } from '../../templates/client/panels/span-tree.js'
import { analyzeForWaterfall, foldGroups } from '../../templates/client/panels/waterfall-analysis.js'
import { Waterfall } from '../../templates/client/panels/waterfall.js'
import { syntheticTrace } from '../support/synthetic-spans.js'

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
