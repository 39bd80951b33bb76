import { useCallback, useEffect, useMemo, useState } from 'preact/hooks'
import type { OpenTelemetryStats } from '../../../src/opentelemetry/panel.js'
import type { ToolbarSpan, ToolbarTrace } from '../../../src/core/span-model.js'
import { getJson } from '../toolbar-api.js'
import { LiveBadge } from '../live-badge.js'
import { useLiveUpdates } from '../live-events.js'
import type { PanelProps } from '../types.js'
import { buildSpanTree, flattenVisible, formatDuration, type SpanTree } from './span-tree.js'
import { ExportStatus } from './export-status.js'
import { SdkDisabledNote } from './sdk-disabled-note.js'
import { BaggageSection } from './baggage-section.js'
import { SpanDetail } from './span-detail.js'
import { TraceLinks } from './trace-links.js'
import { TraceContext } from './trace-context.js'
import { Waterfall } from './waterfall.js'
import { ServiceLegend } from './service-legend.js'
import { ReceiverStatusLine } from './receiver-status.js'

type Load = { state: 'loading' } | { state: 'ready'; at: number } | { state: 'failed'; message: string }

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
export function OpenTelemetryView({ stats, prefix }: PanelProps<OpenTelemetryStats>) {
  const [spans, setSpans] = useState<ToolbarSpan[]>([])
  const [load, setLoad] = useState<Load>({ state: 'loading' })
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set())
  const [filter, setFilter] = useState('')
  const [minMs, setMinMs] = useState('')
  const [selectedId, setSelectedId] = useState<string | undefined>()

  const refresh = useCallback(
    (signal?: AbortSignal) => {
      if (!stats.traceId) return
      setLoad({ state: 'loading' })
      getJson<ToolbarTrace>(`${prefix}/api/traces/${encodeURIComponent(stats.traceId)}`, signal).then(
        (trace) => {
          setSpans(trace.spans)
          setLoad({ state: 'ready', at: Date.now() })
        },
        (error: unknown) => {
          if (!signal?.aborted) setLoad({ state: 'failed', message: error instanceof Error ? error.message : String(error) })
        },
      )
    },
    [prefix, stats.traceId],
  )

  // Late and remote spans of this trace arrive as trace.updated: fetch the trace again (debounced).
  const live = useLiveUpdates(prefix, (m) => m.data.traceId === stats.traceId && m.type.startsWith('trace.'), () => refresh())

  useEffect(() => {
    setSpans([])
    const controller = new AbortController()
    refresh(controller.signal)
    return () => controller.abort()
  }, [stats, refresh])

  const tree = useMemo(() => buildSpanTree(spans, { rootSpanId: stats.rootSpanId }), [spans, stats.rootSpanId])
  const threshold = Number(minMs)
  const rows = useMemo(() => flattenVisible(tree, collapsed, filter, Number.isFinite(threshold) ? threshold : 0), [tree, collapsed, filter, threshold])
  const selected = selectedId === undefined ? undefined : tree.byId.get(selectedId)

  const toggle = useCallback((spanId: string) => {
    setCollapsed((previous) => {
      const next = new Set(previous)
      if (!next.delete(spanId)) next.add(spanId)
      return next
    })
  }, [])

  if (!stats.traceId) return <p class="hdt-muted">This request has no trace.</p>

  return (
    <div class="hdt-otel">
      <TraceHeader stats={stats} tree={tree} />
      {stats.sdkDisabledBy ? <SdkDisabledNote variable={stats.sdkDisabledBy} /> : <ExportStatus status={stats.export} />}
      <ReceiverStatusLine status={stats.receiver} origin={location.origin} />
      {stats.context && <TraceContext context={stats.context} />}
      {stats.baggage && <BaggageSection baggage={stats.baggage} propagators={stats.propagators} />}
      <TraceLinks stats={stats} />
      <div class="hdt-toolbar-row hdt-otel-controls">
        <input
          type="search"
          class="hdt-otel-filter"
          placeholder="Find: name, service, attribute, key=value"
          aria-label="Filter spans"
          value={filter}
          onInput={(event) => setFilter((event.currentTarget as HTMLInputElement).value)}
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
          />{' '}
          ms
        </label>
        <button type="button" class="hdt-otel-button" onClick={() => refresh()} disabled={load.state === 'loading'}>
          Refresh
        </button>
        <LoadNote load={load} />
        <LiveBadge status={live} />
      </div>
      <div class={`hdt-otel-body${selected ? ' hdt-otel-with-detail' : ''}`}>
        {rows.length === 0 ? (
          <p class="hdt-muted hdt-otel-empty">{tree.ordered.length === 0 ? (stats.context?.recording === false ? 'Nothing recorded: this trace was not sampled (see Context above).' : load.state === 'loading' ? 'Loading the trace…' : 'No spans recorded for this trace yet.') : 'No span matches the filter.'}</p>
        ) : (
          <Waterfall tree={tree} rows={rows} collapsed={collapsed} selectedId={selectedId} onSelect={setSelectedId} onToggle={toggle} />
        )}
        {selected && (
          <SpanDetail node={selected} tree={tree} jaegerUrl={stats.exportMode === 'none' ? undefined : stats.links.jaeger} onClose={() => setSelectedId(undefined)} onSelect={setSelectedId} />
        )}
      </div>
    </div>
  )
}

function TraceHeader({ stats, tree }: { stats: OpenTelemetryStats; tree: SpanTree }) {
  const inFlight = tree.ordered.reduce((n, node) => n + (node.inFlight ? 1 : 0), 0)
  const received = tree.ordered.reduce((n, node) => n + (node.span.source === 'local' ? 0 : 1), 0)
  return (
    <div class="hdt-otel-head">
      <span>
        Trace <code class="hdt-otel-trace-id">{stats.traceId}</code>
      </span>
      <span>
        {tree.services.length > 1 ? 'services' : 'service'} <ServiceLegend services={tree.services.length > 0 ? tree.services : [stats.serviceName]} />
      </span>
      <span>
        <strong>{tree.ordered.length}</strong> {tree.ordered.length === 1 ? 'span' : 'spans'}
      </span>
      <span>
        <strong>{formatDuration(tree.durationNs)}</strong> total
      </span>
      <span class={stats.droppedSpans > 0 ? 'hdt-badge hdt-badge-warn' : 'hdt-muted'}>{stats.droppedSpans} dropped</span>
      <span class={inFlight > 0 ? 'hdt-badge hdt-badge-warn' : 'hdt-muted'}>{inFlight} in flight</span>
      {received > 0 && (
        <span class="hdt-muted" title={`spans of other services join up to ${Math.round((stats.lateWindowMs ?? 0) / 1000)} s after the response`}>
          {received} received
        </span>
      )}
    </div>
  )
}

function LoadNote({ load }: { load: Load }) {
  if (load.state === 'loading') return <span class="hdt-muted">loading the trace…</span>
  if (load.state === 'failed') return <span class="hdt-otel-error">Could not load the trace: {load.message}.</span>
  return <span class="hdt-muted">updated {new Date(load.at).toLocaleTimeString()}</span>
}
