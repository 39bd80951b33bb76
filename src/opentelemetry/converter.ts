/**
 * Turns what the data panels recorded for a request into spans of the request's trace, each
 * at its real start time and with its real duration: `hono/timing` timers, SQL queries,
 * template renders, log lines (as span events) and the hot frames of a CPU profile. The spans
 * are made with an ordinary tracer, so they go through the span processors and exporters
 * like any other span, and Jaeger or Zipkin show them too.
 * Longer than 400 lines because it is one class: every kind's conversion shares the request's
 * clock, the tracer, the options and the counts; about a third of its lines are comments.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { Attributes, AttributeValue, Context as OtelContext, HrTime, Span, Tracer } from '@opentelemetry/api'
import type { RequestRecord } from '../core/record.js'
import { isSecretName, REDACTED } from '../core/redact.js'
import { redactSpanText } from '../core/redact-span.js'
import { PROFILE_SAMPLED_SELF_ATTRIBUTE, PROFILE_SAMPLES_ATTRIBUTE } from '../core/trace-analysis/sampled-spans.js'
import { TIMER_SLOT } from '../panels/timer.js'
import { SLOTS } from '../shapes/records.js'
import type { RecordedLog, RecordedQuery, RecordedRender } from '../shapes/records.js'
import type { SlotKey } from '../shapes/slot-key.js'
import type { ConvertOptions } from './options.js'
import { lateRender, runningRender, runsAt, unfinishedRender, type LateWork, type RenderSpan } from './late-work.js'
import { frameSpanName, hotFrames, PROFILER_START_SPAN, profilerStart } from './profile-frames.js'
import { hrTimeAfter, hrTimeFromEpochMs } from './request-span.js'
import { sqlAttributes, sqlSpanName } from './sql-attributes.js'
import { setOwn } from './span-model.js'

export type ConvertKind = keyof ConvertOptions

/** How many items of each kind became spans (log lines: span events). */
export type ConvertCounts = Record<ConvertKind, number>

export interface PanelDataConverterOptions {
  convert?: ConvertOptions
  /** Profile frames shorter than this do not become spans (ms, default 1). */
  profileSpanThresholdMs?: number
  /** Default true: literals of exported SQL become `?` (see sqlAttributes). */
  sanitizeQueries?: boolean
}

/** On a render's span that ended where it was converted, while the render still ran. */
const STILL_RUNNING = 'hono_debug_toolbar.still_running'

/** What a request without panel data converted: shared, since most requests have none. */
const NO_FRAMES = Object.freeze({ frames: [], leftOut: 0 })
const NO_COUNTS: ConvertCounts = Object.freeze({ timer: 0, sql: 0, logging: 0, profiling: 0, templates: 0 })

/**
 * Converts a finished request's panel data into child spans of its SERVER span.
 *
 * @example
 * ```ts
 * const converter = new PanelDataConverter(trace.getTracer('hono-debug-toolbar'), { convert: { logging: false } })
 * // in a panel's onFinish, before the SERVER span ends:
 * const counts = converter.convert(record, serverSpanContext) // { sql: 3, templates: 2, ... }
 * ```
 */
export class PanelDataConverter {
  private readonly enabled: Required<ConvertOptions>
  private readonly profileThresholdMs: number
  private readonly sanitizeQueries: boolean

  constructor(private readonly tracer: Tracer, options: PanelDataConverterOptions = {}) {
    this.enabled = { timer: true, sql: true, logging: true, profiling: true, templates: true, ...options.convert }
    this.profileThresholdMs = options.profileSpanThresholdMs ?? 1
    this.sanitizeQueries = options.sanitizeQueries ?? true
  }

  /**
   * Whether a kind of panel data is converted.
   *
   * @example
   * ```ts
   * const converter = new PanelDataConverter(tracer, { convert: { logging: false } })
   * converter.isEnabled('logging') // false: log lines do not become span events
   * converter.isEnabled('sql') // true
   * ```
   */
  isEnabled(kind: ConvertKind): boolean {
    return this.enabled[kind]
  }

