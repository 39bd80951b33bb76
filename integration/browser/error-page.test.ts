/**
 * The debug error page in a real browser: the demo's /boom, which throws with no onError of
 * the app's, shows the error, its stack with the app's frame set apart, and the toolbar on
 * the failed request, whose panels show what led to it; and under an app's strict CSP (a
 * script nonce, styles from 'self') the page's stylesheet and the toolbar still load. The
 * debug 404 page: the demo opened at a path it has no route for shows that no route
 * matched, lists the demo's routes, and has the toolbar on that request.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/error-page.test.ts
 */
import { Hono } from 'hono'
import { NONCE, secureHeaders } from 'hono/secure-headers'
import { describe, expect, it } from 'vitest'
// The demo as users run it: compiled by `npm run build`, importing the package by its name.
// @ts-expect-error TS7016: no .d.ts beside the compiled demo
import { createApp as compiledCreateApp } from '../../dist/examples/basic/app.js'
import type { createApp as CreateApp } from '../../examples/basic/app.js'
import { debugToolbar } from '../../src/index.js'
import { openPanel, toolbarHandle, useBrowserSession } from './harness.js'

const createApp: typeof CreateApp = compiledCreateApp

/** The toolbar refetches an in-flight request with a growing delay (at most 4 s). */
const WITHIN = { timeout: 10_000 }

/** Chromium reports the document's own 500 as a failed load; nothing else may go wrong. */
const unexpected = (errors: string[]) => errors.filter((e) => !e.includes('status of 500'))

describe('the demo /boom in chromium', () => {
  const session = useBrowserSession(() => createApp(), { width: 1280, height: 900 })

  it('shows the error page with the stack and the toolbar on the failed request', async () => {
    const { page, server, errors } = session
    const res = await page.goto(`${server.url}/boom`)
    expect(res?.status()).toBe(500)
    expect(await page.locator('h1').innerText()).toMatch(/^Error\s+Something went wrong in \/boom$/)
    expect(await page.locator('.hdt-err-request').innerText()).toContain('GET /boom route /boom')
    // The app's own frame, in full, first; the frames of Hono and the toolbar folded below it.
    const own = page.locator('.hdt-err-own')
    expect(await own.first().innerText()).toMatch(/examples\/basic\/app\.(js|tsx):\d+:\d+/)
    expect(await page.locator('.hdt-err-libs details').first().getAttribute('open')).toBeNull()
    await page.locator('.hdt-err-libs summary').first().click()
    expect(await page.locator('.hdt-err-lib').first().innerText()).toContain('node_modules/hono/')
    // The stylesheet the toolbar serves was applied.
    expect(await page.locator('.hdt-err-head').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(255, 241, 242)')

    // The toolbar, on this request: its panels show what led to the error.
    await expect.poll(() => toolbarHandle(page).innerText(), WITHIN).toContain('500')
    const request = await openPanel(page, 'Request')
    expect(await request.locator('.hdt-error-block').innerText()).toContain('Error: Something went wrong in /boom')
    const sql = await openPanel(page, 'SQL')
    expect((await sql.innerText()).replace(/\s+/g, ' ')).toContain('SELECT * FROM users WHERE id = 1')
    expect(unexpected(errors)).toEqual([])
  })

  it('keeps its text clear of the toolbar handle at the right edge, at 1280 and 800 px', async () => {
    const { page, server, errors } = session
    for (const width of [1280, 800]) {
      await page.setViewportSize({ width, height: 900 })
      expect((await page.goto(`${server.url}/boom`))?.status()).toBe(500)
      await expect.poll(() => toolbarHandle(page).innerText(), WITHIN).toContain('500')
      const handleLeft = (await toolbarHandle(page).boundingBox())!.x
      // Block by block, as far right as its text can go: the message, the request line, each frame and the note under them.
      const blocks = page.locator('.hdt-err-message, .hdt-err-request, .hdt-err-frames li, footer.hdt-err-note')
      const reach = await blocks.evaluateAll((els) =>
        els.map((el) => ({ text: (el.textContent ?? '').slice(0, 60), right: el.getBoundingClientRect().right - parseFloat(getComputedStyle(el).paddingRight) })),
      )
      expect(reach.length).toBeGreaterThan(3)
      for (const { text, right } of reach) expect(right, `${width}px: ${text}`).toBeLessThanOrEqual(handleLeft)
    }
    expect(unexpected(errors)).toEqual([])
  })

  it('leaves the page\'s own fetch of a failing URL to Hono', async () => {
    const { page, server } = session
    await page.goto(`${server.url}/`)
    const answer = await page.evaluate(async () => {
      const res = await fetch('/boom')
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() }
    })
    expect(answer).toEqual({ status: 500, type: 'text/plain; charset=UTF-8', text: 'Internal Server Error' })
  })
})

