import type { RequestDetail } from '../../core/toolbar.js'
import type { LoggingStats } from '../../panels/logging.js'
import { thrownIsAnswer, type RequestStats } from '../../panels/request.js'
import type { ProfilingStats } from '../../panels/profiling.js'
import type { SqlQueryStats, SqlStats } from '../../panels/sql.js'
import type { TemplatesStats } from '../../panels/templates.js'
import type { TimerStats, TimingMetric } from '../../panels/timer.js'
import type { BaggageView } from '../../opentelemetry/baggage.js'
import type { TraceContextStats } from '../../opentelemetry/trace-context-stats.js'
import { BAGGAGE_DROPPED_REASON } from '../../shapes/baggage-limits.js'
import { MAX_OUTGOING_CALLS } from '../../shapes/trace-context-limits.js'
import { panelStats } from '../data.js'
import { requestErrors } from '../errors.js'
import { shownAttributes } from '../redact.js'
import { counted, ms, oneLine, requestName, stillRunning, type ToolOutput } from '../result.js'
import type { McpContext } from '../server.js'
import { serviceOf } from '../trace-tree.js'
import { downstreamQueries, type DownstreamQueries } from '../downstream-queries.js'
import { briefLogMessage } from '../stack.js'
import { recordedCut } from './sql.js'
import { PROFILER_ENTRY, v8Entry } from '../../shapes/v8-entries.js'

/** How many items of each section `get_request` shows. */
const BRIEF = { queries: 5, groups: 5, logs: 20, renders: 10, errors: 10, functions: 5 }

/**
 * Links of a request (toolbar page and API) and of a trace (the tracing UIs, OTLP/JSON).
 *
 * @example
 * ```ts
 * requestLinks(ctx, 'a1b2c3d4e5f60718', traceId) // { toolbar, api, trace, jaeger, zipkin, otlpJson }
 * ```
 */
export function requestLinks(ctx: McpContext, requestId: string | undefined, traceId: string | undefined): Record<string, string> {
  const base = `${ctx.origin}${ctx.data.prefix}`
  const links: Record<string, string> = {}
  if (requestId) {
    links.toolbar = `${base}/requests/${requestId}`
    links.api = `${base}/api/requests/${requestId}`
  }
  if (traceId) {
    links.trace = `${base}/api/traces/${traceId}`
    const ui = ctx.data.traceLinks(traceId)
    for (const [name, url] of Object.entries(ui)) if (url) links[name] = url.startsWith('/') ? `${ctx.origin}${url}` : url
  }
  return links
}

/**
 * One request's panels in brief, as `get_request` and the `toolbar://requests/{id}` resource answer.
 *
 * @example
 * ```ts
 * const { text, data } = await requestBrief(ctx, await ctx.data.request(id))
 * ```
 */
