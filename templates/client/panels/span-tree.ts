/**
 * The waterfall's model: the spans of a trace arranged as a tree once, then flattened into
 * the rows to draw each time the user collapses a span, types a filter or moves the
 * duration threshold. Pure functions, so that a trace of thousands of spans is indexed once
 * and every later interaction is a single linear pass.
 */
import type { AttributeValue, ToolbarSpan } from '../../../src/core/span-model.js'
import { adjustedStartUnixNano, relativeClock, serviceName, traceTimeline, type TraceTimeline } from '../../../src/core/trace-analysis/timeline.js'
import { formatDuration } from '../../../src/shapes/format.js'

/** Durations are written by one rule everywhere (specs/ui.md, Durations). */
export { formatDuration }

/** One span in the tree, with the figures the waterfall needs precomputed. */
export interface SpanNode {
  span: ToolbarSpan
  /** Nesting level: 0 for the root and for orphans. */
  depth: number
  /** Children sorted by start time. */
  children: SpanNode[]
  parent: SpanNode | undefined
  /** The span names a parent that is not in the trace (yet): it is shown at the top level. */
  orphan: boolean
  /** Nanoseconds from the trace's first start to this span's start, after the clock-skew adjustment: where it is drawn. */
  offsetNs: number
  /**
   * How far the clock-skew adjustment moved the span (ns; positive: later than its own clock
   * says): a span of another service that did not fit in its parent. 0 for most spans;
   * `offsetNs - skewNs` is where its own clock puts it.
   */
  skewNs: number
  /** Nanoseconds the span took, as received (the adjustment never changes it); for a span still in flight, until "now". */
  durationNs: number
  inFlight: boolean
  /** The resource's `service.name`, or `unknown service`. */
  service: string
  /** Position in `SpanTree.ordered`: per-filter flags live in typed arrays indexed by it. */
  order: number
}

export interface SpanTree {
  /** Top-level rows: the root span(s) first, then orphans, each group by start time. */
  roots: SpanNode[]
  byId: Map<string, SpanNode>
  /** Every node in display order (depth first, children by start time). */
  ordered: SpanNode[]
  /** Where the axis starts, ns since the epoch: the first start after the clock-skew adjustment, on the clock of the spans that were not moved. */
  startUnixNano: bigint
  /** From the first start to the last end (in-flight spans end "now"), after the adjustment. */
  durationNs: number
  /** Service names in order of first appearance: the waterfall colours by this index. */
  services: string[]
  /** The trace indexed for the analyses (`src/core/trace-analysis`): built once, shared with them. */
  timeline: TraceTimeline
}

export interface BuildOptions {
  /** The request's own span: it is the root even when its parent is remote (an incoming traceparent). */
  rootSpanId?: string
  /** Where in-flight spans end, ns since the epoch (default: the browser's clock now). */
  nowUnixNano?: bigint
}

/** One row to draw. */
export interface VisibleRow {
  node: SpanNode
  /** The span matches the filter (only set while a filter is typed). */
  hit: boolean
  /** Shown only as the ancestor of a match or of a long span: drawn dimmed. */
  context: boolean
}

/**
 * Arranges the spans of a trace as a tree: children under their parent by `parentSpanId`,
 * sorted by start time. A span whose parent is not in the trace is an orphan and is placed at
 * the top level after the root; a span in a parent cycle (malformed input) is treated alike.
 * Spans are placed at their times after the clock-skew adjustment of the shared trace analysis
 * (a span of another service that does not fit in its parent is moved into it, as Jaeger does).
 *
 * @example
 * ```ts
 * const tree = buildSpanTree(trace.spans, { rootSpanId: stats.rootSpanId })
 * tree.roots[0].span.name // 'GET /users/:id'
 * ```
 */
