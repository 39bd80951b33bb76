/**
 * The waterfall's row of an outgoing request: the HTTP semantic conventions name its
 * CLIENT span after the method alone (`GET`), so the row's label adds where it went, as
 * the MCP server's get_trace does (`spanLabel` of src/shapes/span-label.ts). A request no
 * route matched has a SERVER span named after its method alone too: its row says the path
 * asked for (`GET /nope`), as the History and the MCP server name it.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/client-span-label.test.ts
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { openPanel, toolbarHandle, useBrowserSession } from './harness.js'

function shopApp(): Hono {
  const app = new Hono()
  app.use(debugToolbar({ app, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
  app.get('/stock/:sku', (c) => c.json({ sku: c.req.param('sku'), left: 3 }))
  app.get('/basket', async (c) => {
    const origin = new URL(c.req.url).origin
    for (const sku of [1, 2, 3]) await (await fetch(`${origin}/stock/${sku}`)).text()
    return c.html('<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Basket</title></head><body><p>3 items</p></body></html>')
  })
  app.get('/product', async (c) => {
    const stock = (await (await fetch(`${new URL(c.req.url).origin}/stock/7?fresh=1`)).json()) as { left: number }
    return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Product</title></head><body><p>${stock.left} left</p></body></html>`)
  })
  return app
}

describe('the waterfall row of a CLIENT span named GET', () => {
  const session = useBrowserSession(shopApp, { width: 1280, height: 800 })

  it('shows the URL it fetched beside the name', async () => {
    await session.open('/product')
    const pane = await openPanel(session.page, 'OpenTelemetry')
    const labels = pane.locator('.hdt-wf-row .hdt-wf-label')
    await labels.first().waitFor()
    const url = `${session.server.url}/stock/7?fresh=1`
    const client = pane.locator('.hdt-wf-label', { hasText: /^GET http/ })
    await client.waitFor()
    expect(await client.textContent()).toBe(`GET ${url}`)
    expect(await client.getAttribute('title')).toBe(`GET ${url}`)
    // The app's own SERVER span keeps its name alone.
    expect(await labels.allTextContents()).toContain('GET /product')
    expect(session.errors).toEqual([])
  })

  it('names it the same in the span detail, as a span and as the parent of the request it made', async () => {
    await session.open('/product')
    const pane = await openPanel(session.page, 'OpenTelemetry')
    const url = `${session.server.url}/stock/7?fresh=1`
    await pane.locator('.hdt-wf-label', { hasText: /^GET http/ }).first().click()
    const title = pane.locator('.hdt-span-detail-title')
    await title.waitFor()
    expect(await title.textContent()).toBe(`GET ${url}`)
    // The request the fetch made, a SERVER span of the same app under the CLIENT span.
    await pane.locator('.hdt-wf-label', { hasText: /^GET \/stock\/:sku$/ }).first().click()
    await pane.locator('.hdt-span-detail-title', { hasText: 'GET /stock/:sku' }).waitFor()
    const parent = pane.locator('.hdt-span-detail dt', { hasText: /^Parent$/ }).locator('xpath=following-sibling::dd[1]')
    expect(await parent.textContent()).toMatch(new RegExp(`^GET ${url.replace(/[.?]/g, '\\$&')} [0-9a-f]{16}$`))
    expect(session.errors).toEqual([])
  })

  it('says once where a folded row of three fetches went: the origin they share', async () => {
    await session.open('/basket')
    const pane = await openPanel(session.page, 'OpenTelemetry')
    const group = pane.locator('.hdt-wf-group-label').first()
    await group.waitFor()
    expect(await group.textContent()).toBe(`GET ${session.server.url} ×3`)
    expect(session.errors).toEqual([])
  })
})

describe('the waterfall row of a SERVER span named GET (a request no route matched)', () => {
  const session = useBrowserSession(shopApp, { width: 1280, height: 800 })

  it('reads GET /nope, and its detail still gives the span name GET', async () => {
    const { page, server } = session
    // A page load no route matched gets the debug 404 page, with the toolbar on that request.
    const res = await page.goto(`${server.url}/nope`)
    expect(res?.status()).toBe(404)
    await expect.poll(() => toolbarHandle(page).innerText()).toContain('404')
    const pane = await openPanel(page, 'OpenTelemetry')
    const label = pane.locator('.hdt-wf-row .hdt-wf-label').first()
    await label.waitFor()
    expect(await label.textContent()).toBe('GET /nope')
    expect(await label.getAttribute('title')).toBe('GET /nope')
    await label.click()
    const title = pane.locator('.hdt-span-detail-title')
    await title.waitFor()
    expect(await title.textContent()).toBe('GET /nope')
    // The span's own name, as Jaeger shows it.
    const name = pane.locator('.hdt-span-detail dt', { hasText: /^Span name$/ }).locator('xpath=following-sibling::dd[1]')
    expect(await name.locator('code').textContent()).toBe('GET')
    expect(session.errors.filter((e) => !e.includes('status of 404'))).toEqual([])
  })

  it('reads GET /nope in the Traces list too, as the History names the request', async () => {
    const { page, server } = session
    expect((await page.goto(`${server.url}/nope`))?.status()).toBe(404)
    const history = await openPanel(page, 'History')
    await history.locator('tr[data-hdt-history]', { hasText: '/nope' }).first().waitFor()
    const root = history.locator('.hdt-traces .hdt-trace-root code', { hasText: /^GET \/nope$/ }).first()
    await root.waitFor()
    expect(await root.getAttribute('title')).toBe('GET /nope')
    expect(await history.locator('.hdt-traces .hdt-trace-root code').allTextContents()).not.toContain('GET')
    expect(session.errors.filter((e) => !e.includes('status of 404'))).toEqual([])
  })
})
