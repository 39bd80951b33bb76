/**
 * V8 writes some samples of a CPU profile out of time order (its `timeDeltas` are signed: a
 * sample taken during a deoptimization can come after one taken later), and profile viewers
 * (Chrome DevTools, speedscope) read the samples in time order. So does the toolbar: for any
 * profile, the same samples written in another order, with the deltas that give each its own
 * time, make the same Profile panel (hottest functions, call tree, flame chart) and the same
 * profile spans in the waterfall; and whatever the order, no flame frame or span lasts less
 * than nothing, and a span's frame lies within its parent's. fast-check writes the call trees,
 * the samples and the orders.
 */
import { describe, it } from 'vitest'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { summariseProfile } from '../../src/panels/cpu-profile.js'
import { hotFrames } from '../../src/opentelemetry/profile-frames.js'
import type { ProfileNode, RecordedProfile } from '../../src/shapes/records.js'

type Profile = NonNullable<RecordedProfile['profile']>

// The kinds of frame a request's profile has: the app's functions, a dependency's, Node's
// internals, and V8's own entries.
const FRAMES = [
  { functionName: 'handler', url: 'file:///app/src/routes.js', lineNumber: 3 },
  { functionName: 'render', url: 'file:///app/src/views.js', lineNumber: 10 },
  { functionName: '', url: 'file:///app/src/views.js', lineNumber: 40 },
  { functionName: 'sortOrders', url: 'file:///app/src/orders.js', lineNumber: 7 },
  { functionName: 'hashSync', url: 'file:///app/node_modules/bcrypt/index.js', lineNumber: 5 },
  { functionName: 'inner', url: 'file:///app/node_modules/bcrypt/lib.js', lineNumber: 1 },
  { functionName: 'processTicksAndRejections', url: 'node:internal/process/task_queues', lineNumber: 66 },
  { functionName: 'sqrt', url: '', lineNumber: -1 },
  { functionName: '(program)', url: '', lineNumber: -1 },
  { functionName: '(garbage collector)', url: '', lineNumber: -1 },
  { functionName: '(idle)', url: '', lineNumber: -1 },
]

/** A call tree (each node under an earlier one) and samples of its nodes, in time order. */
const profileSpec = fc.record({
  parents: fc.array(fc.tuple(fc.nat(), fc.nat({ max: FRAMES.length - 1 })), { minLength: 1, maxLength: 14 }),
  samples: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3000 })), { minLength: 1, maxLength: 60 }),
  tailUs: fc.integer({ min: 0, max: 3000 }),
  startMs: fc.double({ min: 0, max: 50, noNaN: true }),
})
type ProfileSpec = typeof profileSpec extends fc.Arbitrary<infer T> ? T : never

function profileOf(spec: ProfileSpec): { profile: Profile; times: number[] } {
  const nodes: ProfileNode[] = [{ id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [] }]
  for (const [under, frame] of spec.parents) {
    const parent = nodes[under % nodes.length]!
    const { functionName, url, lineNumber } = FRAMES[frame]!
    const node: ProfileNode = { id: nodes.length + 1, callFrame: { functionName, scriptId: url ? '1' : '0', url, lineNumber, columnNumber: 2 }, children: [] }
    parent.children!.push(node.id)
    nodes.push(node)
  }
  const startTime = 1_000_000
  let t = startTime
  const times: number[] = []
  const samples: number[] = []
  for (const [node, gapUs] of spec.samples) {
    samples.push(nodes[1 + (node % (nodes.length - 1))]?.id ?? 1)
    times.push((t += gapUs))
  }
  return { profile: { nodes, startTime, endTime: t + spec.tailUs, samples, timeDeltas: deltasOf(startTime, times) }, times }
}

function deltasOf(startTime: number, times: number[]): number[] {
  return times.map((time, i) => time - (i === 0 ? startTime : times[i - 1]!))
}

/** The same samples written in another order: each keeps its time, so some deltas are negative. */
function reordered(profile: Profile, times: number[], order: number[]): Profile {
  const samples = order.map((i) => profile.samples[i]!)
  return { ...profile, samples, timeDeltas: deltasOf(profile.startTime, order.map((i) => times[i]!)) }
}

/** An order of `n` items: a few neighbours swapped, as V8's late samples are, or any shuffle. */
const orderOf = (n: number) =>
  fc.oneof(
    fc.array(fc.nat({ max: Math.max(0, n - 2) }), { maxLength: 4 }).map((swaps) => {
      const order = [...Array(n).keys()]
      for (const i of swaps) if (i + 1 < n) [order[i], order[i + 1]] = [order[i + 1]!, order[i]!]
      return order
    }),
    fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
  )

const recordedOf = (profile: Profile, startMs: number): RecordedProfile => ({ profile, startMs, samplingIntervalUs: 1000, skipped: undefined })

describe('a CPU profile with samples out of time order', () => {
  it('makes the same Profile panel and the same profile spans as in time order', () => {
    fc.assert(
      fc.property(
        profileSpec.chain((spec) => {
          const { profile, times } = profileOf(spec)
          return fc.tuple(fc.constant({ spec, profile, times }), orderOf(profile.samples.length))
        }),
        ([{ spec, profile, times }, order]) => {
          const shuffled = reordered(profile, times, order)
          const summary = summariseProfile(profile, spec.startMs)
          const other = summariseProfile(shuffled, spec.startMs)
          if (!isDeepStrictEqual(other, summary)) throw new Error(`Profile panel differs:\n  in order ${JSON.stringify(summary.flame)}\n  reordered ${JSON.stringify(other.flame)}`)
          const spans = hotFrames(recordedOf(profile, spec.startMs), 0)
          const otherSpans = hotFrames(recordedOf(shuffled, spec.startMs), 0)
          if (!isDeepStrictEqual(otherSpans, spans)) throw new Error(`profile spans differ:\n  in order ${JSON.stringify(spans)}\n  reordered ${JSON.stringify(otherSpans)}`)
          for (const frame of other.flame) if (!(frame.durationMs >= 0)) throw new Error(`flame frame ${frame.name} lasts ${frame.durationMs} ms`)
          for (const frame of otherSpans.frames) {
            if (!(frame.durationMs >= 0)) throw new Error(`span ${frame.functionName} lasts ${frame.durationMs} ms`)
            const parent = frame.parentIndex === undefined ? undefined : otherSpans.frames[frame.parentIndex]!
            const within = !parent || (frame.startMs >= parent.startMs - 1e-9 && frame.startMs + frame.durationMs <= parent.startMs + parent.durationMs + 1e-9)
            if (!within) throw new Error(`span ${frame.functionName} is not within ${parent!.functionName}`)
          }
          return true
        },
      ),
      { numRuns: 1000 },
    )
  })
})
