/**
 * How requests, spans and trace summaries become table rows and back, the same for SQLite
 * and PostgreSQL. Panel stats and span attributes are JSON; nanosecond times travel as
 * bigint (they do not fit a double) and come back as the decimal strings of the span model.
 */
import type { StoredRequest } from '../core/store.js'
import type { AttributeValue, Attributes, SpanKindName, SpanSource, ToolbarSpan, TraceSummary } from '../core/span-model.js'
import { listedTraceSummary, summarizeTrace } from '../core/trace-summary.js'

/** One queued write: a finished request, or an ended span (with the request it belongs to). */
export type StoreWrite = { request: StoredRequest } | { span: ToolbarSpan; requestId?: string }

export const REQUEST_COLUMNS = [
  'id', 'method', 'path', 'route', 'status', 'started_at', 'started_ms', 'duration_ms', 'trace_id', 'panels', 'nav', 'saved_ms', 'instance',
] as const

export const SPAN_COLUMNS = [
  'trace_id', 'span_id', 'parent_span_id', 'name', 'kind', 'start_ns', 'end_ns', 'service', 'source', 'status_code',
  'attributes', 'events', 'links', 'status', 'resource', 'scope', 'instance', 'extra',
] as const

/**
 * When a span written again replaces the stored one (both stores' upsert condition): always,
 * except for an imported copy. A file the user opens (often a download of this toolbar) does
 * not relabel as imported, or change, a span the store holds from the request or a service.
 */
export const KEEP_HELD_SPAN = "excluded.source <> 'import'"

/** Span fields stored in columns of their own; every other field goes into `extra`. */
const SPAN_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'attributes', 'events', 'links', 'status', 'resource', 'scope', 'source'])

export const TRACE_COLUMNS = [
  'trace_id', 'request_id', 'root_name', 'services', 'sources', 'span_count', 'started_ms', 'duration_ms', 'error', 'saved_ms', 'opened_ms',
  'listed_started_ms', 'listed_duration_ms',
] as const

/** Trace columns a later write leaves as they are: `saved_ms` is when the trace was first stored. */
export const TRACE_KEPT = ['saved_ms']

/**
 * Trace columns a later write may only make earlier: `opened_ms`, when the trace started for
 * the toolbar, which decides what goes first over `maxTraces` and `maxAgeMs` (as in memory):
 * a recorded request's trace by the request's start, whenever its spans are written; a trace
 * the toolbar did not record (received, imported) by when it was first stored (an imported
 * trace from last week is new to the store). Spans of a service that arrive before their
 * request's are written leave the request's start as the trace's.
 */
export const TRACE_EARLIEST = ['opened_ms']

/** What a second write of a row may change (both stores' upsert): `kept` columns stay, `earliest` ones only go down, and only when `where` holds. */
export interface UpsertRule {
  kept?: readonly string[]
  earliest?: readonly string[]
  where?: string
}

export type RequestRow = Record<(typeof REQUEST_COLUMNS)[number], unknown>
export type SpanRow = Record<(typeof SPAN_COLUMNS)[number], unknown>
export type TraceRow = Record<(typeof TRACE_COLUMNS)[number], unknown>

/** What a trace summary is computed from: the light columns of its spans. */
export interface SpanOutline {
  span_id: string
  parent_span_id: string | null
  name: string
  start_ns: bigint | string | number
  end_ns: bigint | string | number | null
  service: string | null
  source: string
  status_code: string
}

/** How a JSON column's value is bound: a string for SQLite, the value itself for PostgreSQL. */
type Json = (value: unknown) => unknown

export function requestRow(request: StoredRequest, instance: string, json: Json): RequestRow {
  return {
    id: request.id,
    method: request.method,
    path: request.path,
    route: request.route ?? null,
    status: request.status ?? null,
    started_at: request.startedAt,
    started_ms: Date.parse(request.startedAt),
    duration_ms: request.durationMs ?? null,
    trace_id: request.traceId ?? null,
    panels: json(request.panels),
    nav: json(request.nav),
    saved_ms: savedNow(),
    instance: request.instance ?? instance,
  }
}

export function requestFromRow(row: Record<string, unknown>): StoredRequest {
  const request: StoredRequest = {
    ...summaryFromRow(row),
    panels: parsed(row.panels) as StoredRequest['panels'],
    nav: parsed(row.nav) as StoredRequest['nav'],
  }
  return request
}

/** The history line of a row (no panel stats). */
export function summaryFromRow(row: Record<string, unknown>): StoredRequest {
  const request = {
    id: row.id as string,
    method: row.method as string,
    path: row.path as string,
    route: (row.route as string | null) ?? undefined,
    status: row.status === null ? undefined : Number(row.status),
    startedAt: row.started_at as string,
    durationMs: row.duration_ms === null ? undefined : Number(row.duration_ms),
    traceId: (row.trace_id as string | null) ?? undefined,
  } as StoredRequest
  if (row.instance !== null && row.instance !== undefined) request.instance = row.instance as string
  return request
}

