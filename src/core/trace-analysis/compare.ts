/**
 * Two traces side by side: what changed between two runs of a request. Spans are matched by
 * their place in the tree, the chain of group keys from the root (service and name, or SQL
 * shape), and their rank among siblings of that chain: when the second run has five
 * `SELECT comments` where the first had three, two are added. What that leaves unmatched is
 * matched again by key and depth alone, so a renamed parent (`render page alice` where the
 * first run had `render page bob`) is one span removed and one added, not every span under it.
 */
import { criticalPath, criticalSpans } from './critical-path.js'
import { groupIds } from './groups.js'
import { nsString } from './ns-string.js'
import type { TraceTimeline } from './timeline.js'

/** A span only one of the two traces has. */
export interface SpanChange {
  spanId: string
  name: string
  service: string
  key: string
  durationNs: string
}

/** A step of a critical path, with the time the path spends in it. */
export interface PathStep {
  spanId: string
  name: string
  service: string
  onPathNs: string
}

export interface GroupDelta {
  key: string
  countA: number
  countB: number
  totalNsA: string
  totalNsB: string
}

/** What `GET {prefix}/api/traces/:a/compare/:b` answers (ns as decimal strings; deltas are B − A). */
export interface TraceComparison {
  durationNsA: string
  durationNsB: string
  durationDeltaNs: string
  /** Per group key (across the whole trace), changed ones first. */
  groups: GroupDelta[]
  /** Spans of B without a counterpart in A (at most `limit`; `addedTotal` counts all). */
  added: SpanChange[]
  removed: SpanChange[]
  addedTotal: number
  removedTotal: number
  criticalPathA: PathStep[]
  criticalPathB: PathStep[]
}

/**
 * Compares trace A (before) with trace B (after).
 *
 * @example
 * ```ts
 * const diff = compareTraces(traceTimeline(before), traceTimeline(after))
 * diff.groups.find((g) => g.key.includes('comments')) // { countA: 3, countB: 5, ... }
 * ```
 */
export function compareTraces(a: TraceTimeline, b: TraceTimeline, limit = 500): TraceComparison {
  const paths = new Map<string, number>()
  const sideA = side(a, paths)
  const sideB = side(b, paths)
  const groups = new Map<string, { countA: number; countB: number; totalA: number; totalB: number }>()
  const tally = (t: TraceTimeline, keys: string[], inA: boolean) => {
    for (let i = 0; i < keys.length; i++) {
      let g = groups.get(keys[i]!)
      if (!g) groups.set(keys[i]!, (g = { countA: 0, countB: 0, totalA: 0, totalB: 0 }))
      const d = t.end[i]! - t.start[i]!
      if (inA) {
        g.countA++
        g.totalA += d
      } else {
        g.countB++
        g.totalB += d
      }
    }
  }
  tally(a, sideA.keys, true)
  tally(b, sideB.keys, false)
  const [added, removed] = unmatchedBoth(a, sideA, b, sideB)
  return {
    durationNsA: nsString(a.durationNs),
    durationNsB: nsString(b.durationNs),
    durationDeltaNs: nsString(b.durationNs - a.durationNs),
    groups: [...groups]
      .sort(([, x], [, y]) => Math.abs(y.countB - y.countA) - Math.abs(x.countB - x.countA) || Math.abs(y.totalB - y.totalA) - Math.abs(x.totalB - x.totalA))
      .slice(0, limit)
      .map(([key, g]) => ({ key, countA: g.countA, countB: g.countB, totalNsA: nsString(g.totalA), totalNsB: nsString(g.totalB) })),
    added: added.slice(0, limit).map((i) => change(b, sideB.keys, i)),
    removed: removed.slice(0, limit).map((i) => change(a, sideA.keys, i)),
    addedTotal: added.length,
    removedTotal: removed.length,
    criticalPathA: pathSteps(a),
    criticalPathB: pathSteps(b),
  }
}

