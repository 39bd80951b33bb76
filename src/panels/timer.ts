import type { Context, Hono } from 'hono'
import type { ToolbarHost } from '../core/host.js'
import { loaderTagBytesSent } from '../core/loader.js'
import { Panel, type ServerTimingMetric } from '../core/panel.js'
import { formatMs } from '../shapes/format.js'
import { currentRecord, slotKey, type RequestRecord } from '../core/record.js'
import { TOTAL_METRIC } from '../shapes/server-timing-names.js'
import { cutText } from '../core/cut-text.js'

/** A `hono/timing` metric as the request recorded it. */
export interface TimingMetric {
  name: string
  description?: string
  durationMs: number | undefined
  /** Offset from the request start, known for `startTime`/`endTime` timers; undefined for `setMetric` values. */
  startMs: number | undefined
  /** A `setMetric(c, name, 'value')` metric carries a value instead of a duration. */
  value?: string
}

export interface TimerStats {
  /** From the request's arrival until the last byte of the body was sent. */
  totalMs: number | undefined
  /** From the arrival until the handler returned and the headers were ready. */
  headersMs: number | undefined
  /** True when the body kept coming after the headers (a stream). */
  streamed: boolean
  responseBytes: number
  /** Bytes the toolbar's loader tag added on top of `responseBytes` (Content-Length counts them), when known. */
  loaderTagBytes?: number
  aborted: boolean
  /**
   * A middleware registered before the toolbar sent another response than the toolbar's
   * (runtimes other than Node): the status is the one answered, the body sent was not seen,
   * and `totalMs` runs to when the toolbar's response was ready.
   */
  responseReplaced: boolean
  startedAt: string
  metrics: TimingMetric[]
  /** hono/timing metrics past `MAX_TIMER_METRICS`, counted and not kept. */
  dropped: number
}

interface TimerSlot {
  metrics: TimingMetric[]
  dropped: number
  /**
   * Which entries of hono/timing's header list the watched timers wrote (their index), kept
   * or dropped: `onResponse` reads the other entries (`setMetric` values), once each. Null
   * once it has (timers that hono/timing ends later, when it runs before the toolbar, are
   * recorded by the watch alone).
   */
  timerEntries: Set<number> | undefined | null
}

/** The hono/timing metrics kept per request; the others are counted (an app timing each item of a loop). */
export const MAX_TIMER_METRICS = 256

/**
 * The longest hono/timing metric name or description kept (characters), as a template's
 * name: an app that names a timer from data (a URL, a query) kept it whole in the history.
 */
export const MAX_TIMER_TEXT_CHARS = 1024

/** The Timer panel's slot: the `hono/timing` metrics of the request (the converter reads it). */
export const TIMER_SLOT = slotKey<TimerSlot>('timer')

type Timers = Map<string, { description?: string; start: number }>

/**
 * Time spent on the request: until the headers, until the last byte (streams), and each
 * `hono/timing` metric with its start offset when it was timed with `startTime`/`endTime`.
 *
 * @example
 * ```ts
 * app.use(debugToolbar({ panels: [new TimerPanel()] }))
 * ```
 */
export class TimerPanel extends Panel<TimerStats> {
  readonly id = 'timer'
  readonly title = 'Time'

  private app: Hono | undefined
  /** Whether requests need `c.set` watched, and for how many app routes that was decided. */
  private setWatch: { routes: number; needed: boolean } | undefined
  /** Set once a request showed hono/timing metrics that nobody watched: watch from then on. */
  private missedTiming = false

  /**
   * Reads the app given to `debugToolbar({ app })`, to know whether hono/timing runs after the
   * toolbar.
   *
   * @example
   * ```ts
   * const app = new Hono()
   * app.use(debugToolbar({ app, panels: [new TimerPanel()] })) // the toolbar calls setup(host) once
   * app.use(timing())
   * ```
   */
  setup(host: ToolbarHost): void {
    this.app = host.app
  }

