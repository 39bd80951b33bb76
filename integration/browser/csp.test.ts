/**
 * The toolbar under an app's Content Security Policy (hono/secure-headers with a script
 * nonce), in a real browser: the page the toolbar is injected into and the full-page view,
 * which the app's policy covers as well (its middleware runs before the toolbar's routes).
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/csp.test.ts
 */
import { Hono } from 'hono'
import { NONCE, secureHeaders } from 'hono/secure-headers'
import { describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { openPanel, toolbarHandle, useBrowserSession } from './harness.js'

const WITHIN = { timeout: 10_000 }

function strictApp(): Hono {
  const app = new Hono()
  app.use(secureHeaders({ contentSecurityPolicy: { defaultSrc: ["'self'"], scriptSrc: [NONCE], styleSrc: ["'self'"] } }))
  app.use(debugToolbar({ excludePaths: ['/favicon.ico'] }))
  app.get('/favicon.ico', (c) => c.body(null, 204))
  app.get('/', (c) => c.html('<!doctype html><html><head><title>Strict</title></head><body><h1>Strict</h1></body></html>'))
  app.get('/api/items', (c) => c.json({ items: [1, 2] }))
  return app
}

describe('the toolbar under a CSP with a script nonce', () => {
  const session = useBrowserSession(strictApp, { width: 1280, height: 800 })

  it('loads on the app\'s page with the nonce of the page', async () => {
    const { page, server, errors } = session
    await page.goto(`${server.url}/`)
    await expect.poll(() => toolbarHandle(page).innerText(), WITHIN).toContain('200')
    expect(errors).toEqual([])
  })

  it('loads in the full-page view, which the app\'s policy covers too', async () => {
    const { page, server, errors } = session
    const res = await fetch(`${server.url}/api/items`)
    await res.text()
    expect(res.headers.get('content-security-policy')).toContain("'nonce-")
    await page.goto(`${server.url}/_debug_toolbar/requests/${res.headers.get('x-debug-toolbar-request-id')}`)
    const body = await openPanel(page, 'Request')
    expect(await body.locator('[data-hdt-figure="route"]').innerText()).toBe('/api/items')
    expect(errors).toEqual([])
  })
})

/** hono/secure-headers where apps often put it: after the toolbar, in the sub-app of the pages it guards. */
function adminApp(): Hono {
  const admin = new Hono()
  admin.use(secureHeaders({ contentSecurityPolicy: { defaultSrc: ["'self'"], scriptSrc: [NONCE], styleSrc: ["'self'"] } }))
  admin.get('/', (c) => c.html('<!doctype html><html><head><title>Admin</title></head><body><h1>Admin</h1></body></html>'))
  const app = new Hono()
  app.use(debugToolbar({ excludePaths: ['/favicon.ico'] }))
  app.get('/favicon.ico', (c) => c.body(null, 204))
  app.route('/admin', admin)
  return app
}

describe('the toolbar under a CSP set after it, in a sub-app', () => {
  const session = useBrowserSession(adminApp, { width: 1280, height: 800 })

  it("loads on the sub-app's page with the nonce of the page", async () => {
    const { page, server, errors } = session
    await page.goto(`${server.url}/admin`)
    await expect.poll(() => toolbarHandle(page).innerText(), WITHIN).toContain('200')
    expect(errors).toEqual([])
  })
})
