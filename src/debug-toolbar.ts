import type { MiddlewareHandler } from 'hono'
import { createDebugToolbar } from './core/middleware.js'
import type { DebugToolbarOptions } from './core/options.js'
import type { ToolbarViews } from './core/views.js'
import { defaultPanels } from './panels/index.js'
import { FullPage } from '../templates/server/full-page.js'
import { StatsTable } from '../templates/server/stats-table.js'
import { ERROR_PAGE_CSS, ErrorPage } from '../templates/server/error-page.js'
import { NotFoundPage } from '../templates/server/not-found-page.js'

/**
 * The package's server-rendered views, handed to core (which imports no template): the
 * full page for API-only apps, the stats table of panels without a view of their own, and
 * the debug error and 404 pages.
 *
 * @example
 * ```ts
 * import { createDebugToolbar, serverViews } from 'hono-debug-toolbar'
 * app.use(createDebugToolbar({ app }, { panels: () => [new SqlPanel()], views: serverViews }))
 * ```
 */
export const serverViews: ToolbarViews = {
  fullPage: (props) => FullPage(props),
  statsTable: (stats) => StatsTable({ stats }),
  errorPage: { render: (report) => ErrorPage(report), css: ERROR_PAGE_CSS },
  notFoundPage: { render: (report) => NotFoundPage(report) },
}

/**
 * The debug toolbar middleware, with the built-in panels (`defaultPanels()`) unless
 * `panels` is given. Allowed requests (enabled, from an allowed address, `showToolbar`
 * says yes, not excluded) are recorded; HTML responses get the toolbar. Everything else
 * passes through untouched, and the toolbar's routes answer 404 to it.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { debugToolbar } from 'hono-debug-toolbar'
 * import { OpenTelemetryPanel } from 'hono-debug-toolbar/opentelemetry'
 *
 * const app = new Hono()
 * app.use(debugToolbar({ app, extraPanels: [new OpenTelemetryPanel()] }))
 * app.get('/', (c) => c.html('<html><body><h1>Hello</h1></body></html>'))
 * ```
 */
export function debugToolbar(options: DebugToolbarOptions = {}): MiddlewareHandler {
  return createDebugToolbar(options, { panels: defaultPanels, views: serverViews })
}