  /**
   * Creates the spans; `parent` is the context whose active span is the request's SERVER span.
   * The counts are read-only: a request with nothing to convert gets one frozen object shared
   * by all such requests. A render still running is converted as ending now (marked
   * `hono_debug_toolbar.still_running`); with `late`, it is noted there (`late.unfinished`), so that what it writes later nests under its span.
   *
   * @example
   * ```ts
   * // in onFinish, with the SERVER span still open
   * const counts = converter.convert(record, trace.setSpan(context.active(), serverSpan))
   * counts // { timer: 1, sql: 3, logging: 2, profiling: 0, templates: 2 }
   * serverSpan.end()
   * ```
   */
  convert(record: RequestRecord, parent: OtelContext, late?: Pick<LateWork, 'unfinished'>): ConvertCounts {
    // Most requests have no panel data to turn into spans: nothing is made for them.
    if (!record.peek(SLOTS.templates) && !record.peek(SLOTS.logging) && !record.peek(SLOTS.sql) && !record.peek(TIMER_SLOT) && !record.peek(SLOTS.profiling)) return NO_COUNTS
    const counts: ConvertCounts = { timer: 0, sql: 0, logging: 0, profiling: 0, templates: 0 }
    const at = (offsetMs: number) => hrTimeFromEpochMs(record.startedAt + offsetMs)
    const server = trace.getSpan(parent)

    // The app's own spans (`tracer.startActiveSpan`) that were open where something was
    // recorded, as parents: made once per span id.
    const appSpans = new AppSpans(parent, server)

    // Renders first: queries and log lines written during a render nest under its span.
    const renders = this.enabled.templates ? (record.peek(SLOTS.templates)?.renders ?? []) : []
    const renderSpans = new Map<number, RenderSpan>()
    for (const render of [...renders].sort((a, b) => a.id - b.id)) {
      const outer = render.parentId !== undefined ? renderSpans.get(render.parentId) : undefined
      const parentContext = appSpans.inner(render.spanId, outer)?.context ?? outer?.context ?? parent
      const span = this.renderSpan(render, parentContext, at)
      renderSpans.set(render.id, { render, span, context: trace.setSpan(parentContext, span) })
      counts.templates++
    }

    if (this.enabled.logging) {
      for (const log of record.peek(SLOTS.logging)?.logs ?? []) {
        const render = log.renderId !== undefined ? renderSpans.get(log.renderId) : undefined
        const target = appSpans.inner(log.spanId, render)?.span ?? render?.span ?? server
        if (!target) continue
        this.logOn(target, parent, log, at)
        counts.logging++
      }
    }

    if (this.enabled.sql) {
      // Each file the queries were called from is looked at once for its source map.
      const checked = new Set<string>()
      for (const query of record.peek(SLOTS.sql)?.queries ?? []) {
        // The render it was made in (a query made outside every render has none, and is not
        // put in one that ran at the time). A render over `maxRenders` was not kept: its query
        // goes by time, in the innermost kept render that holds it.
        const render = query.renderId !== undefined ? renderSpans.get(query.renderId) : undefined
        const byTime = query.renderId !== undefined && render === undefined && query.spanId === undefined
        const enclosing = appSpans.inner(query.spanId, render)?.context ?? render?.context ?? (byTime ? innermostRender(query, renderSpans.values()) : undefined)
        this.querySpan(query, enclosing ?? parent, at, checked)
        counts.sql++
      }
    }

    for (const converted of renderSpans.values()) {
      const { render, span } = converted
      endRender(span, render, at, record.now())
      // Still running: what it writes later nests under this span (see convertLate).
      if (late && render.durationMs === undefined) (late.unfinished ??= new Map()).set(render.id, converted)
    }

    if (this.enabled.timer) {
      for (const metric of record.peek(TIMER_SLOT)?.metrics ?? []) {
        if (metric.startMs === undefined || metric.durationMs === undefined) continue
        const attributes: Attributes = { 'hono.timing.name': metric.name }
        if (metric.description) attributes['hono.timing.description'] = metric.description
        const start = at(metric.startMs)
        const span = this.tracer.startSpan(metric.name, { kind: SpanKind.INTERNAL, startTime: start, attributes }, parent)
        span.end(hrTimeAfter(start, metric.durationMs))
        counts.timer++
      }
    }

    const profile = this.enabled.profiling ? record.peek(SLOTS.profiling) : undefined
    // The root span is longer by what starting the profiler took: the waterfall says where it went.
    const started = profile && profilerStart(profile)
    if (started) {
      const start = at(started.startMs)
      const attributes = { 'hono_debug_toolbar.kind': 'profiler' }
      this.tracer.startSpan(PROFILER_START_SPAN, { kind: SpanKind.INTERNAL, startTime: start, attributes }, parent).end(hrTimeAfter(start, started.durationMs))
      counts.profiling++
    }
    // Parents come first: a function's span nests under the app function that called it.
    const frameContexts: OtelContext[] = []
    const { frames, leftOut } = profile ? hotFrames(profile, this.profileThresholdMs) : NO_FRAMES
    // The span detail and get_span say that shorter frames were left out (the Profiling panel has them).
    if (leftOut > 0) trace.getSpan(parent)?.setAttribute('profile.frames.left_out', leftOut)
    for (const frame of frames) {
      const frameParent = (frame.parentIndex !== undefined && frameContexts[frame.parentIndex]) || parent
      const start = at(frame.startMs)
      const span = this.tracer.startSpan(frameSpanName(frame), {
        kind: SpanKind.INTERNAL,
        startTime: start,
        attributes: {
          'code.function.name': frame.functionName,
          'code.file.path': frame.filePath,
          'code.line.number': frame.lineNumber,
          'code.column.number': frame.columnNumber,
          [PROFILE_SAMPLES_ATTRIBUTE]: frame.samples,
          [PROFILE_SAMPLED_SELF_ATTRIBUTE]: frame.selfMs,
        },
      }, frameParent)
      frameContexts.push(trace.setSpan(frameParent, span))
      span.end(hrTimeAfter(start, frame.durationMs))
      counts.profiling++
    }
    return counts
  }

