import type { ToolbarHost } from '../core/host.js'
import type { TraceLinks, TraceSource } from '../core/trace-source.js'
import { jaegerTraceUrl, tempoTraceUrl, zipkinTraceUrl } from './links.js'
import type { ResolvedOpenTelemetryConfig } from './options.js'
import { traceReader } from './routes.js'
import { otlpJsonUrl } from '../shapes/trace-routes.js'
import type { TraceStore } from './trace-store.js'
import type { ToolbarExporterStatus } from './exporter.js'
import type { IngestCounters } from './otlp-ingest.js'

/**
 * The OpenTelemetry panel's traces as a `TraceSource`, the form other features (the MCP
 * server) read them in without importing OpenTelemetry. Spans and the list are read as the
 * trace API reads them: memory and a durable store together.
 *
 * @example
 * ```ts
 * host.provideTraces?.(panelTraceSource(host, processor.traces, config, () => exporter.status(), () => ingest.counters))
 * ```
 *
 * Whether the traces leave the process is read from `exportStatus` (no status: the app's
 * own provider exports them): without an exporter, the links to Jaeger,
 * Zipkin and Tempo are left out (they would open on a trace those never received), as the
 * waterfall leaves them out.
 */
export function panelTraceSource(
  host: Pick<ToolbarHost, 'store' | 'prefix'>,
  traces: TraceStore,
  config: ResolvedOpenTelemetryConfig,
  exportStatus: () => ToolbarExporterStatus | undefined = () => undefined,
  receiverCounters: () => IngestCounters | undefined = () => undefined,
): TraceSource {
  const reader = traceReader(host.store, traces)
  const prefix = host.prefix
  // Exported unless the panel's own exporter sends nowhere (`exportMode: 'none'`); the app's provider exports itself.
  const exported = (): boolean => {
    const status = exportStatus()
    return status === undefined || status.exporters.length > 0
  }
  return {
    spans: (traceId) => reader.spans(traceId),
    list: (filter) => reader.list(filter),
    summary: (traceId) => traces.summary(traceId),
    links: (traceId, spanId) => {
      const links: TraceLinks = { otlpJson: otlpJsonUrl(prefix, traceId) }
      if (!exported()) return links
      links.jaeger = jaegerTraceUrl(config.jaegerUiUrl, traceId, spanId)
      links.zipkin = zipkinTraceUrl(config.zipkinUiUrl, traceId)
      if (config.grafanaUrl) links.tempo = tempoTraceUrl(config.grafanaUrl, config.tempoDatasourceUid, traceId)
      return links
    },
    unexported: () => {
      const status = exportStatus()
      const paused = status?.exporters.reduce((sum, exporter) => sum + (exporter.breaker?.droppedSpans ?? 0), 0) ?? 0
      return { queueFull: status?.queueDropped ?? 0, paused }
    },
    refused: () => {
      const counters = receiverCounters()
      return { spans: counters?.rejected ?? 0, exports: counters?.malformed ?? 0 }
    },
    exported,
    clear: () => traces.clear(),
  }
}
