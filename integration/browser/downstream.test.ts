/**
 * A distributed request as a user sees it: the app with the toolbar calls a downstream Hono
 * service instrumented with the official OpenTelemetry SDK (its own provider, W3C
 * propagation), which sends its spans to the toolbar's receiver, over OTLP/HTTP or Zipkin,
 * only when a test lets it (after the request has finished). The spans join the open
 * waterfall live, under the fetch's CLIENT span, where their timestamps put them; the
 * comparison with an earlier request catches up; the request opened again counts them; a
 * cut event stream catches up too; and a
 * downstream clock 500 ms ahead is adjusted, in the analysis and in the waterfall, and one
 * 1 s ahead in History's trace list too, as specs/analysis.md says.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/downstream.test.ts
 */
import type { AddressInfo, Socket } from 'node:net'
import { serve, type HttpBindings } from '@hono/node-server'
import { Hono } from 'hono'
import { ROOT_CONTEXT, SpanKind, trace, type HrTime } from '@opentelemetry/api'
import { W3CTraceContextPropagator, type ExportResult } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base'
import type { Locator } from 'playwright-core'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import type { ToolbarSpan } from '../../src/core/span-model.js'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { formatDuration } from '../../templates/client/panels/span-tree.js'
import { openPanel, useBrowserSession } from './harness.js'

const WITHIN = { timeout: 10_000 }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The downstream service: what it exported, where to, and when it may send. */
const downstream = {
  exported: [] as ReadableSpan[],
  toolbar: '',
  protocol: 'otlp' as 'otlp' | 'zipkin',
  /** How far the service's clock is ahead of the app's. */
  clockAheadMs: 0,
  gate: Promise.resolve(),
  release: () => {},
}

function holdExports(): void {
  downstream.gate = new Promise((resolve) => (downstream.release = resolve))
}

/** The SDK's exporter in the service: keeps a copy, waits for the test, then sends to the toolbar. */
class HeldExporter implements SpanExporter {
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    downstream.exported.push(...spans)
    void downstream.gate.then(() => {
      const base = `${downstream.toolbar}/_debug_toolbar`
      const exporter = downstream.protocol === 'otlp' ? new OTLPTraceExporter({ url: `${base}/otlp/v1/traces` }) : new ZipkinExporter({ url: `${base}/zipkin/api/v2/spans` })
      exporter.export(spans, done)
    })
  }
  async shutdown(): Promise<void> {}
}

const hr = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)]
const ns = (time: HrTime) => BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])

/**
 * The inventory service: a SERVER span of 30 ms with a query of 20 ms from 5 ms to 25 ms
 * (times given explicitly, on the service's own clock), and an answer after 32 ms. The span
 * starts 1 ms after `Date.now()` (which is up to 1 ms behind the clock the CLIENT span was
 * started on) and ends before the answer: with the same clock it fits in the CLIENT span,
 * so the clock-skew adjustment leaves it where the service put it.
 */
function inventoryApp(): Hono {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'inventory' }),
    spanProcessors: [new SimpleSpanProcessor(new HeldExporter())],
  })
  const tracer = provider.getTracer('inventory', '1.0.0')
  const propagator = new W3CTraceContextPropagator()
  const app = new Hono()
  app.get('/stock/:sku', async (c) => {
    const t0 = Date.now() + 1 + downstream.clockAheadMs
    const parent = propagator.extract(ROOT_CONTEXT, Object.fromEntries(c.req.raw.headers), {
      get: (carrier, key) => carrier[key],
      keys: (carrier) => Object.keys(carrier),
    })
    await sleep(32)
    const server = tracer.startSpan('GET /stock/:sku', { kind: SpanKind.SERVER, startTime: hr(t0), attributes: { 'http.route': '/stock/:sku' } }, parent)
    const query = tracer.startSpan(
      'SELECT stock',
      { kind: SpanKind.CLIENT, startTime: hr(t0 + 5), attributes: { 'db.system.name': 'sqlite', 'db.query.text': `SELECT count FROM stock WHERE sku = '<img src=x onerror=alert(1)>'` } },
      trace.setSpan(parent, server),
    )
    query.addEvent('<b>cache miss</b>', { 'cache.key': '<script>alert(1)</script>' }, hr(t0 + 24))
    query.end(hr(t0 + 25))
    // ?prices=n: one query per item after the stock query, the N+1 pattern.
    for (let i = 0; i < Number(c.req.query('prices') ?? 0); i++) {
      const price = tracer.startSpan(
        'SELECT prices',
        { kind: SpanKind.CLIENT, startTime: hr(t0 + 25 + i), attributes: { 'db.system.name': 'sqlite', 'db.query.text': `SELECT amount FROM prices WHERE item = ${i + 1}` } },
        trace.setSpan(parent, server),
      )
      price.end(hr(t0 + 26 + i))
    }
    server.end(hr(t0 + 30))
    return c.json({ sku: c.req.param('sku'), count: 3 })
  })
  return app
}

