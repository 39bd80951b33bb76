/**
 * The critical path of a trace, by Jaeger's algorithm: start at the root's end and walk back
 * in time; at each point go down into the child that finished last before that point, and
 * when a span has no such child, its own time up to the point is on the path and the walk
 * returns to its parent at the span's start. Spans of every service take part.
 *
 * Children are first clipped to their parent (recursively): a child that outlives its parent
 * (work left running after the response) counts only up to the parent's end, and a child
 * wholly outside its parent counts not at all. Cross-service children were already moved
 * into their parent by the timeline's clock-skew adjustment. A span built from CPU profile
 * samples that starts less than its edge margin (`sampledEdgeNs`) before a measured sibling
 * ends starts, for the path, where that sibling ends: its start is only as exact as its
 * samples, and it must not take the path from the measured span it was waiting on.
 */
import { sampledEdgeNs } from './sampled-spans.js'
import { mainRoot, type TraceTimeline } from './timeline.js'

/** A stretch of time on the critical path, spent in one span (ns from the trace start). */
export interface CriticalSection {
  span: number
  startNs: number
  endNs: number
}

/**
 * The critical path as stretches of time in trace order (earliest first), from the main
 * root (see `mainRoot`). Sections of zero length are kept: they mark a span the path passes
 * through without spending time in it (a parent whose last child ends with it).
 *
 * @example
 * ```ts
 * const sections = criticalPath(traceTimeline(spans))
 * sections.map((s) => spans[s.span].name) // ['GET /users/:id', 'SELECT users', 'GET /users/:id', ...]
 * ```
 */
export function criticalPath(timeline: TraceTimeline, root = mainRoot(timeline)): CriticalSection[] {
  if (root < 0) return []
  const { lo, hi } = clipToParents(timeline, root)
  // Children of a span by clipped end, latest first: sorted only for spans the walk enters.
  const byEnd: Array<number[] | undefined> = []
  const next = new Int32Array(timeline.spans.length)
  const candidates = (span: number): number[] => {
    let list = byEnd[span]
    if (!list) {
      list = []
      for (let k = timeline.childStart[span]!; k < timeline.childStart[span + 1]!; k++) {
        const c = timeline.children[k]!
        if (hi[c]! >= lo[c]!) list.push(c)
      }
      // Ties keep the children's order (by start, then by what they are): not the order the spans arrived in.
      if (list.length > 1) list.sort((a, b) => hi[b]! - hi[a]! || lo[b]! - lo[a]!)
      byEnd[span] = list
    }
    return list
  }

  const sections: CriticalSection[] = []
  let span = root
  let point = hi[root]!
  for (;;) {
    // The point only moves back in time, so children passed over once never qualify again.
    const list = candidates(span)
    let k = next[span]!
    while (k < list.length && hi[list[k]!]! > point) k++
    const child = k < list.length ? list[k++] : undefined
    next[span] = k
    if (child !== undefined) {
      sections.push({ span, startNs: hi[child]!, endNs: point })
      span = child
      point = hi[child]!
      continue
    }
    sections.push({ span, startNs: lo[span]!, endNs: point })
    if (span === root) break
    point = lo[span]!
    span = timeline.parent[span]!
  }
  return sections.reverse()
}

/**
 * The spans on the critical path, in the order the path first reaches them.
 *
 * @example
 * ```ts
 * criticalSpans(criticalPath(timeline)) // [0, 4, 7]
 * ```
 */
export function criticalSpans(sections: readonly CriticalSection[]): number[] {
  const seen = new Set<number>()
  const spans: number[] = []
  for (const s of sections) {
    if (!seen.has(s.span)) {
      seen.add(s.span)
      spans.push(s.span)
    }
  }
  return spans
}

/** Each span's interval clipped to its (clipped) parent; a span outside its parent gets hi < lo. */
function clipToParents(timeline: TraceTimeline, root: number): { lo: Float64Array; hi: Float64Array } {
  const n = timeline.spans.length
  const lo = new Float64Array(n)
  const hi = new Float64Array(n).fill(-1)
  lo[root] = timeline.start[root]!
  hi[root] = timeline.end[root]!
  const stack = [root]
  while (stack.length > 0) {
    const p = stack.pop()!
    for (let k = timeline.childStart[p]!; k < timeline.childStart[p + 1]!; k++) {
      const c = timeline.children[k]!
      if (hi[p]! < lo[p]! || timeline.start[c]! > hi[p]! || timeline.end[c]! < lo[p]!) {
        lo[c] = 0
        hi[c] = -1
        continue
      }
      lo[c] = Math.max(timeline.start[c]!, lo[p]!)
      hi[c] = Math.min(timeline.end[c]!, hi[p]!)
      stack.push(c)
    }
    // Before the children of `p` are clipped in turn (they are popped later).
    trimSampled(timeline, p, lo, hi)
  }
  return { lo, hi }
}

/**
 * Moves the start of each sampled child of `p` that a measured sibling's end follows by less
 * than the sampled span's edge margin to the latest such end. A sampled span that lies wholly
 * within that margin is left out (hi < lo), with its subtree.
 */
function trimSampled(timeline: TraceTimeline, p: number, lo: Float64Array, hi: Float64Array): void {
  const { children, childStart, spans, start, end } = timeline
  // The measured siblings' clipped ends, sorted: made when the first sampled child is met.
  let ends: Float64Array | undefined
  for (let k = childStart[p]!; k < childStart[p + 1]!; k++) {
    const c = children[k]!
    if (hi[c]! < lo[c]!) continue
    const edge = sampledEdgeNs(spans[c]!, end[c]! - start[c]!)
    if (edge === 0) continue
    ends ??= measuredEnds(timeline, p, lo, hi)
    // The last measured end at or before lo + edge: binary search.
    let a = 0
    let b = ends.length
    while (a < b) {
      const m = (a + b) >>> 1
      if (ends[m]! <= lo[c]! + edge) a = m + 1
      else b = m
    }
    const latest = a > 0 ? ends[a - 1]! : -Infinity
    if (latest > lo[c]!) lo[c] = latest
  }
}

function measuredEnds(timeline: TraceTimeline, p: number, lo: Float64Array, hi: Float64Array): Float64Array {
  const { children, childStart, spans, start, end } = timeline
  const ends: number[] = []
  for (let k = childStart[p]!; k < childStart[p + 1]!; k++) {
    const c = children[k]!
    if (hi[c]! >= lo[c]! && sampledEdgeNs(spans[c]!, end[c]! - start[c]!) === 0) ends.push(hi[c]!)
  }
  return Float64Array.from(ends).sort()
}