/** hono/secure-headers with a strict policy, in the sub-app whose handler fails. */
function strictApp(): Hono {
  const admin = new Hono()
  admin.use(secureHeaders({ contentSecurityPolicy: { defaultSrc: ["'self'"], scriptSrc: [NONCE], styleSrc: ["'self'"] } }))
  admin.get('/report', () => {
    throw new Error('report generation failed')
  })
  const app = new Hono()
  app.use(debugToolbar({ excludePaths: ['/favicon.ico'] }))
  app.get('/favicon.ico', (c) => c.body(null, 204))
  app.route('/admin', admin)
  return app
}

describe('the error page under a strict CSP', () => {
  const session = useBrowserSession(strictApp, { width: 1280, height: 800 })

  it('loads its stylesheet and the toolbar with the policy the app set', async () => {
    const { page, server, errors } = session
    const res = await page.goto(`${server.url}/admin/report`)
    expect(res?.status()).toBe(500)
    expect(await res?.headerValue('content-security-policy')).toContain("'nonce-")
    expect(await page.locator('h1').innerText()).toContain('report generation failed')
    expect(await page.locator('.hdt-err-head').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(255, 241, 242)')
    await expect.poll(() => toolbarHandle(page).innerText(), WITHIN).toContain('500')
    // A refused script or stylesheet is reported on the console.
    expect(unexpected(errors)).toEqual([])
  })
})

describe('a missing page of the demo in chromium', () => {
  const session = useBrowserSession(() => createApp(), { width: 1280, height: 900 })

  it("shows that no route matched, the demo's routes, and the toolbar on the request", async () => {
    const { page, server, errors } = session
    const res = await page.goto(`${server.url}/no/such/page?ref=<x>`)
    expect(res?.status()).toBe(404)
    expect((await page.locator('h1').innerText()).replace(/\s+/g, ' ')).toBe('No route matched GET /no/such/page')
    const routes = await page.locator('.hdt-nf-routes tr').allInnerTexts()
    const lines = routes.map((line) => line.replace(/\s+/g, ' ').trim())
    expect(lines).toContain('GET /users/:id [handler]')
    expect(lines).toContain('GET /boom [handler]')
    // The error page's stylesheet, which the toolbar serves, was applied.
    expect(await page.locator('.hdt-err-head').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(241, 245, 249)')

    // The toolbar, on this request: the Routes panel has the same table, none of it matched.
    await expect.poll(() => toolbarHandle(page).innerText(), WITHIN).toContain('404')
    const panel = await openPanel(page, 'Routes')
    expect((await panel.innerText()).replace(/\s+/g, ' ')).toContain('/users/:id')
    expect(errors.filter((e) => !e.includes('status of 404'))).toEqual([])
  })

  it("leaves the page's own fetch of a missing path to Hono", async () => {
    const { page, server } = session
    await page.goto(`${server.url}/`)
    const answer = await page.evaluate(async () => {
      const res = await fetch('/no/such/api')
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() }
    })
    expect(answer).toEqual({ status: 404, type: 'text/plain; charset=UTF-8', text: '404 Not Found' })
  })
})
