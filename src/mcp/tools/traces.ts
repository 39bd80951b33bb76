import type { SpanSource, ToolbarSpan } from '../../core/span-model.js'
import { adjustedStartUnixNano, traceTimeline } from '../../core/trace-analysis/index.js'
import type { RequestDetail } from '../../core/toolbar.js'
import type { LoggingStats } from '../../panels/logging.js'
import { panelStats } from '../data.js'
import { requestErrors, type ErrorItem } from '../errors.js'
import { shownSpan } from '../redact.js'
import { besideStack, foldedStack } from '../stack.js'
import { cursor, limit, requestId, spanIds, traceId } from '../schemas.js'
import type { DefineTool, McpContext } from '../server.js'
import { afterResponse, counted, fitData, fitText, ms, oneLine, pageData, pageNote, paginate, ToolError } from '../result.js'
import { durationNs, serviceOf, traceLines, type TraceLine } from '../trace-tree.js'

/** Most span ids a folded line lists; the rest are counted. */
const GROUP_IDS = 50
/** Events and links shown per span by get_span. */
const SPAN_ITEMS = 50
/** Attributes shown per span (what OpenTelemetry SDKs keep by default), and per event or link. */
const SPAN_ATTRIBUTES = 128
const ITEM_ATTRIBUTES = 32
/** Log lines before and after an error that get_trace_errors shows. */
const AROUND = { before: 3, after: 2 }

/**
 * `get_trace`, `get_span` and `get_trace_errors`.
 *
 * @example
 * ```ts
 * registerTraceTools(define, ctx)
 * ```
 */
