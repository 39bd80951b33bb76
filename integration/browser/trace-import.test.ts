/**
 * The waterfall's header for an imported OTLP/JSON file shown in place of the request's
 * trace, in a real browser: its counts are the imported trace's, not the request's.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/trace-import.test.ts
 */
import { Hono } from 'hono'
import { trace } from '@opentelemetry/api'
import type { Page } from 'playwright-core'
import { beforeEach, describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, otlpJsonFromToolbarSpans } from '../../src/opentelemetry/index.js'
import { ANALYSIS_CASES, caseSpans } from '../../test/support/analysis-cases.js'
import { openPanel, useBrowserSession, type ServedApp } from './harness.js'

const WITHIN = { timeout: 10_000 }

/** A page whose trace has more spans than the panel keeps: three of its six are dropped. */
function boundedApp(): Hono {
  const app = new Hono()
  app.use(debugToolbar({ app, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', maxSpansPerTrace: 3 })] }))
  app.get('/', (c) => {
    const tracer = trace.getTracer('shop')
    for (let i = 0; i < 5; i++) tracer.startSpan(`step ${i}`).end()
    return c.html('<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>shop</title></head><body>ok</body></html>')
  })
  return app
}

let server: ServedApp
let page: Page
let errors: string[]
const session = useBrowserSession(() => boundedApp(), { width: 1280, height: 800 })
beforeEach(() => {
  ;({ server, page, errors } = session)
})

describe('an imported trace shown in place of the request', () => {
  it("counts the imported trace's dropped spans in the header, not the request's", async () => {
    await page.goto(`${server.url}/`)
    const pane = await openPanel(page, 'OpenTelemetry')
    const head = pane.locator('.hdt-otel-head')
    await expect.poll(() => head.innerText(), WITHIN).toContain('3 dropped')

    // Every header the page draws from here on: none may pair the imported trace's id with the request's counts.
    await pane.evaluate((element) => {
      const seen: string[] = []
      ;(window as unknown as { headers: string[] }).headers = seen
      new MutationObserver(() => {
        const head = element.querySelector<HTMLElement>('.hdt-otel-head')
        if (head && seen.at(-1) !== head.innerText) seen.push(head.innerText)
      }).observe(element, { subtree: true, childList: true, characterData: true })
    })
    const spans = caseSpans(ANALYSIS_CASES[1]!, 'whole')
    await pane.getByLabel('OTLP/JSON file to import').setInputFiles({ name: 'whole.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(otlpJsonFromToolbarSpans(spans))) })
    await pane.locator('.hdt-otel-imported', { hasText: spans[0]!.traceId }).waitFor(WITHIN)
    await expect.poll(() => head.innerText(), WITHIN).toContain(`${spans.length} spans`)
    expect(await head.innerText()).toContain('0 dropped')
    const drawn = await page.evaluate(() => (window as unknown as { headers: string[] }).headers)
    const importedHeads = drawn.filter((text) => text.includes(spans[0]!.traceId))
    expect(importedHeads.length).toBeGreaterThan(0)
    expect(importedHeads.filter((text) => !text.includes('0 dropped'))).toEqual([])
    expect(errors).toEqual([])
  })
})