export async function requestBrief(ctx: McpContext, detail: RequestDetail): Promise<ToolOutput> {
  const timer = panelStats<TimerStats>(detail, 'timer')
  const request = panelStats<RequestStats>(detail, 'request')
  const sql = panelStats<SqlStats>(detail, 'sql')
  const logs = panelStats<LoggingStats>(detail, 'logging')
  const templates = panelStats<TemplatesStats>(detail, 'templates')
  const otel = panelStats<{ context?: TraceContextStats; baggage?: BaggageView }>(detail, 'opentelemetry')
  const profiling = panelStats<ProfilingStats>(detail, 'profiling')
  const spans = await ctx.data.requestSpans(detail)
  // A request another one fetched has only its part of the caller's trace, which the waterfall
  // (GET /api/traces/:id) draws whole: its size is said as a part, as get_trace says it.
  const traceSpanCount = detail.traceId ? ((await ctx.data.trace(detail.traceId))?.length ?? spans.length) : spans.length
  const facts = await ctx.data.facts(detail)
  const byId = new Map(sql?.queries.map((q) => [q.id, q]) ?? [])
  const group = (g: { sql: string; count: number; queryIds: number[] }) => ({
    sql: g.sql,
    count: g.count,
    totalMs: g.queryIds.reduce((sum, id) => sum + (byId.get(id)?.durationMs ?? 0), 0),
    queryIds: g.queryIds,
    caller: byId.get(g.queryIds[0]!)?.caller ?? null,
  })
  // Started after the last byte was sent: work the request left running (an email sent after
  // the answer), which the SQL and Logging panels mark "after the response" too.
  const late = (startMs: number) => (detail.durationMs !== undefined && startMs > detail.durationMs ? { afterResponse: true as const } : {})
  // Each failure once, as get_trace_errors lists them (error log lines are in the logs).
  const errors = requestErrors(spans, detail).map(({ stack: _stack, ...error }) => error)
  const data = {
    request: {
      id: detail.id,
      method: detail.method,
      path: detail.path,
      route: detail.route,
      status: detail.status,
      startedAt: detail.startedAt,
      durationMs: detail.durationMs,
      traceId: detail.traceId,
      inFlight: detail.inFlight === true,
      url: request?.url,
      params: request?.params,
      query: request?.query,
      // What the handler threw, also when it is no error: a 4xx HTTPException is how the app answered.
      thrown: request?.error,
      thrownIsAnswer: thrownIsAnswer(request),
    },
    time: timer && {
      totalMs: timer.totalMs,
      headersMs: timer.headersMs,
      streamed: timer.streamed,
      responseBytes: timer.responseBytes,
      responseReplaced: timer.responseReplaced === true,
      metrics: timer.metrics.map((m) => ({ name: m.name, durationMs: m.durationMs, startMs: m.startMs, description: m.description, value: m.value })),
      droppedMetrics: timer.dropped,
    },
    sql: sql && {
      count: sql.count,
      totalMs: sql.totalMs,
      dropped: sql.dropped,
      slowQueryMs: sql.slowQueryMs,
      slowest: [...sql.queries]
        .sort((a, b) => b.durationMs - a.durationMs)
        .slice(0, BRIEF.queries)
        .map((q) => ({ id: q.id, sql: q.sql, durationMs: q.durationMs, rowCount: q.rowCount, caller: q.caller, slow: q.slow, ...late(q.startMs), ...(q.cut && { cut: q.cut }) })),
      duplicates: sql.duplicates.slice(0, BRIEF.groups).map(group),
      nPlusOne: sql.similar.slice(0, BRIEF.groups).map(group),
      truncated: sql.duplicates.length > BRIEF.groups || sql.similar.length > BRIEF.groups || sql.queries.length > BRIEF.queries,
    },
    // The queries of the services the request called, from their spans (the SQL panel has the app's own).
    downstreamSql: nonEmpty(downstreamQueries(spans)),
    logs: logs && {
      counts: logs.counts,
      dropped: logs.dropped,
      lines: logs.logs.slice(0, BRIEF.logs).map((l) => ({ level: l.level, message: l.message, atMs: l.startMs, attributes: shownAttributes(ctx.settings, l.attributes), ...late(l.startMs) })),
      truncated: logs.logs.length > BRIEF.logs,
    },
    templates: templates && {
      count: templates.renders.length + templates.dropped,
      dropped: templates.dropped,
      totalMs: templates.totalMs,
      renders: templates.renders.slice(0, BRIEF.renders).map((r) => ({ name: r.name, depth: r.depth, durationMs: r.durationMs, error: r.error })),
      truncated: templates.renders.length > BRIEF.renders,
    },
    profile: profileBrief(ctx, profiling),
    errors: errors.slice(0, BRIEF.errors),
    errorsTruncated: errors.length > BRIEF.errors,
    trace: detail.traceId
      ? { traceId: detail.traceId, spans: spans.length, ...(traceSpanCount > spans.length ? { traceSpanCount } : {}), droppedSpans: await ctx.data.droppedSpans(detail.traceId), services: facts.services, errorSpans: spans.filter((s) => s.status.code === 'ERROR').length }
      : undefined,
    traceContext: contextDropped(otel),
    links: requestLinks(ctx, detail.id, detail.traceId),
    ...(detail.traceId && ctx.data.notExported ? { linksNote: ctx.data.notExported } : {}),
  }
  return { text: briefText(data, spans.length ? serviceOf(spans[0]!) : undefined), data }
}