  /**
   * Watches the request's hono/timing timers, so each metric keeps when it started.
   *
   * @example
   * ```ts
   * app.get('/report', async (c) => {
   *   startTime(c, 'db', 'Database') // with app.use(timing()): panel.onRequest watched the timers
   *   await db.query('SELECT 1')
   *   endTime(c, 'db') // metric { name: 'db', description: 'Database', startMs: 1.2, durationMs: 4.8 }
   *   return c.text('ok')
   * })
   * ```
   */
  onRequest(record: RequestRecord, c: Context): void {
    // hono/timing keeps running timers in a Map on the context's `metric` variable and
    // only reports durations. Watching this request's Map (one object, per request)
    // gives each timer's real start and end, whichever order the middlewares run in.
    const metric = c.get('metric' as never) as { timers?: Timers } | undefined
    if (metric) {
      // hono/timing ran before the toolbar: its Map is there already.
      watchTimers(record, metric)
      return
    }
    // hono/timing registered after the toolbar sets `metric` later: only then is `c.set`
    // wrapped, since a wrapper per request costs every request (about a tenth of the
    // requests per second of an app that never uses hono/timing).
    if (!this.watchesSet()) return
    // The wrapper finds the record when `metric` is set rather than holding it: a context
    // that points at its record keeps every recent request alive through young collections.
    const set = c.set
    c.set = ((key: string, value: unknown) => {
      set(key as never, value as never)
      if (key === 'metric') {
        const current = currentRecord()
        if (current) watchTimers(current, value as { timers?: Timers })
      }
    }) as typeof c.set
  }

  /**
   * Whether the app uses hono/timing after the toolbar: its middleware is in the route
   * table (decided again when routes are added). Without the app, or when a request shows
   * metrics nobody watched (a timing middleware under another name), always.
   */
  private watchesSet(): boolean {
    const app = this.app
    if (!app || this.missedTiming) return true
    const routes = app.routes.length
    if (this.setWatch?.routes !== routes) this.setWatch = { routes, needed: app.routes.some((route) => route.handler.name === 'timing') }
    return this.setWatch.needed
  }

  /**
   * Reads the hono/timing entries no timer wrote (`setMetric` values and durations).
   *
   * @example
   * ```ts
   * app.get('/', (c) => {
   *   setMetric(c, 'region', 'eu-west') // after the handler, panel.onResponse(record, c) keeps it
   *   return c.text('ok')
   * })
   * ```
   */
  onResponse(record: RequestRecord, c: Context): void {
    const metric = c.get('metric' as never) as { headers?: string[]; timers?: Timers } | undefined
    const headers = metric?.headers
    if (!headers || headers.length === 0) return
    if (metric.timers && !(metric.timers as { __hdtWatched?: true }).__hdtWatched) this.missedTiming = true
    const slot = record.slot(TIMER_SLOT, newTimerSlot)
    const timed = slot.timerEntries
    slot.timerEntries = null
    for (let i = 0; i < headers.length; i++) {
      if (timed?.has(i)) continue
      const metric = parseMetric(headers[i]!)
      if (metric && metric.name !== 'total') keepMetric(slot, metric)
    }
  }

  /**
   * The request's times (until the headers, until the last byte) and its hono/timing metrics.
   *
   * @example
   * ```ts
   * const stats = new TimerPanel().generateStats(record)
   * stats.headersMs // 3.1
   * stats.totalMs // 12.4: the last byte of a streamed body
   * stats.metrics // [{ name: 'db', description: 'Database', startMs: 1.2, durationMs: 4.8 }]
   * ```
   */
  generateStats(record: RequestRecord): TimerStats {
    return {
      totalMs: record.durationMs,
      headersMs: record.headersMs,
      streamed: record.streamed,
      responseBytes: record.responseBytes,
      loaderTagBytes: loaderTagBytesSent(record),
      aborted: record.aborted,
      responseReplaced: record.responseReplaced,
      startedAt: new Date(record.startedAt).toISOString(),
      metrics: record.peek(TIMER_SLOT)?.metrics ?? [],
      dropped: record.peek(TIMER_SLOT)?.dropped ?? 0,
    }
  }

  /**
   * The line under "Time" in the panel list.
   *
   * @example
   * ```ts
   * panel.navSubtitle(panel.generateStats(record)) // '12.4 ms', or 'in flight' while the body is sent
   * ```
   */
  navSubtitle(stats: TimerStats): string {
    return stats.totalMs === undefined ? 'in flight' : formatMs(stats.totalMs)
  }

