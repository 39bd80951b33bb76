/**
 * The toolbar's trace in real Jaeger and Zipkin: an app with the OpenTelemetry panel exports
 * a request over OTLP gRPC to Jaeger v2 and over HTTP to Zipkin; the trace is then read back
 * from each one's query API by the trace id the panel shows, and the panel's "Open in Jaeger"
 * and "Open in Zipkin" links lead to that trace in those UIs.
 *
 * Needs a container runtime (Docker or Podman). Without one the suite is skipped, and says why.
 *
 * npx vitest run integration/containers.test.ts
 */
import Database from 'better-sqlite3'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { debugToolbar, instrumentBetterSqlite3, recordLog, renderTemplate, uninstallConsoleCapture } from '../src/index.js'
import { OpenTelemetryPanel, type OpenTelemetryPanelOptions, type OpenTelemetryStats } from '../src/opentelemetry/index.js'
import {
  detectContainerRuntime,
  jaegerTrace,
  pollUntil,
  startJaeger,
  startZipkin,
  zipkinTrace,
  type StartedJaeger,
  type StartedZipkin,
} from './support/containers.js'
import { withSpans, type StatsWithSpans } from '../test/support/trace-spans.js'

const runtime = await detectContainerRuntime()
if (!runtime.available) console.log(`containers: skipped: ${runtime.reason}`)

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }
/** Collectors store spans a moment after accepting them. */
const STORED_WITHIN_MS = 30_000
const SPAN_KIND_SERVER = 2
const SPAN_KIND_CLIENT = 3

/** A small shop: a query on a real SQLite database, a log line and a render per request. */
function shopApp(panel: OpenTelemetryPanel) {
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT NOT NULL);
           INSERT INTO orders (item) VALUES ('kettle'), ('teapot');`)
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [panel] }))
  app.get('/orders/:id', (c) => {
    const order = db.prepare('SELECT id, item FROM orders WHERE id = ?').get(Number(c.req.param('id'))) as { id: number; item: string }
    recordLog('info', `order ${order.id}: ${order.item}`)
    return c.html(renderTemplate('order', () => `<html><body><h1>${order.item}</h1></body></html>`))
  })
  return app
}

/** Makes a request as a loopback client and returns what the OpenTelemetry panel shows for it. */
async function requestAndPanel(app: Hono, path: string): Promise<StatsWithSpans> {
  const res = await app.request(path, undefined, loopback)
  expect(res.status).toBe(200)
  await res.text()
  const id = res.headers.get('x-debug-toolbar-request-id')
  const detail = await (await app.request(`/_debug_toolbar/api/requests/${id}`, undefined, loopback)).json()
  return withSpans(app, detail.panels.opentelemetry as OpenTelemetryStats)
}

async function withPanel(options: OpenTelemetryPanelOptions, run: (panel: OpenTelemetryPanel) => Promise<void>): Promise<void> {
  const panel = new OpenTelemetryPanel({ serviceName: 'shop', ...options })
  try {
    await run(panel)
  } finally {
    await panel.shutdown()
  }
}

describe.skipIf(!runtime.available)('export to Jaeger and Zipkin in containers', () => {
  let jaeger: StartedJaeger | undefined
  let zipkin: StartedZipkin | undefined

  beforeAll(async () => {
    // Pulling the images can take minutes the first time.
    await Promise.all([startJaeger().then((j) => (jaeger = j)), startZipkin().then((z) => (zipkin = z))])
  }, 300_000)

  afterAll(async () => {
    uninstallConsoleCapture()
    await Promise.all([jaeger?.stop(), zipkin?.stop()])
  }, 60_000)

  it('finds the trace in Jaeger, exported over OTLP gRPC, where the panel\'s link points', async () => {
    const { otlpGrpcUrl, uiUrl } = jaeger!
    await withPanel({ exporter: 'otlp', otlpProtocol: 'grpc', otlpEndpoint: otlpGrpcUrl, jaegerUiUrl: uiUrl }, async (panel) => {
      const stats = await requestAndPanel(shopApp(panel), '/orders/2')
      expect(stats.traceId).toMatch(/^[0-9a-f]{32}$/)
      await panel.forceFlush()
      expect(panel.exporter!.status().successes).toBeGreaterThan(0)

      const spans = await pollUntil(
        () => jaegerTrace(uiUrl, stats.traceId),
        (found) => found.some((s) => s.kind === SPAN_KIND_SERVER) && found.some((s) => s.kind === SPAN_KIND_CLIENT) && found.some((s) => s.name === 'render order'),
        STORED_WITHIN_MS,
      )
      expect(spans.every((s) => s.traceId === stats.traceId)).toBe(true)
      const server = spans.find((s) => s.kind === SPAN_KIND_SERVER)!
      expect(server.name).toBe('GET /orders/:id')
      expect(server.serviceName).toBe('shop')
      expect(server.spanId).toBe(stats.spans.find((s) => s.kind === 'SERVER')!.spanId)
      // The SQL query, converted from the SQL panel's data, is a child of the request span.
      const query = spans.find((s) => s.kind === SPAN_KIND_CLIENT)!
      expect(query.parentSpanId).toBe(server.spanId)
      expect(query.attributes?.find((a) => a.key === 'db.query.text')?.value.stringValue).toBe('SELECT id, item FROM orders WHERE id = ?')

      expect(stats.links.jaeger).toBe(`${uiUrl}/trace/${stats.traceId}`)
      const page = await fetch(stats.links.jaeger)
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toContain('text/html')
    })
  })

  it('finds the trace in Zipkin, where the panel\'s link points', async () => {
    const { spansUrl, uiUrl } = zipkin!
    await withPanel({ exporter: 'zipkin', zipkinEndpoint: spansUrl, zipkinUiUrl: uiUrl }, async (panel) => {
      const stats = await requestAndPanel(shopApp(panel), '/orders/1')
      await panel.forceFlush()
      expect(panel.exporter!.status().successes).toBeGreaterThan(0)

      const spans = await pollUntil(
        () => zipkinTrace(uiUrl, stats.traceId),
        (found) => found.some((s) => s.kind === 'SERVER') && found.some((s) => s.kind === 'CLIENT') && found.some((s) => s.name === 'render order'),
        STORED_WITHIN_MS,
      )
      expect(spans.every((s) => s.traceId === stats.traceId)).toBe(true)
      const server = spans.find((s) => s.kind === 'SERVER')!
      // Zipkin stores span names in lower case.
      expect(server.name).toBe('get /orders/:id')
      expect(server.localEndpoint?.serviceName).toBe('shop')
      expect(server.id).toBe(stats.spans.find((s) => s.kind === 'SERVER')!.spanId)
      const query = spans.find((s) => s.kind === 'CLIENT')!
      expect(query.parentId).toBe(server.id)
      expect(query.tags?.['db.query.text']).toBe('SELECT id, item FROM orders WHERE id = ?')

      expect(stats.links.zipkin).toBe(`${uiUrl}/zipkin/traces/${stats.traceId}`)
      const page = await fetch(stats.links.zipkin)
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toContain('text/html')
    })
  })
})
