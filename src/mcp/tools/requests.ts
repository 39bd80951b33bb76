import { z } from 'zod'
import type { RequestSummary } from '../../core/store.js'
import { MAX_OUTLIVED } from '../../core/outlived-records.js'
import { MAX_SCAN, type RequestFacts, type RunningRequest } from '../data.js'
import { cursor, flag, limit, numberArg, onRoute, recordedRoutes, requestId, route, routesText, spanIds, traceId, type RouteFilter } from '../schemas.js'
import type { DefineTool, McpContext } from '../server.js'
import { counted, fitText, ms, pageData, pageNote, paginate, requestName, ToolError } from '../result.js'
import { requestBrief, requestLinks } from './request-brief.js'

/**
 * `list_requests`, `get_request`, `get_links` and `clear_history`.
 *
 * @example
 * ```ts
 * registerRequestTools(define, ctx)
 * ```
 */
export function registerRequestTools(define: DefineTool, ctx: McpContext): void {
  const { data } = ctx

  define('list_requests', {
    title: 'List recorded requests',
    description:
      'Recent requests the toolbar recorded, newest first: request id, trace id, route, status, duration, and span/query/log/error counts. Requests still running in this process (handler not returned, or body still being sent) come first, marked [running] with how long so far (a hanging request: min_duration_ms counts its time so far; a status filter leaves it out, as it has no status yet). Filters: route (pattern like /users/:id, or a path), method, status (404, 4xx, or a list: 404, 5xx), min_duration_ms, has_error, service (a service.name in the trace).',
    input: {
      route: route.optional().describe('Route pattern (/users/:id) or exact path (/users/2), optionally after the method (GET /users/:id)'),
      method: z.string().regex(/^[A-Za-z]{1,16}$/).optional(),
      // The list the History panel and GET /api/requests take (core/status-filter.ts), as one pattern a client can check.
      status: z
        .string()
        .max(200)
        .regex(/^[\s,]*[1-5](\d\d|[xX]{2})([\s,]+[1-5](\d\d|[xX]{2}))*[\s,]*$/, 'status is codes such as 404 and classes such as 4xx, separated by commas or spaces')
        .optional(),
      min_duration_ms: numberArg(z.number().min(0), 'a duration in milliseconds, 0 or more').optional(),
      has_error: flag.optional(),
      service: z.string().max(200).optional(),
      limit: limit(20, 100),
      cursor: cursor.optional(),
    },
    async run(args) {
      const stored = await data.summaries({ method: args.method, status: args.status })
      const capped = stored.length >= MAX_SCAN
      // Requests still running reach the store when they finish: listed first, from this process's records.
      const listedIds = new Set(stored.map((r) => r.id))
      let rows: Array<RequestSummary | RunningRequest> = [...data.running({ method: args.method, status: args.status }).filter((r) => !listedIds.has(r.id)), ...stored]
      if (args.route) rows = rows.filter((r) => onRoute(r, args.route!))
      // A hanging request is one a least duration looks for: its time so far counts.
      if (args.min_duration_ms !== undefined) rows = rows.filter((r) => (r.durationMs ?? ('running' in r ? r.runningForMs : 0)) >= args.min_duration_ms!)
      const facts = new Map<string, RequestFacts>()
      const factsOf = async (row: RequestSummary) => {
        let known = facts.get(row.id)
        if (!known) {
          const detail = await data.detail(row.id)
          known = detail ? await data.facts(detail) : { spans: 0, queries: 0, logs: 0, errors: 0, services: [], hasError: false }
          facts.set(row.id, known)
        }
        return known
      }
      if (args.has_error !== undefined || args.service) {
        const kept: typeof rows = []
        for (const row of rows) {
          const f = await factsOf(row)
          if (args.has_error !== undefined && f.hasError !== args.has_error) continue
          if (args.service && !f.services.includes(args.service)) continue
          kept.push(row)
        }
        rows = kept
      }
      const listed = paginate('list_requests', rows, args.cursor, args.limit)
      const withFacts = []
      for (const row of listed.items) withFacts.push({ ...row, ...(await factsOf(row)) })
      const { page, lines } = fitText(
        { ...listed, items: withFacts },
        (r) =>
          `${r.id}  ${requestName(r)}  ${r.status ?? '…'}  ${'running' in r ? `running for ${ms(r.runningForMs)}` : ms(r.durationMs)}  trace ${r.traceId ?? '-'}  spans ${r.spans}, queries ${r.queries}, logs ${r.logs}, errors ${r.errors}${r.hasError ? '  [error]' : ''}${'running' in r ? '  [running]' : ''}`,
      )
      const requests = page.items
      const dropped = await data.droppedRequests()
      const writesLost = await data.storeWritesLost()
      const runningDropped = data.runningDropped()
      const scope = [
        capped ? `Only the newest ${MAX_SCAN} requests of the history were searched.` : '',
        dropped ? `${counted(dropped, 'older request was', 'older requests were')} dropped from the history (maxRequests).` : '',
        writesLost
          ? `${counted(writesLost, 'write')} to the store ${writesLost === 1 ? 'was' : 'were'} lost (its write queue was full, or the database refused them): the history may miss requests.`
          : '',
        runningDropped
          ? `${counted(runningDropped, 'request')} still running ${runningDropped === 1 ? 'was' : 'were'} let go of (over ${MAX_OUTLIVED} held after more than maxRequests newer requests): the oldest running requests may be missing here.`
          : '',
      ].filter(Boolean).join(' ')
      const bounds = {
        ...(capped ? { searchedNewest: MAX_SCAN } : {}),
        ...(dropped ? { dropped } : {}),
        ...(writesLost ? { writesLost } : {}),
        ...(runningDropped ? { runningDropped } : {}),
      }
      if (requests.length > 0) {
        return { text: [...lines, pageNote(page, 'requests'), scope].filter(Boolean).join('\n'), data: { requests, ...pageData(page), ...bounds } }
      }
      // Nothing matched: say what there is, so that the next call asks for something recorded.
      const history = await data.summaries()
      const services = args.service ? [...new Set([...facts.values()].flatMap((f) => f.services))].sort() : []
      const routes = args.route || args.method ? recordedRoutes(history, args.route?.route) : []
      const text = [
        history.length === 0
          ? 'No request recorded yet: make a request to the app first.'
          : `No recorded request matches ${filtersText(args)} (${counted(history.length, 'request')} recorded).`,
        routes.length ? `Recorded routes: ${routesText(routes)}.` : '',
        args.service && services.length ? `Services in their traces: ${services.join(', ')}.` : '',
        scope,
      ]
        .filter(Boolean)
        .join(' ')
      return {
        text,
        data: { requests, ...pageData(page), ...bounds, ...(routes.length ? { recordedRoutes: routes } : {}), ...(args.service ? { recordedServices: services } : {}) },
      }
    },
  })

  define('get_request', {
    title: 'One request in brief',
    description:
      "One request's panels in brief: time, request, SQL summary (slow queries, duplicates, N+1 groups), logs, template renders, errors, the trace's size, and links to the toolbar, Jaeger, Zipkin and Tempo.",
    input: { request_id: requestId },
    async run(args) {
      return requestBrief(ctx, await data.request(args.request_id))
    },
  })

  define('get_links', {
    title: 'Links to a request or trace',
    description: 'URLs of a request (toolbar page, JSON API) and of its trace or of spans (Jaeger, Zipkin, Tempo, OTLP/JSON download). Give request_id, or trace_id with optional span_ids.',
    input: {
      request_id: requestId.optional(),
      trace_id: traceId.optional(),
      span_ids: spanIds(20).optional().describe('Spans to link to (Jaeger highlights each)'),
    },
    async run(args) {
      if (!args.request_id && !args.trace_id) throw new ToolError('give request_id or trace_id')
      const links: Record<string, unknown> = {}
      let trace = args.trace_id
      if (args.request_id) {
        const detail = await data.requestIn(args.request_id, args.trace_id)
        Object.assign(links, requestLinks(ctx, detail.id, undefined))
        trace ??= detail.traceId
      }
      if (args.span_ids && !trace) throw new ToolError(`request "${args.request_id}" has no trace, so its spans have no links`)
      if (trace) {
        // An unknown trace or span would get a link that opens on nothing.
        if (args.span_ids) await data.requireSpans(trace, args.span_ids)
        else if (args.trace_id) await data.requireTrace(trace)
        Object.assign(links, requestLinks(ctx, undefined, trace))
        if (args.span_ids) links.spans = args.span_ids.map((id) => ({ spanId: id, ...data.traceLinks(trace!, id) }))
      }
      const notExported = trace ? data.notExported : undefined
      const text = [
        ...Object.entries(links).flatMap(([name, value]) =>
          typeof value === 'string' ? [`${name}: ${value}`] : (value as Array<Record<string, string>>).flatMap((s) => (s.jaeger ? [`span ${s.spanId}: ${s.jaeger}`] : [])),
        ),
        ...(notExported ? [`(${notExported})`] : []),
      ].join('\n')
      // Spans the exporters lost are missing from the trace these links open.
      const { note, queueFull, paused } = trace && !notExported ? data.unexported() : { note: '', queueFull: 0, paused: 0 }
      return {
        text: [text || 'No link: the request has no trace and no tracing UI is configured.', note].filter(Boolean).join('\n'),
        data: { links, ...(notExported ? { notExported } : {}), ...(note ? { unexported: { queueFull, paused } } : {}) },
      }
    },
  })

  define('clear_history', {
    title: 'Clear the history',
    description: 'Forgets every recorded request and trace. The only tool that changes anything: ask the user first.',
    destructive: true,
    input: {},
    async run() {
      const store = data.toolbar.store
      if (!store.clear) throw new ToolError('this store cannot be cleared (it has no clear())')
      const before = (await store.list({ limit: 1, offset: 0 })).total
      await store.clear()
      await data.toolbar.traceSource?.clear?.()
      return { text: `Cleared the history: ${before} ${before === 1 ? 'request' : 'requests'} and the traces the toolbar held.`, data: { cleared: before } }
    },
  })
}

/** The filters of a list_requests call as text: `route "/users", status 5xx, min_duration_ms 0`. */
function filtersText(args: { route?: RouteFilter; method?: string; status?: string; min_duration_ms?: number; has_error?: boolean; service?: string }): string {
  const parts = [
    args.route && `route "${args.route.text}"`,
    args.method && `method ${args.method.toUpperCase()}`,
    args.status && `status ${args.status.trim()}`,
    args.min_duration_ms !== undefined && `min_duration_ms ${args.min_duration_ms}`,
    args.has_error !== undefined && `has_error ${args.has_error}`,
    args.service && `service "${args.service}"`,
  ].filter(Boolean)
  return parts.length ? parts.join(', ') : 'the filters'
}
