/**
 * Summaries of a V8 CPU profile (the `.cpuprofile` format) small enough for a panel's
 * stats: the hottest functions, a pruned call tree, and flame chart frames placed in time.
 * Every figure comes from the samples and their time deltas: a sample stands for the time
 * until the next sample (the last one, until the profile's end).
 */
import { codeLocation } from '../core/code-location.js'
import type { ProfileNode, RecordedProfile } from '../shapes/records.js'
import { PROFILER_ENTRY } from '../shapes/v8-entries.js'

type CpuProfile = NonNullable<RecordedProfile['profile']>

/** A function, all its call paths together. */
export interface ProfileFunction {
  name: string
  /** Where the function is, as `codeLocation` writes it (`src/pages.ts:12:3`), or '' for V8's own entries such as `(garbage collector)`. */
  location: string
  /** Time with this function on top of the stack. */
  selfMs: number
  /** Time with this function anywhere on the stack (recursion counted once). */
  totalMs: number
}

/** A node of the call tree: one call path. */
export interface CallTreeNode {
  name: string
  location: string
  selfMs: number
  totalMs: number
  children: CallTreeNode[]
}

/** One block of the flame chart: a frame that stayed on the stack over consecutive samples. */
export interface FlameFrame {
  name: string
  location: string
  /** 0 for the outermost frame. */
  depth: number
  /** Milliseconds from the request start (the profile's start offset included). */
  startMs: number
  durationMs: number
}

export interface ProfileSummary {
  totalMs: number
  samples: number
  topFunctions: ProfileFunction[]
  callTree: CallTreeNode[]
  flame: FlameFrame[]
  /** Call tree nodes and flame frames left out because they were too small to see. */
  omitted: number
}

/** Limits that keep a summary small whatever the profile's size. */
const TOP_FUNCTIONS = 30
const MAX_TREE_NODES = 1500
const MAX_FLAME_FRAMES = 4000
/** Nodes and frames under this share of the profile are left out (they would be < 1 px). */
const MIN_SHARE = 0.001

/**
 * Summarises `profile`, placing flame frames relative to the request with `startMs`,
 * the profile start's offset from the request start.
 *
 * @example
 * ```ts
 * const summary = summariseProfile(recorded.profile, recorded.startMs)
 * summary.topFunctions[0] // { name: 'renderPage', location: 'src/pages.ts:12:3', selfMs: 8.1, totalMs: 9.4 }
 * ```
 */
export function summariseProfile(profile: CpuProfile, startMs: number): ProfileSummary {
  const nodes = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]))
  const parents = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)
  const root = profile.nodes.find((n) => !parents.has(n.id)) ?? profile.nodes[0]
  nameProfilerCalls(profile.nodes, nodes, parents)
  const totalMs = (profile.endTime - profile.startTime) / 1000

  // Each sample's time and the time it stands for.
  const { samples, times } = samplesInTimeOrder(profile)
  const durations = times.map((time, i) => Math.max(0, ((times[i + 1] ?? profile.endTime) - time) / 1000))

  const self = new Map<number, number>()
  samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + durations[i]!))
  const total = new Map<number, number>()
  const totalOf = (id: number): number => {
    const cached = total.get(id)
    if (cached !== undefined) return cached
    let sum = self.get(id) ?? 0
    for (const child of nodes.get(id)?.children ?? []) sum += totalOf(child)
    total.set(id, sum)
    return sum
  }
  if (root) totalOf(root.id)

  const minMs = totalMs * MIN_SHARE
  const tree = root ? buildTree(root, nodes, self, total, minMs) : { children: [], omitted: 0 }
  const flame = buildFlame(profile, samples, nodes, parents, root?.id, times, durations, startMs, minMs)
  return {
    totalMs,
    samples: samples.length,
    topFunctions: root ? topFunctions(root, nodes, self, total) : [],
    callTree: tree.children,
    flame: flame.frames,
    omitted: tree.omitted + flame.omitted,
  }
}

/**
 * The profile's samples (node ids) and their times (µs, on the profile's clock), in time
 * order. V8 writes some samples after ones taken later (a sample taken while it deoptimised
 * code; its `timeDeltas` are signed), and viewers such as Chrome DevTools put them back in
 * order before reading them: so do the Profile panel and the profile spans. Samples taken at
 * the same time keep their order.
 *
 * @example
 * ```ts
 * samplesInTimeOrder({ startTime: 0, samples: [2, 3, 4], timeDeltas: [10, 5, -2] })
 * // { samples: [2, 4, 3], times: [10, 13, 15] }
 * ```
 */
export function samplesInTimeOrder(profile: Pick<CpuProfile, 'startTime' | 'samples' | 'timeDeltas'>): { samples: readonly number[]; times: number[] } {
  const count = profile.samples.length
  const times = new Array<number>(count)
  let t = profile.startTime
  let ordered = true
  for (let i = 0; i < count; i++) {
    times[i] = t += profile.timeDeltas[i] ?? 0
    if (i > 0 && t < times[i - 1]!) ordered = false
  }
  if (ordered) return { samples: profile.samples, times }
  const order = [...times.keys()].sort((a, b) => times[a]! - times[b]! || a - b)
  return { samples: order.map((i) => profile.samples[i]!), times: order.map((i) => times[i]!) }
}

