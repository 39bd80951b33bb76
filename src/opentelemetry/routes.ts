import type { ToolbarHost } from '../core/host.js'
import { StoreUnavailableError, type ToolbarStore } from '../core/store.js'
import { newestStartFirst, type ToolbarSpan, type ToolbarTrace, type TraceFilter, type TracePage, type TraceSummary } from '../core/span-model.js'
import { otlpJsonFromToolbarSpans } from './otlp-json.js'
import { MAX_SPAN_LIMIT, parsePage, parseTraceFilter } from './trace-query.js'
import type { TraceStore } from './trace-store.js'
import { mergeTraceSpans } from './store-spans.js'
import { OTLP_JSON_ROUTE } from '../shapes/trace-routes.js'
import { redactTraceSpans, redactTraceSummary } from '../core/redact-span.js'
import { withRootPath } from '../core/trace-summary.js'

const TRACE_ID = /^[0-9a-f]{32}$/

/** Where the trace routes read from. */
export interface TraceReader {
  list(filter: TraceFilter): TracePage | Promise<TracePage>
  spans(traceId: string): ToolbarSpan[] | undefined | Promise<ToolbarSpan[] | undefined>
}

/**
 * A trace as the toolbar's routes answer it, from the id written in a route's path: its
 * spans read from `reader` and redacted (`redactTraceSpans`: the app's and other services'
 * spans carry what they were given), or the 400 (not a trace id) or 404 (unknown) that
 * says why there is none.
 *
 * @example
 * ```ts
 * const found = await readShownTrace(reader, c.req.param('traceId'))
 * if ('error' in found) return c.json({ error: found.error }, found.status)
 * ```
 */
export async function readShownTrace(reader: TraceReader, raw: string): Promise<{ traceId: string; spans: ToolbarSpan[] } | { error: string; status: 400 | 404 }> {
  const traceId = raw.toLowerCase()
  if (!TRACE_ID.test(traceId) || /^0+$/.test(traceId)) return { error: `"${raw.slice(0, 64)}" is not a trace id (32 hexadecimal characters, not all zero)`, status: 400 }
  const spans = await reader.spans(traceId)
  return spans ? { traceId, spans: redactTraceSpans(spans) } : { error: `no trace with id "${traceId}"`, status: 404 }
}

/**
 * The trace routes' source: the toolbar's store when it keeps traces (`listTraces`,
 * `getTrace`: a durable store shared by several instances), else the in-memory trace
 * store. A trace is the spans of both, memory winning (running spans included).
 *
 * @example
 * ```ts
 * const reader = traceReader(host.store, toolbarSpanProcessor().traces)
 * await reader.list({ limit: 20, offset: 0 })
 * ```
 */
export function traceReader(store: ToolbarStore, traces: TraceStore): TraceReader {
  const reader: TraceReader = {
    // Both lists give start and duration as the waterfall draws them (`listedTraceSummary`), and filter and order by them.
    list: (filter) => (store.listTraces ? listWithRunning(store.listTraces.bind(store), traces, filter) : traces.list(filter)),
    spans: async (traceId) => {
      const inMemory = traces.spans(traceId)
      if (!store.getTrace) return inMemory
      // A durable store holds what other instances wrote (and this one before a restart).
      try {
        return mergeTraceSpans(await store.getTrace(traceId), inMemory)
      } catch (error) {
        // The database is down: this instance's own spans still make a waterfall (the store
        // status says what is missing). With none here, the 503 says why there is nothing.
        if (error instanceof StoreUnavailableError && inMemory) return inMemory
        throw error
      }
    },
  }
  return reader
}

/**
 * One page of a durable store's list with this process's requests still running (the store
 * gets a trace when its request finishes), as the in-memory list has them: newest start
 * first among the stored traces, on whichever page that puts them, and in the total. A
 * trace the store holds already (a request joining a stored trace) is listed once, as it
 * runs: the store pages without it.
 *
 * Exact with one query: a page starting at `offset` holds at most `running.length` running
 * traces, so the stored traces it can hold start at `offset - running.length` at the
 * earliest. Merged with every running trace, the stored traces read from there keep their
 * places, and a running trace placed before the first of them is before `offset` too.
 */
