/**
 * Hand-computed traces for the trace analysis, shared by the unit, API and browser tests.
 * Times in ms from the trace start; each case says which spans are on the critical path and
 * the self time of every span, worked out on paper (the comments show the arithmetic).
 */
import { syntheticTrace, type SyntheticSpan } from './synthetic-spans.js'

export interface AnalysisCase {
  title: string
  spans: SyntheticSpan[]
  /** Span names on the critical path, in the order the API lists them. */
  criticalPath: string[]
  /** Self time of each span, ms. */
  selfMs: Record<string, number>
}

export const ANALYSIS_CASES: AnalysisCase[] = [
  {
    // P 0-100; A 10-60 (with A1 20-40) and B 50-90 overlap. From P's end (100): B ended last
    // (90), P's own 90-100 is on the path; B has no children: 50-90; back in P at 50 no child
    // ended by 50 (A ends at 60), so P's 0-50. A is off the path.
    title: 'overlapping children',
    spans: [
      { name: 'P', start: 0, end: 100 },
      { name: 'A', parent: 'P', start: 10, end: 60 },
      { name: 'A1', parent: 'A', start: 20, end: 40 },
      { name: 'B', parent: 'P', start: 50, end: 90 },
    ],
    criticalPath: ['P', 'B'],
    // P: 100 - |10..90| = 20; A: 50 - 20 = 30; A1: 20; B: 40.
    selfMs: { P: 20, A: 30, A1: 20, B: 40 },
  },
  {
    // A 0-40 then B 40-100 in sequence: the path goes through both; P spends no time on it.
    title: 'sequential children',
    spans: [
      { name: 'P', start: 0, end: 100 },
      { name: 'A', parent: 'P', start: 0, end: 40 },
      { name: 'B', parent: 'P', start: 40, end: 100 },
    ],
    criticalPath: ['P', 'A', 'B'],
    selfMs: { P: 0, A: 40, B: 60 },
  },
  {
    // C (same service) runs 10-80, past P's end at 50: clipped to 10-50 it ends last, so the
    // path is C 10-50, then back in P at 10: Q (5-8) ended before, so P 8-10, Q 5-8, P 0-5.
    // Self: P 50 - 3 - 40 = 7; C keeps its whole 70 ms.
    title: 'a child that outlives its parent',
    spans: [
      { name: 'P', start: 0, end: 50 },
      { name: 'C', parent: 'P', start: 10, end: 80 },
      { name: 'Q', parent: 'P', start: 5, end: 8 },
    ],
    criticalPath: ['P', 'Q', 'C'],
    selfMs: { P: 7, C: 70, Q: 3 },
  },
  {
    // The back service's clock is 20 ms behind: its SERVER span S claims -5..65 inside the
    // CLIENT span C 10-90. It is moved to the middle of C: room (80 - 70) / 2 = 5, so S 15-85
    // and its child Q (0-40 on the back clock) 20-60. Path: P 90-100, C 85-90, S 60-85,
    // Q 20-60, S 15-20, C 10-15, P 0-10.
    title: 'remote spans with clock skew',
    spans: [
      { name: 'P', start: 0, end: 100 },
      { name: 'C', parent: 'P', start: 10, end: 90 },
      { name: 'S', parent: 'C', start: -5, end: 65, service: 'back' },
      { name: 'Q', parent: 'S', start: 0, end: 40, service: 'back' },
    ],
    criticalPath: ['P', 'C', 'S', 'Q'],
    // P 100 - 80 = 20; C 80 - 70 = 10; S 70 - 40 = 30; Q 40.
    selfMs: { P: 20, C: 10, S: 30, Q: 40 },
  },
  {
    title: 'a single span',
    spans: [{ name: 'R', start: 0, end: 30 }],
    criticalPath: ['R'],
    selfMs: { R: 30 },
  },
  {
    // The demo's /slow, profiled: the handler's CPU-profile span (built from 90 samples, so its
    // start is only good to about 1 ms) starts at 291.2, 0.8 ms before the `wait` timer it
    // resumed from ends (292). For the path it starts at 292: from the root's end (320) the
    // handler ended last (318): root 318-320, handler 292-318; back in the root at 292, `wait`
    // (292) qualifies (`compute` 292.1-310 does not): wait 40-292; at 40 the profiler start
    // (1-38): root 38-40, profiler start 1-38, root 0-1.
    title: 'a CPU-profile span that overlaps the end of a measured span by less than its sampling margin',
    spans: [
      { name: 'GET /slow', start: 0, end: 320 },
      { name: 'CPU profiler start', parent: 'GET /slow', start: 1, end: 38, attributes: { 'hono_debug_toolbar.kind': 'profiler' } },
      { name: 'wait', parent: 'GET /slow', start: 40, end: 292 },
      { name: '(anonymous) app.js:90', parent: 'GET /slow', start: 291.2, end: 318, attributes: { 'profile.samples': 90 } },
      { name: 'compute', parent: 'GET /slow', start: 292.1, end: 310 },
    ],
    criticalPath: ['GET /slow', 'CPU profiler start', 'wait', '(anonymous) app.js:90'],
    // Self time is the span's own, edges as sampled: root 320 - |1..38| - |40..318| = 5;
    // the handler 318 - 291.2 = 26.8; compute 310 - 292.1 = 17.9.
    selfMs: { 'GET /slow': 5, 'CPU profiler start': 37, wait: 252, '(anonymous) app.js:90': 26.8, compute: 17.9 },
  },
]

/**
 * The case's spans as toolbar spans of a trace named after it (and `variant`: the toolbar's
 * span store is one per process, so tests that import a case use their own variant).
 */
export function caseSpans(c: AnalysisCase, variant = '') {
  return syntheticTrace(c.title + variant, c.spans)
}
