/**
 * The OpenTelemetry panel in a real browser: a page that runs SQL on a real in-memory
 * SQLite database, logs a line and renders a template; its waterfall shows the request span,
 * the queries at increasing offsets, the render, the log line as a marker; a click opens a
 * span's detail; the filter narrows the rows; the links point at Jaeger and Zipkin.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/opentelemetry.test.ts
 */
import { mkdirSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import Database from 'better-sqlite3'
import { Hono } from 'hono'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { debugToolbar, instrumentBetterSqlite3, renderTemplate } from '../../src/index.js'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { collectErrors, launchBrowser, openPanel, serveApp, type ServedApp } from './harness.js'

const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function shopApp(): Hono {
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
           CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, total REAL NOT NULL);
           INSERT INTO users (id, name) VALUES (1, 'Ada Lovelace'), (2, 'Grace Hopper');
           INSERT INTO orders (user_id, total) VALUES (1, 12.5), (1, 30), (2, 7.25);`)
  const app = new Hono()
  // A real SDK exporter (kept in memory): the trace is exported, so the links lead somewhere.
  app.use(debugToolbar({ app, extraPanels: [new OpenTelemetryPanel({ exporter: new InMemorySpanExporter() })] }))
  app.get('/users/:id', async (c) => {
    const id = Number(c.req.param('id'))
    // Real pauses between the queries, as an app awaiting other work would: the bars must
    // land at clearly different offsets.
    const user = db.prepare('SELECT id, name FROM users WHERE id = ?').get(id) as { id: number; name: string }
    await pause(3)
    const orders = db.prepare('SELECT id, total FROM orders WHERE user_id = ? ORDER BY id').all(id) as { id: number; total: number }[]
    await pause(3)
    const count = db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }
    console.log(`loaded user ${user.name} with ${orders.length} orders`)
    const body = renderTemplate('user.html', () => {
      const items = orders.map((o) => renderTemplate('order-row.html', () => `<li>Order ${o.id}: ${o.total}</li>`))
      return `<main><h1>${user.name}</h1><ul>${items.join('')}</ul><p>${count.n} orders in the shop</p></main>`
    })
    return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${user.name}</title></head><body>${body}</body></html>`)
  })
  return app
}

let browser: Browser
let server: ServedApp
let page: Page
let errors: string[]
let pane: Locator
let traceId: string

