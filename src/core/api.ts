import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Context } from 'hono'
import { renderToString } from 'preact-render-to-string'
import type { Toolbar } from './toolbar.js'
import { packageRoot } from './package-root.js'
import { StoreUnavailableError, withDropped, type RequestFilter } from './store.js'
import { parseStatusList } from './status-filter.js'
import { denyForeignFraming } from './framing.js'
import type { ToolbarViews } from './views.js'
import { ERROR_PAGE_CSS_FILE_ROUTE, ERROR_PAGE_CSS_ROUTE } from '../shapes/error-report.js'
import { TOOLBAR_SCRIPT_FILE_ROUTE, TOOLBAR_SCRIPT_ROUTE } from '../shapes/static-routes.js'

const MAX_LIMIT = 200
const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1e293b"/><path d="M4 5h8M4 8h5M4 11h7" stroke="#f59e0b" stroke-width="1.5"/></svg>'

/**
 * The toolbar's own routes under the prefix: the JSON API, the browser bundle, and the
 * full-page view for API-only apps. Panels add theirs in `setup()`. The server-rendered
 * views come from the package entry (`views`), so core imports no template.
 */
export function registerCoreRoutes(toolbar: Toolbar, views: ToolbarViews): void {
  const routes = toolbar.routes
  let bundle: string | undefined

  // Every HTML page under the prefix (the full-page view, a panel's server-rendered content,
  // a panel's own pages) may be framed by pages of its own origin only. First, so that it
  // wraps the routes registered after it.
  routes.use(async function toolbarPageFraming(c, next) {
    await next()
    if (c.res.headers.get('content-type')?.startsWith('text/html')) denyForeignFraming(c.res.headers)
  })

  routes.get('/healthz', (c) => c.json({ status: 'ok' }))

  routes.get('/api/requests', async (c) => {
    const filter = parseFilter(c)
    if (typeof filter === 'string') return c.json({ error: filter }, 400)
    await toolbar.settled()
    const page = await toolbar.store.list(filter)
    // The in-memory history is bounded: say how many it pushed out, so an open History panel
    // counts them live. A database keeps what it is sent and has no such count.
    return c.json(withDropped(toolbar.store, page))
  })

  routes.get('/api/requests/:id', async (c) => {
    const detail = await toolbar.detail(c.req.param('id'))
    return detail ? c.json(detail) : c.json({ error: `no request with id "${c.req.param('id')}"` }, 404)
  })

  routes.get('/api/panels', (c) => c.json({ panels: toolbar.panels.map((p) => ({ id: p.id, title: p.title })) }))

  // Server-rendered content of a panel, for panels the browser bundle has no component for.
  routes.get('/api/requests/:id/panels/:panelId/html', async (c) => {
    const panel = toolbar.panels.find((p) => p.id === c.req.param('panelId'))
    const detail = await toolbar.detail(c.req.param('id'))
    if (!panel || !detail) return c.json({ error: 'no such request or panel' }, 404)
    const stats = detail.panels[panel.id]
    return c.html(renderToString(panel.render ? panel.render(stats) : views.statsTable(stats)))
  })

  const script = (c: Context) => {
    bundle ??= readFileSync(join(packageRoot(), 'dist/client/toolbar.js'), 'utf8')
    c.header('Cache-Control', 'no-cache')
    return c.body(bundle, 200, { 'Content-Type': 'text/javascript; charset=utf-8' })
  }
  routes.get(TOOLBAR_SCRIPT_ROUTE, script)
  routes.get(TOOLBAR_SCRIPT_FILE_ROUTE, script)

  // The full-page view's icon (see full-page.tsx).
  routes.get('/static/icon.svg', (c) =>
    c.body(ICON, 200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'max-age=86400' }),
  )

  // The debug error page's stylesheet: a file rather than inline, so an app's CSP of 'self' allows it.
  const errorPage = views.errorPage
  if (errorPage) {
    const css = (c: Context) => c.body(errorPage.css, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'no-cache' })
    routes.get(ERROR_PAGE_CSS_ROUTE, css)
    routes.get(ERROR_PAGE_CSS_FILE_ROUTE, css)
  }

  const page = (c: Context, requestId: string) =>
    c.html(`<!doctype html>${renderToString(views.fullPage({ prefix: toolbar.prefix, requestId, version: toolbar.version, nonce: toolbar.pageNonce(c.req.raw) }))}`)

  // The full-page view, for API-only apps whose responses have no page to inject into.
  routes.get('/requests/:id', async (c) => {
    const id = c.req.param('id')
    if (!(await toolbar.detail(id))) return c.json({ error: `no request with id "${id}"` }, 404)
    return page(c, id)
  })

  routes.get('/', async (c) => {
    const latest = (await toolbar.store.list({ limit: 1, offset: 0 })).requests[0]
    return page(c, latest?.id ?? '')
  })

  routes.notFound((c) => c.json({ error: `no toolbar route ${c.req.method} ${c.req.path}` }, 404))
  routes.onError((error, c) => {
    // A durable store whose database is down: say so (503), it is not a fault of the toolbar.
    if (error instanceof StoreUnavailableError) return c.json({ error: error.message }, 503)
    console.error('[hono-debug-toolbar] toolbar route failed:', error)
    return c.json({ error: error.message }, 500)
  })
}

function parseFilter(c: Context): RequestFilter | string {
  const limit = parseCount(c.req.query('limit'), 50, 'limit')
  if (typeof limit === 'string') return limit
  if (limit < 1 || limit > MAX_LIMIT) return `limit must be between 1 and ${MAX_LIMIT}, got ${limit}`
  const offset = parseCount(c.req.query('offset'), 0, 'offset')
  if (typeof offset === 'string') return offset
  const status = c.req.query('status') ?? ''
  const ranges = parseStatusList(status)
  if (typeof ranges === 'string') return ranges
  return { limit, offset, method: c.req.query('method') || undefined, status: ranges.length ? status : undefined, path: c.req.query('path') || undefined }
}

function parseCount(raw: string | undefined, fallback: number, name: string): number | string {
  if (raw === undefined || raw === '') return fallback
  // At most 15 digits, as the trace routes take: a database cannot take an offset past 2^63.
  if (!/^\d{1,15}$/.test(raw)) return `${name} must be a whole number, got "${raw.slice(0, 40)}"`
  return Number(raw)
}