export function buildSpanTree(spans: readonly ToolbarSpan[], options: BuildOptions = {}): SpanTree {
  // The timeline reads every timestamp once, as plain numbers (no BigInt per span: 100,000
  // spans open fast), and adjusts the skew; the tree reads its typed arrays.
  const timeline = traceTimeline(spans)
  const { start, end, skewNs, firstNs } = timeline
  let nowNs = 0
  if (spans.some(isInFlight)) {
    // "Now" on the timeline's scale: ns from the earliest start as received (spans[0]'s own start is start[0] - skewNs[0] on it).
    const now = options.nowUnixNano ?? BigInt(Date.now()) * 1_000_000n
    nowNs = relativeClock(spans[0]!.startTimeUnixNano)(String(now)) + (start[0]! - skewNs[0]!)
  }
  let endNs = 0
  const byId = new Map<string, SpanNode>()
  const nodes: SpanNode[] = spans.map((span, i) => {
    const inFlight = isInFlight(span)
    const node: SpanNode = {
      span,
      depth: 0,
      children: [],
      parent: undefined,
      orphan: false,
      offsetNs: start[i]! - firstNs,
      skewNs: skewNs[i]!,
      durationNs: inFlight ? Math.max(0, nowNs - (start[i]! - skewNs[i]!)) : end[i]! - start[i]!,
      inFlight,
      service: timeline.services[timeline.service[i]!]!,
      order: -1,
    }
    endNs = Math.max(endNs, node.offsetNs + node.durationNs)
    if (!byId.has(span.spanId)) byId.set(span.spanId, node)
    return node
  })

  // The parents are the timeline's, so the tree the waterfall draws is the one the clock-skew
  // adjustment and the analyses worked on: where parents form a cycle (malformed input), the
  // span the timeline cut it above leads the others as an orphan. (The tree cut cycles on its
  // own, elsewhere at times, and a span the adjustment moved with its parent was drawn
  // outside it.)
  const roots: SpanNode[] = []
  const orphans: SpanNode[] = []
  const cycled: SpanNode[] = []
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!
    const p = timeline.parent[i]!
    const parentId = node.span.parentSpanId
    if (p >= 0) {
      node.parent = nodes[p]
      nodes[p]!.children.push(node)
    } else if (!parentId || node.span.spanId === options.rootSpanId) roots.push(node)
    else if ((timeline.indexOf.get(parentId) ?? i) !== i) cycled.push(node)
    else orphans.push(node)
  }
  // Without a root of its own (a remote parent and no rootSpanId), the earliest orphan leads.
  if (roots.length === 0 && orphans.length > 0) roots.push(takeEarliest(orphans))

  const ordered: SpanNode[] = []
  const placed = new Set<SpanNode>()
  const visit = (top: SpanNode[]) => {
    top.sort(byStart)
    // An explicit stack: a chain of thousands of nested spans must not overflow the call stack.
    const stack = top.slice().reverse()
    while (stack.length > 0) {
      const node = stack.pop()!
      if (placed.has(node)) continue
      placed.add(node)
      node.depth = node.parent && placed.has(node.parent) ? node.parent.depth + 1 : 0
      node.order = ordered.length
      ordered.push(node)
      node.children.sort(byStart)
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!)
    }
  }
  visit(roots)
  for (const node of orphans) node.orphan = true
  visit(orphans)
  for (const node of cycled) node.orphan = true
  visit(cycled)

  const services: string[] = []
  const seen = new Set<string>()
  for (const node of ordered) {
    if (!seen.has(node.service)) {
      seen.add(node.service)
      services.push(node.service)
    }
  }
  return { roots: [...roots, ...orphans, ...cycled], byId, ordered, startUnixNano: adjustedStartUnixNano(timeline), durationNs: endNs, services, timeline }
}

/**
 * The rows to draw: spans under a collapsed span are left out; with a filter, the matches
 * and their ancestors (dimmed, for context); with a threshold, spans of at least
 * `minDurationMs` and their ancestors. In-flight spans always pass the threshold.
 *
 * @example
 * ```ts
 * const rows = flattenVisible(tree, new Set(['00f067aa0ba902b7']), 'db.system.name=sqlite', 0.5)
 * rows.map((r) => r.node.span.name)
 * ```
 */
export function flattenVisible(tree: SpanTree, collapsed: ReadonlySet<string>, filter: string, minDurationMs: number): VisibleRow[] {
  const matches = filter.trim() ? compileQuery(filter) : undefined
  const minNs = Number.isFinite(minDurationMs) && minDurationMs > 0 ? minDurationMs * 1e6 : 0
  if (!matches && minNs === 0) {
    return skipCollapsed(tree.ordered, collapsed, () => true).map((node) => ({ node, hit: false, context: false }))
  }
  // One pass from the leaves up: a node is shown when it passes, or when a descendant does.
  // Flags by position in `ordered` (typed arrays, not a map and a set of 100,000 nodes).
  const kept = new Uint8Array(tree.ordered.length)
  const shown = new Uint8Array(tree.ordered.length)
  for (let i = tree.ordered.length - 1; i >= 0; i--) {
    const node = tree.ordered[i]!
    const passes = (node.inFlight || node.durationNs >= minNs) && (!matches || matches(node.span))
    kept[i] = passes ? 1 : 0
    if (passes || shown[i]) {
      shown[i] = 1
      if (node.parent) shown[node.parent.order] = 1
    }
  }
  return skipCollapsed(tree.ordered, collapsed, (n) => shown[n.order] === 1).map((node) => {
    const passes = kept[node.order] === 1
    return { node, hit: matches !== undefined && passes, context: !passes }
  })
}

/**
 * Whether a span matches a filter, like Jaeger's "Find": every whitespace-separated term
 * must match the span's name, service, span id or an attribute key (substrings, any case),
 * or be `key=value` with an attribute (span or resource) of that key whose value contains
 * `value`. Quotes keep spaces in a term: `db.query.text="select id"`.
 *
 * @example
 * ```ts
 * spanMatches(span, 'sqlite')                  // service or name contains "sqlite"
 * spanMatches(span, 'http.response.status_code=500')
 * ```
 */
