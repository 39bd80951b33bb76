/**
 * Hostile data everywhere a user's data flows into a view, in a real browser: the path and
 * query, a header, a cookie, SQL text and params, log lines and their attributes, a template
 * name, and spans a downstream service sent over OTLP/HTTP and Zipkin (names, attributes,
 * events, links, resource, `javascript:` URLs), then the debug error and 404 pages. Every
 * panel, the waterfall and each span's detail, Statistics, Compare, History and the
 * full-page view are opened with a trap on `alert` and on the payloads' own calls: no script
 * may run, and the text must show as it was written.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/hostile-data.test.ts
 */
import Database from 'better-sqlite3'
import { trace } from '@opentelemetry/api'
import { Hono } from 'hono'
import type { Page } from 'playwright-core'
import { beforeEach, describe, expect, it } from 'vitest'
import { debugToolbar, instrumentBetterSqlite3, recordLog, renderTemplate } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { openPanel, openToolbar, useBrowserSession } from './harness.js'

/** Each payload calls `__pwn(n)` if it ever runs; the trap counts the calls. */
const IMG = '<img src=x onerror=__pwn(1)>'
const SCRIPT = '</script><script>__pwn(2)</script>'
const SVG = '<svg/onload=__pwn(3)>'
const JS_URL = 'javascript:__pwn(4)'
const WITHIN = { timeout: 10_000 }

function hostileApp(): Hono {
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)')
  const app = new Hono()
  app.use(
    debugToolbar({
      app,
      extraPanels: [new OpenTelemetryPanel({ serviceName: `shop ${SVG}`, exporter: 'none', resourceAttributes: { 'deployment.environment': SCRIPT } })],
    }),
  )
  app.get('/notes/:name', (c) => {
    db.prepare(`SELECT body FROM notes WHERE body <> '${IMG}' AND id = ?`).all(SCRIPT)
    db.prepare('INSERT INTO notes (body) VALUES (?)').run(SVG)
    console.log('note %s', IMG)
    recordLog('warn', `${SCRIPT} ${SVG}`, { note: IMG, 'url.full': JS_URL })
    const body = renderTemplate(`note ${IMG}`, () => `<h1>note</h1>`)
    c.header('x-note', SCRIPT)
    const span = trace.getActiveSpan()?.spanContext()
    c.header('x-span', `${span?.traceId}/${span?.spanId}`)
    return c.html(`<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>${body}</body></html>`)
  })
  app.get('/boom', () => {
    throw new Error(`failed ${IMG} ${SCRIPT}`, { cause: new Error(SVG) })
  })
  return app
}

const session = useBrowserSession(hostileApp, { width: 1440, height: 900 })

/** Puts the trap in place before any script of the page runs. */
async function trap(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const calls: unknown[] = []
    Object.assign(window, { __calls: calls, __pwn: (n: unknown) => calls.push(n), alert: (m: unknown) => calls.push(`alert ${m}`) })
  })
  page.on('dialog', (dialog) => void dialog.dismiss())
}

const calls = (page: Page) => page.evaluate(() => (window as unknown as { __calls: unknown[] }).__calls)

/** OTLP/JSON spans under `parent`, full of payloads. */
function otlpSpans(traceId: string, parent: string) {
  const text = (value: string) => ({ stringValue: value })
  const attributes = [
    { key: 'url.full', value: text(JS_URL) },
    { key: 'http.url', value: text(JS_URL) },
    { key: 'note', value: text(SCRIPT) },
    { key: IMG, value: { arrayValue: { values: [text(SVG)] } } },
  ]
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: text(`inventory ${IMG}`) }, { key: 'host.name', value: text(SCRIPT) }] },
        scopeSpans: [
          {
            scope: { name: SVG, version: SCRIPT },
            spans: [
              {
                traceId,
                spanId: 'aa'.repeat(8),
                parentSpanId: parent,
                name: `GET ${IMG}`,
                kind: 2,
                startTimeUnixNano: `${BigInt(Date.now()) * 1_000_000n}`,
                endTimeUnixNano: `${(BigInt(Date.now()) + 5n) * 1_000_000n}`,
                attributes,
                events: [{ name: SCRIPT, timeUnixNano: `${(BigInt(Date.now()) + 1n) * 1_000_000n}`, attributes }],
                links: [{ traceId: 'cd'.repeat(16), spanId: 'ef'.repeat(8), attributes }],
                status: { code: 2, message: `${SVG} ${JS_URL}` },
              },
            ],
          },
        ],
      },
    ],
  }
}

