/**
 * The Context section of the OpenTelemetry panel in a real browser: a page requested with
 * a `traceparent` and `tracestate` shows them as received and valid, the trace as continued
 * from the caller's span, and the context the page's handler sent downstream with fetch();
 * an unsampled traceparent shows why the waterfall is empty and how to change the sampler.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/trace-context.test.ts
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { openPanel, useBrowserSession } from './harness.js'

const PARENT = '00f067aa0ba902b7'
let downstream: http.Server
let downstreamUrl = ''

beforeAll(async () => {
  downstream = http.createServer((_req, res) => res.end('stock: 3'))
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve))
  downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`
})

afterAll(async () => {
  downstream.closeAllConnections()
  await new Promise((resolve) => downstream.close(resolve))
})

function app(): Hono {
  const app = new Hono()
  app.use(debugToolbar({ app, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
  app.get('/product', async (c) => {
    const stock = await (await fetch(`${downstreamUrl}/stock`)).text()
    return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Product</title></head><body><p>${stock}</p></body></html>`)
  })
  return app
}

const session = useBrowserSession(app, { width: 1440, height: 900 })

describe('the Context section', () => {
  it('shows the traceparent and tracestate received, the continued trace and what fetch() sent', async () => {
    const { page, context } = session
    const traceId = 'd4'.repeat(16)
    await context.setExtraHTTPHeaders({ traceparent: `00-${traceId}-${PARENT}-01`, tracestate: 'rojo=00f067aa0ba902b7' })
    const res = await page.goto(`${session.server.url}/product`)
    expect(res?.status()).toBe(200)
    const pane = await openPanel(page, 'OpenTelemetry')
    const section = pane.locator('.hdt-otel-context')
    await section.waitFor()
    expect(await section.getAttribute('data-origin')).toBe('continued')
    expect(await section.getAttribute('open')).not.toBeNull()
    const text = (await section.textContent()) ?? ''
    expect(text).toContain(`00-${traceId}-${PARENT}-01`)
    expect(text).toContain('rojo=00f067aa0ba902b7')
    expect(text).toContain(`continued: the request's span is a child of the caller's span ${PARENT}`)
    expect(text).toContain('1 list members')
    const sent = section.locator('table[aria-label="Context sent by fetch()"] tbody tr')
    expect(await sent.count()).toBe(1)
    expect(await sent.first().textContent()).toMatch(new RegExp(`GET ${downstreamUrl}/stock.*00-${traceId}-[0-9a-f]{16}-01rojo=00f067aa0ba902b7`))
    expect(session.errors).toEqual([])
  })

  it('explains an empty waterfall for an unsampled traceparent, and why an invalid one was ignored', async () => {
    const { page, context } = session
    await context.setExtraHTTPHeaders({ traceparent: `00-${'e5'.repeat(16)}-${PARENT}-00` })
    await page.goto(`${session.server.url}/product`)
    let pane = await openPanel(page, 'OpenTelemetry')
    const note = pane.locator('.hdt-otel-context-note')
    await note.waitFor()
    expect(await note.textContent()).toContain('sampled flag is 0')
    expect(await note.textContent()).toContain('remoteParentNotSampled: new AlwaysOnSampler()')
    expect(await pane.locator('.hdt-otel-empty').textContent()).toContain('not sampled')

    await context.setExtraHTTPHeaders({ traceparent: `00-${'F6'.repeat(16)}-${PARENT}-01` })
    await page.goto(`${session.server.url}/product`)
    pane = await openPanel(page, 'OpenTelemetry')
    const reason = pane.locator('.hdt-otel-context [data-header="traceparent"] [data-reason]')
    await reason.waitFor()
    expect(await reason.textContent()).toContain('uppercase hex is not allowed')
    expect(await pane.locator('.hdt-otel-context').getAttribute('data-origin')).toBe('new root')
    await page.screenshot({ path: new URL('../../docs/screenshots/opentelemetry-context.png', import.meta.url).pathname })
    expect(session.errors).toEqual([])
  })
})
