/**
 * The hot frames of a request's CPU profile, placed in time: the app's functions as they
 * stayed on the stack. A function's frame opens with the first sample that has it on the
 * stack (under the same callers) and closes when a sample no longer does, so a handler
 * that spends 50 ms sorting is one 50 ms span, however often it called into builtins or a
 * comparator meanwhile. The app's own functions make frames; of a dependency
 * (`node_modules`) only a function the app called into does (`bcrypt.hashSync`), not the
 * library's internals it went through, nor the framework code that called the app (Hono's
 * `dispatch`); Node's internals, V8's builtins and the toolbar's own code make none (their
 * time is their caller's). Samples of the garbage collector or of V8's own code
 * (`(program)`) count for the code that runs after them: frames open on both sides stay
 * open, a frame that ends closes where they began and a frame that begins opens there. The
 * running code is what they work for, and V8 samples some of the app's code itself as
 * `(program)`: a loop it optimised while running it (on-stack replacement) in an async
 * function resumed after an `await` shows no JavaScript frame until the loop is done. Idle
 * samples close every frame. Sample times are the profile's start plus the cumulative
 * `timeDeltas`, moved onto the request's clock by `RecordedProfile.startMs`, and samples are
 * read in time order (`samplesInTimeOrder`: V8 writes some out of it).
 */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { originalPosition } from '../core/code-location.js'
import type { ProfileNode, RecordedProfile } from '../shapes/records.js'
import { samplesInTimeOrder } from '../panels/cpu-profile.js'

/** One stretch of time a function stayed on the stack. */
export interface HotFrame {
  functionName: string
  /**
   * The source file's absolute path: the one the developer wrote (`src/users.ts`) when the
   * built file has a source map, else the script's own (a `file://` URL becomes a path), or
   * its URL when it is not a file.
   */
  filePath: string
  /** 1-based, as editors count (V8's call frames are 0-based); in `filePath`. */
  lineNumber: number
  columnNumber: number
  /** Milliseconds from the request start. */
  startMs: number
  durationMs: number
  samples: number
  /**
   * Of `durationMs`, the time its samples had this function itself on top of the stack (ms):
   * the Profile panel's self time for this stretch. The rest is the time in what it called
   * (Node's internals, V8's builtins, a dependency's internals, the app functions it called)
   * and the collector's.
   */
  selfMs: number
  /** The index in the returned list of the app frame this one ran under, if it is there. */
  parentIndex?: number
}

/** The name of the span of the time starting the profiler took (the profiled request pays it). */
export const PROFILER_START_SPAN = 'CPU profiler start'

/**
 * When starting the profiler began, in ms from the request start, and how long it took:
 * undefined unless the profiler was started for this request (a request that found it busy
 * paid nothing).
 *
 * @example
 * ```ts
 * profilerStart(record.peek(SLOTS.profiling)!) // { startMs: 0.4, durationMs: 251.3 }
 * ```
 */
export function profilerStart(recorded: RecordedProfile): { startMs: number; durationMs: number } | undefined {
  const { startBeganMs, startCostMs } = recorded
  return startBeganMs === undefined || startCostMs === undefined ? undefined : { startMs: startBeganMs, durationMs: startCostMs }
}

/** The most frames one profile becomes (the longest are kept; a parent is never shorter than its child). */
export const MAX_HOT_FRAMES = 200

// V8's pseudo-frames that stand for work done for the running code.
const WORKING_FRAMES = new Set(['(garbage collector)', '(program)'])

// The toolbar's own code: `src/` in a checkout, `dist/src/` once installed.
const TOOLBAR_CODE = `${dirname(dirname(fileURLToPath(import.meta.url)))}/`

interface OpenFrame {
  node: ProfileNode
  startUs: number
  /** Set when the frame left the stack. */
  endUs?: number
  samples: number
  /** Time of the samples with this function itself on top of the stack (µs). */
  selfUs: number
  parent: OpenFrame | undefined
  /** Set once the frame is kept: its index in the result. */
  index?: number
}

/**
 * The app's functions of `recorded`'s profile that stayed on the stack at least
 * `thresholdMs`, parents before their children, in time order: the `MAX_HOT_FRAMES`
 * longest, and how many more there were (`leftOut`).
 *
 * @example
 * ```ts
 * const { frames, leftOut } = hotFrames(record.peek(SLOTS.profiling)!, 1)
 * for (const frame of frames) console.log(frame.functionName, frame.durationMs)
 * ```
 */