/** A Zipkin v2 span under `parent`, full of payloads. */
function zipkinSpans(traceId: string, parent: string) {
  const now = Date.now() * 1000
  return [
    {
      traceId,
      id: 'bb'.repeat(8),
      parentId: parent,
      name: `zipkin ${SVG}`,
      kind: 'CLIENT',
      timestamp: now,
      duration: 3000,
      localEndpoint: { serviceName: `billing ${SCRIPT}` },
      remoteEndpoint: { serviceName: IMG },
      tags: { 'url.full': JS_URL, error: IMG },
      annotations: [{ timestamp: now + 1000, value: SCRIPT }],
    },
  ]
}

describe('hostile data in every view', () => {
  beforeEach(async () => {
    await trap(session.page)
  })

  it('runs no script and shows the text as written in every panel, the waterfall, span details, Statistics, Compare and History', async () => {
    const { page, server } = session
    // An earlier request, for Compare.
    await (await fetch(`${server.url}/notes/first`)).text()
    await page.context().addCookies([{ name: 'note', value: SVG, url: server.url }])
    const res = await page.goto(`${server.url}/notes/${encodeURIComponent(IMG)}?q=${encodeURIComponent(SCRIPT)}&u=${encodeURIComponent(JS_URL)}`)
    const [traceId, parent] = res!.headers()['x-span']!.split('/') as [string, string]
    const base = `${server.url}/_debug_toolbar`
    const otlp = await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlpSpans(traceId, parent)) })
    expect(otlp.status).toBe(200)
    const zipkin = await fetch(`${base}/zipkin/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(zipkinSpans(traceId, parent)) })
    expect(zipkin.status).toBe(202)

    const sidebar = await openToolbar(page)
    const titles = await sidebar.locator('.hdt-nav-title').allTextContents()
    const seen: string[] = []
    for (const title of titles) {
      const pane = await openPanel(page, title)
      seen.push(await pane.innerText())
      if (title !== 'OpenTelemetry') continue
      const rows = pane.locator('.hdt-wf-row')
      await expect.poll(() => rows.count(), WITHIN).toBeGreaterThanOrEqual(4)
      for (let i = 0; i < (await rows.count()); i++) {
        await rows.nth(i).click()
        const detail = pane.locator('.hdt-span-detail')
        await detail.waitFor()
        seen.push(await detail.innerText())
        // No link built from a span's data may run script.
        const hrefs = await pane.locator('a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''))
        expect(hrefs.filter((href) => !/^(https?:|\/)/i.test(href))).toEqual([])
      }
      for (const view of ['Statistics', 'Compare']) {
        await pane.getByRole('tab', { name: view }).click()
        await page.waitForTimeout(500)
        seen.push(await pane.innerText())
      }
    }
    const history = await openPanel(page, 'History')
    await history.locator('tr[data-hdt-history]').first().waitFor()
    seen.push(await history.innerText())

    const text = seen.join('\n')
    for (const payload of [IMG, SCRIPT, SVG, JS_URL]) expect(text, payload).toContain(payload)
    expect(await page.locator('#hono-debug-toolbar img, #hono-debug-toolbar svg[onload], #hono-debug-toolbar script').count()).toBe(0)
    expect(await calls(page)).toEqual([])

    // The full-page view of the same request.
    const id = res!.headers()['x-debug-toolbar-request-id']!
    await page.goto(`${base}/requests/${id}`)
    const pane = await openPanel(page, 'Request')
    expect(await pane.innerText()).toContain(IMG)
    expect(await calls(page)).toEqual([])
  })

  it('runs no script on the debug error and 404 pages', async () => {
    const { page, server } = session
    const failed = await page.goto(`${server.url}/boom?q=${encodeURIComponent(SCRIPT)}`)
    expect(failed!.status()).toBe(500)
    const body = await page.locator('body').innerText()
    expect(body).toContain(`failed ${IMG} ${SCRIPT}`)
    expect(body).toContain(SVG)
    await openToolbar(page)
    const missing = await page.goto(`${server.url}/${IMG}`)
    expect(missing!.status()).toBe(404)
    expect(await page.locator('body').innerText()).toContain(`No route matched GET /${IMG}`)
    await openToolbar(page)
    expect(await calls(page)).toEqual([])
    // The trap itself: the same payload put into the page as markup runs.
    await page.evaluate((html) => document.body.insertAdjacentHTML('beforeend', html), IMG)
    await expect.poll(() => calls(page)).toEqual([1])
  })
})
