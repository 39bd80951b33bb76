/**
 * The trace analysis as the waterfall uses it: the same pure functions as the API
 * (`src/core/trace-analysis`), run in the browser on the spans already loaded, plus the two
 * row transforms the analysis adds to the waterfall: "critical path only" and folding runs
 * of repeated siblings into one row.
 */
import { useEffect, useState } from 'preact/hooks'
import type { ToolbarSpan } from '../../../src/core/span-model.js'
import {
  criticalPath,
  groupIds,
  selfTimes,
  siblingGroups,
  spanStatistics,
  traceTimeline,
  type SpanStatistic,
  type TraceTimeline,
} from '../../../src/core/trace-analysis/index.js'
import type { VisibleRow } from './span-tree.js'

/** A run of repeated siblings, as the waterfall folds it. */
export interface FoldableGroup {
  /** `parentSpanId|key`: stable across refreshes of the same trace. */
  id: string
  key: string
  name: string
  sql: boolean
  spanIds: string[]
  totalNs: number
  maxNs: number
}

export interface WaterfallAnalysis {
  timeline: TraceTimeline
  self: Float64Array
  groups: FoldableGroup[]
  /** Statistics per service and span name, computed when first asked for (the Statistics tab). */
  stats(): SpanStatistic[]
  /** How many spans the critical path goes through. */
  criticalCount: number
  /** Whether the span is on the critical path. */
  isCritical(spanId: string): boolean
  /** The span's stretches on the critical path, as offsets on the waterfall's axis (ns); empty when off it. */
  stretches(spanId: string): Array<[number, number]>
  /** How long the analysis took in this browser (ms). */
  tookMs: number
}

/**
 * A row of the waterfall: a span, or a folded group of repeated siblings (led by its first
 * span). The first span of an expanded group carries the group in `foldable`, to fold it again.
 */
/**
 * A row of the waterfall. A folded row has its `group`, and `spans`: how many of the rows it
 * was given it stands for (the group's members and their subtrees), so that the header can
 * count the spans shown, folded or not.
 */
export type WaterfallRow = VisibleRow & { group?: FoldableGroup; foldable?: FoldableGroup; spans?: number }

/**
 * Analyses a trace's spans, on the timeline the waterfall's tree already built when given.
 *
 * @example
 * ```ts
 * const analysis = analyzeForWaterfall(tree.timeline.spans, tree.timeline)
 * analysis.isCritical(rootSpanId) // true
 * ```
 */
export function analyzeForWaterfall(spans: readonly ToolbarSpan[], timeline: TraceTimeline = traceTimeline(spans)): WaterfallAnalysis {
  const t0 = performance.now()
  const self = selfTimes(timeline)
  const sections = criticalPath(timeline)
  // The sections of each span, found by span index (a counting sort): no map of 100,000 entries.
  const first = new Int32Array(spans.length + 1)
  for (const section of sections) first[section.span + 1]!++
  let criticalCount = 0
  for (let i = 0; i < spans.length; i++) {
    if (first[i + 1]! > 0) criticalCount++
    first[i + 1]! += first[i]!
  }
  const fill = first.slice(0, spans.length)
  const bySpan = new Int32Array(sections.length)
  sections.forEach((section, k) => (bySpan[fill[section.span]!++] = k))
  const indexOf = (spanId: string) => timeline.indexOf.get(spanId) ?? -1
  const isCritical = (spanId: string) => {
    const i = indexOf(spanId)
    return i >= 0 && first[i + 1]! > first[i]!
  }
  const stretches = (spanId: string): Array<[number, number]> => {
    const i = indexOf(spanId)
    if (i < 0) return []
    // The waterfall draws the adjusted times too, from the first adjusted start.
    const zero = timeline.firstNs
    const out: Array<[number, number]> = []
    for (let k = first[i]!; k < first[i + 1]!; k++) out.push([sections[bySpan[k]!]!.startNs - zero, sections[bySpan[k]!]!.endNs - zero])
    return out
  }
  const groups = siblingGroups(timeline, groupIds(timeline)).map((g) => {
    const parentId = g.parent < 0 ? '' : spans[g.parent]!.spanId
    return { id: `${parentId}|${g.key}`, key: g.key, name: g.name, sql: g.sql, spanIds: g.spans.map((i) => spans[i]!.spanId), totalNs: g.totalNs, maxNs: g.maxNs }
  })
  let stats: SpanStatistic[] | undefined
  const statistics = () => (stats ??= spanStatistics(timeline, self))
  return { timeline, self, groups, stats: statistics, criticalCount, isCritical, stretches, tookMs: performance.now() - t0 }
}

