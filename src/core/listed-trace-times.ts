/**
 * The trace list's start and duration after the clock-skew adjustment, as the waterfall
 * draws the trace (specs/analysis.md, "Clock skew"). A store summarises a trace whenever it
 * takes spans, without indexing it (a sort per received batch); the list is read far less
 * often than spans arrive, so the adjusted figures are computed here, for the traces of one
 * listed page, and kept until the trace changes. Here in core, beside the analysis it runs:
 * every store's list is adjusted alike, and it needs nothing of OpenTelemetry.
 */
import type { ToolbarSpan, TracePage, TraceSummary } from './span-model.js'
import { adjustedStartUnixNano, traceTimeline } from './trace-analysis/timeline.js'

/** Reads a trace's spans (by start time), or undefined when it is unknown. */
type SpansOf = (traceId: string) => readonly ToolbarSpan[] | undefined | Promise<readonly ToolbarSpan[] | undefined>

interface AdjustedTimes {
  /** The figures as received the adjusted ones were computed from: a trace that changed has others. */
  received: string
  startedAt: string
  durationMs: number
}

/**
 * Adjusts pages of the trace list and remembers, per trace at rest (no span running), the
 * figures it computed, until the trace's span count or received extent changes; at most
 * `bound()` traces are remembered, the first remembered forgotten first.
 *
 * @example
 * ```ts
 * const times = new ListedTraceTimes(() => traces.maxTraces)
 * const page = await times.adjust(await store.listTraces(filter), (traceId) => store.getTrace(traceId))
 * ```
 */
export class ListedTraceTimes {
  private readonly known = new Map<string, AdjustedTimes>()

  constructor(private readonly bound: () => number) {}

  /**
   * The page with the start and duration of each trace of several services as its waterfall
   * draws them; a trace of one service is never moved, and keeps its line (and costs nothing).
   * A trace whose spans cannot be read keeps its figures as received.
   *
   * @example
   * ```ts
   * const page = await times.adjust({ traces, total }, (traceId) => reader.spans(traceId))
   * page.traces[0].durationMs // what the waterfall's header says, in ms
   * ```
   */
  async adjust(page: TracePage, spansOf: SpansOf): Promise<TracePage> {
    if (!page.traces.some((summary) => summary.services.length > 1)) return page
    const traces = await Promise.all(page.traces.map((summary) => (summary.services.length > 1 ? this.adjusted(summary, spansOf) : summary)))
    return { ...page, traces }
  }

  private async adjusted(summary: TraceSummary, spansOf: SpansOf): Promise<TraceSummary> {
    const received = `${summary.spanCount} ${summary.startedAt} ${summary.durationMs}`
    let times = this.known.get(summary.traceId)
    if (times?.received !== received) {
      let spans: readonly ToolbarSpan[] | undefined
      try {
        spans = await spansOf(summary.traceId)
      } catch {
        // The list was read; the trace's spans were not (the database went away between the two).
        return summary
      }
      if (!spans?.length) return summary
      const timeline = traceTimeline(spans)
      times = { received, startedAt: new Date(Number(adjustedStartUnixNano(timeline) / 1_000_000n)).toISOString(), durationMs: timeline.durationNs / 1e6 }
      // A span still running ends with the trace: when it ends, spans may move with neither
      // the span count nor the extent as received changing. Only a trace at rest is kept.
      if (spans.every((span) => span.endTimeUnixNano)) this.remember(summary.traceId, times)
    }
    return { ...summary, startedAt: times.startedAt, durationMs: times.durationMs }
  }

  private remember(traceId: string, times: AdjustedTimes): void {
    const { known } = this
    known.delete(traceId)
    known.set(traceId, times)
    const bound = Math.max(1, this.bound())
    for (const oldest of known.keys()) {
      if (known.size <= bound) break
      known.delete(oldest)
    }
  }
}
