import type { Hono } from 'hono'
import type { ToolbarSpan } from '../../src/core/span-model.js'
import type { OpenTelemetryStats } from '../../src/opentelemetry/panel.js'
import { clientEnv } from './local.js'

/** The OpenTelemetry panel's stats with the spans of its trace, as the view shows them. */
export type StatsWithSpans = OpenTelemetryStats & { spans: ToolbarSpan[] }

/**
 * Adds the trace's spans to the panel's stats, fetched from `{prefix}/api/traces/:traceId`
 * the way the panel's view does (the stats hold only counts). A trace the toolbar does not
 * hold has no spans.
 */
export async function withSpans(fetchJson: Hono<any, any, any> | string, stats: OpenTelemetryStats, prefix = '/_debug_toolbar'): Promise<StatsWithSpans> {
  if (!stats.traceId) return { ...stats, spans: [] }
  const path = `${prefix}/api/traces/${stats.traceId}`
  const res = typeof fetchJson === 'string' ? await fetch(`${fetchJson}${path}`) : await fetchJson.request(path, undefined, clientEnv())
  if (res.status === 404) return { ...stats, spans: [] }
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`)
  return { ...stats, spans: ((await res.json()) as { spans: ToolbarSpan[] }).spans }
}
