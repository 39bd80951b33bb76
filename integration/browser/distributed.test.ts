/**
 * The distributed example in a real browser: the shop page's OpenTelemetry panel shows
 * the inventory service's spans (sent by the OpenTelemetry JS SDK in another process) in
 * the same waterfall, the header names both services, and the History panel's trace list
 * shows that trace beside a trace that only arrived through the receiver (a job of another
 * service), whose waterfall opens in place.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/distributed.test.ts
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collectErrors, launchBrowser, openPanel } from './harness.js'

const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname
const START = new URL('../../dist/examples/distributed/start.js', import.meta.url).pathname

let child: ChildProcess
let browser: Browser
let page: Page
let errors: string[]
let url: string

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  child = spawn(process.execPath, [START], { env: { ...process.env, PORT: '0', INVENTORY_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /shop frontend with the debug toolbar: (http:\/\/\S+)\//.exec(output)
      if (match) resolve(match[1]!)
    })
    child.once('exit', (code) => reject(new Error(`the example exited with ${code}: ${output}`)))
  })
  browser = await launchBrowser()
  page = await (await browser.newContext({ viewport: { width: 1280, height: 760 }, colorScheme: 'light' })).newPage()
  errors = collectErrors(page)
})

afterAll(async () => {
  await browser?.close()
  child?.kill('SIGTERM')
})

/** A job of another service that the toolbar never recorded, sent as OTLP/JSON. */
async function sendJobTrace(): Promise<string> {
  const traceId = 'c0ffee'.padEnd(32, '1')
  const now = BigInt(Date.now()) * 1_000_000n
  const span = (spanId: string, name: string, parentSpanId: string, startMs: number, endMs: number) => ({
    traceId, spanId, parentSpanId, name, kind: 1,
    startTimeUnixNano: String(now + BigInt(startMs) * 1_000_000n), endTimeUnixNano: String(now + BigInt(endMs) * 1_000_000n),
  })
  const body = {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'nightly-report' } }] },
      scopeSpans: [{ scope: { name: 'report' }, spans: [span('a'.repeat(16), 'build report', '', 0, 40), span('b'.repeat(16), 'render PDF', 'a'.repeat(16), 10, 35)] }],
    }],
  }
  const res = await fetch(`${url}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  expect(res.status).toBe(200)
  return traceId
}

describe('the distributed example in the browser', () => {
  it("shows the inventory service's spans in the shop page's waterfall, both services named in the header", async () => {
    await page.goto(`${url}/`)
    await page.getByText('Kettle: 12 in stock').waitFor()
    const pane = await openPanel(page, 'OpenTelemetry')
    const query = pane.locator('.hdt-wf-row').filter({ has: page.locator('.hdt-wf-label', { hasText: 'SELECT products' }) })
    // The service sends its spans as they end; Refresh fetches the trace again until they are in.
    await expect
      .poll(async () => {
        if ((await query.count()) === 0) await pane.getByRole('button', { name: 'Refresh' }).click()
        return query.count()
      }, { timeout: 15_000 })
      .toBe(1)
    expect(await pane.locator('.hdt-otel-head .hdt-service-chip').allTextContents()).toEqual(['shop-frontend', 'inventory'])
    const chips = await pane.locator('.hdt-wf-row .hdt-wf-chip').allTextContents()
    expect(chips).toEqual(['shop-frontend', 'inventory'])
    await expect.poll(() => pane.locator('.hdt-otel-head').textContent()).toMatch(/2 received/)
    // The panel's title and its line in the list count the inventory's spans too, once they joined.
    await expect.poll(() => page.locator('#hono-debug-toolbar .hdt-pane-subtitle').innerText(), { timeout: 5_000 }).toBe('4 spans')
    expect(await page.locator('#hono-debug-toolbar .hdt-nav-item[data-hdt-panel="opentelemetry"] .hdt-nav-subtitle').innerText()).toBe('4 spans')
    await page.screenshot({ path: `${SCREENSHOTS}distributed.png` })
    expect(errors).toEqual([])
  })

  it("lists the traces beside the history, opening a received trace's waterfall in place", async () => {
    const jobTraceId = await sendJobTrace()
    const pane = await openPanel(page, 'History')
    const list = pane.locator('.hdt-traces')
    const job = list.locator(`[data-hdt-trace-row="${jobTraceId}"]`)
    await job.waitFor()
    expect(await job.locator('.hdt-service-chip').allTextContents()).toEqual(['nightly-report'])
    const shop = list.locator('tbody tr').filter({ has: page.locator('code', { hasText: /^GET \/$/ }) }).first()
    expect(await shop.locator('.hdt-service-chip').allTextContents()).toEqual(['shop-frontend', 'inventory'])
    await job.getByRole('button', { name: 'Waterfall' }).click()
    const waterfall = list.locator(`[data-hdt-trace="${jobTraceId}"]`)
    await waterfall.locator('.hdt-wf-label', { hasText: 'render PDF' }).waitFor()
    await list.scrollIntoViewIfNeeded()
    await page.screenshot({ path: `${SCREENSHOTS}traces.png` })
    // A span's detail has its self time and critical path here too, as in the request's own waterfall.
    await waterfall.locator('.hdt-wf-label', { hasText: 'render PDF' }).click()
    const self = list.locator('.hdt-span-detail .hdt-span-self')
    await expect.poll(() => self.innerText()).toMatch(/^[\d.]+ (ns|µs|ms|s)/)
    expect(await self.innerText()).not.toContain('analysing')
    expect(errors).toEqual([])
  })

  it('gives a service the same colour in every trace of the list, and other services other colours', async () => {
    const pane = await openPanel(page, 'History')
    const list = pane.locator('.hdt-traces')
    const colours = async (traceId: string) => {
      const row = list.locator(`[data-hdt-trace-row="${traceId}"]`)
      await row.waitFor()
      const chips = row.locator('.hdt-service-chip')
      const names = await chips.allTextContents()
      const fills = await chips.evaluateAll((els) => els.map((el) => getComputedStyle(el).backgroundColor))
      return Object.fromEntries(names.map((name, i) => [name, fills[i]]))
    }
    const job = await colours('c0ffee'.padEnd(32, '1'))
    const shop = await colours((await (await fetch(`${url}/_debug_toolbar/api/traces?service=shop-frontend&limit=1`)).json()).traces[0].traceId)
    // nightly-report and shop-frontend are each first in their trace: they are still told apart.
    expect(job['nightly-report']).not.toBe(shop['shop-frontend'])
    expect(shop['inventory']).not.toBe(shop['shop-frontend'])
    // The same inventory service, first in a trace of its own, keeps the colour it has in the shop's.
    const traceId = 'beef'.padEnd(32, '2')
    const now = BigInt(Date.now()) * 1_000_000n
    const body = {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'inventory' } }] },
        scopeSpans: [{ scope: { name: 'restock' }, spans: [{ traceId, spanId: 'c'.repeat(16), name: 'restock', kind: 1, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 5_000_000n) }] }],
      }],
    }
    expect((await fetch(`${url}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status).toBe(200)
    await pane.getByRole('button', { name: 'Refresh' }).last().click()
    expect((await colours(traceId))['inventory']).toBe(shop['inventory'])
    expect(errors).toEqual([])
  })
})
