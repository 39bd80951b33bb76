import type { Hono } from 'hono'
import type { RequestDetail } from '../core/toolbar.js'
import { withDropped, type RequestSummary, type ToolbarStore } from '../core/store.js'
import type { ToolbarSpan, TraceFilter, TracePage } from '../core/span-model.js'
import type { TraceLinks, TraceSource } from '../core/trace-source.js'
import type { LoggingStats } from '../panels/logging.js'
import type { SqlStats } from '../panels/sql.js'
import { panelStats, requestErrors } from './errors.js'
import { redactValue, routeSecrets, scrubValues } from './redact.js'
import { counted, ToolError } from './result.js'

export { panelStats } from './errors.js'

/** What the MCP server reads from a toolbar: only its public reading methods. */
export interface McpToolbar {
  readonly prefix: string
  readonly store: ToolbarStore
  readonly routes: Hono
  readonly traceSource?: TraceSource | undefined
  detail(id: string): Promise<RequestDetail | undefined>
  settled?(): Promise<void>
  /** The requests still running in this process, newest first (they reach the store when they finish). */
  inFlight?(): RequestSummary[]
  /** Running requests held past the history's ring; `dropped` counts those let go of over its bound. */
  readonly outlived?: { readonly dropped: number }
  /** The toolbar's panels: the instructions speak of a CPU profile only when one can be asked for. */
  readonly panels?: readonly { readonly id: string }[]
}

/** A request of the history still running: its time so far instead of a duration. */
export interface RunningRequest extends RequestSummary {
  running: true
  runningForMs: number
}

/** Most requests a tool looks through (the history is usually far smaller). */
export const MAX_SCAN = 1000
/** Rows read at a time while a tool looks through the history or the traces. */
export const SCAN_PAGE = 200

/** Counts of one request, as `list_requests` shows them. */
export interface RequestFacts {
  spans: number
  queries: number
  logs: number
  errors: number
  services: string[]
  hasError: boolean
}

/**
 * The toolbar's requests and traces as the tools read them: ids checked, unknown ids
 * answered with a message, panel stats picked by panel id.
 *
 * @example
 * ```ts
 * const data = new ToolbarData(toolbar)
 * const detail = await data.request('a1b2c3d4e5f60718')
 * ```
 */
export class ToolbarData {
  /**
   * With `redact`, every request and span is redacted as it is read, so that the text a
   * tool writes from it is clean too (the server redacts the answer again as it leaves).
   */
  constructor(
    readonly toolbar: McpToolbar,
    private readonly redact = true,
  ) {}

  private clean<T>(value: T, secrets: readonly string[] = []): T {
    return this.redact ? (redactValue(scrubValues(value, secrets)) as T) : value
  }

  /** One request with every panel's stats, or undefined when unknown. */
  async detail(id: string): Promise<RequestDetail | undefined> {
    const detail = await this.toolbar.detail(id)
    return detail && this.clean(detail, routeSecrets(detail.route, detail.path))
  }

  get prefix(): string {
    return this.toolbar.prefix
  }

  /** Whether the toolbar has the Profile panel (true when it does not list its panels). */
  get profiles(): boolean {
    return this.toolbar.panels?.some((panel) => panel.id === 'profiling') ?? true
  }

  /** Recent requests, newest first (at most 1,000), with an optional method/status filter. */
  async summaries(filter: { method?: string; status?: string } = {}): Promise<RequestSummary[]> {
    await this.toolbar.settled?.()
    const all: RequestSummary[] = []
    for (let offset = 0; offset < MAX_SCAN; offset += SCAN_PAGE) {
      const page = await this.toolbar.store.list({ limit: SCAN_PAGE, offset, ...filter })
      all.push(...page.requests)
      if (page.requests.length < SCAN_PAGE || all.length >= page.total) break
    }
    return this.redact ? all.map((row) => scrubValues(row, routeSecrets(row.route, row.path))) : all
  }

