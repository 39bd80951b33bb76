import type { Context, MiddlewareHandler, Next } from 'hono'
import { addressMatcher, forwardedAddresses, LOOPBACK, socketAddress } from './access.js'
import { registerCoreRoutes } from './api.js'
import { registerLiveRoutes } from './live-routes.js'
import { checkOptions, normalizePrefix, resolveEnabled, type DebugToolbarOptions } from './options.js'
import { RequestRecord, runWithRecord } from './record.js'
import { Toolbar } from './toolbar.js'
import type { Panel } from './panel.js'
import type { ToolbarViews } from './views.js'
import { toolbarFeatures } from './features.js'
import { warnWhenPrefixUnreachable } from './mount.js'
import { unansweredNameWarner, unansweredOriginWarner } from './hostname-hint.js'
import { noteViteServer, reloadSite, replacedToolbar, succeedToolbar } from './vite-reload.js'
import { ErrorPages } from './error-page.js'
import { NotFoundPages } from './not-found-page.js'

/**
 * What the package entry hands to core: the panels used when the options name none, and
 * the server-rendered views. Core imports no panel and no template; `debugToolbar` (the
 * package entry) passes the built-in ones.
 */
export interface ToolbarDefaults {
  /** The panel list when `options.panels` is not given (called once, when enabled). */
  panels: () => Panel<any>[]
  views: ToolbarViews
}

/**
 * The middleware with its defaults given: what `debugToolbar` is made of. Allowed requests
 * (enabled, from an allowed address, `showToolbar` says yes, not excluded) are recorded;
 * HTML responses get the toolbar. Everything else passes through untouched, and the
 * toolbar's routes answer 404 to it. Apps use `debugToolbar`; this is for a build that
 * brings its own panel list or views.
 *
 * @example
 * ```ts
 * import { createDebugToolbar, serverViews, RequestPanel, SqlPanel } from 'hono-debug-toolbar'
 *
 * app.use(createDebugToolbar({ app }, { panels: () => [new RequestPanel(), new SqlPanel()], views: serverViews }))
 * ```
 */
export function createDebugToolbar(options: DebugToolbarOptions, defaults: ToolbarDefaults): MiddlewareHandler {
  if (!resolveEnabled(options.enabled)) {
    // Disabled: as cheap as a middleware can be, and the toolbar's routes do not exist.
    return async function debugToolbarDisabled(_c, next) {
      await next()
    }
  }
  checkOptions(options)
  const prefix = normalizePrefix(options.prefix)
  const panels = withExtraPanels(options.panels ?? defaults.panels(), options.extraPanels ?? [])
  // Under Vite's dev server, the toolbar of the app's previous evaluation (see vite-reload.ts).
  const site = reloadSite(prefix)
  const reload = site.key
  const previous = replacedToolbar(reload)
  const toolbar = new Toolbar(prefix, panels, options, previous)
  succeedToolbar(site, previous, toolbar)
  if (options.errorPage !== false && defaults.views.errorPage) toolbar.errorPages = new ErrorPages(prefix, defaults.views.errorPage, options.app)
  if (options.notFoundPage !== false && defaults.views.notFoundPage) toolbar.notFoundPages = new NotFoundPages(prefix, defaults.views.notFoundPage, options.app)
  registerCoreRoutes(toolbar, defaults.views)
  registerLiveRoutes(toolbar, options)
  for (const panel of panels) panel.setup?.(toolbar)
  for (const feature of toolbarFeatures()) feature(toolbar, options)

  const isAllowedAddress = addressMatcher(options.allowedHosts ?? LOOPBACK)
  const isAllowedName = toolbar.answersAt
  const isOwnPage = toolbar.answersPage
  const trustProxy = options.trustProxy ?? false
  const clientAddress = options.clientAddress
  // Every forwarded address a request names must be allowed (X-Forwarded-For's, Forwarded's,
  // X-Real-IP's and the CDN headers': a proxy adds to one and passes the others on as the
  // client wrote them). Without trustProxy they can only take the toolbar away: a visitor a
  // proxy on this machine forwarded is that visitor, though the socket says 127.0.0.1. With it
  // they replace the socket, all of them still checked.
  const forwardedAllowed = (forwarded: string[]) => {
    for (let i = 0; i < forwarded.length; i++) if (!isAllowedAddress(forwarded[i])) return false
    return true
  }
  const isAllowedClient = clientAddress
    ? (c: Context) => isAllowedAddress(clientAddress(c))
    : trustProxy
      ? (c: Context) => {
          const forwarded = forwardedAddresses(c)
          return forwarded ? forwardedAllowed(forwarded) : isAllowedAddress(socketAddress(c))
        }
      : (c: Context) => {
          if (!isAllowedAddress(socketAddress(c))) return false
          const forwarded = forwardedAddresses(c)
          return forwarded === undefined || forwardedAllowed(forwarded)
        }
  const excluded = pathMatcher(options.excludePaths ?? [])
  const ownPrefix = `${prefix}/`
  const showToolbar = options.showToolbar

  // Only the toolbar's own routes are read by name, and by the page asking: the app's pages answer any.
  const warnUnansweredName = unansweredNameWarner()
  const warnUnansweredOrigin = unansweredOriginWarner()
  // The MCP endpoint answers a page it refuses as the MCP transport asks (below).
  const mcpPath = options.mcp === false ? undefined : `${prefix}/mcp`
  const ownRouteAnswer = (c: Context): Response | Promise<Response> => {
    if (c.req.path === mcpPath) {
      const origin = c.req.header('origin')
      // MCP's Streamable HTTP transport: an Origin present and not allowed MUST get a 403,
      // whose body may be a JSON-RPC error without an id. Only a page sends one.
      if (origin !== undefined && (!isAllowedName(c.req.url) || !isOwnPage(origin, c.req.url))) {
        warnUnansweredOrigin(origin)
        return c.json({ jsonrpc: '2.0', error: { code: -32000, message: 'Forbidden: this origin may not use the MCP server' } }, 403)
      }
    }
    if (!isAllowedName(c.req.url)) {
      // The developer at a name of their own (/etc/hosts) would otherwise see no toolbar, and no reason.
      warnUnansweredName(c.req.url)
      return c.notFound()
    }
    const origin = c.req.header('origin')
    if (!isOwnPage(origin, c.req.url)) {
      // A 403 would tell the page (whose reads the app's CORS may allow) that the toolbar is
      // here: it gets the app's 404, as everyone refused does, and the developer the reason.
      warnUnansweredOrigin(origin!)
      return c.notFound()
    }
    return toolbar.serve(c)
  }
  // Whether the app runs under Vite's dev server is known from the first request the
  // middleware sees, whatever it is: Vite evaluates the entry module for a request, which may
  // be one the toolbar does not record (a page left open asking the API, a refused client).
  let viteChecked = false
  const checkVite = (c: Context) => {
    if (viteChecked) return
    viteChecked = true
    noteViteServer(c, reload, toolbar)
  }
  // Where the middleware is mounted is known from the first request it records.
  let mountChecked = false
  const handle = (c: Context, next: Next, path: string, ownRoute: boolean, allowed: boolean): Promise<Response | void> => {
    if (!allowed) {
      checkVite(c)
      return ownRoute ? Promise.resolve(c.notFound()) : next()
    }
    if (ownRoute) {
      checkVite(c)
      return Promise.resolve(ownRouteAnswer(c))
    }
    if (!mountChecked) {
      mountChecked = true
      warnWhenPrefixUnreachable(c, prefix)
      checkVite(c)
    }
    const record = new RequestRecord({ method: c.req.method, url: c.req.url, path, headers: requestHeaderSource(c) })
    return runWithRecord(record, () => toolbar.record(c, next, record))
  }
  // The cheapest tests first: the path (no allocation), then the address (a cached verdict).
  // Not an async function: the promise the request's work returns is handed to Hono as it
  // is, without another promise (and its microtask turns) around it for every request.
  const middleware: MiddlewareHandler = function debugToolbarMiddleware(c, next) {
    const path = c.req.path
    const ownRoute = path === prefix || path.startsWith(ownPrefix)
    if (!ownRoute && excluded(path)) {
      checkVite(c)
      return next()
    }
    if (!isAllowedClient(c)) return handle(c, next, path, ownRoute, false)
    if (!showToolbar) return handle(c, next, path, ownRoute, true)
    return Promise.resolve(showToolbar(c)).then((shown) => handle(c, next, path, ownRoute, shown))
  }
  return Object.assign(middleware, { toolbar })
}

