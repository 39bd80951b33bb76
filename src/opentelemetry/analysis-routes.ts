/**
 * The trace analysis API under the toolbar's prefix:
 * - `GET /api/traces/:traceId/analysis`: critical path, self times, repeated-sibling groups, statistics;
 * - `GET /api/traces/:a/compare/:b`: what changed from trace a to trace b.
 * The analyses are the pure functions of `src/core/trace-analysis`, which the waterfall runs
 * too; the spans come from where the trace routes read them (memory, else the durable store).
 */
import type { ToolbarHost } from '../core/host.js'
import { analyzeTrace, compareTraces, traceTimeline } from '../core/trace-analysis/index.js'
import { readShownTrace, traceReader } from './routes.js'
import type { TraceStore } from './trace-store.js'

/**
 * Registers the analysis and comparison routes.
 *
 * @example
 * ```ts
 * // in the OpenTelemetry panel's setup(host):
 * registerAnalysisRoutes(host, processor.traces)
 * ```
 */
export function registerAnalysisRoutes(host: ToolbarHost, traces: TraceStore): void {
  const reader = traceReader(host.store, traces)
  // Group and statistic names are span names: redacted as the trace routes show them.
  const spansOf = (raw: string) => readShownTrace(reader, raw)

  host.routes.get('/api/traces/:traceId/analysis', async (c) => {
    const found = await spansOf(c.req.param('traceId'))
    if ('error' in found) return c.json({ error: found.error }, found.status)
    return c.json(analyzeTrace(found.spans))
  })

  host.routes.get('/api/traces/:a/compare/:b', async (c) => {
    const a = await spansOf(c.req.param('a'))
    if ('error' in a) return c.json({ error: a.error }, a.status)
    const b = await spansOf(c.req.param('b'))
    if ('error' in b) return c.json({ error: b.error }, b.status)
    return c.json(compareTraces(traceTimeline(a.spans), traceTimeline(b.spans)))
  })
}