  /**
   * How many requests the history dropped over its bounds so far (`maxRequests`, a durable
   * store's `maxAgeMs`), as the History panel says it.
   *
   * @example
   * ```ts
   * const dropped = await data.droppedRequests() // 30
   * ```
   */
  async droppedRequests(): Promise<number> {
    const store = this.toolbar.store
    return withDropped(store, await store.list({ limit: 1, offset: 0 })).dropped ?? 0
  }

  /**
   * How many requests still running this process let go of, over the bound of those it holds
   * after the history's ring let go of them (`MAX_OUTLIVED`): list_requests cannot show them.
   *
   * @example
   * ```ts
   * data.runningDropped() // 2
   * ```
   */
  runningDropped(): number {
    return this.toolbar.outlived?.dropped ?? 0
  }

  /**
   * How many writes the store lost (a durable store's queue was full, or its database
   * refused them), as the History panel's store line says it; 0 for the in-memory history.
   *
   * @example
   * ```ts
   * const lost = await data.storeWritesLost() // 2
   * ```
   */
  async storeWritesLost(): Promise<number> {
    return (await this.toolbar.store.status?.())?.dropped ?? 0
  }

  /**
   * What this process did not export to the tracing UIs (see `TraceSource.unexported`), as
   * the OpenTelemetry panel's export status counts it, with a sentence saying so ('' when
   * nothing was lost).
   *
   * @example
   * ```ts
   * data.unexported() // { queueFull: 0, paused: 6, note: 'Since the app started, 6 spans were dropped while an exporter was paused after failures: …' }
   * ```
   */
  unexported(): { queueFull: number; paused: number; note: string } {
    const { queueFull = 0, paused = 0 } = this.toolbar.traceSource?.unexported?.() ?? {}
    const parts = [
      queueFull ? `${counted(queueFull, 'span was', 'spans were')} not exported (the export queue was full)` : '',
      paused ? `${counted(paused, 'span was', 'spans were')} dropped while an exporter was paused after failures` : '',
    ].filter(Boolean)
    const note = parts.length ? `Since the app started, ${parts.join('; ')}: Jaeger, Zipkin or Tempo may lack spans of this trace (the toolbar's waterfall has them all).` : ''
    return { queueFull, paused, note }
  }

  /**
   * What the receivers refused since they started (see `TraceSource.refused`).
   *
   * @example
   * ```ts
   * data.refused() // { spans: 1, exports: 1 }
   * ```
   */
  refused(): { spans: number; exports: number } {
    return this.toolbar.traceSource?.refused?.() ?? { spans: 0, exports: 0 }
  }

  /**
   * The requests still running in this process (handler not returned, or body still being
   * sent), newest first, with how long they have run (by this process's clock). None with a
   * status filter: a running request has sent no status yet.
   *
   * @example
   * ```ts
   * data.running({ method: 'GET' }) // [{ id, method: 'GET', route: '/hang/:id', running: true, runningForMs: 1200, ... }]
   * ```
   */
  running(filter: { method?: string; status?: string } = {}): RunningRequest[] {
    if (filter.status || !this.toolbar.inFlight) return []
    const now = Date.now()
    const method = filter.method?.toUpperCase()
    return this.toolbar
      .inFlight()
      .filter((row) => method === undefined || row.method === method)
      .map((row) => ({ ...(this.redact ? scrubValues(row, routeSecrets(row.route, row.path)) : row), running: true, runningForMs: Math.max(0, now - Date.parse(row.startedAt)) }))
  }

  /** One request with every panel's stats; an error result when the id is unknown. */
  async request(id: string): Promise<RequestDetail> {
    const detail = await this.detail(id)
    if (detail) return detail
    // The trace store keeps more than the history (maxTraces): the request's trace may still be there.
    const traceId = await this.keptTraceOf(id)
    if (traceId) throw new ToolError(`no request with id "${id}": it is no longer in the history (maxRequests), but its trace ${traceId} is still kept: get_trace with trace_id "${traceId}" shows it`)
    throw new ToolError(`no request with id "${id}": it is not (or no longer) in the history; list_requests shows the ids`)
  }

