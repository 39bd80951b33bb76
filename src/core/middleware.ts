import type { Context, MiddlewareHandler } from 'hono'
import { addressMatcher, LOOPBACK, socketAddress } from './access.js'
import { registerCoreRoutes } from './api.js'
import { normalizePrefix, resolveEnabled, type DebugToolbarOptions } from './options.js'
import { RequestRecord, runWithRecord } from './record.js'
import { Toolbar } from './toolbar.js'
import type { Panel } from './panel.js'
import { defaultPanels } from '../panels/index.js'
import { toolbarFeatures } from './features.js'

/**
 * The debug toolbar middleware. Allowed requests (enabled, from an allowed address,
 * `showToolbar` says yes, not excluded) are recorded; HTML responses get the toolbar.
 * Everything else passes through untouched, and the toolbar's routes answer 404 to it.
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
  if (!resolveEnabled(options.enabled)) {
    // Disabled: as cheap as a middleware can be, and the toolbar's routes do not exist.
    return async function debugToolbarDisabled(_c, next) {
      await next()
    }
  }
  const prefix = normalizePrefix(options.prefix)
  const panels = withExtraPanels(options.panels ?? defaultPanels(), options.extraPanels ?? [])
  const toolbar = new Toolbar(prefix, panels, options)
  registerCoreRoutes(toolbar)
  for (const panel of panels) panel.setup?.(toolbar)
  for (const feature of toolbarFeatures()) feature(toolbar, options)

  const isAllowedAddress = addressMatcher(options.allowedHosts ?? LOOPBACK)
  const clientAddress = options.clientAddress ?? ((c: Context) => socketAddress(c, options.trustProxy ?? false))
  const excluded = (path: string) =>
    (options.excludePaths ?? []).some((rule) => (typeof rule === 'string' ? path === rule || path.startsWith(rule.endsWith('/') ? rule : `${rule}/`) : rule.test(path)))

  const middleware: MiddlewareHandler = async function debugToolbarMiddleware(c, next) {
    const path = c.req.path
    const ownRoute = path === prefix || path.startsWith(`${prefix}/`)
    const allowed = isAllowedAddress(clientAddress(c)) && (!options.showToolbar || (await options.showToolbar(c)))
    if (!allowed) {
      if (ownRoute) return c.notFound()
      return next()
    }
    if (ownRoute) return toolbar.routes.fetch(c.req.raw, c.env)
    if (excluded(path)) return next()
    const record = new RequestRecord({ method: c.req.method, url: c.req.url, path })
    return runWithRecord(record, () => toolbar.record(c, next, record))
  }
  return Object.assign(middleware, { toolbar })
}

/**
 * `extraPanels` appended to `panels`; an extra panel whose id is already there takes that
 * place instead, so `extraPanels: [new SqlPanel({ slowQueryMs: 20 })]` configures the
 * default SQL panel rather than adding a second one.
 */
function withExtraPanels(panels: Panel<any>[], extras: Panel<any>[]): Panel<any>[] {
  const result = [...panels]
  for (const extra of extras) {
    const at = result.findIndex((panel) => panel.id === extra.id)
    if (at === -1) result.push(extra)
    else result[at] = extra
  }
  return result
}