type Brief = {
  request: { id: string; method: string; path: string; route: string | undefined; status: number | undefined; durationMs: number | undefined; traceId: string | undefined; inFlight: boolean; thrown?: string; thrownIsAnswer: boolean }
  time?: { totalMs: number | undefined; headersMs: number | undefined; responseReplaced: boolean; metrics: TimingMetric[]; droppedMetrics: number }
  sql?: { count: number; totalMs: number; dropped: number; slowQueryMs: number; slowest: Array<{ id: number; sql: string; durationMs: number; caller: string | null; slow: boolean; afterResponse?: true; cut?: SqlQueryStats['cut'] }>; duplicates: Array<{ sql: string; count: number; totalMs: number }>; nPlusOne: Array<{ sql: string; count: number; totalMs: number; caller: string | null }>; truncated: boolean }
  downstreamSql?: DownstreamQueries[]
  logs?: { counts: Record<string, number>; dropped: number; lines: Array<{ level: string; message: string; atMs: number; afterResponse?: true }>; truncated: boolean }
  templates?: { count: number; dropped: number; totalMs: number; renders: Array<{ name: string; depth: number; durationMs: number | undefined }>; truncated: boolean }
  profile?: ProfileBrief
  errors: Array<{ kind: string; name?: string; target?: string; type?: string; message: string }>
  errorsTruncated: boolean
  trace?: { traceId: string; spans: number; traceSpanCount?: number; droppedSpans: number; services: string[]; errorSpans: number }
  traceContext?: ContextDropped
  links: Record<string, string>
  /** Why the tracing UIs are not linked (nothing is exported). */
  linksNote?: string
}

/** A profiled request's profile in brief: what the profiler cost it, and its hottest functions. */
type ProfileBrief =
  | { profiled: true; samples: number; totalMs: number | undefined; startCostMs: number | undefined; topFunctions: Array<{ name: string; location: string; selfMs: number; totalMs: number }>; download: string | undefined }
  | { profiled: false; skipped: string }
  | { profiled: false; profilerRunning: true }

/**
 * The Profile panel's stats in brief, when the request asked for a profile: starting the
 * profiler is part of the request's time (hundreds of milliseconds the first time in a
 * process), which an agent must not take for the app's. A request that did not ask has a
 * brief only when V8's profiler ran while it was served (`keepWarmMs`): its times are the
 * sampler's too.
 */
function profileBrief(ctx: McpContext, stats: ProfilingStats | undefined): ProfileBrief | undefined {
  if (!stats) return undefined
  if (!stats.requested) return stats.profilerRunning ? { profiled: false, profilerRunning: true } : undefined
  if (!stats.profiled) return { profiled: false, skipped: stats.skipped ?? 'no profile was taken' }
  return {
    profiled: true,
    samples: stats.samples,
    totalMs: stats.totalMs,
    startCostMs: stats.startCostMs,
    topFunctions: stats.topFunctions.slice(0, BRIEF.functions).map((f) => ({ name: f.name, location: f.location, selfMs: f.selfMs, totalMs: f.totalMs })),
    download: stats.download && `${ctx.origin}${ctx.data.prefix}${stats.download}`,
  }
}