export function spanRow(span: ToolbarSpan, instance: string, json: Json): SpanRow {
  const service = span.resource['service.name']
  return {
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId ?? null,
    name: span.name,
    kind: span.kind,
    start_ns: BigInt(span.startTimeUnixNano),
    end_ns: span.endTimeUnixNano === undefined ? null : BigInt(span.endTimeUnixNano),
    service: typeof service === 'string' ? service : null,
    source: span.source,
    status_code: span.status.code,
    attributes: json(storedAttributes(span.attributes)),
    events: json(span.events.some((event) => hasNonFinite(event.attributes)) ? span.events.map((event) => ({ ...event, attributes: storedAttributes(event.attributes) })) : span.events),
    links: json(span.links.some((link) => hasNonFinite(link.attributes)) ? span.links.map((link) => ({ ...link, attributes: storedAttributes(link.attributes) })) : span.links),
    status: json(span.status),
    resource: json(storedAttributes(span.resource)),
    scope: json(span.scope),
    instance,
    extra: extraFields(span, json),
  }
}

/** The optional fields of the span model (tracestate, flags, dropped counts, and any added later), or null. */
function extraFields(span: ToolbarSpan, json: Json): unknown {
  const extra = Object.fromEntries(Object.entries(span).filter(([key, value]) => !SPAN_FIELDS.has(key) && value !== undefined))
  return Object.keys(extra).length ? json(extra) : null
}

export function spanFromRow(row: Record<string, unknown>): ToolbarSpan {
  const span: ToolbarSpan = {
    traceId: row.trace_id as string,
    spanId: row.span_id as string,
    parentSpanId: (row.parent_span_id as string | null) ?? undefined,
    name: row.name as string,
    kind: row.kind as SpanKindName,
    startTimeUnixNano: String(row.start_ns),
    endTimeUnixNano: row.end_ns === null ? undefined : String(row.end_ns),
    attributes: readAttributes(parsed(row.attributes) as Attributes),
    events: (parsed(row.events) as ToolbarSpan['events']).map((event) => withReadAttributes(event)),
    links: (parsed(row.links) as ToolbarSpan['links']).map((link) => withReadAttributes(link)),
    status: parsed(row.status) as ToolbarSpan['status'],
    resource: readAttributes(parsed(row.resource) as Attributes),
    scope: parsed(row.scope) as ToolbarSpan['scope'],
    source: row.source as SpanSource,
  }
  return row.extra === null || row.extra === undefined ? span : { ...span, ...(parsed(row.extra) as Partial<ToolbarSpan>) }
}

/** The columns a trace's span outlines are read with, in the order the trace lists its spans. */
export const OUTLINE_COLUMNS = 'span_id, parent_span_id, name, start_ns, end_ns, service, source, status_code'

/**
 * The trace list line of a trace, from all of its stored spans in the order the trace lists
 * them (`ORDER BY start_ns, seq`: services and sources in order of first appearance),
 * computed as every other store computes it (`summarizeTrace`), plus the sources the list
 * filters on, and the start and duration the list shows, filters and orders by
 * (`listedTraceSummary`: as the waterfall draws the trace, after the clock-skew adjustment
 * for a trace of several services).
 */
export function traceRow(traceId: string, spans: SpanOutline[], requestId: string | undefined, recordedStartMs?: number): TraceRow {
  const outlines = spans.map(outlineSpan)
  const summary = summarizeTrace(traceId, outlines, requestId)
  const sources = [...new Set(spans.map((s) => s.source))]
  const saved = savedNow()
  return {
    trace_id: traceId,
    request_id: requestId ?? null,
    root_name: summary.rootName,
    services: summary.services,
    sources,
    span_count: summary.spanCount,
    started_ms: Date.parse(summary.startedAt),
    duration_ms: summary.durationMs,
    error: summary.error,
    saved_ms: saved,
    opened_ms: recordedStartMs ?? saved,
    ...listedColumns(summary, outlines),
  }
}

/**
 * The listed start and duration of a trace stored before they had columns (schema version
 * 7), from its span outlines.
 *
 * @example
 * ```ts
 * update.run({ trace_id: traceId, ...listedTimes(traceId, outlines) })
 * ```
 */
export function listedTimes(traceId: string, spans: SpanOutline[]): { listed_started_ms: number; listed_duration_ms: number } {
  const outlines = spans.map(outlineSpan)
  return listedColumns(summarizeTrace(traceId, outlines), outlines)
}

