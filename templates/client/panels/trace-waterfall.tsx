import { useCallback, useEffect, useMemo, useState } from 'preact/hooks'
import type { ToolbarSpan, ToolbarTrace } from '../../../src/core/span-model.js'
import { getJson } from '../toolbar-api.js'
import { useLiveUpdates } from '../live-events.js'
import { DroppedSpans } from './dropped-spans.js'
import { buildSpanTree, flattenVisible } from './span-tree.js'
import { SpanDetail } from './span-detail.js'
import { useSpanDetailFocus } from './span-detail-focus.js'
import { Waterfall } from './waterfall.js'
import { selfTimeOf, useWaterfallAnalysis } from './waterfall-analysis.js'

const NO_SPANS: ToolbarSpan[] = []

/**
 * The waterfall of any trace the toolbar holds, loaded by id: what the trace list opens for
 * a trace that has no request of its own (a worker, a cron job, another service).
 *
 * @example
 * ```tsx
 * <TraceWaterfall prefix="/_debug_toolbar" traceId={summary.traceId} />
 * ```
 */
export function TraceWaterfall({ prefix, traceId }: { prefix: string; traceId: string }) {
  const [trace, setTrace] = useState<ToolbarTrace | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set())
  const [selectedId, setSelectedId] = useState<string | undefined>()
  const [reload, setReload] = useState(0)
  // Spans that arrive later (the rest of a job's trace) are fetched as their trace.updated comes.
  useLiveUpdates(prefix, (m) => m.data.traceId === traceId && m.type.startsWith('trace.'), () => setReload((n) => n + 1))

  useEffect(() => {
    const controller = new AbortController()
    getJson<ToolbarTrace>(`${prefix}/api/traces/${encodeURIComponent(traceId)}`, controller.signal).then(
      (answer) => {
        setTrace(answer)
        // A read that failed (the server restarting) is over once one succeeds.
        setError(undefined)
      },
      (failure: unknown) => {
        if (!controller.signal.aborted) setError(failure instanceof Error ? failure.message : String(failure))
      },
    )
    return () => controller.abort()
  }, [prefix, traceId, reload])

  const spans = trace?.spans
  const tree = useMemo(() => buildSpanTree(spans ?? NO_SPANS), [spans])
  // The critical path is highlighted here too (an imported or received trace has no request).
  const analysis = useWaterfallAnalysis(tree.timeline)
  const rows = useMemo(() => flattenVisible(tree, collapsed, '', 0), [tree, collapsed])
  const toggle = useCallback((spanId: string) => {
    setCollapsed((previous) => {
      const next = new Set(previous)
      if (!next.delete(spanId)) next.add(spanId)
      return next
    })
  }, [])
  const selected = selectedId === undefined ? undefined : tree.byId.get(selectedId)
  const detailFocus = useSpanDetailFocus(selectedId, setSelectedId)

  if (error) return <p class="hdt-error-note">Could not load the trace: {error}</p>
  if (!trace) return <p class="hdt-muted">loading the trace…</p>
  // Inside .hdt-otel: the waterfall's layout variables are set there.
  return (
    <div class="hdt-otel" data-hdt-trace={traceId}>
      <TraceDropNote trace={trace} />
      <div ref={detailFocus.body} class={`hdt-otel-body${selected ? ' hdt-otel-with-detail' : ''}`} onKeyDown={detailFocus.onKeyDown} onClickCapture={detailFocus.onClick} onKeyDownCapture={detailFocus.onKeyDownCapture}>
        <Waterfall tree={tree} rows={rows} collapsed={collapsed} selectedId={selectedId} onSelect={setSelectedId} onToggle={toggle} analysis={analysis} gridRef={detailFocus.grid} />
        {selected && (
          <SpanDetail
            node={selected}
            tree={tree}
            jaegerUrl={undefined}
            onClose={detailFocus.close}
            onSelect={detailFocus.select}
            selfNs={selfTimeOf(analysis, selected.span.spanId)}
            critical={analysis?.isCritical(selected.span.spanId)}
          />
        )}
      </div>
    </div>
  )
}

/**
 * Above the waterfall of a trace that lost spans over `maxSpansPerTrace`: how many, so that
 * the trace does not look complete. Nothing for a trace that lost none (or whose drops this
 * process did not count).
 *
 * @example
 * ```tsx
 * <TraceDropNote trace={await getJson<ToolbarTrace>(`${prefix}/api/traces/${traceId}`)} />
 * ```
 */
export function TraceDropNote({ trace }: { trace: ToolbarTrace }) {
  if (!trace.droppedSpans) return null
  return (
    <p class="hdt-otel-head" role="note">
      <DroppedSpans count={trace.droppedSpans} />
      <span class="hdt-muted">
        {trace.spans.length} {trace.spans.length === 1 ? 'span' : 'spans'} kept; the rest were refused over maxSpansPerTrace
      </span>
    </p>
  )
}
