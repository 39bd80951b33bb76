/**
 * The span tree of a trace as `get_trace` shows it: each span with its offset from the
 * trace start, duration and self time (its duration minus the time its children cover),
 * and repeated siblings (same name and service under one parent, at least three) folded
 * into one line: `SELECT orders ×12, 34 ms total`. A small function of its own so that the
 * shared trace analysis can replace it later.
 */
import type { ToolbarSpan } from '../core/span-model.js'

/** Siblings repeated at least this often are folded into one line. */
export const GROUP_MIN = 3

/** One line of the tree: a span, or a group of repeated siblings. */
export interface TraceLine {
  depth: number
  /** The span, or every span of the group, by start. */
  spanIds: string[]
  name: string
  service: string | undefined
  kind: string
  /** From the trace's start to the (first) span's start. */
  offsetMs: number
  /** The span's duration, or the group's total; undefined while a span runs. */
  durationMs: number | undefined
  /** The span's own time, or the group's total own time. */
  selfMs: number | undefined
  /** The longest span of a group. */
  maxMs?: number
  count: number
  status: 'UNSET' | 'OK' | 'ERROR'
  /** Spans under the group's members, not listed (folded). */
  hiddenDescendants: number
}

/** Nanoseconds as a bigint from the span model's decimal strings. */
function ns(value: string): bigint {
  return BigInt(value)
}

function toMs(nanos: bigint): number {
  return Number(nanos) / 1e6
}

/**
 * Self time in ns of each ended span: its duration minus the union of its ended children's
 * intervals (clipped to the span).
 *
 * @example
 * ```ts
 * selfTimes(spans).get(rootSpanId) // 1_200_000n: 1.2 ms not spent in children
 * ```
 */
export function selfTimes(spans: readonly ToolbarSpan[]): Map<string, bigint> {
  const children = childrenOf(spans)
  const self = new Map<string, bigint>()
  for (const span of spans) {
    if (span.endTimeUnixNano === undefined) continue
    const start = ns(span.startTimeUnixNano)
    const end = ns(span.endTimeUnixNano)
    const intervals = (children.get(span.spanId) ?? [])
      .filter((c) => c.endTimeUnixNano !== undefined)
      .map((c) => [max(start, ns(c.startTimeUnixNano)), min(end, ns(c.endTimeUnixNano!))] as const)
      .filter(([a, b]) => b > a)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    let covered = 0n
    let reach = start
    for (const [a, b] of intervals) {
      if (b <= reach) continue
      covered += b - max(a, reach)
      reach = b
    }
    self.set(span.spanId, end - start - covered)
  }
  return self
}

/**
 * The tree of `spans` as lines, depth first, children by start time, repeated siblings folded.
 *
 * @example
 * ```ts
 * for (const line of traceLines(spans)) console.log('  '.repeat(line.depth) + line.name)
 * ```
 */
export function traceLines(spans: readonly ToolbarSpan[]): TraceLine[] {
  if (spans.length === 0) return []
  const children = childrenOf(spans)
  const ids = new Set(spans.map((s) => s.spanId))
  const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId) || s.parentSpanId === s.spanId)
  const self = selfTimes(spans)
  const traceStart = spans.reduce((least, s) => min(least, ns(s.startTimeUnixNano)), ns(spans[0]!.startTimeUnixNano))
  const lines: TraceLine[] = []
  const seen = new Set<string>()

  const countBelow = (span: ToolbarSpan): number => {
    let count = 0
    const stack = [...(children.get(span.spanId) ?? [])]
    while (stack.length) {
      const next = stack.pop()!
      if (seen.has(next.spanId)) continue
      seen.add(next.spanId)
      count++
      stack.push(...(children.get(next.spanId) ?? []))
    }
    return count
  }

  const visit = (siblings: readonly ToolbarSpan[], depth: number) => {
    const groups = new Map<string, ToolbarSpan[]>()
    for (const span of siblings) {
      const key = `${span.name}\u0000${serviceOf(span) ?? ''}`
      const group = groups.get(key)
      if (group) group.push(span)
      else groups.set(key, [span])
    }
    for (const span of siblings) {
      if (seen.has(span.spanId)) continue
      const group = groups.get(`${span.name}\u0000${serviceOf(span) ?? ''}`)!
      if (group.length >= GROUP_MIN) {
        for (const member of group) seen.add(member.spanId)
        const durations = group.map(durationNs)
        const ended = durations.every((d) => d !== undefined)
        lines.push({
          depth,
          spanIds: group.map((s) => s.spanId),
          name: span.name,
          service: serviceOf(span),
          kind: span.kind,
          offsetMs: toMs(ns(span.startTimeUnixNano) - traceStart),
          durationMs: ended ? toMs(durations.reduce<bigint>((a, b) => a + b!, 0n)) : undefined,
          selfMs: ended ? toMs(group.reduce((a, s) => a + (self.get(s.spanId) ?? 0n), 0n)) : undefined,
          maxMs: ended ? toMs(durations.reduce<bigint>((a, b) => max(a, b!), 0n)) : undefined,
          count: group.length,
          status: group.some((s) => s.status.code === 'ERROR') ? 'ERROR' : span.status.code,
          hiddenDescendants: group.reduce((a, s) => a + countBelow(s), 0),
        })
        continue
      }
      seen.add(span.spanId)
      const duration = durationNs(span)
      const selfNs = self.get(span.spanId)
      lines.push({
        depth,
        spanIds: [span.spanId],
        name: span.name,
        service: serviceOf(span),
        kind: span.kind,
        offsetMs: toMs(ns(span.startTimeUnixNano) - traceStart),
        durationMs: duration === undefined ? undefined : toMs(duration),
        selfMs: selfNs === undefined ? undefined : toMs(selfNs),
        count: 1,
        status: span.status.code,
        hiddenDescendants: 0,
      })
      visit(children.get(span.spanId) ?? [], depth + 1)
    }
  }
  visit(roots, 0)
  // Spans whose parents form a loop (bad data from a remote service) are still listed.
  const left = spans.filter((s) => !seen.has(s.spanId))
  if (left.length) visit(left, 0)
  return lines
}

/** The `service.name` of a span's resource. */
export function serviceOf(span: ToolbarSpan): string | undefined {
  const name = span.resource['service.name']
  return typeof name === 'string' ? name : undefined
}

/** Duration in ns, undefined while running. */
export function durationNs(span: ToolbarSpan): bigint | undefined {
  return span.endTimeUnixNano === undefined ? undefined : ns(span.endTimeUnixNano) - ns(span.startTimeUnixNano)
}

function childrenOf(spans: readonly ToolbarSpan[]): Map<string, ToolbarSpan[]> {
  const children = new Map<string, ToolbarSpan[]>()
  const sorted = [...spans].sort((a, b) => (ns(a.startTimeUnixNano) < ns(b.startTimeUnixNano) ? -1 : 1))
  for (const span of sorted) {
    if (!span.parentSpanId || span.parentSpanId === span.spanId) continue
    const list = children.get(span.parentSpanId)
    if (list) list.push(span)
    else children.set(span.parentSpanId, [span])
  }
  return children
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b
}
