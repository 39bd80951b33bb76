/**
 * What a developer sees of the propagators in a real browser: a page requested with a B3
 * header and W3C baggage shows, in the OpenTelemetry panel, the caller's trace continued and
 * the baggage (escaped, secrets redacted, drops counted) with the propagators in use.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/baggage.test.ts
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { openPanel, useBrowserSession } from './harness.js'

const TRACE = '0000000000000000a3ce929d0e0e4736'

function app(): Hono {
  const app = new Hono()
  app.use(debugToolbar({ app, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', propagators: ['tracecontext', 'baggage', 'b3'] })] }))
  app.get('/', (c) => c.html('<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><title>home</title></head><body><h1>home</h1></body></html>'))
  return app
}

describe('propagators in the OpenTelemetry panel', () => {
  const session = useBrowserSession(app, { width: 1280, height: 800 })

  it('shows the continued B3 trace and the request baggage', async () => {
    const { page } = session
    await page.setExtraHTTPHeaders({
      b3: 'a3ce929d0e0e4736-00f067aa0ba902b7-1',
      baggage: 'tenant=acme%20%3Cb%3E;ttl=30,password=hunter2,=broken',
    })
    await page.goto(`${session.server.url}/`)
    const pane = await openPanel(page, 'OpenTelemetry')
    await expect.poll(() => pane.locator('.hdt-otel-trace-id').textContent()).toBe(TRACE)
    // In the Context section, open by itself because baggage was received.
    const contextSection = pane.locator('.hdt-otel-context')
    expect(await contextSection.getAttribute('open')).not.toBeNull()
    expect(await contextSection.locator('summary').textContent()).toContain('2 baggage members (1 dropped)')
    const baggage = contextSection.locator('.hdt-otel-baggage')
    const line = (await baggage.locator('p').first().textContent()) ?? ''
    expect(line).toContain('Baggage received: 2 members')
    expect(line).toContain('1 dropped')
    expect(line).toContain('propagators: tracecontext, baggage, b3')
    const table = (await baggage.locator('table').textContent()) ?? ''
    expect(table).toContain('acme <b> ;ttl=30')
    expect(table).toContain('********')
    expect(table).not.toContain('hunter2')
    expect(await baggage.locator('b').count()).toBe(0)
    expect(session.errors).toEqual([])
  })
})
