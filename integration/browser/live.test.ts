/**
 * The open toolbar follows the live events in a real browser: a request made elsewhere
 * appears in History without a reload, and an open waterfall gains a span that joins its
 * trace late (posted to the toolbar's OTLP/HTTP receiver); a cut connection shows as
 * "reconnecting…" and what happened meanwhile is replayed; a streamed request shown in flight
 * turns finished when its request.finished arrives.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/live.test.ts
 */
import type { Socket } from 'node:net'
import type { HttpBindings } from '@hono/node-server'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { postLateSpan } from '../../test/support/late-otlp-span.js'
import { openPanel, useBrowserSession } from './harness.js'

/** The Last-Event-ID header of each connection to the event stream, in order. */
const lastEventIds: Array<string | undefined> = []
/** Ends the body of the `/export` being streamed. */
let finishExport = () => {}

function liveApp(): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>()
  // Test only: an outage of the live events (open streams cut, new ones refused with a 503).
  const streams = new Set<Socket>()
  let outage = false
  app.use('/_debug_toolbar/api/events', async (c, next) => {
    if (outage) return c.text('unavailable', 503)
    lastEventIds.push(c.req.header('last-event-id'))
    streams.add(c.env.incoming.socket)
    await next()
  })
  // `cut` closes the open streams (the browser reconnects by itself); `on` also refuses new ones.
  app.post('/test/live-outage/:state', (c) => {
    const state = c.req.param('state')
    outage = state === 'on'
    if (state !== 'off') for (const socket of streams) socket.destroy()
    streams.clear()
    return c.json({ state })
  })
  const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop', gracePeriodMs: 60_000 })
  app.use(debugToolbar({ app, extraPanels: [panel] }))
  const page = (title: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title></head><body><h1>${title}</h1></body></html>`
  app.get('/', (c) => c.html(page('Shop')))
  app.get('/orders/:id', (c) => c.json({ id: c.req.param('id') }))
  // An export streamed until the test lets it end (POST /test/export-done).
  app.get('/export', (c) => {
    const encoder = new TextEncoder()
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('id,total\n'))
        finishExport = () => {
          controller.enqueue(encoder.encode('1,42\n'))
          controller.close()
        }
      },
    })
    return c.body(body, 200, { 'content-type': 'text/csv' })
  })
  app.post('/test/export-done', (c) => {
    finishExport()
    return c.json({ done: true })
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
    // The span of a downstream service, sent to the toolbar's OTLP/HTTP receiver after the request finished.
    const trace = (await (await fetch(`${server.url}/_debug_toolbar/api/traces/${traceId}`)).json()) as { spans: Array<{ spanId: string; kind: string }> }
    const root = trace.spans.find((span) => span.kind === 'SERVER')!
    await expect.poll(() => pane.innerText()).toMatch(/updated \d\d:\d\d:\d\d/)
    // Every state the panel shows from here on: the span joining changes the rows, not the status.
    await pane.evaluate((element) => {
      const seen: string[] = []
      ;(window as unknown as { states: string[] }).states = seen
      new MutationObserver(() => {
        const refresh = [...element.querySelectorAll('button')].find((button) => button.textContent === 'Refresh')
        seen.push(`${element.textContent?.includes('loading the trace') ? 'loading' : 'shown'}${refresh?.disabled ? ', Refresh disabled' : ''}`)
      }).observe(element, { subtree: true, childList: true, characterData: true, attributes: true })
    })
    expect((await postLateSpan(server.url, traceId, root.spanId)).status).toBe(200)
    const late = pane.locator('.hdt-wf-row').filter({ has: page.locator('.hdt-wf-label', { hasText: 'charge card' }) })
    await late.waitFor({ timeout: 5_000 })
    expect(await pane.locator('.hdt-wf-row').count()).toBe(2)
    expect(await pane.locator('.hdt-otel-head').textContent()).toContain('2 spans')
    const states = await page.evaluate(() => (window as unknown as { states: string[] }).states)
    expect(states.length).toBeGreaterThan(0)
    expect(states.filter((state) => state !== 'shown')).toEqual([])
    expect(session.errors).toEqual([])
  })

  it('says when it is reconnecting, and catches up on what happened meanwhile', async () => {
    const { page, server } = session
    await page.goto(`${server.url}/`)
    const pane = await openPanel(page, 'History')
    await pane.locator('[data-hdt-live="live"]').waitFor()
    // The connection drops: the browser reconnects by itself, with the id it last saw.
    const before = lastEventIds.length
    await fetch(`${server.url}/test/live-outage/cut`, { method: 'POST' })
    await pane.locator('[data-hdt-live="reconnecting"]').waitFor({ timeout: 10_000 })
    expect(await pane.locator('.hdt-live').textContent()).toBe('reconnecting…')
    const res = await fetch(`${server.url}/orders/77`)
    await res.text()
    await pane.locator('[data-hdt-live="live"]').waitFor({ timeout: 15_000 })
    await pane.locator(`tr[data-hdt-history="${res.headers.get('x-debug-toolbar-request-id')}"]`).waitFor({ timeout: 5_000 })
    expect(lastEventIds[before]).toMatch(/^\d+$/)

    // The server refuses the stream for a while: the toolbar keeps trying, then is live again.
    await fetch(`${server.url}/test/live-outage/on`, { method: 'POST' })
    await pane.locator('[data-hdt-live="reconnecting"]').waitFor({ timeout: 10_000 })
    const meanwhile = await fetch(`${server.url}/orders/78`)
    await meanwhile.text()
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    await fetch(`${server.url}/test/live-outage/off`, { method: 'POST' })
    await pane.locator('[data-hdt-live="live"]').waitFor({ timeout: 15_000 })
    await pane.locator(`tr[data-hdt-history="${meanwhile.headers.get('x-debug-toolbar-request-id')}"]`).waitFor({ timeout: 5_000 })
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1)
  })

  it('adds a trace that only reached the receiver to the open trace list, and grows its waterfall', async () => {
    const { page, server } = session
    await page.goto(`${server.url}/`)
    const pane = await openPanel(page, 'History')
    await pane.locator('[data-hdt-live="live"]').waitFor()
    // A job of another service that the toolbar never recorded: its spans come one export at a time.
    const traceId = 'feed'.padEnd(32, '7')
    expect((await postLateSpan(server.url, traceId)).status).toBe(200)
    const row = pane.locator(`tr[data-hdt-trace-row="${traceId}"]`)
    await row.waitFor({ timeout: 5_000 })
    await row.getByRole('button', { name: 'Waterfall' }).click()
    const waterfall = pane.locator(`[data-hdt-trace="${traceId}"]`)
    await waterfall.locator('.hdt-wf-row').first().waitFor()
    expect(await waterfall.locator('.hdt-wf-row').count()).toBe(1)
    expect((await postLateSpan(server.url, traceId, 'b7ad6b7169203331', 'c7ad6b7169203332', 'send receipt')).status).toBe(200)
    await expect.poll(() => waterfall.locator('.hdt-wf-row').count(), { timeout: 5_000 }).toBe(2)
    await expect.poll(() => row.locator('td.hdt-num').first().textContent(), { timeout: 5_000 }).toBe('2')
    expect(session.errors).toEqual([])
  })

  it("shows a trace opened from the list with its own spans only, from the first frame that names it", async () => {
    const { page, server } = session
    const first = 'f1f5'.padEnd(32, '1')
    const second = 'f1f5'.padEnd(32, '2')
    expect((await postLateSpan(server.url, first, '', 'a1a1a1a1a1a1a1a1', 'charge card')).status).toBe(200)
    expect((await postLateSpan(server.url, second, '', 'b2b2b2b2b2b2b2b2', 'send receipt')).status).toBe(200)
    await page.goto(`${server.url}/`)
    const pane = await openPanel(page, 'History')
    await pane.locator(`tr[data-hdt-trace-row="${first}"]`).getByRole('button', { name: 'Waterfall' }).click()
    await pane.locator(`[data-hdt-trace="${first}"] .hdt-wf-row`, { hasText: 'charge card' }).waitFor()
    await pane.locator(`[data-hdt-trace="${first}"] .hdt-wf-row`).first().click()
    await pane.locator('.hdt-span-detail').waitFor()
    // Every waterfall the page draws from here on, with the trace it names and the rows it shows.
    await pane.evaluate((element) => {
      const seen: string[] = []
      ;(window as unknown as { drawn: string[] }).drawn = seen
      new MutationObserver(() => {
        for (const waterfall of element.querySelectorAll<HTMLElement>('[data-hdt-trace]')) {
          const rows = [...waterfall.querySelectorAll<HTMLElement>('.hdt-wf-row')].map((row) => row.innerText.replace(/\s+/g, ' '))
          seen.push(`${waterfall.dataset.hdtTrace}: ${rows.join(' | ')}${waterfall.querySelector('.hdt-span-detail') ? ' + detail' : ''}`)
        }
      }).observe(element, { subtree: true, childList: true, characterData: true, attributes: true })
    })
    await pane.locator(`tr[data-hdt-trace-row="${second}"]`).getByRole('button', { name: 'Waterfall' }).click()
    await pane.locator(`[data-hdt-trace="${second}"] .hdt-wf-row`, { hasText: 'send receipt' }).waitFor()
    const drawn = await page.evaluate(() => (window as unknown as { drawn: string[] }).drawn)
    const ofSecond = drawn.filter((line) => line.startsWith(`${second}:`))
    expect(ofSecond.length).toBeGreaterThan(0)
    // Not one frame shows the first trace's span, or its span detail, under the second trace's id.
    expect(ofSecond.filter((line) => line.includes('charge card') || line.endsWith('+ detail'))).toEqual([])
    expect(session.errors).toEqual([])
  })

  it('shows the waterfall of a trace whose first read failed once a later read succeeds', async () => {
    const { page, server } = session
    const traceId = 'fa11'.padEnd(32, '3')
    expect((await postLateSpan(server.url, traceId, '', 'c3c3c3c3c3c3c3c3', 'charge card')).status).toBe(200)
    await page.goto(`${server.url}/`)
    const pane = await openPanel(page, 'History')
    await pane.locator('[data-hdt-live="live"]').waitFor()
    // The first read of the trace fails as a server restarting would answer it; the next ones go through.
    let failed = 0
    await page.route(`**/_debug_toolbar/api/traces/${traceId}`, (route) =>
      failed++ === 0 ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'the store is starting' }) }) : route.continue(),
    )
    await pane.locator(`tr[data-hdt-trace-row="${traceId}"]`).getByRole('button', { name: 'Waterfall' }).click()
    await expect.poll(() => pane.locator('.hdt-traces .hdt-error-note').allInnerTexts(), { timeout: 5_000 }).toEqual(['Could not load the trace: the store is starting'])
    // A span joins the trace: the live update reads it again.
    expect((await postLateSpan(server.url, traceId, 'c3c3c3c3c3c3c3c3', 'c4c4c4c4c4c4c4c4', 'send receipt')).status).toBe(200)
    await expect.poll(() => pane.locator(`[data-hdt-trace="${traceId}"] .hdt-wf-row`).count(), { timeout: 5_000 }).toBe(2)
    expect(await pane.locator('.hdt-traces .hdt-error-note').count()).toBe(0)
    await page.unroute(`**/_debug_toolbar/api/traces/${traceId}`)
    expect(session.errors.filter((error) => !error.includes('503'))).toEqual([])
  })

  /**
   * Opens `panel` on the page, has the page start the `/export` download (streamed until the
   * test ends it) and shows that request in the toolbar; answers the request's line.
   */
  async function showExportInFlight(panel: string) {
    const { page, server } = session
    await page.goto(`${server.url}/`)
    await openPanel(page, panel)
    await page.evaluate(() => {
      void fetch('/export').then((res) => res.text())
    })
    await page.locator('#hono-debug-toolbar .hdt-sidebar').getByRole('button', { name: /\/export/ }).click()
    const current = page.locator('#hono-debug-toolbar .hdt-current')
    await expect.poll(() => current.textContent(), { timeout: 5_000 }).toContain('/export')
    expect(await current.textContent()).toContain('in flight')
    return current
  }

  it('shows a streamed request as finished as soon as the live events say so, not at its next poll', async () => {
    const { page, server } = session
    const current = await showExportInFlight('OpenTelemetry')
    const pane = page.locator('#hono-debug-toolbar .hdt-pane')
    await pane.locator('[data-hdt-live="live"]').waitFor()
    // The waterfall reads the trace once it is shown live: until then its head counts nothing.
    await expect.poll(() => pane.locator('.hdt-otel-head').textContent(), { timeout: 5_000 }).toContain('1 in flight')
    // Long enough that the toolbar asks about the request only every few seconds now.
    await new Promise((resolve) => setTimeout(resolve, 3_500))
    await fetch(`${server.url}/test/export-done`, { method: 'POST' })
    // The waterfall, which follows the trace's events, shows the request's span ended...
    await expect.poll(() => pane.locator('.hdt-otel-head').textContent(), { timeout: 5_000 }).toContain('0 in flight')
    // ...and the request's line and the pane's title say the same within a moment.
    await expect.poll(() => current.textContent(), { timeout: 1_500 }).not.toContain('in flight')
    expect(await current.textContent()).toMatch(/\d(\.\d+)? s/)
    expect(await pane.locator('.hdt-pane-head').textContent()).not.toContain('in flight')
    expect(session.errors).toEqual([])
  })

  it('reads a request shown in flight again when a live panel connects after it finished', async () => {
    const { page, server } = session
    const current = await showExportInFlight('Logging')
    // No live panel is open: the toolbar asks about the request only every 4 s by now.
    await new Promise((resolve) => setTimeout(resolve, 6_500))
    const done = await fetch(`${server.url}/test/export-done`, { method: 'POST' })
    await done.text()
    await new Promise((resolve) => setTimeout(resolve, 300))
    // History lists the request as finished; the request's line must not say otherwise.
    const history = await openPanel(page, 'History')
    await history.locator('[data-hdt-live="live"]').waitFor()
    await history.locator('tr[data-hdt-history]', { hasText: '/export' }).first().waitFor()
    await expect.poll(() => current.textContent(), { timeout: 1_500 }).not.toContain('in flight')
    expect(session.errors).toEqual([])
  })
})
