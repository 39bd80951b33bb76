import type { Context, Hono } from 'hono'
import { inspectRoutes } from 'hono/dev'
import { matchedRoutes } from 'hono/route'
import { slotKey } from '../core/record.js'
import { Panel } from '../core/panel.js'
import type { ToolbarHost } from '../core/host.js'
import type { RequestRecord } from '../core/record.js'

const MATCHED = slotKey<ReturnType<typeof matchedRoutes>>('routes')

export interface RouteEntry {
  method: string
  path: string
  /** The handler's function name, or [handler]/[middleware]. */
  name: string
  isMiddleware: boolean
  /** This route took part in the request (middleware that ran, the handler that answered). */
  matched: boolean
}

export interface RoutesStats {
  routes: RouteEntry[]
  /** The pattern of the handler that answered, e.g. `/users/:id`. */
  matchedRoute: string | undefined
  /** False when the app was not given to `debugToolbar({ app })`: only matched routes are known. */
  complete: boolean
}

/**
 * Every route of the app (sub-apps and basePath included, as Hono registers them) with the
 * ones this request went through marked. Pass the app: `debugToolbar({ app })`.
 *
 * @example
 * ```ts
 * const app = new Hono()
 * app.use(debugToolbar({ app }))
 * ```
 */
export class RoutesPanel extends Panel<RoutesStats> {
  readonly id = 'routes'
  readonly title = 'Routes'
  private app: Hono | undefined
  /** The app's route table, read once and again only when routes were added. */
  private table: { size: number; routes: ReturnType<typeof inspectRoutes> } | undefined

  setup(host: ToolbarHost): void {
    this.app = host.app
  }

  onResponse(record: RequestRecord, c: Context): void {
    // The routes that matched (the app's own route objects): keys are made when shown.
    record.slot(MATCHED, () => matchedRoutes(c))
  }

  private routeTable(app: Hono): ReturnType<typeof inspectRoutes> {
    if (this.table?.size !== app.routes.length) this.table = { size: app.routes.length, routes: inspectRoutes(app) }
    return this.table.routes
  }

  generateStats(record: RequestRecord): RoutesStats {
    const matched = new Set((record.peek(MATCHED) ?? []).map((route) => `${route.method} ${route.path}`))
    const all = this.app
      ? this.routeTable(this.app)
      : [...matched].map((key) => {
          const [method, ...path] = key.split(' ')
          return { method, path: path.join(' '), name: '', isMiddleware: false }
        })
    return {
      routes: all.map((route) => ({ ...route, matched: matched.has(`${route.method} ${route.path}`) })),
      matchedRoute: record.route,
      complete: this.app !== undefined,
    }
  }

  navSubtitle(stats: RoutesStats): string {
    return stats.matchedRoute ?? `${stats.routes.length} routes`
  }
}