  /** The id of the kept trace that request `requestId` recorded, looked for among the newest `MAX_SCAN` traces. */
  private async keptTraceOf(requestId: string): Promise<string | undefined> {
    for (let offset = 0; offset < MAX_SCAN; offset += SCAN_PAGE) {
      const page = await this.traceList({ limit: SCAN_PAGE, offset })
      const found = page.traces.find((t) => t.requestId === requestId)
      if (found) return found.traceId
      if (page.traces.length < SCAN_PAGE) return undefined
    }
    return undefined
  }

  /**
   * The request `id`, checked to belong to `traceId` when a call gives both (one of them
   * would otherwise be ignored without a word).
   */
  async requestIn(id: string, traceId: string | undefined): Promise<RequestDetail> {
    const detail = await this.request(id)
    if (traceId !== undefined && detail.traceId !== traceId) {
      throw new ToolError(`request "${id}" is ${detail.traceId ? `in trace ${detail.traceId}` : 'in no trace'}, not in ${traceId}: give one of request_id and trace_id`)
    }
    return detail
  }

  /** The spans of a trace, or undefined when neither the tracing panel nor the store has it. */
  async trace(traceId: string): Promise<ToolbarSpan[] | undefined> {
    const fromSource = await this.toolbar.traceSource?.spans(traceId)
    const spans = fromSource && fromSource.length > 0 ? fromSource : ((await this.toolbar.store.getTrace?.(traceId)) ?? fromSource)
    // The secret route params of the trace's requests (their SERVER spans) go wherever they are written.
    const secrets = spans?.flatMap((s) => routeSecrets(stringAttr(s.attributes['http.route']), stringAttr(s.attributes['url.path'])))
    return spans && this.clean(spans, secrets)
  }

  /** The trace list (recorded and received traces), newest first; empty without a tracing panel or trace store. */
  async traceList(filter: TraceFilter): Promise<TracePage> {
    const source = this.toolbar.traceSource
    if (source?.list) return source.list(filter)
    return (await this.toolbar.store.listTraces?.(filter)) ?? { traces: [], total: 0 }
  }

  /** The recorded request a trace belongs to (the one that started it), if any. */
  async requestOfTrace(traceId: string): Promise<RequestDetail | undefined> {
    const owner = (await this.toolbar.traceSource?.summary?.(traceId))?.requestId ?? (await this.summaries()).find((r) => r.traceId === traceId)?.id
    return owner ? this.detail(owner) : undefined
  }

  /**
   * The recorded requests of a trace by the span that began each (its SERVER span, the
   * OpenTelemetry panel's `rootSpanId`): a request another one fetched shares its trace.
   * Read from the history when a tool asks.
   *
   * @example
   * ```ts
   * (await data.requestsBySpan(traceId)).get(line.spanIds[0]!) // 'a1b2c3d400000003'
   * ```
   */
  async requestsBySpan(traceId: string): Promise<Map<string, string>> {
    const bySpan = new Map<string, string>()
    for (const row of await this.summaries()) {
      if (row.traceId !== traceId) continue
      const detail = await this.detail(row.id)
      const root = detail && panelStats<{ rootSpanId?: string }>(detail, 'opentelemetry')?.rootSpanId
      if (root) bySpan.set(root, row.id)
    }
    return bySpan
  }

  /** The spans of a trace; an error result when unknown. */
  async requireTrace(traceId: string): Promise<ToolbarSpan[]> {
    const spans = await this.trace(traceId)
    if (!spans) throw new ToolError(`no trace with id "${traceId}": the toolbar holds the traces of recent requests and of spans sent to it`)
    return spans
  }

