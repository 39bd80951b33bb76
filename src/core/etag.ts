/**
 * hono/etag hashes the body it is handed, and a browser sends that hash back (If-None-Match)
 * to get a 304. The toolbar's tag names the request, so a page hashed with the tag in it has
 * a new ETag on every request and never gets its 304. Where hono/etag runs for a request,
 * the toolbar keeps its tag out of what it hashes:
 *
 * - after the toolbar (`app.use(debugToolbar()); app.use(etag())`), `c.html('...')` leaves
 *   the string as the app wrote it, and the tag goes in as the bytes pass, once hono/etag
 *   hashed them (as it does for JSX pages);
 * - before it, the page gets the ETag hono/etag would give it before the tag goes in, and
 *   hono/etag uses an ETag the response already has.
 *
 * Only requests that match hono/etag pay for any of it: the matched handlers are looked at
 * only when some run besides the toolbar and the app's handler, and, when the app was passed
 * as `app`, only when one of its routes is hono/etag's. hono/etag is known by its function's
 * name, or, in a bundle that renamed it, by its code (it reads `If-None-Match` and `ETag`).
 */
import type { Context, Hono } from 'hono'
import { matchedRoutes } from 'hono/route'

type Handler = ((...args: never[]) => unknown) & { __COMPOSED_HANDLER?: Handler }

/**
 * Whether hono/etag's middleware is among the handlers matched for `c` in `[from, to)`
 * (`to` defaults to all of them), the toolbar's own (`ownIndex`) left out.
 *
 * @example
 * ```ts
 * const own = c.req.routeIndex // in the toolbar's middleware
 * hasEtag(c, own) // true when app.use(etag()) runs for this request, before or after the toolbar
 * hasEtag(c, own, 0, own) // only the ones before it
 * hasEtag(c, own, 0, Infinity, app) // false at once when no route of `app` is hono/etag's
 * ```
 */
export function hasEtag(c: Context, ownIndex: number, from = 0, to = Number.POSITIVE_INFINITY, app?: Hono<any, any, any>): boolean {
  // With the app known, one look at its whole table (again only when routes were added) says no for every request.
  if (app && !appHasEtag(app)) return false
  let routes: ReturnType<typeof matchedRoutes>
  try {
    routes = matchedRoutes(c)
  } catch {
    // A context built outside Hono's router (tests calling a middleware directly).
    return false
  }
  const end = Math.min(to, routes.length)
  for (let i = from; i < end; i++) {
    if (i !== ownIndex && isEtag(routes[i].handler)) return true
  }
  return false
}

/**
 * Whether `handler` is hono/etag's middleware, or one that does what it does: `async
 * function etag(c, next)`, or, once a bundler has renamed it (`async function(a,l)`), a
 * function whose code reads `If-None-Match` and an `ETag`, string literals that no minifier
 * renames. A sub-app's handler is unwrapped first. Read once per function.
 */
function isEtag(handler: unknown): boolean {
  let target = handler as Handler
  while (target.__COMPOSED_HANDLER) target = target.__COMPOSED_HANDLER
  if (target.name === 'etag') return true
  let verdict = etagCode.get(target)
  if (verdict === undefined) {
    const code = Function.prototype.toString.call(target)
    verdict = /if-none-match/i.test(code) && /["'`]etag["'`]/i.test(code)
    etagCode.set(target, verdict)
  }
  return verdict
}

/** What the code of each handler looked at says: a handler's code never changes. */
const etagCode = new WeakMap<object, boolean>()

const appVerdicts = new WeakMap<object, { size: number; etag: boolean }>()

/** Whether any route of `app` (sub-apps included, as Hono registers them) is hono/etag's middleware. */
function appHasEtag(app: Hono<any, any, any>): boolean {
  let verdict = appVerdicts.get(app)
  if (verdict?.size !== app.routes.length) {
    verdict = { size: app.routes.length, etag: app.routes.some((route) => isEtag(route.handler)) }
    appVerdicts.set(app, verdict)
  }
  return verdict.etag
}

/**
 * Whether `c.html()` of a string must leave the page without the tag for hono/etag: cheap
 * when the toolbar runs first and the handler right after it (nothing else can hash), or
 * when the app was passed as `app` and has no hono/etag.
 *
 * @example
 * ```ts
 * if (!etagHashesPage(c, ownIndex)) content = injectIntoHtml(content, tag)
 * ```
 */
export function etagHashesPage(c: Context, ownIndex: number, app?: Hono<any, any, any>): boolean {
  if (ownIndex === 0 && c.req.routeIndex === 1) return false
  return hasEtag(c, ownIndex, 0, Number.POSITIVE_INFINITY, app)
}

/**
 * Gives `res` (the app's page, before the tag goes in) the ETag hono/etag gives by default:
 * the SHA-1 of its body, in hex, quoted. hono/etag before the toolbar then uses it as it is.
 * A response that has an ETag already (the app's own) keeps it.
 *
 * @example
 * ```ts
 * if (hasEtag(c, own, 0, own)) await setAppEtag(c.res) // before the tag goes in
 * ```
 */
export async function setAppEtag(res: Response): Promise<void> {
  if (res.headers.has('etag')) return
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', await res.clone().arrayBuffer()))
  let hex = ''
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0')
  res.headers.set('ETag', `"${hex}"`)
}
