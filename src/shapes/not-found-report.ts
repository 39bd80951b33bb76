/**
 * What the debug 404 page shows of a page load that no route matched: made by core
 * (`src/core/not-found-page.ts`), rendered by the page's view (`templates/server/not-found-page.tsx`).
 * Every text is as the app and the request gave it, not escaped: the view escapes it.
 */

/** One route of the app, as the Routes panel lists it. */
export interface NotFoundRoute {
  method: string
  path: string
  /** The handler's function name, or `[handler]`. */
  name: string
}

/** Everything the 404 page shows. */
export interface NotFoundReport {
  /** The status answered (404). */
  status: number
  method: string
  /** The path asked for, without the query string. */
  path: string
  requestId: string
  /** The toolbar's prefix, for the links to its full-page view and to its stylesheet. */
  prefix: string
  /** The app's CSP nonce, for the stylesheet link. */
  nonce: string | undefined
  /** The app's routes that answer requests (middleware left out), or undefined when the app was not passed as `app`. */
  routes: NotFoundRoute[] | undefined
  /** Routes beyond those listed. */
  routesLeftOut: number
}
