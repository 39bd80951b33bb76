/**
 * Two apps in one process, each with its toolbar at the default prefix and an OpenTelemetry
 * panel, served with `serve()` on two loopback ports (two services, or two apps in a test
 * file): what a save under Vite's dev server hands from toolbar to toolbar never links
 * them, whatever requests come first (the toolbar's own routes, refused clients, pages).
 */
import { Hono } from 'hono'
import { trace } from '@opentelemetry/api'
import { createServer, type AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { loopbackServers } from '../support/loopback-service.js'

const prefix = '/_debug_toolbar'
const start = loopbackServers()

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

function makeApp(name: string, panel: OpenTelemetryPanel): Hono {
  const app = new Hono()
  app.use(debugToolbar({ app, extraPanels: [panel] }))
  // The app's own instrumentation, through OpenTelemetry's global tracer provider.
  app.get('/', (c) => {
    trace.getTracer('app').startSpan(`work of ${name}`).end()
    return c.html(`<html><body>${name}</body></html>`)
  })
  return app
}

async function requestIds(base: string): Promise<string[]> {
  const list = (await (await fetch(`${base}${prefix}/api/requests`)).json()) as { requests: Array<{ id: string }> }
  return list.requests.map((request) => request.id)
}

describe('two toolbars at the same prefix in one process', () => {
  it('each keeps its history, its gRPC receiver and the OpenTelemetry globals as registered', async () => {
    const ports = [await freePort(), await freePort()]
    const panels = ports.map((port, i) => new OpenTelemetryPanel({ exporter: 'none', serviceName: `service-${i}`, otlpGrpcPort: port, otlpGrpcHost: '127.0.0.1' }))
    const shop = await start(makeApp('shop', panels[0]!))
    const stock = await start(makeApp('stock', panels[1]!))
    try {
      await Promise.all(panels.map((panel) => panel.ready))
      // The first requests are the toolbars' own routes, then a refused client's page.
      expect(await requestIds(shop)).toEqual([])
      expect(await requestIds(stock)).toEqual([])
      const refused = await fetch(`${stock}/`, { headers: { 'x-forwarded-for': '203.0.113.7' } })
      expect(refused.headers.get('x-debug-toolbar-request-id')).toBeNull()

      const shopPage = await fetch(`${shop}/`)
      const stockPage = await fetch(`${stock}/`)
      const shopId = shopPage.headers.get('x-debug-toolbar-request-id')!
      const stockId = stockPage.headers.get('x-debug-toolbar-request-id')!
      expect(await requestIds(shop)).toEqual([shopId])
      expect(await requestIds(stock)).toEqual([stockId])
      // Both receivers still listen, each on its port: neither toolbar retired the other.
      expect(panels.map((panel) => panel.receivers?.grpc?.address)).toEqual(ports.map((port) => `127.0.0.1:${port}`))
      // The app's own spans go through the provider registered first, for both apps.
      const detail = (await (await fetch(`${stock}${prefix}/api/requests/${stockId}`)).json()) as { panels: { opentelemetry: { traceId: string } } }
      const spans = (await (await fetch(`${stock}${prefix}/api/traces/${detail.panels.opentelemetry.traceId}`)).json()) as {
        spans: Array<{ name: string; resource: Record<string, unknown> }>
      }
      const service = (name: string) => spans.spans.find((span) => span.name === name)?.resource['service.name']
      expect(service('work of stock')).toBe('service-0')
      expect(service('GET /')).toBe('service-1')
    } finally {
      await Promise.all(panels.map((panel) => panel.shutdown()))
    }
  })
})
