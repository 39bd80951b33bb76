/**
 * The toolbar answers its own routes (`{prefix}/...`) from its middleware, so its prefix must
 * be a path the middleware runs for. An app made with `new Hono().basePath('/app')` runs it
 * for `/app/*` only, and `app.use('/admin/*', debugToolbar())` for `/admin/*`: the page then
 * gets a loader whose script and API answer 404. Hono knows where the middleware is mounted
 * only once a request comes, so the first recorded request checks, and the toolbar says what
 * to pass instead of failing without a word.
 */
import type { Context } from 'hono'
import { matchedRoutes } from 'hono/route'

/**
 * Whether requests to `prefix` reach a middleware registered at `routePath` (a Hono route
 * pattern). Only the static start of the pattern is compared: a parameter or wildcard
 * segment matches the prefix's segment.
 *
 * @example
 * ```ts
 * prefixReaches('/*', '/_debug_toolbar') // true
 * prefixReaches('/app/*', '/_debug_toolbar') // false
 * prefixReaches('/app/*', '/app/_debug_toolbar') // true
 * ```
 */
export function prefixReaches(routePath: string, prefix: string): boolean {
  const open = routePath.search(/[*:]/)
  if (open === -1) return routePath === prefix
  return `${prefix}/`.startsWith(routePath.slice(0, open))
}

/**
 * Warns (once per middleware: the caller remembers that it checked) when the middleware
 * running for `c` is mounted where requests to `prefix` cannot reach it, naming the prefix
 * that works.
 *
 * @example
 * ```ts
 * if (!mountChecked) {
 *   mountChecked = true
 *   warnWhenPrefixUnreachable(c, '/_debug_toolbar') // inside the middleware, before next()
 * }
 * ```
 */
export function warnWhenPrefixUnreachable(c: Context, prefix: string): void {
  const routePath = matchedRoutes(c)[c.req.routeIndex]?.path
  if (routePath === undefined || prefixReaches(routePath, prefix)) return
  const open = routePath.search(/[*:]/)
  const base = open === -1 ? '' : routePath.slice(0, open).replace(/\/$/, '')
  console.warn(
    `[hono-debug-toolbar] the toolbar's middleware runs for ${routePath} only, so requests to its prefix ${prefix} never reach it: ` +
      `the toolbar's script and API answer 404.` +
      (base ? ` Pass a prefix under ${base}: debugToolbar({ prefix: '${base}${prefix}' })` : ''),
  )
}