function listedColumns(summary: TraceSummary, outlines: ToolbarSpan[]): { listed_started_ms: number; listed_duration_ms: number } {
  const listed = listedTraceSummary(summary, outlines)
  return { listed_started_ms: Date.parse(listed.startedAt), listed_duration_ms: listed.durationMs }
}

/** A span outline as the span model has it, with what a summary and the timeline read. */
function outlineSpan(s: SpanOutline): ToolbarSpan {
  return {
    spanId: s.span_id,
    parentSpanId: s.parent_span_id ?? undefined,
    name: s.name,
    startTimeUnixNano: String(s.start_ns),
    endTimeUnixNano: s.end_ns === null ? undefined : String(s.end_ns),
    status: { code: s.status_code },
    resource: s.service === null ? {} : { 'service.name': s.service },
  } as ToolbarSpan
}

/**
 * The start (epoch ms) of each trace's spans that a toolbar recorded for its request (source
 * `local`, written with the request's id), the earliest of them: the request's start, which
 * is the trace's place over the bounds (`TRACE_EARLIEST`). A service's spans joining the
 * trace do not count (their clock may be behind). Traces with no such span are not in the map.
 *
 * @example
 * ```ts
 * recordedStarts([{ span, requestId: 'req-1' }]).get(span.traceId) // 1767225600001.000123
 * ```
 */
export function recordedStarts(spans: ReadonlyArray<{ span: ToolbarSpan; requestId?: string }>): Map<string, number> {
  const starts = new Map<string, bigint>()
  for (const { span, requestId } of spans) {
    if (requestId === undefined || span.source !== 'local') continue
    const start = BigInt(span.startTimeUnixNano)
    const known = starts.get(span.traceId)
    if (known === undefined || start < known) starts.set(span.traceId, start)
  }
  return new Map([...starts].map(([traceId, ns]) => [traceId, Number(ns / 1000n) / 1000]))
}

export function traceFromRow(row: Record<string, unknown>): TraceSummary {
  const summary: TraceSummary = {
    traceId: row.trace_id as string,
    rootName: row.root_name as string,
    services: parsed(row.services) as string[],
    spanCount: Number(row.span_count),
    // NULL only in a line an older release still running wrote after the migration: as received.
    startedAt: new Date(Number(row.listed_started_ms ?? row.started_ms)).toISOString(),
    durationMs: Number(row.listed_duration_ms ?? row.duration_ms),
    error: Boolean(row.error),
  }
  if (row.request_id !== null && row.request_id !== undefined) summary.requestId = row.request_id as string
  return summary
}

/**
 * The last write of each key wins: one batch may carry the same request or span twice
 * (a retry), and an upsert cannot touch one row twice in a statement.
 */
export function lastOfEach<T>(items: T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()]
}

let lastSaved = 0

/**
 * Now in ms, a little later at each call in this process: the rows of one batch, written
 * within the same millisecond, keep the order they were saved in (the list's order among
 * requests that started together, and which trace goes first over `maxTraces`). A double
 * near 1.8e12 still tells apart a thousandth of a millisecond.
 */
function savedNow(): number {
  lastSaved = Math.max(Date.now(), lastSaved + 0.001)
  return lastSaved
}

function parsed(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value
}

// JSON has no NaN or infinities (JSON.stringify writes null, and a span computed 0 / 0 read
// back `null` after a restart): such a number is stored as `{ "double": "NaN" }`. An attribute
// value is never an object (nested values are JSON text), so it reads back unambiguously.
const NON_FINITE = 'double'

function isNonFinite(value: unknown): boolean {
  return typeof value === 'number' && !Number.isFinite(value)
}

function hasNonFinite(attributes: Attributes): boolean {
  for (const key in attributes) {
    const value = attributes[key]
    if (isNonFinite(value) || (Array.isArray(value) && value.some(isNonFinite))) return true
  }
  return false
}

/** The attributes as stored: a copy only when one holds NaN or an infinity. */
function storedAttributes(attributes: Attributes): unknown {
  if (!hasNonFinite(attributes)) return attributes
  const encode = (value: unknown) => (isNonFinite(value) ? { [NON_FINITE]: String(value) } : value)
  return Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, Array.isArray(value) ? value.map(encode) : encode(value)]))
}

function readAttributes(attributes: Attributes): Attributes {
  const decode = (value: unknown) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? Number((value as Record<string, string>)[NON_FINITE]) : value)
  for (const key in attributes) {
    const value = attributes[key] as unknown
    if (Array.isArray(value) ? value.some((item) => item !== null && typeof item === 'object') : value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, (Array.isArray(v) ? v.map(decode) : decode(v)) as AttributeValue]))
    }
  }
  return attributes
}

function withReadAttributes<T extends { attributes: Attributes }>(item: T): T {
  const attributes = readAttributes(item.attributes)
  return attributes === item.attributes ? item : { ...item, attributes }
}
