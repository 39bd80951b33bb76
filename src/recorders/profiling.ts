import { console as inspectorConsole, Session } from 'node:inspector'
import type { RequestRecord } from '../core/record.js'
import { SLOTS, type ProfilerAhead, type RecordedProfile } from '../shapes/records.js'

/** Why a request that asked for a profile has none while another one is profiled. */
export const PROFILE_BUSY = 'another request was being profiled'

/** How long V8's profiler is kept running after a profiled request, by default (ms). */
export const DEFAULT_KEEP_WARM_MS = 30_000

/** How often the profile that keeps it running is replaced by a new one, so that it never holds more than this of samples (ms). */
const WARM_ROTATE_MS = 5_000

interface RunningProfile {
  record: RequestRecord
  session: Session
  /** Settles once Profiler.start returned, with the readings taken around it. */
  started: Promise<StartBracket>
}

/**
 * The process's inspector session for profiles, kept from one profiled request to the next
 * while they come within `keepWarmMs` of each other.
 *
 * Profiler.start costs 15-30 ms (much more the first time): with no profile running, V8
 * creates its profiler and logs every compiled function's code before the first sample.
 * While a profile runs, another one starts in well under a millisecond. So after a profiled
 * request a second profile, started with the inspector's `console.profile`, keeps V8's
 * profiler running for `keepWarmMs`: the next profiled request's Profiler.start then costs
 * it next to nothing. The price is the sampler's: while it runs, every request of the
 * process is sampled (about 8% of the main thread's time at 100 µs), and the warm profile's
 * samples are dropped every 5 s (`WARM_ROTATE_MS`: a new one is started before the old one
 * ends, so the profiler never stops in between).
 */
interface WarmProfiler {
  session: Session
  samplingIntervalUs: number
  /** The title of the `console.profile` that keeps V8's profiler running. */
  warmTitle: string
  /** performance.now() when that profile began. */
  warmSince: number
  /** performance.now() at the last profiled request's end. */
  lastUsed: number
  keepWarmMs: number
  timer: NodeJS.Timeout | undefined
}

let warm: WarmProfiler | undefined
let warmCount = 0

/** performance.now() right before and right after Profiler.start, and the clock offset. */
interface StartBracket {
  before: number
  after: number
  clock: ClockOffset
}

// The V8 profiler samples the whole main thread, so two requests profiled at once would
// each get the other's samples. This lock is module-level on purpose: the inspector is
// process-wide, whatever toolbar or app asked for the profile.
let running: RunningProfile | undefined

/**
 * Starts profiling the main thread for `record`, or records why not (another request
 * holds the profiler, or the inspector failed). The lock is taken before the first await,
 * so two requests arriving together cannot both start.
 *
 * @example
 * ```ts
 * await startProfile(record, 100)
 * // ... the request runs ...
 * await stopProfile(record)
 * record.peek(SLOTS.profiling)?.profile?.samples.length
 * ```
 */
export async function startProfile(record: RequestRecord, samplingIntervalUs: number, keepWarmMs = DEFAULT_KEEP_WARM_MS): Promise<RecordedProfile> {
  const slot = record.slot(SLOTS.profiling, () => ({
    profile: undefined,
    startMs: 0,
    samplingIntervalUs,
    skipped: undefined,
  }))
  if (running) {
    slot.skipped = PROFILE_BUSY
    return slot
  }
  // The kept session samples at the interval it was made with: another one needs a new start.
  if (warm && (warm.samplingIntervalUs !== samplingIntervalUs || keepWarmMs === 0)) coolDown(warm)
  const kept = warm
  const session = kept?.session ?? new Session()
  const run: RunningProfile = { record, session, started: start(record, session, slot, samplingIntervalUs, kept !== undefined) }
  running = run
  try {
    await run.started
    if (keepWarmMs > 0) keepWarm(session, samplingIntervalUs, keepWarmMs)
  } catch (error) {
    slot.skipped = `the inspector could not start a profile: ${error instanceof Error ? error.message : String(error)}`
    // A kept session that failed is not kept.
    if (warm?.session === session) coolDown(warm)
    release(run)
  }
  return slot
}

async function start(record: RequestRecord, session: Session, slot: RecordedProfile, samplingIntervalUs: number, kept: boolean): Promise<StartBracket> {
  const began = performance.now()
  // Kept so the waterfall can place the start's cost where it was paid (a span of its own).
  slot.startBeganMs = record.offsetOf(began)
  // A kept session is a running profiler: `warm` holds one only while its console profile runs.
  slot.startedWarm = kept
  if (!kept) await openProfilerSession(session, samplingIntervalUs)
  const clock = clockOffset()
  const before = performance.now()
  await post(session, 'Profiler.start')
  const after = performance.now()
  slot.startCostMs = after - began
  return { before, after, clock }
}

