/**
 * The database queries of the services a request called, read from its trace when an answer
 * is asked for (nothing is counted while requests are recorded). The app's own queries are
 * the SQL panel's and its spans are local: only spans other services sent are counted here.
 */
import { dbSystemOf, sqlShapes, sqlTextOf } from '../core/trace-analysis/sql-shape.js'
import type { ToolbarSpan } from '../core/span-model.js'
import { durationNs, serviceOf } from './trace-tree.js'

/** One downstream service's database spans in a request's trace. */
export interface DownstreamQueries {
  service: string
  count: number
  totalMs: number
  /** The statement shape it ran most often, when it ran one more than once (the N+1 pattern). */
  repeated?: { sql: string; count: number; totalMs: number }
}

/** Named for a span without a `service.name`. */
const UNNAMED = 'unknown service'

function isQuery(span: ToolbarSpan): boolean {
  return sqlTextOf(span) !== undefined || dbSystemOf(span) !== undefined
}

/**
 * Per downstream service, the database spans of a request's trace: spans received from other
 * services (OTLP, Zipkin) whose `service.name` is not the app's own, in the order of the trace's spans.
 *
 * @example
 * ```ts
 * downstreamQueries(await ctx.data.requestSpans(detail))
 * // [{ service: 'inventory', count: 3, totalMs: 12.4, repeated: { sql: 'SELECT qty FROM stock WHERE sku = ?', count: 3, totalMs: 12.4 } }]
 * ```
 */
export function downstreamQueries(spans: readonly ToolbarSpan[]): DownstreamQueries[] {
  const local = new Set(spans.filter((s) => s.source === 'local').map(serviceOf))
  const byService = new Map<string, { count: number; totalMs: number; shapes: Map<string, { sql: string; count: number; totalMs: number }> }>()
  // The N+1 pattern repeats one text: each distinct text is shaped once.
  const shapeOf = sqlShapes()
  for (const span of spans) {
    if (span.source === 'local' || local.has(serviceOf(span)) || !isQuery(span)) continue
    const service = serviceOf(span) ?? UNNAMED
    const entry = byService.get(service) ?? { count: 0, totalMs: 0, shapes: new Map() }
    byService.set(service, entry)
    const took = Number(durationNs(span) ?? 0n) / 1e6
    entry.count++
    entry.totalMs += took
    const text = sqlTextOf(span)
    if (text === undefined) continue
    const shape = shapeOf(text, dbSystemOf(span))
    const same = entry.shapes.get(shape) ?? { sql: text, count: 0, totalMs: 0 }
    entry.shapes.set(shape, same)
    same.count++
    same.totalMs += took
  }
  return [...byService].map(([service, { count, totalMs, shapes }]) => {
    const most = [...shapes.values()].sort((a, b) => b.count - a.count)[0]
    return { service, count, totalMs, ...(most && most.count > 1 ? { repeated: most } : {}) }
  })
}