export function hotFrames(recorded: RecordedProfile, thresholdMs: number): { frames: HotFrame[]; leftOut: number } {
  const profile = recorded.profile
  if (!profile || profile.samples.length === 0) return { frames: [], leftOut: 0 }
  const nodes = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]))
  const parents = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)
  const appStacks = new Map<number, ProfileNode[]>()
  const appStackOf = (leaf: number): ProfileNode[] => {
    let stack = appStacks.get(leaf)
    if (!stack) {
      const path: ProfileNode[] = []
      for (let id: number | undefined = leaf; id !== undefined; id = parents.get(id)) path.unshift(nodes.get(id)!)
      stack = []
      // Whose code the last frame that was not Node's or V8's ran: a dependency's frame
      // counts only when the app called it.
      let caller: Code | undefined
      for (const node of path) {
        const code = codeOf(node)
        if (code === 'app' || (code === 'dependency' && caller === 'app')) stack.push(node)
        if (code !== 'runtime') caller = code
      }
      appStacks.set(leaf, stack)
    }
    return stack
  }

  const closed: OpenFrame[] = []
  const open: OpenFrame[] = []
  // `uncount`: the working samples after `endUs`, which the frames counted while open.
  const close = (depth: number, endUs: number, uncount: number) => {
    for (const frame of open.splice(depth)) {
      frame.endUs = endUs
      frame.samples -= uncount
      if ((endUs - frame.startUs) / 1000 >= thresholdMs) closed.push(frame)
    }
  }
  let elapsedUs = 0
  // The time of the first working sample since the last sample of code: frames that do not
  // go on close there.
  let workingSinceUs: number | undefined
  // How many working samples there were since then: a frame that closes there does not count
  // them, a frame that opens there does.
  let workingSamples = 0
  // The frame whose function was on top of the stack at the last sample, and since when: a
  // sample stands for the time until the next one, as in the Profile panel (cpu-profile.ts).
  let selfFrame: OpenFrame | undefined
  let selfSinceUs = 0
  const { samples, times } = samplesInTimeOrder(profile)
  for (let i = 0; i < samples.length; i++) {
    elapsedUs = times[i]! - profile.startTime
    if (selfFrame) selfFrame.selfUs += Math.max(0, elapsedUs - selfSinceUs)
    selfFrame = undefined
    const leaf = nodes.get(samples[i] as number)
    if (!leaf) continue
    if (WORKING_FRAMES.has(leaf.callFrame.functionName)) {
      workingSinceUs ??= elapsedUs
      workingSamples++
      for (const frame of open) frame.samples++
      continue
    }
    const stack = appStackOf(leaf.id)
    let depth = 0
    while (depth < open.length && depth < stack.length && sameFunction(open[depth]!.node, stack[depth]!)) open[depth++]!.samples++
    // A run of working samples counts for the code that runs after it: the frames that end
    // close where it began, the frames that begin open there.
    const since = workingSinceUs ?? elapsedUs
    close(depth, since, workingSamples)
    for (; depth < stack.length; depth++) open.push({ node: stack[depth]!, startUs: since, samples: 1 + workingSamples, selfUs: 0, parent: open[depth - 1] })
    workingSinceUs = undefined
    workingSamples = 0
    if (stack.length > 0 && stack[stack.length - 1] === leaf) {
      selfFrame = open[stack.length - 1]
      selfSinceUs = elapsedUs
    }
  }
  // The last sample lasts until the profile's end.
  const endUs = profile.endTime - profile.startTime
  if (selfFrame) selfFrame.selfUs += Math.max(0, endUs - selfSinceUs)
  close(0, workingSinceUs ?? Math.max(elapsedUs, endUs), workingSamples)

  const durationUs = (frame: OpenFrame) => frame.endUs! - frame.startUs
  const kept = closed.sort((a, b) => durationUs(b) - durationUs(a)).slice(0, MAX_HOT_FRAMES)
  const frames: HotFrame[] = []
  // Each file of the profile is looked at once for its source map, not once per frame.
  const checked = new Set<string>()
  for (const frame of kept.sort((a, b) => a.startUs - b.startUs || depthOf(a) - depthOf(b))) {
    const { callFrame } = frame.node
    let parent = frame.parent
    while (parent && parent.index === undefined) parent = parent.parent
    frame.index = frames.length
    // In the source the developer wrote, through the built file's source map (read once per build of the file).
    const at = originalPosition(callFrame.url, callFrame.lineNumber + 1, callFrame.columnNumber + 1, checked)
    frames.push({
      functionName: callFrame.functionName || '(anonymous)',
      filePath: at?.path ?? callFrame.url,
      lineNumber: at?.line ?? callFrame.lineNumber + 1,
      columnNumber: at?.column ?? callFrame.columnNumber + 1,
      startMs: recorded.startMs + frame.startUs / 1000,
      durationMs: durationUs(frame) / 1000,
      samples: frame.samples,
      selfMs: frame.selfUs / 1000,
      ...(parent && { parentIndex: parent.index }),
    })
  }
  return { frames, leftOut: closed.length - kept.length }
}

function depthOf(frame: OpenFrame): number {
  let depth = 0
  for (let parent = frame.parent; parent; parent = parent.parent) depth++
  return depth
}

/** Whose code a frame runs: Node's or V8's (`runtime`), the toolbar's, a dependency's or the app's. */
type Code = 'runtime' | 'toolbar' | 'dependency' | 'app'

function codeOf(node: ProfileNode): Code {
  const { url } = node.callFrame
  if (!url || url.startsWith('node:')) return 'runtime'
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url
  if (path.startsWith(TOOLBAR_CODE)) return 'toolbar'
  return path.includes('/node_modules/') ? 'dependency' : 'app'
}

function sameFunction(a: ProfileNode, b: ProfileNode): boolean {
  const x = a.callFrame
  const y = b.callFrame
  return x.functionName === y.functionName && x.url === y.url && x.lineNumber === y.lineNumber && x.columnNumber === y.columnNumber
}

/**
 * The name of a frame's span: the function's name, or for a function without one (an arrow
 * function, a route handler) `(anonymous)` with its file's name and line, so that the
 * waterfall and Jaeger tell the frames apart and say where they are.
 *
 * @example
 * ```ts
 * frameSpanName({ functionName: 'sortOrders', filePath: '/app/src/orders.js', lineNumber: 12 }) // 'sortOrders'
 * frameSpanName({ functionName: '(anonymous)', filePath: '/app/dist/app.js', lineNumber: 109 }) // '(anonymous) app.js:109'
 * ```
 */
export function frameSpanName(frame: Pick<HotFrame, 'functionName' | 'filePath' | 'lineNumber'>): string {
  if (frame.functionName !== '(anonymous)' || !frame.filePath) return frame.functionName
  return `(anonymous) ${frame.filePath.slice(frame.filePath.lastIndexOf('/') + 1)}:${frame.lineNumber}`
}