/** Connects `session` with its Profiler domain on, sampling every `samplingIntervalUs`: ready to start a profile. */
async function openProfilerSession(session: Session, samplingIntervalUs: number): Promise<void> {
  session.connect()
  await post(session, 'Profiler.enable')
  await post(session, 'Profiler.setSamplingInterval', { interval: samplingIntervalUs })
}

/**
 * Keeps V8's profiler running after this request (see `WarmProfiler`): called while the
 * request's own profile runs, so that the warm profile starts at no cost.
 */
function keepWarm(session: Session, samplingIntervalUs: number, keepWarmMs: number): void {
  if (warm) {
    warm.keepWarmMs = keepWarmMs
    return
  }
  const now = performance.now()
  warm = { session, samplingIntervalUs, warmTitle: nextWarmTitle(), warmSince: now, lastUsed: now, keepWarmMs, timer: undefined }
  inspectorConsole.profile(warm.warmTitle)
}

function nextWarmTitle(): string {
  return `hono-debug-toolbar: keeps the profiler running between profiled requests (${++warmCount})`
}

/**
 * After a profiled request (its profile stopped, outside its time): the warm profile is
 * replaced when it is `WARM_ROTATE_MS` old, and ends `keepWarmMs` after the last profiled
 * request. A timer checks both while no request is profiled.
 */
function scheduleCooling(kept: WarmProfiler): void {
  kept.lastUsed = performance.now()
  rotateIfDue(kept, kept.lastUsed)
  if (!kept.timer) arm(kept)
}

function arm(kept: WarmProfiler): void {
  const now = performance.now()
  kept.timer = setTimeout(() => check(kept), Math.min(WARM_ROTATE_MS, Math.max(1, kept.lastUsed + kept.keepWarmMs - now)))
  kept.timer.unref()
}

function check(kept: WarmProfiler): void {
  kept.timer = undefined
  // Replaced; or a request is being profiled, whose end arms the timer again.
  if (warm !== kept || running?.session === kept.session) return
  const now = performance.now()
  if (now - kept.lastUsed >= kept.keepWarmMs) return coolDown(kept)
  rotateIfDue(kept, now)
  arm(kept)
}

/** A new warm profile first, then the old one ends: V8's profiler keeps running through the swap. */
function rotateIfDue(kept: WarmProfiler, now: number): void {
  if (now - kept.warmSince < WARM_ROTATE_MS) return
  const old = kept.warmTitle
  kept.warmTitle = nextWarmTitle()
  kept.warmSince = now
  inspectorConsole.profile(kept.warmTitle)
  inspectorConsole.profileEnd(old)
}

/** Ends the warm profile and the session: V8's profiler stops, and the next profile pays a full start. */
function coolDown(kept: WarmProfiler): void {
  if (warm === kept) warm = undefined
  if (kept.timer) clearTimeout(kept.timer)
  kept.timer = undefined
  inspectorConsole.profileEnd(kept.warmTitle)
  if (running?.session !== kept.session) disconnect(kept.session)
}

/**
 * Starts V8's profiler ahead of the next profiled request, and keeps it running as after a
 * profiled request (`keepWarmMs`): the panel's toggle calls it, so that the first request
 * profiled after it does not pay V8's setup (15-30 ms, 100-200 the first time in a process),
 * which it would otherwise carry in its times. Already running, it only restarts the
 * `keepWarmMs` countdown.
 *
 * @example
 * ```ts
 * await startProfilerAhead(100, 30_000) // { running: true, keepWarmMs: 30000, startCostMs: 131.4 }
 * // the next profiled request: stats.startedWarm, startCostMs 0.3
 * ```
 */
export async function startProfilerAhead(samplingIntervalUs: number, keepWarmMs: number): Promise<ProfilerAhead> {
  if (keepWarmMs === 0) return { running: false, keepWarmMs, reason: 'keepWarmMs is 0: each profiled request starts and stops the profiler itself' }
  if (warm && warm.samplingIntervalUs === samplingIntervalUs) {
    warm.keepWarmMs = keepWarmMs
    // A profiled request's end counts from then; its profile is not cut into by a rotation.
    if (running?.session !== warm.session) scheduleCooling(warm)
    return { running: true, keepWarmMs }
  }
  // The request being profiled keeps it running at its end, with its own interval.
  if (running) return { running: true, keepWarmMs }
  if (warm) coolDown(warm)
  const session = new Session()
  const began = performance.now()
  try {
    await openProfilerSession(session, samplingIntervalUs)
  } catch (error) {
    disconnect(session)
    throw error
  }
  // A profiled request came in meanwhile: its session is the one kept.
  if (running || warm) {
    disconnect(session)
    return { running: true, keepWarmMs }
  }
  keepWarm(session, samplingIntervalUs, keepWarmMs)
  const startCostMs = performance.now() - began
  scheduleCooling(warm!)
  return { running: true, keepWarmMs, startCostMs }
}

