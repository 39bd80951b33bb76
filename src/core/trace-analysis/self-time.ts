/**
 * Self time: the part of a span's duration when none of its children ran. Children are
 * clipped to the span (a child that outlives its parent covers it only up to the parent's
 * end) and overlapping children count once (the union of their intervals).
 */
import type { TraceTimeline } from './timeline.js'

/**
 * Every span's self time in ns, by span index.
 *
 * @example
 * ```ts
 * const self = selfTimes(traceTimeline(spans))
 * self[0] // ns the root spent outside its children
 * ```
 */
export function selfTimes(timeline: TraceTimeline): Float64Array {
  const { start, end, childStart, children } = timeline
  const n = start.length
  const self = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const s = start[i]!
    const e = end[i]!
    let covered = 0
    // Children are sorted by start: one sweep merges their clipped intervals.
    let runStart = 0
    let runEnd = -Infinity
    for (let k = childStart[i]!; k < childStart[i + 1]!; k++) {
      const c = children[k]!
      const cs = Math.max(start[c]!, s)
      const ce = Math.min(end[c]!, e)
      if (ce <= cs) continue
      if (cs > runEnd) {
        if (runEnd > runStart) covered += runEnd - runStart
        runStart = cs
        runEnd = ce
      } else if (ce > runEnd) runEnd = ce
    }
    if (runEnd > runStart) covered += runEnd - runStart
    self[i] = Math.max(0, e - s - covered)
  }
  return self
}
