import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { OpenTelemetryStats } from '../../../src/opentelemetry/panel.js'
import { isReceivedSource, type ToolbarSpan, type ToolbarTrace } from '../../../src/core/span-model.js'
import { escapeClears } from '../escape-clears.js'
import { formatClock } from '../format.js'
import { getJson } from '../toolbar-api.js'
import { LiveBadge } from '../live-badge.js'
import { useLiveUpdates } from '../live-events.js'
import type { PanelProps } from '../types.js'
import { AfterResponse } from './after-response.js'
import { buildSpanTree, flattenVisible, formatDuration, type SpanTree } from './span-tree.js'
import { ExportStatus, useExportStatus } from './export-status.js'
import { SdkDisabledNote } from './sdk-disabled-note.js'
import { SpanDetail } from './span-detail.js'
import { useSpanDetailFocus } from './span-detail-focus.js'
import { TraceLinks } from './trace-links.js'
import { TraceContext } from './trace-context.js'
import { Waterfall } from './waterfall.js'
import { AnalysisControls, DEFAULT_ANALYSIS_OPTIONS, TraceViewTabs, type TraceView } from './analysis-controls.js'
import { ImportButton, useTraceImport, type ImportedTrace } from './trace-import.js'
import { TraceCompare } from './trace-compare.js'
import { TraceStatistics } from './trace-stats.js'
import { foldGroups, onlyCritical, selfTimeOf, useWaterfallAnalysis } from './waterfall-analysis.js'
import { ServiceLegend } from './service-legend.js'
import { ReceiverStatusLine } from './receiver-status.js'

/** Spans fetched first from a large trace, so the first rows do not wait for the whole trace. */
const FIRST_PAGE = 500

type Load = { state: 'loading' } | { state: 'ready'; at: number } | { state: 'failed'; message: string }

/** A trace's spans as the API last answered, and how many it dropped. */
interface ReadTrace {
  traceId: string | undefined
  spans: ToolbarSpan[]
  dropped: number
}

const NOTHING_READ: ReadTrace = { traceId: undefined, spans: [], dropped: 0 }

/**
 * The OpenTelemetry panel: the request's trace as a waterfall, with its export status, links
 * to Jaeger, Zipkin and Grafana Tempo, a filter, and the detail of the chosen span. The
 * request's stats hold only counts: the trace is fetched when the panel opens and on
 * "Refresh", because spans of downstream services can arrive after the page has loaded.
 *
 * @example
 * ```tsx
 * <OpenTelemetryView stats={detail.panels.opentelemetry} request={detail} prefix="/_debug_toolbar" openRequest={open} />
 * ```
 */
