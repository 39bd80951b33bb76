import type { ToolbarHost } from '../core/host.js'
import { PROCESS_INSTANCE } from '../core/store.js'
import { EXPORT_STATUS_ROUTE } from '../shapes/trace-routes.js'
import type { ToolbarExporterStatus } from './exporter.js'

/**
 * What `GET {prefix}/api/export-status` answers: the exporters' counters of this process
 * (`instance`, as a shared store records it), as a request's stats carry them in
 * `panels.opentelemetry.export`.
 */
export interface ExportStatusAnswer {
  instance: string
  export: ToolbarExporterStatus
}

/**
 * Registers `GET {prefix}/api/export-status`: the export status alone, read when asked
 * (nothing is kept per request). An open OpenTelemetry panel polls it while a batch is
 * unsent, rather than the whole request with every panel's stats.
 *
 * @example
 * ```ts
 * // in the panel's setup(host):
 * registerExportStatusRoute(host, () => this.exporter?.status() ?? NO_EXPORT)
 * // GET /_debug_toolbar/api/export-status -> { "instance": "host:1234", "export": { "attempts": 1, ... } }
 * ```
 */
export function registerExportStatusRoute(host: ToolbarHost, status: () => ToolbarExporterStatus): void {
  host.routes.get(EXPORT_STATUS_ROUTE, (c) => c.json<ExportStatusAnswer>({ instance: PROCESS_INSTANCE, export: status() }))
}