let inventoryUrl = ''
const inventory = serve({ fetch: inventoryApp().fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  inventoryUrl = `http://127.0.0.1:${info.port}`
})
afterAll(() => {
  inventory.close()
})

/** The Last-Event-ID of each connection to the event stream, and the open streams (to cut them). */
const lastEventIds: Array<string | undefined> = []
const streams = new Set<Socket>()

function shopApp(): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>()
  app.use('/_debug_toolbar/api/events', async (c, next) => {
    lastEventIds.push(c.req.header('last-event-id'))
    streams.add(c.env.incoming.socket)
    await next()
  })
  const panel = new OpenTelemetryPanel({
    serviceName: 'shop',
    exporter: new InMemorySpanExporter(),
    jaegerUiUrl: 'http://jaeger.example:16686',
    zipkinUiUrl: 'http://zipkin.example:9411',
  })
  app.use(debugToolbar({ app, extraPanels: [panel] }))
  app.get('/', async (c) => {
    const res = await fetch(`${inventoryUrl}/stock/kettle?prices=${c.req.query('prices') ?? 0}`)
    const { count } = (await res.json()) as { count: number }
    return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Shop</title></head><body><h1>Kettle: ${count} in stock</h1></body></html>`)
  })
  return app
}

const session = useBrowserSession(shopApp, { width: 1440, height: 900 })
beforeEach(() => {
  downstream.toolbar = session.server.url
  downstream.protocol = 'otlp'
  downstream.clockAheadMs = 0
  downstream.exported.length = 0
  holdExports()
})

const rows = (pane: Locator) => pane.locator('.hdt-wf-row')
/** The CLIENT span's row label, as a pattern for `row`: `GET <its URL>`. */
const CLIENT_LABEL = 'GET http://127\\.0\\.0\\.1:\\d+/stock/kettle\\?prices=0'
const row = (pane: Locator, name: string) => rows(pane).filter({ has: session.page.locator('.hdt-wf-label', { hasText: new RegExp(`^${name}$`) }) })

async function traceOf(traceId: string): Promise<ToolbarSpan[]> {
  return ((await (await fetch(`${session.server.url}/_debug_toolbar/api/traces/${traceId}`)).json()) as { spans: ToolbarSpan[] }).spans
}

/** Opens the page and its OpenTelemetry panel, following the live events; returns the pane and the trace id. */
async function openShop(path = '/'): Promise<{ pane: Locator; traceId: string }> {
  const { page, server } = session
  await page.goto(`${server.url}${path}`)
  const pane = await openPanel(page, 'OpenTelemetry')
  await pane.locator('[data-hdt-live="live"]').waitFor(WITHIN)
  await rows(pane).first().waitFor(WITHIN)
  return { pane, traceId: (await pane.locator('.hdt-otel-trace-id').textContent()) ?? '' }
}

/** Opens the page with the service's clock `aheadMs` ahead of the app's, and lets its spans join the waterfall. */
async function openSkewedShop(aheadMs: number): Promise<{ pane: Locator; traceId: string }> {
  downstream.clockAheadMs = aheadMs
  const opened = await openShop()
  downstream.release()
  await expect.poll(() => rows(opened.pane).count(), WITHIN).toBe(4)
  return opened
}

describe('a downstream service that reports after the response', () => {
  it.each(['otlp', 'zipkin'] as const)('joins the open waterfall live over %s, under the CLIENT span, at its exported times', async (protocol) => {
    downstream.protocol = protocol
    const { page } = session
    const { pane, traceId } = await openShop()
    expect(await rows(pane).count()).toBe(2)
    downstream.release()
    await expect.poll(() => rows(pane).count(), WITHIN).toBe(4)
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1)

    // Nested as the services called each other, one indent per level.
    const spans = await traceOf(traceId)
    const client = spans.find((s) => s.kind === 'CLIENT' && s.source === 'local')!
    const remote = spans.find((s) => s.name === 'GET /stock/:sku')!
    expect(remote.parentSpanId).toBe(client.spanId)
    // The CLIENT span, named GET as the HTTP conventions name it, with the URL it fetched beside it.
    expect(await rows(pane).locator('.hdt-wf-label').allInnerTexts()).toEqual(['GET /', `GET ${inventoryUrl}/stock/kettle?prices=0`, 'GET /stock/:sku', 'SELECT stock'])
    const indents = await rows(pane).locator('.hdt-wf-name').evaluateAll((cells) => cells.map((cell) => (cell as HTMLElement).style.paddingLeft))
    expect(indents).toEqual(['8px', '22px', '36px', '50px'])

    // Each bar starts where the service's exported start time puts it on the trace's axis.
    const starts = spans.map((s) => BigInt(s.startTimeUnixNano))
    const origin = starts.reduce((a, b) => (a < b ? a : b))
    const last = spans.map((s) => BigInt(s.endTimeUnixNano!)).reduce((a, b) => (a > b ? a : b))
    for (const exported of downstream.exported) {
      const left = await row(pane, exported.name).locator('.hdt-wf-bar').evaluate((bar) => parseFloat((bar as HTMLElement).style.left))
      expect(left).toBeCloseTo((Number(ns(exported.startTime) - origin) / Number(last - origin)) * 100, 3)
    }

    // Two services, two colours, named in the header and where the service changes.
    expect(await pane.locator('.hdt-otel-head .hdt-service-chip').allInnerTexts()).toEqual(['shop', 'inventory'])
    expect(await rows(pane).locator('.hdt-wf-chip').allInnerTexts()).toEqual(['shop', 'inventory'])
    const colours = await rows(pane).locator('.hdt-wf-stripe').evaluateAll((stripes) => stripes.map((s) => getComputedStyle(s).backgroundColor))
    expect(colours[0]).toBe(colours[1])
    expect(colours[2]).toBe(colours[3])
    expect(colours[0]).not.toBe(colours[2])

    // The detail shows the service's attributes and events as text.
    await row(pane, 'SELECT stock').click()
    const detail = pane.locator('.hdt-span-detail')
    const attributes = await detail.locator('.hdt-span-attrs').first().innerText()
    expect(attributes).toContain(`sku = '<img src=x onerror=alert(1)>'`)
    // The service's name is its resource's, not an attribute of the span (Zipkin's exporter copies it into the tags).
    expect(attributes).not.toContain('service.name')
    expect(await detail.locator('h3', { hasText: /^Attributes/ }).innerText()).toMatch(/\(2\)$/)
    expect(await detail.locator('.hdt-span-events strong').innerText()).toBe('<b>cache miss</b>')
    expect(await detail.locator('img, b, script').count()).toBe(0)
    expect(await detail.locator('.hdt-span-event-offset').innerText()).toBe('+19.0 ms')
    const query = spans.find((s) => s.name === 'SELECT stock')!
    expect(await detail.locator('.hdt-span-jaeger').getAttribute('href')).toBe(`http://jaeger.example:16686/trace/${traceId}?uiFind=${query.spanId}`)
    expect(await pane.getByRole('link', { name: 'Open in Jaeger ↗' }).first().getAttribute('href')).toBe(`http://jaeger.example:16686/trace/${traceId}`)
    expect(await pane.getByRole('link', { name: 'Open in Zipkin ↗' }).getAttribute('href')).toBe(`http://zipkin.example:9411/zipkin/traces/${traceId}`)
    expect(session.errors).toEqual([])
  })

  it("updates the comparison with an earlier request when this request's downstream spans arrive", async () => {
    const { server } = session
    downstream.release()
    const before = await fetch(`${server.url}/`)
    await before.text()
    const beforeTrace = /00-([0-9a-f]{32})-/.exec(before.headers.get('server-timing') ?? '')![1]!
    await expect.poll(async () => (await traceOf(beforeTrace)).length, WITHIN).toBe(4)
    holdExports()

    const { pane } = await openShop()
    await pane.getByRole('tab', { name: 'Compare' }).click()
    const summary = pane.locator('.hdt-compare-summary')
    await expect.poll(() => summary.innerText(), WITHIN).toMatch(/0 spans added, 2 removed$/)
    downstream.release()
    // The service's spans are in both traces now: nothing was removed.
    await expect.poll(() => summary.innerText(), WITHIN).toMatch(/0 spans added, 0 removed$/)
    expect(await pane.getByRole('region', { name: 'Removed' }).innerText()).toContain('None.')
    expect(session.errors).toEqual([])
  })

  it('counts the late spans in the panel list, live and when the request is opened again', async () => {
    const { page, server } = session
    const response = await page.goto(`${server.url}/`)
    const requestId = response!.headers()['x-debug-toolbar-request-id']!
    const pane = await openPanel(page, 'OpenTelemetry')
    await rows(pane).first().waitFor(WITHIN)
    expect(await page.locator('#hono-debug-toolbar .hdt-pane-subtitle').innerText()).toBe('2 spans')
    downstream.release()
    await expect.poll(() => rows(pane).count(), WITHIN).toBe(4)
    const openTrace = await pane.locator('.hdt-otel-trace-id').innerText()
    await expect.poll(() => page.locator('#hono-debug-toolbar .hdt-pane-subtitle').innerText(), WITHIN).toBe('4 spans')
    expect(await page.locator('#hono-debug-toolbar .hdt-nav-item', { hasText: 'OpenTelemetry' }).innerText()).toContain('4 spans')
    // The open waterfall stays as it was (the same trace, the same rows).
    expect([await pane.locator('.hdt-otel-trace-id').innerText(), await rows(pane).count()]).toEqual([openTrace, 4])

    // Later, from the history (or a link): the request as it is now.
    await page.goto(`${server.url}/_debug_toolbar/requests/${requestId}`)
    const again = await openPanel(page, 'OpenTelemetry')
    await expect.poll(() => rows(again).count(), WITHIN).toBe(4)
    expect(await page.locator('#hono-debug-toolbar .hdt-pane-subtitle').innerText()).toBe('4 spans')
    expect(await page.locator('#hono-debug-toolbar .hdt-nav-item', { hasText: 'OpenTelemetry' }).innerText()).toContain('4 spans')
    expect(await again.locator('.hdt-otel-head').innerText()).toContain('2 received')
    expect(session.errors).toEqual([])
  })

  it('counts the spans that joined before the live events were followed, once a live panel opens', async () => {
    const { page, server } = session
    const response = await page.goto(`${server.url}/`)
    const traceId = /00-([0-9a-f]{32})-/.exec(response!.headers()['server-timing'] ?? '')![1]!
    // The Time panel follows no live events: the stream stays shut while the service's spans come.
    const time = await openPanel(page, 'Time')
    await time.getByText('Total').first().waitFor(WITHIN)
    const subtitle = page.locator('#hono-debug-toolbar .hdt-nav-item[data-hdt-panel="opentelemetry"] .hdt-nav-subtitle')
    expect(await subtitle.innerText()).toBe('2 spans')
    downstream.release()
    await expect.poll(async () => (await traceOf(traceId)).length, WITHIN).toBe(4)
    // A second on: the detail in hand is older than the stream that opens next.
    await page.waitForTimeout(1_000)
    expect(await subtitle.innerText()).toBe('2 spans')

    // Opening a live panel opens the stream: the figures are read again, not only the waterfall.
    const pane = await openPanel(page, 'OpenTelemetry')
    await expect.poll(() => rows(pane).count(), WITHIN).toBe(4)
    await expect.poll(() => subtitle.innerText(), WITHIN).toBe('4 spans')
    expect(await page.locator('#hono-debug-toolbar .hdt-pane-subtitle').innerText()).toBe('4 spans')
    expect(session.errors).toEqual([])
  })

  it("folds the service's repeated queries without sending the user to this app's SQL panel, which does not have them", async () => {
    const { pane } = await openShop('/?prices=3')
    downstream.release()
    const group = pane.locator('.hdt-wf-group')
    await group.waitFor(WITHIN)
    expect(await group.locator('.hdt-wf-label').textContent()).toBe('SELECT prices ×3')
    const badge = group.locator('.hdt-wf-nplus1')
    expect(await badge.innerText()).toBe('N+1')
    expect(await badge.getAttribute('title')).toContain('inventory')
    expect(await group.getByRole('button', { name: /N\+1/ }).count()).toBe(0)
    // The folded row keeps its service's colour stripe, as every row does.
    const stripe = (locator: Locator) => locator.locator('.hdt-wf-stripe').evaluate((el) => getComputedStyle(el).backgroundColor)
    expect(await stripe(group)).toBe(await stripe(row(pane, 'SELECT stock')))
    expect(session.errors).toEqual([])
  })

  it('catches up after the event stream was cut while the spans arrived', async () => {
    const { pane } = await openShop()
    const connections = lastEventIds.length
    for (const socket of streams) socket.destroy()
    streams.clear()
    await pane.locator('[data-hdt-live="reconnecting"]').waitFor(WITHIN)
    downstream.release()
    await pane.locator('[data-hdt-live="live"]').waitFor({ timeout: 15_000 })
    await expect.poll(() => rows(pane).count(), WITHIN).toBe(4)
    // The browser reconnected by itself, saying what it had already seen.
    expect(lastEventIds[connections]).toMatch(/^\d+$/)
  })

  it('adjusts a downstream clock 500 ms ahead: the analysis counts, and the waterfall draws, its spans inside the CLIENT span', async () => {
    const { page } = session
    const { pane, traceId } = await openSkewedShop(500)
    await pane.locator('.hdt-otel-analysis-note', { hasText: 'critical path: 4 spans' }).waitFor(WITHIN)
    const spans = await traceOf(traceId)
    const client = spans.find((s) => s.kind === 'CLIENT' && s.source === 'local')!
    const clientNs = Number(BigInt(client.endTimeUnixNano!) - BigInt(client.startTimeUnixNano))
    // Ahead by 500 ms, the service's SERVER span starts after the CLIENT span that called it ended.
    const remote = spans.find((s) => s.name === 'GET /stock/:sku')!
    expect(BigInt(remote.startTimeUnixNano)).toBeGreaterThan(BigInt(client.endTimeUnixNano!))

    // Shifted into the CLIENT span, the service's 30 ms are not the CLIENT span's own time.
    await row(pane, CLIENT_LABEL).click()
    const self = pane.locator('.hdt-span-detail .hdt-span-self')
    await expect.poll(() => self.innerText(), WITHIN).toMatch(/on the critical path/)
    expect(await self.innerText()).toContain(formatDuration(clientNs - 30e6))
    expect(await pane.locator('.hdt-span-detail .hdt-span-skew').count()).toBe(0)
    await pane.getByRole('tab', { name: 'Statistics' }).click()
    const line = (name: string) => pane.locator('.hdt-trace-stats tbody tr', { has: session.page.locator('td', { hasText: new RegExp(`^${name}$`) }) }).locator('td').allInnerTexts()
    expect(await line('GET /stock/:sku')).toEqual(['inventory', 'GET /stock/:sku', '1', '30.0 ms', '30.0 ms', '10.0 ms', '30.0 ms'])
    expect(await line('SELECT stock')).toEqual(['inventory', 'SELECT stock', '1', '20.0 ms', '20.0 ms', '20.0 ms', '20.0 ms'])

    // The waterfall draws the same adjusted times: the service's bars inside the CLIENT span's,
    // on an axis that ends with the request rather than 50 ms later.
    await pane.getByRole('tab', { name: 'Waterfall' }).click()
    const box = async (name: string) => row(pane, name).locator('.hdt-wf-bar').evaluate((bar) => [parseFloat((bar as HTMLElement).style.left), parseFloat((bar as HTMLElement).style.width)])
    const [clientLeft, clientWidth] = await box(CLIENT_LABEL)
    const [remoteLeft, remoteWidth] = await box('GET /stock/:sku')
    const [queryLeft, queryWidth] = await box('SELECT stock')
    expect(remoteLeft).toBeGreaterThanOrEqual(clientLeft!)
    expect(remoteLeft! + remoteWidth!).toBeLessThanOrEqual(clientLeft! + clientWidth! + 1e-6)
    expect(queryLeft).toBeGreaterThanOrEqual(remoteLeft!)
    expect(queryLeft! + queryWidth!).toBeLessThanOrEqual(remoteLeft! + remoteWidth! + 1e-6)
    const root = spans.find((s) => s.name === 'GET /')!
    const rootNs = Number(BigInt(root.endTimeUnixNano!) - BigInt(root.startTimeUnixNano))
    expect(await pane.locator('.hdt-otel-head').innerText()).toContain(`${formatDuration(rootNs)} total`)
    // Both of the service's rows are marked; the app's are not.
    expect(await rows(pane).filter({ has: page.locator('.hdt-wf-skew') }).locator('.hdt-wf-label').allInnerTexts()).toEqual(['GET /stock/:sku', 'SELECT stock'])

    // Its detail says it was moved, by how much (to the middle of the CLIENT span), and what it sent.
    const shiftNs = Number(BigInt(client.startTimeUnixNano) - BigInt(remote.startTimeUnixNano)) + (clientNs - 30e6) / 2
    expect(shiftNs).toBeLessThan(0)
    await row(pane, 'GET /stock/:sku').click()
    const detail = pane.locator('.hdt-span-detail')
    expect(await detail.locator('.hdt-span-skew').innerText()).toBe(
      `adjusted drawn ${formatDuration(-shiftNs)} earlier than its own clock says (its service's clock differs from its parent's)`,
    )
    const received = await detail.locator('.hdt-span-received').innerText()
    expect(received).toContain(`start ${new Date(Number(BigInt(remote.startTimeUnixNano) / 1_000_000n)).toISOString().slice(0, 19).replace('T', ' ')}.${remote.startTimeUnixNano.slice(-9)} UTC`)
    expect(received).toContain(`end ${new Date(Number(BigInt(remote.endTimeUnixNano!) / 1_000_000n)).toISOString().slice(0, 19).replace('T', ' ')}.${remote.endTimeUnixNano!.slice(-9)} UTC`)
    expect(await detail.locator('dt', { hasText: /^Duration$/ }).locator('xpath=following-sibling::dd[1]').innerText()).toBe('30.0 ms')
    expect(session.errors).toEqual([])
  })

  it("lists a trace whose downstream clock is 1 s ahead in History's Traces with the duration its waterfall's header says", async () => {
    const { page } = session
    const { pane, traceId } = await openSkewedShop(1000)
    const total = pane.locator('.hdt-otel-head span', { hasText: / total/ }).locator('strong')
    const waterfallSays = await total.innerText()
    // As received the trace runs on for a second after the request: the header draws it without that second.
    const spans = await traceOf(traceId)
    const remote = spans.find((s) => s.name === 'GET /stock/:sku')!
    const root = spans.find((s) => s.name === 'GET /')!
    expect(waterfallSays).toBe(formatDuration(Number(BigInt(root.endTimeUnixNano!) - BigInt(root.startTimeUnixNano))))
    expect(BigInt(remote.endTimeUnixNano!) - BigInt(root.startTimeUnixNano)).toBeGreaterThan(1_000_000_000n)

    const history = await openPanel(page, 'History')
    const line = history.locator(`.hdt-traces [data-hdt-trace-row="${traceId}"]`)
    await line.waitFor(WITHIN)
    // The duration cell's own figure (a note about the response may follow it).
    const listed = () => line.locator('td.hdt-num:not(.hdt-trace-spans)').evaluate((cell) => cell.firstChild?.textContent ?? '')
    await expect.poll(listed, WITHIN).toBe(waterfallSays)
    expect(await line.locator('.hdt-service-chip').allInnerTexts()).toEqual(['shop', 'inventory'])
    expect(session.errors).toEqual([])
  })
})
