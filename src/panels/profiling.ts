import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { Panel, type ServerTimingMetric } from '../core/panel.js'
import { formatMs } from '../shapes/format.js'
import { slotKey, type RequestRecord } from '../core/record.js'
import type { ToolbarHost } from '../core/host.js'
import { SERVER_TIMING_PREFIX } from '../core/server-timing.js'
import { DEFAULT_KEEP_WARM_MS, isProfilerWarm, isProfiling, startProfile, startProfilerAhead, stopKeepingProfilerWarm, stopProfile } from '../recorders/profiling.js'
import { PROFILE_COOKIE, PROFILE_HEADER, PROFILE_QUERY, SLOTS } from '../shapes/records.js'
import { summariseProfile, type CallTreeNode, type FlameFrame, type ProfileFunction } from './cpu-profile.js'

export type { CallTreeNode, FlameFrame, ProfileFunction } from './cpu-profile.js'

export interface ProfilingOptions {
  /** Microseconds between two samples of the V8 profiler. Default 100. */
  samplingIntervalUs?: number
  /**
   * How long V8's profiler keeps running after a profiled request, or after the panel's
   * toggle switched profiling on, in ms, so that the next profiled request starts it in well
   * under a millisecond instead of 15-30 ms. Meanwhile every request of the process is
   * sampled (about 8% of the main thread at 100 µs). Default 30000; 0 stops the profiler
   * with each profile (and the toggle starts nothing ahead).
   */
  keepWarmMs?: number
}

export interface ProfilingStats {
  /** The request asked for a profile (`?_dt_profile=1`, the header or the toolbar's cookie). */
  requested: boolean
  /** A profile was taken. */
  profiled: boolean
  /** Why a requested profile is missing. */
  skipped: string | undefined
  samplingIntervalUs: number
  /** Offset of the profile's start from the request start, in ms, and how far off it may be. */
  startMs: number | undefined
  startErrorMs: number | undefined
  /** What starting the profiler added to this request, in ms. */
  startCostMs: number | undefined
  /**
   * V8's profiler was already running (kept after an earlier profiled request for
   * `keepWarmMs`, or started when the toolbar's toggle switched profiling on), so starting
   * this profile cost next to nothing.
   */
  startedWarm: boolean
  /**
   * A request that was not profiled started while V8's profiler ran (another request was
   * profiled, or the profiler was kept running after one): its times include the sampler's.
   */
  profilerRunning: boolean
  /** Length of the profile, in ms. */
  totalMs: number | undefined
  samples: number
  /** The hottest functions by self time. */
  topFunctions: ProfileFunction[]
  /** The call tree, pruned of nodes under 0.1% of the profile. */
  callTree: CallTreeNode[]
  /** Flame chart frames, placed relative to the request start. */
  flame: FlameFrame[]
  /** Call tree nodes and flame frames too small to show. */
  omitted: number
  /** The raw profile, under the toolbar's prefix: `/api/profiles/<id>.cpuprofile`. */
  download: string | undefined
}

/**
 * A CPU profile of one request, taken with the V8 profiler through node:inspector when
 * the request asks for it: `?_dt_profile=1`, the header `X-Debug-Toolbar-Profile: 1`, or
 * the cookie `hdt_profile=1` that the panel's toggle sets. The profiler samples the whole
 * main thread, so one request is profiled at a time. Starting V8's profiler costs tens of
 * milliseconds: the toggle starts it when it switches profiling on, and it keeps running for
 * `keepWarmMs` after that and after each profiled request, so that the next one starts in
 * well under a millisecond (every request is sampled meanwhile).
 *
 * @example
 * ```ts
 * app.use(debugToolbar({ panels: [...defaultPanels().filter((p) => p.id !== 'profiling'), new ProfilingPanel({ samplingIntervalUs: 500 })] }))
 * // then: curl 'http://localhost:3000/report?_dt_profile=1'
 * ```
 */
