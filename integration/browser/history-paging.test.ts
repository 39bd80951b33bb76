/**
 * The History panel pages through a history longer than one page (a database store keeps
 * 500 requests by default, the panel lists 50 at a time): Older and Newer move a page, and
 * the count says which requests are shown; the new page is shown from its top.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/history-paging.test.ts
 */
import { Hono } from 'hono'
import type { Locator } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { debugToolbar, type Panel } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { openPanel, useBrowserSession } from './harness.js'

function shopApp(extraPanels: Panel<any>[] = []): Hono {
  const app = new Hono()
  app.use(debugToolbar({ app, maxRequests: 100, extraPanels }))
  app.get('/', (c) => c.html('<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Shop</title></head><body><h1>Shop</h1></body></html>'))
  app.get('/items/:n', (c) => c.json({ n: c.req.param('n') }))
  return app
}

const session = useBrowserSession(() => shopApp(), { width: 1280, height: 900 })

beforeAll(async () => {
  for (let n = 1; n <= 60; n++) await fetch(`${session.server.url}/items/${n}`)
})

function historyPaths(body: Locator): Promise<string[]> {
  return body.locator('tr[data-hdt-history] td:nth-child(3)').allTextContents()
}

describe('the History panel in chromium', () => {
  it('pages through a history longer than one page with Older and Newer', async () => {
    await session.page.goto(`${session.server.url}/`)
    const body = await openPanel(session.page, 'History')
    const count = body.locator('.hdt-history-count')
    await expect.poll(() => count.textContent()).toBe('50 of 61 shown')
    expect((await historyPaths(body))[49]).toBe('/items/12')
    const newer = body.getByRole('button', { name: 'Newer' })
    const older = body.getByRole('button', { name: 'Older' })
    expect(await newer.isDisabled()).toBe(true)
    // The page that cannot be turned to looks it: muted, as the list's disabled "shown" button.
    const color = (button: Locator) => button.evaluate((b) => getComputedStyle(b).color)
    expect(await color(newer)).toBe(await color(body.locator('button.hdt-switch[disabled]')))
    expect(await color(newer)).not.toBe(await color(older))
    await older.click()
    await expect.poll(() => count.textContent()).toBe('51–61 of 61 shown')
    expect(await historyPaths(body)).toEqual(Array.from({ length: 11 }, (_, i) => `/items/${11 - i}`))
    expect(await older.isDisabled()).toBe(true)
    await newer.click()
    await expect.poll(() => count.textContent()).toBe('50 of 61 shown')
    expect((await historyPaths(body))[0]).toBe('/')
    // A new filter starts again at the newest page.
    await older.click()
    await expect.poll(() => count.textContent()).toBe('51–61 of 61 shown')
    await body.getByLabel('Path', { exact: true }).fill('/items/5')
    await expect.poll(() => historyPaths(body)).toEqual(['/items/59', '/items/58', '/items/57', '/items/56', '/items/55', '/items/54', '/items/53', '/items/52', '/items/51', '/items/50', '/items/5'])
    expect(await count.textContent()).toBe('11 of 11 shown')
    expect(session.errors).toEqual([])
  })
})

describe('the History panel in chromium, with the trace list below it', () => {
  const traced = useBrowserSession(() => shopApp([new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })]), { width: 1280, height: 900 })

  beforeAll(async () => {
    for (let n = 1; n <= 60; n++) await fetch(`${traced.server.url}/items/${n}`)
  })

  /** Whether `element` lies wholly inside the visible part of the pane's scrolling body. */
  function inView(element: Locator): Promise<boolean> {
    return element.evaluate((el) => {
      const [r, b] = [el.getBoundingClientRect(), el.closest('.hdt-pane-body')!.getBoundingClientRect()]
      return r.top >= b.top && r.bottom <= b.bottom
    })
  }

  it('shows a new page from its top after Older and Newer, not where the last page was scrolled to', async () => {
    await traced.page.goto(`${traced.server.url}/`)
    const body = await openPanel(traced.page, 'History')
    const count = body.locator('.hdt-history-count')
    await expect.poll(() => count.textContent()).toBe('50 of 61 shown')
    const older = body.getByRole('button', { name: 'Older' })
    const newer = body.getByRole('button', { name: 'Newer' })
    // The buttons are under the 50 rows: the user scrolls down to them.
    await older.scrollIntoViewIfNeeded()
    expect(await body.evaluate((b) => b.scrollTop)).toBeGreaterThan(500)
    const firstRow = body.locator('tr[data-hdt-history]').first()
    await older.click()
    await expect.poll(() => count.textContent()).toBe('51–61 of 61 shown')
    expect(await firstRow.locator('td:nth-child(3)').textContent()).toBe('/items/11')
    await expect.poll(() => inView(firstRow)).toBe(true)
    // The table's head and the count that says which page this is are in view too.
    await expect.poll(() => inView(body.locator('.hdt-history-count'))).toBe(true)
    await expect.poll(() => inView(body.locator('table:has(tr[data-hdt-history]) thead'))).toBe(true)

    await newer.scrollIntoViewIfNeeded()
    await newer.click()
    await expect.poll(() => count.textContent()).toBe('50 of 61 shown')
    expect(await firstRow.locator('td:nth-child(3)').textContent()).toBe('/')
    await expect.poll(() => inView(firstRow)).toBe(true)
    expect(traced.errors).toEqual([])
  })
})
