/**
 * The open toolbar follows the live events in a real browser: a request made elsewhere
 * appears in History without a reload, and an open waterfall gains a span that joins its
 * trace late. The late span is added through a test-only route of this app that hands it
 * to the OpenTelemetry panel's trace store (the path a receiver's spans take).
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/live.test.ts
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { lateSpan } from '../../test/support/late-span.js'
import { openPanel, useBrowserSession } from './harness.js'

function liveApp(): Hono {
  const app = new Hono()
  const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop', gracePeriodMs: 60_000 })
  app.use(debugToolbar({ app, extraPanels: [panel] }))
  const page = (title: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title></head><body><h1>${title}</h1></body></html>`
  app.get('/', (c) => c.html(page('Shop')))
  app.get('/orders/:id', (c) => c.json({ id: c.req.param('id') }))
  // Test only: a span of another service that reaches the trace after its request finished.
  app.post('/test/late-span/:traceId', (c) => {
    const outcome = panel.processor.traces.add(lateSpan(c.req.param('traceId')))
    return c.json({ outcome })
  })
  return app
}

describe('live events in the open toolbar', () => {
  const session = useBrowserSession(liveApp, { width: 1280, height: 800 })

  it('adds a request made elsewhere to the open History panel, without a reload', async () => {
    const { page, server } = session
    await page.goto(`${server.url}/`)
    const pane = await openPanel(page, 'History')
    await pane.locator('[data-hdt-live="live"]').waitFor()
    await expect.poll(() => pane.locator('tr[data-hdt-history]').count()).toBe(1)
    // Another tab, a curl: the request is recorded, and this page never reloads.
    const res = await fetch(`${server.url}/orders/42`)
    await res.text()
    const id = res.headers.get('x-debug-toolbar-request-id')!
    await pane.locator(`tr[data-hdt-history="${id}"]`).waitFor({ timeout: 5_000 })
    expect(await pane.locator(`tr[data-hdt-history="${id}"]`).textContent()).toContain('/orders/42')
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1)
    expect(session.errors).toEqual([])
  })

  it('grows the open waterfall when a late span of its trace arrives', async () => {
    const { page, server } = session
    await page.goto(`${server.url}/`)
    const pane = await openPanel(page, 'OpenTelemetry')
    await pane.locator('.hdt-wf-row').first().waitFor()
    await pane.locator('[data-hdt-live="live"]').waitFor()
    const traceId = (await pane.locator('.hdt-otel-trace-id').textContent()) ?? ''
    expect(await pane.locator('.hdt-wf-row').count()).toBe(1)
    const added = await fetch(`${server.url}/test/late-span/${traceId}`, { method: 'POST' })
    expect(await added.json()).toEqual({ outcome: 'late' })
    const late = pane.locator('.hdt-wf-row').filter({ has: page.locator('.hdt-wf-label', { hasText: 'charge card' }) })
    await late.waitFor({ timeout: 5_000 })
    expect(await pane.locator('.hdt-wf-row').count()).toBe(2)
    expect(await pane.locator('.hdt-otel-head').textContent()).toContain('2 spans')
    expect(session.errors).toEqual([])
  })
})