const rows = () => pane.locator('.hdt-wf-row')
const row = (name: string | RegExp) => rows().filter({ has: page.locator('.hdt-wf-label', { hasText: name }) })
/** The `left` of a row's bar, in percent of the time axis. */
async function leftOf(locator: Locator): Promise<number> {
  const style = (await locator.locator('.hdt-wf-bar').getAttribute('style')) ?? ''
  return Number(/left:\s*([\d.]+)%/.exec(style)?.[1])
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  browser = await launchBrowser()
  server = await serveApp(shopApp())
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  errors = collectErrors(page)
  const res = await page.goto(`${server.url}/users/1`)
  expect(res?.status()).toBe(200)
  pane = await openPanel(page, 'OpenTelemetry')
  await pane.locator('.hdt-wf-row').first().waitFor()
  traceId = (await pane.locator('.hdt-otel-trace-id').textContent()) ?? ''
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('OpenTelemetry waterfall', () => {
  it('shows the request span with its SQL queries at increasing offsets, the render and the log line', async () => {
    expect(traceId).toMatch(/^[0-9a-f]{32}$/)
    await expect.poll(() => row('GET /users/:id').count()).toBe(1)
    const queries = rows().filter({ hasText: /SELECT/ })
    await expect.poll(() => queries.count()).toBe(3)
    const lefts = [await leftOf(queries.nth(0)), await leftOf(queries.nth(1)), await leftOf(queries.nth(2))]
    expect(lefts.every(Number.isFinite)).toBe(true)
    expect(lefts[0]).toBeLessThan(lefts[1]!)
    expect(lefts[1]).toBeLessThan(lefts[2]!)
    // The request span starts the trace; the queries are nested one level under it.
    expect(await leftOf(row('GET /users/:id'))).toBe(0)
    await expect.poll(() => row(/user\.html/).count()).toBe(1)
    const markers = pane.locator('.hdt-wf-mark')
    await expect.poll(() => markers.count()).toBeGreaterThan(0)
    const titles = await markers.evaluateAll((els) => els.map((el) => el.getAttribute('title') ?? ''))
    expect(titles.some((t) => t.includes('loaded user Ada Lovelace with 2 orders'))).toBe(true)
    expect(await pane.locator('.hdt-otel-head').textContent()).toMatch(/\d+ spans/)
    // When the trace was read, on the clock the History panel and the Time panel use.
    expect(await pane.getByText(/^updated /).textContent()).toMatch(/^updated \d{2}:\d{2}:\d{2}\.\d{3}$/)
  })

  it('opens the detail of a clicked span with its attributes', async () => {
    await rows().filter({ hasText: /SELECT/ }).nth(1).click()
    const detail = pane.locator('.hdt-span-detail')
    await detail.waitFor()
    const text = (await detail.textContent()) ?? ''
    expect(text).toContain('db.query.text')
    expect(text).toContain('SELECT id, total FROM orders WHERE user_id = ? ORDER BY id')
    expect(text).toContain('CLIENT')
    const spanId = await detail.getAttribute('data-span-id')
    expect(spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(await detail.locator('a', { hasText: 'Open in Jaeger' }).getAttribute('href')).toBe(`http://localhost:16686/trace/${traceId}?uiFind=${spanId}`)
  })

  it('narrows the rows to the matches and their ancestors when filtering', async () => {
    const all = await rows().count()
    const filter = pane.locator('input.hdt-otel-filter')
    await filter.fill('db.query.text="FROM orders"')
    await expect.poll(() => pane.locator('.hdt-wf-hit').count()).toBe(2)
    // Two matching queries plus the request span above them, dimmed.
    await expect.poll(() => rows().count()).toBe(3)
    expect(await pane.locator('.hdt-wf-context .hdt-wf-label').textContent()).toBe('GET /users/:id')
    expect(all).toBeGreaterThan(3)
    await filter.fill('')
    await expect.poll(() => rows().count()).toBe(all)
  })

  it('links the trace to Jaeger, Zipkin and an OTLP JSON download, in new tabs', async () => {
    const jaeger = pane.locator('a', { hasText: 'Open in Jaeger' }).first()
    const zipkin = pane.locator('a', { hasText: 'Open in Zipkin' })
    expect(await jaeger.getAttribute('href')).toContain(`/trace/${traceId}`)
    expect(await zipkin.getAttribute('href')).toContain(`/zipkin/traces/${traceId}`)
    expect(await jaeger.getAttribute('target')).toBe('_blank')
    expect(await zipkin.getAttribute('rel')).toContain('noopener')
    const download = await pane.locator('a', { hasText: 'Download OTLP JSON' }).getAttribute('href')
    const otlp = await page.evaluate(async (url) => (await fetch(url!)).json(), download)
    expect(JSON.stringify(otlp)).toContain(traceId)
  })

  it('collapses a span and keeps the page free of errors; screenshot for the docs', async () => {
    const before = await rows().count()
    await row('GET /users/:id').locator('.hdt-wf-toggle').click()
    await expect.poll(() => rows().count()).toBe(1)
    await row('GET /users/:id').locator('.hdt-wf-toggle').click()
    await expect.poll(() => rows().count()).toBe(before)
    await rows().filter({ hasText: /SELECT/ }).first().click()
    await pane.locator('.hdt-span-detail').waitFor()
    await page.screenshot({ path: `${SCREENSHOTS}waterfall.png` })
    expect(errors).toEqual([])
  })
})

/** What has the focus inside the toolbar: its role (or tag) and accessible name. */
function focused(): Promise<string> {
  return page.evaluate(() => {
    const active = document.getElementById('hono-debug-toolbar')?.shadowRoot?.activeElement
    if (!active) return 'nothing in the toolbar'
    const label = active.getAttribute('aria-label')
    return `${active.getAttribute('role') ?? active.tagName.toLowerCase()}${label ? ` "${label}"` : ''}`
  })
}

const GRID = 'grid "Spans of the trace"'
const paneOpen = () => page.locator('#hono-debug-toolbar .hdt-pane').count()

describe('the OpenTelemetry panel by keyboard', () => {
  it('gives the focus back to the waterfall when the span detail closes, or its Parent button goes', async () => {
    const detail = pane.locator('.hdt-span-detail')
    await rows().filter({ hasText: /SELECT/ }).first().click()
    await detail.getByRole('button', { name: 'Close span detail' }).focus()
    await page.keyboard.press('Enter')
    await detail.waitFor({ state: 'detached' })
    expect(await focused()).toBe(GRID)

    // The parent is the trace's root: once shown, "Parent" is text, no longer a button.
    await rows().filter({ hasText: /SELECT/ }).first().click()
    await detail.locator('.hdt-linklike', { hasText: 'GET /users/:id' }).focus()
    await page.keyboard.press('Enter')
    await detail.locator('text=none: the trace\'s root').waitFor()
    expect(await focused()).toBe(GRID)
    expect(await pane.locator('.hdt-wf-selected .hdt-wf-label').innerText()).toBe('GET /users/:id')
    await page.keyboard.press('Escape')
    await detail.waitFor({ state: 'detached' })
    expect(errors).toEqual([])
  })

  it('closes the span detail with Esc before the pane, from the detail or from the waterfall', async () => {
    const detail = pane.locator('.hdt-span-detail')
    await rows().filter({ hasText: /SELECT/ }).first().click()
    await detail.locator('.hdt-span-jaeger').focus()
    await page.keyboard.press('Escape')
    await detail.waitFor({ state: 'detached' })
    expect(await paneOpen()).toBe(1)
    expect(await focused()).toBe(GRID)

    await rows().filter({ hasText: /SELECT/ }).nth(1).click()
    expect(await focused()).toBe(GRID)
    await page.keyboard.press('Escape')
    await detail.waitFor({ state: 'detached' })
    expect(await paneOpen()).toBe(1)

    // Nothing left to close inside the panel: the pane closes.
    await page.keyboard.press('Escape')
    await expect.poll(paneOpen).toBe(0)
    pane = await openPanel(page, 'OpenTelemetry')
    await rows().first().waitFor()
    expect(errors).toEqual([])
  })

  it('clears a search field with text on Esc, leaving the pane open; an empty one lets Esc close the pane', async () => {
    // The pane was opened again by the test before: count the rows once the trace is drawn.
    let all = 0
    await expect.poll(async () => (all = await rows().count())).toBeGreaterThan(1)
    const filter = pane.getByLabel('Filter spans')
    await filter.fill('SELECT')
    await expect.poll(() => rows().count()).toBeLessThan(all)
    await page.keyboard.press('Escape')
    expect(await filter.inputValue()).toBe('')
    await expect.poll(() => rows().count()).toBe(all)
    expect(await paneOpen()).toBe(1)
    await page.keyboard.press('Escape')
    await expect.poll(paneOpen).toBe(0)

    for (const [panel, label] of [
      ['Logging', 'Search log lines'],
      ['History', 'Path'],
    ] as const) {
      const body = await openPanel(page, panel)
      const field = body.getByLabel(label)
      await field.fill('Ada')
      await page.keyboard.press('Escape')
      expect(await field.inputValue(), panel).toBe('')
      expect(await paneOpen(), panel).toBe(1)
    }
    pane = await openPanel(page, 'OpenTelemetry')
    await rows().first().waitFor()
    expect(errors).toEqual([])
  })
})

/** A one-page app whose OpenTelemetry panel is `otel`: the export status tests give it their exporter. */
function homeApp(otel: OpenTelemetryPanel): Hono {
  const app = new Hono()
  app.use(debugToolbar({ app, extraPanels: [otel] }))
  app.get('/', (c) => c.html('<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><title>Home</title></head><body><h1>Home</h1></body></html>'))
  return app
}

/** Opens `served`'s home page in a tab of its own and its OpenTelemetry panel; answers the panel's export status list. */
async function exportStatusOf(served: ServedApp): Promise<{ tab: Page; tabErrors: string[]; status: Locator }> {
  const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  // Closed however the test ends, so a failure leaves no tab reading the app.
  onTestFinished(() => tab.close())
  const tabErrors = collectErrors(tab)
  expect((await tab.goto(`${served.url}/`))?.status()).toBe(200)
  const otel = await openPanel(tab, 'OpenTelemetry')
  return { tab, tabErrors, status: otel.getByRole('list', { name: 'Export status' }) }
}

describe('the export status of an open OpenTelemetry panel', () => {
  /** A collector stand-in whose answers the test gives: every batch waits until then. */
  class HeldExporter {
    readonly waiting: Array<(result: { code: number; error?: Error }) => void> = []
    export(_spans: unknown[], done: (result: { code: number; error?: Error }) => void): void {
      this.waiting.push(done)
    }
    shutdown(): Promise<void> {
      return Promise.resolve()
    }
  }

  let held: HeldExporter
  let heldServer: ServedApp

  beforeAll(async () => {
    held = new HeldExporter()
    heldServer = await serveApp(homeApp(new OpenTelemetryPanel({ exporter: held as never })))
  })
  afterAll(async () => {
    for (const done of held?.waiting ?? []) done({ code: 0 })
    await heldServer?.close()
  })

  it('shows the outcome of the batch it was waiting for, without being opened again', async () => {
    const { tab, tabErrors, status } = await exportStatusOf(heldServer)
    // The batch processor sends the request's spans about a second after it: the batch waits on the collector.
    await expect.poll(() => held.waiting.length, { timeout: 15_000 }).toBeGreaterThan(0)
    expect(await status.innerText()).not.toContain('Export failing')

    for (const done of held.waiting.splice(0)) done({ code: 1, error: new Error('the collector refused the batch') })
    await expect.poll(() => status.innerText(), { timeout: 15_000 }).toContain('Export failing: the collector refused the batch')
    expect(tabErrors).toEqual([])
  })
  it('reads the export status alone while it waits, not the whole request, stops once the batch is sent, and shows what a panel opened then shows', async () => {
    const exporter = new HeldExporter()
    const served = await serveApp(homeApp(new OpenTelemetryPanel({ exporter: exporter as never })))
    try {
      const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } })
      onTestFinished(() => tab.close())
      const tabErrors = collectErrors(tab)
      const asked: string[] = []
      tab.on('request', (request) => asked.push(new URL(request.url()).pathname))
      const res = await tab.goto(`${served.url}/`)
      const requestId = (await res!.allHeaders())['x-debug-toolbar-request-id']!
      const status = (await openPanel(tab, 'OpenTelemetry')).getByRole('list', { name: 'Export status' })
      const requestReads = () => asked.filter((path) => path === `/_debug_toolbar/api/requests/${requestId}`).length
      const statusReads = () => asked.filter((path) => path === '/_debug_toolbar/api/export-status').length
      const readsAtOpen = requestReads()
      await expect.poll(statusReads, { timeout: 15_000 }).toBeGreaterThanOrEqual(2)
      expect(requestReads()).toBe(readsAtOpen)

      await expect.poll(() => exporter.waiting.length, { timeout: 15_000 }).toBeGreaterThan(0)
      for (const done of exporter.waiting.splice(0)) done({ code: 0 })
      await expect.poll(() => status.innerText(), { timeout: 15_000 }).toContain('1 batch ok')
      const polled = await status.innerText()
      expect(requestReads()).toBe(readsAtOpen)
      // Settled: more than two poll intervals later, nothing more was asked.
      const readsWhenSent = statusReads()
      await pause(4500)
      expect(statusReads()).toBe(readsWhenSent)

      // The same request opened now (its stats read at once, the status as it is now) says the same.
      const again = await browser.newPage({ viewport: { width: 1440, height: 900 } })
      onTestFinished(() => again.close())
      expect((await again.goto(`${served.url}/_debug_toolbar/requests/${requestId}`))?.status()).toBe(200)
      const fresh = (await openPanel(again, 'OpenTelemetry')).getByRole('list', { name: 'Export status' })
      expect(await fresh.innerText()).toBe(polled)
      expect(tabErrors).toEqual([])
    } finally {
      await served.close()
    }
  })
})