export function OpenTelemetryView({ stats, prefix, request, openPanel }: PanelProps<OpenTelemetryStats>) {
  // The spans last read, with the trace they belong to and the spans it lost over
  // maxSpansPerTrace as that answer counted them: another trace draws nothing of them.
  const [read, setRead] = useState<ReadTrace>(NOTHING_READ)
  const [load, setLoad] = useState<Load>({ state: 'loading' })
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set())
  const [filter, setFilter] = useState('')
  const [minMs, setMinMs] = useState('')
  const [selectedId, setSelectedId] = useState<string | undefined>()
  const [view, setView] = useState<TraceView>('waterfall')
  const [options, setOptions] = useState(DEFAULT_ANALYSIS_OPTIONS)
  const [expandedGroups, setExpandedGroups] = useState<ReadonlySet<string>>(new Set())
  // A dropped OTLP/JSON file is shown in place of the request's trace until "back".
  const [imported, setImported] = useState<ImportedTrace | undefined>()
  const drop = useTraceImport(prefix, (trace) => {
    setImported(trace)
    setView('waterfall')
  })
  const traceId = imported?.traceId ?? stats.traceId
  const spans = read.traceId === traceId ? read.spans : NOTHING_READ.spans
  const dropped = read.traceId === traceId ? read.dropped : 0
  const exportStatus = useExportStatus(prefix, request, stats.export)

  // The trace whose spans are drawn now, for the reads that change nothing in sight until they answer.
  const drawnTraceId = useRef(read.traceId)
  drawnTraceId.current = read.traceId

  /**
   * Reads the trace. A quiet read of the trace already drawn (a live update, newer stats)
   * leaves the status as it is until its answer: "updated 10:42:07" becomes "updated
   * 10:42:09", not "loading the trace…" and back at every span that joins. Refresh says so.
   */
  const refresh = useCallback(
    (signal?: AbortSignal, firstPage = false, quiet = false) => {
      if (!traceId) return
      if (!quiet || drawnTraceId.current !== traceId) setLoad({ state: 'loading' })
      // A large trace: the first spans in start order are drawn while the whole trace comes.
      if (firstPage && !imported && stats.spanCount > FIRST_PAGE) {
        getJson<{ spans: ToolbarSpan[] }>(`${prefix}/api/traces/${encodeURIComponent(traceId)}/spans?limit=${FIRST_PAGE}`, signal).then(
          (page) => setRead((shown) => (shown.traceId === traceId && shown.spans.length ? shown : { traceId, spans: page.spans, dropped: 0 })),
          () => undefined,
        )
      }
      getJson<ToolbarTrace>(`${prefix}/api/traces/${encodeURIComponent(traceId)}`, signal).then(
        (trace) => {
          setRead({ traceId, spans: trace.spans, dropped: trace.droppedSpans ?? 0 })
          setLoad({ state: 'ready', at: Date.now() })
        },
        (error: unknown) => {
          if (!signal?.aborted) setLoad({ state: 'failed', message: error instanceof Error ? error.message : String(error) })
        },
      )
    },
    [prefix, traceId, imported, stats.spanCount],
  )

  // Late and remote spans of this trace arrive as trace.updated: fetch the trace again (debounced).
  const live = useLiveUpdates(prefix, (m) => m.data.traceId === stats.traceId && m.type.startsWith('trace.'), () => refresh(undefined, false, true))

  // Another trace starts empty in the very render that names it (`read` is keyed by trace).
  // The same trace with newer stats (the request read again when the panel is asked for,
  // with the export's figures as they are now) keeps its rows drawn while it is read again:
  // a waterfall blanking out and coming back is all the reader saw.
  useEffect(() => {
    const controller = new AbortController()
    refresh(controller.signal, true, true)
    return () => controller.abort()
  }, [stats, refresh])

  const rootSpanId = imported ? undefined : stats.rootSpanId
  const tree = useMemo(() => buildSpanTree(spans, { rootSpanId }), [spans, rootSpanId])
  const analysis = useWaterfallAnalysis(tree.timeline, load.state !== 'loading')
  const threshold = Number(minMs)
  const visible = useMemo(() => flattenVisible(tree, collapsed, filter, Number.isFinite(threshold) ? threshold : 0), [tree, collapsed, filter, threshold])
  const rows = useMemo(() => {
    if (!analysis) return visible
    // While a filter or threshold is set, the matches are what the user looks for: nothing folds.
    const foldAt = filter.trim() || threshold > 0 ? 0 : options.foldAt
    return foldGroups(options.criticalOnly ? onlyCritical(visible, analysis) : visible, analysis.groups, foldAt, expandedGroups)
  }, [visible, analysis, options, expandedGroups, filter, threshold])
  const selected = selectedId === undefined ? undefined : tree.byId.get(selectedId)
  const detailFocus = useSpanDetailFocus(selectedId, setSelectedId)
  const toggleGroup = useCallback((groupId: string) => {
    setExpandedGroups((previous) => {
      const next = new Set(previous)
      if (!next.delete(groupId)) next.add(groupId)
      return next
    })
  }, [])

  const toggle = useCallback((spanId: string) => {
    setCollapsed((previous) => {
      const next = new Set(previous)
      if (!next.delete(spanId)) next.add(spanId)
      return next
    })
  }, [])

  if (!stats.traceId) return <p class="hdt-muted">This request has no trace.</p>

  return (
    <div class={`hdt-otel${drop.dragging ? ' hdt-otel-dropping' : ''}`} {...drop.zone}>
      {imported && (
        <p class="hdt-otel-imported" role="status">
          Showing the imported trace <code>{imported.traceId}</code> from <strong>{imported.fileName}</strong> ({imported.spans} spans
          {imported.rejected > 0 ? `, ${imported.rejected} refused: ${imported.errorMessage ?? ''}` : ''}
          {imported.traceIds.length > 1 ? `; the file had ${imported.traceIds.length} traces` : ''}).{' '}
          <button type="button" class="hdt-linklike" onClick={() => setImported(undefined)}>
            Back to this request's trace
          </button>
        </p>
      )}
      {/* The request's stats count what it dropped even when this process no longer holds the trace; an imported trace has only its answer. */}
      <TraceHeader stats={stats} tree={tree} traceId={traceId} dropped={imported ? dropped : Math.max(stats.droppedSpans, dropped)} responseMs={imported ? undefined : request.durationMs} />
      {/* With nothing exported, the links' place says so with the way to start Jaeger: one line, not two. */}
      {stats.sdkDisabledBy ? (
        <SdkDisabledNote variable={stats.sdkDisabledBy} />
      ) : stats.exportMode === 'none' && !imported ? null : (
        <ExportStatus status={exportStatus} mode={stats.exportMode} />
      )}
      <ReceiverStatusLine status={stats.receiver} origin={location.origin} />
      {stats.context && <TraceContext context={stats.context} baggage={stats.baggage} propagators={stats.propagators} />}
      <TraceLinks stats={stats} prefix={prefix} imported={imported?.traceId}>
        <ImportButton drop={drop} />
      </TraceLinks>
      <TraceViewTabs view={view} onView={setView} />
      {view === 'statistics' && (analysis ? <TraceStatistics stats={analysis.stats()} /> : <p class="hdt-muted">Analysing the trace…</p>)}
      {view === 'compare' && <TraceCompare prefix={prefix} request={request} traceId={traceId} />}
      {view === 'waterfall' && (
        <>
          <div class="hdt-toolbar-row hdt-otel-controls">
            <input
              type="search"
              class="hdt-otel-filter"
              placeholder="Find: name, service, attribute, key=value"
              aria-label="Filter spans"
              value={filter}
              onInput={(event) => setFilter((event.currentTarget as HTMLInputElement).value)}
              onKeyDown={escapeClears(() => setFilter(''))}
            />
            <label class="hdt-otel-threshold">
              hide spans shorter than{' '}
              <input
                type="number"
                min="0"
                step="any"
                inputMode="decimal"
                aria-label="Hide spans shorter than (ms)"
                value={minMs}
                onInput={(event) => setMinMs((event.currentTarget as HTMLInputElement).value)}
                onKeyDown={escapeClears(() => setMinMs(''))}
              />{' '}
              ms
            </label>
            <button type="button" class="hdt-otel-button" onClick={() => refresh()} disabled={load.state === 'loading'}>
              Refresh
            </button>
            <LoadNote load={load} />
            <LiveBadge status={live} />
          </div>
          <AnalysisControls options={options} onChange={setOptions} analysis={analysis} />
          <div ref={detailFocus.body} class={`hdt-otel-body${selected ? ' hdt-otel-with-detail' : ''}`} onKeyDown={detailFocus.onKeyDown} onClickCapture={detailFocus.onClick} onKeyDownCapture={detailFocus.onKeyDownCapture}>
            {rows.length === 0 ? (
              <p class="hdt-muted hdt-otel-empty">
                {tree.ordered.length === 0
                  ? stats.context?.recording === false
                    ? 'Nothing recorded: this trace was not sampled (see Context above).'
                    : load.state === 'loading'
                      ? 'Loading the trace…'
                      : 'No spans recorded for this trace yet.'
                  : 'No span matches the filter.'}
              </p>
            ) : (
              <Waterfall
                tree={tree}
                rows={rows}
                collapsed={collapsed}
                selectedId={selectedId}
                onSelect={setSelectedId}
                onToggle={toggle}
                analysis={analysis}
                showSelf={options.showSelf}
                onToggleGroup={toggleGroup}
                openPanel={openPanel}
                gridRef={detailFocus.grid}
              />
            )}
            {selected && (
              <SpanDetail
                node={selected}
                tree={tree}
                jaegerUrl={stats.exportMode === 'none' ? undefined : stats.links.jaeger}
                onClose={detailFocus.close}
                onSelect={detailFocus.select}
                selfNs={selfTimeOf(analysis, selected.span.spanId)}
                critical={analysis?.isCritical(selected.span.spanId)}
              />
            )}
          </div>
        </>
      )}
    </div>
  )
}

