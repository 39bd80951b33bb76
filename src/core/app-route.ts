/**
 * The app's route that answered a request, or none: Hono's `routePath(c)` answers the
 * pattern of the last handler that ran, which is a middleware's (`/*`, the toolbar's own)
 * when no route of the app matched. The HTTP conventions want no `http.route` then ("If
 * and only if it's available") and a span named after the method alone. It needs Hono
 * only, so it lives in core: the OpenTelemetry panel uses it, and `record.route` can.
 */
import type { Context } from 'hono'
import { matchedRoutes } from 'hono/route'
import { METHOD_NAME_ALL } from 'hono/router'

type Handler = ((...args: never[]) => unknown) & { __COMPOSED_HANDLER?: Handler }

/**
 * The route pattern of the handler that answered, or undefined when no route of the app
 * matched. `ownIndex` is `c.req.routeIndex` read while the toolbar's middleware was running
 * (before `next()`): if no handler after it ran, the not-found handler answered; if the last
 * one that ran is a middleware (registered with `app.use` or on a wildcard path, see
 * `routeAhead`), is the last matched route and the answer is 404, it called `next()` into
 * the not-found handler. A handler that takes `next` but was registered for a method on a
 * path without a wildcard (`app.get('/orders/:id', async (c, next) => c.json(..., 404))`)
 * answered the 404 itself: it is the route Hono matched, as `routePath(c)` says.
 *
 * @example
 * ```ts
 * const own = c.req.routeIndex // inside the middleware, before next()
 * await next()
 * appRoute(c, own) // '/users/:id', or undefined for a 404 of no route
 * ```
 */
export function appRoute(c: Context, ownIndex: number): string | undefined {
  const routes = routesOf(c)
  const index = c.req.routeIndex
  const route = routes[index]
  if (!route || index <= ownIndex) return undefined
  if (!canAnswer(route) && index === routes.length - 1 && c.res.status === 404) return undefined
  return route.path
}

/**
 * The route that is going to answer, read while the toolbar's middleware runs (before
 * `next()`): Hono has matched every route by then, and runs them in order until one does
 * not call `next()`. The first handler after the toolbar's own position that can answer is
 * that route unless a middleware between answers first; `appRoute` says which did once
 * the handler returned. Undefined when only middleware is left (a 404, `serveStatic`).
 *
 * A handler that can answer takes no `next`, or takes it but was registered for a method
 * on a path without a wildcard (`app.get('/users/:id', async (c, next) => ...)`): a final
 * handler written with `next` looks like a middleware to Hono's own test, and was passed
 * over for the route after it (`GET /*` of a catch-all, or none) until the handler returned.
 * Middleware is registered with `app.use` (method `ALL`) or on a wildcard path
 * (`app.get('*', cache(...))`), which this leaves out.
 *
 * @example
 * ```ts
 * app.use(async (c, next) => {
 *   routeAhead(c) // '/users/:id' for GET /users/42, before the handler runs
 *   await next()
 * })
 * ```
 */
export function routeAhead(c: Context): string | undefined {
  const routes = routesOf(c)
  for (let i = c.req.routeIndex + 1; i < routes.length; i++) if (canAnswer(routes[i])) return routes[i].path
  return undefined
}

function canAnswer(route: MatchedRoute): boolean {
  return !isMiddleware(route) || (route.method !== METHOD_NAME_ALL && !route.path.includes('*'))
}

type MatchedRoute = ReturnType<typeof matchedRoutes>[number]

function routesOf(c: Context): MatchedRoute[] {
  try {
    return matchedRoutes(c)
  } catch {
    // A context built outside Hono's router (tests calling a middleware directly).
    return []
  }
}

/** A middleware takes `next` (`handler.length > 1`, Hono's own test in `hono/dev`); a sub-app's handler is unwrapped first. */
function isMiddleware(route: MatchedRoute): boolean {
  let handler = route.handler as Handler
  while (handler.__COMPOSED_HANDLER) handler = handler.__COMPOSED_HANDLER
  return handler.length > 1
}
