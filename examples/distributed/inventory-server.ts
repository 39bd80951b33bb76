import { serve } from '@hono/node-server'
import { createInventory } from './inventory.js'

// Run by start.ts with OTEL_EXPORTER_OTLP_ENDPOINT pointing at the frontend's toolbar.
const { app, shutdown } = createInventory()
const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3001), hostname: process.env.HOST ?? '127.0.0.1' }, (info) => {
  console.log(`inventory service: http://${process.env.HOST ?? '127.0.0.1'}:${info.port}/products (spans to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'the default endpoint'})`)
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close()
    void shutdown().finally(() => process.exit(0))
  })
}
