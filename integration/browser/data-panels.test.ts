/**
 * The data panels' figures against what the request really did, in a real browser: what a
 * request logged past the span limits is counted where the waterfall shows the span.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/data-panels.test.ts
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { debugToolbar, defaultPanels, recordLog, recordQuery, SqlPanel } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { openPanel, useBrowserSession } from './harness.js'

function loggingApp(): Hono {
  const app = new Hono()
  const panels = [...defaultPanels().filter((p) => p.id !== 'sql'), new SqlPanel({ maxQueries: 3 })]
  app.use(debugToolbar({ app, panels, extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
  app.get('/import', (c) => {
    for (let i = 1; i <= 300; i++) recordLog('info', `imported row ${i}`)
    return c.html('<!doctype html><html><head><link rel="icon" href="data:,"></head><body><p>imported</p></body></html>')
  })
  app.get('/checkout', (c) => {
    // A stack trace of 40 frames, as an Error logged with console.error prints it.
    const frames = Array.from({ length: 40 }, (_, i) => `    at step${i + 1} (file:///srv/shop/checkout.js:${i + 10}:5)`)
    recordLog('info', 'order 42 created')
    recordLog('error', ['Error: card declined', ...frames].join('\n'))
    return c.html('<!doctype html><html><head><link rel="icon" href="data:,"></head><body><p>checkout</p></body></html>')
  })
  // A request that runs more queries than the SQL panel keeps (maxQueries: 3).
  app.get('/bulk', (c) => {
    for (let i = 1; i <= 10; i++) recordQuery({ sql: `INSERT INTO rows VALUES (${i})`, startTime: performance.now(), durationMs: 0.5 })
    return c.html('<!doctype html><html><head><link rel="icon" href="data:,"></head><body><p>bulk</p></body></html>')
  })
  return app
}

describe('data panels in the browser', () => {
  const session = useBrowserSession(loggingApp, { width: 1440, height: 900 })

  it('says how many log lines the request span could not hold as events (the SDK keeps the last 128)', async () => {
    const { page } = session
    await page.goto(`${session.server.url}/import`)
    const logging = await openPanel(page, 'Logging')
    await expect.poll(() => logging.locator('.hdt-logs tbody tr').count()).toBe(300)

    const pane = await openPanel(page, 'OpenTelemetry')
    const row = pane.locator('.hdt-wf-row').filter({ has: page.locator('.hdt-wf-label', { hasText: 'GET /import' }) })
    await row.first().click()
    const detail = pane.locator('.hdt-span-detail')
    await detail.waitFor()
    const events = detail.locator('.hdt-span-section', { hasText: /^Events/ })
    expect(await events.textContent()).toBe('Events (128, 172 more dropped: OTEL_SPAN_EVENT_COUNT_LIMIT)')
    expect(await detail.locator('.hdt-span-events li').first().textContent()).toContain('imported row 173')
    expect(session.errors).toEqual([])
  })

  it('shows a long stack trace whole on demand: the box that cuts it says so, with a button, on every platform', async () => {
    const { page } = session
    await page.goto(`${session.server.url}/checkout`)
    const logging = await openPanel(page, 'Logging')
    const rows = logging.locator('.hdt-logs tbody tr')
    await expect.poll(() => rows.count()).toBe(2)
    const line = rows.filter({ hasText: 'card declined' })
    const trace = line.locator('.hdt-log-message')
    const cut = () => trace.evaluate((box) => box.scrollHeight - box.clientHeight)
    // Cut to a box of its own (the page stays readable), where an overlay scrollbar (macOS) shows nothing.
    expect(await cut()).toBeGreaterThan(0)
    const more = line.getByRole('button', { name: 'Show the whole message (41 lines)' })
    expect(await more.getAttribute('aria-expanded')).toBe('false')
    await more.focus()
    await page.keyboard.press('Enter')
    await expect.poll(cut).toBe(0)
    expect(await trace.innerText()).toContain('at step40 (/srv/shop/checkout.js:49:5)')
    const less = line.getByRole('button', { name: 'Show less' })
    expect(await less.getAttribute('aria-expanded')).toBe('true')
    await less.click()
    await expect.poll(cut).toBeGreaterThan(0)
    // A line that fits has no button.
    expect(await rows.filter({ hasText: 'order 42 created' }).getByRole('button').count()).toBe(0)
    // The choice stays with its line when the filter hides the line before it, and back.
    await more.click()
    const info = logging.getByRole('checkbox', { name: /^info/ })
    await info.uncheck()
    await expect.poll(() => rows.count()).toBe(1)
    expect(await less.count()).toBe(1)
    await info.check()
    await expect.poll(() => rows.count()).toBe(2)
    expect(await less.count()).toBe(1)
    expect(await cut()).toBe(0)
    expect(await rows.filter({ hasText: 'order 42 created' }).getByRole('button').count()).toBe(0)
    expect(session.errors).toEqual([])
  })
  it('counts the queries the SQL panel did not keep in the panel list, as its own summary and Server-Timing do', async () => {
    const { page } = session
    await session.open('/bulk')
    const sql = await openPanel(page, 'SQL')
    expect(await sql.locator('.hdt-sql-summary').innerText()).toContain('7 more not kept')
    // 10 queries ran: the list must not read as if 3 did.
    const subtitle = page.locator('#hono-debug-toolbar .hdt-nav-item[data-hdt-panel="sql"] .hdt-nav-subtitle')
    expect(await subtitle.innerText()).toBe('3 queries in 1.50 ms, 7 more not kept')
    expect(session.errors).toEqual([])
  })
})