/**
 * The analysis of a trace (the timeline of the waterfall's tree), computed after the rows
 * have been painted (it is not needed for the first frame); undefined until the first one is
 * done. When the spans are fetched again
 * the previous result stays until the new one is ready: it is keyed by span id, so it still
 * fits the rows, and the folded groups do not flicker open and shut. While `ready` is false
 * (the panel is fetching the live trace) nothing is analysed: the spans are about to change,
 * and on a trace of 100,000 spans one analysis is worth saving.
 *
 * @example
 * ```ts
 * const analysis = useWaterfallAnalysis(tree.timeline, load.state !== 'loading')
 * ```
 */
export function useWaterfallAnalysis(timeline: TraceTimeline, ready = true): WaterfallAnalysis | undefined {
  const [analysis, setAnalysis] = useState<WaterfallAnalysis | undefined>()
  useEffect(() => {
    if (!ready) return
    const timer = setTimeout(() => setAnalysis(analyzeForWaterfall(timeline.spans, timeline)), 0)
    return () => clearTimeout(timer)
  }, [timeline, ready])
  return analysis
}

/**
 * The self time of a span (ns), once the analysis is there.
 *
 * @example
 * ```ts
 * selfTimeOf(analysis, span.spanId) // 1_250_000
 * ```
 */
export function selfTimeOf(analysis: WaterfallAnalysis | undefined, spanId: string): number | undefined {
  const i = analysis?.timeline.indexOf.get(spanId)
  return i === undefined ? undefined : analysis!.self[i]
}

/**
 * Only the rows on the critical path (they form a chain from the root, so the tree still reads).
 *
 * @example
 * ```ts
 * const shown = onlyCritical(rows, analysis)
 * ```
 */
export function onlyCritical(rows: VisibleRow[], analysis: WaterfallAnalysis): VisibleRow[] {
  return rows.filter((row) => analysis.isCritical(row.node.span.spanId))
}

/**
 * Folds each group of at least `threshold` repeated siblings into one row at the place of
 * its first span (the others and their subtrees are hidden), except the groups in
 * `expanded`. A threshold of 0 folds nothing.
 *
 * @example
 * ```ts
 * const shown = foldGroups(rows, analysis.groups, 3, new Set())
 * shown.find((r) => r.group)?.group?.spanIds.length // 3
 * ```
 */
export function foldGroups(rows: VisibleRow[], groups: FoldableGroup[], threshold: number, expanded: ReadonlySet<string>): WaterfallRow[] {
  if (!(threshold >= 2)) return rows
  const groupOf = new Map<string, FoldableGroup>()
  const leaderOf = new Map<string, FoldableGroup>()
  for (const g of groups) {
    if (g.spanIds.length < threshold) continue
    if (expanded.has(g.id)) leaderOf.set(g.spanIds[0]!, g)
    else for (const id of g.spanIds) groupOf.set(id, g)
  }
  if (groupOf.size === 0 && leaderOf.size === 0) return rows
  const out: WaterfallRow[] = []
  const shown = new Map<FoldableGroup, WaterfallRow & { spans: number }>()
  // Rows are depth first: a member's subtree is the run of deeper rows after it.
  let hideBelow = -1
  let hiding: (WaterfallRow & { spans: number }) | undefined
  for (const row of rows) {
    if (hideBelow >= 0) {
      if (row.node.depth > hideBelow) {
        hiding!.spans++
        continue
      }
      hideBelow = -1
    }
    const group = groupOf.get(row.node.span.spanId)
    if (!group) {
      const foldable = leaderOf.get(row.node.span.spanId)
      out.push(foldable ? { ...row, foldable } : row)
      continue
    }
    hideBelow = row.node.depth
    hiding = shown.get(group)
    if (hiding) {
      hiding.spans++
      continue
    }
    hiding = { node: row.node, hit: false, context: false, group, spans: 1 }
    shown.set(group, hiding)
    out.push(hiding)
  }
  return out
}
