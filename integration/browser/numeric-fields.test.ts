/**
 * The waterfall's number fields in a real browser, used by keyboard: Esc in the minimum
 * duration field clears it and Esc in the fold field puts the default back, leaving the
 * pane open, as Esc in a search field does; once there is nothing to undo, Esc closes the
 * pane.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/numeric-fields.test.ts
 */
import { trace } from '@opentelemetry/api'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { Hono } from 'hono'
import type { Locator } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { openPanel, useBrowserSession } from './harness.js'

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function shopApp(): Hono {
  const app = new Hono()
  app.use(debugToolbar({ app, extraPanels: [new OpenTelemetryPanel({ exporter: new InMemorySpanExporter() })] }))
  app.get('/orders', async (c) => {
    const tracer = trace.getTracer('shop')
    // Four repeated siblings (folded from 3 by default), and one long span.
    for (let i = 0; i < 4; i++) tracer.startSpan('load order').end()
    const render = tracer.startSpan('render orders')
    await pause(30)
    render.end()
    return c.html('<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Orders</title></head><body><h1>Orders</h1></body></html>')
  })
  return app
}

const session = useBrowserSession(() => shopApp(), { width: 1440, height: 900 })

const paneOpen = () => session.page.locator('#hono-debug-toolbar .hdt-pane').count()

async function waterfall(): Promise<{ pane: Locator; rows: Locator; all: number }> {
  await session.page.goto(`${session.server.url}/orders`)
  const pane = await openPanel(session.page, 'OpenTelemetry')
  const rows = pane.locator('.hdt-wf-row')
  await expect.poll(() => pane.locator('.hdt-wf-label', { hasText: 'render orders' }).count()).toBe(1)
  return { pane, rows, all: await rows.count() }
}

describe('the waterfall number fields in chromium', () => {
  it('clears the minimum duration on Esc and shows every span again with the pane open; Esc in the empty field closes the pane', async () => {
    const { pane, rows, all } = await waterfall()
    const minimum = pane.getByLabel('Hide spans shorter than (ms)')
    await minimum.click()
    await session.page.keyboard.type('20')
    await expect.poll(() => rows.count()).toBeLessThan(all)
    await session.page.keyboard.press('Escape')
    expect(await paneOpen()).toBe(1)
    expect(await minimum.inputValue()).toBe('')
    await expect.poll(() => rows.count()).toBe(all)
    // A number still being typed ("1e") is not empty to the user, though the field's value is.
    await session.page.keyboard.type('1e')
    await session.page.keyboard.press('Escape')
    expect(await paneOpen()).toBe(1)
    expect(await minimum.evaluate((input: HTMLInputElement) => input.validity.badInput)).toBe(false)
    await session.page.keyboard.press('Escape')
    await expect.poll(paneOpen).toBe(0)
    expect(session.errors).toEqual([])
  })

  it('puts the fold threshold back to 3 on Esc with the pane open; Esc at the default closes the pane', async () => {
    const { pane, rows, all } = await waterfall()
    const fold = pane.getByLabel(/^Fold repeated sibling spans/)
    expect(await fold.inputValue()).toBe('3')
    await fold.fill('0')
    await expect.poll(() => rows.count()).toBeGreaterThan(all)
    await session.page.keyboard.press('Escape')
    expect(await paneOpen()).toBe(1)
    expect(await fold.inputValue()).toBe('3')
    await expect.poll(() => rows.count()).toBe(all)
    await session.page.keyboard.press('Escape')
    await expect.poll(paneOpen).toBe(0)
    expect(session.errors).toEqual([])
  })
})
