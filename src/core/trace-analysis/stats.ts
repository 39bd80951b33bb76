/**
 * Trace statistics, like Jaeger's "Trace Statistics" view: per service and span name, how
 * many spans, their total and self time, and the longest.
 */
import type { TraceTimeline } from './timeline.js'

/** One line of the statistics (ns). */
export interface SpanStatistic {
  service: string
  name: string
  count: number
  totalNs: number
  selfNs: number
  maxNs: number
}

/**
 * Statistics per service and span name, by total time (longest first).
 *
 * @example
 * ```ts
 * const timeline = traceTimeline(spans)
 * spanStatistics(timeline, selfTimes(timeline))[0] // { service: 'demo-basic', name: 'GET /users/:id', count: 1, ... }
 * ```
 */
export function spanStatistics(timeline: TraceTimeline, self: Float64Array): SpanStatistic[] {
  const rows = new Map<string, SpanStatistic>()
  for (let i = 0; i < timeline.spans.length; i++) {
    const service = timeline.services[timeline.service[i]!]!
    const name = timeline.spans[i]!.name
    const key = `${timeline.service[i]}\u0000${name}`
    let row = rows.get(key)
    if (!row) rows.set(key, (row = { service, name, count: 0, totalNs: 0, selfNs: 0, maxNs: 0 }))
    const d = timeline.end[i]! - timeline.start[i]!
    row.count++
    row.totalNs += d
    row.selfNs += self[i]!
    if (d > row.maxNs) row.maxNs = d
  }
  return [...rows.values()].sort((a, b) => b.totalNs - a.totalNs || a.name.localeCompare(b.name))
}
