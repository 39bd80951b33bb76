import { useEffect, useState } from 'preact/hooks'
import type { ToolbarExporterStatus } from '../../../src/opentelemetry/exporter.js'
import type { BreakerStatus } from '../../../src/opentelemetry/export-breaker.js'
import { noCollectorNote } from '../../../src/opentelemetry/collector-hint.js'
import type { ExportStatusAnswer } from '../../../src/opentelemetry/export-status-route.js'
import { EXPORT_STATUS_ROUTE } from '../../../src/shapes/trace-routes.js'
import { formatMs, plural } from '../format.js'
import { getJson } from '../toolbar-api.js'
import type { RequestDetail } from '../types.js'

/** How often an open panel reads the export status again while a batch is unsent or under way. */
const STATUS_POLL_MS = 2000
/** Reads before it stops: an export is bounded (its timeout) well within this minute. */
const STATUS_POLLS = 30

/**
 * The export status to show for `request`: `initial` (the stats as the panel got them)
 * until it is settled, then as the toolbar answers it now. The request's stats are read
 * when its spans are still in the batch processor's queue ("no batch sent yet"), so while any
 * exporter has a batch unsent or under way, the open panel reads the export status again
 * every 2 s from `GET {prefix}/api/export-status` (the exporters are this process's, read as
 * they are now; the request itself is not read again): "Export failing" or "Exported" shows
 * up without reopening the panel. It stops once settled, when the panel closes, after a
 * minute, or at once for a request another instance recorded (a shared store: its stats
 * keep that instance's status).
 *
 * @example
 * ```tsx
 * const status = useExportStatus(prefix, request, stats.export)
 * <ExportStatus status={status} mode={stats.exportMode} />
 * ```
 */
export function useExportStatus(prefix: string, request: Pick<RequestDetail, 'id' | 'instance'>, initial: ToolbarExporterStatus): ToolbarExporterStatus {
  const [read, setRead] = useState<{ from: ToolbarExporterStatus; status: ToolbarExporterStatus }>()
  // Stats of another request, or read again by the shell, replace what this hook read before.
  const status = read?.from === initial ? read.status : initial
  const settled = exportSettled(status)
  const { id, instance } = request
  useEffect(() => {
    if (settled || !id) return
    const controller = new AbortController()
    let polls = 0
    const stop = () => {
      clearInterval(timer)
      controller.abort()
    }
    const timer = setInterval(() => {
      if (++polls > STATUS_POLLS) return stop()
      getJson<ExportStatusAnswer>(prefix + EXPORT_STATUS_ROUTE, controller.signal).then(
        (fresh) => {
          // Another instance's request: this process's exporters say nothing of it.
          if (instance !== undefined && fresh.instance !== instance) return stop()
          setRead({ from: initial, status: fresh.export })
        },
        () => {
          // The line stays as it is; the next read tries again.
        },
      )
    }, STATUS_POLL_MS)
    return stop
  }, [prefix, id, instance, initial, settled])
  return status
}

/** Every exporter has sent a batch and none is under way. */
function exportSettled(status: ToolbarExporterStatus): boolean {
  return status.exporters.every((e) => e.attempts > 0 && e.attempts === e.successes + e.failures)
}

/**
 * One line per exporter: where the spans went and how many batches succeeded, or why the
 * export fails (in red). The counters are the app's since it started, not this request's:
 * exports run in batches, off the request path. With no exporter of its own, `mode` (the
 * stats' `exportMode`) says whether the app's provider exports or nothing does.
 *
 * @example
 * ```tsx
 * <ExportStatus status={stats.export} mode={stats.exportMode} />
 * // Exported 12 spans to otlp grpc http://localhost:4317 · 3 batches ok
 * ```
 */
