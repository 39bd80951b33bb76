import { z } from 'zod'
import { SPAN_SOURCES, type TraceFilter, type TraceSummary } from '../../core/span-model.js'
import { withRootPath } from '../../core/trace-summary.js'
import { MAX_SCAN, SCAN_PAGE } from '../data.js'
import { cursor, flag, limit, numberArg } from '../schemas.js'
import type { DefineTool, McpContext } from '../server.js'
import { afterResponse, counted, fitText, ms, pageData, pageNote, paginate } from '../result.js'

/**
 * `list_traces`: the trace list of the toolbar (what `GET {prefix}/api/traces` answers),
 * for the traces no request recorded (a worker, a cron job, a service that sent its spans)
 * and to find failed traces without knowing their ids.
 *
 * @example
 * ```ts
 * registerTraceListTool(define, ctx)
 * ```
 */
export function registerTraceListTool(define: DefineTool, ctx: McpContext): void {
  define('list_traces', {
    title: 'List traces',
    description:
      'Recent traces, newest first: those of recorded requests and those other services sent to the toolbar (workers, jobs, downstream services), each with trace id, root span name, services, span count, duration (or "still running" and for how long), start, request id (when a request recorded it) and whether a span failed. Filters: service (a service.name), source (local, otlp_http, otlp_grpc, zipkin, import), min_duration_ms (a running trace by its time so far), has_error. Then get_trace or get_trace_errors with the trace id.',
    input: {
      service: z.string().max(200).optional(),
      source: z.enum(SPAN_SOURCES).optional(),
      min_duration_ms: numberArg(z.number().min(0), 'a duration in milliseconds, 0 or more').optional(),
      has_error: flag.optional(),
      limit: limit(20, 100),
      cursor: cursor.optional(),
    },
    async run(args) {
      const filter = { service: args.service, source: args.source, minDurationMs: args.min_duration_ms }
      const { traces: found, evicted, capped } = await scanTraces(ctx, filter)
      const refused = ctx.data.refused()
      // How long a running trace has run so far, by this process's clock (as get_trace's header says it).
      const now = Date.now()
      const runningFor = (t: TraceSummary) => Math.max(0, now - Date.parse(t.startedAt))
      if (args.min_duration_ms !== undefined) {
        // A running trace's listed duration is only the time to its latest span that ended: a
        // hanging request is what the filter looks for, so the newest traces are looked at
        // again by their time so far (running traces are recent ones).
        const seen = new Set(found.map((t) => t.traceId))
        const recent = await ctx.data.traceList({ service: args.service, source: args.source, limit: SCAN_PAGE, offset: 0 })
        const hanging = recent.traces.filter((t) => t.running && !seen.has(t.traceId) && runningFor(t) >= args.min_duration_ms!)
        if (hanging.length) {
          found.push(...hanging)
          found.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))
        }
      }
      const traces = args.has_error === undefined ? found : found.filter((t) => t.error === args.has_error)
      const listed: ListedTrace[] = traces.map((t) => (t.running ? { ...t, runningForMs: runningFor(t) } : t))
      const paged = paginate('list_traces', listed, args.cursor, args.limit)
      // The response time of each listed trace's request: work it left running makes the trace longer.
      if (paged.items.some((t) => t.requestId !== undefined)) {
        const responseMs = new Map((await ctx.data.summaries()).map((r) => [r.id, r.durationMs]))
        paged.items = paged.items.map((t) => {
          const response = t.requestId === undefined ? undefined : responseMs.get(t.requestId)
          return response === undefined ? t : { ...t, responseMs: response }
        })
      }
      paged.items = await Promise.all(paged.items.map((t) => withMcpRootPath(ctx, t)))
      const { page, lines } = fitText(paged, traceLine)
      const scope = [
        capped ? `Only the newest ${MAX_SCAN} traces were searched.` : '',
        evicted ? `${counted(evicted, 'older trace was', 'older traces were')} evicted from memory (maxTraces).` : '',
        refusedText(refused),
      ].filter(Boolean)
      const bounds = { ...(evicted ? { evicted } : {}), ...(capped ? { searchedNewest: MAX_SCAN } : {}), ...(refused.spans || refused.exports ? { refused } : {}) }
      if (page.items.length > 0) return { text: [...lines, pageNote(page, 'traces'), ...scope].filter(Boolean).join('\n'), data: { traces: page.items, ...pageData(page), ...bounds } }
      // Nothing matched: say what there is, so that the next call asks for something held.
      const held = await ctx.data.traceList({ limit: SCAN_PAGE, offset: 0 })
      const services = [...new Set(held.traces.flatMap((t) => t.services))].sort()
      const sources = args.source ? await heldSources(ctx) : []
      const text = [held.total === 0 ? 'No trace held yet: make a request to the app first, or send spans to the toolbar.' : noMatchText(args, held.total, held.traces, services, sources, runningFor), ...scope].join(' ')
      return { text, data: { traces: page.items, ...pageData(page), ...(held.total > 0 ? { recordedServices: services } : {}), ...bounds } }
    },
  })
}