function topFunctions(root: ProfileNode, nodes: Map<number, ProfileNode>, self: Map<number, number>, total: Map<number, number>) {
  const byKey = new Map<string, ProfileFunction>()
  const onPath = new Map<string, number>()
  const visit = (node: ProfileNode) => {
    const key = `${displayName(node)}@${location(node)}`
    let fn = byKey.get(key)
    if (!fn) byKey.set(key, (fn = { name: displayName(node), location: location(node), selfMs: 0, totalMs: 0 }))
    fn.selfMs += self.get(node.id) ?? 0
    // A recursive function's inner calls are already inside its outermost call's total.
    const depth = onPath.get(key) ?? 0
    if (depth === 0) fn.totalMs += total.get(node.id) ?? 0
    onPath.set(key, depth + 1)
    for (const child of node.children ?? []) visit(nodes.get(child)!)
    onPath.set(key, depth)
  }
  for (const child of root.children ?? []) visit(nodes.get(child)!)
  return [...byKey.values()]
    .filter((f) => f.selfMs > 0 || f.totalMs > 0)
    .sort((a, b) => b.selfMs - a.selfMs || b.totalMs - a.totalMs)
    .slice(0, TOP_FUNCTIONS)
}

function buildTree(root: ProfileNode, nodes: Map<number, ProfileNode>, self: Map<number, number>, total: Map<number, number>, minMs: number) {
  let budget = MAX_TREE_NODES
  let omitted = 0
  const build = (node: ProfileNode): CallTreeNode => ({
    name: displayName(node),
    location: location(node),
    selfMs: self.get(node.id) ?? 0,
    totalMs: total.get(node.id) ?? 0,
    children: childrenOf(node),
  })
  const childrenOf = (node: ProfileNode): CallTreeNode[] => {
    const kids = (node.children ?? []).map((id) => nodes.get(id)!).sort((a, b) => (total.get(b.id) ?? 0) - (total.get(a.id) ?? 0))
    const out: CallTreeNode[] = []
    for (const kid of kids) {
      if ((total.get(kid.id) ?? 0) <= minMs || budget <= 0) {
        omitted++
        continue
      }
      budget--
      out.push(build(kid))
    }
    return out
  }
  return { children: childrenOf(root), omitted }
}

function buildFlame(
  profile: CpuProfile,
  samples: readonly number[],
  nodes: Map<number, ProfileNode>,
  parents: Map<number, number>,
  rootId: number | undefined,
  times: number[],
  durations: number[],
  startMs: number,
  minMs: number,
) {
  const frames: FlameFrame[] = []
  let omitted = 0
  const open: Array<{ id: number; frame: FlameFrame }> = []
  const close = (fromDepth: number) => {
    for (const { frame } of open.splice(fromDepth)) {
      if (frame.durationMs > minMs && frames.length < MAX_FLAME_FRAMES) frames.push(frame)
      else omitted++
    }
  }
  samples.forEach((leaf, i) => {
    const stack: number[] = []
    for (let id: number | undefined = leaf; id !== undefined && id !== rootId; id = parents.get(id)) stack.unshift(id)
    // Idle time is no frame: the request was waiting, not running.
    if (stack.length === 1 && nodes.get(stack[0]!)?.callFrame.functionName === '(idle)') stack.length = 0
    let depth = 0
    // A node id is one whole call path, so equal ids at a depth mean equal stacks above it.
    while (depth < open.length && depth < stack.length && open[depth]!.id === stack[depth]) {
      open[depth]!.frame.durationMs += durations[i]!
      depth++
    }
    close(depth)
    for (; depth < stack.length; depth++) {
      const node = nodes.get(stack[depth]!)!
      const frame = { name: displayName(node), location: location(node), depth, startMs: startMs + (times[i]! - profile.startTime) / 1000, durationMs: durations[i]! }
      open.push({ id: node.id, frame })
    }
  })
  close(0)
  frames.sort((a, b) => a.startMs - b.startMs || a.depth - b.depth)
  return { frames, omitted }
}

/**
 * The name a node shows. The profiler's own calls read `(profiler)`: they are `dispatch`, the
 * native method of node:inspector's `Session.post` that runs Profiler.start and
 * Profiler.stop, with no location, and would read as Hono's own `dispatch` (compose.js).
 */
function displayName(node: ProfileNode): string {
  return profilerCalls.has(node) ? PROFILER_ENTRY : node.callFrame.functionName || '(anonymous)'
}

/** The profile's nodes that are the profiler's own calls (see `displayName`). */
const profilerCalls = new WeakSet<ProfileNode>()

function nameProfilerCalls(all: ProfileNode[], nodes: Map<number, ProfileNode>, parents: Map<number, number>): void {
  for (const node of all) {
    if (node.callFrame.url !== '' || node.callFrame.functionName !== 'dispatch') continue
    const parent = nodes.get(parents.get(node.id) ?? -1)
    if (parent?.callFrame.url === 'node:inspector') profilerCalls.add(node)
  }
}

/** Each node's location, made once: `buildFlame` asks again for every sample. */
const locations = new WeakMap<ProfileNode, string>()

/** Where the node's function is, as `codeLocation` writes it (`src/pages.ts:12:3`); empty for V8's own frames. */
function location(node: ProfileNode): string {
  let shown = locations.get(node)
  if (shown === undefined) {
    const { url, lineNumber, columnNumber } = node.callFrame
    shown = url ? codeLocation(url, lineNumber + 1, columnNumber + 1) : ''
    locations.set(node, shown)
  }
  return shown
}
