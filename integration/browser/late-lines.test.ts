/**
 * A line logged after the response (an email sent after the answer) in a real browser: the
 * toolbar loaded the request's detail before the line was written, and shows the line when
 * the user opens a panel again, without a reload.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/late-lines.test.ts
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { debugToolbar, LoggingPanel, RequestPanel, recordLog, recordQuery, renderTemplate } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { openPanel, useBrowserSession } from './harness.js'

let sendEmail!: () => void

function signupApp(): Hono {
  const app = new Hono()
  app.use(debugToolbar({ app, panels: [new RequestPanel(), new LoggingPanel()] }))
  app.get('/signup', (c) => {
    recordLog('info', 'account created')
    const smtp = new Promise<void>((resolve) => (sendEmail = resolve))
    void smtp.then(() => recordLog('error', 'welcome email failed: SMTP 421'))
    return c.html('<!doctype html><html><head><link rel="icon" href="data:,"></head><body><p>welcome</p></body></html>')
  })
  return app
}

let writeAudit!: () => void
let sendReceipt!: () => void

function shopApp(): Hono {
  const app = new Hono()
  app.use(debugToolbar({ app, panels: [new RequestPanel()], extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
  app.get('/checkout', (c) => {
    const later = new Promise<void>((resolve) => (writeAudit = resolve))
    void later.then(() => {
      recordQuery({ sql: 'INSERT INTO audit (event) VALUES (?)', params: ['checkout'], durationMs: 3, dbSystem: 'sqlite' })
      recordLog('warn', 'audit row written late')
    })
    return c.html('<!doctype html><html><head><link rel="icon" href="data:,"></head><body><p>thanks</p></body></html>')
  })
  app.get('/order', (c) => {
    const later = new Promise<void>((resolve) => (sendReceipt = resolve))
    // The receipt email is rendered after the answer; what its template does belongs to it.
    void later.then(() => renderTemplate('receipt email', async () => {
      const started = performance.now()
      await new Promise((resolve) => setTimeout(resolve, 2))
      recordQuery({ sql: 'SELECT name FROM products WHERE id = ?', params: [3], startTime: started, durationMs: performance.now() - started, dbSystem: 'sqlite' })
      recordLog('info', 'receipt rendered')
      return '<p>receipt</p>'
    }))
    return c.html('<!doctype html><html><head><link rel="icon" href="data:,"></head><body><p>ordered</p></body></html>')
  })
  app.get('/invoice', (c) => {
    const later = new Promise<void>((resolve) => (mailInvoice = resolve))
    // Started by the handler, awaited by no one: still rendering when the answer goes.
    void renderTemplate('invoice email', async () => {
      await later
      recordQuery({ sql: 'SELECT total FROM invoices WHERE id = ?', params: [9], durationMs: 1, dbSystem: 'sqlite' })
      return '<p>invoice</p>'
    })
    return c.html('<!doctype html><html><head><link rel="icon" href="data:,"></head><body><p>invoiced</p></body></html>')
  })
  return app
}

let mailInvoice!: () => void

describe('work left running after the response, in the OpenTelemetry panel', () => {
  const session = useBrowserSession(shopApp, { width: 1440, height: 900 })

  /**
   * Opens `path`'s waterfall (`before` rows at first), lets its late work run, and waits for
   * three rows; answers the pane and its rows.
   */
  async function lateWaterfall(path: string, release: () => void, before = 1) {
    const { page } = session
    await page.goto(`${session.server.url}${path}`)
    const pane = await openPanel(page, 'OpenTelemetry')
    const rows = pane.locator('.hdt-wf-row')
    await expect.poll(() => rows.count()).toBe(before)
    release()
    const texts = async () => (await rows.allTextContents()).map((text) => text.replace(/\s+/g, ' '))
    // The waterfall follows the trace's live updates (or its Refresh button).
    await expect.poll(async () => {
      if ((await rows.count()) < 3) await pane.getByRole('button', { name: 'Refresh' }).click()
      return rows.count()
    }, { timeout: 10_000 }).toBe(3)
    return { pane, texts }
  }

  it('joins the open waterfall, under the request, without a reload', async () => {
    const { texts } = await lateWaterfall('/checkout', () => writeAudit())
    expect(await texts()).toEqual([expect.stringContaining('GET /checkout'), expect.stringContaining('INSERT audit'), expect.stringContaining('log warn')])
    expect(session.errors).toEqual([])
  })

  it('holds what a template rendered after the response queried under that render', async () => {
    const { pane, texts } = await lateWaterfall('/order', () => sendReceipt())
    expect(await texts()).toEqual([expect.stringContaining('GET /order'), expect.stringContaining('render receipt email'), expect.stringContaining('SELECT products')])
    // The query is the render's child: collapsing the render hides it.
    await pane.getByRole('button', { name: 'Collapse render receipt email' }).click()
    await expect.poll(texts).toEqual([expect.stringContaining('GET /order'), expect.stringContaining('render receipt email')])
    expect(session.errors).toEqual([])
  })

  it('holds what a render still running at the response queried later under that render', async () => {
    const { pane, texts } = await lateWaterfall('/invoice', () => mailInvoice(), 2)
    expect(await texts()).toEqual([expect.stringContaining('GET /invoice'), expect.stringContaining('render invoice email'), expect.stringContaining('SELECT invoices')])
    await pane.getByRole('button', { name: 'Collapse render invoice email' }).click()
    await expect.poll(texts).toEqual([expect.stringContaining('GET /invoice'), expect.stringContaining('render invoice email')])
    expect(session.errors).toEqual([])
  })
})

describe('lines logged after the response, in the browser', () => {
  const session = useBrowserSession(signupApp, { width: 1440, height: 900 })

  it('show when the Logging panel is opened again, marked as after the response', async () => {
    const { page } = session
    await page.goto(`${session.server.url}/signup`)
    let logging = await openPanel(page, 'Logging')
    await expect.poll(() => logging.locator('.hdt-logs tbody tr').count()).toBe(1)

    sendEmail()
    // Long enough for the copy in hand to be read again on the next opening.
    await page.waitForTimeout(1200)
    await openPanel(page, 'Request')
    logging = await openPanel(page, 'Logging')
    const rows = logging.locator('.hdt-logs tbody tr')
    await expect.poll(() => rows.count()).toBe(2)
    expect(await rows.nth(1).textContent()).toContain('welcome email failed: SMTP 421')
    expect(await rows.nth(1).textContent()).toContain('after the response')
    expect(session.errors).toEqual([])
  })
})
