/**
 * The debug 404 page: what a developer's browser gets instead of Hono's plain-text
 * "404 Not Found" when a recorded page load matched no route of the app and the app has no
 * `notFound` handler of its own, as Django's technical 404 lists the URL patterns it tried.
 * Nothing here runs unless no route of the app answered and the status is 404 (read from
 * what the toolbar already knows of every request): other requests pay for none of it.
 * What is recognised, and why, is in specs/error-page.md.
 */
import type { Context, Hono } from 'hono'
import type { NotFoundReport, NotFoundRoute } from '../shapes/not-found-report.js'
import { isHonoText, isPageLoad, pageResponse } from './error-page.js'
import type { RequestRecord } from './record.js'
import { routeTable } from './route-table.js'
import type { NotFoundPageView } from './views.js'

/** The body of Hono's default not-found response (`c.text('404 Not Found', 404)`). */
const DEFAULT_BODY = '404 Not Found'
/** How many routes the page lists; the others are counted. */
const MAX_ROUTES = 200

/**
 * Decides which 404s get the debug 404 page, and makes it. Made once per toolbar (unless
 * `notFoundPage: false`), with the view the package entry hands to core.
 *
 * @example
 * ```ts
 * const pages = new NotFoundPages('/_debug_toolbar', serverViews.notFoundPage!, app)
 * if (record.route === undefined && record.status === 404 && (await pages.answers(c, record))) {
 *   c.res = undefined
 *   c.res = pages.response(c, record, nonce, loaderTag(prefix, record.id, version, nonce)).response
 * }
 * ```
 */
export class NotFoundPages {
  constructor(
    private readonly prefix: string,
    private readonly view: NotFoundPageView,
    private readonly app?: Hono<any, any, any>,
  ) {}

  /**
   * Whether the answer to `c`, a request no route of the app matched, is Hono's default
   * not-found response, for a page load: then the page replaces it. An app's own `notFound`
   * handler answers something else (Hono does not show which handler it has): left alone.
   */
  async answers(c: Context, record: RequestRecord): Promise<boolean> {
    return isPageLoad(record) && isHonoText(c.res, 404, DEFAULT_BODY)
  }

  /** The page for `record`, with the loader tag `tag` in it, status and headers kept. */
  response(c: Context, record: RequestRecord, nonce: string | undefined, tag: string): { response: Response; pageBytes: number } {
    return pageResponse(c, this.view.render(this.report(record, nonce)), tag)
  }

  /** What the page shows: the request, and the routes of the app that answer requests. */
  report(record: RequestRecord, nonce: string | undefined): NotFoundReport {
    let routes: NotFoundRoute[] | undefined
    let routesLeftOut = 0
    if (this.app) {
      routes = []
      for (const route of routeTable(this.app)) {
        if (route.isMiddleware) continue
        if (routes.length < MAX_ROUTES) routes.push({ method: route.method, path: route.path, name: route.name })
        else routesLeftOut++
      }
    }
    return { status: record.status ?? 404, method: record.method, path: record.path, requestId: record.id, prefix: this.prefix, nonce, routes, routesLeftOut }
  }
}