  /**
   * Converts one item written after the request finished (`record.wrote(slot, item)`: a
   * line logged, a query run or a render ended by work the request left running), counts
   * what became spans in `late.counts` and answers how many items that was. The SERVER span
   * has ended by then: the item goes into the span the app has open for that work when
   * there is one (the active span, if it records and belongs to the request's trace), else
   * under the SERVER span, a log line on a zero-length span of its own (`log <level>`). An
   * item written inside a render that started after the response and still runs waits for
   * it (in `late.waiting`): once the render ends, its span is made and the item nests under
   * it, as during the request (a line by the render it was written in, a query by the
   * innermost render running when it started). An item written inside a render that was still
   * running when the request was converted (`late.unfinished`) nests under that render's span.
   *
   * @example
   * ```ts
   * // after the response: recordQuery({ sql: 'INSERT INTO outbox ...', durationMs: 1.5 })
   * const late = { counts: { timer: 0, sql: 0, logging: 0, profiling: 0, templates: 0 }, rendersFrom: 1 }
   * converter.convertLate(record, serverContext, SLOTS.sql, query, late) // 1: a CLIENT span under the SERVER span
   * late.counts.sql // 1
   * ```
   */
  convertLate(record: RequestRecord, parent: OtelContext, slot: SlotKey<unknown>, item: unknown, late: LateWork): number {
    const kind = this.kindOf(slot)
    if (!kind) return 0
    if (kind === 'templates' && (item as RecordedRender).id < late.rendersFrom) return 0
    const running = this.enabled.templates ? runningRender(record, kind, item, late.rendersFrom) : undefined
    if (running) {
      late.waiting ??= new Map()
      const waiting = late.waiting.get(running.id)
      if (waiting) waiting.push({ kind, item })
      else late.waiting.set(running.id, [{ kind, item }])
      return 0
    }
    // Counted into from here on; the counts of a request that converted nothing are one frozen object shared by all.
    if (Object.isFrozen(late.counts)) late.counts = { ...late.counts }
    const at = (offsetMs: number) => hrTimeFromEpochMs(record.startedAt + offsetMs)
    // Only a converted render is noted there: with templates not converted, there is none.
    const unfinished = late.unfinished ? unfinishedRender(kind, item, late.unfinished) : undefined
    if (unfinished) return this.lateItem(kind, item, unfinished.context, unfinished.span, parent, late, at)
    const server = trace.getSpan(parent)
    const open = appSpan(server)
    const target = open ?? server
    if (kind === 'logging' && !target) return 0
    return this.lateItem(kind, item, open ? context.active() : parent, target!, parent, late, at)
  }