export function registerTraceTools(define: DefineTool, ctx: McpContext): void {
  const { data } = ctx

  /** The trace id of the call: trace_id, or the trace of request_id. */
  const traceOf = async (args: { trace_id?: string; request_id?: string }): Promise<{ traceId: string; spans: ToolbarSpan[]; detail?: RequestDetail }> => {
    if (args.trace_id) {
      const detail = args.request_id ? await data.requestIn(args.request_id, args.trace_id) : undefined
      return { traceId: args.trace_id, spans: await data.requireTrace(args.trace_id), ...(detail && { detail }) }
    }
    if (!args.request_id) throw new ToolError('give trace_id or request_id')
    const detail = await data.request(args.request_id)
    if (!detail.traceId) throw new ToolError(`request "${detail.id}" has no trace: add the OpenTelemetry panel to record traces`)
    return { traceId: detail.traceId, spans: await data.requestSpans(detail), detail }
  }

  define('get_trace', {
    title: 'A trace as a span tree',
    description:
      'The span tree of a trace as indented text: offset from the trace start (where the waterfall draws it: a span of another service whose clock disagrees with its parent\'s is moved into its parent, and says so), name (an outgoing request, a CLIENT span, with its URL beside it; a function of the CPU profile with its file:line:column in the source the developer wrote), duration, self time, service, status, whether it is on the critical path, and span id of each span; repeated siblings are folded into one line ("SELECT orders x12, 34.0 ms total"). At most max_spans lines per page; continue with cursor. Give trace_id (the whole trace) or request_id (the request\'s SERVER span and everything below it).',
    input: {
      trace_id: traceId.optional(),
      request_id: requestId.optional(),
      max_spans: limit(100, 1000).describe('Most lines (spans or folded groups) per page (default 100, at most 1000)'),
      cursor: cursor.optional(),
    },
    async run(args) {
      const { traceId: id, spans, detail } = await traceOf(args)
      const timeline = traceTimeline(spans)
      // The request each SERVER span began, for get_request: a fetched request shares its caller's trace.
      const requests = await data.requestsBySpan(id)
      const all = traceLines(spans, timeline).map((line) => {
        const requestId = line.count === 1 ? requests.get(line.spanIds[0]!) : undefined
        return requestId === undefined ? line : { ...line, requestId }
      })
      const services = [...new Set(spans.map(serviceOf).filter((s): s is string => s !== undefined))]
      // A request fetched by another recorded request has only its subtree of the caller's trace.
      const part = detail && !args.trace_id ? ((await data.trace(id))?.length ?? spans.length) : spans.length
      const title =
        part > spans.length
          ? `Request ${detail!.id}'s spans in trace ${id}: ${spans.length} of its ${part} spans`
          : `Trace ${id}: ${counted(spans.length, 'span')}`
      // The trace's duration as the waterfall draws it: after the clock-skew adjustment. While
      // a root span runs (a body still being sent) it has none yet: the time it has run so far.
      const runningFor = runningForMs(spans, timeline.roots)
      const durationMs = runningFor === undefined ? timeline.durationNs / 1e6 : undefined
      // The request's response time, when the trace is a request's: work it left running (an
      // email sent after the answer) makes the trace longer, as the waterfall's header says.
      const owner = detail ?? (await data.requestOfTrace(id))
      const responseMs = owner?.durationMs
      const after = afterResponse(durationMs, responseMs, spans.length)
      const dropped = await data.droppedSpans(id)
      const header = `${title}${services.length ? ` from ${services.join(', ')}` : ''}, ${runningFor === undefined ? ms(durationMs) : `still running (started ${ms(runningFor)} ago)`}${after}${part > spans.length ? ' (the rest are its caller\'s: get_trace with trace_id for all)' : ''}${dropped ? `; ${counted(dropped, 'more span')} ${dropped === 1 ? 'was' : 'were'} dropped (over maxSpansPerTrace)` : ''}; ${counted(all.length, 'line')} (repeated siblings folded). Columns: offset, name (and where its code is), duration (self: less its child spans; a CPU-profile span also has its sampled self, the function itself on top of the stack, as get_request's Profile gives it), [service], kind and status (unless UNSET), the request a SERVER span began, CRITICAL on the critical path, clock skew (a span moved into its parent), span ids.`
      const { page, lines: shown } = fitText(paginate('get_trace', all, args.cursor, args.max_spans), lineText, header.length + 500)
      const lines = page.items.map(lineData)
      const text = [header, ...shown, pageNote(page, 'lines')].filter(Boolean).join('\n')
      return {
        text,
        data: {
          traceId: id,
          ...(part > spans.length ? { requestId: detail!.id, traceSpanCount: part } : {}),
          spanCount: spans.length,
          ...(dropped ? { droppedSpans: dropped } : {}),
          services,
          durationMs,
          ...(responseMs !== undefined ? { responseMs } : {}),
          ...(runningFor !== undefined ? { running: true, runningForMs: runningFor } : {}),
          lines,
          ...pageData(page),
        },
      }
    },
  })

  define('get_span', {
    title: 'Spans in full',
    description:
      'Up to 20 spans of a trace in full: attributes (the first 128), events (exceptions, logs; the first 50), links, status, resource and times. An answer holds about 200,000 characters: long values of large spans are cut, and spans that do not fit are named in notShown, to ask for again.',
    input: {
      trace_id: traceId,
      span_ids: spanIds(20).describe('1 to 20 span ids, as get_trace shows them: a list, or one string ("#a1b2c3d4e5f60718,0718a1b2c3d4e5f6")'),
    },
    async run(args) {
      const { all, picked } = await data.requireSpans(args.trace_id, args.span_ids)
      // Offsets from the trace's start as get_trace shows it, each span on its own clock.
      const timeline = traceTimeline(all)
      const start = adjustedStartUnixNano(timeline)
      const skewOf = (span: ToolbarSpan) => timeline.skewNs[timeline.indexOf.get(span.spanId) ?? -1] ?? 0
      const { shown } = fitData(picked.map((span) => spanData(ctx, span, start, skewOf(span))))
      const notShown = picked.slice(shown.length).map((span) => span.spanId)
      const text = shown
        .map((s) =>
          [
            `Span ${s.spanId} "${s.name}" (${s.kind}) parent ${s.parentSpanId ?? '-'} service ${s.service ?? '-'}: +${ms(s.offsetMs)}, ${s.durationMs === undefined ? 'running' : ms(s.durationMs)}${s.clockSkewMs ? ` (as received; clock skew: ${skewText(s.clockSkewMs)} in get_trace and the waterfall)` : ''}, status ${s.status.code}${s.status.message ? ` ${oneLine(s.status.message)}` : ''}`,
            `  attributes: ${Object.entries(s.attributes).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') || 'none'}${s.attributesTruncated ? ` (${s.attributesTruncated} more not shown)` : ''}${dropped(s.droppedAttributesCount, '', s.source, 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT')}`,
            ...s.events.map((e) => `  event +${ms(e.offsetMs)} ${e.name}: ${Object.entries(e.attributes).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`),
            ...(s.eventsTruncated ? [`  (${s.eventsTruncated} more events not shown)`] : []),
            ...(s.droppedEventsCount ? [` ${dropped(s.droppedEventsCount, s.droppedEventsCount === 1 ? 'event ' : 'events ', s.source, 'OTEL_SPAN_EVENT_COUNT_LIMIT')}`] : []),
            ...s.links.map((l) => `  link ${l.traceId}/${l.spanId}`),
            ...(s.droppedLinksCount ? [` ${dropped(s.droppedLinksCount, s.droppedLinksCount === 1 ? 'link ' : 'links ', s.source, 'OTEL_SPAN_LINK_COUNT_LIMIT')}`] : []),
          ].join('\n'),
        )
        .join('\n')
      // First, so that the text cap cannot cut it off.
      const note = notShown.length ? `${notShown.length} ${notShown.length === 1 ? 'span' : 'spans'} not shown to keep the answer short: ${notShown.join(', ')} (ask get_span for them)\n` : ''
      return { text: note + text, data: { traceId: args.trace_id, spans: shown, ...(notShown.length ? { notShown } : {}) } }
    },
  })

  define('get_trace_errors', {
    title: 'What failed in a trace',
    description:
      "Error spans and exceptions of a trace (type, message, stack), the request's failed queries and thrown error, each with the log lines written just before and after it. Give trace_id or request_id.",
    input: {
      trace_id: traceId.optional(),
      request_id: requestId.optional(),
      limit: limit(10, 50),
      cursor: cursor.optional(),
    },
    async run(args) {
      const found = await traceOf(args).catch((error) => {
        // A request without a trace still has its thrown error and failed queries.
        if (args.request_id && !args.trace_id && error instanceof ToolError && /has no trace/.test(error.message)) return undefined
        throw error
      })
      const detail = found?.detail ?? (args.request_id ? await data.request(args.request_id) : await data.requestOfTrace(found!.traceId))
      const items = withLogsAround(requestErrors(found?.spans ?? [], detail), detail)
      const { page, lines } = fitText(paginate('get_trace_errors', items, args.cursor, args.limit), (e) =>
        [
          `${[e.kind.toUpperCase(), e.name && `"${e.target === undefined ? e.name : `${e.name} ${e.target}`}"`, e.service && `[${e.service}]`, e.spanId && `span ${e.spanId}`, e.atMs !== undefined && `at +${ms(e.atMs)}`].filter(Boolean).join(' ')}: ${e.type ? `${e.type}: ` : ''}${oneLine(e.message)}`,
          ...(e.stack ? [foldedStack(e.stack).map((l) => `    ${l}`).join('\n')] : []),
          ...e.logsAround.map((l) => `  log +${ms(l.atMs)} ${l.level.toUpperCase()} ${besideStack(l.message, e.stack)}`),
        ].join('\n'),
      )
      const text = items.length
        ? [...lines, pageNote(page, 'errors')]
            .filter(Boolean)
            .join('\n')
        : `No error in ${found ? `trace ${found.traceId}` : `request ${detail?.id}`}: no span has status ERROR, nothing was thrown, no query failed.`
      return { text, data: { traceId: found?.traceId, requestId: detail?.id, errors: page.items, ...pageData(page) } }
    },
  })
}

