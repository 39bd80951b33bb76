/**
 * The trace analysis API under the toolbar's prefix:
 * - `GET /api/traces/:traceId/analysis`: critical path, self times, repeated-sibling groups, statistics;
 * - `GET /api/traces/:a/compare/:b`: what changed from trace a to trace b;
 * - `POST /api/traces/import`: an OTLP/JSON file becomes traces of the list (`source: 'import'`).
 * The analyses are the pure functions of `src/core/trace-analysis`, which the waterfall runs too.
 */
import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ToolbarHost } from '../core/host.js'
import { analyzeTrace, compareTraces, traceTimeline } from '../core/trace-analysis/index.js'
import { ImportBodyError, IMPORT_MAX_BYTES, readImportJson } from './import-body.js'
import { OtlpDecodeError, toolbarSpansFromOtlp } from './otlp-json.js'
import type { ToolbarSpan } from './span-model.js'
import type { TraceStore } from './trace-store.js'

export interface AnalysisRouteOptions {
  /** Spans kept per imported trace (the panel's `maxSpansPerTrace`); the rest are counted as dropped. */
  maxSpans: number
  /** Largest import body in bytes (default 64 MiB). */
  maxImportBytes?: number
}

/** What `POST /api/traces/import` answers. */
export interface ImportAnswer {
  traceIds: string[]
  /** Spans stored. */
  spans: number
  /** Spans over `maxSpansPerTrace`, not stored. */
  dropped: number
}

const TRACE_ID = /^[0-9a-f]{32}$/

/**
 * Registers the analysis, comparison and import routes.
 *
 * @example
 * ```ts
 * // in the OpenTelemetry panel's setup(host):
 * registerAnalysisRoutes(host, processor.traces, { maxSpans: config.maxSpansPerTrace })
 * ```
 */
export function registerAnalysisRoutes(host: ToolbarHost, traces: TraceStore, options: AnalysisRouteOptions): void {
  const maxBytes = options.maxImportBytes ?? IMPORT_MAX_BYTES

  const spansOf = async (raw: string): Promise<{ spans: ToolbarSpan[] } | { error: string; status: 400 | 404 }> => {
    const traceId = raw.toLowerCase()
    if (!TRACE_ID.test(traceId) || /^0+$/.test(traceId)) return { error: `"${raw}" is not a trace id (32 hexadecimal characters, not all zero)`, status: 400 }
    const spans = traces.spans(traceId) ?? (await host.store.getTrace?.(traceId))
    return spans ? { spans } : { error: `no trace with id "${traceId}"`, status: 404 }
  }

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

  host.routes.post(
    '/api/traces/import',
    bodyLimit({ maxSize: maxBytes, onError: (c) => c.json({ error: `the body is larger than ${maxBytes} bytes` }, 413) }),
    async function importTraces(c: Context) {
      let spans: ToolbarSpan[]
      try {
        spans = toolbarSpansFromOtlp(await readImportJson(c, maxBytes), 'import')
      } catch (error) {
        if (error instanceof ImportBodyError) return c.json({ error: error.message }, error.status)
        if (error instanceof OtlpDecodeError) return c.json({ error: `not an OTLP/JSON ExportTraceServiceRequest: ${error.message}` }, 400)
        throw error
      }
      if (spans.length === 0) return c.json({ error: 'the file holds no spans' }, 400)
      const answer = await storeImported(host, traces, spans, options.maxSpans)
      return c.json(answer)
    },
  )
}

/** Adds imported spans as traces of their own; a trace the toolbar already holds is left as it is. */
async function storeImported(host: ToolbarHost, traces: TraceStore, spans: ToolbarSpan[], maxSpans: number): Promise<ImportAnswer> {
  const byTrace = new Map<string, ToolbarSpan[]>()
  for (const span of spans) {
    const list = byTrace.get(span.traceId)
    if (list) list.push(span)
    else byTrace.set(span.traceId, [span])
  }
  const answer: ImportAnswer = { traceIds: [...byTrace.keys()], spans: 0, dropped: 0 }
  for (const [traceId, list] of byTrace) {
    if (traces.has(traceId)) continue
    // No grace period: an imported trace is complete, nothing joins it later.
    traces.open(traceId, { maxSpans, gracePeriodMs: 0 })
    for (const span of list) {
      const outcome = traces.add(span)
      if (outcome === 'dropped') answer.dropped++
      else answer.spans++
    }
    traces.finish(traceId)
    await host.store.saveSpans?.(list.slice(0, maxSpans))
    const root = list.find((span) => !span.parentSpanId) ?? list[0]!
    host.events.emit({ type: 'trace.completed', data: { traceId, name: root.name, spanCount: Math.min(list.length, maxSpans), source: 'import' } })
  }
  return answer
}
