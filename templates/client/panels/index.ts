import type { PanelView } from '../types.js'
import { HeadersView } from './headers.js'
import { HistoryView } from './history.js'
import { OpenTelemetryView } from './opentelemetry.js'
import otelCss from './opentelemetry.css'
import traceAnalysisCss from './trace-analysis.css'
import { RequestView } from './request.js'
import { RoutesView } from './routes.js'
import { SqlView } from './sql.js'
import sqlCss from './sql.css'
import { TimerView } from './timer.js'
import { VersionsView } from './versions.js'
import { LoggingView } from './logging.js'
import loggingCss from './logging.css'
import { TemplatesView } from './templates.js'
import templatesCss from './templates.css'
import { ProfilingView } from './profiling.js'
import profilingCss from './profiling.css'
import tracesCss from './traces.css'

export type { PanelView }

/**
 * The browser components of the built-in panels, by panel id. A panel id missing here is
 * shown with the HTML its `render()` produces on the server.
 */
export const panelViews: Record<string, PanelView> = {
  // The History panel shows the trace list beside the requests.
  history: { component: HistoryView, css: tracesCss },
  versions: { component: VersionsView },
  timer: { component: TimerView },
  request: { component: RequestView },
  headers: { component: HeadersView },
  routes: { component: RoutesView },
  sql: { component: SqlView, css: sqlCss },
  opentelemetry: { component: OpenTelemetryView, css: otelCss + traceAnalysisCss },
  templates: { component: TemplatesView, css: templatesCss },
  logging: { component: LoggingView, css: loggingCss },
  profiling: { component: ProfilingView, css: profilingCss },
}