/**
 * Where the record reads the request headers from: Node's raw list when the app runs on
 * @hono/node-server (node-server would otherwise build a `Headers` for the toolbar alone),
 * else the Request's own `Headers`.
 */
function requestHeaderSource(c: Context): ReadonlyArray<string> | Headers {
  const raw = (c.env as { incoming?: { rawHeaders?: unknown } } | undefined)?.incoming?.rawHeaders
  return Array.isArray(raw) ? (raw as string[]) : c.req.raw.headers
}

/** `excludePaths` compiled once: exact paths and their subtrees, and regular expressions. */
function pathMatcher(rules: ReadonlyArray<string | RegExp>): (path: string) => boolean {
  if (rules.length === 0) return () => false
  const exact = new Set<string>()
  const prefixes: string[] = []
  const patterns: Array<(path: string) => boolean> = []
  for (const rule of rules) {
    if (typeof rule !== 'string') patterns.push(testsFromStart(rule))
    else {
      exact.add(rule)
      prefixes.push(rule.endsWith('/') ? rule : `${rule}/`)
    }
  }
  return (path) => exact.has(path) || prefixes.some((p) => path.startsWith(p)) || patterns.some((matches) => matches(path))
}

/**
 * The test of a RegExp rule. A global or sticky RegExp tests from where its last match ended
 * (`lastIndex`), so the same path would be excluded on every other request: its own copy is
 * tested from the start of each path.
 */
function testsFromStart(rule: RegExp): (path: string) => boolean {
  if (!rule.global && !rule.sticky) return (path) => rule.test(path)
  const copy = new RegExp(rule)
  return (path) => {
    copy.lastIndex = 0
    return copy.test(path)
  }
}

/**
 * `extraPanels` appended to `panels`; an extra panel whose id is already there takes that
 * place instead, so `extraPanels: [new SqlPanel({ slowQueryMs: 20 })]` configures the
 * default SQL panel rather than adding a second one.
 */
function withExtraPanels(panels: Panel<any>[], extras: Panel<any>[]): Panel<any>[] {
  const result = [...panels]
  for (const extra of extras) {
    const at = result.findIndex((panel) => panel.id === extra.id)
    if (at === -1) result.push(extra)
    else result[at] = extra
  }
  return result
}