  /**
   * Notes a render that started after the response (`record.wroteStart`) in `late.waiting`,
   * as if something written in it waited for it: if it still runs when the trace stops
   * taking spans, `convertWaiting` converts it then, as still running, though nothing was
   * written in it (a render that never ends included). Its end, within the window, converts
   * it once as any late render (`convertLate`). Only a render converted late is noted
   * (templates converted, and one of `late.rendersFrom` on). Called where the render starts,
   * with `parent` (the context of the request's SERVER span): the span the app has open there,
   * if any (the active span, when it records and is of the trace of `parent`'s span), is kept in
   * `late.startedIn`, the parent of the render's span if it is converted still running.
   *
   * @example
   * ```ts
   * // after the response, in the app's span 'send receipt': renderTemplate('receipt email', () => queue.send(mail)), a queue that never answers
   * converter.awaitLateRender(SLOTS.templates, render, late, serverContext)
   * late.waiting?.get(render.id) // []: converted as still running when the trace stops, unless it ends first
   * late.startedIn?.get(render.id) // the context of 'send receipt': the parent of its span then
   * ```
   */
  awaitLateRender(slot: SlotKey<unknown>, item: unknown, late: LateWork, parent?: OtelContext): void {
    const id = (item as RecordedRender).id
    if (this.kindOf(slot) !== 'templates' || id < late.rendersFrom) return
    late.waiting ??= new Map()
    if (late.waiting.has(id)) return
    late.waiting.set(id, [])
    if (parent && appSpan(trace.getSpan(parent))) (late.startedIn ??= new Map()).set(id, context.active())
  }

  /**
   * Converts what still waits for renders made after the response (`late.waiting`) when the
   * trace stops taking spans (`TraceStore.closing`): each render waited for, and each render
   * still running around it, becomes a span ending at `endMs` (ms into the request: the moment
   * the trace stopped), marked `hono_debug_toolbar.still_running`, as a render still running at
   * the response ends with the request; one that has ended since that moment gets its real end
   * and error. What waited for it nests under it as when a render ends. Answers the items
   * converted.
   *
   * @example
   * ```ts
   * // the late window is over; the receipt email's render still runs, a line it logged waits for it
   * const endMs = record.offsetOf(traces.closesAt(traceId)!)
   * traces.closing(traceId, () => converter.convertWaiting(record, serverContext, late, endMs)) // 2: the render and its line
   * ```
   */
  convertWaiting(record: RequestRecord, parent: OtelContext, late: LateWork, endMs: number): number {
    const waiting = late.waiting
    if (!waiting) return 0
    if (Object.isFrozen(late.counts)) late.counts = { ...late.counts }
    const at = (offsetMs: number) => hrTimeFromEpochMs(record.startedAt + offsetMs)
    const renders = record.peek(SLOTS.templates)?.renders ?? []
    const made = new Map<number, RenderSpan>()
    // A render running at `endMs` gets its span inside its parent's, when that one runs too.
    const open = (render: RecordedRender): RenderSpan => {
      const done = made.get(render.id)
      if (done) return done
      const outer = render.parentId === undefined ? undefined : lateRender(renders, render.parentId, late.rendersFrom)
      const into = outer && runsAt(outer, endMs) ? open(outer).context : (render.parentId !== undefined && late.unfinished?.get(render.parentId)?.context) || late.startedIn?.get(render.id) || parent
      // One that ended since the trace stopped (its end is what converts this) has its end and error known.
      const span = this.renderSpan(render, into, at)
      const converted = { render, span, context: trace.setSpan(into, span) }
      made.set(render.id, converted)
      late.counts.templates++
      return converted
    }
    let count = 0
    for (const id of [...waiting.keys()]) {
      const render = lateRender(renders, id, late.rendersFrom)
      // A render that ended in time waits in its parent's list: converted with it.
      const items = waiting.get(id)
      if (!items || !render || !runsAt(render, endMs)) continue
      waiting.delete(id)
      const inside = open(render)
      for (const entry of items) count += this.lateItem(entry.kind, entry.item, inside.context, inside.span, parent, late, at)
    }
    for (const { span, render } of made.values()) endRender(span, render, at, endMs)
    late.waiting = undefined
    late.startedIn = undefined
    return count + made.size
  }