interface Side {
  keys: string[]
  /** Tree position of each span (an interned id of its chain of keys). */
  path: Int32Array
  /** Rank of each span among the spans of its position, by start. */
  rank: Int32Array
  /** How many spans hold each position. */
  counts: Map<number, number>
  /** Depth of each span in the tree (roots 0). */
  depth: Int32Array
}

function side(t: TraceTimeline, paths: Map<string, number>): Side {
  const groups = groupIds(t)
  const keys = Array.from(groups.ids, (id) => groups.keys[id]!)
  const n = keys.length
  const path = new Int32Array(n)
  const rank = new Int32Array(n)
  const depth = new Int32Array(n)
  const counts = new Map<number, number>()
  const visit = (i: number, parentPath: number, d: number) => {
    depth[i] = d
    const chain = `${parentPath}\u0000${keys[i]}`
    let id = paths.get(chain)
    if (id === undefined) paths.set(chain, (id = paths.size))
    path[i] = id
    rank[i] = counts.get(id) ?? 0
    counts.set(id, rank[i]! + 1)
  }
  // Breadth-first by start, so that ranks follow time among siblings of one position.
  let level: number[] = [...t.roots]
  for (const r of level) visit(r, -1, 0)
  for (let d = 1; level.length > 0; d++) {
    const next: number[] = []
    for (const p of level) {
      for (let k = t.childStart[p]!; k < t.childStart[p + 1]!; k++) {
        const c = t.children[k]!
        visit(c, path[p]!, d)
        next.push(c)
      }
    }
    level = next
  }
  return { keys, path, rank, counts, depth }
}

/** The spans of B without a counterpart in A (added) and of A without one in B (removed), by start. */
function unmatchedBoth(a: TraceTimeline, sideA: Side, b: TraceTimeline, sideB: Side): [number[], number[]] {
  const byPathA = unmatchedByPath(sideA, sideB)
  const byPathB = unmatchedByPath(sideB, sideA)
  // Second pass: what the tree position left over, matched by depth and key in start order.
  const leftA = countByKey(sideA, byPathA)
  const added = stillUnmatched(b, sideB, byPathB, leftA)
  const leftB = countByKey(sideB, byPathB)
  const removed = stillUnmatched(a, sideA, byPathA, leftB)
  return [added, removed]
}

function unmatchedByPath(mine: Side, theirs: Side): number[] {
  const out: number[] = []
  for (let i = 0; i < mine.keys.length; i++) if (mine.rank[i]! >= (theirs.counts.get(mine.path[i]!) ?? 0)) out.push(i)
  return out
}

const depthKey = (s: Side, i: number) => `${s.depth[i]}\u0000${s.keys[i]}`

function countByKey(s: Side, spans: number[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const i of spans) counts.set(depthKey(s, i), (counts.get(depthKey(s, i)) ?? 0) + 1)
  return counts
}

function stillUnmatched(t: TraceTimeline, s: Side, spans: number[], theirs: Map<string, number>): number[] {
  const seen = new Map<string, number>()
  const out: number[] = []
  for (const i of [...spans].sort((x, y) => t.start[x]! - t.start[y]!)) {
    const key = depthKey(s, i)
    const rank = seen.get(key) ?? 0
    seen.set(key, rank + 1)
    if (rank >= (theirs.get(key) ?? 0)) out.push(i)
  }
  return out
}

function change(t: TraceTimeline, keys: string[], i: number): SpanChange {
  const span = t.spans[i]!
  return { spanId: span.spanId, name: span.name, service: t.services[t.service[i]!]!, key: keys[i]!, durationNs: nsString(t.end[i]! - t.start[i]!) }
}

function pathSteps(t: TraceTimeline): PathStep[] {
  const sections = criticalPath(t)
  const onPath = new Map<number, number>()
  for (const s of sections) onPath.set(s.span, (onPath.get(s.span) ?? 0) + s.endNs - s.startNs)
  return criticalSpans(sections).map((i) => ({
    spanId: t.spans[i]!.spanId,
    name: t.spans[i]!.name,
    service: t.services[t.service[i]!]!,
    onPathNs: nsString(onPath.get(i) ?? 0),
  }))
}