export function spanMatches(span: ToolbarSpan, query: string): boolean {
  return compileQuery(query)(span)
}

/**
 * What the clock-skew adjustment did to a span, in words: how far, and which way, it is drawn
 * from where its own clock puts it.
 *
 * @example
 * ```ts
 * describeSkew(41_200_000) // "drawn 41.2 ms later than its own clock says (its service's clock differs from its parent's)"
 * ```
 */
export function describeSkew(skewNs: number): string {
  return `drawn ${formatDuration(Math.abs(skewNs))} ${skewNs > 0 ? 'later' : 'earlier'} than its own clock says (its service's clock differs from its parent's)`
}

/**
 * Turns a filter into a predicate once, so that thousands of spans are tested cheaply
 * (the terms are parsed once, not per span).
 *
 * @example
 * ```ts
 * const matches = compileQuery('sqlite db.query.text="from orders"')
 * const hits = spans.filter(matches)
 * ```
 */
export function compileQuery(query: string): (span: ToolbarSpan) => boolean {
  const terms = tokenize(query).map((term) => {
    const eq = term.indexOf('=')
    if (eq > 0) {
      const key = term.slice(0, eq).toLowerCase()
      const value = term.slice(eq + 1).toLowerCase()
      return (span: ToolbarSpan) => attributeHas(span.attributes, key, value) || attributeHas(span.resource, key, value)
    }
    const needle = term.toLowerCase()
    return (span: ToolbarSpan) =>
      span.name.toLowerCase().includes(needle) ||
      serviceName(span).toLowerCase().includes(needle) ||
      span.spanId === needle ||
      anyKeyIncludes(span.attributes, needle)
  })
  return (span) => terms.every((test) => test(span))
}

function attributeHas(attributes: Record<string, AttributeValue>, key: string, value: string): boolean {
  // A loop over the keys, not Object.entries: a filter tests every span of the trace, and
  // an array per span is most of the cost at 100,000 spans. Keys of another length never match.
  for (const k in attributes) {
    if (k.length === key.length && k.toLowerCase() === key && displayValue(attributes[k]!).toLowerCase().includes(value)) return true
  }
  return false
}

function anyKeyIncludes(attributes: Record<string, AttributeValue>, needle: string): boolean {
  for (const k in attributes) if (k.length >= needle.length && k.toLowerCase().includes(needle)) return true
  return false
}

/**
 * Where a time given as decimal-string ns (an event's time) falls on the waterfall's axis:
 * nanoseconds from the trace start. A time of a span moved for clock skew is moved with it:
 * pass the span's node.
 *
 * @example
 * ```ts
 * offsetInTrace(tree, event.timeUnixNano, node) // 3_250_000
 * ```
 */
export function offsetInTrace(tree: SpanTree, unixNano: string, node?: SpanNode): number {
  return Number(toNs(unixNano) - tree.startUnixNano) + (node?.skewNs ?? 0)
}

/**
 * An attribute value as text: arrays joined with commas, null as an empty string.
 *
 * @example
 * ```ts
 * displayValue(['GET', 'POST']) // 'GET, POST'
 * ```
 */
export function displayValue(value: AttributeValue): string {
  if (value === null) return ''
  if (Array.isArray(value)) return value.map((v) => (v === null ? '' : String(v))).join(', ')
  return String(value)
}

function tokenize(query: string): string[] {
  const terms: string[] = []
  for (const m of query.matchAll(/(?:[^\s"]+|"[^"]*")+/g)) {
    const term = m[0].replace(/"/g, '')
    if (term) terms.push(term)
  }
  return terms
}

function skipCollapsed(ordered: SpanNode[], collapsed: ReadonlySet<string>, include: (n: SpanNode) => boolean): SpanNode[] {
  const out: SpanNode[] = []
  // `ordered` is depth first, so a collapsed span's subtree is the run of deeper rows after it.
  let hideBelow = -1
  for (const node of ordered) {
    if (hideBelow >= 0) {
      if (node.depth > hideBelow) continue
      hideBelow = -1
    }
    if (!include(node)) continue
    out.push(node)
    if (collapsed.has(node.span.spanId) && node.children.length > 0) hideBelow = node.depth
  }
  return out
}

function isInFlight(span: ToolbarSpan): boolean {
  return span.endTimeUnixNano === undefined || span.endTimeUnixNano === ''
}

function toNs(value: string): bigint {
  try {
    return BigInt(value)
  } catch {
    return 0n
  }
}

function byStart(a: SpanNode, b: SpanNode): number {
  return a.offsetNs - b.offsetNs
}

function takeEarliest(nodes: SpanNode[]): SpanNode {
  let best = 0
  for (let i = 1; i < nodes.length; i++) if (nodes[i]!.offsetNs < nodes[best]!.offsetNs) best = i
  return nodes.splice(best, 1)[0]!
}
