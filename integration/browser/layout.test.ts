/**
 * The toolbar's layout with awkward content: a 600px-wide window, long SQL and log
 * attributes, a template name with no place to break, and a failed trace in the trace list;
 * every panel in a phone-wide window.
 * Each test measures boxes in the real browser: what the user sees must stay readable.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/layout.test.ts
 */
import { randomBytes } from 'node:crypto'
import Database from 'better-sqlite3'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { Hono } from 'hono'
import { endTime, startTime, timing } from 'hono/timing'
import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { debugToolbar, instrumentBetterSqlite3, recordLog, recordQuery, renderTemplate } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { openPanel, useBrowserSession } from './harness.js'

const LONG_SQL =
  'SELECT users.id, users.name, users.email, orders.id AS order_id, orders.total, orders.created_at FROM users ' +
  'JOIN orders ON orders.user_id = users.id WHERE users.created_at > ? AND orders.total > ? ORDER BY orders.created_at DESC LIMIT 50'
const LONG_VALUE = `cursor-${'a1b2c3d4'.repeat(40)}`
const LONG_TEMPLATE = `emails/${'x'.repeat(330)}.html`
const LONG_ROUTE = '/reports/:year/:month/customers/:customerId/orders/:orderId/line-items/:lineItemId'
const LONG_PATH = `/archive/${'2024/01/customer-orders-and-invoices/'.repeat(4)}end`
const WORDY_TEMPLATE = 'partials/order-summary-with-line-items-taxes-discounts-and-shipping-estimates.html'

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title></head><body>${body}</body></html>`
}

function layoutApp(): Hono {
  const app = new Hono()
  app.use(debugToolbar({ app, extraPanels: [new OpenTelemetryPanel({ exporter: new InMemorySpanExporter() })] }))
  app.get('/report', (c) => {
    for (let i = 0; i < 3; i++) recordQuery({ sql: LONG_SQL, params: ['2024-01-01', 10], durationMs: 2 + i, rowCount: 50, dbSystem: 'sqlite' })
    recordLog('info', 'report built', { cursor: LONG_VALUE, url: `https://example.com/${'segment'.repeat(30)}` })
    const body = renderTemplate(LONG_TEMPLATE, () => `<h1>Report</h1>${renderTemplate(WORDY_TEMPLATE, () => '<p>3 items</p>')}${renderTemplate('footer.html', () => '<footer></footer>')}`)
    return c.html(page('Report', body))
  })
  app.get('/logged', (c) => {
    console.log('order 42 handed to the carrier')
    recordLog('warn', `retrying payment for order 42 with ${'a very long gateway reply '.repeat(6)}`, { attr: 'card declined, trying the backup gateway', 'http.response.status_code': 402 })
    return c.html(page('Logged', '<h1>Logged</h1>'))
  })
  app.get('/attributes', (c) => {
    recordLog('info', 'order placed', { id: 42, 'customer.email.domain': 'example.com', note: '<b>rush</b> & "gift wrap"' })
    return c.html(page('Attributes', '<h1>Attributes</h1>'))
  })
  // Routes for the History panel: a short one with letters outside ASCII, one whose paths
  // are long, and a long pattern.
  app.get('/café/ü', (c) => c.html(page('Café', '<h1>Café</h1>')))
  app.get('/archive/*', (c) => c.html(page('Archive', '<h1>Archive</h1>')))
  app.get(LONG_ROUTE, (c) => c.html(page('Line items', '<h1>Line items</h1>')))
  app.get('/fails', (c) => c.html(page('Fails', '<h1>Something broke</h1>'), 500))
  // A page with something in every panel: real SQLite (so its queries have a plan), a
  // hono/timing metric, templates, a log line with no place to break, and CPU work to profile.
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT, created_at TEXT); CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total REAL, created_at TEXT)')
  app.get('/everything/:id', timing(), (c) => {
    startTime(c, 'lookup', 'Looking the customer up in the directory service of the billing department')
    db.prepare(LONG_SQL).all('2024-01-01', 10)
    endTime(c, 'lookup')
    recordLog('warn', `gateway answered ${'x'.repeat(300)}`, { cursor: LONG_VALUE })
    let sum = 0
    for (let i = 0; i < 2e6; i++) sum += Math.sqrt(i)
    const body = renderTemplate(LONG_TEMPLATE, () => renderTemplate(WORDY_TEMPLATE, () => `<p>${Math.round(sum)}</p>`))
    return c.html(page('Everything', body))
  })
  app.get('/throws', () => {
    throw new Error(`order 42 could not be charged: the gateway answered ${'x'.repeat(300)}`)
  })
  app.onError((_error, c) => c.html(page('Failed', '<h1>Failed</h1>'), 500))
  return app
}

const session = useBrowserSession(() => layoutApp(), { width: 600, height: 800 })

/** The width of an element's box, in CSS pixels. */
async function widthOf(locator: Locator): Promise<number> {
  return (await locator.boundingBox())?.width ?? 0
}

/** Opens `path` in a window of `viewport`'s size and `panel` on it; returns the pane's body. */
async function panelAt(viewport: { width: number; height: number }, path: string, panel: string): Promise<Locator> {
  await session.page.setViewportSize(viewport)
  await session.page.goto(`${session.server.url}${path}`)
  return openPanel(session.page, panel)
}

