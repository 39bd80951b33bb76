import { Hono } from 'hono'
import { html } from 'hono/html'
import { debugToolbar } from 'hono-debug-toolbar'
import { OpenTelemetryPanel } from 'hono-debug-toolbar/opentelemetry'

interface Product {
  id: number
  name: string
  stock: number
}

/**
 * The shop frontend of the distributed example: a Hono app with the toolbar and the
 * OpenTelemetry panel, whose page calls the inventory service with `fetch`. The toolbar's
 * CLIENT span of that call carries the traceparent; the inventory service sends its spans
 * back to the toolbar's OTLP receiver, and the page's waterfall shows both services.
 *
 * `inventoryUrl` is read at each request, so the server can start before the service does.
 */
export function createFrontend(inventoryUrl: () => string) {
  const app = new Hono()
  app.use(
    debugToolbar({
      app,
      extraPanels: [
        new OpenTelemetryPanel({
          serviceName: 'shop-frontend',
          // No collector is needed to try the example: export only when one is configured.
          exporter: process.env.OTEL_TRACES_EXPORTER ? undefined : 'none',
        }),
      ],
    }),
  )

  app.get('/', async (c) => {
    const res = await fetch(`${inventoryUrl()}/products`)
    const products = (await res.json()) as Product[]
    return c.html(html`<!doctype html>
      <html>
        <head><meta charset="utf-8" /><link rel="icon" href="data:," /><title>Tea shop</title></head>
        <body style="font-family: system-ui, sans-serif; margin: 2rem">
          <h1>Tea shop</h1>
          <p>The product list comes from the inventory service. Open the toolbar's OpenTelemetry panel: both services are in one waterfall.</p>
          <ul>
            ${products.map((p) => html`<li>${p.name}: ${p.stock > 0 ? `${p.stock} in stock` : 'sold out'}</li>`)}
          </ul>
        </body>
      </html>`)
  })
  return app
}
