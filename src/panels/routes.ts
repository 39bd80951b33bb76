import type { Context, Hono } from 'hono'
import { inspectRoutes } from 'hono/dev'
import { matchedRoutes } from 'hono/route'
import { Panel } from '../core/panel.js'
import type { ToolbarHost } from '../core/host.js'
import type { RequestRecord } from '../core/record.js'

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

  setup(host: ToolbarHost): void {
    this.app = host.app
  }

  onResponse(record: RequestRecord, c: Context): void {
    // Keep only the keys of matched routes: the full list is read from the app when shown.
    const keys = matchedRoutes(c).map((route) => `${route.method} ${route.path}`)
    record.slot('routes', () => keys)
  }

  generateStats(record: RequestRecord): RoutesStats {
    const matched = new Set(record.peek<string[]>('routes') ?? [])
    const all = this.app
      ? inspectRoutes(this.app)
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
