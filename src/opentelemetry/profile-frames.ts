/**
 * The hot frames of a request's CPU profile, placed in time: consecutive samples whose
 * leaf frame is the same function make one run, from its first sample's time to the next
 * sample's time. Sample times are the profile's start plus the cumulative `timeDeltas`,
 * moved onto the request's clock by `RecordedProfile.startMs`.
 */
import type { ProfileNode, RecordedProfile } from '../shapes/records.js'

/** One run of samples in the same function. */
export interface HotFrame {
  functionName: string
  /** The script's path (a `file://` URL becomes a path), or its URL. */
  filePath: string
  /** 1-based, as editors count (V8's call frames are 0-based). */
  lineNumber: number
  columnNumber: number
  /** Milliseconds from the request start. */
  startMs: number
  durationMs: number
  samples: number
}

// V8's pseudo-frames are not code of the app.
const PSEUDO_FRAMES = new Set(['(root)', '(program)', '(idle)'])

/**
 * Runs of the same leaf function at least `thresholdMs` long, in time order.
 *
 * @example
 * ```ts
 * for (const frame of hotFrames(record.peek(SLOTS.profiling)!, 1)) console.log(frame.functionName, frame.durationMs)
 * ```
 */
export function hotFrames(recorded: RecordedProfile, thresholdMs: number): HotFrame[] {
  const profile = recorded.profile
  if (!profile || profile.samples.length === 0) return []
  const nodes = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]))
  const frames: HotFrame[] = []
  let run: { node: ProfileNode; startUs: number; samples: number } | undefined
  let elapsedUs = 0
  const close = (endUs: number) => {
    if (!run) return
    const durationMs = (endUs - run.startUs) / 1000
    const { callFrame } = run.node
    if (durationMs >= thresholdMs && !PSEUDO_FRAMES.has(callFrame.functionName)) {
      frames.push({
        functionName: callFrame.functionName || '(anonymous)',
        filePath: callFrame.url.startsWith('file://') ? decodeURIComponent(new URL(callFrame.url).pathname) : callFrame.url,
        lineNumber: callFrame.lineNumber + 1,
        columnNumber: callFrame.columnNumber + 1,
        startMs: recorded.startMs + run.startUs / 1000,
        durationMs,
        samples: run.samples,
      })
    }
    run = undefined
  }
  for (let i = 0; i < profile.samples.length; i++) {
    elapsedUs += profile.timeDeltas[i] ?? 0
    const node = nodes.get(profile.samples[i] as number)
    if (!node) continue
    if (run && sameFunction(run.node, node)) {
      run.samples++
      continue
    }
    close(elapsedUs)
    run = { node, startUs: elapsedUs, samples: 1 }
  }
  // The last sample lasts until the profile's end.
  close(Math.max(elapsedUs, profile.endTime - profile.startTime))
  return frames
}

function sameFunction(a: ProfileNode, b: ProfileNode): boolean {
  const x = a.callFrame
  const y = b.callFrame
  return x.functionName === y.functionName && x.url === y.url && x.lineNumber === y.lineNumber && x.columnNumber === y.columnNumber
}
