/**
 * Spans built from a CPU profile's samples rather than measured: the converter makes one
 * for each stretch of time an app function stayed on the stack (src/opentelemetry/profile-frames.ts)
 * and marks it with the number of samples it was built from. Its edges are only as exact as
 * the samples around them: V8 asked to sample every 100 µs takes a sample about every
 * 0.2-0.3 ms on a busy machine, and the profiler's own cost slows the code at a frame's edge
 * (the demo's `/slow` handler is on the stack 0.1-0.8 ms before the `wait` timer it resumes
 * from reads its end). The trace analysis reads these spans' edges with that margin.
 */
import type { ToolbarSpan } from '../span-model.js'

/** The attribute that marks a span built from a CPU profile's samples: how many there were. */
export const PROFILE_SAMPLES_ATTRIBUTE = 'profile.samples'

/**
 * The attribute of such a span that says how long its samples had its function itself on top
 * of the stack (ms): the Profile panel's self time, for this stretch. The span's self time
 * (its duration less its child spans) also holds the Node, V8 and library code it called.
 */
export const PROFILE_SAMPLED_SELF_ATTRIBUTE = 'profile.sampled_self_ms'

/** The least margin of a sampled span's edges (ns): a millisecond. */
const MIN_EDGE_NS = 1e6

/**
 * How far the edges of a span built from profile samples may be off (ns): the time one of its
 * samples stands for on average, and at least a millisecond; 0 for a measured span.
 *
 * @example
 * ```ts
 * sampledEdgeNs({ ...span, attributes: { 'profile.samples': 90 } }, 27e6) // 1e6: 0.3 ms a sample, at least 1 ms
 * sampledEdgeNs({ ...span, attributes: { 'profile.samples': 4 } }, 40e6) // 10e6: sampled every 10 ms
 * sampledEdgeNs(sqlSpan, 3e6) // 0: measured
 * ```
 */
export function sampledEdgeNs(span: ToolbarSpan, durationNs: number): number {
  const samples = span.attributes[PROFILE_SAMPLES_ATTRIBUTE]
  if (typeof samples !== 'number' || !(samples > 0)) return 0
  return Math.max(MIN_EDGE_NS, durationNs / samples)
}
