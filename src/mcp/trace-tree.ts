/**
 * The span tree of a trace as `get_trace` shows it: each span with its offset from the
 * trace start, duration and self time, whether it is on the critical path, and repeated
 * siblings (same name, or same SQL shape, and service under one parent, at least three)
 * folded into one line: `SELECT orders x12, 34.0 ms total`. The figures come from the shared
 * trace analysis (`src/core/trace-analysis`), the same code as the waterfall and the
 * `/analysis` route: clock skew adjusted, children clipped to their parents. Offsets are
 * where the waterfall draws the spans: from the first start after the adjustment, a span of
 * another service that did not fit in its parent moved into it (and said so).
 */
import { codeLocation } from '../core/code-location.js'
import type { ToolbarSpan } from '../core/span-model.js'
import { groupTarget, spanTarget, unroutedPath } from '../shapes/span-label.js'
import { criticalPath, criticalSpans, groupIds, PROFILE_SAMPLED_SELF_ATTRIBUTE, selfTimes, siblingGroups, traceTimeline, type SiblingGroup, type TraceTimeline } from '../core/trace-analysis/index.js'

/** Siblings repeated at least this often are folded into one line. */
export const GROUP_MIN = 3

/** One line of the tree: a span, or a group of repeated siblings. */
export interface TraceLine {
  depth: number
  /** The span, or every span of the group, by start. */
  spanIds: string[]
  name: string
  /** Where a CLIENT span went (`spanTarget`: its URL, or host and path), or what a folded group of them shares (`groupTarget`), as the waterfall labels the row. */
  target?: string
  /**
   * The path a SERVER span named by its method alone was asked for (`unroutedPath`: a request
   * no route matched), so that the line reads `GET /nope` as list_requests and list_traces name it.
   */
  path?: string
  /**
   * Where the span's code is (`code.file.path`, `code.line.number`, `code.column.number`: a
   * function of the request's CPU profile), as `codeLocation` writes it: `src/routes/users.ts:40:5`.
   * A span of this process is mapped through the file's source map; another's is as it was sent.
   */
  at?: string
  service: string | undefined
  kind: string
  /** From the trace's start to the (first) span's start, after the clock-skew adjustment (where the waterfall draws it). */
  offsetMs: number
  /**
   * How far the clock-skew adjustment moved the span from where its own clock puts it (ms;
   * positive: later): a span of another service that did not fit in its parent. Only on a
   * single span that was moved.
   */
  clockSkewMs?: number
  /** The span's duration, or the group's total; undefined while a span runs. */
  durationMs: number | undefined
  /** The span's own time, or the group's total own time. */
  selfMs: number | undefined
  /**
   * Of a CPU-profile span (or a group of them): the time its samples had the function itself
   * on top of the stack (`profile.sampled_self_ms`), the self time get_request's Profile and
   * the Profile panel give. `selfMs` also holds the Node, V8 and library code it called.
   */
  sampledSelfMs?: number
  /** The longest span of a group. */
  maxMs?: number
  count: number
  status: 'UNSET' | 'OK' | 'ERROR'
  /**
   * Of a folded group whose members did not all fail: the ids of those with status ERROR
   * (the first five), and how many there are, so that `ERROR` names which calls failed.
   */
  failed?: { count: number; spanIds: string[] }
  /** The span (or a span of the group) is on the trace's critical path. */
  critical: boolean
  /** Spans under the group's members, not listed (folded). */
  hiddenDescendants: number
  /**
   * Messages of a WebSocket connection span that got no span of their own, over
   * `maxMessageSpans` (its `websocket.messages.untraced`), or the sum over a folded group of
   * connections; only when some did.
   */
  untracedMessages?: number
  /** The recorded request a SERVER span began (set by get_trace, which reads the history). */
  requestId?: string
}

const ms = (ns: number) => ns / 1e6

/**
 * The tree of `spans` as lines, depth first, children by start time, repeated siblings folded;
 * on `timeline` when the caller has indexed the trace already.
 *
 * @example
 * ```ts
 * for (const line of traceLines(spans)) console.log('  '.repeat(line.depth) + line.name)
 * ```
 */
