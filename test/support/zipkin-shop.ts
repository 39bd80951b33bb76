import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { startZipkinPeer } from '../../integration/peers/index.js'
import { startLoopbackService } from './loopback-service.js'

/**
 * A shop (toolbar and OpenTelemetry panel, service `shop`) exporting over Zipkin to a real
 * peer on loopback, served on loopback, beside an upstream service whose `upstreamPath`
 * answers `ok`; `routes` adds the shop's routes, with the upstream's base URL to fetch from.
 * `close()` shuts the panel down and closes all three.
 */
export async function startZipkinShop(upstreamPath: string, routes: (app: Hono, upstream: string) => void) {
  const zipkin = await startZipkinPeer()
  const upstream = await startLoopbackService(new Hono().get(upstreamPath, (c) => c.text('ok')))
  const panel = new OpenTelemetryPanel({ exporter: 'zipkin', zipkinEndpoint: zipkin.url, serviceName: 'shop' })
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [panel] }))
  routes(app, upstream.base)
  const service = await startLoopbackService(app)
  const close = async () => {
    await panel.shutdown()
    await service.close()
    await upstream.close()
    await zipkin.close()
  }
  return { zipkin, panel, base: service.base, upstream: upstream.base, close }
}
