import type { ToolbarHost } from '../core/host.js'
import { otlpJsonFromToolbarSpans } from './otlp-json.js'
import type { TraceStore } from './trace-store.js'

const TRACE_ID = /^[0-9a-f]{32}$/

/**
 * The trace API under the toolbar's prefix: `GET /api/traces/:traceId` (the toolbar's span
 * form) and `GET /api/traces/:traceId/otlp` (an OTLP/JSON file). A malformed id is a 400,
 * an unknown trace a 404.
 *
 * @example
 * ```ts
 * // in a panel's setup(host):
 * registerTraceRoutes(host, toolbarSpanProcessor().traces)
 * ```
 */
export function registerTraceRoutes(host: ToolbarHost, traces: TraceStore): void {
  const find = (raw: string) => {
    const traceId = raw.toLowerCase()
    if (!TRACE_ID.test(traceId) || /^0+$/.test(traceId)) {
      return { error: `"${raw}" is not a trace id (32 hexadecimal characters, not all zero)`, status: 400 as const }
    }
    const spans = traces.spans(traceId)
    if (!spans) return { error: `no trace with id "${traceId}"`, status: 404 as const }
    return { traceId, spans }
  }

  host.routes.get('/api/traces/:traceId', (c) => {
    const found = find(c.req.param('traceId'))
    if ('error' in found) return c.json({ error: found.error }, found.status)
    return c.json({ traceId: found.traceId, spans: found.spans })
  })

  host.routes.get('/api/traces/:traceId/otlp', (c) => {
    const found = find(c.req.param('traceId'))
    if ('error' in found) return c.json({ error: found.error }, found.status)
    c.header('Content-Disposition', `attachment; filename="trace-${found.traceId}.json"`)
    return c.json(otlpJsonFromToolbarSpans(found.spans))
  })
}
