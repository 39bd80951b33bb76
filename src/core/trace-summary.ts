/**
 * One line of the trace list, computed from a trace's spans, and the filter of
 * `GET {prefix}/api/traces`. Here in core, beside the span model, because every store
 * (in memory, SQLite, PostgreSQL) uses the same functions, so that all of them list
 * and filter traces alike; it depends on no OpenTelemetry package.
 */
import type { ToolbarSpan, TraceFilter, TraceSummary } from './span-model.js'
import { adjustedStartUnixNano, traceTimeline } from './trace-analysis/timeline.js'
import { unroutedPath } from '../shapes/span-label.js'

/**
 * The span a trace is named after: the one without a parent in this trace (the earliest if
 * several), else the earliest span. `ids`: the trace's span ids, when the caller has them.
 *
 * @example
 * ```ts
 * traceRoot(spans)?.name // 'GET /users/:id'
 * ```
 */
export function traceRoot(spans: readonly ToolbarSpan[], ids: ReadonlySet<string> = new Set(spans.map((span) => span.spanId))): ToolbarSpan | undefined {
  let root: ToolbarSpan | undefined
  let earliest: ToolbarSpan | undefined
  for (const span of spans) {
    if (!earliest || BigInt(span.startTimeUnixNano) < BigInt(earliest.startTimeUnixNano)) earliest = span
    if (isTraceRoot(span, ids) && (!root || BigInt(span.startTimeUnixNano) < BigInt(root.startTimeUnixNano))) root = span
  }
  return root ?? earliest
}

/** Whether `span` has no parent among the trace's spans (`ids`). */
function isTraceRoot(span: ToolbarSpan, ids: ReadonlySet<string>): boolean {
  return !span.parentSpanId || !ids.has(span.parentSpanId)
}

/** A root name that may be a method alone (`GET`, `HTTP`): only such a trace's spans are read. */
const BARE_NAME = /^[A-Z]+$/

/**
 * `summary` with `rootPath` when its root is a SERVER span named by its method alone (a
 * request no route matched, `GET`), so that it reads `GET /nope` as the request list names
 * its request (`unroutedPath`). Read when listed, from `spans` (the trace's spans as the
 * caller shows them): a trace list keeps the span's name only, and nothing is kept per
 * request. The trace list route, list_traces and the `toolbar://traces` resources name a
 * trace this way.
 *
 * @example
 * ```ts
 * const listed = await withRootPath(summary, (traceId) => reader.spans(traceId)) // { ...summary, rootName: 'GET', rootPath: '/nope' }
 * ```
 */
export async function withRootPath<T extends TraceSummary>(
  summary: T,
  spans: (traceId: string) => readonly ToolbarSpan[] | undefined | Promise<readonly ToolbarSpan[] | undefined>,
): Promise<T & { rootPath?: string }> {
  if (!BARE_NAME.test(summary.rootName)) return summary
  const root = traceRoot((await spans(summary.traceId)) ?? [])
  const path = root && root.name === summary.rootName ? unroutedPath(root) : undefined
  return path === undefined ? summary : { ...summary, rootPath: path }
}

/**
 * Summarises a trace: its root span's name, its services in order of first appearance,
 * its extent from the earliest start to the latest end, whether any span failed, and
 * whether a root span is still running (computed here, when a list is read, from the
 * spans' ends: nothing is kept per request).
 *
 * @example
 * ```ts
 * const summary = summarizeTrace(traceId, spans, record.id)
 * summary.services // ['shop', 'inventory']
 * ```
 */
export function summarizeTrace(traceId: string, spans: readonly ToolbarSpan[], requestId?: string): TraceSummary {
  const ids = new Set(spans.map((span) => span.spanId))
  const services: string[] = []
  let start: bigint | undefined
  let end: bigint | undefined
  let error = false
  let running = false
  for (const span of spans) {
    const service = serviceName(span)
    if (!services.includes(service)) services.push(service)
    const spanStart = BigInt(span.startTimeUnixNano)
    const spanEnd = span.endTimeUnixNano === undefined ? spanStart : BigInt(span.endTimeUnixNano)
    if (start === undefined || spanStart < start) start = spanStart
    if (end === undefined || spanEnd > end) end = spanEnd
    // As get_trace and the waterfall tell it: a root without an end has not finished.
    if (!span.endTimeUnixNano && isTraceRoot(span, ids)) running = true
    if (span.status.code === 'ERROR') error = true
  }
  const summary: TraceSummary = {
    traceId,
    rootName: traceRoot(spans, ids)?.name ?? '',
    services,
    spanCount: spans.length,
    startedAt: new Date(Number((start ?? 0n) / 1_000_000n)).toISOString(),
    durationMs: Number((end ?? 0n) - (start ?? 0n)) / 1e6,
    error,
  }
  if (requestId !== undefined) summary.requestId = requestId
  if (running) summary.running = true
  return summary
}

/**
 * A trace's list line with the start and duration its waterfall draws (specs/analysis.md,
 * "Clock skew"): for a trace of several services, after the clock-skew adjustment (a
 * service's span moved into its parent); a trace of one service is never moved, and its
 * line is answered as it is, at no cost. `spans` are the spans `summary` was computed from.
 * The list filters and orders traces by these figures.
 *
 * @example
 * ```ts
 * const line = listedTraceSummary(summarizeTrace(traceId, spans), spans)
 * line.durationMs // what the waterfall's header says, in ms
 * ```
 */
export function listedTraceSummary(summary: TraceSummary, spans: readonly ToolbarSpan[]): TraceSummary {
  if (summary.services.length < 2 || spans.length === 0) return summary
  const timeline = traceTimeline(spans)
  const startedAt = new Date(Number(adjustedStartUnixNano(timeline) / 1_000_000n)).toISOString()
  return { ...summary, startedAt, durationMs: timeline.durationNs / 1e6 }
}

/**
 * Whether a trace passes the list's filter (service, source, time range, least duration).
 * `sources` are the sources of the trace's spans.
 *
 * @example
 * ```ts
 * matchesTraceFilter(summary, new Set(['otlp_http']), { limit: 50, offset: 0, service: 'inventory' })
 * ```
 */
export function matchesTraceFilter(summary: TraceSummary, sources: ReadonlySet<string> | ReadonlyArray<string>, filter: TraceFilter): boolean {
  if (filter.service !== undefined && !summary.services.includes(filter.service)) return false
  if (filter.source !== undefined && !(Array.isArray(sources) ? sources.includes(filter.source) : (sources as ReadonlySet<string>).has(filter.source))) return false
  const startedAt = Date.parse(summary.startedAt)
  if (filter.since !== undefined && startedAt < filter.since) return false
  if (filter.until !== undefined && startedAt >= filter.until) return false
  if (filter.minDurationMs !== undefined && summary.durationMs < filter.minDurationMs) return false
  if (filter.excludeTraceIds?.includes(summary.traceId)) return false
  return true
}

/**
 * The `service.name` of a span's resource, or `unknown service` (as the waterfall names it).
 *
 * @example
 * ```ts
 * serviceName(span) // 'inventory'
 * ```
 */
export function serviceName(span: ToolbarSpan): string {
  const name = span.resource['service.name']
  return typeof name === 'string' && name !== '' ? name : 'unknown service'
}