/** Each error with the log lines written just before and after it. */
function withLogsAround(items: ErrorItem[], detail: RequestDetail | undefined): Array<ErrorItem & { logsAround: Array<{ level: string; message: string; atMs: number }> }> {
  const logs = detail ? (panelStats<LoggingStats>(detail, 'logging')?.logs ?? []) : []
  return items.map((item) => {
    const at = item.atMs ?? Infinity
    const before = logs.filter((l) => l.startMs <= at).slice(-AROUND.before)
    const after = logs.filter((l) => l.startMs > at).slice(0, AROUND.after)
    return { ...item, logsAround: [...before, ...after].map((l) => ({ level: l.level, message: l.message, atMs: l.startMs })) }
  })
}

function lineData(line: TraceLine) {
  const { spanIds, ...rest } = line
  return { ...rest, spanIds: spanIds.slice(0, GROUP_IDS), ...(spanIds.length > GROUP_IDS ? { moreSpanIds: spanIds.length - GROUP_IDS } : {}) }
}

function lineText(line: TraceLine): string {
  const indent = '  '.repeat(line.depth)
  const service = line.service ? ` [${line.service}]` : ''
  const status = line.status === 'UNSET' ? '' : ` ${line.status}`
  const critical = line.critical ? ' CRITICAL' : ''
  const name = [line.name, line.target ?? line.path, line.at && `at ${line.at}`].filter(Boolean).join(' ')
  const untraced = line.untracedMessages ? `, ${counted(line.untracedMessages, 'more message', 'more messages')} not traced (over maxMessageSpans)` : ''
  if (line.count > 1) {
    // Some members failed, not all: which ones (`ERROR 1 of 3: #09a48d3f6e74a037`).
    const failedIds = line.failed && `#${line.failed.spanIds.join(',')}${line.failed.count > line.failed.spanIds.length ? ',…' : ''}`
    const status = line.failed ? ` ERROR ${line.failed.count} of ${line.count}: ${failedIds}` : line.status === 'UNSET' ? '' : ` ${line.status}`
    const ids = line.spanIds.slice(0, 5).join(',') + (line.spanIds.length > 5 ? `,… (${line.spanIds.length - 5} more)` : '')
    const hidden = line.hiddenDescendants ? `, ${line.hiddenDescendants} child spans folded` : ''
    return `${indent}+${ms(line.offsetMs)} ${name} x${line.count}, ${line.durationMs === undefined ? 'some running' : `${ms(line.durationMs)} total (max ${ms(line.maxMs)}, self ${ms(line.selfMs)}${sampledText(line)})`}${service} ${line.kind}${status}${critical}${hidden}${untraced} #${ids}`
  }
  const duration = line.durationMs === undefined ? 'running' : `${ms(line.durationMs)} (self ${ms(line.selfMs)}${sampledText(line)})`
  const skew = line.clockSkewMs ? ` clock skew: ${skewText(line.clockSkewMs)}` : ''
  const request = line.requestId ? ` request ${line.requestId}` : ''
  return `${indent}+${ms(line.offsetMs)} ${name} ${duration}${service} ${line.kind}${status}${request}${critical}${skew}${untraced} #${line.spanIds[0]}`
}