/** Opens /report in a 600px-wide window and `panel` on it; returns the pane's body. */
function reportAt600(panel: string): Promise<Locator> {
  return panelAt({ width: 600, height: 800 }, '/report', panel)
}

/** Sends the toolbar one span of `service`, a trace of its own lasting `durationNs`; answers its trace id. */
async function receiveOneSpan(name: string, durationNs: bigint, service = 'jobs'): Promise<string> {
  const traceId = randomBytes(16).toString('hex')
  const start = BigInt(Date.now()) * 1_000_000n
  const span = { traceId, spanId: randomBytes(8).toString('hex'), name, kind: 1, startTimeUnixNano: String(start), endTimeUnixNano: String(start + durationNs) }
  const otlp = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ scope: { name: 'jobs' }, spans: [span] }] }] }
  const sent = await fetch(`${session.server.url}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlp) })
  expect(sent.status).toBe(200)
  return traceId
}

/** True when nothing in the pane's body is wider than the body: no sideways scrolling. */
async function fitsSideways(body: Locator): Promise<boolean> {
  return body.evaluate((el) => el.scrollWidth <= el.clientWidth)
}

describe('a 600px-wide window', () => {
  it('keeps the SQL text readable: the query column is wide and the rows are not towers', async () => {
    await session.page.goto(`${session.server.url}/report`)
    const body = await openPanel(session.page, 'SQL')
    const cell = body.locator('.hdt-sql-cell').first()
    expect(await widthOf(cell)).toBeGreaterThanOrEqual(200)
    const row = body.locator('.hdt-sql-queries tbody tr').first()
    expect((await row.boundingBox())?.height ?? Infinity).toBeLessThan(400)
    expect(await fitsSideways(body)).toBe(true)
    expect(session.errors).toEqual([])
  })

  it('wraps long log attribute values inside the Logging panel', async () => {
    await session.page.goto(`${session.server.url}/report`)
    const body = await openPanel(session.page, 'Logging')
    await body.locator('.hdt-log-attributes').first().waitFor()
    expect(await fitsSideways(body)).toBe(true)
    expect(session.errors).toEqual([])
  })
})

describe('the Logging panel', () => {
  it('keeps attribute names and sources whole and gives the message room, at 1440px and at 600px', async () => {
    for (const viewport of [
      { width: 1440, height: 900 },
      { width: 600, height: 800 },
    ]) {
      const body = await panelAt(viewport, '/logged', 'Logging')
      const rows = body.locator('.hdt-logs tbody tr')
      await expect.poll(() => rows.count()).toBe(2)
      // Names that identify a value or a line are read whole: "attr", not "at" over "tr".
      const names = body.locator('.hdt-log-attributes dt')
      expect(await names.allTextContents()).toEqual(['console.method', 'attr', 'http.response.status_code'])
      expect(await linesOf(names), `dt at ${viewport.width}px`).toEqual([1, 1, 1])
      const sources = body.locator('.hdt-log-source')
      expect(await sources.allTextContents()).toEqual(['console', 'recordLog'])
      expect(await linesOf(sources), `source at ${viewport.width}px`).toEqual([1, 1])
      // The message and the values are what a user reads: they get real widths, not towers.
      expect(await widthOf(body.locator('.hdt-log-message').last()), `message at ${viewport.width}px`).toBeGreaterThanOrEqual(200)
      expect(await widthOf(body.locator('.hdt-log-attributes dd', { hasText: 'card declined' })), `value at ${viewport.width}px`).toBeGreaterThanOrEqual(150)
      expect(await fitsSideways(body)).toBe(true)
    }
    expect(session.errors).toEqual([])
  })
})

describe("the Logging panel's attributes", () => {
  it('line their values up under one another, names whole, values as text, at 1440px and at 600px', async () => {
    for (const viewport of [
      { width: 1440, height: 900 },
      { width: 600, height: 800 },
    ]) {
      const body = await panelAt(viewport, '/attributes', 'Logging')
      const list = body.locator('.hdt-log-attributes')
      await list.waitFor()
      expect(await list.locator('dt').allTextContents()).toEqual(['id', 'customer.email.domain', 'note'])
      expect(await linesOf(list.locator('dt')), `dt at ${viewport.width}px`).toEqual([1, 1, 1])
      // Every value starts at the same x: a column, not a ragged edge after each name.
      const starts = await list.locator('dd').evaluateAll((dds) => dds.map((dd) => Math.round(dd.getBoundingClientRect().left)))
      expect(new Set(starts).size, `value starts ${starts.join(', ')} at ${viewport.width}px`).toBe(1)
      // Markup in a value is shown as text.
      const note = list.locator('dd').last()
      expect(await note.innerText()).toBe('<b>rush</b> & "gift wrap"')
      expect(await note.locator('b').count()).toBe(0)
      expect(await fitsSideways(body)).toBe(true)
    }
    expect(session.errors).toEqual([])
  })
})

/**
 * For each element, how its text wraps: for each new line, the last character before it,
 * followed by a space when the line ended at a space.
 */
function breaksOf(locator: Locator): Promise<string[][]> {
  return locator.evaluateAll((els) =>
    els.map((el) => {
      const breaks: string[] = []
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
      let previous: { char: string; top: number } | undefined
      let space = false
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? ''
        for (let i = 0; i < text.length; i++) {
          if (text[i] === ' ') {
            space = true
            continue
          }
          const range = document.createRange()
          range.setStart(node, i)
          range.setEnd(node, i + 1)
          const rect = range.getClientRects()[0]
          if (!rect) continue
          if (previous && rect.top > previous.top + 2) breaks.push(previous.char + (space ? ' ' : ''))
          previous = { char: text[i]!, top: rect.top }
          space = false
        }
      }
      return breaks
    }),
  )
}

describe('the Headers panel at 600px', () => {
  it('wraps header names at their hyphens and values between words, not in the middle of a word', async () => {
    const body = await reportAt600('Headers')
    const names = body.locator('.hdt-kv-name')
    await names.first().waitFor()
    const nameTexts = await names.allTextContents()
    const nameBreaks = await breaksOf(names)
    for (const [i, breaks] of nameBreaks.entries()) {
      // "sec-ch-ua-platform" may become "sec-ch-ua-" over "platform", never "sec-ch-ua-platf" over "orm".
      expect(breaks.every((char) => char === '-'), `${nameTexts[i]} broke after ${JSON.stringify(breaks)}`).toBe(true)
    }
    const userAgent = body.locator('tr', { has: session.page.locator('.hdt-kv-name', { hasText: /^user-agent$/ }) }).locator('.hdt-kv-value')
    const [agentBreaks] = await breaksOf(userAgent)
    expect(agentBreaks!.length).toBeGreaterThan(0)
    // The user agent has spaces: every line ends at one ("(KHTML, like" over "Gecko)").
    expect(agentBreaks!.every((end) => end.endsWith(' ')), `user-agent broke after ${JSON.stringify(agentBreaks)}`).toBe(true)
    expect(await fitsSideways(body)).toBe(true)
    expect(session.errors).toEqual([])
  })
})

describe('a phone-wide window (375px)', () => {
  it('gives an open panel the whole width, and its close button leads back to the panel list', async () => {
    const body = await panelAt({ width: 375, height: 700 }, '/report', 'Request')
    const pane = session.page.locator('#hono-debug-toolbar .hdt-pane')
    const box = (await pane.boundingBox())!
    expect({ left: box.x, width: box.width }).toEqual({ left: 0, width: 375 })
    // The URL is read in a real column, not a tower of three characters a line.
    const url = body.locator('.hdt-facts tr', { hasText: 'URL' }).locator('td')
    expect(await widthOf(url)).toBeGreaterThanOrEqual(180)
    expect(await fitsSideways(body)).toBe(true)
    await pane.getByRole('button', { name: /close/i }).click()
    const request = session.page.locator('#hono-debug-toolbar .hdt-nav-item').filter({ has: session.page.locator('.hdt-nav-title', { hasText: /^Request$/ }) })
    expect(await request.isVisible()).toBe(true)
    expect(await request.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true)
    expect(session.errors).toEqual([])
  })
})

describe('the full-page view in a phone-wide window (375px)', () => {
  it('gives the panel the whole width, and its Panels button leads to the panel list and back to a panel', async () => {
    const id = (await fetch(`${session.server.url}/report`)).headers.get('x-debug-toolbar-request-id')
    await session.page.setViewportSize({ width: 375, height: 700 })
    await session.page.goto(`${session.server.url}/_debug_toolbar/requests/${id}`)
    const pane = session.page.locator('#hono-debug-toolbar .hdt-pane')
    await pane.locator('.hdt-pane-body .hdt-loading').waitFor({ state: 'detached' })
    const box = (await pane.boundingBox())!
    expect({ left: box.x, width: box.width }).toEqual({ left: 0, width: 375 })
    // The panel covers the list: a button in its head shows the list, which picks another panel.
    const request = session.page.locator('#hono-debug-toolbar .hdt-nav-item').filter({ has: session.page.locator('.hdt-nav-title', { hasText: /^Request$/ }) })
    await pane.getByRole('button', { name: /panels/i }).click()
    expect(await pane.isVisible()).toBe(false)
    expect(await request.isVisible()).toBe(true)
    // Focus moves to the list, on the panel that was shown.
    expect(await request.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement?.classList.contains('hdt-nav-item'))).toBe(true)
    await request.click()
    await pane.locator('.hdt-pane-title', { hasText: /^Request$/ }).waitFor()
    const again = (await pane.boundingBox())!
    expect({ left: again.x, width: again.width }).toEqual({ left: 0, width: 375 })
    // The URL is read in a real column, as in the toolbar's own phone-wide view.
    const body = pane.locator('.hdt-pane-body')
    expect(await widthOf(body.locator('.hdt-facts tr', { hasText: 'URL' }).locator('td'))).toBeGreaterThanOrEqual(180)
    expect(await fitsSideways(body)).toBe(true)
    expect(await pane.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement?.closest('.hdt-pane') === el)).toBe(true)
    // A wide window keeps the list beside the panel, and needs no such button.
    await session.page.setViewportSize({ width: 1000, height: 700 })
    const wide = (await pane.boundingBox())!
    expect(wide.x).toBeGreaterThan(200)
    expect(wide.x + wide.width).toBe(1000)
    expect(await request.isVisible()).toBe(true)
    expect(await pane.getByRole('button', { name: /panels/i }).isVisible()).toBe(false)
    expect(session.errors).toEqual([])
  })
})

describe('a template name with no place to break', () => {
  it('stays in its column: At, Duration and Timeline remain on screen, even at 1920px', async () => {
    for (const viewport of [
      { width: 1920, height: 1080 },
      { width: 600, height: 800 },
    ]) {
      const body = await panelAt(viewport, '/report', 'Templates')
      const timeline = body.locator('.hdt-renders tbody tr').first().locator('td').last()
      const bodyBox = await body.boundingBox()
      const timelineBox = await timeline.boundingBox()
      expect(timelineBox!.x + timelineBox!.width).toBeLessThanOrEqual(bodyBox!.x + bodyBox!.width)
      expect(await fitsSideways(body)).toBe(true)
    }
    expect(session.errors).toEqual([])
  })
})

describe('long template names at 600px', () => {
  it('keep each render on one line, cut with an ellipsis, the full name in its title and its text', async () => {
    const body = await reportAt600('Templates')
    const rows = body.locator('.hdt-renders tbody tr')
    await expect.poll(() => rows.count()).toBe(3)
    const heights = await rows.evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().height))
    // footer.html fits on one line: the long names' rows are as tall as its row.
    expect(heights.map((h) => Math.round(h))).toEqual([heights[2], heights[2], heights[2]].map((h) => Math.round(h!)))
    for (const [i, name] of [LONG_TEMPLATE, WORDY_TEMPLATE].entries()) {
      const shown = rows.nth(i).locator('.hdt-render-name')
      expect(await shown.getAttribute('title')).toBe(name)
      // Screen readers read the text, which is the whole name: only the box cuts it.
      expect(await shown.locator('code').textContent()).toBe(name)
      expect(await shown.evaluate((el) => el.scrollWidth > el.clientWidth && getComputedStyle(el).textOverflow === 'ellipsis')).toBe(true)
    }
    expect(await fitsSideways(body)).toBe(true)
    expect(session.errors).toEqual([])
  })
})

/** How many lines each element's text takes. */
function linesOf(locator: Locator): Promise<number[]> {
  return locator.evaluateAll((els) =>
    els.map((el) => {
      const range = document.createRange()
      range.selectNodeContents(el)
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size
    }),
  )
}

describe('the History panel at 600px', () => {
  it('keeps the times and the Show / Request buttons of both lists on one line', async () => {
    const body = await reportAt600('History')
    await body.locator('[data-hdt-trace-row]').first().waitFor()
    for (const list of ['tr[data-hdt-history]', 'tr[data-hdt-trace-row]']) {
      const rows = body.locator(list)
      expect(await rows.count(), list).toBeGreaterThan(0)
      expect(new Set(await linesOf(rows.locator('td:first-child'))), list).toEqual(new Set([1]))
      expect(new Set(await linesOf(rows.locator('button.hdt-switch'))), list).toEqual(new Set([1]))
    }
    expect(await fitsSideways(body)).toBe(true)
    expect(session.errors.filter((e) => !e.includes('status of 500'))).toEqual([])
  })
})

describe('the History panel beside a very long path', () => {
  for (const width of [1024, 800]) {
    it(`keeps a short route and path such as /café/ü on one line at ${width}px, while the long path wraps and a long route is cut, whole in its title`, async () => {
      for (const path of ['/caf%C3%A9/%C3%BC', LONG_PATH, '/reports/2024/01/customers/42/orders/1001/line-items/7']) {
        expect((await fetch(`${session.server.url}${path}`)).status, path).toBe(200)
      }
      const body = await panelAt({ width, height: 900 }, '/report', 'History')
      const row = (path: string) => body.locator('tr[data-hdt-history]', { has: session.page.locator('code', { hasText: new RegExp(`^${path}$`) }) }).first()
      const cafe = row('/café/ü')
      await cafe.waitFor()
      const cells = cafe.locator('td:visible', { has: session.page.locator('code', { hasText: /^\/café\/ü$/ }) })
      // The path, and at 1024px the route beside it.
      expect(await cells.count()).toBe(width > 800 ? 2 : 1)
      expect(await linesOf(cells.locator('code')), 'the /café/ü row').toEqual(width > 800 ? [1, 1] : [1])
      expect((await linesOf(row(LONG_PATH).locator('td.hdt-break code')))[0], 'the long path').toBeGreaterThan(1)
      if (width > 800) {
        const route = row('/reports/2024/01/customers/42/orders/1001/line-items/7').locator('.hdt-history-route code')
        expect(await linesOf(route), 'the long route').toEqual([1])
        expect(await route.getAttribute('title')).toBe(LONG_ROUTE)
      }
      expect(await fitsSideways(body)).toBe(true)
      expect(session.errors.filter((e) => !e.includes('status of 500'))).toEqual([])
    })
  }
})

describe('the History panel in a phone-wide window (375px)', () => {
  it('fits both lists: the method stacked under the time, the span count under the services, the time under the duration', async () => {
    await fetch(`${session.server.url}/report`)
    const body = await panelAt({ width: 375, height: 700 }, '/report', 'History')
    await body.locator('[data-hdt-trace-row]').first().waitFor()
    const room = await body.evaluate((el) => el.clientWidth)
    for (const table of [body.locator('table', { has: session.page.locator('tr[data-hdt-history]') }), body.locator('table', { has: session.page.locator('tr[data-hdt-trace-row]') })]) {
      expect(await widthOf(table)).toBeLessThanOrEqual(room)
    }
    expect(await fitsSideways(body)).toBe(true)
    // Nothing the wide list shows is lost: it moved into the cell beside it.
    const request = body.locator('tr[data-hdt-history]').first()
    expect(await request.locator('td').first().innerText()).toMatch(/^\d\d:\d\d:\d\d\s+GET$/)
    expect(await body.getByRole('columnheader', { name: 'Method' }).isVisible()).toBe(false)
    const trace = body.locator('tr[data-hdt-trace-row]').first()
    expect(await trace.locator('.hdt-trace-services').innerText()).toMatch(/\n\d+ spans?$/)
    expect(await trace.locator('td.hdt-num:visible').innerText()).toMatch(/\d (ns|µs|ms|s)\n\d\d:\d\d:\d\d$/)
    expect(session.errors).toEqual([])
  })
})

describe("the OpenTelemetry panel's Statistics and Compare tables at 600px", () => {
  it('keep span names and SQL on one line, whole in their title, and scroll in their own box', async () => {
    await fetch(`${session.server.url}/report`)
    const body = await reportAt600('OpenTelemetry')
    for (const [tab, cells] of [
      ['Statistics', '.hdt-trace-stats-table tbody td:nth-child(2)'],
      ['Compare', '.hdt-compare-groups tbody td:first-child'],
    ] as const) {
      await body.getByRole('tab', { name: tab }).click()
      const names = body.locator(cells)
      // The compared trace's groups come when its trace is read: wait for the long name itself.
      const long = names.filter({ hasText: tab === 'Statistics' ? LONG_TEMPLATE : 'SELECT users.id' }).first()
      await long.waitFor()
      expect(new Set(await linesOf(names)), tab).toEqual(new Set([1]))
      expect(await long.getAttribute('title'), tab).toBe(await long.evaluate((el) => el.textContent))
      expect(await fitsSideways(body), tab).toBe(true)
    }
    expect(session.errors).toEqual([])
  })

  it('keep each service name whole on one line in the Statistics table', async () => {
    await fetch(`${session.server.url}/report`)
    const body = await reportAt600('OpenTelemetry')
    await body.getByRole('tab', { name: 'Statistics' }).click()
    const services = body.locator('.hdt-trace-stats-table tbody td:first-child')
    await services.first().waitFor()
    // A service name such as "shop-frontend" is read as one word: it is not cut into "shop-fronten" and "d".
    expect(new Set(await linesOf(services))).toEqual(new Set([1]))
    expect(await fitsSideways(body)).toBe(true)
    expect(session.errors).toEqual([])
  })
})

describe("the waterfall's time axis at 600px", () => {
  it('shows labels that do not run into each other', async () => {
    // A received trace of 1.14 ms: its axis has a tick every 0.2 ms, labels of six characters.
    const traceId = await receiveOneSpan('nightly job', 1_140_000n)
    const body = await reportAt600('History')
    await body.locator(`[data-hdt-trace-row="${traceId}"]`).getByRole('button', { name: 'Waterfall' }).click()
    const ticks = body.locator(`[data-hdt-trace="${traceId}"] .hdt-wf-axis .hdt-wf-tick`)
    await ticks.first().waitFor()
    expect(await ticks.allTextContents()).toEqual(['0 ms', '0.2 ms', '0.4 ms', '0.6 ms', '0.8 ms', '1 ms'])
    const boxes = await ticks.evaluateAll((els) => els.filter((el) => getComputedStyle(el).visibility === 'visible').map((el) => el.getBoundingClientRect()))
    expect(boxes.length).toBeGreaterThanOrEqual(2)
    for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.left - boxes[i - 1]!.right).toBeGreaterThanOrEqual(4)
    expect(session.errors).toEqual([])
  })

  it('shows the label of a tick at the very end whole, inside the waterfall, at any width', async () => {
    // A trace of exactly 250 ms: its last tick, "250 ms", is at the right edge of the axis.
    const traceId = await receiveOneSpan('nightly export', 250_000_000n)
    for (const viewport of [
      { width: 1440, height: 900 },
      { width: 600, height: 800 },
    ]) {
      const body = await panelAt(viewport, '/report', 'History')
      await body.locator(`[data-hdt-trace-row="${traceId}"]`).getByRole('button', { name: 'Waterfall' }).click()
      const waterfall = body.locator(`[data-hdt-trace="${traceId}"] .hdt-wf`)
      const ticks = waterfall.locator('.hdt-wf-axis .hdt-wf-tick')
      await ticks.first().waitFor()
      expect(await ticks.last().textContent()).toBe('250 ms')
      const [box, last, before] = await waterfall.evaluate((el) => {
        const shown = [...el.querySelectorAll('.hdt-wf-axis .hdt-wf-tick')].filter((tick) => getComputedStyle(tick).visibility === 'visible')
        return [el.getBoundingClientRect(), shown.at(-1)!.getBoundingClientRect(), shown.at(-2)!.getBoundingClientRect()]
      })
      // The waterfall clips what overflows it: the whole label is inside, clear of the one before.
      expect(last.right, `${viewport.width}px`).toBeLessThanOrEqual(box.right - 2)
      expect(last.left - before.right, `${viewport.width}px`).toBeGreaterThanOrEqual(4)
    }
    expect(session.errors).toEqual([])
  })
})

describe("the span detail's service", () => {
  it('shows a long service name whole, inside the detail box', async () => {
    const service = 'billing-reconciliation-worker-eu-west-1-blue-canary-with-a-very-long-deployment-name'
    const traceId = await receiveOneSpan('reconcile invoices', 5_000_000n, service)
    for (const viewport of [
      { width: 1440, height: 900 },
      { width: 600, height: 800 },
    ]) {
      const body = await panelAt(viewport, '/report', 'History')
      await body.locator(`[data-hdt-trace-row="${traceId}"]`).getByRole('button', { name: 'Waterfall' }).click()
      await body.locator(`[data-hdt-trace="${traceId}"] .hdt-wf-row`).first().click()
      const detail = body.locator('.hdt-span-detail')
      const chip = detail.locator('.hdt-span-facts .hdt-wf-chip')
      await chip.waitFor()
      expect(await chip.textContent()).toBe(service)
      const inside = await chip.evaluate((el) => {
        const box = el.getBoundingClientRect()
        const facts = el.closest('.hdt-span-facts')!.getBoundingClientRect()
        return { right: box.right <= facts.right + 0.5, whole: el.scrollWidth <= el.clientWidth }
      })
      expect(inside, `at ${viewport.width}px`).toEqual({ right: true, whole: true })
    }
    expect(session.errors).toEqual([])
  })
})

describe('the waterfall at 600px', () => {
  it("leaves room for the span's name beside its service chip", async () => {
    const body = await reportAt600('OpenTelemetry')
    const root = body.locator('.hdt-wf-row').first()
    await root.waitFor()
    // "GET /report" needs 11 characters of 12 px monospace: about 80 px.
    expect(await widthOf(root.locator('.hdt-wf-label'))).toBeGreaterThanOrEqual(80)
    expect(await root.locator('.hdt-wf-label').getAttribute('title')).toBe('GET /report')
    expect(session.errors).toEqual([])
  })
})

describe('the waterfall beside the span detail (1440px)', () => {
  it("shows a short root name whole beside a long service name, the service's chip cut with its whole name in its title", async () => {
    const traceId = randomBytes(16).toString('hex')
    const start = BigInt(Date.now()) * 1_000_000n
    const root = { traceId, spanId: randomBytes(8).toString('hex'), name: 'GET /users/:id', kind: 2, startTimeUnixNano: String(start), endTimeUnixNano: String(start + 9_000_000n) }
    const child = { traceId, spanId: randomBytes(8).toString('hex'), parentSpanId: root.spanId, name: 'SELECT users', kind: 3, startTimeUnixNano: String(start + 1_000_000n), endTimeUnixNano: String(start + 2_000_000n) }
    const otlp = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'hono-debug-toolbar' } }] }, scopeSpans: [{ scope: { name: 'shop' }, spans: [root, child] }] }] }
    const sent = await fetch(`${session.server.url}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlp) })
    expect(sent.status).toBe(200)
    const body = await panelAt({ width: 1440, height: 900 }, '/report', 'History')
    await body.locator(`[data-hdt-trace-row="${traceId}"]`).getByRole('button', { name: 'Waterfall' }).click()
    const grid = body.locator(`[data-hdt-trace="${traceId}"]`).getByRole('grid', { name: 'Spans of the trace' })
    await grid.locator('.hdt-wf-row').nth(1).click()
    await body.locator('.hdt-span-detail').waitFor()
    const first = grid.locator('.hdt-wf-row').first()
    const label = await first.locator('.hdt-wf-label').evaluate((el) => ({ text: el.textContent, whole: el.scrollWidth <= el.clientWidth }))
    expect(label).toEqual({ text: 'GET /users/:id', whole: true })
    expect(await first.locator('.hdt-wf-chip').getAttribute('title')).toBe('hono-debug-toolbar')
    expect(session.errors).toEqual([])
  })
})