  /**
   * The `hdt-total` entry of the response's `Server-Timing` header: the time until the headers.
   *
   * @example
   * ```ts
   * panel.serverTiming(record) // [{ name: 'hdt-total', dur: 3.1, desc: 'hono-debug-toolbar' }]
   * ```
   */
  serverTiming(record: RequestRecord): ServerTimingMetric[] {
    return [{ name: TOTAL_METRIC, dur: record.headersMs ?? record.now(), desc: 'hono-debug-toolbar' }]
  }
}


const newTimerSlot = (): TimerSlot => ({ metrics: [], dropped: 0, timerEntries: undefined })

/** Keeps `metric` with its name and description cut, or counts it when the request has kept its share. */
function keepMetric(slot: TimerSlot, metric: TimingMetric): void {
  if (slot.metrics.length >= MAX_TIMER_METRICS) {
    slot.dropped++
    return
  }
  metric.name = cutText(metric.name, MAX_TIMER_TEXT_CHARS)
  if (metric.description !== undefined) metric.description = cutText(metric.description, MAX_TIMER_TEXT_CHARS)
  if (metric.value !== undefined) metric.value = metric.description
  slot.metrics.push(metric)
}

/** Records each hono/timing timer of `metric` when it ends, with its real start. */
function watchTimers(record: RequestRecord, metric: { headers?: string[]; timers?: Timers } | undefined): void {
  const timers = metric?.timers
  if (!timers || (timers as { __hdtWatched?: true }).__hdtWatched) return
  Object.defineProperty(timers, '__hdtWatched', { value: true })
  const headers = metric.headers
  const slot = record.slot(TIMER_SLOT, newTimerSlot)
  const del = timers.delete.bind(timers)
  timers.delete = (name: string) => {
    const timer = timers.get(name)
    if (timer && name !== 'total') {
      // endTime() wrote the timer's header entry just before it deletes the timer.
      if (headers && headers.length > 0 && slot.timerEntries !== null) (slot.timerEntries ??= new Set()).add(headers.length - 1)
      keepMetric(slot, {
        name: String(name),
        description: timer.description === undefined ? undefined : String(timer.description),
        startMs: record.offsetOf(timer.start),
        // The time endTime() measured, not the time it then took to write the header entry
        // (milliseconds on a cold or profiled call): the span then ends where the app's own
        // work resumed, and reads as the Server-Timing header says.
        durationMs: entryDuration(headers?.[headers.length - 1], name) ?? performance.now() - timer.start,
      })
    }
    return del(name)
  }
}

/**
 * The duration in a timer's header entry as endTime() writes it (`db;dur=12.3;desc="..."`),
 * or undefined when `entry` is not `name`'s.
 */
function entryDuration(entry: string | undefined, name: string): number | undefined {
  if (entry === undefined || !entry.startsWith(name) || !entry.startsWith(';dur=', name.length)) return undefined
  const dur = parseFloat(entry.slice(name.length + 5))
  return Number.isFinite(dur) ? dur : undefined
}

// One parameter: `;dur=12.3`, or `;desc="..."`, a quoted string that may hold `;` and `,`,
// with `"` and `\` escaped by a backslash (hono/timing quotes every description so).
const METRIC_PARAM = /;\s*([^=;\s]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;]*))?/g

/** Parses one hono/timing entry: `db;dur=12.3;desc="Database"` or `region;desc="eu; west"`. */
export function parseMetric(entry: string): TimingMetric | undefined {
  const semi = entry.indexOf(';')
  const name = (semi < 0 ? entry : entry.slice(0, semi)).trim()
  if (!name) return undefined
  const metric: TimingMetric = { name, durationMs: undefined, startMs: undefined }
  for (const [, key, raw = ''] of semi < 0 ? [] : entry.slice(semi).matchAll(METRIC_PARAM)) {
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw.trim()
    if (key === 'dur') metric.durationMs = Number(value)
    else if (key === 'desc') metric.description = value
  }
  if (metric.durationMs === undefined && metric.description !== undefined) metric.value = metric.description
  return metric
}