  /**
   * The spans of a trace, and among them `spanIds` (each once, in the order asked); an error
   * result naming the ids the trace does not have.
   */
  async requireSpans(traceId: string, spanIds: readonly string[]): Promise<{ all: ToolbarSpan[]; picked: ToolbarSpan[] }> {
    const all = await this.requireTrace(traceId)
    const byId = new Map(all.map((s) => [s.spanId, s]))
    const unknown = spanIds.filter((id) => !byId.has(id))
    if (unknown.length) throw new ToolError(`trace ${traceId} has no span ${unknown.map((id) => `"${id}"`).join(', ')} (get_trace lists its span ids)`)
    return { all, picked: [...new Set(spanIds)].map((id) => byId.get(id)!) }
  }

  /**
   * The spans of a request: its SERVER span and everything under it, downstream services
   * included ([] without the OpenTelemetry panel). A request called by another recorded
   * request shares that one's trace; the caller's spans are not this request's.
   */
  async requestSpans(detail: RequestDetail): Promise<ToolbarSpan[]> {
    const otel = panelStats<{ spans?: ToolbarSpan[]; rootSpanId?: string }>(detail, 'opentelemetry')
    const spans = (detail.traceId ? await this.trace(detail.traceId) : undefined) ?? otel?.spans ?? []
    return otel?.rootSpanId ? subtree(spans, otel.rootSpanId) : spans
  }

  /** Spans of a trace refused over the tracing panel's `maxSpansPerTrace`, when this process counted any. */
  async droppedSpans(traceId: string): Promise<number> {
    return (await this.toolbar.traceSource?.summary?.(traceId))?.droppedSpans ?? 0
  }

  /** Links to a trace in the tracing UIs, when a tracing panel is there (none to a UI the traces are not sent to). */
  traceLinks(traceId: string, spanId?: string): TraceLinks {
    return this.toolbar.traceSource?.links(traceId, spanId) ?? {}
  }

  /** Why a trace has no Jaeger, Zipkin or Tempo link when the tracing panel exports nothing; undefined otherwise. */
  get notExported(): string | undefined {
    return this.toolbar.traceSource?.exported?.() === false ? "no Jaeger, Zipkin or Tempo link: nothing is exported (the OpenTelemetry panel's exporter is 'none'), so they never received the trace" : undefined
  }

  /** Counts of spans, queries, logs and errors (as `get_trace_errors` lists them) of one request. */
  async facts(detail: RequestDetail): Promise<RequestFacts> {
    const spans = await this.requestSpans(detail)
    const sql = panelStats<SqlStats>(detail, 'sql')
    const logs = panelStats<LoggingStats>(detail, 'logging')
    const errors = requestErrors(spans, detail).length
    const errorLogs = (logs?.counts.error ?? 0) + (logs?.counts.fatal ?? 0)
    const services = [...new Set(spans.map((s) => s.resource['service.name']).filter((n): n is string => typeof n === 'string'))]
    return {
      spans: spans.length,
      queries: sql?.count ?? 0,
      logs: logs ? Object.values(logs.counts).reduce((a, b) => a + b, 0) : 0,
      errors,
      services,
      hasError: errors > 0 || errorLogs > 0 || (detail.status ?? 0) >= 500,
    }
  }

  /** A JSON route of the toolbar itself (the SQL panel's query and EXPLAIN routes), called in-process. */
  async ownRoute(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await this.toolbar.routes.request(`${this.toolbar.prefix}${path}`)
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
}

function stringAttr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

/** `rootId` and every span below it; all of `spans` when the root is not among them. */
function subtree(spans: ToolbarSpan[], rootId: string): ToolbarSpan[] {
  if (!spans.some((s) => s.spanId === rootId)) return spans
  const children = new Map<string, ToolbarSpan[]>()
  for (const span of spans) {
    if (!span.parentSpanId) continue
    const list = children.get(span.parentSpanId)
    if (list) list.push(span)
    else children.set(span.parentSpanId, [span])
  }
  const kept = new Set<string>([rootId])
  const stack = [rootId]
  while (stack.length) {
    for (const child of children.get(stack.pop()!) ?? []) {
      if (kept.has(child.spanId)) continue
      kept.add(child.spanId)
      stack.push(child.spanId)
    }
  }
  return spans.filter((s) => kept.has(s.spanId))
}