describe('the trace list', () => {
  it("marks a failed trace with the waterfall's round '!'", async () => {
    const body = await panelAt({ width: 1280, height: 800 }, '/fails', 'History')
    const mark = body.locator('[data-hdt-trace-row] .hdt-wf-error-mark').first()
    await mark.waitFor()
    const box = await mark.boundingBox()
    expect(box?.width).toBeCloseTo(14, 0)
    expect(box?.height).toBeCloseTo(14, 0)
    // The page's own 500 is logged by the browser; nothing else may be.
    expect(session.errors.filter((e) => !e.includes('status of 500'))).toEqual([])
  })
})

/**
 * What sticks out of a phone-wide window in the open pane: the pane's body scrolling
 * sideways, and every element whose visible part (cut by the boxes that clip or scroll it,
 * as an ellipsis or a table of figures in its own box does) reaches past the window's edge.
 */
async function overflowsOf(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const body = document.querySelector('#hono-debug-toolbar')!.shadowRoot!.querySelector<HTMLElement>('.hdt-pane-body')!
    const width = document.documentElement.clientWidth
    const name = (el: Element) => `${el.tagName.toLowerCase()}${[...el.classList].map((c) => `.${c}`).join('')} "${(el.textContent ?? '').trim().slice(0, 30)}"`
    const found: string[] = []
    if (body.scrollWidth > body.clientWidth) found.push(`the pane scrolls sideways: ${body.scrollWidth}px of content in ${body.clientWidth}px`)
    const outside = new Set<Element>()
    for (const el of body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect()
      if (box.width === 0 || box.height === 0) continue
      let { left, right } = box
      for (let up = el.parentElement; up && up !== body; up = up.parentElement) {
        if (getComputedStyle(up).overflowX === 'visible') continue
        const clip = up.getBoundingClientRect()
        left = Math.max(left, clip.left)
        right = Math.min(right, clip.right)
      }
      // The outermost element that sticks out is named, not each of its ancestors' children.
      if (right > left && (right > width + 0.5 || left < -0.5) && !outside.has(el.parentElement!)) found.push(`${name(el)} spans ${Math.round(left)}..${Math.round(right)}px`)
      if (right > left && (right > width + 0.5 || left < -0.5)) outside.add(el)
    }
    return found
  })
}

