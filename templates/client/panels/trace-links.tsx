import type { ComponentChildren } from 'preact'
import type { OpenTelemetryStats } from '../../../src/opentelemetry/panel.js'
import { JAEGER_COMMAND } from '../../../src/shapes/collectors.js'
import { otlpJsonUrl } from '../../../src/shapes/trace-routes.js'

/** The one command that starts Jaeger with its UI and OTLP ports; the console hint says the same. */
export { JAEGER_COMMAND }
/** The variable that turns export on (the panel's `exporter` option wins over it). */
export const EXPORTER_VARIABLE = 'OTEL_TRACES_EXPORTER=otlp'

/**
 * The links from the trace to Jaeger, Zipkin and Grafana Tempo, and the OTLP/JSON download.
 * When nothing leaves the process (exporter "none"), those UIs have no such trace: instead of
 * links that lead nowhere, it says so, with the command that starts Jaeger and the variable
 * that turns export on.
 *
 * @example
 * ```tsx
 * <TraceLinks stats={stats} prefix={prefix}><ImportButton drop={drop} /></TraceLinks>
 * ```
 */
/**
 * `children` (more buttons, such as the import) follow the download. `imported`: the trace
 * id of an imported file shown in place of the request's trace: the download is that trace,
 * and there is no link to a collector, which never had it.
 */
export function TraceLinks({ stats, prefix, imported, children }: { stats: OpenTelemetryStats; prefix: string; imported?: string; children?: ComponentChildren }) {
  const href = otlpJsonUrl(prefix, imported ?? stats.traceId)
  const download = (
    <a class="hdt-otel-button" href={href} download={`trace-${imported ?? stats.traceId}.json`}>
      Download OTLP JSON
    </a>
  )
  if (imported && imported !== stats.traceId) {
    return (
      <div class="hdt-toolbar-row hdt-otel-links">
        {download}
        {children}
      </div>
    )
  }
  if (stats.exportMode === 'none') {
    return (
      <div class="hdt-toolbar-row hdt-otel-links">
        <p class="hdt-otel-no-export" data-export="none">
          Nothing is exported (exporter "none"), so Jaeger, Zipkin and Tempo have no trace to open. To see it in Jaeger, run{' '}
          <code>{JAEGER_COMMAND}</code> and restart the app with <code>{EXPORTER_VARIABLE}</code>.
        </p>
        {download}
        {children}
      </div>
    )
  }
  return (
    <div class="hdt-toolbar-row hdt-otel-links">
      <ExternalLink href={stats.links.jaeger} label="Open in Jaeger" />
      <ExternalLink href={stats.links.zipkin} label="Open in Zipkin" />
      {stats.links.tempo && <ExternalLink href={stats.links.tempo} label="Open in Grafana Tempo" />}
      {download}
      {children}
    </div>
  )
}

function ExternalLink({ href, label }: { href: string; label: string }) {
  return (
    <a class="hdt-otel-button" href={href} target="_blank" rel="noopener noreferrer">
      {label} ↗
    </a>
  )
}