  /** Which kind of converted data a slot holds, if that kind is converted. */
  private kindOf(slot: SlotKey<unknown>): ConvertKind | undefined {
    if (slot === SLOTS.logging) return this.enabled.logging ? 'logging' : undefined
    if (slot === SLOTS.sql) return this.enabled.sql ? 'sql' : undefined
    if (slot === SLOTS.templates) return this.enabled.templates ? 'templates' : undefined
    return undefined
  }

  /**
   * Makes the span of one late item under `into` (a log line: an event on `target`), and for
   * a render, the spans of what waited for it inside its span. Answers the items converted.
   */
  private lateItem(kind: ConvertKind, item: unknown, into: OtelContext, target: Span, server: OtelContext, late: LateWork, at: (ms: number) => HrTime): number {
    late.counts[kind]++
    if (kind === 'logging') {
      this.logOn(target, server, item as RecordedLog, at)
      return 1
    }
    if (kind === 'sql') {
      this.querySpan(item as RecordedQuery, into, at)
      return 1
    }
    const render = item as RecordedRender
    const span = this.renderSpan(render, into, at)
    const inside = trace.setSpan(into, span)
    let converted = 1
    // Converted at its end: the span open where it started is not needed any more.
    late.startedIn?.delete(render.id)
    const waiting = late.waiting?.get(render.id)
    if (waiting) {
      late.waiting!.delete(render.id)
      for (const entry of waiting) converted += this.lateItem(entry.kind, entry.item, inside, span, server, late, at)
    }
    endRender(span, render, at, render.startMs)
    return converted
  }

  /** A render's span, started (and failed, for a render that threw); the caller ends it with `endRender()`. */
  private renderSpan(render: RecordedRender, parent: OtelContext, at: (ms: number) => HrTime): Span {
    const span = this.tracer.startSpan(`render ${render.name}`, { kind: SpanKind.INTERNAL, startTime: at(render.startMs), attributes: { 'template.name': render.name } }, parent)
    if (render.error) fail(span, 'TemplateError', render.error, at(render.startMs + (render.durationMs ?? 0)))
    return span
  }

  private querySpan(query: RecordedQuery, parent: OtelContext, at: (ms: number) => HrTime, checked?: Set<string>): void {
    const start = at(query.startMs)
    const attributes = sqlAttributes(query, { sanitize: this.sanitizeQueries, checked })
    // The name is the summary the attributes already hold (read once), else what sqlSpanName falls back to.
    const summary = attributes['db.query.summary']
    const span = this.tracer.startSpan(typeof summary === 'string' ? summary : sqlSpanName(query), { kind: SpanKind.CLIENT, startTime: start, attributes }, parent)
    // The end from the start and the query's duration: the span lasts what the SQL panel shows.
    const end = hrTimeAfter(start, query.durationMs)
    if (query.error) fail(span, 'DatabaseError', query.error, end)
    span.end(end)
  }

