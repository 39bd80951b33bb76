import { describe, expect, it } from 'vitest'
import { buildSpanTree, flattenVisible } from '../../templates/client/panels/span-tree.js'
import { analyzeForWaterfall, foldGroups, onlyCritical, selfTimeOf } from '../../templates/client/panels/waterfall-analysis.js'
import { ANALYSIS_CASES, caseSpans } from '../support/analysis-cases.js'
import { spanIdOf, syntheticTrace, type SyntheticSpan } from '../support/synthetic-spans.js'

const queries = (n: number, parent: string): SyntheticSpan[] =>
  Array.from({ length: n }, (_, i) => ({ name: `${parent}q${i}`, label: 'SELECT comments', parent, start: 10 + i * 5, end: 12 + i * 5, attributes: { 'db.query.text': `SELECT * FROM comments WHERE post_id = ${i}` } }))

function setup(spans: ReturnType<typeof syntheticTrace>) {
  const tree = buildSpanTree(spans, { nowUnixNano: 0n })
  return { tree, analysis: analyzeForWaterfall(spans), rows: flattenVisible(tree, new Set(), '', 0) }
}

describe('the waterfall side of the analysis', () => {
  it('puts critical stretches where the waterfall draws the spans, at their adjusted times', () => {
    const { analysis, tree } = setup(caseSpans(ANALYSIS_CASES[3]!))
    // S claims -5..65 on its own clock, before its parent C (10-90): it is drawn at 15-85, in
    // the middle of C, and the axis starts with P at 0. Its stretches are where it is drawn.
    const s = analysis.stretches(spanIdOf('S'))
    expect(s.map(([a, b]) => [a / 1e6, b / 1e6])).toEqual([
      [15, 20],
      [60, 85],
    ])
    expect(tree.byId.get(spanIdOf('S'))!.offsetNs).toBe(15e6)
    expect(tree.byId.get(spanIdOf('P'))!.offsetNs).toBe(0)
    expect(selfTimeOf(analysis, spanIdOf('S'))).toBe(30e6)
    expect(selfTimeOf(analysis, 'missing')).toBeUndefined()
    expect([analysis.criticalCount, analysis.isCritical('missing'), analysis.stretches('missing')]).toEqual([4, false, []])
  })

  it('shows only the critical chain on request', () => {
    const { analysis, rows } = setup(caseSpans(ANALYSIS_CASES[0]!))
    expect(onlyCritical(rows, analysis).map((r) => r.node.span.name)).toEqual(['P', 'B'])
  })

  it('folds runs of repeated siblings from the threshold, with their subtrees, and keeps expanded ones', () => {
    const spans = syntheticTrace('fold', [
      { name: 'P', start: 0, end: 100 },
      ...queries(3, 'P'),
      { name: 'inside', parent: 'Pq1', start: 15, end: 16 },
      { name: 'Z', parent: 'P', start: 50, end: 60 },
    ])
    const { analysis, rows } = setup(spans)
    const folded = foldGroups(rows, analysis.groups, 3, new Set())
    expect(folded.map((r) => (r.group ? `${r.group.name} ×${r.group.spanIds.length}` : r.node.span.name))).toEqual(['P', 'SELECT comments ×3', 'Z'])
    // The folded row stands for its three queries and the span inside one of them: every span is still counted.
    expect(folded.map((r) => r.spans ?? 1)).toEqual([1, 4, 1])
    expect(folded.reduce((n, r) => n + (r.spans ?? 1), 0)).toBe(rows.length)
    expect(foldGroups(rows, analysis.groups, 4, new Set())).toBe(rows)
    expect(foldGroups(rows, analysis.groups, 0, new Set())).toBe(rows)
    const expanded = foldGroups(rows, analysis.groups, 3, new Set([analysis.groups[0]!.id]))
    expect(expanded.map((r) => r.node.span.name)).toEqual(['P', 'SELECT comments', 'SELECT comments', 'inside', 'SELECT comments', 'Z'])
    expect(expanded[1]!.foldable?.id).toBe(`${spanIdOf('P')}|front: SELECT * FROM comments WHERE post_id = ?`)
  })
})
