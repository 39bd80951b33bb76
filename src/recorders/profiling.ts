import { Session } from 'node:inspector'
import type { RequestRecord } from '../core/record.js'
import { SLOTS, type RecordedProfile } from '../shapes/records.js'

/** Why a request that asked for a profile has none while another one is profiled. */
export const PROFILE_BUSY = 'another request was being profiled'

interface RunningProfile {
  record: RequestRecord
  session: Session
  /** Settles once Profiler.start returned, with the readings taken around it. */
  started: Promise<StartBracket>
}

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
export async function startProfile(record: RequestRecord, samplingIntervalUs: number): Promise<RecordedProfile> {
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
  const session = new Session()
  const run: RunningProfile = { record, session, started: start(record, session, slot, samplingIntervalUs) }
  running = run
  try {
    await run.started
  } catch (error) {
    slot.skipped = `the inspector could not start a profile: ${error instanceof Error ? error.message : String(error)}`
    release(run)
  }
  return slot
}

async function start(record: RequestRecord, session: Session, slot: RecordedProfile, samplingIntervalUs: number): Promise<StartBracket> {
  const began = performance.now()
  // Kept so the waterfall can place the start's cost where it was paid (a span of its own).
  slot.startBeganMs = record.offsetOf(began)
  session.connect()
  await post(session, 'Profiler.enable')
  await post(session, 'Profiler.setSamplingInterval', { interval: samplingIntervalUs })
  const clock = clockOffset()
  const before = performance.now()
  await post(session, 'Profiler.start')
  const after = performance.now()
  slot.startCostMs = after - began
  return { before, after, clock }
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
  try {
    run.session.disconnect()
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
