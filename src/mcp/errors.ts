/**
 * A request's errors, counted and listed the same way by every tool, and its panels' stats
 * as the tools read them.
 */
import type { ToolbarSpan } from '../core/span-model.js'
import type { RequestDetail } from '../core/toolbar.js'
import { thrownIsAnswer, type RequestStats } from '../panels/request.js'
import { spanTarget } from '../shapes/span-label.js'
import { oneLine } from './result.js'
import { serviceOf, traceStartNs } from './trace-tree.js'

/**
 * A panel's stats in a request, or undefined when the panel is not there (or failed).
 *
 * @example
 * ```ts
 * const sql = panelStats<SqlStats>(detail, 'sql')
 * ```
 */
export function panelStats<T>(detail: RequestDetail, panelId: string): T | undefined {
  const stats = detail.panels[panelId] as (T & { error?: unknown }) | undefined
  if (!stats || typeof stats !== 'object') return undefined
  // A panel that failed answers { error: 'this panel failed: ...' } and nothing else.
  if (Object.keys(stats).length === 1 && typeof stats.error === 'string') return undefined
  return stats
}

export interface ErrorItem {
  kind: 'span' | 'exception' | 'query' | 'thrown'
  spanId?: string
  name?: string
  /** Where a CLIENT span went (`spanTarget`: its URL), as get_trace writes it beside the name. */
  target?: string
  /** The span's service (`service.name`), as get_trace writes it: which service failed. */
  service?: string
  type?: string
  message: string
  stack?: string
  /** Milliseconds from the request start (or trace start without a request). */
  atMs?: number
}

/**
 * What failed in a request (and its trace): exceptions recorded on spans, spans with status
 * ERROR and no exception, the error the handler threw unless a span already recorded it,
 * and failed queries (not also as their span's exception); each once, timed from the
 * request's start. `get_trace_errors` lists
 * these, `get_request` shows them and `list_requests` counts them.
 *
 * @example
 * ```ts
 * requestErrors(spans, detail) // [{ kind: 'exception', spanId, name: 'GET /boom', type: 'Error', message: 'kaput', atMs: 2.5 }]
 * ```
 */
export function requestErrors(spans: readonly ToolbarSpan[], detail: RequestDetail | undefined): ErrorItem[] {
  const origin = requestStartNs(spans, detail) ?? traceStartNs(spans)
  const atMs = (nanos: string) => Number(BigInt(nanos) - origin) / 1e6
  const items: ErrorItem[] = []
  for (const span of spans) {
    const exceptions = span.events.filter((e) => e.name === 'exception')
    for (const event of exceptions) {
      items.push({
        kind: 'exception',
        spanId: span.spanId,
        name: span.name,
        ...targetOf(span),
        type: stringAttr(event.attributes['exception.type']),
        message: stringAttr(event.attributes['exception.message']) ?? '',
        stack: stringAttr(event.attributes['exception.stacktrace']),
        atMs: atMs(event.timeUnixNano),
      })
    }
    if (span.status.code === 'ERROR' && exceptions.length === 0) {
      items.push({ kind: 'span', spanId: span.spanId, name: span.name, ...targetOf(span), message: span.status.message ?? statusOf(span), atMs: atMs(span.endTimeUnixNano ?? span.startTimeUnixNano) })
    }
  }
  const request = detail ? panelStats<RequestStats>(detail, 'request') : undefined
  // The thrown error is already there when the request span recorded it as an exception.
  // A 4xx HTTPException is how the app answered, as the request span says (UNSET), not a failure.
  if (request?.error && !thrownIsAnswer(request) && !items.some((i) => i.kind === 'exception' && request.error!.includes(i.message))) {
    items.push({ kind: 'thrown', message: request.error })
  }
  const sql = detail ? panelStats<{ queries: Array<{ id: number; sql: string; error: string | null; startMs: number; caller: string | null }> }>(detail, 'sql') : undefined
  for (const q of sql?.queries ?? []) {
    if (!q.error) continue
    // The query's span recorded the same failure as an exception: one failure, listed as the
    // query (its SQL and caller say more), with the span's id.
    const recorded = items.findIndex((i) => i.kind === 'exception' && i.message === q.error)
    const spanId = recorded === -1 ? undefined : items.splice(recorded, 1)[0]!.spanId
    items.push({ kind: 'query', ...(spanId && { spanId }), name: `query #${q.id}${q.caller ? ` at ${q.caller}` : ''}`, message: `${q.error} (${oneLine(q.sql)})`, atMs: q.startMs })
  }
  return items
}

/**
 * When the request started, on the clock of its queries and log lines: its SERVER span's
 * start (the panel's own span starts at the record's start, to the microsecond), else
 * `startedAt` (whole milliseconds).
 */
function requestStartNs(spans: readonly ToolbarSpan[], detail: RequestDetail | undefined): bigint | undefined {
  if (!detail) return undefined
  const root = panelStats<{ rootSpanId?: string }>(detail, 'opentelemetry')?.rootSpanId
  const span = root === undefined ? undefined : spans.find((s) => s.spanId === root)
  return span ? BigInt(span.startTimeUnixNano) : BigInt(Math.round(Date.parse(detail.startedAt) * 1e6))
}


/** Why a span without a status message failed, when its attributes say: an HTTP span's status code. */
function statusOf(span: ToolbarSpan): string {
  const code = span.attributes['http.response.status_code'] ?? span.attributes['http.status_code']
  return code === undefined ? '(no status message)' : `HTTP ${String(code)}`
}

/** `target` of a CLIENT span that says where it went, and the span's `service`, when known. */
function targetOf(span: ToolbarSpan): { target?: string; service?: string } {
  const target = spanTarget(span)
  const service = serviceOf(span)
  return { ...(target !== undefined && { target }), ...(service !== undefined && { service }) }
}

function stringAttr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
