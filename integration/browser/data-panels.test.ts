/**
 * The data panels' figures against what the request really did, in a real browser: what a
 * request logged past the span limits is counted where the waterfall shows the span.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/data-panels.test.ts
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { debugToolbar, recordLog } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { openPanel, useBrowserSession } from './harness.js'

function loggingApp(): Hono {
  const app = new Hono()
  app.use(debugToolbar({ app, extraPanels: [new OpenTelemetryPanel({ exporter: 'none' })] }))
  app.get('/import', (c) => {
    for (let i = 1; i <= 300; i++) recordLog('info', `imported row ${i}`)
    return c.html('<!doctype html><html><head><link rel="icon" href="data:,"></head><body><p>imported</p></body></html>')
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
})
