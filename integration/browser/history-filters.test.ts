/**
 * The History panel's filters in a real browser, used by keyboard: the Status field takes a
 * list of codes and classes, and every search field (Path, Service of the trace list)
 * clears on Esc before Esc closes the pane.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/history-filters.test.ts
 */
import { randomBytes } from 'node:crypto'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { Hono } from 'hono'
import type { Locator } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { postLateSpan } from '../../test/support/late-otlp-span.js'
import { openPanel, useBrowserSession } from './harness.js'

function page(title: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title></head><body><h1>${title}</h1></body></html>`
}

function shopApp(): Hono {
  const app = new Hono()
  app.use(debugToolbar({ app, extraPanels: [new OpenTelemetryPanel({ exporter: new InMemorySpanExporter() })] }))
  app.get('/', (c) => c.html(page('Shop')))
  app.post('/orders', (c) => c.json({ id: 7 }, 201))
  app.get('/missing', (c) => c.json({ error: 'no such page' }, 404))
  app.get('/gone', (c) => c.json({ error: 'gone' }, 410))
  app.get('/boom', (c) => c.json({ error: 'boom' }, 500))
  app.get('/busy', (c) => c.json({ error: 'busy' }, 503))
  app.get('/organisations/:organisationId/projects/:projectId/environments/:environmentName', (c) => c.html(page('Environment')))
  return app
}

const session = useBrowserSession(() => shopApp(), { width: 1280, height: 900 })

beforeAll(async () => {
  const { url } = session.server
  await fetch(`${url}/orders`, { method: 'POST' })
  for (const path of ['/missing', '/gone', '/boom', '/busy']) await fetch(`${url}${path}`)
  // A trace of another service that no request of this app recorded.
  expect((await postLateSpan(url, randomBytes(16).toString('hex'))).status).toBe(200)
})

const paneOpen = () => session.page.locator('#hono-debug-toolbar .hdt-pane').count()

/** The paths the history list shows, in its order. */
function historyPaths(body: Locator): Promise<string[]> {
  return body.locator('tr[data-hdt-history] td:nth-child(3)').allTextContents()
}

/** Esc in `field`, which has text, empties it and lists all `rows` again with the pane open; a second Esc closes the pane. */
async function escapeClearsThenCloses(field: Locator, rows: Locator, all: number): Promise<void> {
  await session.page.keyboard.press('Escape')
  expect(await field.inputValue()).toBe('')
  await expect.poll(() => rows.count()).toBe(all)
  expect(await paneOpen()).toBe(1)
  await session.page.keyboard.press('Escape')
  await expect.poll(paneOpen).toBe(0)
}

describe('the History panel in chromium', () => {
  it('filters by a list of status codes and classes, separated by commas or spaces', async () => {
    await session.page.goto(`${session.server.url}/`)
    const body = await openPanel(session.page, 'History')
    const status = body.getByLabel('Status', { exact: true })
    expect(await status.getAttribute('placeholder')).toBe('404, 5xx')
    await status.fill('404, 5xx')
    await expect.poll(() => historyPaths(body)).toEqual(['/busy', '/boom', '/missing'])
    await status.fill('4xx 201')
    await expect.poll(() => historyPaths(body)).toEqual(['/gone', '/missing', '/orders'])
    // A malformed item is named; the rows of the last good filter are not shown under it.
    await status.fill('404, 6xx')
    await expect.poll(() => body.locator('.hdt-error-note').textContent()).toContain('got "6xx"')
    expect(await historyPaths(body)).toEqual([])
    expect(session.errors).toEqual([])
  })

  it('tells a Status that cannot be a filter (abc) to the user without sending a request the server refuses', async () => {
    await session.page.goto(`${session.server.url}/`)
    const body = await openPanel(session.page, 'History')
    await body.locator('tr[data-hdt-history]').first().waitFor()
    const refused: string[] = []
    session.page.on('response', (response) => {
      if (response.status() >= 400) refused.push(`${response.status()} ${response.url()}`)
    })
    const status = body.getByLabel('Status', { exact: true })
    await status.fill('abc')
    await expect.poll(() => body.locator('.hdt-error-note').textContent()).toContain('got "abc"')
    expect(await historyPaths(body)).toEqual([])
    expect(await body.locator('.hdt-history-count').textContent()).toBe('')
    // Refresh with the same text asks nothing of the server either.
    await body.getByRole('button', { name: 'Refresh' }).first().click()
    await status.fill('abc 5xx')
    await expect.poll(() => body.locator('.hdt-error-note').textContent()).toContain('got "abc"')
    // A good filter again lists its rows.
    await status.fill('5xx')
    await expect.poll(() => historyPaths(body)).toEqual(['/busy', '/boom'])
    expect(refused).toEqual([])
    expect(session.errors).toEqual([])
  })

  it('clears the Status field on Esc, as the Path field does, and lists every request again', async () => {
    await session.page.goto(`${session.server.url}/`)
    const body = await openPanel(session.page, 'History')
    const rows = body.locator('tr[data-hdt-history]')
    await rows.first().waitFor()
    const all = await rows.count()
    const status = body.getByLabel('Status', { exact: true })
    await status.click()
    await session.page.keyboard.type('5xx')
    await expect.poll(() => historyPaths(body)).toEqual(['/busy', '/boom'])
    await escapeClearsThenCloses(status, rows, all)
    expect(session.errors).toEqual([])
  })

  it("clears the trace list's Service field on Esc and lists every trace again; Esc in the empty field closes the pane", async () => {
    await session.page.goto(`${session.server.url}/`)
    const body = await openPanel(session.page, 'History')
    const traces = body.locator('.hdt-traces tr[data-hdt-trace-row]')
    await expect.poll(() => traces.count()).toBeGreaterThanOrEqual(7)
    const all = await traces.count()
    const service = body.getByLabel('Service', { exact: true })
    await service.click()
    await session.page.keyboard.type('billing')
    await expect.poll(() => traces.count()).toBe(1)
    await escapeClearsThenCloses(service, traces, all)
    expect(session.errors).toEqual([])
  })
})

describe('long route names at 800 px', () => {
  const route = '/organisations/:organisationId/projects/:projectId/environments/:environmentName'

  it('cuts a long root span name in the trace list on one line with an ellipsis, whole in its title, as History cuts routes', async () => {
    const { page } = session
    await page.setViewportSize({ width: 800, height: 900 })
    await page.goto(`${session.server.url}/organisations/acme-industries/projects/warehouse-robotics/environments/staging`)
    const body = await openPanel(page, 'History')
    const row = body.locator('.hdt-traces tr[data-hdt-trace-row]', { hasText: 'GET /organisations/' }).first()
    await row.waitFor()
    const name = row.locator('.hdt-trace-root code')
    expect(await name.getAttribute('title')).toBe(`GET ${route}`)
    const shape = await name.evaluate((code) => {
      const cell = code.closest('td')!
      const style = getComputedStyle(cell)
      return {
        // One line is under 1.6 font sizes tall (its cut-off ellipsis may be a box of its own, a pixel higher).
        oneLine: code.getBoundingClientRect().height < 1.6 * parseFloat(getComputedStyle(code).fontSize),
        cut: cell.scrollWidth > cell.clientWidth || code.scrollWidth > code.clientWidth,
        ellipsis: style.textOverflow === 'ellipsis' || getComputedStyle(code).textOverflow === 'ellipsis',
      }
    })
    // One line, cut: not broken inside a word ("environmentNa" over "me").
    expect(shape).toEqual({ oneLine: true, cut: true, ellipsis: true })
    const table = body.locator('.hdt-traces table')
    expect(await table.evaluate((t) => t.getBoundingClientRect().width <= t.parentElement!.clientWidth + 0.5)).toBe(true)
    expect(session.errors).toEqual([])
  })
})
