import type { Panel } from '../core/panel.js'
import { HeadersPanel } from './headers.js'
import { HistoryPanel } from './history.js'
import { RequestPanel } from './request.js'
import { RoutesPanel } from './routes.js'
import { TimerPanel } from './timer.js'
import { VersionsPanel } from './versions.js'
import { TemplatesPanel } from './templates.js'
import { LoggingPanel } from './logging.js'
import { ProfilingPanel } from './profiling.js'
import { SqlPanel } from './sql.js'

/**
 * The built-in panels, in the order the toolbar lists them. A fresh set each call:
 * panels are bound to one toolbar.
 *
 * @example
 * ```ts
 * app.use(debugToolbar({ panels: defaultPanels().filter((p) => p.id !== 'versions') }))
 * ```
 */
export function defaultPanels(): Panel<any>[] {
  return [
    new HistoryPanel(),
    new VersionsPanel(),
    new TimerPanel(),
    new RequestPanel(),
    new HeadersPanel(),
    new RoutesPanel(),
    new SqlPanel(),
    new TemplatesPanel(),
    new LoggingPanel(),
    new ProfilingPanel(),
  ]
}

export { HeadersPanel, HistoryPanel, RequestPanel, RoutesPanel, TimerPanel, VersionsPanel }
export type { HeadersStats } from './headers.js'
export type { HistoryStats } from './history.js'
export type { RequestStats } from './request.js'
export type { RouteEntry, RoutesStats } from './routes.js'
export type { TimerStats, TimingMetric } from './timer.js'
export type { VersionsStats } from './versions.js'
export { TemplatesPanel, LoggingPanel, ProfilingPanel }
export type { TemplatesOptions, TemplatesStats, TemplateRender } from './templates.js'
export type { LoggingOptions, LoggingStats, LogLine } from './logging.js'
export type { ProfilingOptions, ProfilingStats, CallTreeNode, FlameFrame, ProfileFunction } from './profiling.js'
