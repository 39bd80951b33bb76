import type { TraceLinks, TraceSource } from '../core/trace-source.js'
import { jaegerTraceUrl, tempoTraceUrl, zipkinTraceUrl } from './links.js'
import type { ResolvedOpenTelemetryConfig } from './options.js'
import type { TraceStore } from './trace-store.js'

/**
 * The OpenTelemetry panel's traces as a `TraceSource`, the form other features (the MCP
 * server) read them in without importing OpenTelemetry.
 *
 * @example
 * ```ts
 * host.provideTraces?.(panelTraceSource(processor.traces, config, host.prefix))
 * ```
 */
export function panelTraceSource(traces: TraceStore, config: ResolvedOpenTelemetryConfig, prefix: string): TraceSource {
  return {
    spans: (traceId) => traces.spans(traceId),
    list: (filter) => traces.list(filter),
    summary: (traceId) => traces.summary(traceId),
    links: (traceId, spanId) => {
      const links: TraceLinks = {
        jaeger: jaegerTraceUrl(config.jaegerUiUrl, traceId, spanId),
        zipkin: zipkinTraceUrl(config.zipkinUiUrl, traceId),
        otlpJson: `${prefix}/api/traces/${traceId}/otlp`,
      }
      if (config.grafanaUrl) links.tempo = tempoTraceUrl(config.grafanaUrl, config.tempoDatasourceUid, traceId)
      return links
    },
    clear: () => traces.clear(),
  }
}