export class ProfilingPanel extends Panel<ProfilingStats> {
  readonly id = 'profiling'
  readonly title = 'Profile'
  private readonly samplingIntervalUs: number
  private readonly keepWarmMs: number

  constructor(options: ProfilingOptions = {}) {
    super()
    this.samplingIntervalUs = options.samplingIntervalUs ?? 100
    if (!Number.isInteger(this.samplingIntervalUs) || this.samplingIntervalUs < 1) {
      throw new TypeError(`ProfilingPanel: samplingIntervalUs must be a whole number of microseconds >= 1, got ${options.samplingIntervalUs}`)
    }
    this.keepWarmMs = options.keepWarmMs ?? DEFAULT_KEEP_WARM_MS
    if (!Number.isFinite(this.keepWarmMs) || this.keepWarmMs < 0) {
      throw new TypeError(`ProfilingPanel: keepWarmMs must be a number of milliseconds >= 0, got ${options.keepWarmMs}`)
    }
  }

  /**
   * Registers `GET {prefix}/api/profiles/<requestId>.cpuprofile`, the raw profile to download,
   * and `POST` / `DELETE {prefix}/api/profiler`, which the panel's toggle calls: V8's profiler
   * is started when profiling is switched on (so that the first profiled request does not
   * pay its setup) and stopped when it is switched off (so that the requests that follow are
   * not sampled).
   *
   * @example
   * ```ts
   * app.use(debugToolbar({ panels: [new ProfilingPanel()] })) // the toolbar calls setup(host) once
   * const res = await app.request(`/_debug_toolbar/api/profiles/${requestId}.cpuprofile`)
   * // a .cpuprofile file that Chrome DevTools opens, or 404 when that request was not profiled
   * await app.request('/_debug_toolbar/api/profiler', { method: 'POST' }) // { running: true, startCostMs: 131.4 }
   * ```
   */
  setup(host: ToolbarHost): void {
    host.routes.post('/api/profiler', async (c) => {
      try {
        return c.json(await startProfilerAhead(this.samplingIntervalUs, this.keepWarmMs))
      } catch (error) {
        return c.json({ error: `the inspector could not start V8's profiler: ${error instanceof Error ? error.message : String(error)}` }, 500)
      }
    })
    host.routes.delete('/api/profiler', (c) => {
      stopKeepingProfilerWarm()
      // A request being profiled keeps it running until its end.
      return c.json({ running: isProfiling() })
    })
    // A GET opened in a browser: what the route is for, not the toolbar's bare 404.
    host.routes.all('/api/profiler', (c) =>
      c.json({ error: `${c.req.method} is not allowed here: start V8's profiler with POST, stop it with DELETE` }, 405, { Allow: 'POST, DELETE' }),
    )
    host.routes.get('/api/profiles/:file{.+\\.cpuprofile}', (c) => {
      const id = c.req.param('file').slice(0, -'.cpuprofile'.length)
      const profile = host.getRecord(id)?.peek(SLOTS.profiling)?.profile
      if (!profile) return c.json({ error: `no CPU profile for request "${id}" (not profiled, or no longer held)` }, 404)
      return c.body(JSON.stringify(profile), 200, {
        'Content-Type': 'application/json',
        'Content-Disposition': `attachment; filename="${id.replace(/[^\w-]/g, '_')}.cpuprofile"`,
      })
    })
  }

  /**
   * Starts the V8 profiler when the request asks for a profile (resolves once it runs).
   *
   * @example
   * ```ts
   * await app.request('/report?_dt_profile=1') // or the header X-Debug-Toolbar-Profile: 1
   * // the toolbar awaited panel.onRequest(record, c) before the handler: the handler is profiled
   * ```
   */
  onRequest(record: RequestRecord, c: Context): Promise<void> | undefined {
    // Nothing to wait for unless this request asked to be profiled.
    if (isRequested(record, c)) return startProfile(record, this.samplingIntervalUs, this.keepWarmMs).then(() => undefined)
    if (isProfiling() || isProfilerWarm()) record.slot(PROFILER_RUNNING, () => true)
    return undefined
  }

