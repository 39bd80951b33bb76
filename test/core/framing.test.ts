import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { loopbackServers } from '../support/loopback-service.js'
import { get } from '../support/page-load.js'

// Who may show the toolbar's own pages in a frame, as a browser reads it from the headers
// over a real socket: the toolbar's pages say "this site only"; the app's pages say what the
// app says.

const start = loopbackServers()

/** What a page's headers say about being framed. */
const framing = (headers: Headers) => ({ csp: headers.get('content-security-policy'), xfo: headers.get('x-frame-options') })
const SELF_ONLY = { csp: "frame-ancestors 'self'", xfo: 'SAMEORIGIN' }
const NONE = { csp: null, xfo: null }

function shop(appHeaders: Record<string, string> = {}) {
  const app = new Hono()
  app.use(debugToolbar({ app }))
  // The app's own policy, when it has one (a middleware after the toolbar, as hono/secure-headers is often put).
  app.use(async (c, next) => {
    await next()
    for (const [name, value] of Object.entries(appHeaders)) c.res.headers.set(name, value)
  })
  app.get('/', (c) => c.html('<!doctype html><html><body><h1>Shop</h1></body></html>'))
  app.get('/orders/:id', () => {
    throw new Error('could not load order')
  })
  return app
}

describe("the framing of the toolbar's pages", () => {
  it('lets only pages of its own origin frame the full-page view, the panel HTML and the debug error and 404 pages', async () => {
    const base = await start(shop())
    const home = await get(base, '/')
    expect(home.text).toContain('<h1>Shop</h1>')
    const id = home.headers.get('x-debug-toolbar-request-id')!
    const fullPage = await get(base, `/_debug_toolbar/requests/${id}`)
    expect([fullPage.status, fullPage.type, framing(fullPage.headers)]).toEqual([200, 'text/html; charset=UTF-8', SELF_ONLY])
    const latest = await get(base, '/_debug_toolbar/')
    expect([latest.status, framing(latest.headers)]).toEqual([200, SELF_ONLY])
    const panel = await get(base, `/_debug_toolbar/api/requests/${id}/panels/request/html`)
    expect([panel.status, panel.type, framing(panel.headers)]).toEqual([200, 'text/html; charset=UTF-8', SELF_ONLY])
    const failed = await get(base, '/orders/42')
    expect(failed.text).toContain('could not load order')
    expect([failed.status, framing(failed.headers)]).toEqual([500, SELF_ONLY])
    const unmatched = await get(base, '/nowhere')
    expect(unmatched.text).toContain('/orders/:id')
    expect([unmatched.status, framing(unmatched.headers)]).toEqual([404, SELF_ONLY])
    // The JSON API is no page to frame; it is left as it was.
    expect(framing((await get(base, '/_debug_toolbar/api/requests', {})).headers)).toEqual(NONE)
  })

  it("never changes the framing of the app's own pages, and keeps the app's own policy on the debug pages", async () => {
    const bare = await start(shop())
    const page = await get(bare, '/')
    expect(page.text).toContain('<script src="/_debug_toolbar/static/toolbar?')
    expect(framing(page.headers)).toEqual(NONE)
    // Not a page load: the app's own plain answers, untouched.
    expect(framing((await get(bare, '/orders/42', {})).headers)).toEqual(NONE)
    expect(framing((await get(bare, '/nowhere', {})).headers)).toEqual(NONE)

    const partner = { 'Content-Security-Policy': 'frame-ancestors https://partner.example', 'X-Frame-Options': 'DENY' }
    const own = await start(shop(partner))
    const owned = { csp: 'frame-ancestors https://partner.example', xfo: 'DENY' }
    expect(framing((await get(own, '/')).headers)).toEqual(owned)
    const failed = await get(own, '/orders/42')
    expect([failed.status, failed.text.includes('could not load order'), framing(failed.headers)]).toEqual([500, true, owned])
    const unmatched = await get(own, '/nowhere')
    expect([unmatched.status, framing(unmatched.headers)]).toEqual([404, owned])
  })

  it('adds only the header the app has not set on a debug page', async () => {
    const base = await start(shop({ 'Content-Security-Policy': "default-src 'self'" }))
    const failed = await get(base, '/orders/42')
    expect(framing(failed.headers)).toEqual({ csp: "default-src 'self'", xfo: 'SAMEORIGIN' })
    const framed = await start(shop({ 'X-Frame-Options': 'DENY' }))
    expect(framing((await get(framed, '/nowhere')).headers)).toEqual({ csp: "frame-ancestors 'self'", xfo: 'DENY' })
  })
})
