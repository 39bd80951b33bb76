/**
 * A page of another site, open in the developer's browser, trying to read the toolbar of
 * an app on 127.0.0.1 whose own CORS middleware allows every origin (`app.use(cors())`
 * before the toolbar, as API apps often have it). Chromium maps `evil.example` to loopback,
 * where a second server plays that site.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/cross-site.test.ts
 */
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { CHROMIUM_PATH, serveApp, type ServedApp } from './harness.js'

const TRACE = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'evil' }, spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'planted', kind: 1, startTimeUnixNano: '1000000000', endTimeUnixNano: '2000000000' }] }] }] }

describe('a page of another site', () => {
  let browser: Browser
  let app: ServedApp
  let site: ServedApp

  beforeAll(async () => {
    const shop = new Hono()
    shop.use(cors())
    shop.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
    shop.get('/', (c) => c.html('<!doctype html><html><body><h1>Shop</h1></body></html>'))
    shop.get('/api/orders', (c) => c.json({ orders: ['order-for-ada'] }))
    shop.get('/framed', (c) => c.html('<!doctype html><html><body><iframe src="/_debug_toolbar/"></iframe></body></html>'))
    app = await serveApp(shop)
    const evil = new Hono()
    evil.get('/', (c) => c.html('<!doctype html><html><body><h1>Another site</h1></body></html>'))
    evil.get('/framed', (c) => c.html(`<!doctype html><html><body><iframe src="${app.url}/_debug_toolbar/"></iframe></body></html>`))
    site = await serveApp(evil)
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--host-resolver-rules=MAP evil.example 127.0.0.1'],
    })
  })
  afterAll(async () => {
    await browser?.close()
    await app?.close()
    await site?.close()
  })

  it('cannot read the toolbar or post to it through an app that allows every origin', async () => {
    await (await fetch(`${app.url}/api/orders`)).text()
    const page = await browser.newPage()
    try {
      await page.goto(`${site.url.replace('127.0.0.1', 'evil.example')}/`)
      const read = (url: string, init?: RequestInit) =>
        page.evaluate(
          ([u, i]) => fetch(u, i).then((r) => `${r.status} ${r.headers.get('content-type')}`, (e: Error) => `refused: ${e.message}`),
          [url, init ?? {}] as const,
        )
      const history = await page.evaluate((u) => fetch(u).then((r) => r.text(), (e: Error) => `refused: ${e.message}`), `${app.url}/_debug_toolbar/api/requests`)
      expect(history).not.toContain('/api/orders')
      // The toolbar's routes answer the page as the app answers a path it does not have: nothing tells it the toolbar is there.
      expect(await read(`${app.url}/_debug_toolbar/api/requests`)).toBe(await read(`${app.url}/api/no-such-thing`))
      expect(await read(`${app.url}/_debug_toolbar/api/requests`)).toMatch(/^404 /)
      const planted = await read(`${app.url}/_debug_toolbar/api/traces/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(TRACE) })
      expect(planted).not.toMatch(/^200/)
      expect((await fetch(`${app.url}/_debug_toolbar/api/traces/${'ab'.repeat(16)}`)).status).toBe(404)
      // The app's own pages are the app's business: its CORS still answers them.
      expect(await read(`${app.url}/api/orders`)).toBe('200 application/json')
    } finally {
      await page.close()
    }
  })

  it("cannot show the toolbar's full-page view in a frame; the app's own page can", async () => {
    const page = await browser.newPage()
    try {
      const framed = () => page.frames().find((frame) => frame !== page.mainFrame())
      const framedTitle = () => framed()?.evaluate(() => document.title).catch(() => '') ?? ''
      await page.goto(`${site.url.replace('127.0.0.1', 'evil.example')}/framed`)
      // Chromium shows its own error page in the frame, not the toolbar.
      await expect.poll(() => framed()?.url(), { timeout: 5000 }).toMatch(/^chrome-error:/)
      expect(await framedTitle()).not.toMatch(/^Debug toolbar/)
      await page.goto(`${app.url}/framed`)
      // The toolbar runs in it and names the request it shows.
      await expect.poll(framedTitle, { timeout: 5000 }).toMatch(/^Debug toolbar: GET \//)
    } finally {
      await page.close()
    }
  })

  it('leaves the toolbar to the app\'s own pages and other loopback pages', async () => {
    const page = await browser.newPage()
    try {
      for (const origin of [app.url, site.url.replace('127.0.0.1', 'localhost')]) {
        await page.goto(`${origin}/`)
        const status = await page.evaluate((u) => fetch(u, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.status), `${app.url}/_debug_toolbar/api/traces/import`)
        // Refused as a file with no spans, not as a page of another site.
        expect(status).toBe(400)
      }
    } finally {
      await page.close()
    }
  })
})
