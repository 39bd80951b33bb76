import type { Context, Hono } from 'hono'
import { matchedRoutes } from 'hono/route'
import { slotKey } from '../core/record.js'
import { Panel } from '../core/panel.js'
import { routeTable } from '../core/route-table.js'
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

  /**
   * Reads the app given to `debugToolbar({ app })`, whose route table the panel lists.
   *
   * @example
   * ```ts
   * const app = new Hono()
   * app.use(debugToolbar({ app, panels: [new RoutesPanel()] })) // the toolbar calls setup(host) once
   * ```
   */
  setup(host: ToolbarHost): void {
    this.app = host.app
  }

  /**
   * Keeps the routes this request went through (middleware that ran, the handler that answered).
   *
   * @example
   * ```ts
   * panel.onResponse(record, c) // the toolbar, after the handler
   * panel.generateStats(record).routes.filter((r) => r.matched) // [{ method: 'ALL', path: '/*', ... }, { method: 'GET', path: '/users/:id', ... }]
   * ```
   */
  onResponse(record: RequestRecord, c: Context): void {
    // The routes that matched (the app's own route objects): keys are made when shown.
    record.slot(MATCHED, () => matchedRoutes(c))
  }

  /**
   * Every route of the app (or, without `app`, the matched ones), the request's marked.
   *
   * @example
   * ```ts
   * const stats = panel.generateStats(record)
   * stats.matchedRoute // '/users/:id'
   * stats.routes[0] // { method: 'GET', path: '/users/:id', name: 'getUser', isMiddleware: false, matched: true }
   * stats.complete // false when debugToolbar() was not given the app
   * ```
   */
  generateStats(record: RequestRecord): RoutesStats {
    const went = record.peek(MATCHED) ?? []
    if (!this.app) {
      // Only the routes the request went through are known: each with its handler's name
      // and kind, as `inspectRoutes` describes the app's table.
      return { routes: went.map((route) => ({ ...describeRoute(route), matched: true })), matchedRoute: record.route, complete: false }
    }
    const matched = new Set(went.map((route) => `${route.method} ${route.path}`))
    return {
      routes: routeTable(this.app).map((route) => ({ ...route, matched: matched.has(`${route.method} ${route.path}`) })),
      matchedRoute: record.route,
      complete: true,
    }
  }

  /**
   * The line under "Routes" in the panel list: the route that answered.
   *
   * @example
   * ```ts
   * panel.navSubtitle(panel.generateStats(record)) // '/users/:id', or 'no route' for a 404
   * ```
   */
  navSubtitle(stats: RoutesStats): string {
    return stats.matchedRoute ?? 'no route'
  }
}

type MatchedRoute = ReturnType<typeof matchedRoutes>[number]

/**
 * A route as `inspectRoutes` (hono/dev) describes one: the handler inside Hono's composed
 * wrapper, named after its function, a middleware when it takes `next`.
 */
function describeRoute({ method, path, handler }: MatchedRoute): Omit<RouteEntry, 'matched'> {
  let target = handler as MatchedRoute['handler'] & { __COMPOSED_HANDLER?: MatchedRoute['handler'] }
  while (target.__COMPOSED_HANDLER) target = target.__COMPOSED_HANDLER
  const isMiddleware = target.length > 1
  return { method, path, name: target.name || (isMiddleware ? '[middleware]' : '[handler]'), isMiddleware }
}