  /**
   * A log line as the event `log` of `target`. An adopted SERVER span (the app's
   * instrumentation's) may have ended before the toolbar finishes, and always has for a line
   * logged after the response: the line then goes on a zero-length span of its own under
   * it, named `log <level>`, with the line as its attributes too (Zipkin keeps only the
   * names of events).
   */
  private logOn(target: Span, parent: OtelContext, log: RecordedLog, at: (ms: number) => HrTime): void {
    const attributes = logAttributes(log)
    const time = at(log.startMs)
    if (target.isRecording()) {
      target.addEvent('log', attributes, time)
      return
    }
    const holder = this.tracer.startSpan(`log ${log.level}`, { kind: SpanKind.INTERNAL, startTime: time, attributes }, trace.setSpan(parent, target))
    holder.addEvent('log', attributes, time)
    holder.end(time)
  }
}

/**
 * The span the app has open for the work running now, if it is not `server` (the request's
 * or handler's span): the active span, when it records and belongs to `server`'s trace.
 */
function appSpan(server: Span | undefined): Span | undefined {
  const active = trace.getActiveSpan()
  return active !== undefined && active !== server && active.isRecording() && active.spanContext().traceId === server?.spanContext().traceId ? active : undefined
}

/**
 * The app's own spans that were open where a render, query or log line was recorded
 * (`spanId`, see `OpenSpanSource`), as parents of what the converter makes: a span context
 * of the request's trace with that id, made once per id. The app's span may have ended.
 */
class AppSpans {
  private readonly made = new Map<string, { span: Span; context: OtelContext }>()

  constructor(
    private readonly parent: OtelContext,
    private readonly server: Span | undefined,
  ) {}

  /**
   * The app's span `spanId` when it is inside `render` (or there is no render): it was opened
   * after the render started, where the render's own `spanId` (the app's span open when it
   * started) is another. Undefined when the render is the inner one, or there is no app span.
   */
  inner(spanId: string | undefined, render: { render: RecordedRender } | undefined): { span: Span; context: OtelContext } | undefined {
    if (spanId === undefined || spanId === render?.render.spanId || !this.server) return undefined
    let entry = this.made.get(spanId)
    if (!entry) {
      const { traceId, traceFlags } = this.server.spanContext()
      const span = trace.wrapSpanContext({ traceId, spanId, traceFlags })
      entry = { span, context: trace.setSpan(this.parent, span) }
      this.made.set(spanId, entry)
    }
    return entry
  }
}

/** The innermost render whose time window holds the whole query, if any. */
function innermostRender(query: RecordedQuery, renders: Iterable<RenderSpan>): OtelContext | undefined {
  let best: RenderSpan | undefined
  for (const entry of renders) {
    const { startMs, durationMs } = entry.render
    if (durationMs === undefined || query.startMs < startMs || query.startMs + query.durationMs > startMs + durationMs) continue
    if (!best || startMs >= best.render.startMs) best = entry
  }
  return best?.context
}

// The message is redacted as the SERVER span's exception is: a driver's may quote the value it refused.
function fail(span: Span, type: string, error: string, time: HrTime): void {
  const message = redactSpanText(error)
  span.addEvent('exception', { 'exception.type': type, 'exception.message': message }, time)
  span.setStatus({ code: SpanStatusCode.ERROR, message })
}

/** A log line's span event attributes: its severity, message and source, then its own attributes (secret names redacted). */
function logAttributes(log: RecordedLog): Attributes {
  const attributes: Attributes = { 'log.severity': log.level, 'log.message': log.message, 'log.source': log.source }
  for (const [key, value] of Object.entries(log.attributes)) if (!Object.hasOwn(attributes, key)) setOwn(attributes, key, attributeValue(key, value))
  return attributes
}

function attributeValue(key: string, value: unknown): AttributeValue {
  if (isSecretName(key)) return REDACTED
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/**
 * Ends a render's span at its start plus the render's measured duration, so that the
 * waterfall reads the Templates panel's time to the nanosecond (both ends rounded apart could
 * differ by a microsecond). A render still running ends at `nowMs`, marked
 * `hono_debug_toolbar.still_running`: that end is where it was converted, not the render's.
 */
function endRender(span: Span, render: RecordedRender, at: (ms: number) => HrTime, nowMs: number): void {
  if (render.durationMs !== undefined) return span.end(hrTimeAfter(at(render.startMs), render.durationMs))
  span.setAttribute(STILL_RUNNING, true)
  span.end(at(nowMs))
}