/**
 * Why list_traces listed nothing: its filters, how many traces are held, and what the newest
 * of them (`SCAN_PAGE`) have for the filters given: services, sources, the longest duration,
 * how many failed.
 */
function noMatchText(
  args: { service?: string; source?: string; min_duration_ms?: number; has_error?: boolean },
  total: number,
  newest: TraceSummary[],
  services: string[],
  sources: string[],
  runningFor: (t: TraceSummary) => number,
): string {
  const filters = [
    args.service && `service "${args.service}"`,
    args.source && `source ${args.source}`,
    args.min_duration_ms !== undefined && `min_duration_ms ${args.min_duration_ms}`,
    args.has_error !== undefined && `has_error ${args.has_error}`,
  ].filter(Boolean)
  const failed = newest.filter((t) => t.error).length
  const longest = Math.max(...newest.map((t) => (t.running ? runningFor(t) : t.durationMs)))
  return [
    `No trace matches ${filters.length ? filters.join(', ') : 'the filters'} (${counted(total, 'trace')} held).`,
    services.length ? `Services in them: ${services.join(', ')}.` : '',
    args.source ? `Sources: ${sources.join(', ') || 'none'}.` : '',
    args.min_duration_ms !== undefined ? `The longest took ${ms(longest)}.` : '',
    args.has_error !== undefined ? (failed === 0 ? 'None of them has an error.' : `${failed} of them ${failed === 1 ? 'has' : 'have'} an error.`) : '',
  ]
    .filter(Boolean)
    .join(' ')
}

/** The sources of the traces held, each with how many traces have spans of it: `local (4)`. */
async function heldSources(ctx: McpContext): Promise<string[]> {
  const held: string[] = []
  for (const source of SPAN_SOURCES) {
    const { total } = await ctx.data.traceList({ source, limit: 1, offset: 0 })
    if (total > 0) held.push(`${source} (${total})`)
  }
  return held
}

/** The newest traces that pass `filter` (at most `MAX_SCAN`), from the tracing panel or the store. */
async function scanTraces(ctx: McpContext, filter: Omit<TraceFilter, 'limit' | 'offset'>): Promise<{ traces: TraceSummary[]; evicted: number | undefined; capped: boolean }> {
  const traces: TraceSummary[] = []
  let evicted: number | undefined
  for (let offset = 0; offset < MAX_SCAN; offset += SCAN_PAGE) {
    const page = await ctx.data.traceList({ ...filter, limit: SCAN_PAGE, offset })
    evicted = page.evicted
    traces.push(...page.traces)
    if (page.traces.length < SCAN_PAGE || traces.length >= page.total) return { traces, evicted, capped: false }
  }
  return { traces, evicted, capped: true }
}

/**
 * A trace's list line with what the tool adds: how long a running one has run, its request's
 * response time, and the path of a root SERVER span named by its method alone (`rootPath`).
 */
export type ListedTrace = TraceSummary & { runningForMs?: number; responseMs?: number; rootPath?: string }

/**
 * `trace` with `rootPath` when its root is a SERVER span named by its method alone (a
 * request no route matched, `GET`), so that it reads `GET /nope` as list_requests lists its
 * request (`withRootPath` of the trace list, from the spans the MCP server reads).
 * list_traces and the `toolbar://traces/{traceId}` resource list both name a trace this way.
 *
 * @example
 * ```ts
 * const listed = await withMcpRootPath(ctx, trace) // { ...trace, rootName: 'GET', rootPath: '/nope' }
 * `${listed.rootName}${listed.rootPath === undefined ? '' : ` ${listed.rootPath}`}` // 'GET /nope'
 * ```
 */
export function withMcpRootPath<T extends ListedTrace>(ctx: McpContext, trace: T): Promise<T & { rootPath?: string }> {
  return withRootPath(trace, (traceId) => ctx.data.trace(traceId))
}

function traceLine(t: ListedTrace): string {
  const dropped = t.droppedSpans ? `, ${t.droppedSpans} dropped` : ''
  const request = t.requestId ? `  request ${t.requestId}` : ''
  const duration = t.runningForMs === undefined ? `${ms(t.durationMs)}${afterResponse(t.durationMs, t.responseMs, t.spanCount)}` : `still running (started ${ms(t.runningForMs)} ago)`
  return `${t.traceId}  ${t.rootName}${t.rootPath === undefined ? '' : ` ${t.rootPath}`}  [${t.services.join(', ')}]  ${counted(t.spanCount, 'span')}${dropped}  ${duration}  ${t.startedAt}${request}${t.error ? '  [error]' : ''}`
}

/** What the receivers refused, as the receiver status says it; '' when nothing was. */
function refusedText({ spans, exports }: { spans: number; exports: number }): string {
  if (!spans && !exports) return ''
  const what = [spans ? counted(spans, 'span') : '', exports ? counted(exports, 'export') : ''].filter(Boolean).join(' and ')
  return `Since the app started, the receivers refused ${what} (malformed, too large, or over a bound): traces sent to the toolbar may lack them.`
}
