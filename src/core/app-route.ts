/**
 * The app's route that answered a request, or none: Hono's `routePath(c)` answers the
 * pattern of the last handler that ran, which is a middleware's (`/*`, the toolbar's own)
 * when no route of the app matched. The HTTP conventions want no `http.route` then ("If
 * and only if it's available") and a span named after the method alone. It needs Hono
 * only, so it lives in core: the OpenTelemetry panel uses it, and `record.route` can.
 */
import type { Context } from 'hono'
import { matchedRoutes } from 'hono/route'

type Handler = ((...args: never[]) => unknown) & { __COMPOSED_HANDLER?: Handler }

/**
 * The route pattern of the handler that answered, or undefined when no route of the app
 * matched. `ownIndex` is `c.req.routeIndex` read while the toolbar's middleware was running
 * (before `next()`): if no handler after it ran, the not-found handler answered; if the last
 * one that ran is a middleware (`handler.length > 1`, Hono's own test in `hono/dev`), is
 * the last matched route and the answer is 404, it called `next()` into the not-found
 * handler.
 *
 * @example
 * ```ts
 * const own = c.req.routeIndex // inside the middleware, before next()
 * await next()
 * appRoute(c, own) // '/users/:id', or undefined for a 404 of no route
 * ```
 */
export function appRoute(c: Context, ownIndex: number): string | undefined {
  let routes: ReturnType<typeof matchedRoutes>
  try {
    routes = matchedRoutes(c)
  } catch {
    // A context built outside Hono's router (tests calling a middleware directly).
    return undefined
  }
  const index = c.req.routeIndex
  const route = routes[index]
  if (!route || index <= ownIndex) return undefined
  let handler = route.handler as Handler
  while (handler.__COMPOSED_HANDLER) handler = handler.__COMPOSED_HANDLER
  const middleware = handler.length > 1
  if (middleware && index === routes.length - 1 && c.res.status === 404) return undefined
  return route.path
}
