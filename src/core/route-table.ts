/**
 * The app's route table as `inspectRoutes` (hono/dev) describes it, read once per app and
 * again only when routes were added: the Routes panel lists it, the debug 404 page too.
 */
import type { Hono } from 'hono'
import { inspectRoutes } from 'hono/dev'

export type RouteTable = ReturnType<typeof inspectRoutes>

const tables = new WeakMap<object, { size: number; routes: RouteTable }>()

/**
 * Every route of `app` (sub-apps and basePath included, as Hono registers them): method,
 * path, the handler's name, and whether it is a middleware.
 *
 * @example
 * ```ts
 * routeTable(app).filter((route) => !route.isMiddleware) // [{ method: 'GET', path: '/users/:id', name: 'getUser', isMiddleware: false }]
 * ```
 */
export function routeTable(app: Hono<any, any, any>): RouteTable {
  let table = tables.get(app)
  if (table?.size !== app.routes.length) {
    table = { size: app.routes.length, routes: inspectRoutes(app) }
    tables.set(app, table)
  }
  return table.routes
}
