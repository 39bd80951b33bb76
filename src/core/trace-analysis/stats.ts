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
  // One map of names per service: no key string to build per span.
  const byService = timeline.services.map(() => new Map<string, SpanStatistic>())
  const rows: SpanStatistic[] = []
  for (let i = 0; i < timeline.spans.length; i++) {
    const name = timeline.spans[i]!.name
    const names = byService[timeline.service[i]!]!
    let row = names.get(name)
    if (!row) {
      row = { service: timeline.services[timeline.service[i]!]!, name, count: 0, totalNs: 0, selfNs: 0, maxNs: 0 }
      names.set(name, row)
      rows.push(row)
    }
    const d = timeline.end[i]! - timeline.start[i]!
    row.count++
    row.totalNs += d
    row.selfNs += self[i]!
    if (d > row.maxNs) row.maxNs = d
  }
  return rows.sort((a, b) => b.totalNs - a.totalNs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}