/** Sends the toolbar's OTLP receiver a trace of `service`: a root span and a child with `attributes`; returns its id. */
async function sendTrace(service: string, attributes: Record<string, string>): Promise<string> {
  const traceId = randomBytes(16).toString('hex')
  const rootId = randomBytes(8).toString('hex')
  const start = BigInt(Date.now()) * 1_000_000n
  const spans = [
    { traceId, spanId: rootId, name: 'reconcile invoices', kind: 1, startTimeUnixNano: String(start), endTimeUnixNano: String(start + 5_000_000n) },
    {
      traceId,
      spanId: randomBytes(8).toString('hex'),
      parentSpanId: rootId,
      name: 'load invoices',
      kind: 3,
      startTimeUnixNano: String(start + 1_000_000n),
      endTimeUnixNano: String(start + 4_000_000n),
      attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } })),
    },
  ]
  const otlp = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ scope: { name: 'jobs' }, spans }] }] }
  const sent = await fetch(`${session.server.url}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlp) })
  expect(sent.status).toBe(200)
  return traceId
}

describe('the span detail in a phone-wide window (375px)', () => {
  it('is scrolled into view when a span is clicked, since it opens under the waterfall; a wide window does not scroll', async () => {
    const otel = await panelAt({ width: 375, height: 700 }, '/report', 'OpenTelemetry')
    const scroller = session.page.locator('#hono-debug-toolbar .hdt-pane-body')
    await otel.locator('.hdt-wf-row').nth(2).click()
    const title = otel.locator('.hdt-span-detail-title')
    await title.waitFor()
    // The detail's title is on screen without the user looking for it below the waterfall.
    await expect.poll(async () => (await title.boundingBox())!.y + (await title.boundingBox())!.height).toBeLessThanOrEqual(700)
    expect((await title.boundingBox())!.y).toBeGreaterThanOrEqual(0)

    // Beside the waterfall, the detail is already in view: the pane stays where it was.
    const wide = await panelAt({ width: 1440, height: 900 }, '/report', 'OpenTelemetry')
    const before = await scroller.evaluate((el) => el.scrollTop)
    await wide.locator('.hdt-wf-row').nth(2).click()
    await wide.locator('.hdt-span-detail-title').waitFor()
    expect(await scroller.evaluate((el) => el.scrollTop)).toBe(before)
  })
})

describe('every panel in a phone-wide window (375px)', () => {
  it('fits the window: no panel, table or waterfall reaches past its edge or scrolls the pane sideways', async () => {
    // An earlier request of the same route, for the Compare tab: its path names it in the
    // tab's list, and is long, as a slug or a search's path can be.
    await (await fetch(`${session.server.url}/everything/41-${'customer-orders-'.repeat(4)}`)).text()
    const query = `?_dt_profile=1&cursor=${LONG_VALUE}`
    const body = await panelAt({ width: 375, height: 700 }, `/everything/42${query}`, 'Time')
    const page = session.page
    const pane = page.locator('#hono-debug-toolbar .hdt-pane')
    const seen: Record<string, string[]> = {}
    const look = async (what: string) => {
      seen[what] = await overflowsOf(page)
    }
    const open = async (title: string) => {
      // The pane's own close: a flame frame of a function named close… is a button too.
      if (await pane.isVisible()) await pane.getByRole('button', { name: 'Close panel', exact: true }).click()
      return openPanel(page, title)
    }
    await body.locator('.hdt-bar').first().waitFor()
    await look('Time')
    for (const title of ['Versions', 'Request', 'Headers', 'Routes', 'Templates', 'Logging']) {
      await open(title)
      await look(title)
    }
    const sql = await open('SQL')
    await sql.getByRole('button', { name: 'Explain' }).first().click()
    await sql.locator('.hdt-sql-plan').waitFor()
    await look('SQL with its plan')
    const profile = await open('Profile')
    await profile.locator('.hdt-call-tree summary').first().waitFor()
    await look('Profile')

    const otel = await open('OpenTelemetry')
    await otel.locator('.hdt-wf-row').nth(1).click()
    await otel.locator('.hdt-span-detail').waitFor()
    await look('OpenTelemetry waterfall and span detail')
    // The waterfall keeps a width to read its rows in, beside or above the detail.
    expect.soft(await widthOf(otel.locator('.hdt-wf').first()), 'the waterfall beside its span detail').toBeGreaterThanOrEqual(300)
    for (const tab of ['Statistics', 'Compare']) {
      await otel.getByRole('tab', { name: tab }).click()
      await otel.locator(tab === 'Statistics' ? '.hdt-trace-stats-table' : '.hdt-compare-groups').first().waitFor()
      await look(`OpenTelemetry ${tab}`)
    }

    // A trace another service sent: the History panel's trace list opens its waterfall in place.
    const traceId = await sendTrace('billing-reconciliation-worker-eu-west-1-blue-canary', { 'app.cursor': LONG_VALUE })
    const history = await open('History')
    await history.locator(`[data-hdt-trace-row="${traceId}"]`).waitFor()
    await look('History')
    await history.locator(`[data-hdt-trace-row="${traceId}"]`).getByRole('button', { name: 'Waterfall' }).click()
    await history.locator(`[data-hdt-trace="${traceId}"] .hdt-wf-row`).nth(1).click()
    await history.locator('.hdt-span-detail').waitFor()
    await look("History's trace waterfall and span detail")

    await page.goto(`${session.server.url}/throws`)
    // The toolbar opens again on the panel shown last.
    await pane.locator('.hdt-pane-title', { hasText: /^History$/ }).waitFor()
    const failed = await open('Request')
    await failed.locator('.hdt-error-block').waitFor()
    await look('Request with an error')

    expect(seen).toEqual(Object.fromEntries(Object.keys(seen).map((what) => [what, []])))
    expect(session.errors.filter((e) => !e.includes('status of 500'))).toEqual([])
  })
})

describe("the waterfall's span names", () => {
  it('widen as far as the developer drags their border, stay so on the next page, move with the arrow keys, and come back on a double click', async () => {
    const traceId = randomBytes(16).toString('hex')
    const start = BigInt(Date.now()) * 1_000_000n
    const name = `GET ${LONG_ROUTE}`
    const root = { traceId, spanId: randomBytes(8).toString('hex'), name, kind: 2, startTimeUnixNano: String(start), endTimeUnixNano: String(start + 8_000_000n) }
    const child = { traceId, spanId: randomBytes(8).toString('hex'), parentSpanId: root.spanId, name: 'SELECT line_items', kind: 3, startTimeUnixNano: String(start + 1_000_000n), endTimeUnixNano: String(start + 3_000_000n) }
    const otlp = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] }, scopeSpans: [{ scope: { name: 'orders' }, spans: [root, child] }] }] }
    const sent = await fetch(`${session.server.url}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlp) })
    expect(sent.status).toBe(200)
    const openWaterfall = async () => {
      const body = await panelAt({ width: 1440, height: 900 }, '/report', 'History')
      await body.locator(`[data-hdt-trace-row="${traceId}"]`).getByRole('button', { name: 'Waterfall' }).click()
      const grid = body.locator(`[data-hdt-trace="${traceId}"]`).getByRole('grid', { name: 'Spans of the trace' })
      await grid.getByRole('gridcell').first().waitFor()
      return grid
    }
    // Whether the root span's name shows whole, and how wide the rows' time track is.
    const measure = (grid: Locator) =>
      grid.evaluate((el) => {
        const label = el.querySelector('.hdt-wf-label')!
        return { whole: label.scrollWidth <= label.clientWidth, track: el.querySelector('.hdt-wf-track')!.getBoundingClientRect().width }
      })
    const divider = (grid: Locator) => grid.getByRole('separator', { name: /Width of the span names/ })

    let grid = await openWaterfall()
    try {
      const before = await measure(grid)
      expect(before.whole, 'the long name is cut at the default width').toBe(false)
      expect(Number(await divider(grid).getAttribute('aria-valuenow'))).toBe(34)

      await divider(grid).scrollIntoViewIfNeeded()
      const handle = (await divider(grid).boundingBox())!
      await session.page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2)
      await session.page.mouse.down()
      await session.page.mouse.move(handle.x + 400, handle.y + handle.height / 2, { steps: 5 })
      await session.page.mouse.up()
      const dragged = await measure(grid)
      expect(dragged.whole, 'the name shows whole once its column was widened').toBe(true)
      expect(dragged.track).toBeLessThan(before.track - 300)
      const widened = Number(await divider(grid).getAttribute('aria-valuenow'))
      expect(widened).toBeGreaterThan(60)

      // Another page: the same width, in another trace's waterfall as in this one.
      grid = await openWaterfall()
      expect(Number(await divider(grid).getAttribute('aria-valuenow'))).toBe(widened)
      expect((await measure(grid)).whole).toBe(true)

      // The arrow keys move the border; they do not fold the selected span, as they would in the grid.
      await grid.locator('.hdt-wf-row').first().click()
      await divider(grid).focus()
      await session.page.keyboard.press('ArrowLeft')
      await session.page.keyboard.press('ArrowLeft')
      expect(Number(await divider(grid).getAttribute('aria-valuenow'))).toBe(widened - 4)
      expect(await grid.locator('.hdt-wf-row').count()).toBe(2)
    } finally {
      // Back to the default for the tests after this one (the width is kept in localStorage).
      await divider(grid).dblclick()
    }
    expect(Number(await divider(grid).getAttribute('aria-valuenow'))).toBe(34)
    expect((await measure(grid)).whole).toBe(false)
    grid = await openWaterfall()
    expect(Number(await divider(grid).getAttribute('aria-valuenow'))).toBe(34)
    expect(session.errors).toEqual([])
  })
})