export function traceLines(spans: readonly ToolbarSpan[], timeline: TraceTimeline = traceTimeline(spans)): TraceLine[] {
  if (spans.length === 0) return []
  const offsetMs = (i: number) => ms(timeline.start[i]! - timeline.firstNs)
  const self = selfTimes(timeline)
  const critical = new Set(criticalSpans(criticalPath(timeline)))
  const groupOf = new Map<number, SiblingGroup>()
  for (const group of siblingGroups(timeline, groupIds(timeline), GROUP_MIN)) for (const i of group.spans) groupOf.set(i, group)
  const running = (i: number) => spans[i]!.endTimeUnixNano === undefined
  const childrenOf = (i: number) => timeline.children.subarray(timeline.childStart[i]!, timeline.childStart[i + 1]!)
  const seen = new Uint8Array(spans.length)
  const lines: TraceLine[] = []

  const countBelow = (i: number): number => {
    let count = 0
    const stack = [...childrenOf(i)]
    while (stack.length) {
      const next = stack.pop()!
      if (seen[next]) continue
      seen[next] = 1
      count++
      stack.push(...childrenOf(next))
    }
    return count
  }

  const visit = (siblings: ArrayLike<number>, depth: number) => {
    for (let k = 0; k < siblings.length; k++) {
      const i = siblings[k]!
      if (seen[i]) continue
      const span = spans[i]!
      const group = groupOf.get(i)
      if (group) {
        for (const member of group.spans) seen[member] = 1
        const ended = !group.spans.some(running)
        const target = groupTarget(group.spans.map((m) => spans[m]!))
        const untraced = group.spans.reduce((sum, m) => sum + untracedMessages(spans[m]!), 0)
        const failed = group.spans.filter((m) => spans[m]!.status.code === 'ERROR').map((m) => spans[m]!.spanId)
        lines.push({
          depth,
          spanIds: group.spans.map((m) => spans[m]!.spanId),
          name: group.name,
          ...(target !== undefined && { target }),
          service: serviceOf(span),
          kind: span.kind,
          offsetMs: offsetMs(i),
          durationMs: ended ? ms(group.totalNs) : undefined,
          selfMs: ended ? ms(group.spans.reduce((sum, m) => sum + self[m]!, 0)) : undefined,
          ...sampledSelf(group.spans.map((m) => spans[m]!)),
          maxMs: ended ? ms(group.maxNs) : undefined,
          count: group.spans.length,
          status: failed.length ? 'ERROR' : span.status.code,
          ...(failed.length > 0 && failed.length < group.spans.length && { failed: { count: failed.length, spanIds: failed.slice(0, 5) } }),
          critical: group.spans.some((m) => critical.has(m)),
          hiddenDescendants: group.spans.reduce((sum, m) => sum + countBelow(m), 0),
          ...(untraced > 0 && { untracedMessages: untraced }),
        })
        continue
      }
      seen[i] = 1
      const target = spanTarget(span)
      const path = unroutedPath(span)
      const untraced = untracedMessages(span)
      const at = codeAt(span)
      lines.push({
        depth,
        spanIds: [span.spanId],
        name: span.name,
        ...(target !== undefined && { target }),
        ...(path !== undefined && { path }),
        ...(at !== undefined && { at }),
        service: serviceOf(span),
        kind: span.kind,
        offsetMs: offsetMs(i),
        ...(timeline.skewNs[i] !== 0 && { clockSkewMs: ms(timeline.skewNs[i]!) }),
        durationMs: running(i) ? undefined : ms(timeline.end[i]! - timeline.start[i]!),
        selfMs: running(i) ? undefined : ms(self[i]!),
        ...sampledSelf([span]),
        count: 1,
        status: span.status.code,
        critical: critical.has(i),
        hiddenDescendants: 0,
        ...(untraced > 0 && { untracedMessages: untraced }),
      })
      visit(childrenOf(i), depth + 1)
    }
  }
  visit(timeline.roots, 0)
  // Spans whose parents form a loop (bad data from a remote service) are still listed.
  const left = spans.map((_, i) => i).filter((i) => !seen[i])
  if (left.length) visit(left, 0)
  return lines
}

/** The span's `code.*` location (see `TraceLine.at`), undefined without `code.file.path`. */
function codeAt(span: ToolbarSpan): string | undefined {
  const { 'code.file.path': file, 'code.line.number': line, 'code.column.number': column } = span.attributes
  if (typeof file !== 'string' || !file) return undefined
  if (typeof line !== 'number') return file
  const col = typeof column === 'number' ? column : 1
  // Only this process's files are read for their source map: another service's path names a file on its machine.
  return span.source === 'local' ? codeLocation(file, line, col) : `${file}:${line}:${col}`
}

/** The sampled self time of CPU-profile spans, summed: `{}` unless every one of them has it. */
function sampledSelf(spans: readonly ToolbarSpan[]): { sampledSelfMs?: number } {
  let sum = 0
  for (const span of spans) {
    const value = span.attributes[PROFILE_SAMPLED_SELF_ATTRIBUTE]
    if (typeof value !== 'number') return {}
    sum += value
  }
  return { sampledSelfMs: sum }
}

/** Messages of a WebSocket connection span that got no span of their own (its `websocket.messages.untraced`), 0 for any other span. */
function untracedMessages(span: ToolbarSpan): number {
  const count = span.attributes['websocket.messages.untraced']
  return typeof count === 'number' && count > 0 ? count : 0
}

/** The `service.name` of a span's resource. */
export function serviceOf(span: ToolbarSpan): string | undefined {
  const name = span.resource['service.name']
  return typeof name === 'string' ? name : undefined
}

/** Duration in ns, undefined while running. */
export function durationNs(span: ToolbarSpan): bigint | undefined {
  return span.endTimeUnixNano === undefined ? undefined : BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)
}

/**
 * When the trace's earliest span started, in Unix nanoseconds (0n without spans).
 *
 * @example
 * ```ts
 * traceStartNs(spans) // 1700000000123456789n
 * ```
 */
export function traceStartNs(spans: readonly ToolbarSpan[]): bigint {
  return spans.reduce((least, s) => (BigInt(s.startTimeUnixNano) < least ? BigInt(s.startTimeUnixNano) : least), spans.length ? BigInt(spans[0]!.startTimeUnixNano) : 0n)
}