async function listWithRunning(listStored: (filter: TraceFilter) => TracePage | Promise<TracePage>, traces: TraceStore, filter: TraceFilter): Promise<TracePage> {
  const running = traces.runningRequests(filter)
  if (running.length === 0) return withDroppedCounts(await listStored(filter), traces)
  const from = Math.max(0, filter.offset - running.length)
  const excludeTraceIds = running.map((summary) => summary.traceId)
  const stored = await listStored({ ...filter, excludeTraceIds, offset: from, limit: filter.limit + filter.offset - from })
  const runningIds = new Set(excludeTraceIds)
  // A store that does not know `excludeTraceIds` (one an app wrote) still lists each trace once.
  const window = withDroppedCounts(stored, traces).traces.filter((summary) => !runningIds.has(summary.traceId))
  const merged = mergeNewestFirst(running, window)
  const start = filter.offset - from
  return { ...stored, traces: merged.slice(start, start + filter.limit), total: stored.total + running.length }
}

/** Two lists newest start first, merged; on a tie the running trace first (it is saved last). */
function mergeNewestFirst(running: TraceSummary[], stored: TraceSummary[]): TraceSummary[] {
  const merged: TraceSummary[] = []
  let r = 0
  let s = 0
  while (r < running.length || s < stored.length) {
    const takeRunning = s === stored.length || (r < running.length && newestStartFirst(running[r], stored[s]) <= 0)
    merged.push(takeRunning ? running[r++] : stored[s++])
  }
  return merged
}

/**
 * Adds what this process counted as dropped to a page a durable store listed: the database
 * keeps spans, not how many were refused, so a trace this process no longer holds says
 * nothing (rather than a 0 nobody counted).
 */
function withDroppedCounts(page: TracePage, traces: TraceStore): TracePage {
  const counted = (summary: TraceSummary): TraceSummary => {
    const dropped = traces.counts(summary.traceId).dropped
    return dropped > 0 ? { ...summary, droppedSpans: dropped } : summary
  }
  return { ...page, traces: page.traces.map(counted) }
}

/**
 * The trace API under the toolbar's prefix: the trace list `GET /api/traces` (filters
 * `service`, `source`, `since`, `until`, `minDurationMs`; `limit` at most 200, `offset`),
 * `GET /api/traces/:traceId` (the toolbar's span form), `GET /api/traces/:traceId/spans`
 * (pages of at most 500 spans in start order) and `GET /api/traces/:traceId/otlp` (an
 * OTLP/JSON file). A bad parameter or id is a 400 naming it, an unknown trace a 404.
 *
 * @example
 * ```ts
 * // in a panel's setup(host):
 * registerTraceRoutes(host, toolbarSpanProcessor().traces)
 * ```
 */
export function registerTraceRoutes(host: ToolbarHost, traces: TraceStore): void {
  const reader = traceReader(host.store, traces)
  const find = async (raw: string) => {
    const found = await readShownTrace(reader, raw)
    if ('error' in found) return found
    // Counted in memory only: absent when nothing was dropped, or this process never held the trace.
    const dropped = traces.counts(found.traceId).dropped
    const trace: ToolbarTrace = dropped > 0 ? { ...found, droppedSpans: dropped } : found
    return trace
  }

  host.routes.get('/api/traces', async (c) => {
    const filter = parseTraceFilter((name) => c.req.query(name))
    if (typeof filter === 'string') return c.json({ error: filter }, 400)
    const page = await reader.list(filter)
    // A 404's trace reads `GET /nope`, as the History names its request: only such a trace's spans are read.
    const shown = async (traceId: string) => {
      const spans = await reader.spans(traceId)
      return spans && redactTraceSpans(spans)
    }
    const traces = await Promise.all(page.traces.map((summary) => withRootPath(redactTraceSummary(summary), shown)))
    return c.json({ ...page, traces })
  })

  host.routes.get('/api/traces/:traceId', async (c) => {
    const found = await find(c.req.param('traceId'))
    if ('error' in found) return c.json({ error: found.error }, found.status)
    return c.json(found)
  })

  host.routes.get('/api/traces/:traceId/spans', async (c) => {
    const page = parsePage((name) => c.req.query(name), 100, MAX_SPAN_LIMIT)
    if (typeof page === 'string') return c.json({ error: page }, 400)
    const found = await find(c.req.param('traceId'))
    if ('error' in found) return c.json({ error: found.error }, found.status)
    const spans = found.spans.slice(page.offset, page.offset + page.limit)
    return c.json({ ...found, spans, total: found.spans.length })
  })

  host.routes.get(OTLP_JSON_ROUTE, async (c) => {
    const found = await find(c.req.param('traceId'))
    if ('error' in found) return c.json({ error: found.error }, found.status)
    c.header('Content-Disposition', `attachment; filename="trace-${found.traceId}.json"`)
    return c.json(otlpJsonFromToolbarSpans(found.spans))
  })
}
