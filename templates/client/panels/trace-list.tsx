import { useState } from 'preact/hooks'
import type { TracePage, TraceSummary } from '../../../src/core/span-model.js'
import { escapeClears } from '../escape-clears.js'
import { Clock } from '../clock.js'
import { formatMs } from '../format.js'
import { useJsonPage } from '../use-json-page.js'
import { useLiveUpdates } from '../live-events.js'
import { AfterResponse } from './after-response.js'
import { DroppedSpans } from './dropped-spans.js'
import { ServiceLegend } from './service-legend.js'
import { TraceWaterfall } from './trace-waterfall.js'

const LIMIT = 50
const SOURCES = ['', 'local', 'otlp_http', 'otlp_grpc', 'zipkin', 'import']

/**
 * The traces the toolbar holds, recorded and received, newest first: each row names its
 * root span and services; a trace of a recorded request opens that request, any other
 * opens its waterfall in place. Shown beside the request history when the app has the
 * OpenTelemetry panel (which serves the trace API).
 *
 * @example
 * ```tsx
 * <TraceList prefix={prefix} openRequest={openRequest} />
 * ```
 */
export function TraceList({ prefix, openRequest, responseMs }: { prefix: string; openRequest(id: string): void; responseMs?: ReadonlyMap<string, number | undefined> }) {
  const [filters, setFilters] = useState({ service: '', source: '' })
  const [reload, setReload] = useState(0)
  const [open, setOpen] = useState<string | undefined>()
  // Received and recorded traces appear, and grow, as their trace.* events arrive (debounced).
  useLiveUpdates(prefix, (m) => m.type.startsWith('trace.'), () => setReload((n) => n + 1))

  const query = new URLSearchParams({ limit: String(LIMIT) })
  if (filters.service.trim()) query.set('service', filters.service.trim())
  if (filters.source) query.set('source', filters.source)
  const { page, error } = useJsonPage<TracePage>(`${prefix}/api/traces?${query}`, reload)

  return (
    <section class="hdt-traces" aria-label="Traces">
      <h3 class="hdt-traces-title">Traces</h3>
      <form class="hdt-toolbar-row" onSubmit={(event) => (event.preventDefault(), setReload((n) => n + 1))}>
        <label>
          Service{' '}
          <input
            type="search"
            placeholder="exact name"
            value={filters.service}
            onInput={(e) => setFilters((f) => ({ ...f, service: (e.target as HTMLInputElement).value }))}
            onKeyDown={escapeClears(() => setFilters((f) => ({ ...f, service: '' })))}
          />
        </label>
        <label>
          Source{' '}
          <select value={filters.source} onChange={(e) => setFilters((f) => ({ ...f, source: (e.target as HTMLSelectElement).value }))}>
            {SOURCES.map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Refresh</button>
        <span class="hdt-muted">
          {page ? `${page.traces.length} of ${page.total} shown` : ''}
          {page?.evicted ? ` · ${page.evicted} older traces evicted` : ''}
        </span>
      </form>
      {error && <p class="hdt-error-note">{error}</p>}
      {page && page.traces.length === 0 && <p class="hdt-muted">No trace matches.</p>}
      {page && page.traces.length > 0 && <TraceTable traces={page.traces} open={open} onToggle={(id) => setOpen(open === id ? undefined : id)} openRequest={openRequest} responseMs={responseMs} />}
      {/* One waterfall per trace: another one opened starts empty, with nothing of the last one's spans, choice or error. */}
      {open && <TraceWaterfall key={open} prefix={prefix} traceId={open} />}
    </section>
  )
}

/**
 * The rows of the trace list: time, root span, services, spans (and how many were dropped),
 * duration (and, when the trace goes on after its request's response, that it does), and the button that opens the trace's request or its waterfall.
 *
 * @example
 * ```tsx
 * <TraceTable traces={page.traces} open={open} onToggle={setOpen} openRequest={openRequest} />
 * ```
 */
export function TraceTable({
  traces,
  open,
  onToggle,
  openRequest,
  responseMs,
}: {
  traces: TraceSummary[]
  open: string | undefined
  onToggle(traceId: string): void
  openRequest(id: string): void
  /** The response times of the requests listed beside the traces, by request id. */
  responseMs?: ReadonlyMap<string, number | undefined>
}) {
  return (
    <table class="hdt-table">
      <thead>
        <tr>
          <th class="hdt-narrow-hide">Time</th>
          <th>Root span</th>
          <th>Services</th>
          <th class="hdt-num hdt-narrow-hide hdt-trace-spans">Spans</th>
          <th class="hdt-num">Duration</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {traces.map((t) => (
          <tr key={t.traceId} data-hdt-trace-row={t.traceId}>
            <td class="hdt-muted hdt-narrow-hide">
              <Clock iso={t.startedAt} />
            </td>
            <td class="hdt-trace-root">
              {t.error && <span class="hdt-wf-error-mark" title="a span has status ERROR">!</span>}
              <code title={rootLabel(t) || undefined}>{rootLabel(t) || '(unnamed)'}</code>
            </td>
            {/* A narrow pane stacks the span count under the services; a phone-wide window also the time under the duration. */}
            <td class="hdt-trace-services">
              <ServiceLegend services={t.services} />
              <span class="hdt-narrow-only hdt-muted hdt-trace-spans-under">
                <SpanCount trace={t} /> {t.spanCount === 1 ? 'span' : 'spans'}
              </span>
            </td>
            <td class="hdt-num hdt-narrow-hide hdt-trace-spans">
              <SpanCount trace={t} />
            </td>
            <td class="hdt-num">
              {/* A root span still running has no duration yet: its figure would be the time to the last span that ended, often 0. */}
              {t.running ? <span class="hdt-muted" title="a root span has not ended yet">running</span> : formatMs(t.durationMs)}
              {/* A trace that goes on after its request's response reads longer than the request in History: it says why. */}
              {!t.running && t.requestId !== undefined && <AfterResponse traceMs={t.durationMs} responseMs={responseMs?.get(t.requestId)} spanCount={t.spanCount} class="hdt-muted hdt-trace-after-response" />}
              <span class="hdt-narrow-only hdt-muted">
                <Clock iso={t.startedAt} />
              </span>
            </td>
            <td>
              {t.requestId ? (
                <button type="button" class="hdt-switch" aria-label={`Show request ${rootLabel(t) || '(unnamed)'}`} onClick={() => openRequest(t.requestId!)}>
                  Request
                </button>
              ) : (
                <button type="button" class="hdt-switch" aria-expanded={open === t.traceId} onClick={() => onToggle(t.traceId)}>
                  {open === t.traceId ? 'Close' : 'Waterfall'}
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** A trace's span count, and how many of its spans were dropped when there were. */
function SpanCount({ trace }: { trace: TraceSummary }) {
  return (
    <>
      {trace.spanCount}
      {trace.droppedSpans ? (
        <>
          {' '}
          <DroppedSpans count={trace.droppedSpans} />
        </>
      ) : null}
    </>
  )
}

/** A trace's root span as the row names it: a 404's `GET` with the path asked for, `GET /nope`, as the History names the request. */
function rootLabel(t: TraceSummary): string {
  return t.rootPath === undefined ? t.rootName : `${t.rootName} ${t.rootPath}`
}