/** A CPU-profile span's sampled self time, as get_request's Profile line gives it: `; sampled self 36.0 ms`. */
function sampledText(line: TraceLine): string {
  return line.sampledSelfMs === undefined ? '' : `; sampled self ${ms(line.sampledSelfMs)}`
}

/** Which way and how far the clock-skew adjustment moved a span: `drawn 71.2 ms earlier than its clock says`. */
function skewText(skewMs: number): string {
  return `drawn ${ms(Math.abs(skewMs))} ${skewMs > 0 ? 'later' : 'earlier'} than its clock says`
}

function spanData(ctx: McpContext, recorded: ToolbarSpan, traceStart: bigint, skewNs: number) {
  const span = shownSpan(ctx.settings, recorded)
  const offset = (nanos: string) => Number(BigInt(nanos) - traceStart) / 1e6
  const duration = durationNs(span)
  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    service: serviceOf(span),
    offsetMs: offset(span.startTimeUnixNano),
    durationMs: duration === undefined ? undefined : Number(duration) / 1e6,
    ...(skewNs !== 0 && { clockSkewMs: skewNs / 1e6 }),
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    status: span.status,
    ...firstAttributes(span.attributes, SPAN_ATTRIBUTES),
    events: span.events.slice(0, SPAN_ITEMS).map((e) => ({ name: e.name, offsetMs: offset(e.timeUnixNano), ...firstAttributes(e.attributes, ITEM_ATTRIBUTES) })),
    eventsTruncated: Math.max(0, span.events.length - SPAN_ITEMS),
    links: span.links.slice(0, SPAN_ITEMS).map((l) => ({ ...l, ...firstAttributes(l.attributes, ITEM_ATTRIBUTES) })),
    resource: span.resource,
    scope: span.scope,
    source: span.source,
    ...(span.droppedAttributesCount ? { droppedAttributesCount: span.droppedAttributesCount } : {}),
    ...(span.droppedEventsCount ? { droppedEventsCount: span.droppedEventsCount } : {}),
    ...(span.droppedLinksCount ? { droppedLinksCount: span.droppedLinksCount } : {}),
  }
}

/**
 * What a span lost over the span limits (OTLP `dropped*Count`), worded as the waterfall's
 * span detail words it: by this app's SDK when the span is local (the variable that raises
 * the limit is named), else by the sender's SDK or by the toolbar's received-span limits.
 */
function dropped(count: number | undefined, what: string, source: SpanSource, limit: string): string {
  if (!count) return ''
  return ` (${count} more ${what}dropped${source === 'local' ? `: ${limit}` : " by the sender or over the toolbar's limit of 128"})`
}


/** The first `most` attributes, and how many more there were (a span from another service can carry thousands). */
function firstAttributes<T>(attributes: Record<string, T>, most: number): { attributes: Record<string, T>; attributesTruncated?: number } {
  const entries = Object.entries(attributes)
  if (entries.length <= most) return { attributes }
  return { attributes: Object.fromEntries(entries.slice(0, most)), attributesTruncated: entries.length - most }
}

/** How long the first running root span has run (ms, by this process's clock), or undefined when every root has ended. */
function runningForMs(spans: readonly ToolbarSpan[], roots: readonly number[]): number | undefined {
  const running = roots.map((i) => spans[i]!).find((span) => span.endTimeUnixNano === undefined || span.endTimeUnixNano === '')
  if (!running) return undefined
  const startMs = Number(running.startTimeUnixNano) / 1e6
  return Number.isFinite(startMs) ? Math.max(0, Date.now() - startMs) : undefined
}