function TraceHeader({ stats, tree, traceId, dropped, responseMs }: { stats: OpenTelemetryStats; tree: SpanTree; traceId: string; dropped: number; responseMs: number | undefined }) {
  const inFlight = tree.ordered.reduce((n, node) => n + (node.inFlight ? 1 : 0), 0)
  // Sent by other services; spans of a file the user imported are not.
  const received = tree.ordered.reduce((n, node) => n + (isReceivedSource(node.span.source) ? 1 : 0), 0)
  const imported = tree.ordered.reduce((n, node) => n + (node.span.source === 'import' ? 1 : 0), 0)
  return (
    <div class="hdt-otel-head">
      <span>
        Trace <code class="hdt-otel-trace-id">{traceId}</code>
      </span>
      <span>
        {tree.services.length > 1 ? 'services' : 'service'} <ServiceLegend services={tree.services.length > 0 ? tree.services : [stats.serviceName]} />
      </span>
      <span>
        <strong>{tree.ordered.length}</strong> {tree.ordered.length === 1 ? 'span' : 'spans'}
      </span>
      <span>
        <strong>{formatDuration(tree.durationNs)}</strong> total
        {/* The request's own time is in the sidebar: a longer trace says what the rest is. */}
        <AfterResponse traceMs={tree.durationNs / 1e6} responseMs={responseMs} spanCount={tree.ordered.length} class="hdt-muted hdt-otel-after-response" aside />
      </span>
      <span class={dropped > 0 ? 'hdt-badge hdt-badge-warn' : 'hdt-muted'}>{dropped} dropped</span>
      <span class={inFlight > 0 ? 'hdt-badge hdt-badge-warn' : 'hdt-muted'}>{inFlight} in flight</span>
      {received > 0 && (
        <span class="hdt-muted" title={`spans of other services join up to ${Math.round((stats.lateWindowMs ?? 0) / 1000)} s after the response`}>
          {received} received
        </span>
      )}
      {imported > 0 && <span class="hdt-muted">{imported} imported</span>}
    </div>
  )
}

function LoadNote({ load }: { load: Load }) {
  if (load.state === 'loading') return <span class="hdt-muted">loading the trace…</span>
  if (load.state === 'failed') return <span class="hdt-otel-error">Could not load the trace: {load.message}.</span>
  return <span class="hdt-muted">updated {formatClock(new Date(load.at).toISOString())}</span>
}
