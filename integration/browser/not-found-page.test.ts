/**
 * The debug 404 page in a real browser: the demo (which passes its app to the toolbar)
 * opened at a path it has no route for shows that no route matched, lists the demo's
 * routes, and has the toolbar on that request; the page's own fetch of a missing path still
 * gets Hono's plain 404.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/not-found-page.test.ts
 */
import { describe, expect, it } from 'vitest'
// The demo as users run it: compiled by `npm run build`, importing the package by its name.
// @ts-expect-error TS7016: no .d.ts beside the compiled demo
import { createApp as compiledCreateApp } from '../../dist/examples/basic/app.js'
import type { createApp as CreateApp } from '../../examples/basic/app.js'
import { openPanel, toolbarHandle, useBrowserSession } from './harness.js'

const createApp: typeof CreateApp = compiledCreateApp

/** The toolbar refetches an in-flight request with a growing delay (at most 4 s). */
const WITHIN = { timeout: 10_000 }

/** Chromium reports the document's own 404 as a failed load; nothing else may go wrong. */
const unexpected = (errors: string[]) => errors.filter((e) => !e.includes('status of 404'))

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
    expect(unexpected(errors)).toEqual([])
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