describe('the export status when nothing listens at the collector address', () => {
  let deadServer: ServedApp
  let deadUrl: string

  beforeAll(async () => {
    // A loopback port that was free a moment ago: the export is refused at once.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as AddressInfo
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    deadUrl = `http://127.0.0.1:${port}/api/v2/spans`
    deadServer = await serveApp(homeApp(new OpenTelemetryPanel({ exporter: 'zipkin', zipkinEndpoint: deadUrl })))
  })
  afterAll(async () => {
    await deadServer?.close()
  })

  it('says in the panel what the console says: no Zipkin there, how to start one, or how to stop exporting', async () => {
    const { tab, tabErrors, status } = await exportStatusOf(deadServer)
    const failing = status.locator('[data-export="failing"]')
    await failing.waitFor({ timeout: 20_000 })
    const text = await failing.innerText()
    expect(text).toContain(`Export failing: No Zipkin at ${deadUrl}`)
    expect(text).toContain('docker run --rm -p 9411:9411 openzipkin/zipkin')
    expect(text).toContain('OTEL_TRACES_EXPORTER=none')
    // The error itself is still there, for whoever reads further.
    expect(text).toMatch(/ECONNREFUSED|fetch failed/)
    expect(tabErrors).toEqual([])
  })
})

describe('the OpenTelemetry panel read again', () => {
  it('keeps the waterfall drawn while the request is read again with newer export figures, instead of blanking it', async () => {
    const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    // Closed however the test ends, so a failure leaves no tab reading the app.
    onTestFinished(() => tab.close())
    const tabErrors = collectErrors(tab)
    const res = await tab.goto(`${server.url}/users/2`)
    const requestId = (await res!.allHeaders())['x-debug-toolbar-request-id']!
    const detailPath = `/_debug_toolbar/api/requests/${requestId}`
    const body = await openPanel(tab, 'OpenTelemetry')
    await body.locator('.hdt-wf-row').first().waitFor()
    // The panel's figures change once a batch has been exported (its export status is in
    // them), so the panel asked for again reads the request again and gets stats that differ.
    const panelsNow = async () => JSON.stringify((await (await fetch(`${server.url}${detailPath}`)).json()).panels)
    const first = await panelsNow()
    // Another request: its spans make the next batch.
    expect((await fetch(`${server.url}/users/1`)).status).toBe(200)
    await expect.poll(panelsNow, { timeout: 15_000 }).not.toBe(first)
    // The page reads a finished request again only when its copy is over a second old (STALE_MS).
    await pause(1200)

    // What the page reads from now on, in order, and every change to the number of rows.
    const reads: string[] = []
    tab.on('response', (response) => {
      const path = new URL(response.url()).pathname
      if (path === detailPath) reads.push('request')
      else if (path.startsWith('/_debug_toolbar/api/traces/')) reads.push('trace')
    })
    await tab.evaluate(() => {
      const root = document.getElementById('hono-debug-toolbar')!.shadowRoot!
      const counts: number[] = ((window as unknown as { hdtRows: number[] }).hdtRows = [])
      const note = () => {
        const n = root.querySelectorAll('.hdt-pane .hdt-wf-row').length
        if (counts[counts.length - 1] !== n) counts.push(n)
      }
      note()
      new MutationObserver(note).observe(root, { childList: true, subtree: true })
    })
    // The open panel asked for again (its entry in the panel list): the request is read again.
    await openPanel(tab, 'OpenTelemetry')
    await expect.poll(() => reads.join(' '), { timeout: 15_000 }).toMatch(/request.* trace/)
    await body.locator('.hdt-wf-row').first().waitFor()
    const counts = await tab.evaluate(() => (window as unknown as { hdtRows: number[] }).hdtRows)
    expect(counts[0]).toBeGreaterThan(1)
    expect(counts, `row counts ${counts.join(' → ')}`).not.toContain(0)
    expect(tabErrors).toEqual([])
  })
})
