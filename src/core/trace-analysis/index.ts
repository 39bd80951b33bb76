/**
 * Trace analysis: critical path, self time, repeated-sibling groups, statistics and the
 * comparison of two traces, over the toolbar's span model. Pure functions with no
 * dependency on OpenTelemetry: the API (`GET {prefix}/api/traces/:traceId/analysis`) and
 * the browser's waterfall run the same code.
 */
import type { ToolbarSpan } from '../span-model.js'
import { criticalPath, criticalSpans } from './critical-path.js'
import { groupIds, siblingGroups } from './groups.js'
import { nsString } from './ns-string.js'
import { selfTimes } from './self-time.js'
import { spanStatistics } from './stats.js'
import { traceTimeline } from './timeline.js'

export { traceTimeline, mainRoot, serviceName, relativeClock, adjustedStartUnixNano, type TraceTimeline } from './timeline.js'
export { criticalPath, criticalSpans, type CriticalSection } from './critical-path.js'
export { selfTimes } from './self-time.js'
export { sampledEdgeNs, PROFILE_SAMPLES_ATTRIBUTE, PROFILE_SAMPLED_SELF_ATTRIBUTE } from './sampled-spans.js'
export { groupIds, groupKeys, siblingGroups, type SiblingGroup, type GroupIds } from './groups.js'
export { spanStatistics, type SpanStatistic } from './stats.js'
export { compareTraces, type TraceComparison, type GroupDelta, type SpanChange, type PathStep } from './compare.js'
export { sqlShape, sqlTextOf } from './sql-shape.js'
export { nsString } from './ns-string.js'

/** What `GET {prefix}/api/traces/:traceId/analysis` answers (ns as decimal strings). */
export interface TraceAnalysis {
  /** Span ids on the critical path, in the order the path first reaches them. */
  criticalPath: string[]
  selfTimeNs: Record<string, string>
  groups: Array<{
    parentSpanId: string | null
    key: string
    name: string
    count: number
    spanIds: string[]
    totalNs: string
    maxNs: string
    /** Database spans grouped by SQL shape: the N+1 pattern. */
    sql: boolean
  }>
  stats: Array<{ service: string; name: string; count: number; totalNs: string; selfNs: string; maxNs: string }>
}

/**
 * The analysis of one trace, in the API's form.
 *
 * @example
 * ```ts
 * const { criticalPath, selfTimeNs, groups, stats } = analyzeTrace(trace.spans)
 * ```
 */
export function analyzeTrace(spans: readonly ToolbarSpan[]): TraceAnalysis {
  const timeline = traceTimeline(spans)
  const self = selfTimes(timeline)
  const selfTimeNs: Record<string, string> = {}
  for (let i = 0; i < spans.length; i++) selfTimeNs[spans[i]!.spanId] ??= nsString(self[i]!)
  return {
    criticalPath: criticalSpans(criticalPath(timeline)).map((i) => spans[i]!.spanId),
    selfTimeNs,
    groups: siblingGroups(timeline, groupIds(timeline)).map((g) => ({
      parentSpanId: g.parent < 0 ? null : spans[g.parent]!.spanId,
      key: g.key,
      name: g.name,
      count: g.spans.length,
      spanIds: g.spans.map((i) => spans[i]!.spanId),
      totalNs: nsString(g.totalNs),
      maxNs: nsString(g.maxNs),
      sql: g.sql,
    })),
    stats: spanStatistics(timeline, self).map((s) => ({
      service: s.service,
      name: s.name,
      count: s.count,
      totalNs: nsString(s.totalNs),
      selfNs: nsString(s.selfNs),
      maxNs: nsString(s.maxNs),
    })),
  }
}