export function ExportStatus({ status, mode }: { status: ToolbarExporterStatus; mode?: 'toolbar' | 'app' | 'none' }) {
  if (status.exporters.length === 0) {
    return (
      <p class="hdt-otel-export hdt-muted">
        {mode === 'app'
          ? "The toolbar exports no spans: your app's own tracer provider exports them."
          : mode === 'none'
            ? 'The toolbar exports no spans (exporter "none").'
            : 'The toolbar exports no spans (exporter "none", or the app\'s own tracer provider exports them).'}
      </p>
    )
  }
  return (
    <ul class="hdt-otel-export" aria-label="Export status">
      {status.exporters.map((exporter, i) => (
        <ExporterLine key={i} exporter={exporter} />
      ))}
      {!!status.queueDropped && (
        <li class="hdt-otel-error" data-export="queue-full">
          {plural(status.queueDropped, 'span was', 'spans were')} not exported: the export queue was full
          <span class="hdt-muted">
            {' '}
            ({status.maxQueueSize} spans, OTEL_BSP_MAX_QUEUE_SIZE); traces in Jaeger or Zipkin may miss them, the waterfall here has them
          </span>
        </li>
      )}
    </ul>
  )
}

function ExporterLine({ exporter }: { exporter: ToolbarExporterStatus['exporters'][number] }) {
  const { name, attempts, successes, failures, spans, lastError, lastDurationMs, breaker } = exporter
  const pending = attempts - successes - failures
  // Nothing listens there: the console's advice (start Jaeger or Zipkin, or stop exporting) before the socket error.
  const note = lastError === undefined ? undefined : noCollectorNote(name, lastError)
  if (failures > 0 && successes === 0) {
    return (
      <li class="hdt-otel-error" data-export="failing">
        Export failing: {note ?? lastError ?? 'unknown error'}{' '}
        <span class="hdt-muted">
          ({name}; {plural(failures, 'batch', 'batches')} failed{note ? `: ${lastError}` : ''})
        </span>
        <BreakerNote breaker={breaker} />
      </li>
    )
  }
  if (attempts === 0) {
    return (
      <li class="hdt-muted" data-export="waiting">
        Exporting to {name}: no batch sent yet (spans are sent in batches, a few seconds apart)
      </li>
    )
  }
  return (
    <li data-export={failures > 0 ? 'partly' : 'ok'}>
      Exported {plural(spans, 'span', 'spans')} to {name} · {plural(successes, 'batch', 'batches')} ok
      {lastDurationMs !== undefined && <span class="hdt-muted"> · last took {formatMs(lastDurationMs)}</span>}
      {pending > 0 && <span class="hdt-muted"> · {pending} in progress</span>}
      {failures > 0 && (
        <span class="hdt-otel-error">
          {' '}
          · {plural(failures, 'batch', 'batches')} failed: {note ?? lastError ?? 'unknown error'}
        </span>
      )}
      <BreakerNote breaker={breaker} />
    </li>
  )
}

/**
 * The circuit breaker of one exporter: paused until when (local time), probing, or closed,
 * with the spans dropped while it was not sending. Nothing while all is well.
 */
function BreakerNote({ breaker }: { breaker: BreakerStatus | undefined }) {
  if (!breaker) return null
  const dropped = breaker.droppedSpans > 0 ? ` · ${plural(breaker.droppedSpans, 'span', 'spans')} dropped while paused` : ''
  if (breaker.state === 'open') {
    const until = new Date(breaker.nextAttemptAt ?? 0).toLocaleTimeString([], { hour12: false })
    return (
      <span class="hdt-otel-breaker hdt-badge hdt-badge-warn" data-breaker="open">
        {' '}
        Circuit open until {until}: paused after {plural(breaker.consecutiveFailures, 'failed export', 'failed exports')} in a row;
        the first batch after then tests the collector{dropped}
      </span>
    )
  }
  if (breaker.state === 'probing') {
    return (
      <span class="hdt-otel-breaker hdt-badge hdt-badge-warn" data-breaker="probing">
        {' '}
        Probing: one batch is testing the collector{dropped}
      </span>
    )
  }
  if (breaker.opened === 0) return null
  return (
    <span class="hdt-otel-breaker hdt-muted" data-breaker="closed">
      {' '}
      · circuit closed (opened {plural(breaker.opened, 'time', 'times')}){dropped}
    </span>
  )
}