  /**
   * Stops the profiler once the request's body has been sent, keeping the profile.
   *
   * @example
   * ```ts
   * // the toolbar calls it after the last byte of a profiled request; other requests return at once
   * await panel.onFinish(record)
   * record.peek(SLOTS.profiling)?.profile?.nodes.length // 240
   * ```
   */
  onFinish(record: RequestRecord): Promise<void> | undefined {
    return record.peek(SLOTS.profiling) ? stopProfile(record) : undefined
  }

  /**
   * The request's profile summed up: hottest functions, call tree and flame chart frames.
   *
   * @example
   * ```ts
   * const stats = panel.generateStats(record)
   * stats.profiled // false unless the request asked for a profile
   * stats.topFunctions[0]?.name // 'renderReport'
   * stats.download // '/api/profiles/<requestId>.cpuprofile'
   * ```
   */
  generateStats(record: RequestRecord): ProfilingStats {
    const slot = record.peek(SLOTS.profiling)
    const profile = slot?.profile
    const summary = profile ? summariseProfile(profile, slot.startMs) : undefined
    return {
      requested: slot !== undefined,
      profiled: profile !== undefined,
      skipped: slot?.skipped,
      samplingIntervalUs: slot?.samplingIntervalUs ?? this.samplingIntervalUs,
      startMs: profile ? slot.startMs : undefined,
      startErrorMs: profile ? slot.startErrorMs : undefined,
      startCostMs: slot?.startCostMs,
      startedWarm: slot?.startedWarm === true,
      profilerRunning: record.peek(PROFILER_RUNNING) === true,
      totalMs: summary?.totalMs,
      samples: summary?.samples ?? 0,
      topFunctions: summary?.topFunctions ?? [],
      callTree: summary?.callTree ?? [],
      flame: summary?.flame ?? [],
      omitted: summary?.omitted ?? 0,
      download: profile ? `/api/profiles/${record.id}.cpuprofile` : undefined,
    }
  }

  /**
   * The line under "Profile" in the panel list.
   *
   * @example
   * ```ts
   * panel.navSubtitle(panel.generateStats(record)) // '84 samples in 9.20 ms', 'skipped' or 'off'
   * ```
   */
  navSubtitle(stats: ProfilingStats): string {
    if (stats.profiled) return `${stats.samples} ${stats.samples === 1 ? 'sample' : 'samples'} in ${formatMs(stats.totalMs ?? 0)}`
    if (stats.skipped) return 'skipped'
    return stats.requested ? 'profiling' : 'off'
  }

  /**
   * The `hdt-profile` entry of the response's `Server-Timing` header: what starting the profiler
   * cost.
   *
   * @example
   * ```ts
   * panel.serverTiming(record) // [{ name: 'hdt-profile', dur: 2.7, desc: 'CPU profiler start' }], [] when not profiled
   * ```
   */
  serverTiming(record: RequestRecord): ServerTimingMetric[] {
    // Sent with the headers, before the profile stops: what is known then is the start's cost.
    const cost = record.peek(SLOTS.profiling)?.startCostMs
    return cost === undefined ? [] : [{ name: `${SERVER_TIMING_PREFIX}profile`, dur: cost, desc: 'CPU profiler start' }]
  }
}

/** Set on a request that was not profiled but started while V8's profiler ran (`ProfilingStats.profilerRunning`). */
const PROFILER_RUNNING = slotKey<true>('profiling.profilerRunning')

function isRequested(record: RequestRecord, c: Context): boolean {
  if (record.requestHeader(PROFILE_HEADER) === '1') return true
  // Parse the query and the cookies only when their text can hold the switch.
  if (record.url.includes(PROFILE_QUERY) && c.req.query(PROFILE_QUERY) === '1') return true
  return record.requestHeader('cookie')?.includes(PROFILE_COOKIE) === true && getCookie(c, PROFILE_COOKIE) === '1'
}