/**
 * Stops keeping V8's profiler running between profiled requests, at once: the next profiled
 * request starts it again (the Profile toggle switched off, or a test that needs a cold
 * start). Without it the profiler stops `keepWarmMs` after the last profiled request; its
 * timer keeps no process alive.
 *
 * @example
 * ```ts
 * await stopProfile(record)
 * stopKeepingProfilerWarm() // the next profiled request starts V8's profiler again
 * ```
 */
export function stopKeepingProfilerWarm(): void {
  if (warm) coolDown(warm)
}

/**
 * True while V8's profiler is kept running between profiled requests.
 *
 * @example
 * ```ts
 * await stopProfile(record) // of a request profiled with keepWarmMs > 0
 * isProfilerWarm() // true, until keepWarmMs after the last profiled request
 * ```
 */
export function isProfilerWarm(): boolean {
  return warm !== undefined
}

/**
 * Stops the profile `record` holds (if it holds one), stores it in the record and frees
 * the profiler for the next request.
 *
 * @example
 * ```ts
 * await stopProfile(record)
 * ```
 */
export async function stopProfile(record: RequestRecord): Promise<void> {
  const run = running
  if (!run || run.record !== record) return
  const slot = record.peek(SLOTS.profiling)
  try {
    const bracket = await run.started
    const { profile } = await post<{ profile: NonNullable<RecordedProfile['profile']> }>(run.session, 'Profiler.stop')
    if (slot) {
      slot.profile = profile as RecordedProfile['profile']
      Object.assign(slot, placeStart(record, profile.startTime, bracket))
    }
  } catch (error) {
    if (slot) slot.skipped = `the profile could not be read: ${error instanceof Error ? error.message : String(error)}`
    if (warm?.session === run.session) coolDown(warm)
  } finally {
    release(run)
  }
}

/** True while some request holds the profiler. */
export function isProfiling(): boolean {
  return running !== undefined
}

// node:inspector/promises has no types in @types/node 20.9; this is its post().
function post<T = unknown>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (error: Error | null, result?: unknown) => (error ? reject(error) : resolve(result as T)))
  })
}

function release(run: RunningProfile): void {
  if (running === run) running = undefined
  // The kept session stays for the next profiled request; it ends when it cools down.
  if (warm?.session === run.session) scheduleCooling(warm)
  else disconnect(run.session)
}

function disconnect(session: Session): void {
  try {
    session.disconnect()
  } catch {
    // Already disconnected: nothing to free.
  }
}

/** `hrtime - performance.now()` in ms, and how long reading the pair took (its error). */
interface ClockOffset {
  offsetMs: number
  errorMs: number
}

// V8 stamps profiles with its monotonic clock in µs; on Linux, macOS and Windows that is the
// same clock process.hrtime() reads (CLOCK_MONOTONIC, mach_absolute_time, QPC). Reading
// hrtime and performance.now() back to back gives the offset between the two.
function clockOffset(): ClockOffset {
  const t0 = performance.now()
  const hr = Number(process.hrtime.bigint()) / 1e6
  const t1 = performance.now()
  return { offsetMs: hr - (t0 + t1) / 2, errorMs: (t1 - t0) / 2 }
}

/**
 * Where the profile started, relative to the request. The profile's startTime mapped
 * through the clock offset is used when it falls inside the readings taken around
 * Profiler.start (its error is then the offset's, a few µs). Otherwise the clocks are not
 * the same one, and the start is only known to be inside that bracket: its start is
 * used, with the bracket's width (a few ms: Profiler.start is slow) as the error.
 */
function placeStart(
  record: RequestRecord,
  startTimeUs: number,
  { before, after, clock }: StartBracket,
): Pick<RecordedProfile, 'startMs' | 'startErrorMs'> {
  const mapped = startTimeUs / 1000 - clock.offsetMs
  if (mapped >= before - clock.errorMs && mapped <= after + clock.errorMs) {
    return { startMs: record.offsetOf(mapped), startErrorMs: clock.errorMs }
  }
  return { startMs: record.offsetOf(before), startErrorMs: after - before }
}