/** The Profile line of get_request. */
function profileText(p: ProfileBrief): string {
  if ('profilerRunning' in p) return "Profile: not asked for; V8's profiler was running while it was served (another request was profiled, or the profiler was kept running after one or started by the Profile panel's toggle), so its times include the sampler's cost."
  if (!p.profiled) return `Profile: asked for, not taken: ${oneLine(p.skipped)}`
  const cost = p.startCostMs !== undefined ? `; starting the profiler added ${ms(p.startCostMs)} to this request's time` : ''
  const hottest = p.topFunctions.map((f) => `${oneLine(f.name)}${f.location ? ` ${f.location}` : ''} ${ms(f.selfMs)}`).join(', ')
  // (program) on top reads as V8's overhead; it is often the app's own loop (src/shapes/v8-entries.ts).
  const program = p.topFunctions.some((f) => f.name === '(program)') ? ` (program) is ${v8Entry('(program)')!.text}: get_trace's CPU-profile spans give that time to the function that runs on after it.` : ''
  // The profiler's own calls, which the raw profile names dispatch (src/panels/cpu-profile.ts).
  const profiler = p.topFunctions.some((f) => f.name === PROFILER_ENTRY) ? ` ${PROFILER_ENTRY} is ${v8Entry(PROFILER_ENTRY)!.text}, not the request's work.` : ''
  return `Profile: ${p.samples} samples over ${ms(p.totalMs)}${cost}.${hottest ? ` Hottest by sampled self time (the function itself on top of the stack; get_trace's CPU-profile spans give it as sampled self): ${hottest}.${program}${profiler}` : ''}${p.download ? ` Download: ${p.download}` : ''}`
}

/** What the Trace context panel counted and did not keep: outgoing calls past its list (`outgoingLimit`), baggage members past the limits. */
type ContextDropped = { outgoingDropped: number; outgoingListed: number; outgoingLimit: number; baggageDropped: number }

/** The Trace context panel's drops of a request, or undefined when it dropped nothing. */
function contextDropped(otel: { context?: TraceContextStats; baggage?: BaggageView } | undefined): ContextDropped | undefined {
  const outgoingDropped = otel?.context?.outgoingDropped ?? 0
  const baggageDropped = otel?.baggage?.dropped ?? 0
  if (outgoingDropped === 0 && baggageDropped === 0) return undefined
  return { outgoingDropped, outgoingListed: otel?.context?.outgoing.length ?? 0, outgoingLimit: MAX_OUTGOING_CALLS, baggageDropped }
}

/** Said of a query or log line that started after the response was sent. */
const AFTER = ', after the response'

function briefText(b: Brief, service: string | undefined): string {
  const r = b.request
  const out = [`Request ${r.id}: ${requestName(r)} -> ${r.status ?? '…'} in ${ms(r.durationMs)}${r.inFlight ? ` (${stillRunning(r.status)})` : ''}`]
  if (r.thrown && r.thrownIsAnswer) out.push(`Thrown: ${oneLine(r.thrown)} (the app's ${r.status ?? 'HTTP'} answer, not an error)`)
  if (b.time) {
    const dropped = b.time.droppedMetrics ? `, ${b.time.droppedMetrics} more not kept` : ''
    const metrics = b.time.metrics.map(metricText).join(', ') + (b.time.metrics.length ? dropped : '')
    const sent = b.time.responseReplaced ? `another response was sent (a middleware before the toolbar answered it; its body was not seen)` : `last byte after ${ms(b.time.totalMs)}`
    out.push(`Time: headers after ${ms(b.time.headersMs)}, ${sent}${metrics ? `; timings: ${metrics}` : ''}`)
  }
  if (b.sql) {
    out.push(`SQL: ${b.sql.count} ${b.sql.count === 1 ? 'query' : 'queries'} in ${ms(b.sql.totalMs)}${b.sql.dropped ? `, ${b.sql.dropped} dropped` : ''} (slow from ${b.sql.slowQueryMs} ms)`)
    for (const q of b.sql.slowest) out.push(`  #${q.id} ${ms(q.durationMs)}${q.slow ? ' SLOW' : ''} ${oneLine(q.sql)}${recordedCut(q.cut)}${q.afterResponse ? AFTER : ''}${q.caller ? `  at ${q.caller}` : ''}`)
    for (const g of b.sql.duplicates) out.push(`  duplicate x${g.count} (${ms(g.totalMs)}): ${oneLine(g.sql)}`)
    for (const g of b.sql.nPlusOne) out.push(`  N+1 x${g.count} (${ms(g.totalMs)}): ${oneLine(g.sql)}${g.caller ? `  at ${g.caller}` : ''}`)
    if (b.sql.truncated) out.push('  (more queries: find_slow_queries / find_n_plus_one with request_id)')
  }
  if (b.downstreamSql) out.push(downstreamText(b.downstreamSql))
  if (b.logs) {
    const counts = Object.entries(b.logs.counts).filter(([, n]) => n > 0).map(([level, n]) => `${n} ${level}`).join(', ')
    out.push(`Logs: ${counts || 'none'}${b.logs.dropped ? `, ${b.logs.dropped} dropped` : ''}`)
    for (const l of b.logs.lines) out.push(`  +${ms(l.atMs)} ${l.level.toUpperCase()} ${briefLogMessage(l.message)}${l.afterResponse ? AFTER : ''}`)
    if (b.logs.truncated) out.push('  (more lines: search_logs with request_id)')
  }
  if (b.templates && b.templates.count > 0) {
    out.push(`Templates: ${b.templates.count} ${b.templates.count === 1 ? 'render' : 'renders'}, ${ms(b.templates.totalMs)}${b.templates.dropped ? `, ${b.templates.dropped} not kept (maxRenders)` : ''}`)
    for (const t of b.templates.renders) out.push(`  ${'  '.repeat(t.depth)}${t.name} ${ms(t.durationMs)}`)
    if (b.templates.truncated) out.push('  (more renders not shown)')
  }
  if (b.profile) out.push(profileText(b.profile))
  if (b.errors.length) {
    out.push(`Errors: ${b.errors.length}${b.errorsTruncated ? '+ (more with get_trace_errors)' : ' (get_trace_errors: stacks and the log lines around each)'}`)
    // A failed span says which (`span "GET http://inventory:8080/stock/2": HTTP 503`), as get_trace_errors does.
    for (const e of b.errors) out.push(`  ${e.kind}${e.kind === 'span' || e.target !== undefined ? ` "${[e.name, e.target].filter(Boolean).join(' ')}"` : ''}: ${e.type ? `${e.type}: ` : ''}${oneLine(e.message)}`)
  } else out.push('Errors: none')
  if (b.trace) out.push(`Trace ${b.trace.traceId}: ${b.trace.traceSpanCount ? `${b.trace.spans} of its ${b.trace.traceSpanCount} spans (the rest are its caller's)` : counted(b.trace.spans, 'span')}${b.trace.services.length ? ` from ${b.trace.services.join(', ')}` : service ? ` from ${service}` : ''}${b.trace.errorSpans ? `, ${b.trace.errorSpans} with errors` : ''}${b.trace.droppedSpans ? `, ${b.trace.droppedSpans} more dropped (over maxSpansPerTrace)` : ''} (get_trace for the tree)`)
  if (b.traceContext) {
    const c = b.traceContext
    const parts = [
      c.outgoingDropped > 0 && `${counted(c.outgoingDropped, 'more outgoing call', 'more outgoing calls')} not listed (over ${c.outgoingLimit})`,
      c.baggageDropped > 0 && `${counted(c.baggageDropped, 'baggage member', 'baggage members')} dropped (${BAGGAGE_DROPPED_REASON})`,
    ].filter(Boolean)
    out.push(`Trace context: ${parts.join('; ')}`)
  }
  out.push(`Links: ${Object.entries(b.links).map(([name, url]) => `${name} ${url}`).join(' | ')}${b.linksNote ? ` (${b.linksNote})` : ''}`)
  return out.join('\n')
}

/** The list, or undefined when it is empty (a field left out of the data). */
function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length ? items : undefined
}

/** `Downstream: inventory ran 3 queries (12.4 ms, N+1 x3: SELECT ...), billing 1 (2.00 ms); get_trace for them` */
function downstreamText(services: DownstreamQueries[]): string {
  const said = services.map((d, i) => {
    const repeated = d.repeated ? `, N+1 x${d.repeated.count}: ${oneLine(d.repeated.sql)}` : ''
    return `${d.service} ${i === 0 ? `ran ${counted(d.count, 'query', 'queries')}` : d.count} (${ms(d.totalMs)}${repeated})`
  })
  return `Downstream: ${said.join(', ')}; get_trace for them`
}

/**
 * A hono/timing metric as the Time panel shows it: `db 12.3 ms (orders query)` for a timer
 * or a number, `region = europe-west3` for a value set with `setMetric(c, name, value)`.
 */
function metricText(m: TimingMetric): string {
  if (m.durationMs === undefined) return m.value !== undefined ? `${m.name} = ${oneLine(m.value)}` : m.name
  return `${m.name} ${ms(m.durationMs)}${m.description ? ` (${oneLine(m.description)})` : ''}`
}
